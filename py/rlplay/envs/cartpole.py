"""Cart-pole balancing (CartPole-v1): keep a pole upright on a cart by pushing left or right.

Dynamics (Barto, Sutton & Anderson 1983, frictionless; as corrected in Florian 2007, eqs. 23 and 24 with the
friction terms dropped, which is what Gymnasium implements)::

    θ¨ = (g sin θ + cos θ · (−F − m_p l θ˙² sin θ) / (m_c + m_p)) / (l · (4/3 − m_p cos²θ / (m_c + m_p)))
    x¨ = (F + m_p l (θ˙² sin θ − θ¨ cos θ)) / (m_c + m_p)

integrated with explicit Euler steps of τ = 0.02 s. Sources: A. G. Barto, R. S. Sutton, C. W. Anderson, "Neuronlike
adaptive elements that can solve difficult learning control problems", IEEE Trans. SMC 13(5), 1983; R. V. Florian,
"Correct equations for the dynamics of the cart-pole system", 2007; Gymnasium ``envs/classic_control/cartpole.py``.

The equations live in one function, ``cartpole_dynamics``: the training env, the "watch" env and the human "play"
env are all ``CartPole`` instances calling it. It is written with plain arithmetic plus the ``sin``/``cos`` it is
given, so the same function also steps NumPy arrays of states (pass ``np.sin``/``np.cos``).

Portability: the default ``sin``/``cos`` are Taylor polynomials in plain float arithmetic for |θ| ≤ 0.5 (every state
an episode steps from has |θ| ≤ 12°), so the physics gives the same bits natively (glibc) and in Pyodide (musl),
whose ``math.sin`` can differ in the last bit; a 1-ulp difference, fed through training, changes a run within
~50k steps. Beyond 0.5 rad they fall back to ``math.sin``/``math.cos``.
"""

from __future__ import annotations

import math

import numpy as np

GRAVITY = 9.8  # m/s², downward acceleration
MASS_CART = 1.0  # kg
MASS_POLE = 0.1  # kg
TOTAL_MASS = MASS_CART + MASS_POLE  # kg
HALF_LENGTH = 0.5  # m, half the pole's length (l in the equations)
POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH  # kg·m, m_p · l
FORCE_MAG = 10.0  # N, magnitude of the push applied to the cart
TAU = 0.02  # seconds between state updates
THETA_THRESHOLD = 12 * 2 * math.pi / 360  # rad, |θ| beyond this ends the episode (12°)
X_THRESHOLD = 2.4  # m, |x| beyond this ends the episode (cart leaves the track)
MAX_EPISODE_STEPS = 500  # steps, CartPole-v1's time limit (truncation)
INIT_HALF_WIDTH = 0.05  # every state variable starts uniform in [-0.05, 0.05]


PORTABLE_TRIG_LIMIT = 0.5  # rad; within it the series below are accurate to ~1 ulp


def portable_sin(theta: float) -> float:
    """sin θ = θ − θ³/3! + θ⁵/5! − … (to θ¹⁵, Horner form) for |θ| ≤ 0.5; ``math.sin`` beyond.

    >>> abs(portable_sin(0.2) - math.sin(0.2)) < 1e-16
    True
    """
    if not -PORTABLE_TRIG_LIMIT <= theta <= PORTABLE_TRIG_LIMIT:
        return math.sin(theta)
    t2 = theta * theta
    return theta * (
        1.0
        - t2
        / 6.0
        * (
            1.0
            - t2
            / 20.0
            * (1.0 - t2 / 42.0 * (1.0 - t2 / 72.0 * (1.0 - t2 / 110.0 * (1.0 - t2 / 156.0 * (1.0 - t2 / 210.0)))))
        )
    )


def portable_cos(theta: float) -> float:
    """cos θ = 1 − θ²/2! + θ⁴/4! − … (to θ¹⁶, Horner form) for |θ| ≤ 0.5; ``math.cos`` beyond."""
    if not -PORTABLE_TRIG_LIMIT <= theta <= PORTABLE_TRIG_LIMIT:
        return math.cos(theta)
    t2 = theta * theta
    return 1.0 - t2 / 2.0 * (
        1.0
        - t2
        / 12.0
        * (
            1.0
            - t2
            / 30.0
            * (1.0 - t2 / 56.0 * (1.0 - t2 / 90.0 * (1.0 - t2 / 132.0 * (1.0 - t2 / 182.0 * (1.0 - t2 / 240.0)))))
        )
    )


def cartpole_dynamics(x, x_dot, theta, theta_dot, force, sin=portable_sin, cos=portable_cos):
    """One explicit-Euler step of τ seconds of the frictionless cart-pole; returns ``(x, x_dot, theta, theta_dot)``.

    ``force`` is in newtons (+ pushes right). Works on floats (default ``portable_sin``/``portable_cos``) or,
    given ``np.sin``/``np.cos``, on arrays of states.

    >>> [round(v, 6) for v in cartpole_dynamics(0.0, 0.0, 0.0, 0.0, FORCE_MAG)]
    [0.0, 0.195122, 0.0, -0.292683]
    """
    costheta = cos(theta)
    sintheta = sin(theta)
    # temp = (F + m_p l θ˙² sin θ) / (m_c + m_p)
    temp = (force + POLE_MASS_LENGTH * theta_dot * theta_dot * sintheta) / TOTAL_MASS
    # θ¨ = (g sin θ − cos θ · temp) / (l · (4/3 − m_p cos²θ / (m_c + m_p)))
    theta_acc = (GRAVITY * sintheta - costheta * temp) / (
        HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * costheta * costheta / TOTAL_MASS)
    )
    # x¨ = temp − m_p l θ¨ cos θ / (m_c + m_p)
    x_acc = temp - POLE_MASS_LENGTH * theta_acc * costheta / TOTAL_MASS
    # explicit Euler: positions use the old velocities
    return (
        x + TAU * x_dot,
        x_dot + TAU * x_acc,
        theta + TAU * theta_dot,
        theta_dot + TAU * theta_acc,
    )


def is_failed(x, theta) -> bool:
    """True when the cart left the track or the pole fell past 12°."""
    return x < -X_THRESHOLD or x > X_THRESHOLD or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD


class CartPole:
    """A pole is attached by an un-actuated joint to a cart that moves along a frictionless track.

    ## Description
    The pole starts nearly upright; the goal is to keep it upright by pushing the cart left or right
    (Barto, Sutton & Anderson 1983; Gymnasium's CartPole-v1, re-implemented without depending on Gymnasium).

    ## Action Space
    ``0``: push the cart left with 10 N; ``1``: push it right with 10 N.

    ## Observation Space
    A tuple of 4 floats ``(x, x_dot, theta, theta_dot)``: cart position (m), cart velocity (m/s), pole angle (rad,
    0 = upright, + = leaning right), pole angular velocity (rad/s). The episode ends before ``|x| > 2.4`` or
    ``|theta| > 0.2095`` can be observed for more than the final step.

    ## Rewards
    +1 for every step taken, including the step on which the episode ends (so an episode's return is its length).

    ## Starting State
    All four values uniform in [-0.05, 0.05], drawn from the env's own ``np.random.Generator``.

    ## Episode End
    Terminated: ``|theta| > 12°`` or ``|x| > 2.4``. Truncated: 500 steps taken (CartPole-v1's time limit).

    Unlike Gymnasium (float32 observations) the observation is a plain tuple of Python floats (float64): the hot
    loop stays out of NumPy, and nothing is rounded to float32. ``np.asarray`` it for batch work.
    """

    n_actions = 2
    observation_shape = (4,)

    def __init__(self, seed: int | None = None):
        self.np_random = np.random.default_rng(seed)
        self.state: tuple[float, float, float, float] | None = None
        self.length = 0
        self.done = True

    def reset(self, seed: int | None = None):
        """Start an episode; ``seed`` re-seeds the env's generator (Gymnasium's convention)."""
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        start = self.np_random.uniform(-INIT_HALF_WIDTH, INIT_HALF_WIDTH, size=4)
        self.state = (float(start[0]), float(start[1]), float(start[2]), float(start[3]))
        self.length = 0
        self.done = False
        return self.state, {}

    def step(self, action: int):
        """Push (0 = left, 1 = right) for τ seconds; returns ``(obs, reward, terminated, truncated, info)``."""
        if self.done:
            raise RuntimeError("CartPole.step called after the episode ended: call reset() first")
        if action == 1:
            force = FORCE_MAG
        elif action == 0:
            force = -FORCE_MAG
        else:
            raise ValueError(f"CartPole action must be 0 (left) or 1 (right), got {action!r}")
        x, x_dot, theta, theta_dot = self.state
        self.state = cartpole_dynamics(x, x_dot, theta, theta_dot, force)
        self.length += 1
        terminated = is_failed(self.state[0], self.state[2])
        # Gymnasium's TimeLimit: both flags can be true on step 500; learners bootstrap only when not terminated
        truncated = self.length >= MAX_EPISODE_STEPS
        self.done = terminated or truncated
        return self.state, 1.0, terminated, truncated, {}
