"""Your code in the demo: load an edited function, run it on a budget, and turn its failures into messages.

A driver names the functions a learner may see and edit (``EDITABLE``: name -> ``Editable``). The page shows each
one's real source (``inspect.getsource`` of the function the driver runs, read at run time), and may replace it with
an edited version. ``CodeSlots`` holds, per driver, which version of each function runs:

- the reference (the default): the driver runs its fast path, bit-identical to the reference form (a test per demo);
- an edited version: the driver runs its plain reference loop, calling ``slots.function(name)`` at each use.

What edited code can reach (``tests/test_security.py`` states the same): the globals of the module the reference
function lives in (a copy, so an edit never changes ``rlplay`` itself), plus ``rng``, the demo's own
``np.random.Generator`` (so the same code and seed give the same run natively and in the browser), and whatever
Python can import. In the browser it runs in the Python worker with rlplay's own rights: through Pyodide's ``js``
module it reaches the worker's global scope (no DOM, no cookies; same-origin storage; the network, as a worker
served without its own CSP header does not inherit the page's). Its answers reach the page only as data, shown as
text. That is why code from a link runs only when the user presses the link's Run button (``web/code/panel.js``).

Failures never crash the demo; each is a ``UserCodeError`` naming the function, the line and Python's message:

- a syntax error when loading: nothing changes, the previous version keeps running;
- an exception, a wrong return value (``Editable.check``), NaN, or a call that outlives its budget (an infinite
  loop): the unit of work in progress is undone, the previous version is restored, and the bridge says why.

The budget: a line-counting trace function (``sys.settrace``) runs only while user code runs and only in frames
compiled from user code; every ``CHECK_EVERY`` lines it compares the clock with the deadline of the current call of
an edited function (or of its module's top level), ``BUDGET_S`` after the call began. A loop inside one C call
(``sum(range(10**12))``) is not seen by it. So edited code gives signs of life: at most every ``ALIVE_EVERY_S`` (and
at the first edited call of every command), at the start of a call and whenever the trace function looks at the
clock, it calls ``on_user_code_alive(True)``, and ``on_user_code_alive(False)`` when a call that gave one returns (the
worker posts them; ``None`` natively). A worker silent for long after a ``True`` is stuck inside one C call of edited
code: the page's watchdog stops it, says the edited code was the cause, restarts it and replays the demos
(``web/runtime/client.js``, ``web/code/recover.js``); after a ``False``, rlplay's own work runs, judged as any call.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import importlib
import inspect
import math
import sys
import time
import traceback
import types
from collections.abc import Callable

USER_FILENAME = "<your code>"
BUDGET_S = 2.0  # wall time one call of an edited function may take
CHECK_EVERY = 2048  # lines of user code between two looks at the clock
MAX_SOURCE_CHARS = 20_000
ALIVE_EVERY_S = 0.5  # at most this often, edited code that runs says so (``on_user_code_alive``)
# Signs of life: called with True while edited code runs, False when a call that gave one returns; set by the
# browser worker, None natively.
on_user_code_alive: Callable[[bool], None] | None = None


class UserCodeError(Exception):
    """Edited code failed: ``kind`` is syntax | exception | timeout | type | nan; ``line`` is 1-based or 0."""

    def __init__(self, function: str, kind: str, message: str, line: int = 0):
        super().__init__(message)
        self.function, self.kind, self.message, self.line = function, kind, message, int(line or 0)

    def as_dict(self) -> dict:
        return {
            "kind": "code",
            "function": self.function,
            "code_error": self.kind,
            "message": self.message,
            "line": self.line,
        }


class UserCodeTimeout(Exception):
    """Raised inside user code by the trace function when the command's budget is spent."""


@dataclasses.dataclass(frozen=True)
class Editable:
    """One function a learner may edit.

    ``reference``: the function the driver runs (its source is what the page shows); ``check(result, args)`` returns
    ``None`` if an edited version's result is acceptable, else a message; ``twin``: one line saying which faster twin
    the demo runs with the reference and how they are proved equal ("" if none).
    """

    reference: Callable
    check: Callable[[object, tuple], str | None] | None = None
    twin: str = ""
    role: str = ""
    editable: bool = True  # False: shown only (the page says why, in ``role``)
    # where the driver's loop looks the function up, as (module, name) pairs: ``CodeSlots.patched`` swaps them
    patch: tuple[tuple[str, str], ...] = ()


# -- the budget ----------------------------------------------------------------------------------------------------
class _Budget:
    deadline = math.inf  # perf_counter() time at which the current call of user code is stopped
    lines = 0
    next_check = CHECK_EVERY
    last_line = 0
    last_alive = -math.inf  # perf_counter() time of the last sign of life
    signalled = False  # the current call gave a sign of life (it says so again when it returns)


_budget = _Budget()


def _alive(now: float) -> None:
    if on_user_code_alive is not None and now - _budget.last_alive >= ALIVE_EVERY_S:
        _budget.last_alive = now
        _budget.signalled = True
        on_user_code_alive(True)


def _new_command() -> None:
    """Edited code is about to run in a new command: its first call gives a sign of life, however recent the last."""
    _budget.last_alive = -math.inf


def _local_trace(frame, event, arg):
    if event == "line":
        _budget.last_line = frame.f_lineno
        _budget.lines += 1
        if _budget.lines >= _budget.next_check:
            _budget.next_check = _budget.lines + CHECK_EVERY
            now = time.perf_counter()
            _alive(now)
            if now > _budget.deadline:
                raise UserCodeTimeout
    return _local_trace


def _global_trace(frame, event, arg):
    # Only frames compiled from user code are traced line by line; rlplay's and NumPy's run untraced.
    if frame.f_code.co_filename == USER_FILENAME:
        return _local_trace
    return None


def _user_line(error: BaseException) -> int:
    """The line of the innermost user-code frame in ``error``'s traceback (0 if none)."""
    line = 0
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == USER_FILENAME:
            line = frame.lineno or 0
    return line


def _traced(name: str, function: Callable, args: tuple):
    previous = sys.gettrace()
    _budget.last_line = 0
    # this call's budget (a call within a call of user code is traced by the outer one's)
    now = time.perf_counter()
    _budget.signalled = False
    _alive(now)
    _budget.deadline = now + BUDGET_S
    _budget.lines = 0
    _budget.next_check = CHECK_EVERY
    sys.settrace(_global_trace)
    try:
        return function(*args)
    except UserCodeTimeout:
        raise UserCodeError(
            name,
            "timeout",
            f"{name} ran for more than {BUDGET_S:g} s (an infinite loop?) and was stopped",
            _budget.last_line,
        ) from None
    except RecursionError as error:
        raise UserCodeError(name, "exception", f"RecursionError: {error}", _user_line(error)) from None
    except Exception as error:  # noqa: BLE001 - any failure of user code is a message for its author
        raise UserCodeError(name, "exception", f"{type(error).__name__}: {error}", _user_line(error)) from None
    finally:
        sys.settrace(previous)
        if _budget.signalled and on_user_code_alive is not None:
            _budget.signalled = False
            on_user_code_alive(False)


def guarded(name: str, function: Callable, check: Callable) -> Callable:
    """``function`` run on the budget, its result checked; every failure becomes a ``UserCodeError``."""

    def call(*args):
        result = _traced(name, function, args)
        problem = check(result, args) if check is not None else None
        if problem:
            kind = "nan" if "NaN" in problem or "finite" in problem else "type"
            raise UserCodeError(name, kind, problem, _budget.last_line)
        return result

    call.user_source = True
    return call


# -- rlplay as it was before any edited code ran -------------------------------------------------------------------
# Edited code runs with a copy of its module's globals, so redefining a name there changes nothing else; but it can
# still reach a module itself (``import rlplay.algos.exploration as e; e.ucb = ...``, ``np.argmax = ...``) and change
# it for the worker's lifetime, and Reset to reference would then replay something else under that name. So the
# names rlplay's modules, its classes and the NumPy and math it calls bind to functions, classes, modules and plain
# values are recorded the first time edited code runs, and put back by ``restore_pristine`` (bridge ``reset_code``),
# with the code objects and defaults of rlplay's functions. What this cannot see: an object changed in place (an
# entry of a module-level list or dict), and anything outside those modules; a worker restart clears those too.
GUARDED_MODULES = ("rlplay", "numpy", "math")
_KEPT = (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, type, int, float, complex, str, bytes, tuple)


def _guarded(module_name: str) -> bool:
    return any(module_name == prefix or module_name.startswith(prefix + ".") for prefix in GUARDED_MODULES)


def _kept(value) -> bool:
    return value is None or isinstance(value, _KEPT) or callable(value)


class Pristine:
    """The guarded modules' bindings as first seen; ``restore`` puts back any that changed and names them."""

    def __init__(self):
        self.modules: dict[str, tuple[types.ModuleType, dict]] = {}
        self.classes: dict[type, dict] = {}
        self.functions: dict[types.FunctionType, tuple] = {}

    def watch(self) -> None:
        """Record every guarded module not recorded yet (cheap when there is none)."""
        for module_name, module in list(sys.modules.items()):
            if module is None or module_name in self.modules or not _guarded(module_name):
                continue
            values = {key: value for key, value in vars(module).items() if _kept(value)}
            self.modules[module_name] = (module, values)
            for value in values.values():
                owner = getattr(value, "__module__", None) or ""
                if not owner.startswith("rlplay"):
                    continue
                if isinstance(value, type) and value not in self.classes:
                    self.classes[value] = {key: item for key, item in vars(value).items() if _kept(item)}
                elif isinstance(value, types.FunctionType) and value not in self.functions:
                    self.functions[value] = (value.__code__, value.__defaults__, value.__kwdefaults__)

    def restore(self) -> list[str]:
        """Put back every recorded binding that changed; returns their names ("rlplay.algos.exploration.ucb")."""
        missing = object()
        changed = []
        for module_name, (module, values) in self.modules.items():
            current = vars(module)
            for key, value in values.items():
                if current.get(key, missing) is not value:
                    setattr(module, key, value)
                    changed.append(f"{module_name}.{key}")
        for cls, values in self.classes.items():
            for key, value in values.items():
                if vars(cls).get(key, missing) is not value:
                    with contextlib.suppress(AttributeError, TypeError):
                        setattr(cls, key, value)
                        changed.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
        for function, (code, defaults, kwdefaults) in self.functions.items():
            if (function.__code__, function.__defaults__, function.__kwdefaults__) != (code, defaults, kwdefaults):
                function.__code__, function.__defaults__, function.__kwdefaults__ = code, defaults, kwdefaults
                changed.append(f"{function.__module__}.{function.__qualname__}")
        return sorted(set(changed))


PRISTINE = Pristine()


def restore_pristine() -> list[str]:
    """rlplay, NumPy and math as they were before edited code first ran; returns what edited code had changed."""
    return PRISTINE.restore()


# -- checks shared by the demos ------------------------------------------------------------------------------------
def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) or type(value).__module__ == "numpy"


def check_action(n_actions_of: Callable[[tuple], int]) -> Callable:
    """A check for a selector: the result must be an integer action 0..n−1 (``n_actions_of(args)``)."""

    def check(result, args):
        n = n_actions_of(args)
        if isinstance(result, bool) or not hasattr(result, "__index__"):
            return f"must return an action, an int from 0 to {n - 1}; got {type(result).__name__} {result!r:.40}"
        if not 0 <= int(result) < n:
            return f"must return an action from 0 to {n - 1}; got {int(result)}"
        return None

    return check


def finite_list(values, name: str, length: int) -> str | None:
    """``None`` if ``values`` is a list of ``length`` finite numbers, else what is wrong with it."""
    if not isinstance(values, list) or len(values) != length:
        return f"{name} must stay a list of {length} numbers"
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, float)) and type(value).__module__ != "numpy":
            return f"{name}[{index}] must be a number; got {type(value).__name__} {value!r:.40}"
        if not math.isfinite(float(value)):
            return f"{name}[{index}] is {float(value)} (NaN or infinite): the update must keep every value finite"
    return None


# -- loading -------------------------------------------------------------------------------------------------------
def reference_source(function: Callable) -> str:
    """The source of ``function`` as installed, dedented (``inspect.getsource``)."""
    return inspect.getsource(function)


def compile_function(name: str, source: str, reference: Callable, extra_globals: dict) -> types.FunctionType:
    """Run ``source`` (which must define ``name``) in a copy of the reference's module globals; return the function.

    Raises ``UserCodeError`` (kind syntax, exception, timeout or type); never changes anything else.
    """
    if not isinstance(source, str):
        raise UserCodeError(name, "type", "the code must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise UserCodeError(name, "type", f"the code is {len(source)} characters; at most {MAX_SOURCE_CHARS}")
    try:
        code = compile(source, USER_FILENAME, "exec", dont_inherit=True)
    except SyntaxError as error:
        line = error.lineno or 0
        raise UserCodeError(name, "syntax", f"{type(error).__name__}: {error.msg}", line) from None
    except ValueError as error:  # e.g. a NUL character
        raise UserCodeError(name, "syntax", f"SyntaxError: {error}") from None
    namespace = dict(reference.__globals__)
    namespace.update(extra_globals)
    namespace["__name__"] = "rlplay_user_code"
    namespace.pop(name, None)
    PRISTINE.watch()  # rlplay as it is before this code first runs, for Reset to reference (restore_pristine)
    _new_command()
    _traced(name, exec, (code, namespace))  # the module's top level, on a budget of its own
    function = namespace.get(name)
    if not isinstance(function, types.FunctionType) or function.__code__.co_filename != USER_FILENAME:
        raise UserCodeError(name, "type", f"the code must define a function named {name}")
    wanted = list(inspect.signature(reference).parameters)
    got = list(inspect.signature(function).parameters)
    if len(got) != len(wanted):
        raise UserCodeError(
            name,
            "type",
            f"{name} must take {len(wanted)} arguments ({', '.join(wanted)}); yours takes {len(got)}",
            function.__code__.co_firstlineno,
        )
    return function


class CodeSlots:
    """Which version of each editable function a driver runs, and the namespace edited code sees.

    Per name: the version that runs (edited or reference) and the one before it, so a version that fails at run
    time can be taken back (``revert``) and the previous, working one runs on.
    """

    def __init__(self, editable: dict[str, Editable], checkpoint: bool = False):
        self.editable = editable
        # True: a command that runs edited code copies the driver's state first and puts it back if the code fails
        # (for drivers whose units of work cannot be undone one by one)
        self.checkpoint = checkpoint
        # name -> (guarded function, source, namespace) of the edited version that runs; absent = reference
        self._current: dict[str, tuple] = {}
        self._previous: dict[str, tuple | None] = {}
        self.rng = None
        self.rng_of = None  # optional: driver -> its generator, bound before every command (``bind_driver``)

    @property
    def edited(self) -> bool:
        return bool(self._current)

    @property
    def sources(self) -> dict[str, str]:
        """name -> edited source, for the functions that run edited code."""
        return {name: record[1] for name, record in self._current.items()}

    def function(self, name: str) -> Callable:
        """The version of ``name`` that runs now: the edited one (guarded) or the reference."""
        record = self._current.get(name)
        return record[0] if record else self.editable[name].reference

    def bind_rng(self, rng) -> None:
        """The demo's generator, visible to edited code as ``rng`` (call again whenever the demo makes a new one)."""
        self.rng = rng
        for record in [*self._current.values(), *filter(None, self._previous.values())]:
            record[2]["rng"] = rng

    def bind_driver(self, driver) -> None:
        """Bind ``rng`` from the driver, for drivers that say how (``rng_of``); the others bind it themselves."""
        if self.rng_of is not None:
            self.bind_rng(self.rng_of(driver))

    def load(self, name: str, source: str) -> None:
        """Run ``source`` for function ``name`` from now on; on a ``UserCodeError`` nothing changes."""
        if name not in self.editable:
            raise ValueError(f"{name!r} cannot be edited here; choose one of {', '.join(self.editable)}")
        entry = self.editable[name]
        if not entry.editable:
            raise ValueError(f"{name} is shown here, not edited: {entry.role}")
        function = compile_function(name, source, entry.reference, {"rng": self.rng})
        self._previous[name] = self._current.get(name)
        self._current[name] = (guarded(name, function, entry.check), source, function.__globals__)

    def revert(self, name: str) -> None:
        """Edited ``name`` failed at run time: the version that ran before it runs again."""
        previous = self._previous.pop(name, None)
        if previous is None:
            self._current.pop(name, None)
        else:
            self._current[name] = previous

    def restore(self, names=None) -> list[str]:
        """Back to the reference for ``names`` (all if ``None``); returns the names restored."""
        names = list(self._current) if names is None else [name for name in names if name in self._current]
        for name in names:
            self._current.pop(name, None)
            self._previous.pop(name, None)
        return names

    @contextlib.contextmanager
    def patched(self):
        """While inside, the module globals named by each edited function's ``Editable.patch`` are its edited
        version (the loop that looks them up runs the learner's code); restored on the way out, whatever happens."""
        saved = []
        _new_command()
        try:
            for name, record in self._current.items():
                for module_name, attribute in self.editable[name].patch:
                    module = importlib.import_module(module_name)
                    saved.append((module, attribute, getattr(module, attribute)))
                    setattr(module, attribute, record[0])
            yield
        finally:
            for module, attribute, original in reversed(saved):
                setattr(module, attribute, original)

    @contextlib.contextmanager
    def atomic(self, driver):
        """With ``checkpoint``: if edited code fails inside, the driver is put back as it was on the way in."""
        if not self.checkpoint:
            yield
            return
        saved = copy.deepcopy({name: value for name, value in vars(driver).items() if value is not self})
        try:
            yield
        except UserCodeError:
            vars(driver).update(saved)
            raise

    def describe(self, names=None) -> list[dict]:
        """What the page's Code panel shows: each function's reference source, its role, and any edited source
        (``names``: only these, in this order)."""
        sources = self.sources
        names = list(self.editable) if names is None else [name for name in names if name in self.editable]
        return [
            {
                "name": name,
                "role": entry.role,
                "source": reference_source(entry.reference),
                "module": entry.reference.__module__,
                "twin": entry.twin,
                "edited": sources.get(name),
                "editable": entry.editable,
            }
            for name, entry in ((name, self.editable[name]) for name in names)
        ]
