"""Cart-pole demo driver: a network learns to balance a pole with REINFORCE (± baseline), actor-critic, PPO or DQN.

    REINFORCE:     θ ← θ + lr · mean_t G_t ∇ log π(a_t|s_t)                          (``rlplay.algos.reinforce``)
    + baseline:    θ ← θ + lr · mean_t (G_t − b(t)) ∇ log π(a_t|s_t)                 (the same file, baseline "time")
    actor-critic:  θ ← θ + lr · mean_t A_t ∇ log π(a_t|s_t),  A_t = GAE(λ) from V(s)  (``rlplay.algos.actor_critic``)
    PPO:           maximise mean_t min(r_t A_t, clip(r_t, 1 − ε, 1 + ε) A_t)         (``rlplay.algos.ppo``)
    DQN:           Q(s,a) ← r + γ max_a′ Q_target(s′,a′), by Adam on a Huber loss    (``rlplay.algos.dqn``)

The driver contract is in ``rlplay.demos``. One unit of ``advance`` is one environment step of training; episodes
restart by themselves. REINFORCE and actor-critic update when an episode ends, PPO when its rollout (1024 steps,
across episodes) is full, DQN every step from its replay buffer. One default learning rate, 0.01 (Adam), is tuned
to serve the four policy-gradient algorithms (PPO stays safe at it because its epochs stop once approx_kl passes
0.02). DQN regresses onto a target that moves with its own network and learns from every step, not every episode: it
has its own learning rate and network size (``dqn_lr``, ``dqn_hidden``); its other settings are ``DQNConfig``'s.

Randomness: one ``SeedSequence(seed)`` is split into independent streams: the training env's starts, the uniform
draws that sample training actions, the networks' initialisation and PPO's minibatch shuffling, the "watch" episodes,
and the "play" episodes. Watching and playing therefore never change what training does; the same seed replays the
same run; and because the loop is one step at a time, ``advance`` is independent of how the steps are chunked.

Read-outs (``snapshot``):

- ``solved-at-episode``: the number of finished episodes when the mean length of the last 100 first reached 475
  (CartPole-v1's "solved" threshold; needs 100 episodes), else −1.
- ``replay_states`` (T, 4), ``replay_p_right`` (T,): the T states the policy acted on in the latest finished episode
  and π(right|s) there as it was when acting; sent only when the page lacks that episode (``since`` below the
  episode count, or 0). ``replay_end``: what ended it, "pole", "track" or "time-limit". ``replay_values`` (T,): the
  critic's V(s) on those states now, in every snapshot (zeros for REINFORCE, which has no critic).
- ``adv_scale``: one value per update, the standard deviation of that update's raw advantages (REINFORCE: G_t − b(t);
  actor-critic and PPO: GAE). Its tail starts at the first update made once ``since`` episodes had finished
  (``adv_scale_offset``), so one ``since`` serves both growing series.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from array import array

import numpy as np

from rlplay.algos.actor_critic import ActorCritic, ActorCriticConfig
from rlplay.algos.dqn import DQN, DQNConfig
from rlplay.algos.exploration import Uniforms
from rlplay.algos.ppo import PPO, PPOConfig
from rlplay.algos.reinforce import Reinforce, ReinforceConfig
from rlplay.core.driver import DemoDriver, Notice, notice_fields
from rlplay.demos.cartpole import agent as agent_file
from rlplay.demos.cartpole import code as cartpole_code
from rlplay.demos.cartpole.compare import SeedComparison
from rlplay.demos.cartpole.config import (  # noqa: F401 - re-exported: the demo's public names
    ALGOS,
    DQN_STEP_BUDGET,
    SOLVED_MEAN_LENGTH,
    SOLVED_WINDOW,
    CartpoleConfig,
)
from rlplay.demos.cartpole.variance import gradient_spread
from rlplay.envs.cartpole import MAX_EPISODE_STEPS, X_THRESHOLD, CartPole

UNIFORM_BLOCK = 4096  # uniform draws fetched from the generator at a time (one NumPy call instead of 4096)


def make_learner(config: CartpoleConfig, rng: np.random.Generator):
    """The learner for ``config.algo``: the algorithm's own tuned config, with the user's settings on top."""
    shared = {"lr": config.lr, "gamma": config.gamma, "hidden": config.hidden, "entropy": config.entropy}
    if config.algo == "reinforce":
        # the seed post's update, as written: raw returns and no gradient clipping (with the others' clipping at 1.0
        # it solved neither seed 0 nor seed 1 within 1500 episodes)
        return Reinforce(ReinforceConfig(**shared, baseline="none", max_grad_norm=0.0), 4, 2, rng)
    if config.algo == "reinforce-baseline":
        return Reinforce(ReinforceConfig(**shared, baseline="time"), 4, 2, rng)
    if config.algo == "dqn":
        return DQN(DQNConfig(lr=config.dqn_lr, gamma=config.gamma, hidden=config.dqn_hidden), 4, 2, rng)
    if config.algo == "actor-critic":
        return ActorCritic(ActorCriticConfig(**shared), 4, 2, rng)
    return PPO(PPOConfig(**shared, clip=config.clip), 4, 2, rng)


class CartpoleDemo(DemoDriver):
    COMMANDS = frozenset(
        {
            "watch_reset",
            "watch_step",
            "play_reset",
            "play_step",
            "save_agent",
            "load_agent",
            "compare_start",
            "compare_step",
            "compare_cancel",
            "gradient_spread",
        }
    )
    RUN_COMMANDS = DemoDriver.RUN_COMMANDS | {"watch_reset", "watch_step", "play_reset", "play_step"}
    # the comparison over seeds: drivers of its own (SeedComparison's make_run), on this run's settings
    SIDE_COMMANDS = frozenset({"compare_start", "compare_step", "compare_cancel"})

    def __init__(self, config: CartpoleConfig | None = None):
        self.config = config if config is not None else CartpoleConfig()
        self.code = cartpole_code.new_slots()  # the Code panel's functions (rlplay.demos.cartpole.code)
        self.comparison = None  # a SeedComparison in progress (``compare_start``), apart from this run
        self.comparison_figures: dict = {}  # its per-algorithm figures, kept after it finishes
        self._fresh_run()

    make_learner = staticmethod(make_learner)  # for the seed comparison's batched runs

    @staticmethod
    def run_streams(seed: int) -> dict:
        """The run's independent random streams, split from ``SeedSequence(seed)``: the training env's starts, the
        action uniforms, the networks' initialisation (a generator), the Watch and the Play episodes."""
        env_seq, action_seq, learner_seq, watch_seq, play_seq = np.random.SeedSequence(seed).spawn(5)
        return {
            "env": env_seq,
            "action": action_seq,
            "learner": np.random.default_rng(learner_seq),
            "watch": watch_seq,
            "play": play_seq,
        }

    def code_names(self) -> list[str]:
        """The functions the Code panel shows for the current algorithm."""
        return cartpole_code.code_names(self.config.algo)

    def _fresh_run(self) -> None:
        config = self.config
        streams = self.run_streams(config.seed)
        watch_seq, play_seq = streams["watch"], streams["play"]
        self.env = CartPole(seed=streams["env"])
        self.action_uniforms = Uniforms(np.random.default_rng(streams["action"]), block=UNIFORM_BLOCK)  # one a step
        self.learner = make_learner(config, streams["learner"])
        self.watch_env = CartPole(seed=watch_seq)
        self.watch_rng = np.random.default_rng(watch_seq.spawn(1)[0])
        self.watch_p_right = math.nan
        self.play_env = CartPole(seed=play_seq)
        self.obs, _ = self.env.reset()
        self.steps = 0
        # Histories grow by one entry an episode (or update) for as long as the page trains: packed arrays (16 bytes
        # an episode in all) rather than lists of Python numbers (about 160), so memory stays flat on long runs.
        self.episode_lengths = array("i")
        self.solved_at = -1
        self.best_length = -1
        self.episode_states: list = []
        self.episode_p_right: list[float] = []
        self.replay_states = np.zeros((0, 4))
        self.replay_p_right = np.zeros(0)
        self.replay_end = ""  # "pole" (fell past 12°), "track" (left ±2.4 m) or "time-limit" (500 steps)
        self.adv_scales = array("d")
        self.adv_scale_episodes = array("i")  # episodes finished when each update ran
        self.last_update: dict = {}
        self.diverged_at = -1  # the update (1-based) whose result was NaN/inf, else −1
        self.episodes_before = 0  # episodes and steps a loaded agent was trained for before this run
        self.steps_before = 0
        self.loaded_config = None  # the config its agent file gave this run, if it started from one

    # -- training ------------------------------------------------------------------------------------------------
    def advance(self, n: int) -> int:
        """Run ``n`` training steps (fewer only if training diverges); return how many ran."""
        if n < 0:
            raise ValueError(f"the number of steps must be 0 or more, got {n}")
        if self.diverged_at >= 0:
            return 0
        env, learner = self.env, self.learner
        act, observe = learner.act, learner.observe
        episode_states, episode_p_right = self.episode_states, self.episode_p_right
        # the action uniforms, aliased for the loop (``Uniforms``: store the position back, refill at the block's end)
        uniforms = self.action_uniforms
        buffer, index, block = uniforms.buffer, uniforms.position, uniforms.block
        obs = self.obs
        ran = int(n)
        for done_steps in range(1, int(n) + 1):
            if index == block:
                buffer, index = uniforms.refill(), 0
            action, p_right = act(obs, buffer[index])
            index += 1
            next_obs, reward, terminated, truncated, _ = env.step(action)
            episode_states.append(obs)
            episode_p_right.append(p_right)
            stats = observe(obs, action, reward, terminated, truncated, next_obs)
            obs = next_obs
            if stats is not None and not self._record_update(stats):
                self._finish_episode_if(terminated or truncated, terminated, obs)
                ran = done_steps  # diverged: training stops here
                break
            if terminated or truncated:
                self._finish_episode_if(True, terminated, obs)
                episode_states, episode_p_right = self.episode_states, self.episode_p_right
                obs, _ = env.reset()
        self.steps += ran
        uniforms.position = index
        self.obs = obs
        return ran

    def _record_update(self, stats: dict) -> bool:
        """Keep an update's diagnostics; False (and training stops) if anything became NaN or infinite."""
        self.adv_scales.append(stats["adv_scale"])
        self.adv_scale_episodes.append(len(self.episode_lengths))
        self.last_update = stats
        if all(math.isfinite(value) for value in stats.values()) and self.learner.is_finite():
            return True
        self.diverged_at = len(self.adv_scales)
        self.adv_scales[-1] = 0.0 if not math.isfinite(self.adv_scales[-1]) else self.adv_scales[-1]
        return False

    def _finish_episode_if(self, ended: bool, terminated: bool = False, final_obs=None) -> None:
        if not ended:
            return
        # What ended it, read off the state after the last push (the replay holds only the states acted on).
        if not terminated:
            self.replay_end = "time-limit"
        else:
            self.replay_end = "track" if abs(final_obs[0]) > X_THRESHOLD else "pole"
        length = len(self.episode_states)
        self.episode_lengths.append(length)
        self.best_length = max(self.best_length, length)
        self.replay_states = np.array(self.episode_states, dtype=np.float64).reshape(-1, 4)
        self.replay_p_right = np.array(self.episode_p_right, dtype=np.float64)
        self.episode_states, self.episode_p_right = [], []
        if self.solved_at < 0 and len(self.episode_lengths) >= SOLVED_WINDOW:
            if sum(self.episode_lengths[-SOLVED_WINDOW:]) >= SOLVED_MEAN_LENGTH * SOLVED_WINDOW:
                self.solved_at = len(self.episode_lengths)

    def reset(self) -> None:
        """Fresh networks and the random streams from the start: the same seed replays the same run."""
        self._fresh_run()

    def configure(self, **changes) -> list[str]:
        """Apply changed settings. algo, seed and the network size in use (hidden, or dqn_hidden for DQN) need a
        fresh run (their names are returned); the learning rate in use, gamma, entropy and clip apply from the next
        update on, except after a divergence, when any change starts over. On a ``ValueError`` nothing changes."""
        fields = {f.name for f in dataclasses.fields(CartpoleConfig)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ValueError(f"unknown cartpole settings: {', '.join(unknown)}")
        old = self.config
        new = dataclasses.replace(old, **changes)  # validates
        changed = {name for name in fields if getattr(old, name) != getattr(new, name)}
        self.config = new
        dqn = new.algo == "dqn"
        fresh = [name for name in ("algo", "dqn_hidden" if dqn else "hidden", "seed") if name in changed]
        if self.diverged_at >= 0 and changed:
            fresh = sorted(changed)  # the weights are NaN: any change (e.g. a lower lr) starts over
        if fresh:
            self._fresh_run()
            return fresh
        learner = self.learner
        lr_name = "dqn_lr" if dqn else "lr"
        if lr_name in changed:
            learner.set_lr(getattr(new, lr_name))
        learner.config.gamma = new.gamma
        if not isinstance(learner, DQN):
            learner.config.entropy = new.entropy
        if isinstance(learner, PPO):
            learner.config.clip = new.clip
        return []

    # -- commands: watch the current policy, or play by hand -----------------------------------------------------
    def watch_reset(self, seed: int | None = None) -> dict:
        """Start an evaluation episode (its own env and random stream; training is not touched)."""
        if seed is not None:
            seed = int(seed)
            if not 0 <= seed <= 2**31 - 1:
                raise ValueError(f"seed must be between 0 and 2147483647, got {seed}")
            self.watch_rng = np.random.default_rng([seed, 1])
        state, _ = self.watch_env.reset(seed=seed)
        self.watch_p_right = self._p_right(state)
        return {"states": [list(state)], "p_right": [self.watch_p_right], "done": False, "length": 0}

    def watch_step(self, n: int = 1) -> dict:
        """Run the current policy (sampling, no learning) for up to ``n`` steps or until the episode ends.

        ``states[i]`` is the state after step i, ``p_right[i]`` = π(right | states[i]).
        """
        n = int(n)
        if n < 0:
            raise ValueError(f"the number of steps must be 0 or more, got {n}")
        env = self.watch_env
        if env.state is None:
            self.watch_reset()
        states, p_rights = [], []
        p_right = self.watch_p_right
        uniform = self.watch_rng.random
        policy_p_right = self.learner.p_right
        for _ in range(n):
            if env.done:
                break
            state, _, _, _, _ = env.step(1 if uniform() < p_right else 0)
            p_right = policy_p_right(state)
            states.append(list(state))
            p_rights.append(p_right)
        self.watch_p_right = p_right
        return {"states": states, "p_right": p_rights, "done": env.done, "length": env.length}

    def play_reset(self) -> dict:
        """Start a hand-played episode: ← is action 0, → is action 1."""
        state, _ = self.play_env.reset()
        return {"state": list(state), "done": False, "length": 0}

    def play_step(self, action: int) -> dict:
        """Push the cart by hand (0 = left, 1 = right); after the episode ends the state stays put."""
        if action not in (0, 1) or isinstance(action, bool):
            raise ValueError(f"action must be 0 (left) or 1 (right), got {action!r}")
        env = self.play_env
        if env.state is None:
            env.reset()
        if not env.done:
            env.step(int(action))
        return {"state": list(env.state), "done": env.done, "length": env.length}

    def _p_right(self, state) -> float:
        return self.learner.p_right(state)

    @classmethod
    def from_agent_file(cls, text: str) -> CartpoleDemo:
        """A driver holding the agent in the agent file ``text`` (``rlplay.demos.cartpole.agent``)."""
        return agent_file.loads(text, cls)

    # -- keep an agent: save it as JSON, load one ----------------------------------------------------------------
    def save_agent(self) -> str:
        """The agent as the text of an agent file (``rlplay.demos.cartpole.agent``)."""
        return agent_file.dumps(self)

    def load_agent(self, text: str) -> dict:
        """Become the agent in ``text``: its config, seed and weights, as a fresh run. A bad file changes nothing."""
        loaded = agent_file.loads(text, type(self))  # raises ValueError before anything here changes
        # the comparison and any edited code stay
        kept = {"comparison": self.comparison, "comparison_figures": self.comparison_figures, "code": self.code}
        vars(self).clear()
        vars(self).update(vars(loaded))
        vars(self).update(kept)
        return {f.name: getattr(self.config, f.name) for f in dataclasses.fields(self.config)}

    # -- research views: many seeds, and the spread of the gradient ----------------------------------------------
    def compare_start(self, algos, seeds: int = 8, episodes: int = 500, batch: bool = True) -> dict:
        """Start comparing ``algos`` over seeds 0..seeds−1 (``rlplay.demos.cartpole.compare``); this run is untouched.

        The comparison uses this run's settings other than algo and seed (lr, γ, hidden units, ...). ``batch=False``
        trains every run alone, one after another (the same numbers, slower: the benchmark's reference)."""
        if not isinstance(algos, list) or not all(isinstance(a, str) for a in algos):
            raise ValueError("algos must be a list of algorithm names")
        if not isinstance(batch, bool):
            raise ValueError("batch must be true or false")
        self.comparison = SeedComparison(
            algos, int(seeds), int(episodes), base=self.config, make_run=type(self), batch=batch
        )
        self.comparison_figures = self.comparison.figures()
        return self.comparison.progress()

    def compare_step(self, budget_ms: float = 100.0) -> dict:
        """Work on the comparison for about ``budget_ms``; returns progress, and the result once done."""
        if self.comparison is None:
            raise ValueError("no comparison is running: start one first")
        budget_ms = min(max(float(budget_ms), 1.0), 1000.0)
        self.comparison.advance_for(budget_ms)
        self.comparison_figures = self.comparison.figures()
        out = {**self.comparison.progress(), "done": self.comparison.done, "figures": self.comparison_figures}
        if self.comparison.done:
            out["result"] = self.comparison.result()
            out["episodes"] = self.comparison.episodes
            self.comparison = None
        return out

    def compare_cancel(self) -> dict:
        self.comparison = None
        self.comparison_figures = {}
        return {"cancelled": True}

    def gradient_spread(self, episodes: int = 16) -> dict:
        """The spread of three policy-gradient estimators on the same episodes of the current policy."""
        policy = self.learner.networks().get("policy") or self.learner.networks().get("actor")
        if policy is None:
            raise ValueError("DQN has no policy gradient: choose a policy-gradient algorithm to see its spread")
        return gradient_spread(policy, self.config.gamma, int(episodes), self.config.seed)

    # -- read-outs -----------------------------------------------------------------------------------------------
    def snapshot(self, since: int = 0) -> dict:
        lengths = self.episode_lengths
        since = max(0, min(int(since), len(lengths)))
        adv_since = bisect.bisect_left(self.adv_scale_episodes, since)
        window = lengths[-SOLVED_WINDOW:]
        values = np.nan_to_num(self.learner.values(self.replay_states), nan=0.0, posinf=0.0, neginf=0.0)
        # The replay's states change only with a new episode: send them only to a page that lacks that episode.
        replay = {}
        if since == 0 or since < len(lengths):
            replay = {
                "replay_states": self.replay_states.copy(),
                "replay_p_right": np.nan_to_num(self.replay_p_right, nan=0.5),
            }
        return {
            **replay,
            "figures": {
                "episode": len(lengths),
                "steps": self.steps,
                "updates": len(self.adv_scales),
                "episode-length": lengths[-1] if lengths else -1,
                "mean-length-100": sum(window) / len(window) if window else -1,
                "best-length": self.best_length,
                "solved-at-episode": self.solved_at,
                **self.comparison_figures,
            },
            "episode_lengths": np.array(lengths[since:], dtype=np.float64),
            "episode_lengths_offset": since,
            "replay_end": self.replay_end,
            "replay_values": values.astype(np.float64),  # always: the critic moves on, even on the same states
            "adv_scale": np.array(self.adv_scales[adv_since:], dtype=np.float64),
            "adv_scale_offset": adv_since,
            "algo": self.config.algo,
            "config": {f.name: str(getattr(self.config, f.name)) for f in dataclasses.fields(self.config)},
            **notice_fields(self.notices()),
            "diverged": self.diverged_at >= 0,
            "trained_before": {"episodes": self.episodes_before, "steps": self.steps_before},
            "losses": {k: v for k, v in self.last_update.items() if math.isfinite(v)},
        }

    def notices(self) -> list[str]:
        """Plain-English remarks on settings that are valid but degenerate, and on a diverged run."""
        config, notes = self.config, []
        dqn = config.algo == "dqn"
        lr, hidden = (config.dqn_lr, config.dqn_hidden) if dqn else (config.lr, config.hidden)
        if self.diverged_at >= 0:
            notes.append(
                Notice(
                    "diverged",
                    f"training diverged (NaN) at update {self.diverged_at} — lower the learning rate or reset",
                )
            )
        lr_name = "dqn_lr" if dqn else "lr"
        if lr >= 0.05:
            notes.append(
                Notice(
                    "lr-large",
                    f"{lr_name} = {lr:g} is large for Adam: learning is erratic and may collapse after it peaks",
                )
            )
        elif lr <= 0.0003:
            notes.append(Notice("lr-small", f"{lr_name} = {lr:g} is small: learning will take thousands of episodes"))
        if config.gamma <= 0.9:
            notes.append(
                Notice(
                    "gamma-short",
                    f"γ = {config.gamma:g} looks only about {1 / (1 - config.gamma):.0f} steps ahead: the agent "
                    "notices a fall late, so learning is slower and less stable",
                )
            )
        if hidden <= 8:
            hidden_name = "dqn_hidden" if dqn else "hidden"
            notes.append(
                Notice("hidden-small", f"{hidden_name} = {hidden}: a very small network; it may never balance reliably")
            )
        if config.entropy >= 0.05:
            notes.append(
                Notice(
                    "entropy-large",
                    f"entropy = {config.entropy:g} is a strong pull towards random actions: episodes may stop short "
                    f"of {MAX_EPISODE_STEPS}",
                )
            )
        if config.algo != "ppo" and config.clip != CartpoleConfig.clip:
            notes.append(Notice("clip-unused", f"clip only affects PPO; {config.algo} ignores it"))
        if dqn and (config.lr != CartpoleConfig.lr or config.hidden != CartpoleConfig.hidden):
            notes.append(
                Notice(
                    "pg-settings-unused",
                    "lr and hidden only affect the policy-gradient algorithms; dqn uses dqn_lr and dqn_hidden",
                )
            )
        if not dqn and (config.dqn_lr != CartpoleConfig.dqn_lr or config.dqn_hidden != CartpoleConfig.dqn_hidden):
            notes.append(
                Notice("dqn-settings-unused", f"dqn_lr and dqn_hidden only affect DQN; {config.algo} ignores them")
            )
        if dqn and config.entropy != CartpoleConfig.entropy:
            notes.append(
                Notice(
                    "entropy-unused",
                    "entropy only affects the policy-gradient algorithms; dqn explores by ε-greedy instead",
                )
            )
        return notes


def train_until_solved(
    config: CartpoleConfig, max_episodes: int | None = None, max_steps: int | None = None, chunk: int = 1000
) -> CartpoleDemo:
    """Train a fresh run until it is solved or a budget (episodes and/or steps) is spent; for tests and the benchmark.

    Budgets are checked between chunks of ``chunk`` steps; ``solved-at-episode`` itself is exact.
    """
    if max_episodes is None and max_steps is None:
        raise ValueError("give a budget: max_episodes, max_steps or both")
    demo = CartpoleDemo(config)
    while demo.solved_at < 0 and demo.diverged_at < 0:
        if max_episodes is not None and len(demo.episode_lengths) >= max_episodes:
            break
        if max_steps is not None and demo.steps >= max_steps:
            break
        demo.advance(chunk if max_steps is None else min(chunk, max_steps - demo.steps))
    return demo
