#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a command inside a private D-Bus session with a real, unlocked GNOME Keyring (PLATFORM-NOTES.md): HOME and
# the XDG folders in a fresh temporary folder, gnome-keyring-daemon unlocked with a password on its standard input
# (an empty one would not create the login collection). The daemon is stopped and the folder removed afterwards.
#   run-with-keyring.sh COMMAND [ARGS...]
set -eu
tmp=$(mktemp -d "${TMPDIR:-/tmp}/petforce-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/data" XDG_CONFIG_HOME="$tmp/home/config" \
  XDG_CACHE_HOME="$tmp/home/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY

dbus-run-session -- sh -c '
  printf "petforce-test" | gnome-keyring-daemon --foreground --unlock --components=secrets >"$XDG_RUNTIME_DIR/keyring.log" 2>&1 &
  daemon=$!
  # Wait (at most 10 s) for the Secret Service name to appear on the bus.
  tries=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
          string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
      echo "gnome-keyring-daemon did not start:" >&2
      cat "$XDG_RUNTIME_DIR/keyring.log" >&2
      kill "$daemon" 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
  status=0
  "$@" || status=$?
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  exit "$status"
' sh "$@"
