#!/usr/bin/env sh
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (Secret Service), so the
# keychain tests talk to a real keyring on a headless machine. See ENVIRONMENT.md of the project's shared notes.
set -eu
if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
  echo "with-keyring: dbus-run-session or gnome-keyring-daemon is missing (apt install dbus gnome-keyring)" >&2
  exit 3
fi
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
mkdir -p "$keyring_home/data"
env -u XDG_RUNTIME_DIR HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/data" \
  dbus-run-session -- sh -c 'eval "$(printf %s test-keyring-password | gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; exec "$@"' sh "$@"
