#!/usr/bin/env bash
# Runs the whole test suite: formatting and lints, Rust unit/integration/contract tests
# (with a real Secret Service keychain), UI type check, lint and unit tests, then the
# end-to-end tests against the real app under a virtual display, and an installer smoke test.
# Installs whatever is missing first. Usage: ./scripts/test.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_toolchains
ensure_packages "${APP_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_npm

STARTED=$SECONDS
step() { say "$1 ($((SECONDS - STARTED)) s so far)"; }

# Keep the tests' keychain, WebKit storage and app data out of the user's home.
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
export XDG_DATA_HOME="$SCRATCH/data" XDG_CONFIG_HOME="$SCRATCH/config" XDG_CACHE_HOME="$SCRATCH/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"

step "Rust formatting"
cargo fmt --all --check

step "UI build (the app embeds it)"
npm run build --workspace ui --silent

step "Rust lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests (keychain tests use a real Secret Service on a private session bus)"
# A fresh, unlocked login keyring: an old one with another password would be locked.
dbus-run-session -- bash -c 'echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --locked'

step "Generated TypeScript types are up to date"
if git rev-parse --git-dir >/dev/null 2>&1; then
  if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
    git status --porcelain -- ui/src/bindings
    die "ui/src/bindings changed when the tests regenerated it: commit the regenerated files."
  fi
fi

step "UI type check, lint and unit tests"
npm run typecheck --workspace ui --silent
npm run lint --workspace ui --silent
npm run test --workspace ui --silent

step "Build the app and its installers (debug build, .deb and .rpm)"
npx tauri build --debug --bundles deb,rpm

step "End-to-end tests in the real app (tauri-driver + WebKitWebDriver under Xvfb)"
if ! command -v tauri-driver >/dev/null; then
  say "Installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
mkdir -p target/e2e-screenshots
# The app keeps tokens in the OS keychain: the same private session bus and unlocked
# Secret Service as the Rust tests, inherited by tauri-driver and the app it starts.
dbus-run-session -- bash -c 'echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1400x900x24" node tests/e2e/run.mjs'

step "Installer smoke test: the .deb's app starts and shows its window"
bash scripts/deb-smoke.sh

step "All tests passed"
