# Shared by run-app.sh and test.sh: make sure what the app and the tests need is installed.
# Sourced, not run. Installs only what is missing, so a second run costs seconds.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian/Ubuntu packages: what building and running the app needs, and what the tests add
# (a virtual display, the WebKit WebDriver, a Secret Service keychain and a session bus).
APP_PACKAGES=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev file)
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver gnome-keyring dbus dbus-x11 libsecret-tools rpm git xdotool imagemagick strace)

ensure_packages() {
  local missing=()
  command -v dpkg-query >/dev/null || { say "Not a Debian-like system: install the equivalents of: $*"; return 0; }
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing system packages: ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing system packages. Run this once, then try again:
    sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
}

ensure_toolchains() {
  command -v cargo >/dev/null || die "Rust is not installed: see https://rustup.rs, then try again."
  command -v npm >/dev/null || die "Node.js (20.19 or newer) is not installed: install it, then try again."
}

ensure_npm() {
  # `npm install` follows package-lock.json's exact versions. (`npm ci` would be stricter, but
  # npm 11 leaves other platforms' optional Tauri CLI binaries out of the lock file and then
  # refuses it as out of sync.) Skipped when the lock file has not changed since the last install.
  local stamp="node_modules/.ph-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    say "Installing npm packages"
    npm install --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
}
