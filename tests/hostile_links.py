"""Hostile links: the table of URL cases, one class of hostile input each (the classes and their counts are in
tests/e2e/test_robustness.py's docstring). Each case is (id, query, demo, expected message fragment; None = no message
is owed, the demo must simply work).

Where each runs: tests/test_hostile_links.py reads every case through the page's state registry under node (the
message the registry gives, built-ins intact, no raw bidi control) or through Python's bridge (the messages Python
gives, e.g. a 1x1 grid); tests/e2e/test_robustness.py opens one case of each class in the browser, where the message
must show and the demo must still train.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import zlib
from pathlib import Path

LONG = "9" * 5000
RLO = "%E2%80%AE"  # U+202E RIGHT-TO-LEFT OVERRIDE, percent-encoded as a link carries it


def packed(text: str) -> str:
    """A code link's parameter made by hand: base64url of deflate-raw, with no check of what it holds."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = deflate.compress(text.encode()) + deflate.flush()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def code_link(demo: str, name: str) -> str:
    return packed(json.dumps({"demo": demo, "loads": [[0, name, "def f():\n    return 0\n"]]}))


# class -> [(id, query, demo, expected message fragment; None = no message is owed, the demo must simply work)]
CASES = {
    "bad-value": [
        ("seed-nan", "demo=gridworld&seed=NaN", "gridworld", "Ignored seed=“NaN”: seed must be a number."),
        ("seed-negative", "demo=gridworld&seed=-5", "gridworld", "Ignored seed=“-5”: seed must be at least 0."),
        ("seed-huge", "demo=gridworld&seed=1e99", "gridworld", "seed must be at most 2147483647"),
        ("seed-long", f"demo=gridworld&seed={LONG}", "gridworld", "seed must be a number"),
        ("alpha-word", "demo=gridworld&alpha=abc", "gridworld", "Ignored alpha=“abc”: alpha must be a number."),
        ("alpha-above-1", "demo=gridworld&alpha=1.5", "gridworld", "alpha must be at most 1"),
        ("gamma-negative", "demo=gridworld&gamma=-0.1", "gridworld", "gamma must be at least 0"),
        ("epsilon-infinity", "demo=gridworld&epsilon=Infinity", "gridworld", "epsilon must be a number"),
        ("epsilon-empty", "demo=gridworld&epsilon=", "gridworld", "epsilon must be a number"),
        ("speed-unknown", "demo=gridworld&speed=warp", "gridworld", "speed must be one of"),
        (
            "explore-unknown",
            "demo=gridworld&explore=greedy",
            "gridworld",
            "explore must be one of epsilon-greedy, softmax, ucb",
        ),
        ("unknown-param", "demo=gridworld&foo=bar", "gridworld", "Ignored unknown parameter “foo”."),
        (
            "script-in-choice",
            "demo=gridworld&preset=<script>alert(1)</script>",
            "gridworld",
            "Ignored preset=“<script>alert(1)</script>”",
        ),
        (
            "markup-in-walls",
            "demo=gridworld&walls=<img src=x onerror=alert(1)>",
            "gridworld",
            "walls must be - (none) or cells row.col",
        ),
        ("markup-in-demo", "demo=<b>bold</b>", "gridworld", "Ignored demo=“<b>bold</b>”"),
        ("markup-in-hide", "demo=bandit&hide=<svg/onload=alert(1)>", "bandit", None),
        ("embed-word", "demo=bandit&embed=maybe", "bandit", "Ignored embed=“maybe”: embed must be 1 or 0."),
        ("grid-1x1", "demo=gridworld&size=1", "gridworld", "a 1x1 grid has no room for a start and a goal"),
        ("goal-walled-off", "demo=gridworld&size=5&walls=3.4_4.3", "gridworld", "cannot be reached"),
        ("start-on-wall", "demo=gridworld&size=5&walls=0.0", "gridworld", "is on a wall"),
        ("start-off-grid", "demo=gridworld&start=99.99", "gridworld", "ignored start='99.99'"),
        ("walls-too-long", f"demo=gridworld&walls={'1.1_' * 600}", "gridworld", "walls is too long"),
        ("prefixed-bad-value", "gridworld.alpha=0.3&bandit.c=abc", "bandit", "Ignored c=“abc”: c must be a number."),
        ("arms-1", "demo=bandit&arms=1", "bandit", "arms must be at least 2"),
        ("arms-11", "demo=bandit&arms=11", "bandit", "arms must be at most 10"),
        ("runs-0", "demo=bandit&runs=0", "bandit", "runs must be at least 1"),
        ("horizon-negative", "demo=bandit&horizon=-10", "bandit", "horizon must be at least"),
        ("arms-fraction", "demo=bandit&arms=2.5", "bandit", "arms must be a whole number"),
        ("algo-unknown", "demo=cartpole&algo=td3", "cartpole", "algo must be one of"),  # dqn is a real choice now
        ("hidden-huge", "demo=cartpole&hidden=100000", "cartpole", "hidden must be at most"),
        ("gamma-above-1", "demo=cartpole&gamma=1.5", "cartpole", "gamma must be at most"),
        ("hash-markup", "demo=cartpole#<img src=x onerror=alert(1)>", "cartpole", None),
        # Valid but degenerate settings: they run, and the page says what they mean.
        ("alpha-zero", "demo=gridworld&alpha=0", "gridworld", "α = 0: Q never changes, nothing is learned"),
        ("epsilon-one", "demo=gridworld&epsilon=1", "gridworld", "ε = 1"),
        ("gamma-one", "demo=gridworld&gamma=1", "gridworld", None),
        ("ucb-c-zero", "demo=bandit&c=0", "bandit", "UCB with c = 0"),
        ("softmax-tau-min", "demo=bandit&tau=0.01", "bandit", "softmax ≈ greedy"),
        ("bandit-epsilon-one", "demo=bandit&epsilon=1", "bandit", "ε = 1: ε-greedy pulls arms at random"),
        # Python's notice names a 2000-character value by its first 40 (it pasted the whole value back, twice).
        ("python-echo-cut", f"demo=gridworld&walls=<{'9' * 1990}>", "gridworld", f"ignored walls='<{'9' * 39}…'"),
    ],
    "prototype-path": [
        (
            "constructor-entries",
            "constructor.entries=1",
            "gridworld",
            "Ignored unknown parameter “constructor.entries”",
        ),
        ("proto-tostring", "__proto__.toString=1", "gridworld", "Ignored “__proto__.toString”: not a setting name."),
        (
            "demo-proto-x",
            "gridworld.__proto__.x=1",
            "gridworld",
            "Ignored “gridworld.__proto__.x”: not a setting name.",
        ),
        ("proto-bracket", "demo=bandit&__proto__[polluted]=1", "bandit", "not a setting name"),
        ("constructor-prototype", "demo=cartpole&constructor.prototype.x=1", "cartpole", "not a setting name"),
        (
            "has-own-property",
            "demo=gridworld&hasOwnProperty=1",
            "gridworld",
            "Ignored “hasOwnProperty”: not a setting name.",
        ),
        ("demo-constructor", "bandit.constructor=1", "bandit", "Ignored unknown parameter “bandit.constructor”"),
        ("demo-is-proto", "demo=__proto__", "gridworld", "Ignored demo=“__proto__”"),
    ],
    "duplicate": [
        ("seed-twice", "demo=gridworld&seed=3&seed=4", "gridworld", "“seed” given twice; using the first."),
        ("seed-two-names", "demo=gridworld&seed=3&gridworld.seed=4", "gridworld", "both set gridworld.seed"),
        ("demo-twice", "demo=bandit&demo=gridworld", "bandit", "“demo” given twice; using the first."),
        ("steps-twice", "demo=bandit&steps=5&steps=9", "bandit", "“steps” given twice; using the first."),
    ],
    "invisible": [
        ("rlo-in-name", f"demo=gridworld&se{RLO}ed=1", "gridworld", "Ignored “se⟨U+202E⟩ed”: not a setting name."),
        ("rlo-in-value", f"demo=gridworld&alpha=0.{RLO}5", "gridworld", "Ignored alpha=“0.⟨U+202E⟩5”"),
        ("zero-width-in-value", "demo=bandit&arms=%E2%80%8B3", "bandit", "Ignored arms=“⟨U+200B⟩3”"),
        ("newline-in-walls", "demo=gridworld&walls=1.1%0A%E2%81%A7x", "gridworld", "walls must be"),
    ],
    "flood": [
        (
            "many-parameters",
            "demo=gridworld&" + "&".join(f"x{i}=1" for i in range(3000)),
            "gridworld",
            "only the first 100 were read",
        ),
        ("huge-value", f"demo=bandit&hide={'a' * 50_000}", "bandit", "hide is too long"),
    ],
}
CASES["code-link"] = [
    # 10 MB of spaces packs into ~13,000 characters: cut at 100 kB while it inflates
    ("bomb", f"demo=gridworld&code={packed(' ' * 10_000_000)}", "gridworld", "more than 100,000 bytes once unpacked"),
    ("bidi-name", f"demo=gridworld&code={code_link('gridworld', 'q_learning' + chr(0x202E) + 'update')}", "gridworld",
     "not in the expected form"),
    ("proto-name", f"demo=gridworld&code={code_link('gridworld', '__proto__')}", "gridworld",
     "is for __proto__, which the gridworld demo does not let you edit here"),
    ("embed", f"demo=bandit&embed=1&code={code_link('bandit', 'ucb')}", "bandit", "an embed does not show or run"),
    ("no-demo", "code=%25%25", "gridworld", "Ignored code: the code parameter is not a code link"),
]  # fmt: skip
ALL_CASES = [(name, *case) for name, cases in CASES.items() for case in cases]

# The page's text must never carry these raw, whatever the URL held (bidi embeddings, overrides and isolates).
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
BUILT_INS_INTACT = """() => {
    const probe = {a: 1};
    return typeof Object.entries === "function" && Object.entries(probe).length === 1
        && probe.toString() === "[object Object]" && probe.polluted === undefined && probe.x === undefined
        && typeof Object.prototype.hasOwnProperty === "function" && Array.prototype.polluted === undefined;
}"""


RUNNER = Path(__file__).resolve().parent / "js" / "links_runner.mjs"


def read_links(queries: list[str]) -> list[dict]:
    """Each query read by the page's state registry (web/state.js) under node, in one node process: its notices, the
    Python settings it would send to each demo's ``create``, the focus demo, whether built-ins are intact."""
    out = subprocess.run(
        ["node", str(RUNNER)], input=json.dumps(queries), capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout)
