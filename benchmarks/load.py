"""Many planners at once: N concurrent sessions on the Plan page, each moving a slider.

    .venv/bin/python benchmarks/load.py [--sessions 1,5,10,20] [--moves 10] [--think 0.3]
        [--baseline-ref REV]

Protocol-level sessions: each speaks Streamlit's own WebSocket protocol (the protobuf
messages a browser sends and receives), so the 2 cores go to the server, not to 20
browsers drawing charts; ``benchmarks/ui_latency.py`` measures the browser's share for
one session. For each N, on one server (warmed up by one visit first):

- first render: from a session's first request to the end of its first full run (the
  Plan page with its tiles and chart data), all N sessions starting together;
- move: from a slider value sent (the overtime lever, inside the page's fragment) to the
  end of the fragment's rerun with the new "Total cost" tile; each session makes
  ``--moves`` moves, ``--think`` seconds apart (at random, up to that);
- errors: exceptions shown, runs that did not finish, moves that did not change the tile;
- server CPU: the server process's CPU time over the phase, as cores used on average and
  as CPU milliseconds per move (the server's own share, whatever the clients cost).

The first row is the baseline of the same run: N = 1, or with ``--baseline-ref REV`` the
same load on git revision REV's code, measured first on its own server. Targets at
N = 20: p95 move < 1 s, median first render < 5 s, no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (a dependency of distributed)
import websockets  # noqa: E402  (a dependency of Streamlit's server)
from e2e_server import serve  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

FINISHED = (
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
)
SLIDER = "Max overtime"
TILE = "Total cost"
TIMEOUT = 120.0


@dataclass
class Session:
    first_render: float | None = None
    moves: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0


class Client:
    """One browser tab's side of the protocol: run the page, move a slider."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.slider: tuple[str, str] | None = None  # widget id, fragment id
        self.tile: str | None = None
        self.errors: list[str] = []

    async def run(self, msg: BackMsg) -> None:
        """Send ``msg`` and read until its script run finishes."""
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), TIMEOUT)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                what = el.WhichOneof("type")
                if what == "slider" and el.slider.label.startswith(SLIDER):
                    self.slider = (el.slider.id, fm.delta.fragment_id)
                elif what == "metric" and el.metric.label == TILE:
                    self.tile = el.metric.body
                elif what == "exception":
                    self.errors.append(f"{el.exception.type}: {el.exception.message[:80]}")
            elif kind == "script_finished" and fm.script_finished in FINISHED:
                return

    async def open_page(self) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        msg.rerun_script.page_name = "plan"  # /plan: the home page is the Cycle page
        await self.run(msg)

    async def move(self, value: float) -> None:
        assert self.slider is not None, "no overtime slider on the page"
        widget_id, fragment_id = self.slider
        msg = BackMsg()
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        state.double_array_value.data.append(value)
        msg.rerun_script.fragment_id = fragment_id
        await self.run(msg)


async def one_session(url: str, moves: int, think: float, seed: int) -> Session:
    out = Session()
    rng = random.Random(seed)
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT
        ) as ws:
            client = Client(ws)
            start = time.perf_counter()
            await client.open_page()
            out.first_render = time.perf_counter() - start
            values = [10.0, 15.0, 12.0, 18.0, 11.0, 16.0, 13.0, 19.0, 14.0, 17.0]
            for i in range(moves):
                await asyncio.sleep(rng.uniform(0, think))
                before = client.tile
                start = time.perf_counter()
                await client.move(values[(i + seed) % len(values)])
                out.moves.append(time.perf_counter() - start)
                if client.tile == before:
                    out.unchanged += 1
            out.errors = client.errors
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        out.errors.append(f"{type(exc).__name__}: {exc}")
    return out


async def phase(url: str, n: int, moves: int, think: float) -> list[Session]:
    return await asyncio.gather(*(one_session(url, moves, think, seed=i) for i in range(n)))


def server_process() -> psutil.Process:
    """The Streamlit server: this process's child running `streamlit run`."""
    for child in psutil.Process().children(recursive=True):
        if "streamlit" in " ".join(child.cmdline()):
            return child
    raise RuntimeError("no streamlit server among this process's children")


def cpu_seconds(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    total = t.user + t.system
    for child in proc.children(recursive=True):  # forecast pool workers, if any
        ct = child.cpu_times()
        total += ct.user + ct.system
    return total


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))] if xs else float("nan")


def measure(root: Path, counts: list[int], moves: int, think: float, label: str) -> list[dict]:
    """One server of the checkout at ``root``: a warm-up visit, then each N in turn."""
    rows = []
    with serve(root=root) as url:
        proc = server_process()
        warm = asyncio.run(phase(url, 1, 1, 0.0))[0]  # the server's first visit (imports)
        print(f"{label}: warm-up (server's first visit) first render {warm.first_render:.2f} s")
        for n in counts:
            cpu0, wall0 = cpu_seconds(proc), time.perf_counter()
            sessions = asyncio.run(phase(url, n, moves, think))
            wall, cpu = time.perf_counter() - wall0, cpu_seconds(proc) - cpu0
            renders = [s.first_render for s in sessions if s.first_render is not None]
            done = [m for s in sessions for m in s.moves]
            errors = [e for s in sessions for e in s.errors]
            rows.append(
                {
                    "code": label,
                    "n": n,
                    "render_med": statistics.median(renders) if renders else float("nan"),
                    "render_max": max(renders, default=float("nan")),
                    "p50": 1000 * pct(done, 0.5),
                    "p95": 1000 * pct(done, 0.95),
                    "moves": len(done),
                    "unchanged": sum(s.unchanged for s in sessions),
                    "errors": len(errors) + sum(s.first_render is None for s in sessions),
                    "cores": cpu / wall,
                    "cpu_per_run": 1000 * cpu / max(1, len(done) + len(renders)),
                    "rss": proc.memory_info().rss / 1024 / 1024,
                }
            )
            for e in errors[:3]:
                print(f"  {label} N={n} error: {e}")
            print(f"{label} N={n:>2} done in {wall:.1f} s", flush=True)
    return rows


def checkout(ref: str, into: Path) -> Path:
    """The files of git revision ``ref`` of this repository, unpacked into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,5,10,20", help="N values, comma-separated")
    parser.add_argument("--moves", type=int, default=10, help="slider moves per session")
    parser.add_argument("--think", type=float, default=0.3, help="max seconds between moves")
    parser.add_argument(
        "--baseline-ref",
        default=None,
        metavar="REV",
        help="also measure git revision REV (e.g. 8298e21) first, as the baseline",
    )
    args = parser.parse_args()
    counts = [int(x) for x in args.sessions.split(",")]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="sop-load-") as tmp:
        if args.baseline_ref:
            old = checkout(args.baseline_ref, Path(tmp))
            rows += measure(old, counts, args.moves, args.think, args.baseline_ref)
        rows += measure(ROOT, counts, args.moves, args.think, "this tree")
    print_table(rows, args.moves, args.think)
    return 0


def print_table(rows: list[dict], moves: int, think: float) -> None:
    base = rows[0]
    print()
    print(
        f"Plan page, protocol-level sessions, {moves} overtime moves each "
        f"(0–{think:g} s apart); baseline: {base['code']}, N = {base['n']}, in this run"
    )
    head = (
        f"{'code':>10} | {'N':>3} | {'first render med / max (s)':>26} | "
        f"{'move p50 (ms)':>13} | {'move p95 (ms)':>13} | {'p95 vs base':>11} | "
        f"{'moves':>5} | {'errors':>6} | {'server cores':>12} | "
        f"{'server CPU/run (ms)':>19} | {'RSS (MB)':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        ratio = r["p95"] / base["p95"] if base["p95"] else float("nan")
        print(
            f"{r['code']:>10} | {r['n']:>3} | "
            f"{r['render_med']:>12.2f} / {r['render_max']:>11.2f} | "
            f"{r['p50']:>13.0f} | {r['p95']:>13.0f} | {ratio:>10.1f}x | {r['moves']:>5} | "
            f"{r['errors']:>6} | {r['cores']:>12.2f} | {r['cpu_per_run']:>19.0f} | "
            f"{r['rss']:>8.0f}"
        )
    last = rows[-1]
    ok = last["p95"] < 1000 and last["render_med"] < 5 and last["errors"] == 0
    print(
        f"target at N = {last['n']} ({last['code']}): p95 move < 1000 ms, median first render "
        f"< 5 s, no errors: {'met' if ok else 'NOT met'}"
    )
    unchanged = sum(r["unchanged"] for r in rows)
    if unchanged:
        print(f"note: {unchanged} move(s) left the Total cost tile as it was")


if __name__ == "__main__":
    sys.exit(main())
