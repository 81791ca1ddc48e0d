"""DQN: Q-learning with a neural network in place of the Q-table, made stable by experience replay and a target network.

    a*_j  = argmax_a′ Q(s′_j, a′)                                              (Double DQN: the online network picks)
    y_j   = r_j + γ (1 − done_j) Q_target(s′_j, a*_j)                         (the TD target, from a frozen copy)
    δ_j   = Q(s_j, a_j) − y_j                                                  (the TD error)
    loss  = mean_j huber(δ_j),  huber(δ) = ½ δ² if |δ| ≤ κ else κ (|δ| − ½ κ)  (gradient clip(δ, −κ, κ))
    θ ← θ − lr · Adam(∇θ loss);   every ``target_update`` steps: θ_target ← θ
    act:  ε-greedy on Q(s, ·), ε decaying linearly from ``epsilon_start`` to ``epsilon_end``

Sources: Mnih et al. (2015), "Human-level control through deep reinforcement learning", Algorithm 1 (replay memory,
target network, ε-greedy with annealing, error clipping, i.e. the Huber loss); van Hasselt, Guez & Silver (2016),
"Deep Reinforcement Learning with Double Q-learning", eq. 4 (the online network picks a′, the target network values
it); Watkins (1989) for the Q-learning target; layout after CleanRL's ``dqn.py`` (``learning_starts``,
``train_frequency``, ``target_network_frequency``).

This is the bridge from the gridworld's Q-table to neural networks: the table has one entry per (state, action), and a
cart-pole's state is 4 real numbers, so there is no table to fill ("the Q-table explodes"). DQN keeps the Q-learning
update and replaces the table by ``QNetwork(s) → (Q(s, left), Q(s, right))``. The two stabilisers exist because a
network generalises: one update moves Q at every state, so consecutive, correlated steps (fixed by sampling old steps
at random from the replay buffer) and a target that moves with every step (fixed by a frozen copy) make it diverge.

``done`` is "terminated" (the pole fell or the cart left the track): after the 500-step time limit the next state
still has a future, so the target bootstraps from it.

Why these defaults (CartPole-v1, measured natively on seed 0; the README's benchmark has every seed):

- κ = 10, not the usual 1: on CartPole Q grows towards 1/(1 − γ) = 100, so the TD error of the last step before a fall
  (target 1, estimate near the others' ~80) is ~80. With κ = 1 its gradient is clipped to that of a 1-step error, and
  those rare steps (one in ~100) could not pull Q down: after 30k steps the network still valued the state just
  before a fall at ~90 and the 100-episode mean was 89. With κ = 10 it valued it at 4 after 10k steps.
- a replay buffer of 100k steps: with 50k, once most episodes reached 500 steps the buffer held hardly a fall, Q rose
  past 100 and the mean fell from 386 to 324 within 5k steps (seed 0, 75k–80k steps); with 100k the same run went
  on to solve at episode 417 (94,605 steps).
- one update a step and a target copied every 200 steps: each copy lets the values look about one step further
  ahead (after k copies, Q ≤ (1 − γᵏ)/(1 − γ)), so telling the two actions apart by what happens ~100 steps later
  takes ~100 copies; with a copy every 500 steps (and κ = 1) the mean was still 116 after 35k steps.

Learner protocol: see ``rlplay.algos.reinforce``. ``act`` returns ``(action, π(right|s))`` where π is the ε-greedy
policy: ε/2 + (1 − ε)·[argmax Q = right].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.nn import Adam, clip_grad_norm
from rlplay.params import Param, validate


@dataclass
class DQNConfig:
    lr: Annotated[float, Param(1e-5, 0.1)] = 0.001
    """Adam step size of the Q-network, 1e-5..0.1."""
    gamma: Annotated[float, Param(0.0, 1.0)] = 0.99
    """Discount factor γ of the TD target, 0..1."""
    hidden: Annotated[int, Param(4, 256)] = 128
    """Hidden units in each hidden layer of the Q-network (and of its target copy), 4..256."""
    layers: Annotated[int, Param(1, 3)] = 1
    """Hidden layers of the Q-network, 1..3."""
    buffer_size: Annotated[int, Param(100, 1_000_000)] = 100_000
    """Transitions kept in the replay buffer (the oldest are overwritten), 100..1000000."""
    batch_size: Annotated[int, Param(1, 1024)] = 64
    """Transitions sampled per update, 1..1024."""
    learning_starts: Annotated[int, Param(0, 1_000_000)] = 1000
    """Steps of acting before the first update (the buffer fills with ε ≈ 1 steps), 0..1000000."""
    train_frequency: Annotated[int, Param(1, 100)] = 1
    """Environment steps per update, 1..100."""
    target_update: Annotated[int, Param(1, 100_000)] = 200
    """Steps between copies of the online network into the target network, 1..100000."""
    epsilon_start: Annotated[float, Param(0.0, 1.0)] = 1.0
    """ε at the first step, 0..1."""
    epsilon_end: Annotated[float, Param(0.0, 1.0)] = 0.02
    """ε after the decay, 0..1."""
    epsilon_decay_steps: Annotated[int, Param(1, 1_000_000)] = 10_000
    """Steps over which ε falls linearly from epsilon_start to epsilon_end, 1..1000000."""
    huber_delta: Annotated[float, Param(0.01, 100.0)] = 10.0
    """κ of the Huber loss: quadratic for |δ| ≤ κ, linear beyond, 0.01..100."""
    max_grad_norm: Annotated[float, Param(0.0, 100.0)] = 10.0
    """Clip the global gradient norm to this before each Adam step (0 = no clipping), 0..100."""
    double: bool = True
    """Double DQN: the online network picks a′, the target network values it (else max_a′ Q_target)."""

    def __post_init__(self):
        validate(self)


def huber(td_error: np.ndarray, delta: float):
    """Huber loss per sample and its derivative: ½δ² inside ±κ, κ(|δ| − ½κ) outside; d/dδ = clip(δ, −κ, κ).

    >>> huber(np.array([0.5, -3.0]), 1.0)
    (array([0.125, 2.5  ]), array([ 0.5, -1. ]))
    """
    abs_td = np.abs(td_error)
    quadratic = np.minimum(abs_td, delta)
    # huber = ½ q² + κ (|δ| − q),  q = min(|δ|, κ)
    loss = 0.5 * quadratic * quadratic + delta * (abs_td - quadratic)
    return loss, np.clip(td_error, -delta, delta)


def dqn_loss(q: np.ndarray, actions: np.ndarray, target: np.ndarray, delta: float):
    """mean_j huber(Q(s_j, a_j) − y_j) and ∂loss/∂Q (B, A): nonzero only in the taken action's column.

    >>> loss, dq = dqn_loss(np.array([[1.0, 2.0]]), np.array([1]), np.array([0.0]), 1.0)
    >>> loss, dq.tolist()
    (1.5, [[0.0, 1.0]])
    """
    batch = len(actions)
    rows = np.arange(batch)
    # δ_j = Q(s_j, a_j) − y_j
    td_error = q[rows, actions] - target
    losses, dloss = huber(td_error, delta)
    dq = np.zeros_like(q)
    dq[rows, actions] = dloss / batch
    return float(losses.mean()), dq


class ReplayBuffer:
    """A ring buffer of transitions (s, a, r, s′, done) in preallocated arrays; ``sample`` draws uniformly."""

    def __init__(self, capacity: int, n_obs: int):
        self.capacity = capacity
        self.obs = np.zeros((capacity, n_obs))
        self.next_obs = np.zeros((capacity, n_obs))
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity)
        self.dones = np.zeros(capacity)
        self.size = 0
        self.position = 0

    def add(self, obs, action: int, reward: float, next_obs, done: bool) -> None:
        i = self.position
        self.obs[i] = obs
        self.next_obs[i] = next_obs
        self.actions[i] = action
        self.rewards[i] = reward
        self.dones[i] = 1.0 if done else 0.0
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, rng: np.random.Generator, batch_size: int):
        mb_inds = rng.integers(0, self.size, batch_size)
        return (
            self.obs[mb_inds],
            self.actions[mb_inds],
            self.rewards[mb_inds],
            self.next_obs[mb_inds],
            self.dones[mb_inds],
        )


def dense(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a batch ``a`` (B, K) without BLAS, in a fixed summation order on every platform (as ``nn.matmul``).

    With a short inner dimension (K ≤ 8, the 4 state variables or the 2 actions), the K rows of products are added in
    turn: the order ``nn.matmul`` sums in, bit for bit, without its (B, K, N) temporary. With a long one (the hidden
    units) ``nn.matmul`` runs thousands of tiny strided NumPy loops (~0.5 ms for 64 × 128 × 2, which dominated DQN's
    update); here every output instead sums one contiguous row of K products with NumPy's pairwise summation.

    >>> dense(np.ones((1, 16)), np.arange(32.0).reshape(16, 2)).tolist()
    [[240.0, 256.0]]
    """
    if b.shape[0] <= 8:
        # out = Σ_k a[:, k] b[k, :], k = 0, 1, … in turn
        out = a[:, 0:1] * b[0]
        for k in range(1, b.shape[0]):
            out += a[:, k : k + 1] * b[k]
        return out
    # out[i, j] = Σ_k a[i, k] bᵀ[j, k], the products laid out (B, N, K) so that k is the contiguous axis
    return (a[:, None, :] * np.ascontiguousarray(b.T)[None, :, :]).sum(axis=-1)


def dense_t(a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``aᵀ @ d`` for batches ``a`` (B, K) and ``d`` (B, N), the weight gradient: the same bits as
    ``nn.transpose_matmul`` (a sum over the batch rows in turn), one column (or row) of the result at a time.

    >>> dense_t(np.array([[1.0], [2.0]]), np.array([[3.0, 4.0], [5.0, 6.0]])).tolist()
    [[13.0, 16.0]]
    """
    out = np.empty((a.shape[1], d.shape[1]))
    if d.shape[1] <= a.shape[1]:
        for j in range(d.shape[1]):
            out[:, j] = (a * d[:, j : j + 1]).sum(axis=0)
    else:
        for k in range(a.shape[1]):
            out[k] = (d * a[:, k : k + 1]).sum(axis=0)
    return out


class QNetwork:
    """``in → hidden (ReLU) → … → hidden (ReLU) → out`` with ``layers`` hidden layers of ``hidden`` units.

    Parameters are the list ``[W1, b1, W2, b2, …]`` (updated in place by ``Adam``); hidden weights use He
    initialisation N(0, 2/fan_in), the output layer N(0, 1/fan_in) (``nn.MLP``'s value head). One hidden layer is
    ``nn.MLP``'s shape; DQN's default is two (the 64–256 × 2 of the common CartPole settings).

        forward:  h_0 = X,  z_l = h_(l−1) W_l + b_l,  h_l = relu(z_l),  y = h_L W_(L+1) + b_(L+1)
        backward: dW_l = h_(l−1)ᵀ d_l,  db_l = Σ_rows d_l,  d_(l−1) = (d_l W_lᵀ) ⊙ [z_(l−1) > 0],  d_(L+1) = ∂loss/∂y
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator, layers: int = 2):
        sizes = [n_in] + [n_hidden] * layers + [n_out]
        self.layers = layers
        self.params: list[np.ndarray] = []
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            scale = math.sqrt(2.0 / fan_in) if index < layers else 1.0 / math.sqrt(fan_in)
            self.params += [rng.standard_normal((fan_in, fan_out)) * scale, np.zeros(fan_out)]

    def forward(self, X: np.ndarray):
        """Batch forward: ``X`` (B, in) → ``(y (B, out), cache)``; ``cache`` is what ``backward`` needs."""
        h, zs, hs = X, [], [X]
        for W, b in zip(self.params[0:-2:2], self.params[1:-2:2], strict=True):
            # z_l = h_(l−1) W_l + b_l,  h_l = relu(z_l)
            z = dense(h, W) + b
            h = np.maximum(z, 0.0)
            zs.append(z)
            hs.append(h)
        # y = h_L W_(L+1) + b_(L+1)
        y = dense(h, self.params[-2]) + self.params[-1]
        return y, (zs, hs)

    def backward(self, cache, dy: np.ndarray) -> list[np.ndarray]:
        """Gradients ``[dW1, db1, …]`` of a scalar loss, given ``dy`` = ∂loss/∂y (B, out)."""
        zs, hs = cache
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        d = dy
        for layer in range(self.layers, -1, -1):
            W = self.params[2 * layer]
            # dW_l = h_(l−1)ᵀ d_l,  db_l = Σ_rows d_l
            grads[2 * layer] = dense_t(hs[layer], d)
            grads[2 * layer + 1] = d.sum(axis=0)
            if layer > 0:
                # d_(l−1) = (d_l W_lᵀ) ⊙ [z_(l−1) > 0]   (ReLU passes gradient only where it was active)
                d = dense(d, W.T) * (zs[layer - 1] > 0.0)
        return grads

    def forward_one(self, obs) -> np.ndarray:
        """Forward pass of one state: the per-step hot path (``np.dot``, as ``nn.MLP.forward_one``)."""
        h = np.asarray(obs, dtype=np.float64)
        for W, b in zip(self.params[0:-2:2], self.params[1:-2:2], strict=True):
            h = np.dot(h, W)
            h += b
            np.maximum(h, 0.0, out=h)
        y = np.dot(h, self.params[-2])
        y += self.params[-1]
        return y

    def is_finite(self) -> bool:
        return all(bool(np.isfinite(p).all()) for p in self.params)


class DQN:
    """The DQN learner: acts ε-greedily, stores every step, and updates every ``train_frequency`` steps."""

    def __init__(self, config: DQNConfig, n_obs: int, n_actions: int, rng: np.random.Generator):
        if n_actions != 2:
            raise ValueError(f"this learner acts over two actions (CartPole); got n_actions={n_actions}")
        self.config = config
        self.rng = rng  # minibatch sampling
        self.q_network = QNetwork(n_obs, config.hidden, n_actions, rng, config.layers)
        self.target_network = QNetwork(n_obs, config.hidden, n_actions, rng, config.layers)
        self.sync_target()
        self.optimizer = Adam(self.q_network.params, config.lr)
        self.buffer = ReplayBuffer(config.buffer_size, n_obs)
        self.steps = 0
        self.updates = 0

    def sync_target(self) -> None:
        """θ_target ← θ (copied into the target's own arrays)."""
        for target, online in zip(self.target_network.params, self.q_network.params, strict=True):
            target[...] = online

    def set_lr(self, lr: float) -> None:
        self.config.lr = lr
        self.optimizer.lr = lr

    def epsilon(self) -> float:
        """ε now: linear from epsilon_start to epsilon_end over epsilon_decay_steps, then flat."""
        config = self.config
        fraction = min(self.steps / config.epsilon_decay_steps, 1.0)
        return config.epsilon_start + fraction * (config.epsilon_end - config.epsilon_start)

    def p_right(self, obs) -> float:
        """The greedy policy as a probability: 1 if Q(s, right) > Q(s, left), else 0 (ties go left)."""
        q = self.q_network.forward_one(obs)
        return 1.0 if q[1] > q[0] else 0.0

    def act(self, obs, u: float) -> tuple[int, float]:
        """ε-greedy from one uniform draw u: u < ε/2 → left, u < ε → right (a random action), else argmax Q."""
        epsilon = self.epsilon()
        greedy = self.p_right(obs)
        p_right = 0.5 * epsilon + (1.0 - epsilon) * greedy
        if u < epsilon:
            return (0 if u < 0.5 * epsilon else 1), p_right
        return int(greedy), p_right

    def observe(self, obs, action: int, reward: float, terminated: bool, truncated: bool, next_obs):
        config = self.config
        self.buffer.add(obs, action, reward, next_obs, terminated)
        self.steps += 1
        stats = None
        if self.steps > config.learning_starts and self.steps % config.train_frequency == 0:
            stats = self.update()
        if self.steps % config.target_update == 0:
            self.sync_target()
        return stats

    def update(self) -> dict:
        config = self.config
        obs, actions, rewards, next_obs, dones = self.buffer.sample(self.rng, config.batch_size)
        # y = r + γ (1 − done) max_a′ Q_target(s′, a′)   (held fixed: no gradient flows into the target)
        q_target_next = self.target_network.forward(next_obs)[0]
        if config.double:
            a_next = self.q_network.forward(next_obs)[0].argmax(axis=1)
            q_next = q_target_next[np.arange(len(a_next)), a_next]
        else:
            q_next = q_target_next.max(axis=1)
        target = rewards + config.gamma * (1.0 - dones) * q_next
        q, cache = self.q_network.forward(obs)
        loss, dq = dqn_loss(q, actions, target, config.huber_delta)
        grads = self.q_network.backward(cache, dq)
        norm = clip_grad_norm(grads, config.max_grad_norm)
        self.optimizer.step(grads)
        self.updates += 1
        td_error = q[np.arange(len(actions)), actions] - target
        return {
            "loss": loss,
            "q_mean": float(q.mean()),
            "epsilon": self.epsilon(),
            "adv_scale": float(td_error.std()),
            "grad_norm": norm,
        }

    def values(self, X: np.ndarray) -> np.ndarray:
        """V(s) = max_a Q(s, a) for each row of ``X`` (the driver's ``replay_values``)."""
        if len(X) == 0:
            return np.zeros(0)
        return self.q_network.forward(X)[0].max(axis=1)

    def networks(self) -> dict:
        """The trained networks by name (what an agent file holds)."""
        return {"q_network": self.q_network}

    def is_finite(self) -> bool:
        return self.q_network.is_finite()
