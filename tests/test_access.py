"""Roles and rights (sop_core.base.access): the one table of actions, the role file, which
right each kind of workspace edit needs, and refusals that say who may."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_core.base.access import (
    ACTIONS,
    ALL_ROLES,
    ROLES,
    Actor,
    PermissionDenied,
    edits_actions,
    load_roles,
    local_actor,
    parse_roles,
    require,
)
from sop_core.base.errors import InputError
from sop_core.base.fields import FAMILY_FIELDS, MONEY_FIELDS, WORKFORCE_FIELDS
from sop_core.process.workspace import Edit


def test_every_action_has_a_role_and_every_role_an_action() -> None:
    assert all(a.roles and a.roles <= ALL_ROLES for a in ACTIONS.values())
    assert set().union(*(a.roles for a in ACTIONS.values())) == ALL_ROLES


def test_the_local_actor_may_do_everything_and_a_role_less_one_nothing() -> None:
    assert all(local_actor("ana").may(a) for a in ACTIONS)
    nobody = Actor("Bo", "bo@acme.example", frozenset(), signed_in=True)
    assert not any(nobody.may(a) for a in ACTIONS)


def test_a_refusal_names_the_action_the_role_that_may_and_the_persons_roles() -> None:
    demand = Actor("Ana", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)
    with pytest.raises(PermissionDenied) as err:
        require(demand, "approve", "status")
    message = str(err.value)
    assert "status" in message
    assert "Only an executive may approve a scenario" in message
    assert "you are: demand planner" in message
    require(demand, "consensus")  # allowed: no exception


def test_role_file_grants_by_address_and_by_domain(tmp_path: Path) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(
        '[roles]\n"Ana@Acme.example" = ["demand planner"]\n'
        '"@acme.example" = ["executive"]\n"eve@other.example" = "finance"\n',
        encoding="utf-8",
    )
    config = load_roles(path)
    assert config.roles_for("ana@acme.example") == {"demand_planner", "executive"}
    assert config.roles_for("bo@acme.example") == {"executive"}
    assert config.roles_for("eve@other.example") == {"finance"}
    assert config.roles_for("mallory@evil.example") == frozenset()
    assert config.roles_for(None) == frozenset()
    actor = config.actor("bo@acme.example", "Bo")
    assert actor.signed_in and actor.author == "Bo <bo@acme.example>"


def test_no_role_file_gives_nobody_a_role(tmp_path: Path) -> None:
    assert load_roles(tmp_path / "missing.toml").roles_for("ana@acme.example") == frozenset()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[roles]\n"ana@acme.example" = ["planner"]\n', "unknown role 'planner'"),
        ('[roles]\n"ana" = ["admin"]\n', "must be an e-mail address or a domain"),
        ('[roles]\n"ana@acme.example" = 3\n', "must be a list of roles"),
        ("[roles\n", "is not valid TOML"),
    ],
)
def test_a_bad_role_file_is_told_with_the_entry(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_roles(path)
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_role_labels_are_accepted_in_either_spelling() -> None:
    config = parse_roles({"roles": {"a@x.example": list(ROLES.values())}})
    assert config.roles_for("a@x.example") == ALL_ROLES
    config = parse_roles({"roles": {"a@x.example": ["supply-planner", "SUPPLY_PLANNER"]}})
    assert config.roles_for("a@x.example") == {"supply_planner"}


def test_costs_and_prices_are_finances_and_the_rest_of_master_data_supplys() -> None:
    for name in FAMILY_FIELDS:
        wanted = "money" if name in MONEY_FIELDS else "capacity"
        assert edits_actions([Edit("family", "f1", 1, 2, field=name)]) == [wanted]
    for name, _, _ in WORKFORCE_FIELDS:
        wanted = "money" if name in MONEY_FIELDS else "capacity"
        assert edits_actions([Edit("workforce", "workforce", 1, 2, field=name)]) == [wanted]
    assert {"price", "holding_cost", "hire_cost"} <= MONEY_FIELDS
    assert not {"labor_hours_per_unit", "max_workers"} & MONEY_FIELDS


def test_each_kind_of_edit_needs_its_owners_right() -> None:
    cases = [
        (Edit("adjustment", "a1", None, {"family": "A"}), "consensus"),
        (Edit("history", "history", None, {"upload_id": 1}), "history"),
        (Edit("plan", "plan", {}, {"periods": ["Jan"]}), "plan_demand"),
        (Edit("family", "f1", [1], [2], field="demand"), "plan_demand"),
        (Edit("policy", "policy", {}, {"strategy": "chase"}), "settings"),
        (Edit("setting", "resources", None, {"value": []}), "settings"),
        (Edit("whatif", "Peak", None, {"scenario": "Peak"}), "whatif"),
        (Edit("family", "f9", None, {"name": "New"}), "capacity"),
    ]
    for edit, action in cases:
        assert edits_actions([edit]) == [action], edit


def test_adjustments_follow_a_renamed_or_removed_family() -> None:
    rename = [
        Edit("family", "f1", "A", "B", field="name"),
        Edit("adjustment", "a1", "A", "B", field="family"),
    ]
    assert edits_actions(rename) == ["capacity"]
    remove = [Edit("family", "f1", {"name": "A"}, None), Edit("adjustment", "a1", {}, None)]
    assert edits_actions(remove) == ["capacity"]
    # on their own, adjustments are the demand planner's
    assert edits_actions([Edit("adjustment", "a1", "A", "B", field="family")]) == ["consensus"]
