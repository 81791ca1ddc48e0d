"""Gridworld: walk from the start to the goal around walls, an episodic finite MDP.

One step, action a ∈ {0 up, 1 down, 2 left, 3 right}:

    direction  d = a with probability 1 − slip, else each of the three other directions with probability slip/3
    s′ = s + Δ(d)   unless that cell is a wall or off the grid, then s′ = s     (bump: stay in place)
    s′ = start      if s + Δ(d) is a cliff cell                                 (fall: back to the start)
    r  = goal_reward on entering the goal (terminal), cliff_reward on falling off the cliff, a painted cell's own
         reward on landing in it (terminal if it is painted so), step_reward on any other step

The rewards belong to the layout: by default +1, −1 and −0.01; Sutton & Barto's cliff walk has −1 a step (the goal
included) and −100 for a fall.

The model the planner reads, built from the same one-step function ``Gridworld._move`` the env steps with:

    P(s′|s,a) = Σ_d p(d|a) · 1[move(s, d) = s′]        R(s,a) = Σ_d p(d|a) · r(s, d)

Source: the 5x5 gridworld of "Reinforcement Learning from Scratch" (the seed post); Sutton & Barto,
*Reinforcement Learning: An Introduction* (2nd ed., 2018), §3.1 (finite MDPs), Example 3.5 (gridworld) and
Example 6.6 (cliff walking).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

Cell = tuple[int, int]

# (Δrow, Δcol) of each action, as in the seed post: 0 = up, 1 = down, 2 = left, 3 = right.
ACTIONS: tuple[Cell, ...] = ((-1, 0), (1, 0), (0, -1), (0, 1))
ACTION_NAMES = ("up", "down", "left", "right")
ACTION_ARROWS = ("↑", "↓", "←", "→")

STEP_REWARD = -0.01  # every move that does not reach the goal (bumps included)
GOAL_REWARD = 1.0  # entering the goal, which ends the episode
CLIFF_REWARD = -1.0  # stepping into a cliff cell, which sends the agent back to the start
PAINT_LIMIT = 100.0  # a painted reward lies in [−PAINT_LIMIT, PAINT_LIMIT]

Paint = tuple[Cell, float, bool]  # (cell, reward on landing there, whether landing there ends the episode)


def slipped_action(action: int, u: float, slip: float) -> int:
    """The direction actually taken, given the intended ``action`` and one uniform number ``u`` in [0, 1).

    With probability ``1 − slip`` (``u ≥ slip``) the intended direction; otherwise (``u < slip``) one of the three
    other directions, each with probability ``slip/3``, chosen by where ``u`` falls in ``[0, slip)``.

    >>> slipped_action(3, 0.7, 0.2), slipped_action(3, 0.05, 0.2), slipped_action(0, 0.19, 0.2)
    (3, 0, 3)
    """
    if u >= slip:
        return action
    other = min(int(u * 3.0 / slip), 2)  # 0, 1 or 2: which of the other three directions
    return other if other < action else other + 1


@dataclass(frozen=True)
class Layout:
    """Where the walls, the cliff, the start and the goal are. Invalid layouts raise ``ValueError``.

    >>> Layout.from_text('''
    ... S . .
    ... # # .
    ... G . .
    ... ''').shortest_path_length()
    6
    """

    rows: int
    cols: int
    walls: frozenset[Cell] = field(default_factory=frozenset)
    start: Cell = (0, 0)
    goal: Cell = (-1, -1)  # (-1, -1) = the bottom-right corner
    cliff: frozenset[Cell] = field(default_factory=frozenset)
    painted: tuple[Paint, ...] = ()
    """Cells with their own reward, as (cell, reward, terminal) triples (a dict cell -> (reward, terminal) works too);
    stored sorted by cell."""
    step_reward: float = STEP_REWARD
    goal_reward: float = GOAL_REWARD
    cliff_reward: float = CLIFF_REWARD

    def __post_init__(self):
        for name in ("rows", "cols"):
            if isinstance(getattr(self, name), bool) or not isinstance(getattr(self, name), int):
                raise ValueError(f"{name} must be a whole number, got {getattr(self, name)!r}")
        if self.rows < 2 or self.cols < 2:
            raise ValueError(
                f"the grid must be at least 2x2 (room for a start and a goal), got {self.rows}x{self.cols}"
            )
        object.__setattr__(self, "walls", frozenset(_as_cell(c, "wall") for c in self.walls))
        object.__setattr__(self, "cliff", frozenset(_as_cell(c, "cliff cell") for c in self.cliff))
        object.__setattr__(self, "start", _as_cell(self.start, "start"))
        goal = _as_cell(self.goal, "goal")
        object.__setattr__(self, "goal", (self.rows - 1, self.cols - 1) if goal == (-1, -1) else goal)
        for what, cells in (("wall", self.walls), ("cliff cell", self.cliff)):
            for cell in sorted(cells):
                self._check_inside(cell, f"the {what}")
        self._check_inside(self.start, "the start")
        self._check_inside(self.goal, "the goal")
        if self.walls & self.cliff:
            raise ValueError(f"{min(self.walls & self.cliff)} is both a wall and a cliff cell")
        for what, cell in (("start", self.start), ("goal", self.goal)):
            if cell in self.walls:
                raise ValueError(f"the {what} {cell} is on a wall")
            if cell in self.cliff:
                raise ValueError(f"the {what} {cell} is in the cliff")
        if self.start == self.goal:
            raise ValueError(f"the start and the goal are the same cell {self.start}")
        object.__setattr__(self, "painted", self._checked_paint(self.painted))
        if self.goal not in self.distances():
            raise ValueError(f"the goal {self.goal} cannot be reached from the start {self.start}: walls cut it off")

    def _checked_paint(self, painted) -> tuple[Paint, ...]:
        items = painted.items() if isinstance(painted, dict) else painted
        seen: dict[Cell, Paint] = {}
        for item in items:
            try:
                cell, value = item
                reward, terminal = value
            except (TypeError, ValueError):
                try:
                    cell, reward, terminal = item
                except (TypeError, ValueError):
                    raise ValueError(f"a painted cell must be (cell, reward, terminal), got {item!r}") from None
            cell = _as_cell(cell, "painted cell")
            self._check_inside(cell, "the painted cell")
            if isinstance(reward, bool) or not isinstance(reward, (int, float, np.integer, np.floating)):
                raise ValueError(f"the reward painted on {cell} must be a number, got {reward!r}")
            reward = float(reward)
            if not -PAINT_LIMIT <= reward <= PAINT_LIMIT:  # also refuses NaN
                raise ValueError(f"the reward painted on {cell} must lie in [-{PAINT_LIMIT:g}, {PAINT_LIMIT:g}]")
            for what, cells in (("a wall", self.walls), ("the cliff", self.cliff)):
                if cell in cells:
                    raise ValueError(f"{cell} is {what}; rewards are painted on open cells")
            if cell in (self.start, self.goal):
                raise ValueError(f"{cell} is the {'start' if cell == self.start else 'goal'}; paint another cell")
            if cell in seen:
                raise ValueError(f"{cell} is painted twice")
            seen[cell] = (cell, reward + 0.0, bool(terminal))  # + 0.0: −0.0 becomes 0.0
        return tuple(seen[cell] for cell in sorted(seen))

    def paint_at(self, cell: Cell) -> Paint | None:
        """The (cell, reward, terminal) painted on ``cell``, or None."""
        for entry in self.painted:
            if entry[0] == cell:
                return entry
        return None

    def is_terminal(self, cell: Cell) -> bool:
        """Whether landing on ``cell`` ends the episode: the goal, or a cell painted terminal."""
        return cell == self.goal or any(c == cell and terminal for c, _, terminal in self.painted)

    def _check_inside(self, cell: Cell, what: str) -> None:
        r, c = cell
        if not (0 <= r < self.rows and 0 <= c < self.cols):
            raise ValueError(
                f"{what} {cell} is outside the {self.rows}x{self.cols} grid "
                f"(rows 0..{self.rows - 1}, columns 0..{self.cols - 1})"
            )

    @classmethod
    def from_text(cls, text: str) -> Layout:
        """A layout drawn in text: ``S`` start, ``G`` goal, ``#`` wall, ``C`` cliff, ``.`` free; one row a line."""
        lines = [line.split() for line in text.strip().splitlines()]
        cells = {(r, c): ch for r, line in enumerate(lines) for c, ch in enumerate(line)}
        if len({len(line) for line in lines}) != 1:
            raise ValueError("every row of the drawing must have the same number of cells")
        unknown = {ch for ch in cells.values()} - set("SG#C.")
        if unknown:
            raise ValueError(f"unknown cell marks {sorted(unknown)}; use S, G, #, C or .")
        where = {ch: [cell for cell, mark in cells.items() if mark == ch] for ch in "SG"}
        if len(where["S"]) != 1 or len(where["G"]) != 1:
            raise ValueError("the drawing needs exactly one S (start) and one G (goal)")
        return cls(
            rows=len(lines),
            cols=len(lines[0]),
            walls=frozenset(cell for cell, ch in cells.items() if ch == "#"),
            start=where["S"][0],
            goal=where["G"][0],
            cliff=frozenset(cell for cell, ch in cells.items() if ch == "C"),
        )

    def to_text(self) -> str:
        marks = {**{cell: "#" for cell in self.walls}, **{cell: "C" for cell in self.cliff}}
        marks[self.start], marks[self.goal] = "S", "G"
        return "\n".join(" ".join(marks.get((r, c), ".") for c in range(self.cols)) for r in range(self.rows))

    def is_open(self, cell: Cell) -> bool:
        """Whether the agent can stand on ``cell``: inside the grid, not a wall, not the cliff."""
        r, c = cell
        return 0 <= r < self.rows and 0 <= c < self.cols and cell not in self.walls and cell not in self.cliff

    def distances(self) -> dict[Cell, int]:
        """Fewest moves from the start to every open cell the agent can reach (breadth-first search).

        Cliff cells are never entered (a fall leads back to the start), so they are not on any path; terminal cells
        (the goal, cells painted terminal) end the walk.
        """
        terminal = {self.goal} | {cell for cell, _, end in self.painted if end}
        dist = {self.start: 0}
        queue = deque([self.start])
        while queue:
            cell = queue.popleft()
            if cell in terminal:
                continue  # nothing lies beyond a terminal cell
            for dr, dc in ACTIONS:
                nxt = (cell[0] + dr, cell[1] + dc)
                if nxt not in dist and self.is_open(nxt):
                    dist[nxt] = dist[cell] + 1
                    queue.append(nxt)
        return dist

    def shortest_path_length(self) -> int:
        """Fewest moves from the start to the goal."""
        return self.distances()[self.goal]

    def with_changes(self, **changes) -> Layout:
        """A copy with some fields changed (validated like a new layout)."""
        fields = {name: getattr(self, name) for name in LAYOUT_FIELDS}
        return Layout(**{**fields, **changes})


LAYOUT_FIELDS = (
    "rows", "cols", "walls", "start", "goal", "cliff", "painted", "step_reward", "goal_reward", "cliff_reward",
)  # fmt: skip


def _as_cell(value, what: str) -> Cell:
    try:
        r, c = value
    except (TypeError, ValueError):
        raise ValueError(f"a {what} must be a (row, column) pair, got {value!r}") from None
    if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in (r, c)):
        raise ValueError(f"a {what} must be a pair of whole numbers, got {value!r}")
    return (int(r), int(c))


PRESETS: dict[str, Layout] = {
    # The seed post's grid: two wall columns; the only shortest route runs along the top and down the right
    # (8 moves).
    "seed5": Layout.from_text(
        """
        S . . . .
        . # . # .
        . # . # .
        . # . . .
        . . . . G
        """
    ),
    # Two wall barriers: the shortest route (14 moves, the only one) runs down the left edge, through the low gap
    # in the middle, one step *up* around the second barrier and down to the goal. The route across the top is two
    # moves longer; the bottom-left and the top-right corners are dead ends.
    "default": Layout.from_text(
        """
        S . . . # . .
        . # # . # . .
        . # . . # . .
        . # . # # . .
        . . . # . . .
        # # . . . # .
        . . . # . # G
        """
    ),
    # A maze with corridors one cell wide, a few loops and dead ends.
    "maze": Layout.from_text(
        """
        S . . # . . . . .
        # # . # . # # # .
        . . . . . # . . .
        . # # # . # . # #
        . # . . . . . . .
        . # . # # # # # .
        . . . # . . . # .
        # # . # . # . # .
        . . . . . # . . G
        """
    ),
    # Sutton & Barto's cliff walk (Example 6.6), 4x12, with the book's rewards: −1 a step (entering the goal too),
    # −100 for falling off, which sends the agent back to the start. The shortest route (13 moves) runs along the edge.
    "cliff": Layout.from_text(
        """
        . . . . . . . . . . . .
        . . . . . . . . . . . .
        . . . . . . . . . . . .
        S C C C C C C C C C C G
        """
    ).with_changes(step_reward=-1.0, goal_reward=-1.0, cliff_reward=-100.0),
}


class Gridworld:
    """Walk from the start to the goal of a grid, around walls, without falling off the cliff.

    ## Description
    The seed post's gridworld, for any layout (``Layout``, or a name from ``PRESETS``: ``default``, ``seed5``,
    ``maze``, ``cliff``), with optional slippery moves. Its model P(s′|s,a), R(s,a) is exposed for planners
    (``model``) and its one-step tables for fast learners (``tables``); both come from ``_move``, the one place
    the physics is written.

    ## Action Space
    ``n_actions = 4``: 0 up, 1 down, 2 left, 3 right. With ``slip > 0`` the move goes in the intended direction
    with probability ``1 − slip`` and in each of the three other directions with probability ``slip/3``.

    ## Observation Space
    ``(row, col)``, a pair of ints; ``observation_shape = (2,)``. ``info["state"]`` is the flat state index
    ``row * cols + col``, as used by ``model`` and ``tables``.

    ## Rewards
    Set by the layout. By default +1 on entering the goal; −1 on stepping into a cliff cell; −0.01 for any other
    step, including a bump into a wall or the edge (the agent stays where it is). The ``cliff`` preset has Sutton &
    Barto's −1 a step (the goal included) and −100 a fall. A painted cell pays its own reward to whoever lands in it
    (a bump inside it included), and ends the episode if painted terminal.

    ## Starting State
    The layout's start cell. Falling off the cliff also returns the agent there (the episode goes on).

    ## Episode End
    Terminated on reaching the goal or a cell painted terminal. Truncated after ``max_episode_steps`` steps if that
    is set.
    """

    n_actions = len(ACTIONS)
    observation_shape = (2,)

    def __init__(
        self,
        layout: Layout | str = "default",
        *,
        slip: float = 0.0,
        max_episode_steps: int | None = None,
        seed: int | None = None,
    ):
        if isinstance(layout, str):
            if layout not in PRESETS:
                raise ValueError(f"unknown gridworld preset {layout!r}; choose one of {', '.join(PRESETS)}")
            layout = PRESETS[layout]
        if not 0.0 <= slip <= 1.0:
            raise ValueError(f"slip must be a probability between 0 and 1, got {slip!r}")
        self.layout = layout
        self.slip = float(slip)
        self.max_episode_steps = max_episode_steps
        self.rows, self.cols = layout.rows, layout.cols
        self.n_states = self.rows * self.cols
        self.start_state = self.state_index(layout.start)
        self.goal_state = self.state_index(layout.goal)
        # States the agent can ever occupy: open cells reachable from the start (the goal included).
        self.reachable = frozenset(self.state_index(cell) for cell in layout.distances())
        self._rng = np.random.default_rng(seed)
        self._tables = self._build_tables()
        self._cell = layout.start
        self._elapsed = 0

    # -- the physics, once --------------------------------------------------------------------------------------
    def _move(self, cell: Cell, direction: int) -> tuple[Cell, float, bool]:
        """One deterministic move: ``(next_cell, reward, terminated)``."""
        layout = self.layout
        dr, dc = ACTIONS[direction]
        target = (cell[0] + dr, cell[1] + dc)
        if target in layout.cliff:
            return layout.start, layout.cliff_reward, False
        if not layout.is_open(target):
            target = cell  # a wall or the edge: stay in place
        if target == layout.goal:
            return target, layout.goal_reward, True
        paint = layout.paint_at(target)
        if paint is not None:
            return target, paint[1], paint[2]  # a painted cell pays its reward, a bump within it too
        return target, layout.step_reward, False

    def _build_tables(self):
        next_state, reward = [], []
        for s in range(self.n_states):
            cell = self.cell_of(s)
            moves = [self._move(cell, d) for d in range(self.n_actions)]
            next_state.append([self.state_index(nxt) for nxt, _, _ in moves])
            reward.append([r for _, r, _ in moves])
        terminal = [self.layout.is_terminal(self.cell_of(s)) for s in range(self.n_states)]
        return next_state, reward, terminal

    def tables(self) -> tuple[list[list[int]], list[list[float]], list[bool]]:
        """Deterministic one-step tables as plain lists, for learners' hot loops (apply ``slipped_action`` first).

        ``next_state[s][d]`` and ``reward[s][d]`` are the outcome of moving in direction ``d`` from state ``s``;
        ``terminal[s]`` tells whether ``s`` ends the episode. Rows of cells the agent never stands on (walls, cliff)
        are filled in too but never used.
        """
        return self._tables

    def model(self) -> tuple[np.ndarray, np.ndarray]:
        """The MDP: ``P`` (n_states, n_actions, n_states) = P(s′|s,a) and ``R`` (n_states, n_actions) = E[r|s,a].

        Terminal cells (the goal, cells painted terminal), walls, cliff cells and cells unreachable from the start are
        absorbing with reward 0 (their value is 0). Expected rewards are used because R(s,a,s′) is ambiguous here:
        from the start, a bump and a fall off the cliff both lead back to the start, with different rewards.
        """
        next_state, reward, terminal = self._tables
        n_actions = self.n_actions
        P = np.zeros((self.n_states, n_actions, self.n_states))
        R = np.zeros((self.n_states, n_actions))
        for s in range(self.n_states):
            if terminal[s] or s not in self.reachable:
                P[s, :, s] = 1.0
                continue
            for a in range(n_actions):
                for d in range(n_actions):
                    # p(d|a) = 1 − slip for the intended direction, slip/3 for each other one
                    p = 1.0 - self.slip if d == a else self.slip / 3.0
                    if p == 0.0:
                        continue
                    P[s, a, next_state[s][d]] += p
                    R[s, a] += p * reward[s][d]
        return P, R

    # -- Gymnasium API ------------------------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> tuple[Cell, dict]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self._cell = self.layout.start
        self._elapsed = 0
        return self._cell, {"state": self.start_state}

    def step(self, action: int) -> tuple[Cell, float, bool, bool, dict]:
        if not 0 <= action < self.n_actions:
            raise ValueError(f"action must be 0 (up), 1 (down), 2 (left) or 3 (right), got {action!r}")
        direction = int(action)
        if self.slip > 0.0:
            direction = slipped_action(direction, float(self._rng.random()), self.slip)
        self._cell, reward, terminated = self._move(self._cell, direction)
        self._elapsed += 1
        truncated = not terminated and self.max_episode_steps is not None and self._elapsed >= self.max_episode_steps
        return self._cell, reward, terminated, truncated, {"state": self.state_index(self._cell)}

    # -- helpers ------------------------------------------------------------------------------------------------
    def state_index(self, cell: Cell) -> int:
        return cell[0] * self.cols + cell[1]

    def cell_of(self, s: int) -> Cell:
        return divmod(s, self.cols)

    def follow(self, policy) -> tuple[list[Cell], bool]:
        """Cells visited from the start when taking ``policy[s]`` in each state, moving as intended (no slip).

        Returns ``(cells, reached_goal)``; ``cells`` starts at the start and stops at the goal or another terminal
        cell, or just before a cell would repeat (the policy loops; a fall off the cliff counts, as it repeats the
        start).

        >>> env = Gridworld("seed5")
        >>> cells, reached = env.follow([3] * env.n_states)  # always right
        >>> cells, reached
        ([(0, 0), (0, 1), (0, 2), (0, 3), (0, 4)], False)
        """
        next_state, _, terminal = self._tables
        s = self.start_state
        path, seen = [s], {s}
        while not terminal[s]:
            s = next_state[s][int(policy[s])]
            if s in seen:
                return [self.cell_of(x) for x in path], False
            seen.add(s)
            path.append(s)
        return [self.cell_of(x) for x in path], s == self.goal_state

    def render(self) -> str:
        """The grid as text, the agent marked ``A``."""
        lines = self.layout.to_text().splitlines()
        r, c = self._cell
        row = lines[r].split(" ")
        row[c] = "A"
        lines[r] = " ".join(row)
        return "\n".join(lines)
