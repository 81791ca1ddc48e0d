"""What the page offers to reproduce, reproduces (issue 29): the native halves.

Reset to reference after edited code changed rlplay beyond its own function; the suggested baseline edit's effect.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from rlplay.algos import exploration
from rlplay.core import user_code
from rlplay.demos.cartpole import code as cartpole_code
from snapshots import bridge_payload

call = bridge_payload  # tests/snapshots.py


def bandit_figures(pulls: int) -> dict:
    call("bandit", "create", params={"seed": "0"})
    return call("bandit", "step", n=pulls)["snapshot"]["figures"]


# Edited code whose top level reaches past its own function: rlplay's exploration rules, the class every bandit lane
# draws from, and NumPy's argmax, which the fast path uses.
REACHING = (
    "import numpy\n"
    "import rlplay.algos.exploration as rules\n"
    "import rlplay.demos.bandit.driver as bandit_driver\n"
    "numpy.argmax = lambda a, *args, **kwargs: 0\n"
    "rules.ucb = lambda *args: 0\n"
    "bandit_driver.epsilon_greedy_batch = lambda Q, epsilon, u_explore, u_action, u_tie: numpy.zeros(Q.shape[:-1], dtype=numpy.int64)\n"
) + inspect.getsource(exploration.epsilon_greedy)


def test_reset_to_reference_gives_the_reference_run_after_edited_code_changed_rlplay_and_numpy():
    """The page's Reset to reference is reset_code, then reset and a replay to the step: it must give the reference
    run bit for bit. Edited code's top level replaced rlplay and NumPy functions for the worker's lifetime, so the
    'reference' run after a reset was another run (at 1,000 pulls regret 257.35 vs 45.97)."""
    original_argmax, original_ucb = np.argmax, exploration.ucb
    reference = bandit_figures(1000)
    try:
        call("bandit", "create", params={"seed": "0"})
        loaded = call("bandit", "set_code", name="epsilon_greedy", source=REACHING)
        assert "error" not in loaded, loaded
        assert np.argmax is not original_argmax  # the reach happened (edited code runs with rlplay's rights)
        call("bandit", "step", n=300)
        reset = call("bandit", "reset_code")
        assert set(reset["undone"]) == {
            "numpy.argmax",
            "rlplay.algos.exploration.ucb",
            "rlplay.demos.bandit.driver.epsilon_greedy_batch",
        }
        assert np.argmax is original_argmax and exploration.ucb is original_ucb
        call("bandit", "reset")
        assert call("bandit", "step", n=1000)["snapshot"]["figures"] == reference
    finally:
        user_code.restore_pristine()  # whatever happened, the next test sees rlplay as it is
    assert np.argmax is original_argmax


def test_reset_to_reference_with_nothing_reached_undoes_nothing():
    call("bandit", "create", params={"seed": "0"})
    call("bandit", "set_code", name="epsilon_greedy", source=inspect.getsource(exploration.epsilon_greedy))
    assert call("bandit", "reset_code")["undone"] == []


# ---- the suggested edit: delete `- baseline[:T]` from time_baseline_advantages ------------------------------------

NO_BASELINE_SEEDS = (0, 1, 2, 3)
NO_BASELINE_STEPS = 400_000


def cartpole_run(algo: str, seed: int, edits: dict, max_steps: int) -> dict:
    call("cartpole", "create", params={"algo": algo, "seed": str(seed)})
    for name, source in edits.items():
        assert "error" not in call("cartpole", "set_code", name=name, source=source)
    figures = {}
    while not figures or (figures["steps"] < max_steps and figures["solved-at-episode"] < 0):
        figures = call("cartpole", "step", n=min(20_000, max_steps - figures.get("steps", 0)))["snapshot"]["figures"]
    return figures


@pytest.mark.slow
def test_the_suggested_baseline_edit_does_what_the_code_panel_and_readme_say():
    """Slow (~4 min): four seeds of 400,000 cart-pole steps with edited code (the plain reference loop).

    The Code panel and the README said deleting ``- baseline[:T]`` makes REINFORCE + baseline learn 'as the seed's
    REINFORCE does'. It does not: the edit keeps this learner's gradient clipping (norm 1), which the seed's REINFORCE
    does not have: on these four seeds it solves only seed 2 within 400,000 steps, collapses to one action on seeds 0
    and 3 (mean length about 9) and reaches a mean of about 154 on seed 1, while the seed's REINFORCE solves all four
    by episode 1,150. The text now says so (rlplay.demos.cartpole.code, README); this checks it on its seeds."""
    reference = inspect.getsource(cartpole_code.EDITABLE["time_baseline_advantages"].reference)
    edited = reference.replace("    adv = ret - baseline[:T]\n", "    adv = ret\n")
    assert edited.count("adv = ret\n") == 1
    outcomes = {}
    for seed in NO_BASELINE_SEEDS:
        raw = cartpole_run("reinforce-baseline", seed, {"time_baseline_advantages": edited}, NO_BASELINE_STEPS)
        seed_reinforce = cartpole_run("reinforce", seed, {}, NO_BASELINE_STEPS)
        outcomes[seed] = (raw["solved-at-episode"], raw["mean-length-100"], seed_reinforce["solved-at-episode"])
    solved_by_edit = [seed for seed, (solved, _, _) in outcomes.items() if solved >= 0]
    assert solved_by_edit == [2], outcomes
    collapsed = [seed for seed, (solved, mean, _) in outcomes.items() if solved < 0 and mean < 10]
    assert collapsed == [0, 3], outcomes
    assert 100 < outcomes[1][1] < 475, outcomes  # README: "a mean length of 154 on seed 1"
    assert all(0 <= seed_solved <= 1150 for _, _, seed_solved in outcomes.values()), outcomes


# ---- the same edited code fails the same way: a singular matrix ---------------------------------------------------

SINGULAR = (
    "import numpy as np\n"
    "def ucb(q, n, t, c, u_tie):\n"
    "    np.linalg.inv(np.array([[1.0, 2.0], [2.0, 4.0]]))\n"
    "    return 0\n"
)


def singular_error() -> dict:
    """What the bridge says when edited code inverts a singular matrix (tests/e2e/test_reproduces.py asks the page)."""
    call("bandit", "create", params={"seed": "0"})
    assert "error" not in call("bandit", "set_code", name="ucb", source=SINGULAR)
    error = call("bandit", "step", n=5)["error"]
    return {key: error[key] for key in ("kind", "function", "code_error", "message", "line")}


def test_a_singular_matrix_in_edited_code_is_an_error_natively():
    assert singular_error() == {
        "kind": "code",
        "function": "ucb",
        "code_error": "exception",
        "message": "LinAlgError: Singular matrix",
        "line": 3,
    }


def test_the_browser_shim_raises_what_native_numpy_raises():
    """NumPy on Pyodide returns inf/NaN for these; lapack_errors makes them raise as native NumPy does."""
    from rlplay.app import lapack_errors

    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for name, message in lapack_errors.NATIVE_ERRORS.items():
        if name in ("inv", "cholesky"):
            with pytest.raises(np.linalg.LinAlgError, match=f"^{message}$"):
                getattr(np.linalg, name)(singular if name == "inv" else -np.eye(2))
    as_in_pyodide = lapack_errors.lapack_like(lambda a: np.full(a.shape, np.nan), "Singular matrix")
    with pytest.raises(np.linalg.LinAlgError, match="^Singular matrix$"):
        as_in_pyodide(singular)
    assert np.array_equal(as_in_pyodide.__wrapped__(np.eye(2)), np.full((2, 2), np.nan), equal_nan=True)
    finite = lapack_errors.lapack_like(np.linalg.inv, "Singular matrix")
    assert np.array_equal(finite(np.eye(2)), np.eye(2))
    nan_in = lapack_errors.lapack_like(lambda a: a, "Singular matrix")
    assert np.isnan(nan_in(np.array([np.nan]))[0])  # NaN in, NaN out: not LAPACK's doing, passed on as it is
    assert lapack_errors.install() is False  # natively nothing is wrapped
