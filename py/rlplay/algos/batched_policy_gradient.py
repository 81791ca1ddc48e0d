"""Policy-gradient runs trained together: R cart-pole runs (seeds × algorithms) stepped as one NumPy computation.

    every step, for all runs r at once:
        d_r = l_1 − l_0,  l = relu(s_r W1_r + b1_r) W2_r + b2_r               (the (R, 4, H) batch of policies)
        a_r = right if u_r < π_r(right|s_r) = σ(d_r), i.e. if d_r > logit(u_r)   (u_r: run r's own next uniform)
        s_r ← CartPole(s_r, a_r)                                                   (``rlplay.envs.cartpole_batch``)
    when run r's episode ends:
        run r's learner updates on that episode, by its own code (REINFORCE: G_t; actor-critic: GAE from its critic)

Why: a lone run spends most of its time on per-step overhead (a handful of NumPy calls to pick an action, a dozen
lines of Python physics), not arithmetic. Stepping R runs as arrays pays that overhead once for all R; a run that
stops (solved, out of episodes, or diverged) leaves the batch, so the others' steps no longer carry it.

Each run is the run a lone driver makes with the same seeds: its learner is built and updated by the algorithm's
own class (``Reinforce``, ``ActorCritic``), its start states come from its own generator, and its action uniforms
are drawn from its own generator, one a step, as ``exploration.Uniforms`` hands them out. Only the test that picks the
action is computed differently: ``u < σ(d)`` becomes ``d > logit(u)`` (the same test in exact arithmetic; the logits
of a block of uniforms cost one NumPy call), with d = h · (W2[:, 1] − W2[:, 0]) + (b2[1] − b2[0]) from stacked
``np.matmul``/``np.vecdot``, where ``MLP.forward_one`` takes ``np.dot`` and ``sample_two_actions`` ``math.exp``.
Rounding differs in the last bit, which changes an action only if the uniform lands within ~1e-16 of π(right|s); so
in practice every episode, every update and every weight is the same bits as the lone run's (the tests check whole
runs).

A run stops once it is solved (the mean length of its last ``solved_window`` episodes reaches
``solved_mean_length``), after ``max_episodes`` episodes, or if its update diverges (NaN or infinity).
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from rlplay.algos.actor_critic import ActorCritic
from rlplay.algos.nn import log
from rlplay.algos.reinforce import Reinforce, unit_reward_returns
from rlplay.envs.cartpole_batch import HISTORY, CartPoleBatch

_ZERO = np.array(0.0)
BATCHABLE = (Reinforce, ActorCritic)  # learners that update once per finished episode, with a two-action policy


def policy_network(learner):
    """The learner's policy MLP (REINFORCE's ``policy``, actor-critic's ``actor``)."""
    networks = learner.networks()
    return networks["policy"] if "policy" in networks else networks["actor"]


class BatchedPolicyGradient:
    """Train ``learners[r]`` on a cart-pole whose starts come from ``env_seeds[r]`` and whose action uniforms come
    from ``action_seeds[r]``, all runs at once. ``advance(n)`` takes n steps of the batch.

    Read-outs, per run (in the order given): ``episode_lengths[r]``, ``solved_at[r]`` (the episode count when
    solved, else −1), ``diverged_at[r]`` (the update that diverged, else −1), ``steps[r]``, ``training[r]``.
    """

    def __init__(
        self,
        learners,
        env_seeds,
        action_seeds,
        *,
        max_episodes: int,
        solved_mean_length: float,
        solved_window: int,
        block: int = 1024,
    ):
        if not len(learners) == len(env_seeds) == len(action_seeds):
            raise ValueError("give one env seed and one action seed per learner")
        if not learners:
            raise ValueError("give at least one learner")
        for learner in learners:
            if not isinstance(learner, BATCHABLE):
                raise ValueError(
                    f"only {', '.join(c.__name__ for c in BATCHABLE)} train in a batch; got {type(learner).__name__}"
                )
        shapes = {tuple(p.shape for p in policy_network(learner).params) for learner in learners}
        if len(shapes) != 1:
            raise ValueError("every run's policy network must have the same shape (the same hidden units)")
        self.learners = list(learners)
        self.max_episodes = int(max_episodes)
        self.solved_mean_length = float(solved_mean_length)
        self.solved_window = int(solved_window)
        runs = len(self.learners)
        self.episode_lengths = [array("i") for _ in range(runs)]
        self.solved_at = [-1] * runs
        self.diverged_at = [-1] * runs
        self.updates = [0] * runs
        self.steps = [0] * runs
        self.training = [True] * runs

        # column c of every batch array is run self.columns[c]; a run that stops leaves (``_drop``)
        self.columns = list(range(runs))
        self.env = CartPoleBatch(env_seeds)
        self.generators = [np.random.default_rng(seed) for seed in action_seeds]
        self.block = int(block)
        self.logit_u = np.empty((self.block, runs))  # row i: every run's uniform for step (block start + i), as logits
        self._rows = []
        # the actions of the last HISTORY steps, by clock modulo HISTORY (as ``env.history`` keeps the states)
        self.action_history = np.zeros((HISTORY, runs), dtype=bool)
        self._action_rows = list(self.action_history)

        hidden = policy_network(self.learners[0]).W1.shape[1]
        # each run's policy as it picks actions, biases folded in: h = relu([s, 1] W1b), with a last hidden unit
        # that is always 1 (weights 0 from the state, 1 from the constant); d = h · w_diff, whose last entry is b_diff
        self.W1b = np.zeros((runs, 5, hidden + 1))
        self.W1b[:, 4, hidden] = 1.0
        self.w_diff = np.empty((runs, hidden + 1))
        self.h = np.empty((runs, 1, hidden + 1))
        for column in self.columns:
            self._load_policy(column)

    @property
    def done(self) -> bool:
        return not self.columns

    def _refill(self) -> None:
        """Every run's next block of uniforms from its own generator (as ``Uniforms.refill``), as logits:
        u < σ(d) ⟺ d > log(u / (1 − u))."""
        u = np.empty((self.block, len(self.columns)))
        for column, run in enumerate(self.columns):
            u[:, column] = self.generators[run].random(self.block)
        with np.errstate(divide="ignore"):  # u = 0 gives −∞: the action is then "right", as u < σ(d) would have it
            self.logit_u = log(u / (1.0 - u))
        self._rows = list(self.logit_u)

    def _load_policy(self, column: int) -> None:
        """Copy a run's policy into the stacked weights the step's forward pass uses."""
        W1, b1, W2, b2 = policy_network(self.learners[self.columns[column]]).params
        hidden = len(b1)
        self.W1b[column, :4, :hidden] = W1
        self.W1b[column, 4, :hidden] = b1
        # d = l_1 − l_0 = h · (W2[:, 1] − W2[:, 0]) + (b2[1] − b2[0])
        self.w_diff[column, :hidden] = W2[:, 1] - W2[:, 0]
        self.w_diff[column, hidden] = b2[1] - b2[0]

    def advance(self, n: int) -> int:
        """Take up to ``n`` steps of the batch (fewer once every run has stopped); returns the steps taken."""
        taken = 0
        env = self.env
        while taken < n and self.columns:
            row = env.clock % self.block
            if row == 0:
                self._refill()
            W1b, w_diff, h = self.W1b, self.w_diff, self.h
            hidden = h[:, 0]
            rows, action_rows = self._rows, self._action_rows
            inputs = env.inputs_by_slot  # ``env.inputs``, without a property call a step
            # between ends of episodes the runs and their weights stay put: step without looking back
            for _ in range(min(n - taken, self.block - row)):
                taken += 1
                # h = relu(s W1 + b1);  d = h · w_diff + b_diff, for every run with its own weights
                np.matmul(inputs[env.clock % HISTORY], W1b, h)  # outputs by position: an ``out=`` keyword costs more
                np.maximum(hidden, _ZERO, hidden)
                # right if u < σ(d), i.e. if d > logit(u); written straight into the history of actions
                actions = np.greater(np.vecdot(hidden, w_diff), rows[row], action_rows[env.clock % HISTORY])
                row += 1
                terminated, truncated = env.step(actions)
                if (terminated is not None or truncated is not None) and self._end_episodes(terminated, truncated):
                    break  # a run left the batch: every batch array changed
        return taken

    def _end_episodes(self, terminated, truncated) -> bool:
        """Update each run whose episode ended on this step (by its learner's own code), record the episode, and
        start its next one, or take the run out of the batch; True if a run left."""
        env = self.env
        ended = terminated if truncated is None else truncated if terminated is None else terminated | truncated
        stopped = []
        for column in np.flatnonzero(ended).tolist():
            run = self.columns[column]
            learner = self.learners[run]
            T = int(env.clock - env.starts[column])
            fell = terminated is not None and bool(terminated[column])
            cut = truncated is not None and bool(truncated[column])
            stats = self._learn(learner, column, T, fell, cut)
            self.updates[run] += 1
            self.steps[run] += T
            lengths = self.episode_lengths[run]
            lengths.append(T)
            finite = all(math.isfinite(v) for v in stats.values()) and learner.is_finite()
            if not finite:
                self.diverged_at[run] = self.updates[run]
            # as the driver: a diverged run's last episode still counts
            if len(lengths) >= self.solved_window and self.solved_at[run] < 0:
                if sum(lengths[-self.solved_window :]) >= self.solved_mean_length * self.solved_window:
                    self.solved_at[run] = len(lengths)
            if not finite or self.solved_at[run] > 0 or len(lengths) >= self.max_episodes:
                self.training[run] = False
                stopped.append(column)
            else:
                self._load_policy(column)
                env.reset_run(column)
        if stopped:
            self._drop(stopped)
        return bool(stopped)

    def _drop(self, stopped) -> None:
        """Take the stopped runs' columns out of every batch array."""
        keep = [column for column in range(len(self.columns)) if column not in stopped]
        self.columns = [self.columns[column] for column in keep]
        self.env.keep(keep)
        self.W1b, self.w_diff, self.h = self.W1b[keep], self.w_diff[keep], self.h[keep]
        self.logit_u = np.ascontiguousarray(self.logit_u[:, keep])
        self._rows = list(self.logit_u)
        self.action_history = np.ascontiguousarray(self.action_history[:, keep])
        self._action_rows = list(self.action_history)

    def _learn(self, learner, column: int, T: int, terminated: bool, truncated: bool) -> dict:
        """Hand a run's finished episode (its last T steps) to its learner's ``learn``; returns the update's stats.

        The learner gets the arrays its ``update`` would have built from what ``observe`` collected: the states
        (with the state after the cut too, when actor-critic bootstraps from it), the actions, and the returns of a
        reward of 1 a step."""
        env = self.env
        bootstrap = isinstance(learner, ActorCritic) and truncated and not terminated
        first, end = (env.clock - T) % HISTORY, (env.clock - T) % HISTORY + T + bootstrap
        if end <= HISTORY:  # the episode's slots are in order in the history: slices, not an index array
            X = np.ascontiguousarray(env.history[first:end, :4, column])
            actions = self.action_history[first : first + T, column].astype(np.int64)
        else:
            slots = np.arange(env.clock - T, env.clock + bootstrap) % HISTORY
            X = np.ascontiguousarray(env.history[slots, :4, column])
            actions = self.action_history[slots[:T], column].astype(np.int64)
        if isinstance(learner, ActorCritic):
            return learner.learn(X, actions, [1.0] * T, diagnostics=False)
        return learner.learn(X, actions, unit_reward_returns(T, learner.config.gamma), diagnostics=False)
