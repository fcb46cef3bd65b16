//! What the CLI and the app log. Whatever `-v` or `RUST_LOG` ask for, the targets that log raw
//! DevTools traffic stay off: those messages carry what is typed into pages (passwords, codes) and
//! the cookies a portal sets. Both write to stderr and to a rolling log file per day, kept a week,
//! in [`crate::paths::log_dir`].

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

/// The log file names' stems: `truckiq-desktop.2026-12-03.log`, `truckiq.2026-12-03.log`.
pub const APP_LOG: &str = "truckiq-desktop";
pub const CLI_LOG: &str = "truckiq";

/// What the file keeps unless `RUST_LOG` says otherwise: enough to tell what each sync did.
const FILE_DEFAULT: &str = "info";

/// Days of log files kept.
const KEEP_FILES: usize = 7;

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

/// Logs from here on to stderr at `default`, and to today's `{name}.*.log` in the log folder at
/// info, unless `RUST_LOG` says otherwise for both. Colours only on a terminal: a log piped to a
/// file (cron, a service manager) stays plain text. Without a log folder it logs to stderr alone,
/// and says why.
pub fn init(default: &str, name: &str) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_filter(log_filter(rust_log.as_deref(), default));
    // Written as each line comes, not through a background writer: the lines before a crash or a
    // `process::exit` are the ones wanted most.
    let (file_layer, problem) = match log_file(name) {
        Ok(writer) => {
            let layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(log_filter(rust_log.as_deref(), FILE_DEFAULT));
            (Some(layer), None)
        }
        Err(problem) => (None, Some(problem)),
    };
    tracing_subscriber::registry().with(stderr).with(file_layer).init();
    if let Some(problem) = problem {
        tracing::warn!("{problem}; logging to stderr only");
    }
}

fn log_file(name: &str) -> Result<RollingFileAppender, String> {
    let dir = crate::paths::log_dir().ok_or("no home folder to keep log files in")?;
    // Made first: tracing-appender prunes old files before it creates the folder, and prints
    // "Error reading the log directory" on stderr when the folder is not there yet (a first run).
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make the log folder {}: {e}", dir.display()))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(name)
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(&dir)
        .map_err(|e| format!("cannot write log files in {}: {e}", dir.display()))
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
