"""The served defaults: what `streamlit run app.py` in the checkout reads from
.streamlit/config.toml, as Streamlit itself parses it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sop_core.limits import MAX_HISTORY_BYTES, MAX_SCENARIO_BYTES

ROOT = Path(__file__).resolve().parent.parent

OPTIONS = (
    "client.showErrorDetails",
    "server.maxUploadSize",
    "server.enableXsrfProtection",
    "server.enableCORS",
    "server.fileWatcherType",
    "runner.postScriptGC",
)


def served_options() -> dict[str, object]:
    code = (
        "import json, streamlit.config as c; "
        f"print(json.dumps({{k: c.get_option(k) for k in {OPTIONS!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_served_defaults_are_the_safe_ones() -> None:
    opts = served_options()
    assert opts["client.showErrorDetails"] == "none"  # no traceback in any browser
    assert opts["server.enableXsrfProtection"] is True
    assert opts["server.enableCORS"] is True
    # kept from before: no file watcher, no full GC after each run
    assert opts["server.fileWatcherType"] == "none"
    assert opts["runner.postScriptGC"] is False
    # the server's upload limit is the app's own: the largest file the core accepts
    limit_mb = opts["server.maxUploadSize"]
    assert limit_mb * 1024 * 1024 == max(MAX_HISTORY_BYTES, MAX_SCENARIO_BYTES)
