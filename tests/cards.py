"""Open Graph / Twitter card images: a real screenshot of each demo, embedded alone at 1200×630 (the size the cards
use), after replaying a seeded run to a fixed step so that the picture shows learning. Run by `python3 build.py
cards`; writes web/img/card-<demo>.png (committed; the build copies them into dist/ with the per-demo pages that
name them, see build.py demo_pages).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("rlplay_build", ROOT / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

# A seeded run replayed to a step (steps= in a link): the same picture on every run of this command.
CARDS = {
    "gridworld": "seed=0&steps=2500",
    "bandit": "seed=0&steps=400&reveal=1",
    "cartpole": "seed=0&steps=30000",
}


def main() -> int:
    executable = os.environ.get("CHROMIUM_PATH") or build.find_chromium()
    server, url = build.start_server(build.DIST, 0)
    out = ROOT / "web" / "img"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=build.CHROMIUM_FLAGS)
            for demo, query in CARDS.items():
                page = browser.new_page(viewport={"width": 1200, "height": 630})
                page.goto(f"{url}?demo={demo}&embed=1&{query}")
                page.locator(f'[data-demo="{demo}"][data-status="ready"]').wait_for(timeout=180_000)
                # The "Replayed the shared run…" notice is for a reader of the link, not for a card.
                page.evaluate(f"window.rlplay.controllers.get('{demo}').clearNotices()")
                page.wait_for_timeout(800)  # a few frames: the views draw the replayed state
                path = out / f"card-{demo}.png"
                page.screenshot(path=str(path))
                print(f"wrote {path.relative_to(ROOT)}", flush=True)
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
