"""Cart-pole agent files: a trained agent (weights, algorithm, config, seed, episode count) as a small JSON document.

    {"format": "rlplay-cartpole-agent", "version": 1, "algo": "actor-critic", "seed": 0, "episodes": 312,
     "steps": 90412, "config": {"seed": 0, "algo": "actor-critic", "lr": 0.01, ...},
     "networks": {"actor": {"W1": [[...] × 4], "b1": [...], "W2": [[...] × hidden], "b2": [...]}, "critic": {...}},
     "baseline": [...]}                      ("baseline": b(t), only for reinforce-baseline)

DQN's Q-network has more layers (``W1, b1, W2, b2, W3, b3`` with two hidden layers): the names and shapes a file must
hold are read off the networks a fresh run of its config builds.

Floats are written with Python's shortest round-trip repr (as JSON.stringify does), so a save → load round trip gives
the same bits, natively and in the page. ``load`` validates everything (format, version, config ranges, network
names, shapes, finite numbers) before it builds anything, and raises ``ValueError`` with a message naming what is
wrong: a bad file changes nothing. A loaded agent is a fresh run of its seed and config with the saved weights in
place (fresh optimiser moments), so Watch shows the same episodes natively and in the page.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable

import numpy as np

from rlplay.demos.cartpole.config import CartpoleConfig
from rlplay.envs.cartpole import MAX_EPISODE_STEPS

FORMAT = "rlplay-cartpole-agent"
VERSION = 1
MAX_FILE_CHARS = 5_000_000  # hidden = 256 with two networks is ~0.1 MB of text; anything far larger is not ours
MAX_COUNT = 2**53 - 1  # episodes and steps: the page reads them as JavaScript numbers, exact up to 2⁵³ − 1
KEYS = frozenset({"format", "version", "algo", "seed", "episodes", "steps", "config", "networks", "baseline"})
N_OBS = 4
N_ACTIONS = 2


def param_names(count: int) -> list[str]:
    """The names of a network's ``count`` parameter arrays, in order: W1, b1, W2, b2, …"""
    return [f"{'Wb'[i % 2]}{i // 2 + 1}" for i in range(count)]


def network_outputs(algo: str) -> dict[str, int]:
    """The networks an algorithm's agent holds, and each one's number of outputs."""
    if algo in ("reinforce", "reinforce-baseline"):
        return {"policy": N_ACTIONS}
    if algo == "dqn":
        return {"q_network": N_ACTIONS}
    return {"actor": N_ACTIONS, "critic": 1}


def to_dict(demo) -> dict:
    """The agent of a driver, as JSON-able data."""
    config = demo.config
    networks = demo.learner.networks()
    data = {
        "format": FORMAT,
        "version": VERSION,
        "algo": config.algo,
        "seed": config.seed,
        "episodes": len(demo.episode_lengths) + demo.episodes_before,
        "steps": demo.steps + demo.steps_before,
        "config": {field.name: getattr(config, field.name) for field in dataclasses.fields(config)},
        "networks": {
            name: {key: param.tolist() for key, param in zip(param_names(len(net.params)), net.params, strict=True)}
            for name, net in networks.items()
        },
    }
    if config.algo == "reinforce-baseline":
        data["baseline"] = demo.learner.baseline.tolist()
    return data


def dumps(demo) -> str:
    return json.dumps(to_dict(demo), separators=(",", ":"), allow_nan=False)


def _number_array(value, shape: tuple[int, ...], where: str) -> np.ndarray:
    """``value`` as a float64 array of exactly ``shape``, every entry a finite JSON number (not a bool or string)."""

    want = "×".join(str(n) for n in shape)

    def check(v, dims: tuple[int, ...]):
        if not dims:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"agent file: {where} must hold only numbers, found {json.dumps(v)[:40]}")
            if not math.isfinite(v):
                raise ValueError(f"agent file: {where} holds a non-finite number")
            return
        if not isinstance(v, list) or len(v) != dims[0]:
            got = f"{len(v)} entries" if isinstance(v, list) else type(v).__name__
            raise ValueError(f"agent file: {where} must be {want} numbers, but a level has {got} (want {dims[0]})")
        for item in v:
            check(item, dims[1:])

    check(value, shape)
    return np.array(value, dtype=np.float64).reshape(shape)


def _config_from(data: dict) -> CartpoleConfig:
    raw = data.get("config")
    if not isinstance(raw, dict):
        raise ValueError("agent file: 'config' must be an object of cart-pole settings")
    fields = {field.name: field for field in dataclasses.fields(CartpoleConfig)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ValueError(f"agent file: unknown settings in 'config': {', '.join(unknown)}")
    missing = sorted(set(fields) - set(raw))
    if missing:
        raise ValueError(f"agent file: 'config' lacks {', '.join(missing)}")
    try:
        config = CartpoleConfig(**raw)  # validates every range and choice
    except (TypeError, ValueError) as error:
        raise ValueError(f"agent file: {error}") from None
    if data.get("algo") != config.algo or data.get("seed") != config.seed:
        raise ValueError("agent file: 'algo' and 'seed' disagree with 'config'")
    return config


def _count(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ValueError(
            f"agent file: '{key}' must be a whole number from 0 to {MAX_COUNT:,}, got {json.dumps(value)[:40]}"
        )
    return value


def from_dict(data, make_run: Callable):
    """A driver holding the agent in ``data``, built by ``make_run(config)`` (``CartpoleDemo``); ``ValueError``
    (and nothing built) if anything is malformed."""
    if not isinstance(data, dict):
        raise ValueError("agent file: expected a JSON object")
    if data.get("format") != FORMAT:
        raise ValueError(f"agent file: not a cart-pole agent (its 'format' is not {FORMAT!r})")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        # refused, not skipped: a file with parts this version does not read would load as less than it says
        names = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise ValueError(f"agent file: unknown entries {names}; an agent file holds only {', '.join(sorted(KEYS))}")
    if data.get("version") != VERSION:
        raise ValueError(f"agent file: version {json.dumps(data.get('version'))[:20]} is not supported (only 1)")
    config = _config_from(data)
    episodes, steps = _count(data, "episodes"), _count(data, "steps")
    expected = network_outputs(config.algo)
    networks = data.get("networks")
    if not isinstance(networks, dict) or sorted(networks) != sorted(expected):
        got = sorted(networks) if isinstance(networks, dict) else type(networks).__name__
        raise ValueError(f"agent file: {config.algo} needs networks {sorted(expected)}, found {got}")
    demo = make_run(config)  # a fresh run: its networks give the names and shapes the file must hold
    built = demo.learner.networks()
    arrays = {}
    for name in expected:
        net, params = networks[name], built[name].params
        names = param_names(len(params))
        if not isinstance(net, dict) or sorted(net) != sorted(names):
            raise ValueError(f"agent file: networks.{name} must hold exactly {', '.join(names)}")
        hidden = config.dqn_hidden if config.algo == "dqn" else config.hidden
        arrays[name] = [
            _number_array(net[key], param.shape, f"networks.{name}.{key} (hidden = {hidden})")
            for key, param in zip(names, params, strict=True)
        ]
    baseline = None
    if config.algo == "reinforce-baseline":
        raw = data.get("baseline")
        length = len(raw) if isinstance(raw, list) else -1
        if not 0 <= length <= MAX_EPISODE_STEPS:
            raise ValueError(f"agent file: 'baseline' must be a list of at most {MAX_EPISODE_STEPS} numbers")
        baseline = _number_array(raw, (length,), "baseline")
    elif "baseline" in data:
        raise ValueError(f"agent file: 'baseline' belongs to reinforce-baseline, not {config.algo}")

    for name, net in built.items():
        for param, value in zip(net.params, arrays[name], strict=True):
            param[...] = value
    if config.algo == "dqn":
        demo.learner.sync_target()
    if baseline is not None:
        demo.learner.baseline = baseline
    demo.episodes_before, demo.steps_before = episodes, steps
    demo.loaded_config = config  # a command that --loads the file names only the settings changed since
    return demo


def loads(text: str, make_run: Callable):
    """The driver ``from_dict`` builds from the agent file ``text``."""
    if not isinstance(text, str):
        raise ValueError("agent file: expected text")
    if len(text) > MAX_FILE_CHARS:
        raise ValueError(f"agent file: {len(text):,} characters is far larger than an agent ({MAX_FILE_CHARS:,} max)")
    try:
        # A byte-order mark (some editors write one) is not part of the JSON.
        data = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError) as error:  # ValueError: also a number of more than 4300 digits
        raise ValueError(f"agent file: not valid JSON ({str(error)[:200]})") from None
    return from_dict(data, make_run)
