//! The simulator as a server: loopback only, a free port on request, a clean stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portal_sim::{SimConfig, Simulator};

#[tokio::test]
async fn port_zero_binds_a_free_loopback_port_and_answers() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    assert!(sim.addr().ip().is_loopback());
    assert_ne!(sim.addr().port(), 0);
    let health: serde_json::Value =
        reqwest::get(format!("{}/__sim/health", sim.base_url())).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");

    let url = sim.base_url();
    sim.stop().await.unwrap();
    assert!(reqwest::get(format!("{url}/__sim/health")).await.is_err(), "stopped server still answers");
}

#[test]
fn the_binary_prints_its_base_url() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal-sim"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let url = line.trim();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
}
