//! Chromium as a child of our own, so it cannot outlive the run that started it.
//!
//! chromiumoxide's launcher cannot tie Chromium's life to ours, so we start it ourselves, with
//! DevTools on a pipe ([`super::pipe`]) rather than a port:
//! - in a process group of its own, which closing kills as a whole;
//! - with a parent-death signal (`setpriv --pdeathsig KILL`, no `unsafe` `pre_exec` needed): if
//!   TruckIQ is killed, crashes or is logged out, the kernel kills Chromium too. The signal fires
//!   when the *thread* that spawned Chromium exits, so a thread of its own spawns it and lives, in
//!   `wait`, exactly as long as Chromium does;
//! - processes are told apart by their exact `--user-data-dir=` argument, never by a substring;
//! - `/bin/sh` moves the pipe we hand it as stdin and stdout to fds 3 and 4, where Chromium reads
//!   and writes DevTools messages, and then becomes Chromium (`exec`): no `unsafe` `dup2` here.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::BrowserError;
use super::pipe;

/// Where `setpriv` (util-linux, on every Debian and most Linux systems) is looked for.
#[cfg(target_os = "linux")]
const SETPRIV: &str = "/usr/bin/setpriv";

/// Run by `/bin/sh -c` with Chromium as `$0`: its stdin and stdout (our pipe) become fds 3 and 4,
/// stdin and stdout themselves /dev/null, and the shell becomes Chromium.
const PIPE_TO_FDS: &str = r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#;

/// How much of what Chromium prints is kept for an error message.
const KEPT_OUTPUT: usize = 4096;

/// The argument that names a profile folder, exactly as Chromium gets it.
pub fn user_data_dir_arg(profile_dir: &Path) -> String {
    format!("--user-data-dir={}", profile_dir.display())
}

/// A running Chromium, started by [`ChromiumProcess::start`].
#[derive(Debug)]
pub struct ChromiumProcess {
    pid: u32,
    profile_dir: PathBuf,
    /// `None` once stopped.
    exited: Option<oneshot::Receiver<()>>,
    /// Chromium's `TMPDIR`, removed with it.
    _scratch: tempfile::TempDir,
    /// Carries DevTools messages between chromiumoxide and Chromium's pipe.
    bridge: JoinHandle<()>,
    /// The start of what Chromium printed, for the error when it fails early.
    printed: Arc<Mutex<String>>,
}

/// A run dropped without closing its browser (it was cancelled, or panicked) still takes Chromium
/// with it: the group is killed, and the helpers follow their main process.
impl Drop for ChromiumProcess {
    fn drop(&mut self) {
        self.bridge.abort();
        if self.exited.is_some() {
            kill_group(self.pid);
        }
    }
}

enum Started {
    Ready { pid: u32, commands: ChildStdin, events: ChildStdout },
    Failed(String),
}

impl ChromiumProcess {
    /// Starts `executable` with `args` (each with its leading `--`, `--remote-debugging-pipe`
    /// among them) on `profile_dir`, with `scratch` as its `TMPDIR`, within `timeout`, and returns
    /// the address of the one-time DevTools bridge to connect to.
    pub async fn start(
        executable: &Path,
        profile_dir: &Path,
        args: Vec<String>,
        scratch: tempfile::TempDir,
        timeout: Duration,
    ) -> Result<(Self, String), BrowserError> {
        let (started, ready) = oneshot::channel();
        let (exit, exited) = oneshot::channel();
        let mut command = launcher(executable);
        command
            .arg(user_data_dir_arg(profile_dir))
            .args(&args)
            .env("TMPDIR", scratch.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let printed = Arc::new(Mutex::new(String::new()));
        let kept = Arc::clone(&printed);
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        std::thread::Builder::new()
            .name("chromium".into())
            .spawn(move || supervise(command, started, exit, kept))
            .map_err(|e| BrowserError::Launch(format!("cannot start a thread for Chromium: {e}")))?;
        match tokio::time::timeout(timeout, ready).await {
            Ok(Ok(Started::Ready { pid, commands, events })) => {
                let pipes = tokio::process::ChildStdin::from_std(commands)
                    .and_then(|commands| Ok((commands, tokio::process::ChildStdout::from_std(events)?)));
                let bridge = match pipes {
                    Ok((commands, events)) => pipe::start(commands, events).await,
                    Err(e) => Err(BrowserError::Launch(format!("cannot read Chromium's DevTools pipe: {e}"))),
                };
                let bridge = match bridge {
                    Ok(bridge) => bridge,
                    Err(error) => {
                        kill_group(pid);
                        return Err(error);
                    }
                };
                let process = Self {
                    pid,
                    profile_dir: profile_dir.to_path_buf(),
                    exited: Some(exited),
                    _scratch: scratch,
                    bridge: bridge.task,
                    printed,
                };
                Ok((process, bridge.url))
            }
            Ok(Ok(Started::Failed(why))) => Err(BrowserError::Launch(why)),
            Ok(Err(_)) => Err(BrowserError::Launch("Chromium's supervising thread stopped".into())),
            Err(_) => {
                // It may have started and be stuck: nothing of it may stay.
                kill_profile_processes(profile_dir);
                Err(BrowserError::Launch(format!("Chromium did not start within {} s", timeout.as_secs())))
            }
        }
    }

    /// The start of what Chromium printed, to say why it stopped.
    pub fn printed(&self) -> String {
        self.printed.lock().unwrap_or_else(PoisonError::into_inner).trim().to_owned()
    }

    /// Waits up to `grace` for Chromium to exit (after it was asked to close), then kills its
    /// process group and any helper left on this profile.
    pub async fn stop(mut self, grace: Duration) {
        let exited = self.exited.take();
        let gone = match exited {
            Some(exited) => tokio::time::timeout(grace, exited).await.is_ok(),
            None => true,
        };
        if !gone {
            tracing::warn!(pid = self.pid, "Chromium did not close on request; killing it");
        }
        kill_group(self.pid);
        // Helpers go a moment after the main process; wait for them, then kill any that stay.
        for _ in 0..50 {
            if profile_processes(&self.profile_dir).is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tracing::warn!("killing Chromium helper processes that did not exit");
        kill_profile_processes(&self.profile_dir);
    }
}

/// The command that starts `executable` through the shell that moves the pipe to fds 3 and 4,
/// with a parent-death signal where the system allows it.
fn launcher(executable: &Path) -> Command {
    let mut command = Command::new("/bin/sh");
    #[cfg(target_os = "linux")]
    if Path::new(SETPRIV).exists() {
        command = Command::new(SETPRIV);
        command.args(["--pdeathsig", "KILL", "--", "/bin/sh"]);
    }
    command.args(["-c", PIPE_TO_FDS]).arg(executable);
    command
}

/// Runs on Chromium's own thread: spawns it, hands over its pipe (or says why it could not start),
/// drains what it prints (a full pipe would stall it), keeping the start for error messages, and
/// waits for it to exit.
fn supervise(
    mut command: Command,
    started: oneshot::Sender<Started>,
    exit: oneshot::Sender<()>,
    printed: Arc<Mutex<String>>,
) {
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let _ = started.send(Started::Failed(format!("cannot run the browser: {e}")));
            return;
        }
    };
    match (child.stdin.take(), child.stdout.take()) {
        (Some(commands), Some(events)) => {
            let _ = started.send(Started::Ready { pid: child.id(), commands, events });
        }
        _ => {
            let _ = started.send(Started::Failed("the browser's DevTools pipe was not opened".into()));
        }
    }
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let mut kept = printed.lock().unwrap_or_else(PoisonError::into_inner);
            if kept.len() < KEPT_OUTPUT {
                kept.push_str(&line);
                kept.push('\n');
            }
        }
    }
    let _ = child.wait();
    let _ = exit.send(());
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return };
    match rustix::process::kill_process_group(pid, rustix::process::Signal::KILL) {
        Ok(()) | Err(rustix::io::Errno::SRCH) => {}
        Err(error) => tracing::warn!(%error, "could not kill Chromium's process group"),
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

/// Process ids of Chromium processes started on exactly `profile_dir` (Chromium and the helpers
/// that carry its `--user-data-dir`). Reads `/proc`, so it finds nothing where there is none.
pub fn profile_processes(profile_dir: &Path) -> Vec<u32> {
    let wanted = user_data_dir_arg(profile_dir);
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|raw| names_arg(&raw, &wanted)))
        .collect()
}

/// Whether a `/proc/<pid>/cmdline` holds `arg` as a whole argument. Arguments end in NUL, but
/// Chromium rewrites its own command line into one space-separated title, so the argument must
/// start the line or follow a separator, and end it or be followed by one: `account-1` never
/// matches `account-10`.
fn names_arg(cmdline: &[u8], arg: &str) -> bool {
    let arg = arg.as_bytes();
    let separator = |b: Option<&u8>| b.is_none_or(|&b| b == 0 || b == b' ');
    cmdline.windows(arg.len()).enumerate().any(|(at, window)| {
        window == arg
            && separator(at.checked_sub(1).and_then(|i| cmdline.get(i)))
            && separator(cmdline.get(at + arg.len()))
    })
}

/// Kills every process started on exactly `profile_dir`.
pub fn kill_profile_processes(profile_dir: &Path) {
    #[cfg(unix)]
    for pid in profile_processes(profile_dir) {
        let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { continue };
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
}

/// Whether process `pid` was started with an argument beginning with `prefix`.
fn has_arg_prefix(pid: u32, prefix: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|raw| raw.split(|&b| b == 0 || b == b' ').any(|arg| arg.starts_with(prefix.as_bytes())))
}

/// Whether process `pid` is a TruckIQ program (`truckiq`, `truckiq-desktop`). One whose program
/// cannot be read (another user's) counts as running; init never does.
fn run_by_truckiq(pid: u32) -> bool {
    // Init adopts orphans, and in a container its program may be unreadable.
    if pid == 1 {
        return false;
    }
    match std::fs::read_link(format!("/proc/{pid}/exe")) {
        Ok(exe) => exe.file_name().is_some_and(|name| name.to_string_lossy().starts_with("truckiq")),
        Err(error) => error.kind() == std::io::ErrorKind::PermissionDenied,
    }
}

/// The parent of process `pid`, from `/proc/<pid>/stat`.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (name with spaces) state ppid …": the name ends at the last ')'.
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

/// Makes `profile_dir` usable after a run that could not clean up (a crash, a `kill -9`):
/// Chromium processes of ours left on it whose TruckIQ is gone are killed, and a `SingletonLock`
/// whose owner is gone is removed. A Chromium on it that a live process still owns (another sync of
/// the same account) is left alone and reported.
pub async fn clear_stale_lock(profile_dir: &Path) -> Result<(), BrowserError> {
    let ours = profile_processes(profile_dir);
    // A main Chromium process (helpers carry `--type=`) whose parent is a TruckIQ still running:
    // the browser of a run still going. Any other parent (init, a subreaper such as
    // `systemd --user`) adopted an orphan.
    let owner = ours.iter().filter(|&&pid| !has_arg_prefix(pid, "--type=")).find_map(|&pid| {
        let parent = parent_of(pid)?;
        run_by_truckiq(parent).then_some(parent)
    });
    if let Some(owner) = owner {
        return Err(BrowserError::Launch(format!(
            "this account's browser profile is in use by another sync (process {owner}); try again when it ends"
        )));
    }
    if !ours.is_empty() {
        tracing::warn!(count = ours.len(), "killing Chromium processes a stopped TruckIQ left on this profile");
        kill_profile_processes(profile_dir);
        for _ in 0..50 {
            if profile_processes(profile_dir).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let lock = profile_dir.join("SingletonLock");
    let Ok(target) = std::fs::read_link(&lock) else { return Ok(()) };
    // "hostname-pid": a lock of another machine sharing this folder is not ours to judge.
    let target = target.to_string_lossy().into_owned();
    let Some((host, pid)) = target.rsplit_once('-') else { return Ok(()) };
    let this_host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let alive = pid.parse::<u32>().is_ok_and(|pid| profile_processes(profile_dir).contains(&pid));
    if host == this_host.trim() && !alive {
        for name in ["SingletonLock", "SingletonCookie", "SingletonSocket"] {
            let _ = std::fs::remove_file(profile_dir.join(name));
        }
        tracing::info!(lock = %target, "removed a browser profile lock whose owner is gone");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argument_matches_whole_in_both_forms_of_a_command_line() {
        let arg = "--user-data-dir=/data/browser/account-1";
        assert!(names_arg(b"chromium\0--user-data-dir=/data/browser/account-1\0--no-first-run\0", arg));
        assert!(names_arg(b"/usr/lib/chromium/chromium --type=zygote --user-data-dir=/data/browser/account-1", arg));
        assert!(!names_arg(b"chromium\0--user-data-dir=/data/browser/account-10\0", arg), "a longer profile");
        assert!(!names_arg(b"chromium --user-data-dir=/data/browser/account-10 --x", arg));
        assert!(!names_arg(b"chromium --x--user-data-dir=/data/browser/account-1", arg), "inside another argument");
    }

    #[test]
    fn a_profile_is_named_by_its_whole_argument() {
        let one = Path::new("/data/browser/account-1");
        assert_eq!(user_data_dir_arg(one), "--user-data-dir=/data/browser/account-1");
        // What a substring match took for account 1's.
        let ten = user_data_dir_arg(Path::new("/data/browser/account-10"));
        assert_ne!(ten.as_bytes(), user_data_dir_arg(one).as_bytes());
        assert!(ten.contains(&user_data_dir_arg(one)), "the old bug: a prefix");
    }

    #[test]
    fn the_parent_is_read_from_proc() {
        assert_eq!(parent_of(std::process::id()), Some(std::os::unix::process::parent_id()));
    }
}
