#!/usr/bin/env bash
# Launches the desktop app against the built-in Sandbox (demo clinics, clients and pets),
# installing whatever is missing first. Usage: ./scripts/run-app.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_toolchains
ensure_packages "${APP_PACKAGES[@]}"
ensure_npm
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no display found: run this from a desktop session (or set DISPLAY, e.g. under Xvfb)."
fi
say "Starting PH Client Import (Sandbox). The first build takes several minutes; later ones seconds."
exec npm run tauri dev
