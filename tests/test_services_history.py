"""Uploading a history (sop_core.services.history): kept and taken into use as one
action, or not at all."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from factories import red_tomato

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.process.workspace import suggest_mapping
from sop_core.services.history import upload_history
from sop_core.services.workbench import Workbench
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

SAM = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)


@pytest.fixture
def company(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store(url)
    spaces = Workspaces(store)
    spaces.create("Acme", author="test", scenario=red_tomato())
    yield url, store, spaces
    store.close()


def sales(*families: str) -> pd.DataFrame:
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    return pd.DataFrame(
        [
            {"period": m, "family": f, "demand": 100.0 + i}
            for f in families
            for i, m in enumerate(months)
        ]
    )


def uploads(url: str) -> int:
    with sa.create_engine(url).connect() as c:
        return c.execute(sa.text("SELECT count(*) FROM sop_history_upload")).scalar_one()


def test_an_upload_creates_its_families_and_sets_the_history_in_one_action(company):
    url, _, spaces = company
    history = sales("Garden tools", "Pumps")
    mapping = suggest_mapping(["Garden tools", "Pumps"], spaces.state("Acme"))
    before = spaces.revision("Acme")
    state = upload_history(
        Workbench(spaces.store), "Acme", history, "sales.csv", mapping, author="Ann"
    )
    assert set(state.family_names) == {"Garden tools", "Pumps"}
    assert state.history_upload["name"] == "sales.csv"
    assert spaces.revision("Acme") == before + 1  # one action: one undo takes it all back
    assert uploads(url) == 1
    spaces.undo("Acme", author="Ann")
    assert spaces.state("Acme").family_names == ["Garden tools"]


def test_a_refused_mapping_keeps_neither_the_upload_nor_its_audit_row(company):
    url, store, spaces = company
    mapping = suggest_mapping(["Garden tools", "Pumps"], spaces.state("Acme"))
    mapping.loc[mapping["history_name"] == "Pumps", "family"] = " "  # a blank name
    audit_rows = len(store.audit())
    with pytest.raises(InputError) as caught:
        upload_history(
            Workbench(spaces.store),
            "Acme",
            sales("Garden tools", "Pumps"),
            "sales.csv",
            mapping,
            author="Ann",
        )
    assert "give 'Pumps' a family name" in str(caught.value)
    assert uploads(url) == 0
    assert len(store.audit()) == audit_rows
    assert spaces.state("Acme").history_upload is None


def test_an_upload_by_someone_without_the_right_keeps_nothing(company):
    url, _, spaces = company
    mapping = suggest_mapping(["Garden tools"], spaces.state("Acme"))
    with pytest.raises(PermissionDenied):
        upload_history(
            Workbench(spaces.store), "Acme", sales("Garden tools"), "sales.csv", mapping, author=SAM
        )
    assert uploads(url) == 0
