#!/usr/bin/env bash
# `make serve`: the workbench served to a team, with the safe settings stated on the
# command line (they win over any config file):
#   - sign-in required: refuses to start unless a secrets file has an [auth] section
#     (set SOP_ALLOW_NO_SIGN_IN=1 to serve local single-user mode on purpose);
#   - bound to a stated address and port: SOP_ADDRESS (default 127.0.0.1, for a TLS
#     reverse proxy in front) and SOP_PORT (default 8501);
#   - no error details in browsers, the app's own 20 MB upload limit, XSRF and CORS
#     protection on, headless, no usage statistics.
# SOP_SECRETS names the secrets file (default .streamlit/secrets.toml), SOP_ROLES_FILE
# the role file (default .streamlit/roles.toml), SOP_DATABASE_URL the store.
# SOP_SERVE_DRY_RUN=1 prints the command instead of running it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
secrets="${SOP_SECRETS:-.streamlit/secrets.toml}"
address="${SOP_ADDRESS:-127.0.0.1}"
port="${SOP_PORT:-8501}"

if ! grep -Eq '^\s*\[auth(\.[A-Za-z0-9_-]+)?\]' "$secrets" 2>/dev/null; then
  if [[ "${SOP_ALLOW_NO_SIGN_IN:-}" != "1" ]]; then
    echo "make serve: no [auth] section in $secrets, so nobody would have to sign in." >&2
    echo "Configure a sign-in provider (README, 'Sign-in, roles and the audit trail')," >&2
    echo "or set SOP_ALLOW_NO_SIGN_IN=1 to serve single-user mode on purpose." >&2
    exit 2
  fi
  echo "make serve: serving WITHOUT sign-in (SOP_ALLOW_NO_SIGN_IN=1)." >&2
fi

cmd=(
  "$PY" -m streamlit run app.py
  --server.address "$address"
  --server.port "$port"
  --server.headless true
  --server.maxUploadSize 20
  --server.enableXsrfProtection true
  --server.enableCORS true
  --client.showErrorDetails none
  --client.toolbarMode minimal
  --browser.gatherUsageStats false
  --secrets.files "$secrets"
)
if [[ "${SOP_SERVE_DRY_RUN:-}" == "1" ]]; then
  printf '%q ' "${cmd[@]}"
  echo
  exit 0
fi
echo "Serving the S&OP workbench on http://$address:$port (secrets: $secrets)" >&2
exec "${cmd[@]}"
