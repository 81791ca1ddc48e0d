"""The cart-pole's part of the snapshot contract: every key its ``snapshot()`` sends, its figures, notice
codes and the constants the page reads (the form is explained in ``rlplay.app.contract``)."""

from __future__ import annotations

from rlplay.core.contract import Figure, Key, constant, notices_keys
from rlplay.demos.cartpole.driver import ALGOS, SOLVED_MEAN_LENGTH, SOLVED_WINDOW
from rlplay.envs import cartpole as cartpole_env

CONTRACT: dict = {
    "units": "steps",
    "keys": {
        "figures": Key("dict", "the numbers shown in data-stat elements (see figures)"),
        "episode_lengths": Key(
            "array",
            "steps of each finished episode, from episode_lengths_offset on",
            "steps",
            ("tail",),
            "float64",
            "growing",
            "episode_lengths_offset",
        ),
        "episode_lengths_offset": Key("int", "index of the first episode in episode_lengths", "episode"),
        "adv_scale": Key(
            "array",
            "per update: the standard deviation of its raw advantages (DQN: of its TD errors)",
            "return",
            ("tail",),
            "float64",
            "growing",
            "adv_scale_offset",
        ),
        "adv_scale_offset": Key("int", "index of the first update in adv_scale", "update"),
        "replay_states": Key(
            "array",
            "the states (x, ẋ, θ, θ̇) acted on in the latest finished episode; sent "
            "only to a page that lacks that episode",
            "m, m/s, rad, rad/s",
            ("T", 4),
            "float64",
            optional=True,
        ),
        "replay_p_right": Key(
            "array",
            "π(right | s) on those states, as it was when acting; sent with replay_states",
            "probability",
            ("T",),
            "float64",
            optional=True,
        ),
        "replay_values": Key(
            "array",
            "the critic's V(s) on the latest finished episode's states, now (zeros for REINFORCE)",
            "return",
            ("*",),
            "float64",
        ),
        "replay_end": Key("str", 'what ended the latest episode: "pole", "track", "time-limit" ("" before one)'),
        "diverged": Key("bool", "training stopped: a network's numbers became NaN or infinite"),
        "algo": Key("str", "the learning algorithm of this run", update="static"),
        "losses": Key(
            "dict",
            "the last update's diagnostics: loss, pg_loss, v_loss, entropy_loss, adv_scale, grad_norm; PPO adds "
            "approx_kl, clipfrac and epochs, DQN q_mean and epsilon ({} before the first update)",
        ),
        "trained_before": Key(
            "dict",
            "episodes and steps a loaded agent had been trained for before this run ({episodes: 0, steps: 0} "
            "for a run that started from scratch)",
        ),
        **notices_keys(),
    },
    "figures": {
        "episode": Figure("episodes finished", "episodes"),
        "steps": Figure("training steps taken", "steps"),
        "updates": Figure("network updates made", "updates"),
        "episode-length": Figure("length of the last finished episode; -1 before the first", "steps"),
        "mean-length-100": Figure("mean length of the last 100 episodes; -1 before the first", "steps"),
        "best-length": Figure("the longest episode so far; -1 before the first", "steps"),
        "solved-at-episode": Figure(
            "episodes finished when the 100-episode mean first reached the solved threshold; -1 = not yet",
            "episodes",
        ),
        # the seed comparison (compare_start/compare_step), by algorithm: present from a comparison's start until
        # the next one starts or it is cancelled
        **{
            f"compare-median-{algo}": Figure(
                f"seed comparison: the median over seeds of the episodes {algo} took to solve, as soon as no run still "
                "training can change it; -1 = not known yet, or not solved within the episodes per run",
                "episodes",
                optional=True,
            )
            for algo in ALGOS
        },
    },
    "notices": {
        "diverged": "training diverged (NaN): lower the learning rate or reset",
        "lr-large": "a large learning rate: learning is erratic",
        "lr-small": "a small learning rate: learning is slow",
        "gamma-short": "a short horizon γ",
        "hidden-small": "a very small network",
        "entropy-large": "a strong entropy bonus",
        "clip-unused": "clip only affects PPO",
        "entropy-unused": "entropy only affects the policy-gradient algorithms (DQN explores by ε-greedy)",
        "pg-settings-unused": "lr and hidden only affect the policy-gradient algorithms (DQN: dqn_lr, dqn_hidden)",
        "dqn-settings-unused": "dqn_lr and dqn_hidden only affect DQN",
    },
    "constants": {
        "x_threshold": constant(cartpole_env.X_THRESHOLD, "m", "|x| beyond this ends an episode"),
        "theta_threshold": constant(cartpole_env.THETA_THRESHOLD, "rad", "|θ| beyond this ends an episode"),
        "max_episode_steps": constant(cartpole_env.MAX_EPISODE_STEPS, "steps", "the time limit (truncation)"),
        "pole_length": constant(2 * cartpole_env.HALF_LENGTH, "m", "the pole's full length (2 l)"),
        "step_seconds": constant(cartpole_env.TAU, "s", "physical time of one environment step"),
        "solved_mean_length": constant(SOLVED_MEAN_LENGTH, "steps", "the solved threshold"),
        "solved_window": constant(SOLVED_WINDOW, "episodes", "episodes the solved mean is over"),
    },
}
