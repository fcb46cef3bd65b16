//! What the integration tests that run the `truckiq` binary share.
#![allow(dead_code, reason = "each test file uses the part it needs")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `truckiq args…` with `envs` and `stdin` piped in (secrets never go on the command line).
pub fn truckiq(args: &[&str], envs: &[(&str, &std::ffi::OsStr)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_truckiq"))
        .args(args)
        .env_remove("RUST_LOG")
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the truckiq binary starts");
    child.stdin.take().expect("stdin is piped").write_all(stdin.as_bytes()).expect("stdin takes the input");
    child.wait_with_output().expect("truckiq ends")
}

/// What it printed, both streams, for assertions and failure messages.
pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A well-formed fault the portal listed, as the store tests feed it.
pub fn fault_observation(
    spn: u32,
    fmi: u8,
    active: bool,
    severity: truckiq::j1939::Severity,
) -> truckiq::store::FaultObservation {
    truckiq::store::FaultObservation {
        source_address: 0,
        spn,
        fmi,
        description: Some(format!("SPN {spn}")),
        severity,
        portal_severity_text: Some("Seek Service Immediately".into()),
        portal_severity_score: None,
        derate: false,
        active,
        first_seen: None,
        occurrences: Some(2),
        raw_json: Some("{}".into()),
    }
}
