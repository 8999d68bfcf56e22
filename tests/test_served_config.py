"""The served defaults: what `streamlit run app.py` in the checkout reads from
.streamlit/config.toml, as Streamlit itself parses it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sop_core.base.limits import MAX_HISTORY_BYTES, MAX_SCENARIO_BYTES

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


def serve_script(tmp_path: Path, secrets: str | None, **env: str) -> subprocess.CompletedProcess:
    path = tmp_path / "secrets.toml"
    if secrets is not None:
        path.write_text(secrets, encoding="utf-8")
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "SOP_SECRETS": str(path), "SOP_SERVE_DRY_RUN": "1", **env},
    )


def test_make_serve_refuses_to_serve_without_sign_in(tmp_path: Path) -> None:
    for secrets in (None, '[connections]\nurl = "x"\n'):
        out = serve_script(tmp_path, secrets)
        assert out.returncode == 2
        assert "no [auth] section" in out.stderr
    out = serve_script(tmp_path, None, SOP_ALLOW_NO_SIGN_IN="1")
    assert out.returncode == 0 and "WITHOUT sign-in" in out.stderr


def test_make_serve_states_the_address_and_the_safe_settings(tmp_path: Path) -> None:
    out = serve_script(
        tmp_path, '[auth]\nredirect_uri = "x"\n', SOP_ADDRESS="10.0.0.5", SOP_PORT="8600"
    )
    assert out.returncode == 0, out.stderr
    words = out.stdout.split()
    option = {words[i]: words[i + 1] for i in range(len(words) - 1) if words[i].startswith("--")}
    assert option["--server.address"] == "10.0.0.5" and option["--server.port"] == "8600"
    assert option["--client.showErrorDetails"] == "none"
    assert option["--server.maxUploadSize"] == str(MAX_HISTORY_BYTES // 2**20)
    assert option["--server.enableXsrfProtection"] == "true"
    assert option["--secrets.files"] == str(tmp_path / "secrets.toml")
