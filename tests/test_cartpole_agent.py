"""Cart-pole agent files: save → load round trips (same bits, same actions, same Watch episodes) for every algorithm,
refusal of malformed files with a message and no change, the CLI, and the shipped pretrained agent."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from rlplay.__main__ import main
from rlplay.demos.cartpole import ALGOS, CartpoleConfig, CartpoleDemo
from rlplay.demos.cartpole import agent as cartpole_agent
from snapshots import assert_same_snapshot


def trained(algo: str, steps: int = 3000) -> CartpoleDemo:
    demo = CartpoleDemo(CartpoleConfig(algo=algo, seed=5, hidden=8))
    demo.advance(steps)
    return demo


def watch_lengths(demo: CartpoleDemo, episodes: int = 3) -> list[int]:
    lengths = []
    for _ in range(episodes):
        demo.watch_reset()
        lengths.append(demo.watch_step(10**6)["length"])
    return lengths


@pytest.mark.parametrize("algo", ALGOS)
def test_round_trip_keeps_weights_actions_and_watch_episodes(algo):
    demo = trained(algo)
    text = demo.save_agent()
    loaded = CartpoleDemo.from_agent_file(text)
    for name, net in demo.learner.networks().items():
        for a, b in zip(net.params, loaded.learner.networks()[name].params, strict=True):
            assert a.tobytes() == b.tobytes()
    states = np.random.default_rng(0).uniform(-0.2, 0.2, (50, 4))
    assert [demo.learner.p_right(s) for s in states] == [loaded.learner.p_right(s) for s in states]
    assert loaded.config == demo.config
    assert loaded.snapshot()["trained_before"] == {"episodes": len(demo.episode_lengths), "steps": 3000}
    # Watch streams start from the seed: a fresh driver with the saved weights watches what the saver would have
    fresh = CartpoleDemo(demo.config)
    fresh.load_agent(text)
    assert watch_lengths(loaded) == watch_lengths(fresh) == watch_lengths(CartpoleDemo.from_agent_file(text))
    assert cartpole_agent.dumps(loaded).replace('"steps":0', "") != ""  # a loaded agent can be saved again
    assert cartpole_agent.to_dict(loaded)["networks"] == json.loads(text)["networks"]


def test_loaded_agent_can_keep_training():
    demo = CartpoleDemo.from_agent_file(trained("actor-critic").save_agent())
    assert demo.advance(500) == 500
    assert cartpole_agent.to_dict(demo)["steps"] == 3500


def corrupt(data: dict, path: list, value) -> str:
    bad = copy.deepcopy(data)
    target = bad
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(bad)


@pytest.fixture(scope="module")
def good() -> dict:
    return json.loads(trained("reinforce-baseline", 2000).save_agent())


BAD_FILES = {
    "not json": (lambda d: "{not json", "not valid JSON"),
    "a list": (lambda d: "[1, 2]", "expected a JSON object"),
    "wrong format": (lambda d: corrupt(d, ["format"], "rlplay-gridworld"), "not a cart-pole agent"),
    "future version": (lambda d: corrupt(d, ["version"], 2), "version 2"),
    "bad lr": (lambda d: corrupt(d, ["config", "lr"], -1), "lr must be between"),
    "unknown algo": (lambda d: corrupt(d, ["config", "algo"], "sarsa"), "algo must be one of"),
    "algo mismatch": (lambda d: corrupt(d, ["algo"], "dqn"), "disagree"),
    "missing setting": (lambda d: corrupt(d, ["config", "gamma"], KeyError), "lacks gamma"),
    "extra setting": (lambda d: corrupt(d, ["config", "colour"], "red"), "unknown settings"),
    "wrong networks": (lambda d: corrupt(d, ["networks", "critic"], {}), "needs networks"),
    "short row": (lambda d: corrupt(d, ["networks", "policy", "W1", 0], [0.1, 0.2]), "W1"),
    "wrong hidden": (lambda d: corrupt(d, ["config", "hidden"], 16), "hidden = 16"),
    "string weight": (lambda d: corrupt(d, ["networks", "policy", "b2", 0], "x"), "only numbers"),
    "bool weight": (lambda d: corrupt(d, ["networks", "policy", "b2", 0], True), "only numbers"),
    "infinite weight": (lambda d: corrupt(d, ["networks", "policy", "b2", 0], float("inf")), "non-finite"),
    "negative episodes": (lambda d: corrupt(d, ["episodes"], -3), "episodes"),
    "baseline too long": (lambda d: corrupt(d, ["baseline"], [1.0] * 501), "baseline"),
    "missing weights": (lambda d: corrupt(d, ["networks", "policy", "W2"], KeyError), "exactly W1"),
    # Hostile or hand-edited files (issue 16's red team): each was loaded, or refused with NumPy's words, before.
    "seed as a float": (
        lambda d: corrupt(corrupt_dict(d, ["config", "seed"], 1.0), ["seed"], 1.0),
        "seed must be a whole",
    ),
    "hidden as a float": (lambda d: corrupt(d, ["config", "hidden"], 16.0), "hidden must be a whole"),
    "episodes beyond 2**53": (lambda d: corrupt(d, ["episodes"], 10**400), "episodes' must be a whole number from 0"),
    "steps of 5000 digits": (
        lambda d: json.dumps(d).replace('"steps": ', '"steps": ' + "9" * 5000 + ', "x": '),
        "not valid JSON",
    ),
    "unknown entry": (lambda d: corrupt(d, ["__proto__"], {"polluted": 1}), "unknown entries '__proto__'"),
    "nested 100k deep": (lambda d: "[" * 100_000 + "]" * 100_000, "not valid JSON"),
}


def corrupt_dict(data: dict, path: list, value) -> dict:
    return json.loads(corrupt(data, path, value))


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_malformed_files_are_refused_with_a_message_and_change_nothing(name, good):
    make, message = BAD_FILES[name]
    demo = trained("ppo", 1500)
    before = demo.snapshot()
    with pytest.raises(ValueError, match=message) as error:
        demo.load_agent(make(good))
    assert str(error.value).startswith("agent file:")
    assert_same_snapshot(demo.snapshot(), before)
    assert demo.config.algo == "ppo"


def test_a_byte_order_mark_is_not_part_of_the_file(good):
    demo = CartpoleDemo()
    demo.load_agent("\ufeff" + json.dumps(good))
    assert demo.config.algo == "reinforce-baseline"


def test_bridge_refuses_a_bad_file_as_input_error_and_loads_a_good_one(good):
    from rlplay.app import bridge

    json.loads(bridge.handle("cartpole", "create", "{}")[0])
    answer = json.loads(bridge.handle("cartpole", "load_agent", json.dumps({"args": {"text": "{}"}}))[0])
    assert answer["error"]["kind"] == "input" and "agent file" in answer["error"]["message"]
    answer = json.loads(bridge.handle("cartpole", "load_agent", json.dumps({"args": {"text": json.dumps(good)}}))[0])
    assert answer["result"]["algo"] == "reinforce-baseline"
    assert answer["snapshot"]["algo"] == "reinforce-baseline"


ROOT = Path(__file__).resolve().parents[1]
PRETRAINED = ROOT / "web" / "agents" / "cartpole-pretrained.json"
# The command that made the shipped agent (README, "A trained agent"); the test re-runs it and compares the bytes.
PRETRAINED_COMMAND = ["cartpole", "--algo", "actor-critic", "--seed", "0", "--steps", "150000", "--quiet"]


@pytest.mark.slow  # re-trains the shipped agent for 150,000 steps: the slow lane
def test_shipped_pretrained_agent_is_reproduced_bit_for_bit_by_its_command(tmp_path, capsys):
    out = tmp_path / "agent.json"
    assert main([*PRETRAINED_COMMAND, "--save", str(out)]) == 0
    assert out.read_bytes() == PRETRAINED.read_bytes()
    agent = CartpoleDemo.from_agent_file(PRETRAINED.read_text())
    assert agent.config.algo == "actor-critic" and cartpole_agent.to_dict(agent)["episodes"] > 300
    assert watch_lengths(agent, 3) == [500, 500, 500]  # it balances to the time limit


def test_cli_load_watch_gives_the_numbers_of_the_saving_run(tmp_path, capsys):
    out = tmp_path / "agent.json"
    assert main(["cartpole", "--algo", "ppo", "--seed", "4", "--steps", "3000", "--quiet", "--save", str(out)]) == 0
    capsys.readouterr()
    assert main(["cartpole", "--load", str(out), "--watch", "3", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["watch_lengths"]
    demo = CartpoleDemo(CartpoleConfig(algo="ppo", seed=4))
    demo.advance(3000)
    assert shown == watch_lengths(demo)
    out.write_text('{"format": "rlplay-cartpole-agent", "version": 1}')
    assert main(["cartpole", "--load", str(out), "--watch"]) == 2
    assert "cannot load" in capsys.readouterr().err


def test_settings_changed_after_a_load_travel_in_the_command_and_a_fresh_run_setting_is_refused(capsys, tmp_path):
    """The page's command --loads the agent and gave no settings (the CLI refused them), so a learning rate changed
    after the load was lost: the command trained with the file's. Now reproduce_args of a loaded run are the fields
    changed since the load, and the CLI applies them over the file's, as the page's configure does: the same figures
    and the same agent, weight for weight."""
    from rlplay.app import bridge
    from snapshots import bridge_payload

    text = PRETRAINED.read_text()
    bridge_payload("cartpole", "create", params={})
    assert bridge_payload("cartpole", "load_agent", args={"text": text})["snapshot"]["reproduce_args"] == []
    changed = bridge_payload("cartpole", "configure", params={"lr": 0.02, "gamma": 0.95})
    assert changed["restarted"] == [] and changed["snapshot"]["reproduce_args"] == [["lr", "0.02"], ["gamma", "0.95"]]
    page = bridge_payload("cartpole", "step", n=700)["snapshot"]["figures"]
    page_agent = bridge_payload("cartpole", "save_agent", args={})["result"]
    out = tmp_path / "agent.json"
    command = ["cartpole", "--load", str(PRETRAINED), "--steps=700", "--json", "--save", str(out)]
    assert main([*command, "--lr=0.02", "--gamma=0.95"]) == 0
    assert json.loads(capsys.readouterr().out)["figures"] == page
    assert out.read_text() == page_agent + "\n"
    # the file's own lr trains another agent: the setting is not ignored
    assert main([*command, "--gamma=0.95"]) == 0
    capsys.readouterr()
    assert out.read_text() != page_agent + "\n"
    # a setting that starts a fresh run would drop the agent: refused, by name
    with pytest.raises(SystemExit):
        main(["cartpole", "--load", str(PRETRAINED), "--seed=3", "--steps=10"])
    assert "--seed would start a fresh run without the agent" in capsys.readouterr().err
    # a restart (another seed) leaves the agent behind: the args are against the defaults again
    assert bridge_payload("cartpole", "configure", params={"seed": 3})["snapshot"]["reproduce_args"][0] == ["seed", "3"]
    bridge.handle("cartpole", "create", "{}")
