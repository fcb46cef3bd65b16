//! One database file, one writer and a few readers. SQLite in WAL mode lets readers go on while a
//! write transaction is open, but only on connections of their own: behind the writer's lock the
//! window's reads would wait for a whole sync to commit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use super::{Result, Store};

/// Read connections the app and the CLI open: enough for the window's queries that run at once
/// (a page, its counts, the sidebar badges) while a sync writes.
pub const READERS: usize = 3;

pub struct Database {
    path: PathBuf,
    writer: Mutex<Store>,
    readers: Vec<Mutex<Store>>,
    /// Where the next read starts looking for a free reader, so they are used in turn.
    next: AtomicUsize,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("path", &self.path).field("readers", &self.readers.len()).finish()
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Database {
    /// Opens (creating and migrating) the database with `readers` read connections. With none,
    /// reads share the writer, as they did before this pool.
    pub fn open(path: impl AsRef<Path>, readers: usize) -> Result<Self> {
        let writer = Store::open(&path)?;
        let readers = (0..readers).map(|_| Store::open_reader(&path).map(Mutex::new)).collect::<Result<_>>()?;
        Ok(Self { path: path.as_ref().to_path_buf(), writer: Mutex::new(writer), readers, next: AtomicUsize::new(0) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on a read connection: the first one free, else the next in turn. Blocks; call
    /// it off the async threads. A write attempted here fails (`query_only`).
    pub fn read<T>(&self, work: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        if self.readers.is_empty() {
            return work(&lock(&self.writer));
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let count = self.readers.len();
        for offset in 0..count {
            match self.readers[(start + offset) % count].try_lock() {
                Ok(store) => return work(&store),
                Err(TryLockError::Poisoned(poisoned)) => return work(&poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        work(&lock(&self.readers[start % count]))
    }

    /// Runs `work` on the one write connection. Blocks; call it off the async threads.
    pub fn write<T>(&self, work: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        work(&mut lock(&self.writer))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::store::{NewAccount, PortalKind};

    fn account(name: &str) -> NewAccount {
        NewAccount {
            name: name.into(),
            portal_kind: PortalKind::TruckTech,
            base_url: "https://paccarsolutions.com".into(),
            username: "ops@fleet.example".into(),
            sync_interval_minutes: 240,
        }
    }

    #[test]
    fn readers_answer_while_a_write_transaction_is_open_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Database::open(dir.path().join("t.sqlite3"), 2).unwrap());
        db.write(|s| s.insert_account(&account("Acme"))).unwrap();
        let (opened, release) = (mpsc::channel(), mpsc::channel::<()>());
        let writer = {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                db.write(|s| {
                    s.connection().execute_batch("BEGIN IMMEDIATE")?;
                    s.insert_account(&account("Globex"))?;
                    opened.0.send(()).ok();
                    release.1.recv().ok();
                    s.connection().execute_batch("COMMIT")?;
                    Ok(())
                })
            })
        };
        opened.1.recv_timeout(Duration::from_secs(5)).unwrap();
        // The writer holds its lock and an open transaction; a read still answers, with what was
        // committed before it.
        let names = db.read(|s| Ok(s.list_accounts()?.into_iter().map(|a| a.name).collect::<Vec<_>>())).unwrap();
        assert_eq!(names, vec!["Acme"]);
        release.0.send(()).unwrap();
        writer.join().unwrap().unwrap();
        assert_eq!(db.read(|s| s.list_accounts()).unwrap().len(), 2, "committed writes are seen");
        let refused = db.read(|s| s.insert_account(&account("Initech")));
        assert!(refused.unwrap_err().to_string().contains("readonly"), "a reader never writes");
    }
}
