#!/usr/bin/env bash
# Installs the Debian packages Parasol builds, tests and demos with, if any are missing.
# Uses sudo only when not root; says clearly what to do when neither works.
set -euo pipefail

packages=(liblz4-dev lz4 libnghttp2-dev zlib1g-dev pkgconf dataset-fashion-mnist curl nghttp2-client prometheus)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "error: Parasol needs these Debian packages: ${missing[*]}" >&2
  echo "       this user is not root and cannot use sudo without a password; ask an administrator to run:" >&2
  echo "       apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
