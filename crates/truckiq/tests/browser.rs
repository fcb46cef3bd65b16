//! The browser layer on a real Chromium against the simulator: launch, read a page, time out on a
//! hung one, and leave no Chromium process behind either way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use portal_sim::{Scenario, SimConfig, Simulator};
use truckiq::browser::{BrowserError, BrowserOptions, BrowserSession};

/// Chromium processes whose command line mentions `marker` (our profile folder).
fn chromium_processes(marker: &Path) -> Vec<u32> {
    let marker = marker.display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|raw| String::from_utf8_lossy(&raw).contains(&marker))
                .unwrap_or(false)
        })
        .collect()
}

fn options() -> BrowserOptions {
    BrowserOptions { page_timeout: Duration::from_secs(3), ..BrowserOptions::default() }
}

#[tokio::test]
async fn reads_a_portal_page_and_leaves_no_process_behind() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("account-1");
    let html = BrowserSession::with(&options(), &profile, async |browser| {
        assert!(!chromium_processes(&profile).is_empty(), "Chromium runs on our profile");
        let page = browser.new_page().await?;
        page.goto(&format!("{}/paccar/login", sim.base_url())).await?;
        page.wait_for(r#"input[name="email"]"#, "the login form").await?;
        let html = page.html().await?;
        page.close().await;
        Ok::<_, BrowserError>(html)
    })
    .await
    .unwrap();
    assert!(html.contains(r#"name="email""#));
    assert!(chromium_processes(&profile).is_empty(), "every Chromium process was reaped");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&profile).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the profile folder is private");
    }
}

/// Socket inodes that are listening for TCP connections, from `/proc/net/tcp` and `tcp6`.
fn listening_inodes() -> std::collections::HashSet<u64> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|text| {
            text.lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    // `st` 0A is LISTEN; the inode is the tenth field.
                    (fields.get(3) == Some(&"0A")).then(|| fields.get(9)?.parse().ok()).flatten()
                })
                .collect::<Vec<u64>>()
        })
        .collect()
}

/// The socket inodes process `pid` holds open.
fn socket_inodes(pid: u32) -> Vec<u64> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return Vec::new() };
    fds.filter_map(|fd| {
        let target = std::fs::read_link(fd.ok()?.path()).ok()?;
        target.to_str()?.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
    })
    .collect()
}

#[tokio::test]
async fn devtools_is_on_a_pipe_chromium_listens_on_no_port_and_the_bridge_closes() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("account-1");
    let (listening, command_lines, bridge) = BrowserSession::with(&options(), &profile, async |browser| {
        let page = browser.new_page().await?;
        page.goto(&format!("{}/paccar/login", sim.base_url())).await?;
        let pids = truckiq::browser::profile_processes(&profile);
        assert!(!pids.is_empty());
        let open = listening_inodes();
        let listening: Vec<(u32, u64)> = pids
            .iter()
            .flat_map(|&pid| socket_inodes(pid).into_iter().map(move |inode| (pid, inode)))
            .filter(|(_, inode)| open.contains(inode))
            .collect();
        let command_lines: Vec<String> = pids
            .iter()
            .filter_map(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).ok())
            .map(|raw| String::from_utf8_lossy(&raw).into_owned())
            .collect();
        let bridge = url::Url::parse(browser.devtools_url()).unwrap();
        page.close().await;
        Ok::<_, BrowserError>((listening, command_lines, bridge))
    })
    .await
    .unwrap();
    assert_eq!(listening, vec![], "a Chromium process listens on a TCP port");
    assert!(command_lines.iter().any(|line| line.contains("--remote-debugging-pipe")), "{command_lines:?}");
    assert!(command_lines.iter().all(|line| !line.contains("remote-debugging-port")), "{command_lines:?}");
    assert!(!profile.join("DevToolsActivePort").exists(), "no DevTools port was written down");
    let (host, port) = (bridge.host_str().unwrap(), bridge.port().unwrap());
    assert_eq!((host, bridge.path().len() > 40), ("127.0.0.1", true), "{bridge}");
    assert!(std::net::TcpStream::connect((host, port)).is_err(), "the bridge stopped listening once connected");
}

#[tokio::test]
async fn a_hung_page_times_out_and_still_leaves_no_process_behind() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    sim.state()
        .set_scenario(Scenario { hang_rate: 1.0, fail_paths: Some("/login".into()), ..Scenario::default() })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("account-2");
    let started = std::time::Instant::now();
    let result = BrowserSession::with(&options(), &profile, async |browser| {
        let page = browser.new_page().await?;
        page.goto(&format!("{}/paccar/login", sim.base_url())).await
    })
    .await;
    assert!(matches!(result, Err(BrowserError::Timeout { .. })), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(20), "a timeout, not a hang");
    assert!(chromium_processes(&profile).is_empty(), "reaped after the error too");
    sim.stop().await.unwrap();
}

#[tokio::test]
async fn a_missing_browser_is_reported_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let options = BrowserOptions { executable: Some(dir.path().join("no-such-chrome")), ..options() };
    let error = BrowserSession::launch(&options, &dir.path().join("p")).await.unwrap_err();
    assert!(matches!(error, BrowserError::Unavailable(_)));
    assert!(error.to_string().contains("install Chromium or set the browser path"), "{error}");
}

/// A page that answers with a file to save (as a hostile or hijacked portal page could) writes
/// nothing on this machine: the sync browser refuses every download.
#[tokio::test]
async fn a_page_that_sends_a_file_gets_no_download() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let name = format!("truckiq-download-{}.bin", std::process::id());
    let header = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
    );
    let served = tokio::spawn(async move {
        for _ in 0..4 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut request = [0u8; 2048];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(header.as_bytes()).await;
        }
    });
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
    let places = [home.join("Downloads").join(&name), home.join(&name)];
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("account-1");
    BrowserSession::with(&options(), &profile, async |browser| {
        let page = browser.new_page().await?;
        // The navigation ends in a download, which Chromium reports as an aborted load.
        let _ = page.goto(&format!("http://{address}/report.bin")).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        page.close().await;
        Ok::<_, BrowserError>(())
    })
    .await
    .unwrap();
    served.abort();
    for place in &places {
        let found = place.exists() || place.with_extension("bin.crdownload").exists();
        let _ = std::fs::remove_file(place);
        assert!(!found, "Chromium saved {}", place.display());
    }
}

/// A 50 MiB page is refused with a clear error before its HTML crosses into TruckIQ, and the
/// browser goes on working.
#[tokio::test]
async fn a_giant_page_is_refused_not_read() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let served = tokio::spawn(async move {
        // A comment: as large as any page, without 50 MiB of layout for Chromium to do.
        let filler = "x".repeat(5 << 20);
        for _ in 0..4 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut request = [0u8; 2048];
            let _ = socket.read(&mut request).await;
            let page = if String::from_utf8_lossy(&request).starts_with("GET /small") {
                "<html><body><p id=ok>small</p></body></html>".to_owned()
            } else {
                // 50 MiB and a little more: ten copies of a 5 MiB block.
                format!("<html><body><p>big</p><!--{}--></body></html>", filler.repeat(10))
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                page.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(page.as_bytes()).await;
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("account-1");
    let slow = BrowserOptions { page_timeout: Duration::from_secs(60), ..options() };
    BrowserSession::with(&slow, &profile, async |browser| {
        let page = browser.new_page().await?;
        page.goto(&format!("http://{address}/giant")).await?;
        let error = page.html().await.unwrap_err();
        assert!(matches!(error, BrowserError::TooLarge(_)), "{error}");
        assert!(error.to_string().contains("larger than 20 MiB"), "{error}");
        page.goto(&format!("http://{address}/small")).await?;
        assert!(page.html().await?.contains("small"), "the next page reads as usual");
        page.close().await;
        Ok::<_, BrowserError>(())
    })
    .await
    .unwrap();
    served.abort();
}
