"""Parameter studies: each method against its parameter, many seeded runs a point, serially, on every core or on Ray.

A study is declared once (``rlplay.studies.study.Study``: its methods and their parameter values, what one run
measures, its settings) and run by ``rlplay.studies.runner.run_study``, which yields partial results as tasks
finish, so the page can draw the curves as they fill in. Run i of every point is seeded from (study seed, i), so a
study gives the same numbers however it is run.

The studies, by scene name:

    cliff-alpha-study          Sutton & Barto's Figure 6.3 (interim): SARSA, Expected SARSA, Q-learning vs α
    bandit-parameter-study     Figure 2.6: ε-greedy, gradient bandit, UCB, optimistic greedy (and softmax) vs their
                               parameter, on the 10-armed testbed

Layer: imports only ``rlplay.envs`` and ``rlplay.algos`` (and the parameter declarations); the demos build on it.
"""

from __future__ import annotations

from rlplay.studies import bandit_parameters, cliff_alpha
from rlplay.studies.runner import run_study, run_study_to_end
from rlplay.studies.study import Method, Study, StudyResults, Task, run_seed, run_task, tasks

STUDIES: dict[str, Study] = {study.name: study for study in (cliff_alpha.STUDY, bandit_parameters.STUDY)}

__all__ = [
    "STUDIES",
    "Method",
    "Study",
    "StudyResults",
    "Task",
    "run_seed",
    "run_study",
    "run_study_to_end",
    "run_task",
    "tasks",
]
