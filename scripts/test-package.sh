#!/usr/bin/env bash
# The packages as a person gets them: builds the .deb and .rpm (scripts/package.sh), checks what
# they declare and hold, installs the .deb with apt, runs `truckiq --version` and the WebDriver
# smoke test against the installed /usr/bin/truckiq-desktop, and uninstalls it again.
# Needs root or sudo, Xvfb and tauri-driver (bootstrap.sh test). `--no-build` checks the packages
# already in target/release/bundle instead of building them again.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
fail() { echo "test-package: $*" >&2; exit 1; }

[ "${1:-}" = --no-build ] || bash scripts/package.sh
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
rpm_file=$(ls -t target/release/bundle/rpm/*.rpm | head -1)
version=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="truckiq"))')

echo "== $deb"
dpkg-deb --info "$deb"
control=$(dpkg-deb --field "$deb" Package Version Depends Recommends)
package=$(dpkg-deb --field "$deb" Package)
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || fail "the .deb is not version $version"
grep -q 'Depends:.*chromium | chromium-browser | google-chrome-stable' <<<"$control" || fail "the .deb does not depend on a Chromium"
grep -q 'Depends:.*libwebkit2gtk-4.1' <<<"$control" || fail "the .deb does not depend on WebKitGTK"
grep -q 'Depends:.*appindicator' <<<"$control" || fail "the .deb does not depend on an appindicator library"
grep -q 'Recommends:.*gnome-keyring | kwalletmanager' <<<"$control" || fail "the .deb does not recommend a Secret Service"
deb_files=$(dpkg-deb --contents "$deb")
# dpkg-deb lists paths relative to the root, with or without a leading "./" depending on the builder.
for path in usr/bin/truckiq-desktop usr/bin/truckiq usr/share/applications/TruckIQ.desktop; do
    grep -Eq " (\./)?$path\$" <<<"$deb_files" || fail "the .deb lacks /$path"
done

echo "== $rpm_file"
rpm -qip "$rpm_file"
rpm_files=$(rpm -qlp "$rpm_file")
for path in /usr/bin/truckiq-desktop /usr/bin/truckiq /usr/share/applications/TruckIQ.desktop; do
    grep -qx "$path" <<<"$rpm_files" || fail "the .rpm lacks $path"
done
[ "$(rpm -qp --queryformat '%{VERSION}' "$rpm_file")" = "$version" ] || fail "the .rpm is not version $version"
rpm -qp --requires "$rpm_file" | grep -q 'chromium' || fail "the .rpm does not require a Chromium"

echo "== installing $deb"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "./$deb" >/dev/null
trap '"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$package" >/dev/null' EXIT

[ "$(/usr/bin/truckiq --version)" = "truckiq $version" ] || fail "/usr/bin/truckiq --version says: $(/usr/bin/truckiq --version)"
desktop=/usr/share/applications/TruckIQ.desktop
grep -qx 'Name=TruckIQ' "$desktop" || fail "$desktop has no Name=TruckIQ"
grep -qx 'Exec=truckiq-desktop %u' "$desktop" || fail "$desktop does not start truckiq-desktop with the link it opens"
grep -q '^MimeType=.*x-scheme-handler/truckiq' "$desktop" || fail "$desktop does not claim truckiq:// links"
icon=$(sed -n 's/^Icon=//p' "$desktop")
ls /usr/share/icons/hicolor/*/apps/"$icon".png >/dev/null || fail "no icon $icon installed"

echo "== the installed app through WebDriver"
(cd tests && TRUCKIQ_APP_BIN=/usr/bin/truckiq-desktop \
    xvfb-run -a -s "-screen 0 1400x900x24" bash ../scripts/with-keyring.sh node --test app/smoke.test.mjs)

"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$package" >/dev/null
trap - EXIT
[ ! -e /usr/bin/truckiq-desktop ] && [ ! -e /usr/bin/truckiq ] || fail "uninstalling left the binaries behind"
echo "test-package: ok ($package $version)"
