"""Bad inputs through the command line: every one answered, none crashes or hangs.

The corpus rebuilds, as our own cases, what a probe of bad inputs found (issue 10): giant
integer literals, deep nesting, unreachable or malformed schedulers, huge scenarios,
finite but absurd numbers, booleans as numbers, Excel files named .csv. Each case runs
``sop_core.cli.main.main`` in this process under a 10 s alarm and asserts: exit code 0, 1 or
2; no traceback; and, when refused (2), a message whose first problem names a field, a
file or an option. Then hypothesis mutates valid scenario files and histories and
asserts the same of whatever comes out.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import shutil
import signal
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from factories import red_tomato_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_core.cli.main import main
from sop_core.model.scenario import Family, Workforce

SECONDS = 10


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float


class Hang(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in this (main) thread when ``seconds`` pass."""

    def ring(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def cli(*args: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with deadline(SECONDS), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


def answered(o: Outcome) -> None:
    """Exit 0/1/2, no traceback, no "unexpected failure", and a refusal names its field."""
    assert o.code in (0, 1, 2), (o.code, o.err)
    assert "Traceback" not in o.err and "unexpected failure" not in o.err, o.err
    assert o.seconds < SECONDS
    if o.code == 2:
        assert named(o.err), o.err


def named(err: str) -> str:
    """The field, file or option the refusal names first ("" if none)."""
    lines = [line for line in err.splitlines() if line.strip()]
    if lines and lines[0] == "error: invalid input":
        field, sep, message = lines[1].partition(": ")
        return field.strip() if sep and message else ""
    for line in lines:  # argparse: "python -m sop_core solve: error: argument --format: ..."
        if "error: argument " in line:
            return line.split("error: argument ", 1)[1].split(":", 1)[0]
    return ""


def refused(o: Outcome, field: str, *words: str) -> None:
    """Refused (exit 2), naming ``field`` first, its message holding ``words``."""
    answered(o)
    assert o.code == 2, o.err
    assert field in named(o.err), o.err
    for w in words:
        assert w in o.err, o.err


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, content: str | bytes | dict) -> str:
        path = tmp_path / name
        if isinstance(content, dict):
            content = json.dumps(content)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return _write


def history_text(months: int = 24, families: tuple[str, ...] = ("A",)) -> str:
    rows = ["period,family,demand"]
    for f in families:
        for m in range(months):
            rows.append(f"{2023 + m // 12}-{m % 12 + 1:02d},{f},{100 + m}")
    return "\n".join(rows) + "\n"


FORECAST = ("--model", "naive", "--horizon", "3", "--quiet", "--workers", "1")


# --------------------------------------------------------------------------- scenarios


def test_valid_scenario_is_planned(write) -> None:
    o = cli("solve", write("ok.json", red_tomato_dict()), "--format", "json")
    answered(o)
    assert o.code == 0 and json.loads(o.out)["status"] == "optimal"


def test_integer_literal_of_5000_digits(write) -> None:
    text = json.dumps(red_tomato_dict()).replace('"initial": 80', '"initial": ' + "9" * 5000)
    o = cli("solve", write("huge_int.json", text))
    refused(o, "workforce.initial", "5,000 digits", "1,000,000,000,000")


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_deep(write, depth: int) -> None:
    d = red_tomato_dict()
    text = json.dumps(d)[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
    refused(cli("solve", write("deep.json", text)), "extra[0][0]", "more than 20 levels deep")
    refused(cli("solve", write("deep_top.json", "[" * depth)), "deep_top.json", "20 levels")


@pytest.mark.parametrize("where", ["workforce.initial", "families[0].demand[3]"])
def test_finite_1e308_names_its_field(write, where: str) -> None:
    d = red_tomato_dict()
    if where == "workforce.initial":
        d["workforce"]["initial"] = 1e308
    else:
        d["families"][0]["demand"][3] = 1e308
    refused(cli("solve", write("big.json", d)), where, "must be ≤ 1,000,000,000,000", "1e+308")


def _numeric_fields(model: Any) -> list[str]:
    """Fields that take one number (lists of numbers are covered by the demand case,
    mappings of numbers such as resource_hours are objects)."""
    return [
        name
        for name, f in model.model_fields.items()
        if "float" in str(f.annotation) and not str(f.annotation).startswith(("list", "dict"))
    ]


@pytest.mark.parametrize(
    "section,field",
    [("workforce", f) for f in _numeric_fields(Workforce)]
    + [("families", f) for f in _numeric_fields(Family)],
)
def test_json_true_is_not_a_number(write, section: str, field: str) -> None:
    d = red_tomato_dict()
    target = d["workforce"] if section == "workforce" else d["families"][0]
    target[field] = True
    path = f"workforce.{field}" if section == "workforce" else f"families[0].{field}"
    refused(cli("solve", write("true.json", d)), path, "must be a number, got true")


def test_true_inside_demand(write) -> None:
    d = red_tomato_dict()
    d["families"][0]["demand"][1] = True
    refused(cli("solve", write("true.json", d)), "families[0].demand[1]", "got true")


def test_ten_megabyte_scenario_with_a_million_periods(write) -> None:
    d = red_tomato_dict()
    d.pop("periods", None)
    d["families"][0]["demand"] = [1234.5] * 1_250_000
    refused(cli("solve", write("huge.json", d)), "huge.json", "at most 5 MB")


def test_long_horizon_below_the_size_limit(write) -> None:
    d = red_tomato_dict()
    d.pop("periods", None)
    d["families"][0]["demand"] = [1] * 600_000  # about 2 MB
    refused(cli("solve", write("long.json", d)), "families[0].demand", "at most 520")


def test_many_families(write) -> None:
    d = red_tomato_dict()
    d["families"] = [{"name": str(i)} for i in range(45_000)]
    refused(cli("solve", write("fams.json", d)), "families", "at most 200 families")


def test_too_many_family_periods(write) -> None:
    d = red_tomato_dict()
    d.pop("periods", None)
    fam = d["families"][0]
    d["families"] = [dict(fam, name=f"F{i}", demand=[100.0] * 200) for i in range(150)]
    refused(cli("solve", write("cells.json", d)), "families", "30,000 family-periods")


@pytest.mark.parametrize(
    "content,field,words",
    [
        ("", "empty.json", ["not valid JSON"]),
        ('{"name": ', "empty.json", ["not valid JSON"]),
        ("[1, 2]", "empty.json", ["JSON object"]),
        (b"\xff\xfe{\x00}\x00", "empty.json", ["UTF-8"]),
        (b"PK\x03\x04\x00\x00binary", "empty.json", ["zip file"]),
    ],
)
def test_not_a_scenario_file(write, content, field: str, words: list[str]) -> None:
    refused(cli("solve", write("empty.json", content)), field, *words)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_literals(write, literal: str) -> None:
    text = json.dumps(red_tomato_dict()).replace('"hire_cost": 300', f'"hire_cost": {literal}')
    refused(cli("solve", write("nan.json", text)), "workforce.hire_cost", "finite")


def test_text_where_numbers_belong_and_long_names(write) -> None:
    d = red_tomato_dict()
    d["families"][0]["holding_cost"] = "2"
    refused(cli("solve", write("t.json", d)), "families[0].holding_cost", "got '2'")
    d = red_tomato_dict()
    d["name"] = "n" * 100_000
    refused(cli("solve", write("t.json", d)), "name", "at most 200 characters")


def test_largest_accepted_numbers_still_answer(write) -> None:
    d = red_tomato_dict()
    d["families"][0]["demand"] = [1e12] * 6
    d["workforce"]["hire_cost"] = 1e12
    answered(cli("solve", write("edge.json", d)))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    refused(cli("solve", str(tmp_path / "none.json")), "none.json", "no such file")
    refused(cli("solve", str(tmp_path)), str(tmp_path), "no such file")


# --------------------------------------------------------------------------- histories


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    pd.DataFrame({"period": ["2024-01"], "family": ["A"], "demand": [1]}).to_excel(buf, index=False)
    return buf.getvalue()


def test_excel_workbook_renamed_csv(write) -> None:
    o = cli("forecast", write("sales.csv", _xlsx_bytes()), *FORECAST)
    refused(o, "sales.csv", "this looks like an Excel workbook (.xlsx)")
    assert len(o.err.splitlines()) == 2  # one clear line, not 20 "row N has 3 fields"


@pytest.mark.parametrize(
    "name,content,words",
    [
        ("old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ["(.xls)"]),
        ("text.xlsx", history_text().encode(), ["looks like a CSV", ".csv extension"]),
        ("junk.csv", bytes(range(256)) * 4, ["not a text file"]),
        ("h.json", b"{}", ["must be a .csv or .xlsx file"]),
        ("empty.csv", b"", ["the file is empty"]),
    ],
)
def test_files_that_are_not_histories(write, name: str, content: bytes, words) -> None:
    refused(cli("forecast", write(name, content), *FORECAST), name, *words)


def test_zip_that_is_not_a_workbook(write) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    refused(cli("forecast", write("z.xlsx", buf.getvalue()), *FORECAST), "z.xlsx", "Excel")


@pytest.mark.parametrize(
    "cell,words",
    [("1e308", ["≤ 1,000,000,000,000"]), ("true", ["must be a number"]), ("-4", ["≥ 0"])],
)
def test_bad_demand_cells(write, cell: str, words) -> None:
    text = history_text().replace("2023-03,A,102", f"2023-03,A,{cell}")
    refused(cli("forecast", write("h.csv", text), *FORECAST), "row 4, column demand", *words)


def test_history_over_the_size_limit(write) -> None:
    text = history_text() + ("2024-12,B,1\n" * 1_800_000)  # 21.6 MB
    refused(cli("forecast", write("big.csv", text), *FORECAST), "big.csv", "20 MB")


def test_history_limits_on_rows_series_and_calendar(write, monkeypatch) -> None:
    text = history_text() + "1700-01,A,3\n"
    refused(cli("forecast", write("h.csv", text), *FORECAST), "column period", "1700-01")
    monkeypatch.setattr("sop_core.demand.history.MAX_HISTORY_ROWS", 30)
    refused(cli("forecast", write("h.csv", history_text(36)), *FORECAST), "h.csv", "more than 30")
    monkeypatch.undo()
    monkeypatch.setattr("sop_core.demand.history.MAX_SERIES", 2)
    text = history_text(24, ("A", "B", "C"))
    refused(cli("forecast", write("h.csv", text), *FORECAST), "column family", "3 different")


# --------------------------------------------------------------------------- options


def test_unreachable_scheduler_fails_fast(write) -> None:
    o = cli("forecast", write("h.csv", history_text()), "--scheduler", "tcp://127.0.0.1:9")
    refused(o, "--scheduler", "no dask scheduler answered", "within 5 s")


@pytest.mark.parametrize("address", ["::::", "127.0.0.1", "foo://x:1", " "])
def test_malformed_scheduler(write, address: str) -> None:
    o = cli("forecast", write("h.csv", history_text()), "--scheduler", address, "--quiet")
    refused(o, "--scheduler", address.strip() and "not a scheduler address")


@pytest.mark.parametrize(
    "args,option",
    [
        (("--horizon", "999999999"), "--horizon"),
        (("--horizon", "0"), "--horizon"),
        (("--workers", "100000"), "--workers"),
        (("--seed", "-1"), "--seed"),
        (("--freq", "daily"), "--freq"),
        (("--model", "arima"), "--model"),
        (("--horizon", "x"), "--horizon"),
        (("--level", "region"), "--level"),
    ],
)
def test_bad_forecast_options(write, args: tuple[str, ...], option: str) -> None:
    refused(cli("forecast", write("h.csv", history_text()), "--quiet", *args), option)


def test_bad_accuracy_and_solve_options(write) -> None:
    h = write("h.csv", history_text())
    refused(cli("accuracy", h, "--origins", "100000", "--quiet"), "--origins")
    refused(cli("accuracy", h, "--holdout", "-3", "--quiet"), "--holdout")
    sc = write("ok.json", red_tomato_dict())
    refused(cli("solve", sc, "--strategy", "cheapest"), "--strategy")
    refused(cli("solve", sc, "--format", "pdf"), "--format")


def test_scenarios_command_bad_inputs(write, tmp_path: Path) -> None:
    url = ("--database-url", f"sqlite:///{tmp_path / 's.sqlite'}")
    sc = write("ok.json", red_tomato_dict())
    deep = "[" * 100_000 + "]" * 100_000
    refused(cli("scenarios", "import", sc, "--provenance", deep, *url), "--provenance")
    refused(cli("scenarios", "import", sc, "--provenance", "[1]", *url), "--provenance")
    refused(cli("scenarios", "import", sc, "--name", "x" * 5000, *url), "name", "200")
    refused(cli("scenarios", "show", "nobody", *url), "name", "not found")
    refused(cli("scenarios", "list", "--database-url", "not a url"), "SOP_DATABASE_URL")
    refused(cli("scenarios", "show", "x", "--version", "x", *url), "--version")


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(  # SOP_FUZZ_EXAMPLES=2000 searches longer, with fresh random inputs
    max_examples=int(os.environ.get("SOP_FUZZ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="SOP_FUZZ_EXAMPLES" not in os.environ,
)
_DIR = Path(tempfile.mkdtemp(prefix="sop_fuzz_"))  # hypothesis and tmp_path don't mix
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**40), 10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> str:
    """Red Tomato's file with a few values replaced or removed, or its text cut/spliced."""
    d = red_tomato_dict()
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(d) if p]
        path = draw(st.sampled_from(paths))
        parent = d
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    text = json.dumps(d, allow_nan=True)
    if draw(st.integers(0, 4)) == 0:  # sometimes damage the text itself
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.text(max_size=8)) + text[i + draw(st.integers(0, 5)) :]
    return text


@FUZZ
@given(mutated_scenarios())
def test_fuzz_scenario_files(text: str) -> None:
    path = _DIR / "fuzz.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    answered(cli("solve", str(path), "--format", "json"))


cells = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["", " ", "1e308", "nan", "inf", "-1", "true", "0x10", "1_0", "=1+1"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
periods = st.one_of(
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1600, 2300), st.integers(0, 13)),
    st.dates().map(str),
    cells,
)


@st.composite
def mutated_histories(draw: st.DrawFn) -> str:
    """A valid monthly history with a few rows, cells or separators replaced."""
    lines = history_text(24, ("A", "B")).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        cols = lines[i].split(",")
        j = draw(st.integers(0, 2))
        cols[j] = draw(periods if j == 0 else cells)
        if draw(st.integers(0, 5)) == 0:
            cols.append(draw(cells))
        lines[i] = ",".join(cols)
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated_histories())
def test_fuzz_history_files(text: str) -> None:
    path = _DIR / "fuzz.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    answered(cli("forecast", str(path), *FORECAST))
