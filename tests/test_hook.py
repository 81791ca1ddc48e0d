"""The end-to-end tests touch the page only through the documented test hook (ARCHITECTURE.md, "The test hook").

A test that reads a controller's private field breaks silently when the controller is refactored; the hook is the
one surface that is kept stable. This reads every ``window.rlplay.…`` path the e2e tests use and checks each against
the table in ARCHITECTURE.md, so the document and the tests cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
E2E = ROOT / "tests" / "e2e"
FIXTURE_ONLY: set[str] = set()  # e2e files whose page is a fixture with its own hook (none now: the toy runs for real)
USE = re.compile(r"window\.rlplay((?:\??\.[A-Za-z_]\w*)*)")


def documented_members() -> set[str]:
    """The members named in the first column of ARCHITECTURE.md's test-hook table, e.g. ``registry.get``."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    section = text.split("**The test hook.**", 1)[1].split("\n\n## ", 1)[0]
    members = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            members.update(re.sub(r"\(.*?\)", "", name) for name in re.findall(r"`([^`]+)`", first_cell))
    return members


def hook_uses(source: str) -> set[str]:
    """Every ``window.rlplay.a.b`` path in a test's source, as ``a.b`` (a bare ``window.rlplay`` as "")."""
    return {match.group(1).replace("?.", ".").lstrip(".") for match in USE.finditer(source)}


def allowed(path: str, members: set[str]) -> bool:
    return path == "" or any(path == m or path.startswith(m + ".") for m in members)


def test_the_table_parses():
    members = documented_members()
    assert {"inspect", "open", "registry.get", "registry.set", "registry.page", "runtime.worker"} <= members


def test_a_private_field_is_caught():
    members = documented_members()
    uses = hook_uses("page.evaluate(\"window.rlplay.controllers.get('gridworld').snapshot.config.seed\")")
    assert uses == {"controllers.get"}
    assert not allowed("controllers.get", members)
    assert allowed("registry.page.embed", members)
    assert not allowed("registryX", members)
    assert hook_uses('window.rlplay?.widgets?.get("x")?.data') == {"widgets.get"}


def test_e2e_tests_use_only_the_documented_hook():
    members = documented_members()
    offenders = {
        f"{path.name}: window.rlplay.{use}"
        for path in sorted(E2E.glob("*.py"))
        if path.name not in FIXTURE_ONLY
        for use in hook_uses(path.read_text())
        if not allowed(use, members)
    }
    assert not offenders, sorted(offenders)
