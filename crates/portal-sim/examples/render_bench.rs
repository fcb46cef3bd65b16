//! How much server CPU one portal page costs at full fleet size (20 000 trucks).
//!
//! Runs the real `portal-sim` binary as a child process, signs in, fetches list and diagnostics
//! pages of both layouts over HTTP, and reads the child's CPU time from /proc before and after, so
//! the figure is the server's own work (HTTP included), not the client's. Linux only.
//!
//!   cargo build --release -p portal-sim && cargo run --release -p portal-sim --example render_bench
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VEHICLES: usize = 20_000;
const PAGES_PER_KIND: usize = 250;

fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc (Linux only)");
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0 // USER_HZ is 100 on Linux
}

#[tokio::main]
async fn main() {
    let exe = std::env::current_exe().unwrap();
    let binary = exe.parent().unwrap().parent().unwrap().join("portal-sim");
    assert!(binary.exists(), "build the binary first: cargo build --release -p portal-sim");
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .args(["--port", "0", "--vehicles", &VEHICLES.to_string(), "--seed", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).unwrap();
    let base = url.trim().to_owned();
    let startup = started.elapsed();
    let pid = child.id();

    let client = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().unwrap();
    let fleet: serde_json::Value =
        client.get(format!("{base}/__sim/fleet")).send().await.unwrap().json().await.unwrap();
    let vins: Vec<String> =
        fleet["vehicles"].as_array().unwrap().iter().map(|v| v["vin"].as_str().unwrap().to_owned()).collect();
    client
        .post(format!("{base}/paccar/login"))
        .form(&[("email", "demo@truckiq.example"), ("password", "demo-password")])
        .send()
        .await
        .unwrap();
    client
        .post(format!("{base}/decisiv/login"))
        .form(&[("auth_key", "demo"), ("password", "demo-password")])
        .send()
        .await
        .unwrap();
    client.post(format!("{base}/decisiv/policies")).form(&[("accept", "1")]).send().await.unwrap();

    println!("portal-sim render benchmark: {VEHICLES} vehicles, {PAGES_PER_KIND} pages per kind");
    println!("startup (fleet generation + bind): {:.0} ms", startup.as_secs_f64() * 1000.0);
    println!("{:<34} {:>10} {:>14} {:>12}", "page", "requests", "server CPU/req", "wall p95");
    // Each kind names a marker its real page contains, so a redirect to the login page cannot pass.
    type PathFn<'a> = Box<dyn Fn(usize) -> String + 'a>;
    let kinds: [(&str, &str, PathFn<'_>); 4] = [
        (
            "paccar /vehicles?page=N (25 rows)",
            "vehicle-row",
            Box::new(|i| format!("/paccar/vehicles?page={}", 1 + (i * 37) % 800)),
        ),
        (
            "paccar /vehicles/{vin}/diagnostics",
            "fault-list",
            Box::new(|i| format!("/paccar/vehicles/{}/diagnostics", vins[(i * 79) % VEHICLES])),
        ),
        (
            "decisiv /assets?page=N (50 rows)",
            "asset-row",
            Box::new(|i| format!("/decisiv/assets?page={}", 1 + (i * 37) % 400)),
        ),
        (
            "decisiv /assets/{vin}/diagnostics",
            "Diagnostic Trouble Codes",
            Box::new(|i| format!("/decisiv/assets/{}/diagnostics", vins[(i * 83) % VEHICLES])),
        ),
    ];
    let mut worst = 0.0f64;
    for (name, marker, path) in &kinds {
        let cpu_before = cpu_seconds(pid);
        let mut walls = Vec::with_capacity(PAGES_PER_KIND);
        for i in 0..PAGES_PER_KIND {
            let t = Instant::now();
            let response = client.get(format!("{base}{}", path(i))).send().await.unwrap();
            assert!(response.status().is_success(), "{} -> {}", path(i), response.status());
            let body = response.text().await.unwrap();
            assert!(body.contains(marker), "{} did not serve its page (signed out?)", path(i));
            walls.push(t.elapsed());
        }
        let cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000.0 / PAGES_PER_KIND as f64;
        worst = worst.max(cpu_ms);
        walls.sort();
        let p95 = walls[walls.len() * 95 / 100];
        println!("{name:<34} {PAGES_PER_KIND:>10} {cpu_ms:>11.2} ms {:>9.2} ms", p95.as_secs_f64() * 1000.0);
    }
    println!("worst server CPU per page: {worst:.2} ms (target < 5 ms)");
    child.kill().unwrap();
    child.wait().unwrap();
}
