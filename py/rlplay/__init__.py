"""rlplay: reinforcement learning from scratch in Python and NumPy.

The same package runs natively (CPython 3.11+, tests and the CLI) and in the browser (Pyodide 0.27.7, in one
Web Worker). Layout:

- ``rlplay.envs``: the environments (gridworld, bandit, cart-pole), with Gymnasium's API conventions.
- ``rlplay.algos``: one algorithm per file (value iteration, Q-learning, exploration, nn, REINFORCE,
  actor-critic, PPO).
- ``rlplay.demos``: the drivers the browser calls; ``step(n)`` returns a snapshot.
"""

__version__ = "0.1.0"
