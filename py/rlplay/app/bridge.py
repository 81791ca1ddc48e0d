"""The one door between the browser and rlplay: ``handle(demo, command, args_json)``.

The Web Worker calls only this function. It maps a demo name and a command name onto a driver method from a fixed
list, so nothing from a URL or a user can make the page run arbitrary Python. Every answer is data:

    handle("gridworld", "create", '{"params": {"seed": "3"}}')
      -> ('{"snapshot": {...}, "notices": [...]}', [("Q", ndarray), ...])

The first item is JSON text (NaN and ±inf become null); the second lists the snapshot's NumPy arrays, which the worker
copies into transferable typed arrays. A ``ValueError`` (bad input) comes back as ``{"error": {"kind": "input",
...}}``; anything else as ``{"error": {"kind": "internal", "traceback": ...}}``.

Commands for every demo:
- ``create {params}``: a fresh driver from URL-style strings; unknown or invalid values are reported in ``notices``.
- ``run {budget_ms, max_units, since}``: advance for about ``budget_ms`` of wall time (in adaptive batches), at most
  ``max_units``; the answer says how many ran and how long it took.
- ``step {n, since, budget_ms?}``: exactly ``n`` units; with ``budget_ms``, at most ``n`` within that budget, as
  ``run`` does.
- ``snapshot {since}``, ``reset {since}``, ``configure {params, since}``.
- any name in the driver's ``COMMANDS``, with keyword ``args``.
- ``get_source {}``, ``set_code {name, source, since}``, ``reset_code {names?, since}``: the Code panel
  (``rlplay.core.user_code``): the real source of the driver's ``EDITABLE`` functions, and loading or removing an edited
  version. A failure of edited code comes back as ``{"error": {"kind": "code", "function", "code_error", "line",
  "message"}}``; a run that failed has made whole units of work only, and the previous version runs again.
Every command may pass ``static``: the ``static_version`` of the snapshot the page holds. A snapshot whose static
keys (``rlplay.app.contract``) still have that version leaves them out.
Stateless: ``handle("ppo", "clip_curve", '{"epsilon": 0.2}')``.

Clients: one Python worker may serve several pages at once (the embeds of one blog page share a SharedWorker:
web/runtime/worker.js). Each page is a client, named by the worker (never by the page), and every driver, study
and learned rate lives under its client: ``handle(demo, command, args_json, client)`` sees only that client's
demos, so one embed can neither read nor change another's (a call naming a demo another client created answers
"not created yet"). ``forget_client(client)`` drops a client's state when its page goes away. The dedicated worker
and the native callers are the one client "".

Parameter studies (``rlplay.studies``), for a demo that offers them (its ``STUDIES``), beside its driver and
independent of it (the demo need not be created):
- ``study_start {scene, settings}``: a new study job (any running one of this demo is dropped); ``settings`` are
  URL-style strings of the study's config (invalid ones keep their default and come back in ``notices``).
- ``study_step {budget_ms}``: whole tasks for about ``budget_ms`` (at most 100 ms; at least one task).
- ``study_cancel {}``, ``study_snapshot {}``.
Each answers ``{"study": StudyJob.snapshot()}``: progress, finished, total, done, cancelled, steps, elapsed_s,
steps_per_second, curves (per method: values, mean, se, runs), best, summary.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
import traceback

import numpy as np

from rlplay.algos.ppo import clipped_surrogate
from rlplay.app import contract, lapack_errors
from rlplay.core import user_code
from rlplay.core.reproduce import add_reproduce_keys
from rlplay.demos import DEMOS, demo_classes  # noqa: F401 - DEMOS re-exported: the names the bridge accepts
from rlplay.demos.cartpole import code as cartpole_code
from rlplay.params import from_params
from rlplay.studies import STUDIES
from rlplay.studies.job import StudyJob

lapack_errors.install()  # in the browser, a singular matrix raises as it does natively (edited code may solve one)


@dataclasses.dataclass
class _Client:
    """One page's state in this interpreter: its drivers, study jobs and learned rates, by demo."""

    drivers: dict[str, object] = dataclasses.field(default_factory=dict)
    studies: dict[str, StudyJob] = dataclasses.field(default_factory=dict)  # the study job of each demo that ran one
    # Work units per millisecond, learned per demo for one driver, its settings and its edited code (a new
    # algorithm, more planning steps, 2000 bandit runs or a slow edit make a unit hundreds of times dearer):
    # demo -> (key, rate).
    units_per_ms: dict[str, tuple[tuple, float]] = dataclasses.field(default_factory=dict)


_clients: dict[str, _Client] = {"": _Client()}
# The one client of a dedicated worker and of native callers (the tests read its drivers here).
_drivers = _clients[""].drivers
_studies = _clients[""].studies
_units_per_ms = _clients[""].units_per_ms
STUDY_STEP_MAX_MS = 100.0
# A batch is planned to take at most this share of the call's budget, at the rate last measured: a unit that
# becomes dearer within a batch (DQN starts learning after its warm-up, PPO's update falls due) overshoots the budget
# by that share times the jump, not by the whole budget times the jump.
BATCH_SHARE = 0.25


def _jsonable(value):
    """Make a snapshot JSON-safe: NumPy scalars to Python, NaN/±inf to None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (np.floating,)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    return value


def _split_arrays(payload: dict) -> tuple[dict, list]:
    """Move top-level NumPy arrays of ``payload['snapshot']`` out, for transfer as typed arrays."""
    arrays = []
    snapshot = payload.get("snapshot")
    if isinstance(snapshot, dict):
        for key in [k for k, v in snapshot.items() if isinstance(v, np.ndarray)]:
            array = snapshot.pop(key)
            if array.dtype == np.bool_:
                array = array.astype(np.uint8)
            elif array.dtype == np.int64:
                array = array.astype(np.int32)  # JS has no Int64Array for plain numbers
            arrays.append((key, np.ascontiguousarray(array)))
    return payload, arrays


def _client(client: str) -> _Client:
    return _clients.setdefault(client, _Client())


def forget_client(client: str) -> None:
    """Drop everything a client made (its page went away); the client "" is emptied, never removed."""
    state = _clients.get(client)
    if state is None:
        return
    for part in (state.drivers, state.studies, state.units_per_ms):
        part.clear()
    if client != "":
        del _clients[client]


def _driver(client: str, demo: str):
    drivers = _client(client).drivers
    if demo not in drivers:
        raise ValueError(f"the {demo} demo has not been created yet")
    return drivers[demo]


def _create(client: str, demo: str, params: dict) -> dict:
    driver_class, config_class = demo_classes(demo)
    config, notices = from_params(config_class, {str(k): str(v) for k, v in (params or {}).items()})
    drivers = _client(client).drivers
    drivers[demo] = driver_class(config)
    return {"notices": notices, "snapshot": drivers[demo].snapshot(0)}


def _rate_key(driver) -> tuple:
    """What a learned rate holds for: this driver, with these settings, running this code."""
    slots = getattr(driver, "code", None)
    return id(driver), getattr(driver, "config", None), getattr(slots, "sources", None)


def _run(client: str, demo: str, budget_ms: float, max_units: int, since: int) -> dict:
    """Advance in batches until ``budget_ms`` has passed or ``max_units`` ran; never one unit more than asked."""
    driver = _driver(client, demo)
    rates = _client(client).units_per_ms
    budget_ms = min(max(float(budget_ms), 0.5), 100.0)
    max_units = max(int(max_units), 0)
    key = _rate_key(driver)
    known, rate = rates.get(demo, (None, None))
    if known != key:
        rate = None  # not measured for this run's settings: probe with 1 unit, then 4, 16, ... until one can be timed
    probe = 1
    started = time.perf_counter()
    ran = 0
    exhausted = False
    while ran < max_units:
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        remaining_ms = budget_ms - elapsed_ms
        if remaining_ms <= 0.05 * budget_ms:
            break
        wanted = probe if rate is None else rate * min(remaining_ms, BATCH_SHARE * budget_ms) * 0.9
        batch = int(max(1, min(max_units - ran, wanted)))
        batch_started = time.perf_counter()
        done = driver.advance(batch)
        batch_ms = (time.perf_counter() - batch_started) * 1000.0
        ran += done
        if done > 0 and batch_ms > 0.02:
            # A slower rate is believed at once (the next batch must fit the budget); a faster one is blended in.
            measured = done / batch_ms
            rate = measured if rate is None or measured < rate else 0.5 * rate + 0.5 * measured
        elif rate is None:
            probe *= 4
        if done < batch:
            exhausted = True  # horizon reached, or training stopped (e.g. diverged)
            break
    if rate is not None:
        rates[demo] = (key, rate)
    elapsed_ms = (time.perf_counter() - started) * 1000.0
    return {"ran": ran, "elapsed_ms": elapsed_ms, "exhausted": exhausted, "snapshot": driver.snapshot(since)}


def _dispatch(client: str, demo: str, command: str, args: dict) -> dict:
    since = int(args.get("since", 0))
    if demo == "ppo" and command == "clip_curve":
        epsilon = float(args.get("epsilon", 0.2))
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be between 0 and 1, got {epsilon}")
        ratio = np.linspace(0.0, 2.0, int(args.get("points", 201)))
        return {
            "ratio": ratio.tolist(),
            "positive": clipped_surrogate(ratio, np.ones_like(ratio), epsilon).tolist(),
            "negative": clipped_surrogate(ratio, -np.ones_like(ratio), epsilon).tolist(),
        }
    if demo == "ppo" and command == "get_source":
        # the PPO clip explorer's Code panel: the function it draws, shown only
        return {"functions": cartpole_code.new_slots().describe(["clipped_surrogate"])}
    if command.startswith("study_"):
        return _study_command(client, demo, command, args)
    if command == "create":
        return _create(client, demo, args.get("params", {}))
    driver = _driver(client, demo)
    slots = getattr(driver, "code", None)
    if command in ("get_source", "set_code", "reset_code"):
        return _code_command(driver, slots, command, args, since)
    if slots is not None:
        slots.bind_driver(driver)
    if slots is not None and slots.edited:
        # the learner's functions under the names the driver's loop calls, and all or nothing if they fail
        with slots.patched(), slots.atomic(driver):
            return _driver_command(client, driver, demo, command, args, since)
    return _driver_command(client, driver, demo, command, args, since)


def _driver_command(client: str, driver, demo: str, command: str, args: dict, since: int) -> dict:
    if command == "run":
        return _run(client, demo, args.get("budget_ms", 8.0), args.get("max_units", 10**9), since)
    if command == "step":
        n = max(int(args.get("n", 1)), 0)
        if args.get("budget_ms") is not None:
            # The page's fixed speeds: n units, but no more than the budget's worth (5000 DQN steps a second asks
            # for 2500 at once, ~6 s natively with 256 hidden units); "exhausted" says whether the run itself ended.
            return _run(client, demo, args["budget_ms"], n, since)
        ran = driver.advance(n)
        return {"ran": ran, "snapshot": driver.snapshot(since)}
    if command == "snapshot":
        return {"snapshot": driver.snapshot(since)}
    if command == "reset":
        driver.reset()
        return {"snapshot": driver.snapshot(0)}
    if command == "configure":
        restarted, notices = driver.configure_params(args.get("params", {}))
        # A fresh run starts its series from 0; otherwise only the tail the page lacks.
        return {"notices": notices, "restarted": restarted, "snapshot": driver.snapshot(0 if restarted else since)}
    if command in getattr(driver, "COMMANDS", ()):
        result = getattr(driver, command)(**args.get("args", {}))
        return {"result": result, "snapshot": driver.snapshot(since)}
    raise ValueError(f"the {demo} demo has no command {command!r}")


def _study_command(client: str, demo: str, command: str, args: dict) -> dict:
    notices = []
    studies = _client(client).studies
    if command == "study_start":
        scene = args.get("scene")
        if demo not in DEMOS or scene not in contract.demo_studies(demo):
            offered = ", ".join(contract.demo_studies(demo)) if demo in DEMOS else "none"
            raise ValueError(f"the {demo} demo offers no study {str(scene)[:40]!r} (it offers: {offered})")
        settings = args.get("settings") or {}
        if not isinstance(settings, dict):
            raise ValueError("study_start's settings must be an object of setting names to values")
        study = STUDIES[scene]
        config, notices = from_params(study.config, {str(k): str(v) for k, v in settings.items()})
        studies[demo] = StudyJob(study, config)
    elif demo not in studies:
        raise ValueError(f"the {demo} demo has no study started")
    job = studies[demo]
    if command == "study_step":
        job.run(min(max(float(args.get("budget_ms", 50.0)), 0.0), STUDY_STEP_MAX_MS))
    elif command == "study_cancel":
        job.cancel()
    elif command not in ("study_start", "study_snapshot"):
        raise ValueError(f"the {demo} demo has no command {command!r}")
    return {"study": job.snapshot(), "notices": notices}


def _code_command(driver, slots, command: str, args: dict, since: int) -> dict:
    if slots is None:
        raise ValueError("this demo has no code to show")
    if command == "get_source":
        return {"functions": slots.describe(driver.code_names() if hasattr(driver, "code_names") else None)}
    if command == "set_code":
        name, source = args.get("name"), args.get("source")
        if not isinstance(name, str) or not isinstance(source, str):
            raise ValueError("set_code needs a function name and its source, as text")
        slots.bind_driver(driver)
        slots.load(name, source)
        names = driver.code_names() if hasattr(driver, "code_names") else None
        return {"functions": slots.describe(names), "snapshot": driver.snapshot(since)}
    names = args.get("names")
    if names is not None and not (isinstance(names, list) and all(isinstance(name, str) for name in names)):
        raise ValueError("reset_code's names must be a list of function names")
    restored = slots.restore(names)
    # What edited code changed beyond its own function (a module's function, NumPy's): put back, and named.
    undone = user_code.restore_pristine()
    shown = driver.code_names() if hasattr(driver, "code_names") else None
    return {
        "restored": restored,
        "undone": undone,
        "functions": slots.describe(shown),
        "snapshot": driver.snapshot(since),
    }


def handle(demo: str, command: str, args_json: str = "{}", client: str = ""):
    """Run one command for ``client`` (see "Clients" above); returns ``(json_text, [(name, ndarray), ...])``. Never
    raises."""
    drivers = _client(str(client)).drivers
    try:
        args = json.loads(args_json or "{}")
        if not isinstance(args, dict):
            raise ValueError("arguments must be a JSON object")
        payload = _dispatch(str(client), demo, command, args)
        declared = contract.CONTRACT.get(demo, {}).get("keys", {})
        if isinstance(payload.get("snapshot"), dict) and demo in drivers and "reproduce_args" in declared:
            # The only values the page may build a shell command from (rlplay/core/reproduce.py).
            add_reproduce_keys(payload["snapshot"], drivers[demo])
        if isinstance(payload.get("snapshot"), dict):
            have = None if command == "create" else args.get("static")
            contract.elide_static(demo, payload["snapshot"], have if isinstance(have, str) else None)
        payload, arrays = _split_arrays(payload)
    except user_code.UserCodeError as error:
        # Edited code failed: the previous version runs again (a failed load changed nothing).
        slots = getattr(drivers.get(demo), "code", None)
        if slots is not None and error.kind != "syntax" and command != "set_code":
            slots.revert(error.function)
        payload, arrays = {"error": error.as_dict()}, []
    except (ValueError, TypeError) as error:
        payload, arrays = {"error": {"kind": "input", "message": str(error)}}, []
    except Exception as error:  # noqa: BLE001 - errors travel to the page as data
        payload = {
            "error": {
                "kind": "internal",
                "message": f"{type(error).__name__}: {error}",
                "traceback": traceback.format_exc(),
            }
        }
        arrays = []
    return json.dumps(_jsonable(payload), allow_nan=False), arrays
