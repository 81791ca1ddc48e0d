"""Online return per episode averaged over many seeds, for one learner or two, in chunks of environment steps.

    mean_e = (1/k) Σ_i G_{i,e}        SE_e = sd_i(G_{i,e}) / √k        (k runs done, G_{i,e} = run i's sum of rewards
                                                                       in episode e)

Run i uses seed ``seed + i`` for every learner, so in a comparison both rules see the same random numbers, run by
run. ``advance(n)`` takes at most ``n`` environment steps and can stop anywhere: the page calls it within a time
budget, and the results do not depend on how the work was cut.

While the job runs, the grid shows one seed's run live (``ShownRun``): the job's first seed, learned again beside the
job, paced so that it has finished the same share of its episodes as the job has of all of its own. Each learner's
path shown is its most frequent greedy path over its last ``PATH_WINDOW`` episodes, not the greedy path of the
moment: an on-policy learner with a large α (SARSA at α = 0.5 on the cliff) changes its greedy path after about one
episode in three, too often to read, while the most frequent one changed after about one in seventy
(tests/test_gridworld_modes.py).
"""

from __future__ import annotations

from collections import Counter, deque
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

    @property
    def episodes_done(self) -> int:
        """Episodes finished in the whole job, every run's and learner's counted (at most runs × learners ×
        episodes)."""
        if self.finished:
            return self.runs * len(self.learners) * self.episodes
        now = sum(min(agent.episodes, self.episodes) for agent in self.learners)
        return self.done * len(self.learners) * self.episodes + now

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


PATH_WINDOW = 100  # the path shown is the most frequent greedy path over this many of the learner's latest episodes


class ShownRun:
    """One seed's learners, run episode by episode while a ``SeedAverage`` works, with each one's shown path.

    ``follow(job)`` brings each learner to ``episodes × (the job's share done)`` episodes (whole episodes, each to its
    end), noting its greedy path after every episode; when the job is finished each has run ``episodes``, as the
    job's first run did. The shown path is the most frequent of the last ``PATH_WINDOW`` noted (the latest of them
    on a tie); before the first episode ends it is the greedy path of the moment.
    """

    def __init__(self, learners: list[TabularAgent], episodes: int, window: int = PATH_WINDOW):
        self.learners, self.episodes, self.window = learners, episodes, window
        self.paths = [deque(maxlen=window) for _ in learners]  # (cells, reached) after each of the latest episodes
        self.shown: list[tuple | None] = [None] * len(learners)  # each one's shown path, until it runs again

    def follow(self, job: SeedAverage) -> None:
        per_learner = job.runs * len(job.learners)  # the job's episodes for one of this run's
        self.run_to(job.episodes_done // per_learner)

    def run_to(self, target: int) -> None:
        """Each learner's next episodes until it has finished ``target`` (at most ``episodes``)."""
        target = min(target, self.episodes)
        for i, (agent, paths) in enumerate(zip(self.learners, self.paths, strict=True)):
            while agent.episodes < target:
                agent.run(agent.max_episode_steps, stop_at_episode_end=True)
                cells, reached = agent.greedy_path()
                paths.append((tuple(cells), reached))
                self.shown[i] = None

    def path(self, i: int) -> tuple[list[tuple[int, int]], bool]:
        """Learner ``i``'s shown path: its most frequent greedy path over its last ``window`` episodes."""
        paths = self.paths[i]
        if not paths:
            return self.learners[i].greedy_path()
        if self.shown[i] is None:  # counted once per episode, not once per snapshot (hashing 100 paths takes 0.5 ms)
            counts = Counter(paths)
            most = max(counts.values())
            self.shown[i] = next(p for p in reversed(paths) if counts[p] == most)
        cells, reached = self.shown[i]
        return list(cells), reached
