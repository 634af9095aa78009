#!/usr/bin/env bash
# Installs the system packages Cambio's tests and simnet need (Debian): litecoind, and Xvfb for
# screenshots. Uses sudo when not root; says clearly what to do when neither is possible.
set -euo pipefail
need=()
command -v litecoind >/dev/null 2>&1 || need+=(litecoind)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "Cambio needs these Debian packages: ${need[*]}" >&2
  echo "Install them as root: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
