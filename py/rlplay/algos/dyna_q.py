"""Dyna-Q: Q-learning that also learns a model of the world and replays it, planning between real steps.

    after each real step S, A → R, S′:
        Q(S,A) ← Q(S,A) + α [ R + γ max_a Q(S′,a) − Q(S,A) ]            (direct RL: ``q_learning_update``)
        Model(S,A) ← (R, S′)                                           (model learning: the last outcome seen)
        repeat planning_steps times:
            S̃, Ã ← a pair seen before, uniformly at random
            R̃, S̃′ ← Model(S̃,Ã)
            Q(S̃,Ã) ← Q(S̃,Ã) + α [ R̃ + γ max_a Q(S̃′,a) − Q(S̃,Ã) ]  (planning: the same update on imagined data)

With planning_steps = 0 this is Q-learning, bit for bit (a test checks). With 50 the goal's value spreads over the
grid within a few episodes (the book's Figure 8.2). The model stores the last outcome of each pair, so with slip it is
only a sample of the real dynamics, and after a change of the world it is out of date until the pair is tried again
(the book's "blocking maze", §8.3, and why Dyna-Q+ adds an exploration bonus).

Source: Sutton (1990); Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §8.2 (the box
"Tabular Dyna-Q").

Planning draws its uniforms from a second stream (seeded by (seed, 1)), so the real steps see exactly the numbers
every other rule sees: compare runs stay in step.
"""

from __future__ import annotations

import numpy as np

from rlplay.algos.exploration import Uniforms
from rlplay.algos.q_learning import q_learning_update
from rlplay.algos.tabular import TabularAgent


def dyna_q_planning(Q, model, seen, planning_steps, alpha, gamma, uniforms) -> None:
    """``planning_steps`` Q-learning updates on transitions replayed from ``model`` ((s, a) -> (r, s′, terminated)),
    each pair drawn uniformly from ``seen`` (the pairs in the order they were first tried)."""
    for _ in range(planning_steps):
        # S̃, Ã ← uniformly among the pairs seen so far
        s, a = seen[int(uniforms.next() * len(seen))]
        r, s_next, terminated = model[s, a]
        # Q(S̃,Ã) ← Q(S̃,Ã) + α [R̃ + γ max_a Q(S̃′,a) − Q(S̃,Ã)]
        q_learning_update(Q, s, a, r, s_next, terminated, alpha, gamma)


class DynaQ(TabularAgent):
    """Dyna-Q on a gridworld; ``planning_steps`` (≥ 0) is a plain attribute too. See ``TabularAgent``.

    ``planning_updates`` counts the imagined updates; ``model`` maps each (s, a) tried to its last (r, s′, terminated).

    >>> from rlplay.envs.gridworld import Gridworld
    >>> agent = DynaQ(Gridworld("seed5"), planning_steps=10, alpha=0.5, seed=0)
    >>> agent.run_episodes(30) > 0, agent.greedy_path()[1], len(agent.greedy_path()[0]) - 1
    (True, True, 8)
    """

    name = "dyna-q"

    def __init__(self, env, *, planning_steps: int = 10, **settings):
        if planning_steps < 0:
            raise ValueError(f"planning_steps must be 0 or more, got {planning_steps!r}")
        self.planning_steps = planning_steps
        super().__init__(env, **settings)

    def reset(self) -> None:
        self.model: dict[tuple[int, int], tuple[float, int, bool]] = {}
        self.seen: list[tuple[int, int]] = []
        self.planning_updates = 0
        self.plan_uniforms = Uniforms(np.random.default_rng([self.seed, 1]), block=4096)
        super().reset()

    def set_env(self, env) -> None:
        """As ``TabularAgent.set_env``; the model forgets pairs whose state is no longer a state (it keeps the
        others, even where their outcome changed: Dyna-Q finds out only by trying them again)."""
        super().set_env(env)
        _, _, terminal = env.tables()
        self.seen = [(s, a) for s, a in self.seen if s in env.reachable and not terminal[s]]
        self.model = {pair: self.model[pair] for pair in self.seen}

    def after_step(self, s, a, r, s_next, terminated, truncated) -> None:
        # direct RL: Q(S,A) ← Q(S,A) + α [R + γ max_a Q(S′,a) − Q(S,A)]
        q_learning_update(self.Q, s, a, r, s_next, terminated, self.alpha, self.gamma)
        # model learning: Model(S,A) ← R, S′
        if (s, a) not in self.model:
            self.seen.append((s, a))
        self.model[s, a] = (r, s_next, terminated)
        if self.planning_steps:
            dyna_q_planning(
                self.Q, self.model, self.seen, self.planning_steps, self.alpha, self.gamma, self.plan_uniforms
            )
            self.planning_updates += self.planning_steps

    def model_mask(self) -> np.ndarray:
        """Which (s, a) the model has seen, as a bool array (rows, cols, n_actions)."""
        mask = np.zeros((self.env.n_states, self.env.n_actions), dtype=bool)
        for s, a in self.seen:
            mask[s, a] = True
        return mask.reshape(self.env.rows, self.env.cols, self.env.n_actions)
