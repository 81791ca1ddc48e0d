"""Every overlay a scene declares (py/rlplay/demos/<demo>/scenes.py) is a switch the page has: a boolean UI field of
the demo's controller (read from web/demos/<demo>/<demo>.js under node), or a part the page shows for it by name. A
misspelt one (the bandit's "log_x" for its "logx") opened the scene without what its claim needs, silently."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from rlplay import demos

ROOT = Path(__file__).resolve().parents[1]
SHOWN_BY_NAME = {"clip_explorer"}  # the PPO clip explorer, a widget beside the cart-pole (web/scenes.js: elsewhere)
UI_FIELDS = """
const web = new URL("web/", "file://" + process.argv[1] + "/");
const out = {};
for (const demo of JSON.parse(process.argv[2])) {
  const module = await import(new URL(`demos/${demo}/${demo}.js`, web));
  out[demo] = (module.default.uiFields ?? []).filter((f) => f.type === "bool").map((f) => f.name);
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def switches() -> dict[str, list[str]]:
    names = [demo for demo in demos.DEMOS if (ROOT / "web" / "demos" / demo / f"{demo}.js").exists()]
    out = subprocess.run(
        ["node", "--input-type=module", "-e", UI_FIELDS, str(ROOT), json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_every_scene_overlay_is_a_switch_the_page_has(switches):
    contract = json.loads((ROOT / "web" / "contract.json").read_text())
    checked = 0
    for demo, part in contract.items():
        for name, scene in part.get("scenes", {}).items():
            for overlay in scene.get("overlays", []):
                assert overlay in set(switches.get(demo, [])) | SHOWN_BY_NAME, (demo, name, overlay)
                checked += 1
            for switch in scene.get("hidden", []):  # turned off: a switch of the demo's own (no part by name)
                assert switch in switches.get(demo, []), (demo, name, switch)
                checked += 1
    assert checked >= 5
    assert "logx" in switches["bandit"] and "show_optimal" in switches["gridworld"]
