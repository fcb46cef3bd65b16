#!/usr/bin/env bash
# Installs what TruckIQ needs on Debian 12, idempotently: a second run changes nothing and takes seconds.
#   bash scripts/bootstrap.sh app    build and run the desktop app
#   bash scripts/bootstrap.sh test   also everything the test suites use (Chromium, Xvfb, WebDriver, keyring)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-app}
case "$mode" in app|test) ;; *) echo "usage: $0 [app|test]" >&2; exit 2 ;; esac

# The app syncs through Chromium; the keyring and D-Bus let the demo fleet run without a desktop keyring.
build_packages=(build-essential pkg-config curl wget file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
                libayatana-appindicator3-dev librsvg2-dev chromium gnome-keyring dbus-daemon)
# python3 and procps: the app tests close the window as a window manager would (tests/support/close-window.py)
# and find the app's WebKit processes with pgrep. poppler-utils: the UI tests read the printed fault
# brief's PDF (pdftotext) and turn it into a picture to look at (pdftoppm).
test_packages=(xvfb rpm xdotool webkit2gtk-driver dbus-x11 libsecret-1-dev notification-daemon python3 procps poppler-utils)
packages=("${build_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "bootstrap: cargo not found; install Rust (https://rustup.rs) first" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
    echo "bootstrap: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
fi

# npm ci only when package-lock.json changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.bootstrap-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
    echo "bootstrap: installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_hash" > node_modules/.bootstrap-lock-hash
fi

if [ "$mode" = test ] && ! command -v tauri-driver >/dev/null; then
    echo "bootstrap: installing tauri-driver"
    cargo install tauri-driver@^2 --locked --quiet
fi
