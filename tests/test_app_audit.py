"""AppTest of the Audit trail page: the company's changes with who made them, filtered
per family and per scenario, and downloadable."""

from __future__ import annotations

import pytest
from apptests import open_app_page

from sop_core.process.workspace import Edit
from sop_core.reports.exports import frame_csv
from sop_core.store.audit import AUDIT_HEADERS, audit_download
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def table(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_the_trail_lists_the_companys_changes_with_their_author(store_url: str) -> None:
    at = open_app_page("pages/audit.py")  # seeds the sample company
    spaces = Workspaces(Store(store_url))
    company = spaces.names()[0]
    family = spaces.state(company).families[0]
    cost = family.value["holding_cost"]
    spaces.apply(
        company, [Edit("family", family.key, cost, cost + 1, field="holding_cost")], author="Lena"
    )
    at.run()
    rows = table(at)
    newest = rows[0]
    assert (newest["Who"], newest["Action"], newest["Field"]) == (
        "Lena",
        "edit",
        "Holding $ / unit / period",
    )
    assert newest["Object"] == f"family {family.value['name']}"
    assert len(rows) > 1  # the sample company's creation is there too
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download Excel"]


def test_the_trail_of_one_family_and_of_the_scenarios(store_url: str) -> None:
    at = open_app_page("pages/audit.py")
    spaces = Workspaces(Store(store_url))
    company = spaces.names()[0]
    first, second = spaces.state(company).families[:2]
    spaces.apply(
        company,
        [Edit("family", second.key, second.value["price"], 99.0, field="price")],
        author="Lena",
    )
    at.selectbox(key="audit_kind").set_value("Families").run()
    at.selectbox(key="audit_family").set_value(first.value["name"]).run()
    assert all(r["Object"] == f"family {first.value['name']}" for r in table(at))
    at.selectbox(key="audit_family").set_value(second.value["name"]).run()
    assert table(at)[0]["After"] == "$99"
    at.selectbox(key="audit_kind").set_value("Scenarios").run()
    assert table(at) == []  # no scenario saved yet


def test_the_trail_shows_before_and_after_in_words_and_downloads_the_exact_values(
    store_url: str,
) -> None:
    at = open_app_page("pages/audit.py")
    spaces = Workspaces(Store(store_url))
    company = spaces.names()[0]
    family = spaces.state(company).families[0]
    cost = family.value["holding_cost"]
    spaces.apply(
        company,
        [Edit("family", family.key, cost, 3.5, field="holding_cost")],
        author="Lena",
    )
    at.run()
    shown = at.dataframe[0].value
    assert list(shown.columns) == [
        "When (UTC)", "Who", "E-mail", "Action", "Company", "Object", "Field", "Before", "After"
    ]  # fmt: skip
    newest = shown.iloc[0]
    assert (newest["Field"], newest["Before"], newest["After"]) == (
        "Holding $ / unit / period",
        f"${cost:,.0f}" if cost == round(cost) else f"${cost:,.2f}",
        "$3.50",
    )
    # a whole item reads "Label: value; …": the sample company's workforce, as seeded
    workforce = shown[shown["Object"] == "workforce"].iloc[-1]
    assert workforce["Before"] == ""
    assert workforce["After"].startswith("Workers at the start: ")
    assert "Hiring cost: $" in workforce["After"]
    text = " ".join(str(v) for v in shown.to_numpy().ravel())
    for raw in ("holding_cost", "hire_cost", "None", "nan", "{", '"'):
        assert raw not in text
    # the downloads keep the exact values (JSON) under readable headers
    trail = audit_download(Store(store_url).audit(company=company))
    assert list(trail.columns) == list(AUDIT_HEADERS.values())
    assert all("_" not in c for c in trail.columns)
    assert (trail.iloc[0]["Field"], trail.iloc[0]["After"]) == ("holding_cost", "3.5")
    csv = frame_csv(trail).decode("utf-8-sig")
    assert csv.startswith("When (UTC),Who,E-mail,Action,Company,Kind of object,Object key,")
