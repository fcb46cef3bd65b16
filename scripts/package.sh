#!/usr/bin/env bash
# Builds the installable packages from a clean clone: a .deb and an .rpm holding the desktop app
# (/usr/bin/truckiq-desktop) and the CLI (/usr/bin/truckiq), in target/release/bundle/{deb,rpm}.
# `tauri build` builds the UI first (beforeBuildCommand), so a stale ui/dist is never packaged.
# No AppImage: its bundler step downloads tools from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

bash scripts/bootstrap.sh app
# The CLI first: both packages copy target/release/truckiq (bundle.linux.*.files).
cargo build --release --locked -p truckiq --bin truckiq
npm run tauri -- build --bundles deb,rpm -- --locked
ls -1 target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm
