#!/usr/bin/env bash
# Installer smoke test: unpack the freshly built .deb (no root needed, nothing installed
# system-wide), start the app it contains under a virtual display, and check that its
# window appears. Leaves a screenshot in target/e2e-screenshots/installed-deb.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Cargo (and so the bundler) writes where CARGO_TARGET_DIR says, when it is set.
T="${CARGO_TARGET_DIR:-target}"
deb="$(ls -t "$T"/debug/bundle/deb/*.deb "$T"/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)"
[ -n "$deb" ] || { echo "error: no .deb found: build one with 'npx tauri build --bundles deb'" >&2; exit 1; }
echo "Checking $deb"
dpkg-deb --field "$deb" Package Version Depends

unpacked="$(mktemp -d)"
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
app="$unpacked/usr/bin/ph-client-import"
[ -x "$app" ] || { echo "error: the .deb has no /usr/bin/ph-client-import" >&2; exit 1; }
[ -f "$unpacked/usr/share/applications/PH Client Import.desktop" ] || ls "$unpacked/usr/share/applications"

mkdir -p target/e2e-screenshots
shot="$ROOT/target/e2e-screenshots/installed-deb.png"
APP="$app" SHOT="$shot" xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
  "$APP" >/dev/null 2>&1 & pid=$!
  for _ in $(seq 1 60); do
    if xdotool search --name "^PH Client Import$" >/dev/null 2>&1; then
      sleep 3; import -window root "$SHOT"; kill $pid; echo "the installed app opened its window"; exit 0
    fi
    kill -0 $pid 2>/dev/null || { echo "error: the installed app exited early" >&2; exit 1; }
    sleep 0.5
  done
  kill $pid; echo "error: no window titled \"PH Client Import\" within 30 s" >&2; exit 1'
