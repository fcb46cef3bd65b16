//! What the CLI and the app log. Whatever `-v` or `RUST_LOG` ask for, the targets that log raw
//! DevTools traffic stay off: those messages carry what is typed into pages (passwords, codes) and
//! the cookies a portal sets.

use tracing_subscriber::EnvFilter;

/// Log targets that print DevTools messages whole: the WebSocket layer and chromiumoxide's
/// connection.
pub const SECRET_CARRYING_TARGETS: [&str; 3] = ["tungstenite", "async_tungstenite", "chromiumoxide::conn"];

/// The filter for `rust_log` (the `RUST_LOG` value, if any) or else `default` (e.g. "warn"),
/// with chromiumoxide's noise about unknown events kept to errors unless asked for, and the
/// targets above always off.
pub fn log_filter(rust_log: Option<&str>, default: &str) -> EnvFilter {
    let mut filter = rust_log
        .and_then(|text| EnvFilter::try_new(text).ok())
        .unwrap_or_else(|| EnvFilter::new(format!("{default},{}", crate::browser::QUIET_CDP_NOISE)));
    for target in SECRET_CARRYING_TARGETS {
        // Added last, a directive for the same target replaces one RUST_LOG gave.
        if let Ok(off) = format!("{target}=off").parse() {
            filter = filter.add_directive(off);
        }
    }
    filter
}

/// Logs to stderr from here on, at `default` unless `RUST_LOG` says otherwise, with colours only
/// on a terminal: a log piped to a file (cron, a service manager) stays plain text.
pub fn init_stderr(default: &str) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(log_filter(rust_log.as_deref(), default))
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(rust_log: Option<&str>) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(log_filter(rust_log, "warn"))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "tungstenite::protocol", "frame password=hunter2");
            tracing::trace!(target: "async_tungstenite", "frame password=hunter2");
            tracing::trace!(target: "chromiumoxide::conn", "Sending Network.requestWillBeSent hunter2");
            tracing::trace!(target: "truckiq::sync", "a trace line of our own");
            tracing::warn!(target: "truckiq::sync", "a warning of our own");
        });
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn devtools_traffic_is_never_logged_whatever_rust_log_says() {
        for asked in [Some("trace"), Some("tungstenite=trace,chromiumoxide=trace,trace"), None] {
            let out = logged(asked);
            assert!(!out.contains("hunter2"), "{asked:?}: {out}");
            assert!(out.contains("a warning of our own"), "{asked:?}: {out}");
        }
        assert!(logged(Some("trace")).contains("a trace line of our own"), "the rest stays as asked");
    }
}
