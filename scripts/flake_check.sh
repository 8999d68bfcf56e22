#!/usr/bin/env bash
# The flake check: every browser-test module run RUNS times in a row (default 3), each run
# a fresh pytest process with its own servers and store; a module that fails once fails
# the check. Then once more on every other Chromium build found (SOP_EXTRA_CHROMIUMS, a
# space-separated list; default: Debian's chromium-headless-shell when installed).
# Usage: scripts/flake_check.sh [module ...]
# (default: tests/test_e2e_*.py and tests/test_two_app_processes.py, every module with a browser)
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
RUNS="${RUNS:-3}"
modules=("$@")
[ ${#modules[@]} -eq 0 ] && modules=(tests/test_e2e_*.py tests/test_two_app_processes.py)
extra="${SOP_EXTRA_CHROMIUMS-$(command -v chromium-headless-shell || true)}"

failed=()
passes=0
run() {  # run LABEL MODULE [env...]
  local label=$1 module=$2
  shift 2
  if env "$@" "$PY" -m pytest -q -p no:cacheprovider "$module" >"/tmp/flake.$$.log" 2>&1; then
    passes=$((passes + 1))
    echo "flake check: $label $module: $(tail -n 1 "/tmp/flake.$$.log")"
  else
    failed+=("$label $module")
    echo "flake check: $label $module FAILED:"
    tail -n 40 "/tmp/flake.$$.log"
  fi
}

echo "flake check: browser $("$PY" -c 'import sys; sys.path.insert(0, "tests"); from e2e_server import chromium_version; print(chromium_version())')"
for module in "${modules[@]}"; do
  for i in $(seq "$RUNS"); do
    run "run $i/$RUNS" "$module"
  done
done
for browser in $extra; do
  echo "flake check: browser $(SOP_CHROMIUM="$browser" "$PY" -c 'import sys; sys.path.insert(0, "tests"); from e2e_server import chromium_version; print(chromium_version())')"
  for module in "${modules[@]}"; do
    run "on $(basename "$browser")" "$module" SOP_CHROMIUM="$browser"
  done
done
rm -f "/tmp/flake.$$.log"
echo "flake: ${passes} passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'flake check: failed: %s\n' "${failed[@]}"
  exit 1
fi
