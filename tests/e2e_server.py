"""The browser tests' shared tools: the workbench served, the browser found, and waits on
the page's *state*.

``serve()`` runs ``streamlit run app.py`` on 127.0.0.1 and a free port, with its own
scenario store, waits until it answers and stops it on exit. ``chromium_path()`` finds the
Chromium to drive: ``SOP_CHROMIUM`` when set (another build, such as Debian's
``chromium-headless-shell``), else Debian's ``chromium`` (Playwright cannot download a
browser here).

Every wait below has a condition: Streamlit's own script state on the app's root element
(``data-test-script-state``: ``running`` while a run is under way, ``notRunning`` once it
has ended), a text on the page, a value in the store, a frame rendered. None waits for a
stretch of time: a faster or slower machine, or another Chromium build, changes how long
a condition takes, never whether it holds. The grid helpers (``edit_cell``,
``grid_tables``) read and write the data grid, which draws on a canvas and keeps an
accessible mirror table of the cells on screen."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 60_000
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
    """The Chromium to drive: ``SOP_CHROMIUM`` when set (it must exist), else Debian's
    chromium binary, or None."""
    chosen = os.environ.get("SOP_CHROMIUM")
    if chosen:
        found = shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
        if found is None:
            raise FileNotFoundError(f"SOP_CHROMIUM={chosen}: no such program")
        return found
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def chromium_version(path: str | None = None) -> str:
    """What the browser says of its own version ("Chromium 156.0.8078.114 …"), or why not."""
    path = path or chromium_path()
    if path is None:
        return "no Chromium found"
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{path}: {exc}"
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    return f"{lines[-1].strip() if lines else 'version unknown'} ({path})"


def chromium_or_skip() -> str:
    """The Chromium to drive; the test is skipped without one (failed under CI)."""
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is missing: run `bash scripts/system_deps.sh`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


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


# --- waiting on the page's state ---------------------------------------------------------

#: True once a script run has ended and none is under way (Streamlit's own marker on the
#: app's root; "initial" before the first run, "running"/"rerunRequested" during one).
SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.dataset.testScriptState === 'notRunning'
    && app.dataset.testConnectionState === 'CONNECTED';
}"""

#: True once every chart on the page has drawn its marks (Vega draws after the run ends).
#: every chart on screen has drawn (one in a tab not shown, or a closed expander, never
#: draws until it is shown)
CHARTS_DRAWN_JS = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]
  .filter(c => c.offsetParent !== null)
  .every(c => c.querySelector('canvas, svg.marks'))"""


def wait_idle(page, timeout: float = TIMEOUT_MS) -> None:
    """Until the page's script run has ended (and at least one has: a page just opened
    reports "initial" until its first run ends). After a click, wait for what the click
    should change as well: its rerun may not have started yet."""
    page.wait_for_function(SETTLED_JS, timeout=timeout)


def next_frame(page) -> None:
    """Until the browser has rendered two more frames: what React was handed (a typed
    value, a redraw) is then on screen and in its components' state."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def charts_drawn(page, count: int = 1) -> None:
    """Until at least ``count`` charts are on the page and every one has drawn."""
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
        ".filter(c => c.offsetParent !== null).length >= n"
        f" && ({CHARTS_DRAWN_JS})()",
        arg=count,
        timeout=TIMEOUT_MS,
    )


def until(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Until ``check()`` holds (polled every 0.25 s); fails naming ``what`` after ``seconds``.
    For state outside the page: the store, a file."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def holds(check: Callable[[], bool], seconds: float = 10) -> bool:
    """Whether ``check()`` holds within ``seconds`` (polled every 0.25 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return check()


# --- reading the page ----------------------------------------------------------------------


def no_exception(page) -> None:
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, exceptions.first.inner_text()


def open_page(page, url: str, ready: str) -> None:
    """Open ``url``, wait for the text ``ready`` and for the run to end; no exception."""
    page.goto(url)
    page.get_by_text(ready).first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    no_exception(page)


def metric(page, label: str) -> str:
    tile = page.get_by_test_id("stMetric").filter(has_text=label).first
    return tile.get_by_test_id("stMetricValue").inner_text()


def number(text: str) -> float:
    """A number as shown ("$1,234", "−5", "12 %") as a float."""
    return float(re.sub(r"[^0-9.\-]", "", text.replace("\u2212", "-")))


def shoot(page, name: str) -> None:
    """Screenshot into artifacts/; ``make screenshots`` also refreshes the README's copies.
    Waits until the page's charts have drawn."""
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep_for_readme(path)


def keep_for_readme(path: Path) -> None:
    """Copy a screenshot to docs/screenshots/ under ``make screenshots``."""
    if os.environ.get("SOP_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / path.name)


#: The cells of the grid's accessible mirror table: (column, row, text) of those on screen.
GRID_CELLS_JS = """g => [...g.querySelectorAll('[data-testid^="glide-cell-"]')]
  .map(c => [c.dataset.testid, c.textContent])"""


def visible_grids(page):
    """The page's data grids on screen, in order (a grid in a closed expander is not one:
    it cannot be read or edited; ``nth(-1)`` is the last one shown)."""
    return page.locator("[data-testid=stDataFrame]:visible")


def grid_tables(page, must_have: str | None = None) -> list:
    """The tables the page's data grids show, as the browser has them (column 0 the index,
    the headers as columns; only the rows and columns on screen: the grid keeps no others).

    With ``must_have``, waits until a grid with that row label is drawn and returns it
    first (each grid is scrolled into view, and its mirror table filled, in turn)."""
    import pandas as pd

    def read(grid) -> pd.DataFrame | None:
        cells = grid.evaluate(GRID_CELLS_JS)
        heads = grid.evaluate(
            """g => [...g.querySelectorAll('[role="columnheader"]')].map(c => c.textContent)"""
        )
        values = {}
        for testid, text in cells:
            col, row = (int(x) for x in testid.split("-")[2:4])
            values[(row, col)] = text
        if not values:
            return None
        rows = max(r for r, _ in values) + 1
        cols = max(c for _, c in values) + 1
        frame = pd.DataFrame([[values.get((r, c), "") for c in range(cols)] for r in range(rows)])
        if len(heads) >= cols:
            frame.columns = heads[:cols]
        return frame.set_index(frame.columns[0])

    wait_idle(page)
    found = visible_grids(page)
    tables = []
    for i in range(found.count()):
        grid = found.nth(i)
        grid.scroll_into_view_if_needed()
        # the mirror table is filled once the grid has drawn the cells now on screen
        grid.locator('[data-testid^="glide-cell-"]').first.wait_for(
            state="attached", timeout=TIMEOUT_MS
        )
        frame = read(grid)
        if frame is None:
            continue
        if must_have is not None and must_have in frame.index:
            return [frame, *tables]
        tables.append(frame)
    if must_have is not None:
        raise AssertionError(f"no grid on the page has a row {must_have!r}")
    return tables


# --- editing a data grid -------------------------------------------------------------------


def select_cell(page, grid: int, row: int, column: int) -> bool:
    """Select a cell of the ``grid``-th data editor (by keyboard: the grid draws on a
    canvas). Clicks its first cell, walks to the cell with the arrow keys and checks,
    through the mirror table (``glide-cell-{column}-{row}``), that it is the one with the
    focus. False when it is not (a redraw swallowed the click): try again."""
    target = f"glide-cell-{column}-{row}"
    wait_idle(page)
    page.keyboard.press("Escape")  # close a half-open editor from a try before
    locator = visible_grids(page).nth(grid)
    locator.wait_for(timeout=TIMEOUT_MS)
    locator.scroll_into_view_if_needed()
    locator.locator('[data-testid^="glide-cell-"]').first.wait_for(
        state="attached", timeout=TIMEOUT_MS
    )
    box = locator.bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + 35 + 17)  # below the header: row 0, column 0
    next_frame(page)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    try:  # the grid moves the focus to the selected cell once it has redrawn
        page.wait_for_function(
            "t => document.activeElement?.dataset?.testid === t", arg=target, timeout=5000
        )
    except PlaywrightTimeout:
        return False
    return True


def paste_cell(page, grid: int, row: int, column: int, value: str) -> None:
    """Put ``value`` into a data-editor cell as a paste: the cell selected, the value on
    the clipboard, Ctrl+V. One edit, committed at once: no editor overlay whose typed
    value must be taken before it is committed. (The browser context needs the
    clipboard permissions: :func:`new_context`.)"""
    for _ in range(4):
        if not select_cell(page, grid, row, column):
            continue
        page.evaluate("v => navigator.clipboard.writeText(v)", value)
        page.keyboard.press("ControlOrMeta+v")
        return
    raise AssertionError(f"could not select cell ({row}, {column}) of grid {grid}")


def type_cell(page, grid: int, row: int, column: int, value: str) -> None:
    """Type ``value`` into a data-editor cell the way a person does: Enter opens the
    cell's editor, the value is typed, Enter commits it. The commit waits until the editor
    holds the typed value and the browser has rendered it (a number editor takes the
    typed text into its state a frame later; Enter before then commits the old value)."""
    editor = page.locator("#portal .gdg-input:not([disabled])")
    for _ in range(4):
        if not select_cell(page, grid, row, column):
            continue
        page.keyboard.press("Enter")
        try:
            editor.first.wait_for(state="visible", timeout=5000)
        except PlaywrightTimeout:
            continue
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(value)
        try:
            page.wait_for_function(
                "v => document.querySelector('#portal .gdg-input')?.value === v",
                arg=value,
                timeout=5000,
            )
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        next_frame(page)
        page.keyboard.press("Enter")
        return
    raise AssertionError(f"could not open cell ({row}, {column}) of grid {grid} for editing")


def edit_until(
    page,
    grid: int,
    row: int,
    column: int,
    value: str,
    saved: Callable[[], bool],
    typed: bool = False,
) -> None:
    """Edit a cell (pasted, or ``typed`` as a person does) until ``saved()`` says the
    store has the value: at most 3 tries, each read back from the store."""
    edit = type_cell if typed else paste_cell
    for _ in range(3):
        edit(page, grid, row, column, value)
        wait_idle(page)
        if holds(saved):
            return
    alerts = [a.inner_text() for a in page.get_by_test_id("stAlert").all()]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "edit-not-saved.png"), full_page=True)
    raise AssertionError(f"the edit to {value} was not saved; the page says {alerts}")


def new_context(browser, width: int = 1440, height: int = 900, downloads: bool = False):
    """A fresh browser context (no cookies) that may use the clipboard (grid pastes)."""
    return browser.new_context(
        viewport={"width": width, "height": height},
        accept_downloads=downloads,
        permissions=["clipboard-read", "clipboard-write"],
    )


# --- signed-in people: an OpenID Connect provider on loopback and the app behind it -----

PEOPLE = {
    "ana@acme.example": ("Ana Demand", "demand planner"),
    "sam@acme.example": ("Sam Supply", "supply planner"),
    "fay@acme.example": ("Fay Finance", "finance"),
    "eve@acme.example": ("Eve Exec", "executive"),
    "al@acme.example": ("Al Admin", "admin"),
    "pat@acme.example": ("Pat Product", "product developer"),
}


@pytest.fixture(scope="module")
def provider():
    oidc = pytest.importorskip("oidc_provider_mock")
    with oidc.run_server_in_thread() as server:
        base = f"http://localhost:{server.server_port}"
        for email, (name, _) in PEOPLE.items():
            request = urllib.request.Request(
                f"{base}/users/{quote(email)}",
                data=json.dumps({"email": email, "name": name}).encode(),
                headers={"Content-Type": "application/json"},
                method="PUT",
            )
            with urllib.request.urlopen(request, timeout=10) as r:
                assert r.status == 204
        yield base


@pytest.fixture(scope="module")
def team_server(provider, tmp_path_factory):
    """The app served with sign-in through ``provider`` and the role file of ``PEOPLE``:
    (its URL, its store's URL)."""
    chromium_or_skip()
    home = tmp_path_factory.mktemp("access")
    port = free_port()
    secrets = home / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-test-secret-0123456789"\n'
        'client_id = "sop-workbench"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    roles = home / "roles.toml"
    roles.write_text(
        "[roles]\n" + "".join(f'"{email}" = ["{role}"]\n' for email, (_, role) in PEOPLE.items()),
        encoding="utf-8",
    )
    db = f"sqlite:///{home / 'store.sqlite'}"
    env = {"SOP_DATABASE_URL": db, "SOP_ROLES_FILE": str(roles)}
    with serve(env=env, port=port, args=["--secrets.files", str(secrets)]) as url:
        yield url, db


def sign_in(browser, base: str, email: str, downloads: bool = False):
    """A new browser context signed in as ``email`` through the provider's form."""
    context = new_context(browser, downloads=downloads)
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").wait_for(timeout=TIMEOUT_MS)
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**", timeout=TIMEOUT_MS)
    name, role = PEOPLE[email]
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(name).first.wait_for(timeout=TIMEOUT_MS)
    assert f"Roles: {role}" in sidebar.inner_text()
    wait_idle(page)
    no_exception(page)
    return page


# --- presentation mode: what a 1280×720 projector must show whole ---------------------

#: What presentation mode must show on a 1280×720 projector, without scrolling.
DECISION_VIEW = (
    "h1",
    "[data-testid=stCaptionContainer]",
    "[data-testid=stMetric]",
    "[data-testid=stVegaLiteChart]",
    "[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg.marks",
    "[data-testid=stDataFrame]",
    "a[href='executive']",
)


def presentation_styled(page) -> None:
    """Until presentation mode's style is on the page (the header hidden, large tiles):
    the layout it sets is what the check measures. One run of the suite measured a page
    drawn before its style had been applied (the header and the normal paddings), in a
    run beside other work on the machine."""
    page.wait_for_function(
        """() => {
            const header = document.querySelector('[data-testid=stHeader]');
            return !header || getComputedStyle(header).display === 'none';
        }""",
        timeout=TIMEOUT_MS,
    )


#: tile labels and values, and button labels, that do not fit: cut or ending in "…"
CUT_TEXT_JS = """() => [...document.querySelectorAll(
    '[data-testid=stMetricLabel] *, [data-testid=stMetricValue], [data-testid=stButton] p')]
  .filter(e => (e.textContent || '').includes('…') || e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent)"""


def check_presentation_fits(browser, app_url: str, shot: str) -> None:
    context = new_context(browser, 1280, 720)
    page = context.new_page()
    try:
        open_page(
            page, app_url + "/executive?present=1&safety_months=1", "What-ifs vs the baseline"
        )
        presentation_styled(page)
        charts_drawn(page, 2)
        shoot(page, shot)
        found = page.evaluate(
            """(selectors) => selectors.map(s => [s, [...document.querySelectorAll(s)].map(e => {
                const r = e.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom];
            })])""",
            list(DECISION_VIEW),
        )
        for selector, rects in found:
            assert rects, f"nothing of {selector} on the page"
            for left, top, right, bottom in rects:
                assert left >= 0 and top >= 0, (selector, left, top)
                assert right <= 1280 and bottom <= 720, (selector, right, bottom)
        scroll = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=stMain]');"
            " return [m.scrollHeight, m.clientHeight, document.documentElement.scrollHeight]; }"
        )
        assert scroll[0] <= scroll[1] and scroll[2] <= 720, f"the page scrolls: {scroll}"
        # no blank header over the title
        assert page.evaluate(
            "() => { const h = document.querySelector('[data-testid=stHeader]');"
            " return !h || h.getBoundingClientRect().height === 0; }"
        )
        # every KPI value and label whole: no "…", nothing wider than its tile
        cut = page.evaluate(
            """() => [...document.querySelectorAll(
                '[data-testid=stMetricValue], [data-testid=stMetricValue] *,'
                + ' [data-testid=stMetricLabel], [data-testid=stMetricLabel] *')]
              .filter(e => (e.textContent || '').includes('…') || e.scrollWidth > e.clientWidth + 1)
              .map(e => e.textContent)"""
        )
        assert cut == [], f"cut KPI text: {cut}"
        values = [v.inner_text() for v in page.get_by_test_id("stMetricValue").all()]
        assert len(values) == 5 and values[0].startswith("$")
    finally:
        context.close()


def choose_option(page, box: str, option: str, tries: int = 3, exact: bool = True) -> None:
    """Pick ``option`` in the select box labelled ``box`` (``exact=False``: the first
    option whose name holds it, e.g. "Point 7:"); the list is opened again when a rerun
    redrew the page under the first click."""
    for _ in range(tries):
        page.get_by_label(box, exact=True).click()
        try:
            page.get_by_role("option", name=option, exact=exact).first.click(timeout=5000)
            wait_idle(page)
            return
        except Exception:  # the list closed under the click: open it again
            wait_idle(page)
    raise AssertionError(f"could not choose {option!r} in {box!r}")
