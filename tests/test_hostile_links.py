"""Every hostile link in tests/hostile_links.py, read as the page reads it, outside the browser: the page's state
registry under node (web/state.js, the message it gives, no built-in changed, no raw bidi control), and the settings
it lets through read by Python's bridge (the messages Python gives). Together they must name each case's problem.
One case of each class still opens in the browser (tests/e2e/test_robustness.py), where the message must show and
the demo must train; the code-link cases' parsing has its own node tests (tests/js/share.test.js)."""

from __future__ import annotations

import json

import pytest
from hostile_links import ALL_CASES, BIDI, read_links
from rlplay.app import bridge

URL_CASES = [case for case in ALL_CASES if case[0] != "code-link"]


@pytest.fixture(scope="module")
def read_by_the_page() -> dict[str, dict]:
    """Each case's query read by web/state.js in node, in one node process."""
    queries = [case[2].split("#")[0] for case in URL_CASES]  # a link's #fragment never reaches location.search
    return dict(zip((case[1] for case in URL_CASES), read_links(queries), strict=True))


def python_notices(demo: str, params: dict) -> list[str]:
    """What the bridge says when the page creates ``demo``'s driver with ``params`` (as the worker would)."""
    payload = json.loads(bridge.handle(demo, "create", json.dumps({"params": params}))[0])
    assert "error" not in payload, payload
    return list(payload.get("notices", [])) + list(payload["snapshot"].get("notices", []))


@pytest.mark.parametrize(("kind", "case_id", "query", "demo", "message"), URL_CASES, ids=[c[1] for c in URL_CASES])
def test_a_hostile_link_is_named_and_changes_no_built_in(read_by_the_page, kind, case_id, query, demo, message):
    read = read_by_the_page[case_id]
    assert read["builtIns"], "reading the link changed a JavaScript built-in"
    assert not any(BIDI.search(notice) for notice in read["notices"]), read["notices"]
    said = list(read["notices"])
    if message is not None and not any(message in notice for notice in said):
        said += python_notices(demo, read["python"][demo])
    if message is not None:
        assert any(message in notice for notice in said), (message, said)
    for notice in said:  # a value is echoed cut short, never whole
        assert len(notice) < 400, notice[:120]


def test_the_runner_reports_what_a_plain_link_sets():
    """The runner is live: a plain link sets the value and gives no notice."""
    (read,) = read_links(["demo=bandit&epsilon=0.3"])
    assert read == {**read, "notices": [], "focus": "bandit", "builtIns": True}
    assert read["python"]["bandit"]["epsilon"] == "0.3"
