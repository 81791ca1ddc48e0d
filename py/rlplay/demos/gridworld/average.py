"""Online return per episode averaged over many seeds, for one learner or two, in chunks of environment steps.

    S_{i,e} = (1/w_e) Σ_{j=e−w_e+1..e} G_{i,j}      w_e = min(SMOOTH_EPISODES, e)   (run i's latest w_e episodes)
    mean_e = (1/k) Σ_i S_{i,e}        SE_e = sd_i(S_{i,e}) / √k        (k runs done, G_{i,j} = run i's sum of rewards
                                                                       in episode j, episodes counted from 1)

The curves are smoothed, as those of Sutton & Barto's Figure 6.4 are: each run's returns by a trailing moving
average over its latest ``SMOOTH_EPISODES`` episodes (fewer for the first ones), before the runs are averaged. The
standard error is that of the smoothed numbers across runs, so the ±1 SE band belongs to the curve drawn (smoothing
the per-episode SE curve instead would not be the SE of anything); the mean of the smoothed runs is the smoothed
mean. The figures (``last_window_means``) read the returns themselves, not the smoothed curves.

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
SMOOTH_EPISODES = 10  # the curves' trailing moving average, episodes of each run (see the module docstring)


def trailing_mean(G: np.ndarray, w: int) -> np.ndarray:
    """Along the last axis, the mean of each entry and the ``w − 1`` before it (of all before it, near the start).

    >>> trailing_mean(np.array([1.0, 2.0, 3.0, 4.0]), 2)
    array([1. , 1.5, 2.5, 3.5])
    """
    if w < 1:
        raise ValueError(f"the moving average's window must be 1 episode or more, got {w}")
    sums = np.cumsum(G, axis=-1)
    sums[..., w:] = sums[..., w:] - sums[..., :-w]
    counts = np.minimum(np.arange(1, G.shape[-1] + 1), w)
    return sums / counts


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

    def mean_and_se(self, smooth: int = SMOOTH_EPISODES) -> tuple[np.ndarray, np.ndarray]:
        """Per learner and episode: each finished run's return smoothed over its latest ``smooth`` episodes
        (``trailing_mean``), and the mean of that over the runs with its standard error (0 below 2 runs);
        ``smooth=1``: the returns as they are."""
        k = self.done
        if k == 0:
            shape = (len(self.learners), self.episodes)
            return np.zeros(shape), np.zeros(shape)
        done = trailing_mean(self.returns[:, :k], smooth)
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
