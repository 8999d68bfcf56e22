#!/usr/bin/env bash
# Installs the system programs the tests drive for real: Debian's Chromium (end-to-end
# tests through Playwright), its headless shell (a second Chromium build, the kind
# Playwright drives by default: `make flake` runs the browser tests on it too) and
# PostgreSQL (the scenario store's second backend).
# Idempotent: does nothing when all are present. Needs root (or sudo) to install.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromium-headless-shell >/dev/null 2>&1 || need+=(chromium-headless-shell)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0

echo "system_deps: installing ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "system_deps: ${need[*]} missing and no root rights; install them with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
