"""The drivers the browser calls: one module per demo (gridworld, bandit, cartpole).

The contract every driver keeps (``rlplay.demos.bridge`` is the only caller from the browser):

- ``<Demo>Config``: a frozen dataclass. Its field names are the URL and UI names (``seed``, ``alpha``, ``algo``,
  ...); each field has a one-line docstring with its range, and ``typing.Annotated`` metadata
  (``Param(...)``, from ``rlplay.demos.params``) that states the range once, for validation and for the page's
  controls. ``Config(**fields)`` raises ``ValueError`` with a message naming the field and its range.
- ``<Demo>Demo(config)``: the driver; ``.config`` is its current config.

  - ``advance(n) -> int``: runs ``n`` units of work (gridworld: environment steps; bandit: pulls of every lane;
    cartpole: environment steps) and returns how many ran. The result never depends on how the work was cut into
    calls: ``advance(300); advance(700)`` leaves exactly the state of ``advance(1000)``.
  - ``snapshot(since=0) -> dict``: a compact picture of the run. Top-level values are JSON-able (numbers, strings,
    lists, dicts) or NumPy arrays. ``figures`` maps each ``data-stat`` name to a plain number (``-1`` = not yet).
    Growing series (learning curves) are sent from index ``since`` on, with ``<name>_offset`` telling where the
    tail starts, so a snapshot never copies a whole history.
    Every key of every demo's snapshot is declared once, in ``rlplay.demos.contract`` (``web/contract.json`` for
    the page); ``tests/test_contract.py`` checks the drivers against it.
  - ``step(n) -> dict``: ``advance(n)`` then ``snapshot()``.
  - ``reset()``: forget what was learned; same seed, same run again.
  - ``configure(**changes)``: apply changed hyperparameters, without a reset where that makes sense. Returns the
    names of the fields whose change needed a fresh run.
  - ``COMMANDS``: the names of the extra methods the browser may call (e.g. ``toggle_wall``); the bridge refuses
    any other name.
"""
