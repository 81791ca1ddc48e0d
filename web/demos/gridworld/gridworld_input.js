// Editing the gridworld from the grid itself: mouse, touch (pointer events) and keyboard. A click or tap (or Enter /
// Space on the keyboard cursor) applies the chosen edit at a cell; dragging the start or the goal moves it. Every
// edit is a driver command (toggle_wall, move_start, move_goal, paint_cell, erase_paint): Python validates it, and a
// refused edit comes back as a message, with nothing changed.

import { formatStat } from "../../ui.js";

const EDIT_COMMANDS = { wall: "toggle_wall", start: "move_start", goal: "move_goal" };
export const EDIT_LABELS = {
  wall: "toggle walls",
  start: "move the start",
  goal: "move the goal",
  paint: "paint rewards",
};

const same = (a, b) => a[0] === b[0] && a[1] === b[1];

/** The reward painted on a cell, as [row, col, reward, terminal], or undefined. */
export function paintAt(layout, row, col) {
  return (layout.painted ?? []).find(([r, c]) => r === row && c === col);
}

/** Apply the edit `kind` (wall, start, goal, paint) at a cell, through the driver's commands. */
export async function editCell(c, kind, row, col) {
  const layout = c.snapshot?.layout;
  if (!layout) return;
  const onStart = same([row, col], layout.start);
  const onGoal = same([row, col], layout.goal);
  if ((kind === "wall" || kind === "paint") && (onStart || onGoal)) {
    const what = onStart ? "start" : "goal";
    const verb = kind === "wall" ? "be a wall" : "carry a painted reward";
    c.showNotices([`The ${what} cannot ${verb}: drag it to move it, or choose “move the ${what}”.`]);
    return;
  }
  let command = EDIT_COMMANDS[kind];
  let args = { row, col };
  if (kind === "paint") {
    // Painting a painted cell again erases it; otherwise it gets the reward chosen beside the grid.
    if (paintAt(layout, row, col)) command = "erase_paint";
    else {
      command = "paint_cell";
      const reward = Number(c.registry.get(c.demo, "paint_reward"));
      args = { row, col, reward, terminal: Boolean(c.registry.get(c.demo, "paint_end")) };
    }
  }
  c.editing = true;
  const payload = await c.command(command, { args }); // the base records an edit that keeps the run going
  c.editing = false;
  if (payload) {
    c.transient = [];
    c.renderMessages();
  }
}

/** What a screen reader hears for the cell under the keyboard cursor. */
export function describeCell(c, [row, col]) {
  const snapshot = c.snapshot;
  const layout = snapshot.layout;
  const is = (cell) => cell[0] === row && cell[1] === col;
  let what = "open";
  if (layout.walls.some(is)) what = "wall";
  else if ((layout.cliff ?? []).some(is)) what = "cliff";
  else if (is(layout.goal)) what = "goal";
  else if (is(layout.start)) what = "start";
  const paint = paintAt(layout, row, col);
  if (paint) what = `painted reward ${paint[2]}${paint[3] ? ", ends the episode" : ""}`;
  let value = "";
  if (what !== "wall" && what !== "cliff" && what !== "goal") {
    const Q = snapshot.Q.data;
    const s = (row * layout.cols + col) * 4;
    const best = snapshot.greedy_action.data[row * layout.cols + col]; // rlplay's argmax Q, -1: nothing learned
    value =
      best < 0
        ? ", nothing learned yet"
        : `, greedy move ${["up", "down", "left", "right"][best]}, V ${formatStat(Math.max(Q[s], Q[s + 1], Q[s + 2], Q[s + 3]), 2)}`;
  }
  return `Cell (${row}, ${col}): ${what}${value}.`;
}

/** Pointer (mouse, pen, touch) and keyboard input on the controller's grid canvas. */
export function bindGridInput(c) {
  const canvas = c.gridCanvas;
  const kindAt = (cell) => {
    const layout = c.snapshot?.layout;
    if (!layout || !cell) return null;
    if (same(cell, layout.start)) return "start";
    if (same(cell, layout.goal)) return "goal";
    return null;
  };
  canvas.addEventListener("pointerdown", (event) => {
    const cell = c.gridView.cellAt(event.clientX, event.clientY);
    if (!cell || c.status === "loading") return;
    c.cursor = cell;
    c.drag = { kind: kindAt(cell), origin: cell, over: null, pointer: event.pointerId };
    canvas.setPointerCapture?.(event.pointerId);
    c.dirty = true;
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!c.drag) return;
    const cell = c.gridView.cellAt(event.clientX, event.clientY);
    const moved = cell && !same(cell, c.drag.origin);
    const over = c.drag.kind && moved ? cell : null;
    if (String(over) !== String(c.drag.over)) {
      c.drag.over = over;
      c.dirty = true;
    }
  });
  const finish = (event, cancelled) => {
    const drag = c.drag;
    if (!drag) return;
    c.drag = null;
    c.dirty = true;
    if (cancelled) return;
    const cell = c.gridView.cellAt(event.clientX, event.clientY);
    if (!cell) return;
    const here = same(cell, drag.origin);
    if (drag.kind && !here) editCell(c, drag.kind, cell[0], cell[1]);
    else if (here) editCell(c, c.registry.get(c.demo, "edit"), cell[0], cell[1]);
  };
  canvas.addEventListener("pointerup", (event) => finish(event, false));
  canvas.addEventListener("pointercancel", (event) => finish(event, true));
  canvas.addEventListener("focus", () => {
    c.focused = true;
    c.dirty = true;
  });
  canvas.addEventListener("blur", () => {
    c.focused = false;
    c.dirty = true;
  });
  canvas.addEventListener("keydown", (event) => {
    const layout = c.snapshot?.layout;
    if (!layout) return;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[event.key]) {
      event.preventDefault();
      const [dr, dc] = moves[event.key];
      c.cursor = [
        Math.max(0, Math.min(layout.rows - 1, c.cursor[0] + dr)),
        Math.max(0, Math.min(layout.cols - 1, c.cursor[1] + dc)),
      ];
      c.cursorStatus.textContent = describeCell(c, c.cursor);
      c.dirty = true;
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      editCell(c, c.registry.get(c.demo, "edit"), c.cursor[0], c.cursor[1]);
    }
  });
}
