//! How the window's webview renders.

/// On Linux, WebKitGTK composites with OpenGL by default. TruckIQ is tables and text, with no
/// WebGL or heavy animation, and without a GPU (a VM, a remote desktop, Xvfb) that OpenGL is
/// Mesa's software renderer: measured with `npm run bench:desktop -w tests`, it made every frame
/// after a keystroke ~70 ms slower and kept ~100 MiB more in the web process (docs/BENCHMARKS.md).
/// Drawing without compositing is also the usual cure for WebKitGTK's blank windows on some GPU
/// drivers.
pub fn configure(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt as _, WebViewExt as _};
        let applied = window.with_webview(|webview| {
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(error) = applied {
            tracing::warn!(%error, "could not set the webview's rendering policy");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
