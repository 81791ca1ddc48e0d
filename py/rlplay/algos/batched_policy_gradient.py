"""Policy-gradient runs trained together: R cart-pole runs (seeds × algorithms) stepped as one NumPy computation.

    every step, for all runs r at once:
        d_r = l_1 − l_0,  l = relu(s_r W1_r + b1_r) W2_r + b2_r               (the (R, 4, H) batch of policies)
        a_r = right if u_r < π_r(right|s_r) = σ(d_r), i.e. if d_r > logit(u_r)   (u_r: run r's own next uniform)
        s_r ← CartPole(s_r, a_r)                                                   (``rlplay.envs.cartpole_batch``)
    when run r's episode ends:
        run r's learner updates on that episode, by its own code (REINFORCE: G_t; actor-critic: GAE from its critic)

Why: a lone run spends most of its time on per-step overhead (a handful of NumPy calls to pick an action, a dozen
lines of Python physics), not arithmetic. Stepping R runs as arrays pays that overhead once for all R.

Each run is the run a lone driver makes with the same seeds: its learner is built and updated by the algorithm's
own class (``Reinforce``, ``ActorCritic``), its start states come from its own generator, and its action uniforms
are drawn from its own generator in the same blocks as ``exploration.Uniforms``. Only the test that picks the
action is computed differently: ``u < σ(d)`` becomes ``d > logit(u)`` (the same test in exact arithmetic; the logits
of a block of uniforms cost one NumPy call), with d = h · (W2[:, 1] − W2[:, 0]) + (b2[1] − b2[0]) from a stacked
``np.matmul``, where ``MLP.forward_one`` takes ``np.dot`` and ``sample_two_actions`` ``math.exp``. Rounding differs
in the last bit, which changes an action only if the uniform lands within ~1e-16 of π(right|s); so in practice
every episode, every update and every weight is the same bits as the lone run's (the tests check whole runs).

A run stops once it is solved (the mean length of its last ``solved_window`` episodes reaches
``solved_mean_length``), after ``max_episodes`` episodes, or if its update diverges (NaN or infinity); it then
leaves the batch.
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from rlplay.algos.actor_critic import ActorCritic
from rlplay.algos.nn import log
from rlplay.algos.reinforce import Reinforce
from rlplay.envs.cartpole_batch import CartPoleBatch

BATCHABLE = (Reinforce, ActorCritic)  # learners that update once per finished episode, with a two-action policy
HISTORY = 512  # steps of states and actions kept for the episodes in progress (an episode has at most 500)


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
        block: int = 4096,
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

        self.env = CartPoleBatch(env_seeds)
        self.generators = [np.random.default_rng(seed) for seed in action_seeds]
        self.block = int(block)
        self.logit_u = np.empty((runs, self.block))
        self.position = np.zeros(runs, dtype=np.int64)
        for run in range(runs):
            self._refill(run)
        self._refill_in = self.block  # steps until some run has used up its block

        hidden = policy_network(self.learners[0]).W1.shape[1]
        self.W1 = np.empty((runs, 4, hidden))
        self.b1 = np.empty((runs, 1, hidden))
        self.w_diff = np.empty((runs, hidden, 1))
        self.b_diff = np.empty((runs, 1, 1))
        self._load_policies(np.arange(runs))
        # the last HISTORY steps' states (before the step) and actions, by clock modulo HISTORY
        self.history_states = np.zeros((HISTORY, 4, runs))
        self.history_actions = np.zeros((HISTORY, runs), dtype=bool)

    @property
    def done(self) -> bool:
        return not any(self.training)

    def _refill(self, run: int) -> None:
        """Run ``run``'s next block of uniforms from its own generator (as ``Uniforms.refill``), as logits:
        u < σ(d) ⟺ d > log(u / (1 − u))."""
        u = self.generators[run].random(self.block)
        with np.errstate(divide="ignore"):  # u = 0 gives −∞: the action is then "right", as u < σ(d) would have it
            self.logit_u[run] = log(u / (1.0 - u))
        self.position[run] = 0

    def _load_policies(self, rows) -> None:
        """Copy runs ``rows``' policies into the stacked weights the step's forward pass uses."""
        for run in rows:
            W1, b1, W2, b2 = policy_network(self.learners[run]).params
            self.W1[run] = W1
            self.b1[run, 0] = b1
            # d = l_1 − l_0 = h · (W2[:, 1] − W2[:, 0]) + (b2[1] − b2[0])
            self.w_diff[run, :, 0] = W2[:, 1] - W2[:, 0]
            self.b_diff[run, 0, 0] = b2[1] - b2[0]

    def advance(self, n: int) -> int:
        """Take up to ``n`` steps of the batch (fewer once every run has stopped); returns the steps taken."""
        taken = 0
        env = self.env
        runs = np.arange(len(self.learners))
        while taken < n and not self.done:
            taken += 1
            if self._refill_in == 0:
                for run in np.flatnonzero(self.position == self.block).tolist():
                    self._refill(run)
                self._refill_in = self.block - int(self.position.max())  # a bound: held runs do not advance
            self._refill_in -= 1
            logit_u = self.logit_u[runs, self.position]
            self.position += self.env.moving
            state = env.state
            # h = relu(s W1 + b1);  d = h · w_diff + b_diff, for every run with its own weights
            h = np.matmul(state.T[:, None, :], self.W1)
            h += self.b1
            np.maximum(h, 0.0, out=h)
            d = np.matmul(h, self.w_diff)
            d += self.b_diff
            # right if u < σ(d), i.e. if d > logit(u)
            actions = d[:, 0, 0] > logit_u
            slot = env.clock % HISTORY
            self.history_states[slot] = state
            self.history_actions[slot] = actions
            terminated, truncated = env.step(actions)
            if np.count_nonzero(terminated) or truncated is not env.not_truncated:
                self._end_episodes(terminated, truncated)
        return taken

    def _end_episodes(self, terminated, truncated) -> None:
        """Update each run whose episode ended on this step (by its learner's own code), record the episode, and
        start its next one, or stop the run."""
        env = self.env
        for run in np.flatnonzero(terminated | truncated).tolist():
            learner = self.learners[run]
            T = int(env.lengths[run])
            stats = self._learn(learner, run, T, bool(terminated[run]), bool(truncated[run]))
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
                env.hold(run)
            else:
                self._load_policies([run])
                env.reset_run(run)

    def _learn(self, learner, run: int, T: int, terminated: bool, truncated: bool) -> dict:
        """Hand run ``run``'s finished episode (its last T steps) to its learner; returns the update's stats.

        The learner gets the episode as ``observe`` would have collected it, step by step: its buffers hold the
        first T − 1 steps, and ``observe`` of the last step runs its update."""
        slots = np.arange(self.env.clock - T, self.env.clock) % HISTORY
        states = list(self.history_states[slots, :, run])
        actions = self.history_actions[slots, run].astype(np.int64).tolist()
        learner.states, learner.actions, learner.rewards = states[:-1], actions[:-1], [1.0] * (T - 1)
        final_state = self.env.state[:, run].copy()
        return learner.observe(states[-1], actions[-1], 1.0, terminated, truncated, final_state)
