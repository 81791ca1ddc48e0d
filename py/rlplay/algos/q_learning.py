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

The rule is written twice, on purpose: ``q_learning_update`` (and ``q_learning_reference``, the seed post's loop
around it, against the env's ``step``) is the readable reference; ``QLearning.run`` is the fast twin with the
same arithmetic in the same order. A test checks that the two give the same Q, float for float.
"""

from __future__ import annotations

import numpy as np

from rlplay.algos.exploration import EXPLORERS, epsilon_greedy, softmax, ucb
from rlplay.algos.tabular import TRAIL_LENGTH, UNIFORMS_PER_STEP, TabularAgent
from rlplay.envs.gridworld import Gridworld, Layout, slipped_action

__all__ = ["TRAIL_LENGTH", "UNIFORMS_PER_STEP", "QLearning", "q_learning_reference", "q_learning_update"]


def q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma) -> float:
    """One Q-learning update of ``Q[s][a]`` (a list of lists) after the transition s, a → r, s_next; returns δ.

    >>> Q = [[0.0, 0.0], [0.5, 1.0]]
    >>> q_learning_update(Q, 0, 1, -0.1, 1, False, alpha=0.5, gamma=0.9), Q[0]
    (0.8, [0.0, 0.4])
    """
    # target = r                          if s′ is terminal
    #        = r + γ max_a′ Q(s′,a′)      otherwise
    td_target = r if terminated else r + gamma * max(Q[s_next])
    # δ = target − Q(s,a)
    td_error = td_target - Q[s][a]
    # Q(s,a) ← Q(s,a) + α δ
    Q[s][a] += alpha * td_error
    return td_error


def q_learning_reference(
    layout: Layout, slip, n_steps, seed, alpha, gamma, explore, epsilon, tau, c, max_episode_steps
) -> tuple[list[list[float]], list[int]]:
    """The seed post's loop, written plainly against the env's ``step``: the twin ``QLearning.run`` must equal.

    It draws its uniforms the documented way (four per step: explore?, action, tie, slip) and realises the slip by
    asking a slip-free env to move in the slipped direction. Returns (Q, episode lengths).
    """
    env = Gridworld(layout)  # slip-free physics; the slip is applied below
    rows, cols = layout.rows, layout.cols
    Q = [[0.0] * 4 for _ in range(rows * cols)]
    N = [[0] * 4 for _ in range(rows * cols)]
    uniforms = np.random.default_rng(seed).random(UNIFORMS_PER_STEP * n_steps).tolist()
    cell, _ = env.reset()
    lengths, t = [], 0
    for step in range(n_steps):
        u_explore, u_action, u_tie, u_slip = uniforms[4 * step : 4 * step + 4]
        s = cell[0] * cols + cell[1]
        if explore == "epsilon-greedy":
            a = epsilon_greedy(Q[s], epsilon, u_explore, u_action, u_tie)
        elif explore == "softmax":
            a = softmax(Q[s], tau, u_action)
        else:
            a = ucb(Q[s], N[s], sum(N[s]) + 1, c, u_tie)
        N[s][a] += 1
        cell, r, terminated, _, _ = env.step(slipped_action(a, u_slip, slip))
        s_next = cell[0] * cols + cell[1]
        q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma)
        t += 1
        if terminated or t >= max_episode_steps:
            lengths.append(t)
            cell, _ = env.reset()
            t = 0
    return Q, lengths


class QLearning(TabularAgent):
    """Q-learning on a ``Gridworld`` (any env with its ``tables``, ``start_state``, ``slip``, ``n_states``).

    Hyperparameters are plain attributes (``alpha``, ``gamma``, ``explore``, ``epsilon``, ``epsilon_decay``,
    ``epsilon_min``, ``tau``, ``c``, ``max_episode_steps``) and may be changed between calls to ``run``.

    >>> agent = QLearning(Gridworld("seed5"), alpha=0.5, seed=0)
    >>> agent.run_episodes(200) > 0, agent.greedy_path()[1], len(agent.greedy_path()[0]) - 1
    (True, True, 8)
    """

    name = "q-learning"

    def after_step(self, s, a, r, s_next, terminated, truncated) -> None:
        """The generic loop's hook (``run`` below is the fast twin and does not use it)."""
        q_learning_update(self.Q, s, a, r, s_next, terminated, self.alpha, self.gamma)

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
        episode_returns_append = self.episode_returns.append
        episode_return = self.episode_return
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
            episode_return += r
            if terminal[s_next] or episode_steps >= max_episode_steps:
                episode_lengths_append(episode_steps)
                episode_returns_append(episode_return)
                episode_return = 0.0
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
        self.episode_return = episode_return
        self.epsilon_now = epsilon
        self.steps += taken
        return taken
