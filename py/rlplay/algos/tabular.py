"""What every tabular learner on the gridworld shares: the Q table, the random numbers, the episode loop.

Each learning rule lives in its own file (``q_learning``, ``sarsa``, ``expected_sarsa``, ``n_step_sarsa``,
``monte_carlo``, ``dyna_q``) as a plain update function with its equation above the line that implements it; this
module runs them. The loop is the same for every rule:

    for each step t:
        A_t ← π(S_t)                        (ε-greedy, softmax or UCB on Q(S_t, ·), with step t's uniforms)
        rule.before_act(S_t, A_t)           (updates that wait for the next action: SARSA's A′, n-step's A_{τ+n})
        R_{t+1}, S_{t+1} ← env(S_t, A_t)    (with step t's slip uniform)
        rule.after_step(S_t, A_t, R_{t+1}, S_{t+1}, terminated, truncated)

Randomness: every step consumes exactly four uniforms (explore?, random action, tie-break, slip), whether it needs
them or not, from one ``np.random.Generator`` seeded by ``seed``. So two learners with the same seed see the same
numbers at every step, whatever their rule: on the same world their first episodes are identical until their
Q tables first pick different actions. Anything else a rule draws (Dyna-Q's planning) comes from its own stream.

Read-outs use no randomness: the greedy policy takes the first maximum on ties.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from rlplay.algos.exploration import EXPLORERS, Uniforms, epsilon_greedy, softmax, ucb
from rlplay.envs.gridworld import Gridworld, slipped_action

UNIFORMS_PER_STEP = 4  # u_explore, u_action, u_tie, u_slip
TRAIL_LENGTH = 100  # cells of the current episode kept for drawing


def choose(q, counts, explore, epsilon, tau, c, u_explore, u_action, u_tie) -> int:
    """The behaviour policy's action in one state, from its row of Q (and of visit counts, for UCB)."""
    if explore == "epsilon-greedy":
        return epsilon_greedy(q, epsilon, u_explore, u_action, u_tie)
    if explore == "softmax":
        return softmax(q, tau, u_action)
    return ucb(q, counts, sum(counts) + 1, c, u_tie)


class TabularAgent:
    """A tabular learner on a ``Gridworld`` (any env with ``tables``, ``start_state``, ``slip``, ``n_states``).

    Hyperparameters are plain attributes (``alpha``, ``gamma``, ``explore``, ``epsilon``, ``epsilon_decay``,
    ``epsilon_min``, ``tau``, ``c``, ``max_episode_steps``) and may be changed between calls to ``run``.
    Subclasses implement the rule in ``after_step`` (and ``before_act``, ``forget_episode`` if they need them).
    """

    name = "tabular"

    def __init__(
        self,
        env: Gridworld,
        *,
        alpha: float = 0.1,
        gamma: float = 0.99,
        explore: str = "epsilon-greedy",
        epsilon: float = 0.1,
        epsilon_decay: float = 1.0,
        epsilon_min: float = 0.0,
        tau: float = 0.05,
        c: float = 0.5,
        max_episode_steps: int = 1000,
        seed: int = 0,
    ):
        self.alpha, self.gamma = alpha, gamma
        self.explore = explore
        self.epsilon, self.epsilon_decay, self.epsilon_min = epsilon, epsilon_decay, epsilon_min
        self.tau, self.c = tau, c
        self.max_episode_steps = max_episode_steps
        self.seed = seed
        self.env = env
        self.reset()

    def reset(self) -> None:
        """Forget everything learned: Q = 0, counts 0, the random stream from the seed's start."""
        n_states, n_actions = self.env.n_states, self.env.n_actions
        self.Q: list[list[float]] = [[0.0] * n_actions for _ in range(n_states)]
        self.N: list[list[int]] = [[0] * n_actions for _ in range(n_states)]  # visits of (s, a), for UCB
        # a whole number of steps per block, so a refill only ever happens between steps
        self.uniforms = Uniforms(np.random.default_rng(self.seed), block=1024 * UNIFORMS_PER_STEP)
        self.epsilon_now = self.epsilon
        self.steps = 0
        self.episodes = 0
        self.episode_lengths: list[int] = []
        self.episode_returns: list[float] = []  # the sum of rewards of each finished episode (undiscounted)
        self._start_episode()

    def _start_episode(self) -> None:
        self.state = self.env.start_state
        self.episode_steps = 0
        self.episode_return = 0.0
        self.trail: deque[int] = deque([self.state], maxlen=TRAIL_LENGTH)

    def set_env(self, env: Gridworld) -> None:
        """Carry on in a changed world (moved walls, start, goal, paint, or slip), keeping Q.

        States that are no longer states (walls, cliff, terminal cells, cells cut off from the start) lose their Q
        and counts. If the agent stands on one of them, its episode is abandoned (not counted) and a new one begins.
        Updates still waiting for later steps of the episode (SARSA's, n-step's, Monte Carlo's) are dropped: their
        experience came from the old world.
        """
        self.env = env
        _, _, terminal = env.tables()
        for s in range(env.n_states):
            if terminal[s] or s not in env.reachable:
                self.Q[s] = [0.0] * env.n_actions
                self.N[s] = [0] * env.n_actions
        self.forget_episode()
        if terminal[self.state] or self.state not in env.reachable:
            self._start_episode()

    # -- the rule's hooks -----------------------------------------------------------------------------------------
    def before_act(self, s: int, a: int, u_explore: float, u_action: float, u_tie: float) -> None:
        """Called once A_t is chosen, before it is taken (the step's uniforms are passed for rules that choose an
        action elsewhere, e.g. where a truncated episode stopped)."""

    def after_step(self, s: int, a: int, r: float, s_next: int, terminated: bool, truncated: bool) -> None:
        raise NotImplementedError

    def forget_episode(self) -> None:
        """Drop updates waiting for later steps of the current episode."""

    def select(self, s: int, u_explore: float, u_action: float, u_tie: float) -> int:
        """The behaviour policy's action in ``s`` with the given uniforms (no counting)."""
        return choose(
            self.Q[s], self.N[s], self.explore, self.epsilon_now, self.tau, self.c, u_explore, u_action, u_tie
        )

    # -- the loop -------------------------------------------------------------------------------------------------
    def run_episodes(self, n_episodes: int) -> int:
        """Run until ``n_episodes`` more episodes have finished; return the steps taken."""
        steps = 0
        for _ in range(n_episodes):
            steps += self.run(self.max_episode_steps, stop_at_episode_end=True)
        return steps

    def run(self, n_steps: int, stop_at_episode_end: bool = False) -> int:
        """Take ``n_steps`` environment steps (new episodes start by themselves); return the number taken.

        With ``stop_at_episode_end``, stop early right after the current episode ends.
        """
        if self.explore not in EXPLORERS:
            raise ValueError(f"explore must be one of {', '.join(EXPLORERS)}; got {self.explore!r}")
        next_state, reward, terminal = self.env.tables()
        start, slip = self.env.start_state, self.env.slip
        epsilon_floor = min(self.epsilon_min, self.epsilon)  # the decay never raises ε
        explore_epsilon_greedy = self.explore == "epsilon-greedy"
        max_episode_steps = self.max_episode_steps
        N = self.N
        n_actions = self.env.n_actions
        uniforms = self.uniforms
        before_act, after_step = self.before_act, self.after_step
        trail = self.trail
        s = self.state

        taken = 0
        while taken < n_steps:
            taken += 1
            if uniforms.position == uniforms.block:
                uniforms.refill()
            i, buffer = uniforms.position, uniforms.buffer
            u_explore, u_action, u_tie, u_slip = buffer[i], buffer[i + 1], buffer[i + 2], buffer[i + 3]
            uniforms.position = i + UNIFORMS_PER_STEP
            if explore_epsilon_greedy and u_explore < self.epsilon_now:
                a = int(u_action * n_actions)  # a ~ uniform with probability ε (exploration.epsilon_greedy)
            else:
                a = self.select(s, u_explore, u_action, u_tie)
            N[s][a] += 1
            before_act(s, a, u_explore, u_action, u_tie)
            direction = a if u_slip >= slip else slipped_action(a, u_slip, slip)
            s_next = next_state[s][direction]
            r = reward[s][direction]
            self.episode_steps += 1
            self.episode_return += r
            done = terminal[s_next]
            truncated = not done and self.episode_steps >= max_episode_steps
            after_step(s, a, r, s_next, done, truncated)
            if done or truncated:
                self.episode_lengths.append(self.episode_steps)
                self.episode_returns.append(self.episode_return)
                self.episodes += 1
                # ε ← max(ε_min, ε · decay), once per episode
                self.epsilon_now = max(epsilon_floor, self.epsilon_now * self.epsilon_decay)
                self._start_episode()
                trail = self.trail
                s = start
                if stop_at_episode_end:
                    break
            else:
                s = s_next
                trail.append(s)
        self.state = s
        self.steps += taken
        return taken

    # -- read-outs ------------------------------------------------------------------------------------------------
    def greedy_policy(self) -> list[int]:
        """argmax_a Q(s,a) in every state, the first maximum on ties (read-outs use no randomness)."""
        return [q.index(max(q)) for q in self.Q]

    def greedy_path(self) -> tuple[list[tuple[int, int]], bool]:
        """The cells the greedy policy walks from the start, and whether it reaches the goal (``Gridworld.follow``)."""
        return self.env.follow(self.greedy_policy())

    def q_array(self) -> np.ndarray:
        """Q as a float64 array (rows, cols, n_actions)."""
        return np.array(self.Q, dtype=np.float64).reshape(self.env.rows, self.env.cols, self.env.n_actions)
