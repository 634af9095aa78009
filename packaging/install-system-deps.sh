#!/usr/bin/env bash
# Installs the Debian packages Cambio needs beyond Python: litecoind (regtest chains for the
# simnet and the tests), Xvfb (screenshots), the X11/EGL libraries Qt's xcb plugin loads and
# fonts: DejaVu for Latin text and figures, WenQuanYi Micro Hei (1.6 MB) for 简体中文.
# Uses sudo when not root; says clearly what to do when neither is possible.
set -euo pipefail
wanted=(litecoind xvfb xauth libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
        libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
        libxcb-cursor0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core
        fonts-wqy-microhei)
need=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
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
echo "Installing from Debian's packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
