//! "Where should this go?": the desktop's own save dialog for exports, and "Show in folder" for the
//! file just saved. WebDriver cannot drive a native dialog, so debug builds answer it from
//! `TRUCKIQ_TEST_SAVE_DIR` when that is set (the app tests); a release build always asks.

use std::path::PathBuf;
use std::sync::Mutex;

use tauri::{AppHandle, Manager as _};
use tauri_plugin_dialog::DialogExt as _;
use truckiq::app::{ErrorCode, Exported, export_file_name};

use crate::error::{IpcError, Result};

#[cfg(debug_assertions)]
const TEST_ANSWER_ENV: &str = "TRUCKIQ_TEST_SAVE_DIR";

/// The file the last export wrote: the only one "Show in folder" reveals.
#[derive(Default)]
pub struct LastExport(Mutex<Option<PathBuf>>);

impl LastExport {
    fn set(&self, path: PathBuf) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some(path);
        }
    }

    fn get(&self) -> Option<PathBuf> {
        self.0.lock().ok().and_then(|last| last.clone())
    }
}

/// Asks where to save the `what` CSV, has `write` write it there and remembers it for "Show in
/// folder"; `None` when the person cancelled the dialog.
pub async fn export<F, Fut>(app: &AppHandle, what: &str, write: F) -> Result<Option<Exported>>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: Future<Output = truckiq::app::Result<Exported>>,
{
    let Some(path) = ask(app, what).await? else { return Ok(None) };
    let exported = write(path.clone()).await?;
    app.state::<LastExport>().set(path);
    Ok(Some(exported))
}

/// Asks where to save the `what` CSV, proposing the Downloads folder and a dated name; `None` when
/// the person cancelled.
async fn ask(app: &AppHandle, what: &str) -> Result<Option<PathBuf>> {
    let name = export_file_name(what, chrono::Local::now());
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os(TEST_ANSWER_ENV) {
        return Ok(Some(PathBuf::from(dir).join(name)));
    }
    let folder = app.path().download_dir().or_else(|_| app.path().home_dir()).ok();
    let (answer, answered) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(format!("Save the {what} as CSV"))
        .set_file_name(name)
        .add_filter("CSV", &["csv"]);
    if let Some(folder) = folder {
        dialog = dialog.set_directory(folder);
    }
    dialog.save_file(move |picked| {
        let _ = answer.send(picked);
    });
    let picked =
        answered.await.map_err(|_| IpcError::new(ErrorCode::Internal, "the save dialog closed without an answer"))?;
    picked
        .map(|path| {
            path.into_path().map_err(|e| IpcError::new(ErrorCode::InvalidInput, format!("cannot save there: {e}")))
        })
        .transpose()
}

/// Opens the file manager on the folder of the last export, with the file selected.
pub fn show_last(app: &AppHandle) -> Result<String> {
    use tauri_plugin_opener::OpenerExt as _;
    let path = app
        .state::<LastExport>()
        .get()
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "nothing has been exported yet"))?;
    let shown = path.display().to_string();
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("cannot show {shown} in the file manager: {e}")))?;
    Ok(shown)
}
