//! CSV files a person saves where they chose: the faults list and the vehicles list, each as
//! filtered on screen.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::{App, AppError, Result};
use crate::store::{FaultFilter, Store, StoreError, VehicleQuery};

/// A CSV written: where, and how many rows it holds after its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
    pub rows: u32,
}

/// What the save dialog proposes: `truckiq-faults-20261203-1420.csv`.
pub fn export_file_name(what: &str, at: chrono::DateTime<chrono::Local>) -> String {
    format!("truckiq-{what}-{}.csv", at.format("%Y%m%d-%H%M"))
}

impl App {
    /// Every fault episode matching `filter`, to `path`.
    pub async fn export_faults_csv(&self, filter: FaultFilter, path: PathBuf) -> Result<Exported> {
        self.write_csv(path, move |store, out| store.export_faults_csv(&filter, out)).await
    }

    /// Every truck `query` matches, in its order, to `path`.
    pub async fn export_vehicles_csv(&self, query: VehicleQuery, path: PathBuf) -> Result<Exported> {
        self.write_csv(path, move |store, out| store.export_vehicles_csv(&query, out)).await
    }

    /// Writes beside `path` first and renames it into place, so a failed export never leaves a
    /// half file under the name the person chose, nor spoils a file that was there.
    async fn write_csv(
        &self,
        path: PathBuf,
        write: impl FnOnce(&Store, std::io::BufWriter<std::fs::File>) -> Result<u32, StoreError> + Send + 'static,
    ) -> Result<Exported> {
        let cannot =
            |e: std::io::Error, what: &Path| AppError::Internal(format!("cannot write {}: {e}", what.display()));
        let partial = path.with_extension("csv.part");
        let target = partial.clone();
        let rows = self
            .read(move |store| {
                let file = match std::fs::File::create(&target) {
                    Ok(file) => file,
                    Err(e) => return Ok(Err(cannot(e, &target))),
                };
                write(store, std::io::BufWriter::new(file)).map(Ok)
            })
            .await;
        let rows = match rows {
            Ok(Ok(rows)) => rows,
            Ok(Err(error)) | Err(error) => {
                let _ = std::fs::remove_file(&partial);
                return Err(error);
            }
        };
        std::fs::rename(&partial, &path).map_err(|e| cannot(e, &path))?;
        tracing::info!(rows, path = %path.display(), "CSV exported");
        Ok(Exported { path: path.display().to_string(), rows })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn the_proposed_name_says_what_and_when() {
        let at = chrono::Local.with_ymd_and_hms(2026, 12, 3, 14, 20, 5).unwrap();
        assert_eq!(export_file_name("vehicles", at), "truckiq-vehicles-20261203-1420.csv");
    }
}
