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
import inspect
import itertools
import math
import typing
from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    """Range and UI hints of one config field.

    ``low``/``high`` bound numbers (inclusive); ``step`` is the slider step; ``choices`` lists allowed strings;
    ``log`` asks the UI for a logarithmic slider.
    """

    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] | None = None
    log: bool = False


def _field_params(config_class) -> dict[str, tuple[type, Param | None]]:
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
    return out


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
    """The fields of a config for the page: name, type, default, range, doc."""
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
        out.append(entry)
    return out
