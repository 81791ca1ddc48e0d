"""Online return per episode averaged over many seeds, for one learner or two, in chunks of environment steps.

    mean_e = (1/k) Σ_i G_{i,e}        SE_e = sd_i(G_{i,e}) / √k        (k runs done, G_{i,e} = run i's sum of rewards
                                                                       in episode e)

Run i uses seed ``seed + i`` for every learner, so in a comparison both rules see the same random numbers, run by
run. ``advance(n)`` takes at most ``n`` environment steps and can stop anywhere: the page calls it within a time
budget, and the results do not depend on how the work was cut.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rlplay.algos.tabular import TabularAgent

END_WINDOW = 100  # the figures' "mean return of the last 100 episodes" (Figure 6.4 reads the curves' end)


class SeedAverage:
    """``make(seed)`` builds the learners of one run (a list, one per curve); each learns for ``episodes``."""

    def __init__(self, make: Callable[[int], list[TabularAgent]], seed: int, runs: int, episodes: int):
        self.make, self.seed, self.runs, self.episodes = make, seed, runs, episodes
        self.learners = make(seed)
        self.returns = np.zeros((len(self.learners), runs, episodes))  # G_{i,e} of each learner
        self.done = 0  # finished runs
        self.current = 0  # the learner of run ``done`` now learning
        self.steps = 0

    @property
    def finished(self) -> bool:
        return self.done == self.runs

    def advance(self, n: int) -> int:
        """Take up to ``n`` environment steps of the job; return how many were taken (0 once it is finished)."""
        taken = 0
        while taken < n and not self.finished:
            agent = self.learners[self.current]
            if agent.episodes >= self.episodes:
                self.returns[self.current, self.done] = agent.episode_returns[: self.episodes]
                self.current += 1
                if self.current == len(self.learners):
                    self.done, self.current = self.done + 1, 0
                    if not self.finished:
                        self.learners = self.make(self.seed + self.done)
                continue
            ran = agent.run(n - taken, stop_at_episode_end=True)
            taken += ran
        self.steps += taken
        return taken

    def mean_and_se(self) -> tuple[np.ndarray, np.ndarray]:
        """Per learner and episode: the mean return over the finished runs and its standard error (0 below 2 runs)."""
        k = self.done
        if k == 0:
            shape = (len(self.learners), self.episodes)
            return np.zeros(shape), np.zeros(shape)
        done = self.returns[:, :k]
        mean = done.mean(axis=1)
        se = done.std(axis=1, ddof=1) / np.sqrt(k) if k >= 2 else np.zeros_like(mean)
        return mean, se

    @property
    def window(self) -> int:
        """How many of each run's last episodes ``last_window_means`` averages: 100, or all of a shorter run's."""
        return min(END_WINDOW, self.episodes)

    def last_window_means(self) -> list[float]:
        """Per learner: the mean return over the last ``window`` episodes, averaged over the finished runs."""
        if self.done == 0:
            return [0.0] * len(self.learners)
        return [float(x) for x in self.returns[:, : self.done, -self.window :].mean(axis=(1, 2))]
