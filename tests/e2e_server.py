"""Start and stop the workbench for the end-to-end tests and the UI latency benchmark.

``serve()`` runs ``streamlit run app.py`` on 127.0.0.1 and a free port, with its own
scenario store, waits until it answers and stops it on exit. ``chromium_path()`` finds
Debian's Chromium (Playwright cannot download a browser here)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's chromium binary, or None."""
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    root: Path = ROOT,
    port: int | None = None,
    args: list[str] | None = None,
) -> Iterator[str]:
    """The app's base URL while a Streamlit server runs it (stopped on exit).

    ``root`` is the checkout to serve (another version's, for a benchmark's baseline);
    ``port`` a port chosen beforehand (default: a free one); ``args`` more options of
    ``streamlit run`` (e.g. ``--secrets.files``)."""
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="sop-e2e-") as tmp:
        environ = {
            **os.environ,
            "SOP_DATABASE_URL": f"sqlite:///{Path(tmp) / 'store.sqlite'}",
            "PYTHONPATH": str(root),
            **(env or {}),
        }
        log = open(Path(tmp) / "streamlit.log", "w+b")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(root / "app.py"),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                *(args or []),
            ],
            cwd=root,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"streamlit exited: {log.read().decode()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer on {url} within {timeout} s")
                time.sleep(0.2)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log.close()
