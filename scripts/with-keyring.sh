#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring, so keychain
# tests use the real Secret Service without touching anyone's own keyring.
#   bash scripts/with-keyring.sh cargo test --workspace
set -euo pipefail
if [ -z "${TRUCKIQ_KEYRING_SESSION:-}" ]; then
    export TRUCKIQ_KEYRING_SESSION=1
    exec dbus-run-session -- bash "$0" "$@"
fi
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# --unlock reads the new keyring's password from stdin; without it every call fails.
eval "$(printf 'truckiq-test-keyring' | gnome-keyring-daemon --daemonize --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"
