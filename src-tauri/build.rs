include!("src/command_names.rs");

fn main() {
    // Declaring our commands makes Tauri generate an `allow-<command>` permission for each,
    // so the webview can call only what a capability file grants.
    let commands: &[&str] = with_commands!(command_names);
    let manifest = tauri_build::AppManifest::new().commands(commands);
    if let Err(error) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        panic!("tauri build step failed: {error:#}");
    }
}
