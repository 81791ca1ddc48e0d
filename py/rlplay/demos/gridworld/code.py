"""The gridworld's Code panel: its learning rules' update functions (editable), its action selectors (shown), and the
last update with its numbers, e.g. ``Q(2,3,→) ← 0.520 + 0.5 × (−0.01 + 0.99 × 0.781 − 0.520) = 0.641``.

Which code runs. The rules call their update function by its module-level name (``QLearning.after_step`` calls
``q_learning_update``, Dyna-Q's planning calls it too), so an edited version runs by putting it under that name for
the length of a call (``CodeSlots.patched``), in the shared loop ``TabularAgent.run``. With the reference code,
Q-learning runs its fast twin ``QLearning.run`` (same numbers, tested in ``tests/test_tabular_rules.py`` and
``tests/test_code.py``).

The last update costs nothing at speed: ``advance(n)`` runs n − 1 steps as usual, then the last one in the shared
loop with the update function wrapped to note its arguments and the value before and after. Only that step is
described; the run is the same as without it (a test cuts runs into many chunk sizes).

The selectors are shown, not edited, here: the shared loop inlines ε-greedy's random branch for speed, so an edited
``epsilon_greedy`` would run on only some steps. The bandit demo runs the same three functions and edits them.
"""

from __future__ import annotations

import copy
import functools
import importlib
import inspect
import math

from rlplay.algos import expected_sarsa, monte_carlo, n_step_sarsa, q_learning, sarsa
from rlplay.algos.dyna_q import dyna_q_planning
from rlplay.algos.exploration import epsilon_greedy, softmax, ucb
from rlplay.algos.tabular import TabularAgent
from rlplay.core.user_code import CodeSlots, Editable, UserCodeError
from rlplay.envs.gridworld import ACTION_ARROWS

_FAST_TWIN = (
    "With the reference code the demo runs QLearning.run, its fast twin; tests prove both give the same Q bit for bit."
)
_SHOWN_ONLY = "shown here; edit it in the bandit demo, which runs the same function"


def _check_update(result, args) -> str | None:
    Q = args[0]
    if result is not None and (isinstance(result, bool) or not isinstance(result, (int, float))):
        return f"must return a number (δ) or nothing; got {type(result).__name__} {result!r:.40}"
    # one-step rules change Q[s] (args[1] is s): that row is checked at every call; Monte Carlo and planning, all of Q
    rows = [args[1]] if isinstance(args[1], int) and not isinstance(args[1], bool) else range(len(Q))
    for s in rows:
        for a, value in enumerate(Q[s]):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return f"Q[{s}][{a}] must stay a number; got {type(value).__name__} {value!r:.40}"
            if not math.isfinite(value):
                return f"Q[{s}][{a}] is {value} (NaN or infinite): the update must keep every value finite"
    return None


def _update(function, module, role, twin="", extra_patch=()) -> Editable:
    return Editable(
        function,
        _check_update,
        twin,
        role,
        patch=((module.__name__, function.__name__), *extra_patch),
    )


EDITABLE = {
    "q_learning_update": _update(
        q_learning.q_learning_update,
        q_learning,
        "Q-learning's update (and Dyna-Q's, real and planned)",
        _FAST_TWIN,
        extra_patch=(("rlplay.algos.dyna_q", "q_learning_update"),),
    ),
    "sarsa_update": _update(sarsa.sarsa_update, sarsa, "SARSA's update"),
    "expected_sarsa_update": _update(expected_sarsa.expected_sarsa_update, expected_sarsa, "Expected SARSA's update"),
    "n_step_sarsa_update": _update(n_step_sarsa.n_step_sarsa_update, n_step_sarsa, "n-step SARSA's update"),
    "monte_carlo_update": _update(monte_carlo.monte_carlo_update, monte_carlo, "Monte Carlo's update, once an episode"),
    "dyna_q_planning": Editable(
        dyna_q_planning,
        _check_update,
        "",
        "Dyna-Q's planning steps",
        patch=(("rlplay.algos.dyna_q", "dyna_q_planning"),),
    ),
    "epsilon_greedy": Editable(epsilon_greedy, role=f"ε-greedy action selection, {_SHOWN_ONLY}", editable=False),
    "softmax": Editable(softmax, role=f"softmax action selection, {_SHOWN_ONLY}", editable=False),
    "ucb": Editable(ucb, role=f"UCB action selection, {_SHOWN_ONLY}", editable=False),
}

# the functions shown for each rule, its update first
RULE_FUNCTIONS = {
    "q-learning": ("q_learning_update",),
    "sarsa": ("sarsa_update",),
    "expected-sarsa": ("expected_sarsa_update",),
    "n-step-sarsa": ("n_step_sarsa_update",),
    "monte-carlo": ("monte_carlo_update",),
    "dyna-q": ("q_learning_update", "dyna_q_planning"),
}
SELECTORS = {"epsilon-greedy": "epsilon_greedy", "softmax": "softmax", "ucb": "ucb"}


def new_slots() -> CodeSlots:
    return CodeSlots(EDITABLE)


def code_names(algo: str, explore: str) -> list[str]:
    """What the panel shows for ``algo`` with ``explore``: the rule's functions, then the selector in use."""
    return [*RULE_FUNCTIONS.get(algo, ()), SELECTORS.get(explore, "epsilon_greedy")]


# -- the last update -----------------------------------------------------------------------------------------------
def _number(value: float) -> str:
    """3 decimals with a real minus sign, as the page prints Q."""
    return f"{value:.3f}".replace("-", "−")


@functools.cache
def _reference_source(name: str) -> str:
    return inspect.getsource(EDITABLE[name].reference)


@functools.lru_cache(maxsize=64)
def update_line(source: str) -> int:
    """The 1-based line of ``source`` (the version that runs, as the editor shows it) that changes Q: the one the
    panel highlights; 0 if none does (an edit that changes Q another way)."""
    for number, line in enumerate(source.splitlines(), 1):
        if "Q[s][a] +=" in line:
            return number
    return 0


def describe_update(env, name: str, args: tuple, before: float | None, after: float | None) -> str:
    """The update with its numbers, for the one-step rules; a summary for the others."""
    if name in ("q_learning_update", "sarsa_update", "expected_sarsa_update", "n_step_sarsa_update"):
        Q, s, a = args[0], args[1], args[2]
        row, col = env.cell_of(s)
        alpha = args[-2] if name != "expected_sarsa_update" else args[6]
        gamma = args[-1] if name != "expected_sarsa_update" else args[7]
        head = f"Q({row},{col},{ACTION_ARROWS[a]}) ← {_number(before)} + {alpha:g} × ("
        if name == "n_step_sarsa_update":
            target = before + (after - before) / alpha if alpha else before
            return f"{head}G − {_number(before)}) = {_number(after)},  G = {_number(target)} ({len(args[3])} rewards)"
        r = args[3]
        if name == "q_learning_update":
            terminated, bootstrap = args[5], f"{gamma:g} × {_number(max(Q[args[4]]))}"
        elif name == "sarsa_update":
            terminated, bootstrap = args[6], f"{gamma:g} × {_number(Q[args[4]][args[5]])}"
        else:
            terminated, bootstrap = args[5], f"{gamma:g} × {_number(args[8])}"
        target = _number(r) if terminated else f"{_number(r)} + {bootstrap}"
        return f"{head}{target} − {_number(before)}) = {_number(after)}"
    if name == "monte_carlo_update":
        episode = args[1]
        return f"Monte Carlo: {len(episode)} updates from the episode's returns, G₀ = {_number(after)}"
    return f"{name}: planning updates"


def advance(driver, n: int) -> int:
    """``n`` steps of ``driver.agent`` with the code in ``driver.code``; notes the last update in
    ``driver.last_update`` (``{"function", "text", "line"}``)."""
    agent: TabularAgent = driver.agent
    slots: CodeSlots = driver.code
    if n <= 0:
        return 0
    if slots.edited:
        slots.bind_rng(agent.uniforms.rng)  # edited code's ``rng``: the run's own generator
        saved = copy.deepcopy(agent, {id(agent.env): agent.env})  # the world is shared, not copied
        try:
            with slots.patched():
                ran = TabularAgent.run(agent, n - 1) if n > 1 else 0
                ran += _recorded_step(driver)
        except UserCodeError:
            driver.agent = saved  # the state the page last saw, whole
            raise
        return ran
    ran = agent.run(n - 1) if n > 1 else 0
    return ran + _recorded_step(driver)


def run_episode(driver, max_steps: int) -> int:
    """The rest of the current episode (at most ``max_steps``), in the shared loop if the code is edited (the
    bridge has put the edited functions in place)."""
    agent = driver.agent
    if driver.code.edited:
        return TabularAgent.run(agent, max_steps, stop_at_episode_end=True)
    return agent.run(max_steps, stop_at_episode_end=True)


def _recorded_step(driver) -> int:
    """One step in the shared loop, its update function wrapped to note what it did."""
    agent = driver.agent
    algo = driver.config.algo
    names = RULE_FUNCTIONS.get(algo, ())
    notes = []
    saved = []
    for name in names:
        for module_name, attribute in EDITABLE[name].patch:
            module = importlib.import_module(module_name)
            function = getattr(module, attribute)
            saved.append((module, attribute, function))
            setattr(module, attribute, _noting(name, function, notes))
    try:
        ran = TabularAgent.run(agent, 1)
    finally:
        for module, attribute, function in reversed(saved):
            setattr(module, attribute, function)
    if notes:
        # the step's own update (Dyna-Q's planning updates come after it)
        name, args, before, after = notes[0]
        driver.last_update = {
            "function": name,
            "text": describe_update(driver.env, name, args, before, after),
            "line": update_line(driver.code.sources.get(name) or _reference_source(name)),
        }
    return ran


def _noting(name: str, function, notes: list):
    def call(*args):
        if name == "monte_carlo_update" or name == "dyna_q_planning":
            result = function(*args)
            notes.append((name, args, None, result))
            return result
        Q, s, a = args[0], args[1], args[2]
        before = Q[s][a]
        result = function(*args)
        notes.append((name, args, before, Q[s][a]))
        return result

    return call
