"""Demo parameters: each range stated once, for validation (here) and for the page's controls (``web/params.json``).

A demo's config is a frozen dataclass whose fields are annotated with a ``Param``::

    @dataclass(frozen=True)
    class BanditConfig:
        epsilon: Annotated[float, Param(0.0, 1.0, 0.01)] = 0.1
        \"\"\"ε-greedy: probability of a random pull, 0..1.\"\"\"

        def __post_init__(self):
            validate(self)

``validate`` checks every field against its ``Param`` and raises ``ValueError`` with a message a user can act on.
``from_params`` builds a config from URL-style strings, keeping the default (and reporting a notice) for every value
that is unknown or invalid. ``schema`` describes the fields for the page; ``python -m rlplay schema`` writes it to
``web/params.json`` and a test checks that the committed file is current.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
import math
import types
import typing
from dataclasses import dataclass


@dataclass(frozen=True)
class When:
    """A condition on another field of the same config: ``field``'s value is one of ``values`` (``is_in``), or is
    none of them (``is_in=False``), or, for numbers, is at least ``at_least``.

    >>> When("algo", ("dyna-q",)).holds({"algo": "dyna-q"}), When("seeds", at_least=2).holds({"seeds": 1})
    (True, False)
    """

    field: str
    values: tuple = ()
    is_in: bool = True
    at_least: float | None = None

    def holds(self, config: dict) -> bool:
        value = config[self.field]
        if self.at_least is not None:
            return value >= self.at_least
        return (value in self.values) == self.is_in

    def __str__(self) -> str:
        if self.at_least is not None:
            return f"{self.field} is at least {self.at_least:g}"
        return f"{self.field} is {'' if self.is_in else 'not '}{' or '.join(map(str, self.values))}"

    def describe(self) -> dict:
        if self.at_least is not None:
            return {"field": self.field, "at_least": self.at_least}
        return {"field": self.field, "in" if self.is_in else "not_in": list(self.values)}


@dataclass(frozen=True)
class DefaultBy:
    """A default that follows another field's choice: under ``field`` = c the default is ``values``' entry for c
    (for any other choice, ``fallback``). A config field declared with it has ``None`` as its dataclass default, and
    the config's ``__post_init__`` calls ``resolve_defaults`` first.

    >>> DefaultBy("algo", (("sarsa", 0.05),), fallback=0.5).default("sarsa"), DefaultBy("algo", (), 0.5).default("x")
    (0.05, 0.5)
    """

    field: str
    values: tuple[tuple[str, object], ...]
    fallback: object

    def default(self, choice):
        return dict(self.values).get(choice, self.fallback)

    def describe(self) -> dict:
        return {"field": self.field, "values": dict(self.values), "otherwise": self.fallback}


@dataclass(frozen=True)
class Param:
    """Range and UI hints of one config field, declared once for validation, the CLI and the page's settings.

    ``low``/``high`` bound numbers (inclusive); ``step`` is the slider step; ``choices`` lists allowed strings;
    ``log`` asks the UI for a logarithmic slider. ``label`` is the control's label and ``choice_labels`` the names
    of the choices as people read them; ``group`` is the panel part the control sits in; ``shown_when`` lists the
    conditions (all must hold) under which the field matters, so the page hides its control otherwise and the CLI
    says a value given for it changes nothing (``inactive``); ``default_by`` makes the default follow another
    field's choice (``DefaultBy``; e.g. each gridworld learning rule's own α).
    """

    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] | None = None
    log: bool = False
    label: str = ""
    group: str = ""
    shown_when: tuple[When, ...] = ()
    choice_labels: tuple[tuple[str, str], ...] = ()
    default_by: DefaultBy | None = None

    def __post_init__(self):
        known = set(self.choices or ())
        stray = [choice for choice, _ in self.choice_labels if choice not in known]
        if stray:
            raise ValueError(f"choice_labels name choices that do not exist: {stray}")


@functools.cache  # a class's annotations are read once: get_type_hints compiles each string annotation anew
def _field_params(config_class) -> typing.Mapping[str, tuple[type, Param | None]]:
    hints = typing.get_type_hints(config_class, include_extras=True)
    out = {}
    for field in dataclasses.fields(config_class):
        hint = hints[field.name]
        param = None
        if typing.get_origin(hint) is typing.Annotated:
            base, *extras = typing.get_args(hint)
            param = next((e for e in extras if isinstance(e, Param)), None)
        else:
            base = hint
        out[field.name] = (base, param)
    return types.MappingProxyType(out)  # cached and shared: read-only


def dependent_defaults(config_class, values: dict) -> dict:
    """The default of every field declared with ``default_by``, under ``values`` (the other fields' values; a field
    missing from ``values`` counts at its dataclass default).

    >>> from rlplay.demos.gridworld import GridworldConfig
    >>> dependent_defaults(GridworldConfig, {"algo": "sarsa"})["alpha"]
    0.05
    """
    base = {field.name: field.default for field in dataclasses.fields(config_class)}
    merged = {**base, **values}
    return {
        name: param.default_by.default(merged[param.default_by.field])
        for name, (_, param) in _field_params(config_class).items()
        if param is not None and param.default_by is not None
    }


def resolve_defaults(config) -> None:
    """Give each ``default_by`` field left at ``None`` its default under the config's other values (in place: call
    it first in a frozen config's ``__post_init__``)."""
    values = {field.name: getattr(config, field.name) for field in dataclasses.fields(config)}
    for name, default in dependent_defaults(type(config), values).items():
        if values[name] is None:
            object.__setattr__(config, name, default)


def follow_defaults(config, changes: dict) -> dict:
    """``changes``, plus the defaults a change of a governing field brings: a ``default_by`` field not in
    ``changes`` that is at its default under the old settings (the user had not set it) takes its default under the
    new ones; one the user set keeps its value.

    >>> from rlplay.demos.gridworld import GridworldConfig
    >>> follow_defaults(GridworldConfig(), {"algo": "sarsa"})["alpha"]
    0.05
    >>> follow_defaults(GridworldConfig(alpha=0.3), {"algo": "sarsa"})
    {'algo': 'sarsa'}
    """
    old = {field.name: getattr(config, field.name) for field in dataclasses.fields(config)}
    old_defaults = dependent_defaults(type(config), old)
    new_defaults = dependent_defaults(type(config), {**old, **changes})
    out = dict(changes)
    for name, default in new_defaults.items():
        if name not in changes and old[name] == old_defaults[name] and default != old[name]:
            out[name] = default
    return out


def default_of(config, name: str):
    """The default of field ``name`` under ``config``'s other values (its ``default_by`` choice, if it has one)."""
    values = {field.name: getattr(config, field.name) for field in dataclasses.fields(config)}
    dependent = dependent_defaults(type(config), values)
    if name in dependent:
        return dependent[name]
    return getattr(_default_config(type(config)), name)


@functools.cache
def _default_config(config_class):
    """``config_class()``, built once: configs are frozen, so the one instance serves every caller."""
    return config_class()


def field_docs(config_class) -> dict[str, str]:
    """The one-line docstring under each dataclass field (read from the source, as Sphinx does)."""
    try:
        source = inspect.getsource(config_class)
    except (OSError, TypeError):
        return {}
    tree = ast.parse(inspect.cleandoc("\n" + source) if source.startswith((" ", "\t")) else source)
    body = tree.body[0].body
    docs = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = following.value.value.strip()
    return docs


def validate(config) -> None:
    """Check every field of ``config`` against its ``Param``; raise ``ValueError`` naming the field and range."""
    for name, (base, param) in _field_params(type(config)).items():
        value = getattr(config, name)
        if base is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false, got {_echo(value)}")
            continue
        if base in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, got {_echo(value)}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {_echo(value)}")
            if base is int and not isinstance(value, int):
                # 3.0 too: a seed or a layer size that is a float breaks NumPy far from here, with a message no one
                # can act on (a hand-edited agent file's "seed": 1.0)
                raise ValueError(f"{name} must be a whole number, got {_echo(value)}")
        if param is None:
            continue
        if param.choices is not None and value not in param.choices:
            raise ValueError(f"{name} must be one of {', '.join(param.choices)}; got {_echo(value)}")
        if param.low is not None and param.high is not None and not (param.low <= value <= param.high):
            raise ValueError(f"{name} must be between {param.low:g} and {param.high:g}, got {_echo(value)}")


def inactive(config) -> list[str]:
    """The fields of ``config`` whose ``shown_when`` does not hold: set or not, they change nothing in this run.

    >>> from rlplay.demos.gridworld import GridworldConfig
    >>> inactive(GridworldConfig(explore="softmax"))[:3]
    ['n', 'planning_steps', 'epsilon']
    """
    values = {field.name: getattr(config, field.name) for field in dataclasses.fields(config)}
    return [
        name
        for name, (_, param) in _field_params(type(config)).items()
        if param is not None and not all(condition.holds(values) for condition in param.shown_when)
    ]


def inactive_notices(config, given) -> list[str]:
    """A remark for each field in ``given`` that changes nothing in this run, saying when it would.

    >>> from rlplay.demos.gridworld import GridworldConfig
    >>> inactive_notices(GridworldConfig(), ["tau", "alpha"])
    ['tau changes nothing here: it matters only when explore is softmax']
    """
    params = _field_params(type(config))
    return [
        f"{name} changes nothing here: it matters only when {' and '.join(map(str, params[name][1].shown_when))}"
        for name in inactive(config)
        if name in given
    ]


def shown(text: str, limit: int = 40) -> str:
    """``repr`` of a value from a URL or a file, cut to ``limit`` characters: a notice echoes it, never floods.

    >>> shown("x" * 50)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"
    """
    return repr(text if len(text) <= limit else f"{text[:limit]}…")


def _echo(value) -> str:
    return shown(value) if isinstance(value, str) else repr(value)


def _parse(base: type, text: str):
    if base is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"not true/false: {shown(text)}")
    if base in (int, float):
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"not a number: {shown(text)}") from None  # float()'s own message echoes it whole
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {shown(text)}")
        if base is int:
            if number != int(number):
                raise ValueError(f"not a whole number: {shown(text)}")
            return int(number)
        return number
    return text


def from_params(config_class, params: dict[str, str]):
    """Build a config from URL-style strings. Returns ``(config, notices)``.

    An invalid value keeps that field's default and is reported in ``notices``. Names that are not fields of
    ``config_class`` are skipped without a notice: the page's own parameters and other demos' pass through here, and
    the page's state registry already reports names that no demo knows.

    >>> from rlplay.demos.bandit import BanditConfig
    >>> config, notices = from_params(BanditConfig, {"epsilon": "2", "colour": "red"})
    >>> config.epsilon == BanditConfig().epsilon, notices
    (True, ["ignored epsilon='2': epsilon must be between 0 and 1, got 2.0"])
    """
    fields = _field_params(config_class)
    accepted: dict[str, object] = {}
    notices: list[str] = []
    for name, text in params.items():
        if name not in fields:
            continue  # other demos' and the page's own parameters pass through here too
        base, _ = fields[name]
        try:
            value = _parse(base, str(text))
            config_class(**{**accepted, name: value})  # validate this field alone against the rest
        except (ValueError, TypeError) as error:
            notices.append(f"ignored {name}={shown(str(text))}: {error}")
            continue
        accepted[name] = value
    return config_class(**accepted), notices


def schema(config_class) -> list[dict]:
    """The fields of a config for the page: name, type, default, range, doc, label, group, shown_when."""
    docs = field_docs(config_class)
    defaults = config_class()
    out = []
    for name, (base, param) in _field_params(config_class).items():
        entry = {"name": name, "type": base.__name__, "default": getattr(defaults, name), "doc": docs.get(name, "")}
        if param is not None:
            for key in ("low", "high", "step", "choices"):
                value = getattr(param, key)
                if value is not None:
                    entry[key] = list(value) if key == "choices" else value
            if param.log:
                entry["log"] = True
            if param.label:
                entry["label"] = param.label
            if param.group:
                entry["group"] = param.group
            if param.shown_when:
                entry["shown_when"] = [condition.describe() for condition in param.shown_when]
            if param.choice_labels:
                entry["choice_labels"] = dict(param.choice_labels)
            if param.default_by is not None:
                entry["default_by"] = param.default_by.describe()
        out.append(entry)
    return out
