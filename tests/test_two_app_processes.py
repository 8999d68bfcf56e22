"""Beyond one machine: two app processes on one PostgreSQL store.

Behind a load balancer (sticky, so that a browser's WebSocket stays with one process),
every app process points ``SOP_DATABASE_URL`` at the same PostgreSQL database. A scenario
saved through one process is seen by the other; two saves from the same version in two
processes at once are one saved and one refused (the other's work is not overwritten),
and the refused one is kept as the next version when saved again.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from e2e_server import ROOT, TIMEOUT_MS, chromium_or_skip, no_exception, serve, wait_idle
from postgres_server import fresh_database, postgres_server  # noqa: F401

from sop_core.store.scenarios import Store

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def pg_url(postgres_server) -> str:  # noqa: F811
    return fresh_database(postgres_server, "two_processes")


@pytest.mark.e2e
def test_a_scenario_saved_in_one_process_is_seen_in_the_other(browser, pg_url):
    chromium_or_skip()
    env = {"SOP_DATABASE_URL": pg_url}
    with serve(env=env) as first, serve(env=env) as second:
        a = browser.new_page()
        a.goto(first + "/scenarios")
        a.get_by_text("Save the current what-if", exact=True).wait_for(timeout=TIMEOUT_MS)
        wait_idle(a)
        a.get_by_label("Name", exact=True).fill("Shared plan")
        a.get_by_label("Name", exact=True).press("Enter")
        wait_idle(a)
        a.get_by_role("button", name="Save", exact=True).click()
        a.get_by_text("Saved Shared plan v1.").wait_for(timeout=TIMEOUT_MS)
        no_exception(a)

        b = browser.new_page()
        b.goto(second + "/scenarios")
        b.get_by_text("Saved scenarios").wait_for(timeout=TIMEOUT_MS)
        wait_idle(b)
        b.get_by_role("button", name="Open in the plan").click()
        b.get_by_text("Opened Shared plan v1: every page").wait_for(
            timeout=TIMEOUT_MS
        )  # every page of the second process now plans what the first one saved
        wait_idle(b)
        no_exception(b)
        a.close()
        b.close()


SAVER = textwrap.dedent(
    """
    import json, sys
    from sop_core.store.scenarios import Store, StoreConflict
    url, author = sys.argv[1], sys.argv[2]
    with Store(url) as store:
        opened = store.open("Race")
        print(json.dumps({"opened": opened.version}), flush=True)
        sys.stdin.readline()  # go: both processes have opened the same version
        try:
            saved = store.save(opened.scenario, author=author, base_version=opened.version,
                               note=f"by {author}")
            print(json.dumps({"author": author, "saved": saved.version}))
        except StoreConflict as exc:
            print(json.dumps({"author": author, "refused": exc.latest.version,
                              "message": str(exc)}))
    """
)


def test_conflicting_saves_in_two_processes_are_refused_not_lost(pg_url):
    from factories import red_tomato

    with Store(pg_url) as store:
        store.save(red_tomato(), name="Race", author="setup")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, pg_url, who],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        for who in ("ann", "bob")
    ]
    for proc in procs:  # each has opened version 1 and waits
        assert json.loads(proc.stdout.readline()) == {"opened": 1}
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    saved = [o for o in outcomes if "saved" in o]
    refused = [o for o in outcomes if "refused" in o]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    assert saved[0]["saved"] == 2 and refused[0]["refused"] == 2
    assert "Race" in refused[0]["message"]

    with Store(pg_url) as store:
        versions = store.versions("Race")
        assert [v.version for v in versions] == [1, 2]
        assert versions[-1].author == saved[0]["author"]  # the winner's, intact
        loser = refused[0]["author"]
        again = store.save(
            store.open("Race", 1).scenario, author=loser, base_version=2, note="after refusal"
        )
        assert again.version == 3
        assert [v.author for v in store.versions("Race")] == ["setup", saved[0]["author"], loser]
