#!/usr/bin/env bash
# Sets up and runs the TruckIQ desktop app (needs a graphical session).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh app
npm run build -w ui
cargo build -p truckiq-desktop
exec ./target/debug/truckiq-desktop
