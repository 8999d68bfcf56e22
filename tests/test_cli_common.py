"""What every store command shares (sop_core.cli.common): who acts, how it prints."""

from __future__ import annotations

import argparse
import io
import json

import pandas as pd
import pytest

from sop_core.base.access import ALL_ROLES
from sop_core.base.errors import InputError
from sop_core.cli.common import actor_of, emit, emit_one, opened, parse_pairs


def test_a_plain_name_is_the_trusted_local_actor(monkeypatch):
    monkeypatch.delenv("SOP_ACTOR", raising=False)
    actor = actor_of(argparse.Namespace(actor="ann"))
    assert actor.name == "ann" and actor.roles == ALL_ROLES and not actor.signed_in


def test_an_address_acts_with_the_roles_the_role_file_gives_it(tmp_path, monkeypatch):
    roles = tmp_path / "roles.toml"
    roles.write_text('[roles]\n"feed@acme.example" = ["demand planner"]\n', encoding="utf-8")
    monkeypatch.setenv("SOP_ROLES_FILE", str(roles))
    monkeypatch.setenv("SOP_ACTOR", "feed@acme.example")
    actor = actor_of(argparse.Namespace(actor=None))  # from the environment
    assert actor.email == "feed@acme.example" and actor.roles == {"demand_planner"}
    stranger = actor_of(argparse.Namespace(actor="eve@other.example"))
    assert stranger.roles == frozenset()  # no entry: no right


def test_a_table_reads_in_the_vocabulary_and_json_and_csv_keep_the_keys():
    frame = pd.DataFrame({"family": ["Pumps"], "production": [1234.567], "holding": [float("nan")]})
    table, data, csv = io.StringIO(), io.StringIO(), io.StringIO()
    emit(frame, "table", out=table)
    emit(frame, "json", out=data)
    emit(frame, "csv", out=csv)
    assert "Production (units)" in table.getvalue() and "1,235" in table.getvalue()
    assert "nan" not in table.getvalue().lower()
    assert json.loads(data.getvalue()) == [
        {"family": "Pumps", "production": 1234.567, "holding": None}
    ]
    assert csv.getvalue().splitlines()[0] == "family,production,holding"


def test_one_object_prints_as_field_value_lines():
    out = io.StringIO()
    emit_one({"total_cost": 422275.0, "fill_rate": 0.983}, "table", out=out)
    assert "$422,275" in out.getvalue() and "98.3%" in out.getvalue()


def test_pairs_name_the_option_when_one_lacks_its_equals_sign():
    assert parse_pairs(["Pumps=Water pumps"], "--map") == {"Pumps": "Water pumps"}
    with pytest.raises(InputError, match="--map: give OLD=NEW, got 'Pumps'"):
        parse_pairs(["Pumps"], "--map")


def test_an_unreachable_store_is_bad_input_naming_the_option():
    args = argparse.Namespace(database_url="postgresql+psycopg://u:pw@127.0.0.1:1/none")
    with pytest.raises(InputError, match="--database-url") as caught, opened(args):
        pass
    assert "pw" not in str(caught.value)
