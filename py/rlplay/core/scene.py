"""Scenes: a lesson's claim in one sentence and the exact setup of a demo that shows it, declared once.

A scene is declared beside its demo's settings (``rlplay/demos/<demo>/scenes.py``, ``SCENES``) and read by everyone
that stages it: the page (``web/params.json``'s ``scenes``, opened by ``?scene=NAME``), the CLI (``python -m rlplay
DEMO --scene NAME`` runs it natively and prints the claim's figures), and the tests (each claim checked over seeds).

    Scene(name="cliff-sarsa-vs-q", demo="gridworld",
          claim="On the cliff, SARSA's online return beats Q-learning's: ...",
          settings=(("preset", "cliff"), ("compare", "sarsa"), ...),   # config fields, as in a link
          compare=("q-learning", "sarsa"),                               # the learners compared, by name
          seeds=50, overlays=("show_path", ...), speed="max",
          highlight=(("average-return-a", "Q-learning"), ...))          # the figures the claim is about

``settings`` are the demo config's fields as URL strings (a link's ``?preset=cliff&...``); everything not named keeps
its default. ``command`` is a bridge command the scene starts after ``create`` (the cart-pole's seed comparison),
with its JSON-able ``command_args``. ``steps`` is the work the scene runs before its claim is read (0: until the
demo's own end, e.g. an averaging job or a comparison finishing). ``overlays`` and ``speed`` are the page's own
controls (UI fields), the switches the scene turns on; ``hidden`` the switches it turns off (the bandit's lanes
the claim is not about, so the picture shows only its comparison); ``highlight`` names the figures (``data-stat``
names) the claim is read from, each with the label the page and the CLI print. ``legend`` is a sentence the page
shows beside the picture (how something drawn was chosen, e.g. which greedy path).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # a scene's name is safe in a URL and a shell as it is


@dataclass(frozen=True)
class Scene:
    name: str
    demo: str
    claim: str
    settings: tuple[tuple[str, str], ...] = ()
    compare: tuple[str, ...] = ()
    seeds: int = 1
    command: str = ""
    command_args: tuple[tuple[str, object], ...] = ()
    steps: int = 0
    overlays: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    speed: str = ""
    highlight: tuple[tuple[str, str], ...] = ()
    legend: str = ""
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self):
        if not NAME.fullmatch(self.name):
            raise ValueError(f"a scene's name is lower-case words joined by '-', got {self.name!r}")
        if not self.claim.strip() or not self.claim.rstrip().endswith("."):
            raise ValueError(f"scene {self.name}: the claim is one sentence, ending with a full stop")

    def params(self) -> dict[str, str]:
        """The config fields the scene sets, as a link carries them."""
        return dict(self.settings)

    def describe(self) -> dict:
        """The scene for the page (``web/params.json``)."""
        out = {
            "name": self.name,
            "demo": self.demo,
            "claim": self.claim,
            "settings": self.params(),
            "compare": list(self.compare),
            "seeds": self.seeds,
            "steps": self.steps,
            "overlays": list(self.overlays),
            "hidden": list(self.hidden),
            "speed": self.speed,
            "highlight": [{"figure": figure, "label": label} for figure, label in self.highlight],
            "legend": self.legend,
        }
        if self.command:
            out["command"] = {"name": self.command, "args": dict(self.command_args)}
        return out


def scene_names(*groups) -> dict:
    """One dict of scenes by name from several groups; a name declared twice is a ``ValueError``."""
    out: dict = {}
    for group in groups:
        for scene in group:
            if scene.name in out:
                raise ValueError(f"scene {scene.name!r} is declared twice")
            out[scene.name] = scene
    return out


def lookup(scenes: dict, name: str, demo: str | None = None):
    """The scene called ``name`` (of ``demo``, if given); a ``ValueError`` naming the choices otherwise."""
    scene = scenes.get(name) if isinstance(name, str) else None
    if scene is None or (demo is not None and scene.demo != demo):
        offered = sorted(n for n, s in scenes.items() if demo is None or s.demo == demo)
        shown = repr(name[:40]) if isinstance(name, str) else repr(type(name).__name__)
        where = f"the {demo} demo has" if demo else "there is"
        raise ValueError(f"{where} no scene {shown}; choose one of {', '.join(offered) or '(none)'}")
    return scene
