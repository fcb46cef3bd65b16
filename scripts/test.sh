#!/usr/bin/env bash
# Sets up and runs every test: Rust (unit, integration, lint, format), the UI's unit tests, the UI in
# headless Chromium, the real desktop app through WebDriver under Xvfb, and last the release packages:
# built, checked, installed with apt, the installed app driven through WebDriver, and removed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never NO_AT_BRIDGE=1

step() { printf '\n==> %s\n' "$*"; }

step "bootstrap"
bash scripts/bootstrap.sh test

step "UI build (type check + bundle)"
npm run build -w ui

step "cargo fmt --check"
cargo fmt --all -- --check

step "the core builds without the simulator and the CLI (--no-default-features)"
cargo check -p truckiq --no-default-features
if cargo tree -p truckiq --no-default-features -e normal --prefix none | grep -E '^(axum|axum-server|rustls|maud|clap|indicatif|rpassword|comfy-table) '; then
    echo "the core without features must not depend on the crates above" >&2
    exit 1
fi

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (under Xvfb, in a private D-Bus session with gnome-keyring)"
xvfb-run -a -s "-screen 0 1400x900x24" bash scripts/with-keyring.sh cargo test --workspace

step "UI unit tests"
npm test -w ui

step "UI end-to-end in headless Chromium"
npm run test:ui -w tests

step "desktop app through WebDriver (Xvfb, private D-Bus session with gnome-keyring)"
cargo build -p truckiq-desktop -p truckiq -p portal-sim
TRUCKIQ_APP_BIN="$PWD/target/debug/truckiq-desktop" \
    xvfb-run -a -s "-screen 0 1400x900x24" bash scripts/with-keyring.sh npm run test:app -w tests

step "the .deb and .rpm: built in release, checked, installed, smoke-tested, removed"
bash scripts/test-package.sh
