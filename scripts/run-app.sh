#!/usr/bin/env bash
# Sets up and runs the TruckIQ desktop app (needs a graphical session).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh app
npm run build -w ui
cargo build -p truckiq -p truckiq-desktop
# With no account yet, load the demo fleet: a simulated portal synced once, so there is data to see.
# Without a desktop keyring (e.g. under xvfb-run) its throwaway password goes to a temporary one.
db=$(./target/debug/truckiq db-path)
./target/debug/truckiq --db "$db" demo --if-empty 2>/dev/null \
    || bash scripts/with-keyring.sh ./target/debug/truckiq --db "$db" demo --if-empty \
    || echo "run-app: the demo fleet could not be loaded; the app opens without it" >&2
exec ./target/debug/truckiq-desktop
