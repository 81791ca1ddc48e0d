"""Tabular Q-learning: learn action values from experience alone, no model of the world.

    Q(s,a) ← Q(s,a) + α [ r + γ max_a′ Q(s′,a′) − Q(s,a) ]      (target r alone when s′ is terminal)
    δ = r + γ max_a′ Q(s′,a′) − Q(s,a) is the temporal-difference (TD) error.

Source: Watkins & Dayan, "Q-learning", Machine Learning 8 (1992); Sutton & Barto, *Reinforcement Learning: An
Introduction* (2nd ed., 2018), §6.5; the seed post's ``q_learning``.

Behaviour: ε-greedy, softmax or UCB (``rlplay.algos.exploration``), switchable at any time; ε may decay per
episode, ε ← max(ε_min, ε · epsilon_decay). Truncated episodes (``max_episode_steps``) still bootstrap from
Q(s′): running out of time is not a terminal state.

Speed. The update is a handful of float operations, so in Python the cost is all overhead, and NumPy scalars are
the worst kind (a NumPy-scalar step costs about 60 µs in the browser). This loop runs about 1 µs a step natively
and under 2 µs in Pyodide (1,000,000 steps of the default 7x7 grid, ε-greedy). The hot loop
in ``QLearning.run`` therefore uses only lists and Python floats: Q as a list of lists, the environment as
precomputed next-state and reward tables (``Gridworld.tables``, built from the same ``_move`` the env steps with),
uniform random numbers drawn from a ``np.random.Generator`` in blocks (``Uniforms``) and every name it touches
bound to a local variable. Each step consumes exactly four uniforms (explore?, random action, tie-break, slip),
whether it needs them or not, so step t always sees the same numbers however the steps are cut into calls. No
``exp``/``log`` is needed for ε-greedy: its results are bit-identical natively and in the browser.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from rlplay.algos.exploration import EXPLORERS, Uniforms, softmax, ucb
from rlplay.envs.gridworld import Gridworld, slipped_action

UNIFORMS_PER_STEP = 4  # u_explore, u_action, u_tie, u_slip
TRAIL_LENGTH = 100  # cells of the current episode kept for drawing


class QLearning:
    """Q-learning on a ``Gridworld`` (any env with its ``tables``, ``start_state``, ``slip``, ``n_states``).

    Hyperparameters are plain attributes (``alpha``, ``gamma``, ``explore``, ``epsilon``, ``epsilon_decay``,
    ``epsilon_min``, ``tau``, ``c``, ``max_episode_steps``) and may be changed between calls to ``run``.

    >>> agent = QLearning(Gridworld("seed5"), alpha=0.5, seed=0)
    >>> agent.run_episodes(200) > 0, agent.greedy_path()[1], len(agent.greedy_path()[0]) - 1
    (True, True, 8)
    """

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
        self._start_episode()

    def _start_episode(self) -> None:
        self.state = self.env.start_state
        self.episode_steps = 0
        self.trail: deque[int] = deque([self.state], maxlen=TRAIL_LENGTH)

    def set_env(self, env: Gridworld) -> None:
        """Carry on in a changed world (moved walls, start, goal, or slip), keeping Q.

        States that are no longer states (walls, cliff, the goal, cells cut off from the start) lose their Q and
        counts. If the agent stands on one of them, its episode is abandoned (not counted) and a new one begins.
        """
        self.env = env
        for s in range(env.n_states):
            if s == env.goal_state or s not in env.reachable:
                self.Q[s] = [0.0] * env.n_actions
                self.N[s] = [0] * env.n_actions
        if self.state == env.goal_state or self.state not in env.reachable:
            self._start_episode()

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
        alpha, gamma, tau, c = self.alpha, self.gamma, self.tau, self.c
        epsilon, epsilon_decay = self.epsilon_now, self.epsilon_decay
        epsilon_floor = min(self.epsilon_min, self.epsilon)  # the decay never raises ε
        explore_epsilon_greedy = self.explore == "epsilon-greedy"
        explore_softmax = self.explore == "softmax"
        max_episode_steps = self.max_episode_steps
        Q, N = self.Q, self.N
        n_actions = self.env.n_actions
        uniforms = self.uniforms
        buffer, i, block = uniforms.buffer, uniforms.position, uniforms.block
        episode_lengths_append = self.episode_lengths.append
        trail = self.trail
        trail_append = trail.append
        s, episode_steps, episodes = self.state, self.episode_steps, self.episodes

        taken = 0
        while taken < n_steps:
            taken += 1
            if i == block:
                buffer = uniforms.refill()
                i = 0
            u_explore, u_action, u_tie, u_slip = buffer[i], buffer[i + 1], buffer[i + 2], buffer[i + 3]
            i += UNIFORMS_PER_STEP
            q = Q[s]
            if explore_epsilon_greedy:
                # exploration.epsilon_greedy, inlined: a call per step would cost a fifth of the step
                if u_explore < epsilon:
                    a = int(u_action * n_actions)
                else:
                    best = max(q)
                    if q.count(best) == 1:
                        a = q.index(best)
                    else:
                        ties = [b for b in range(n_actions) if q[b] == best]
                        a = ties[int(u_tie * len(ties))]
            elif explore_softmax:
                a = softmax(q, tau, u_action)
            else:
                counts = N[s]
                a = ucb(q, counts, sum(counts) + 1, c, u_tie)
            N[s][a] += 1
            direction = a if u_slip >= slip else slipped_action(a, u_slip, slip)
            s_next = next_state[s][direction]
            r = reward[s][direction]
            if terminal[s_next]:
                td_target = r
            else:
                # r + γ max_a′ Q(s′,a′)
                td_target = r + gamma * max(Q[s_next])
            # Q(s,a) ← Q(s,a) + α [r + γ max_a′ Q(s′,a′) − Q(s,a)]
            q[a] += alpha * (td_target - q[a])
            episode_steps += 1
            if terminal[s_next] or episode_steps >= max_episode_steps:
                episode_lengths_append(episode_steps)
                episodes += 1
                # ε ← max(ε_min, ε · decay), once per episode
                epsilon = max(epsilon_floor, epsilon * epsilon_decay)
                s, episode_steps = start, 0
                trail.clear()
                trail_append(s)
                if stop_at_episode_end:
                    break
            else:
                s = s_next
                trail_append(s)

        uniforms.buffer, uniforms.position = buffer, i
        self.state, self.episode_steps, self.episodes = s, episode_steps, episodes
        self.epsilon_now = epsilon
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
