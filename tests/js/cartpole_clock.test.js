// Unit tests of the cart-pole stage's rules (web/demos/cartpole/cartpole_clock.js): limits read from web/contract.json,
// interpolation, how an episode ended, and the replay, Watch and Play clocks, against hand-computed values.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  interpolate,
  limitsOf,
  outcome,
  playFrame,
  playStepsDue,
  press,
  REPLAY_HOLD_STEPS,
  replayEnd,
  replayFrame,
  replayOf,
  stateAt,
  tickReplay,
  tickWatch,
  WATCH_HOLD_MS,
  WATCH_LOOKAHEAD,
  watchFrame,
  watchRequest,
} from "../../web/demos/cartpole/cartpole_clock.js";

const contract = JSON.parse(readFileSync(new URL("../../web/contract.json", import.meta.url), "utf8"));
const LIMITS = limitsOf(contract.cartpole.constants);

test("the limits are CartPole-v1's, read from the contract", () => {
  // Gymnasium's CartPole-v1: ±2.4 m, ±12°, tau = 0.02 s, 500 steps; solved at a 100-episode mean of 475
  assert.deepEqual(LIMITS, {
    cap: 500,
    solved: 475,
    window: 100,
    x: 2.4,
    theta: (12 * Math.PI) / 180,
    degrees: 12,
    stepMs: 20,
  });
});

test("stateAt interpolates rows of a flat (T, 4) array and clamps k to the episode", () => {
  const flat = [0, 0, 0, 0, 1, 2, 3, 4, 3, 2, 1, 0];
  assert.deepEqual(stateAt(flat, 3, 0), [0, 0, 0, 0]);
  assert.deepEqual(stateAt(flat, 3, 0.25), [0.25, 0.5, 0.75, 1]);
  assert.deepEqual(stateAt(flat, 3, 1.5), [2, 2, 2, 2]);
  assert.deepEqual(stateAt(flat, 3, 2), [3, 2, 1, 0]);
  assert.deepEqual(stateAt(flat, 3, 7), [3, 2, 1, 0]);
  assert.deepEqual(stateAt(flat, 3, -1), [0, 0, 0, 0]);
  assert.deepEqual(stateAt([], 0, 1), [0, 0, 0, 0]);
});

test("interpolate does the same on a list of states", () => {
  const states = [
    [0, 0, 0, 0],
    [1, 2, 3, 4],
    [3, 2, 1, 0],
  ];
  const flat = states.flat();
  for (const k of [0, 0.25, 0.5, 1, 1.75, 2, 9])
    assert.deepEqual(interpolate(states, k), stateAt(flat, 3, k), `k=${k}`);
  assert.deepEqual(interpolate([], 0), [0, 0, 0, 0]);
});

test("outcome names the limit: the driver's replay_end, or whichever limit the last state was nearer", () => {
  assert.deepEqual(outcome(LIMITS, null, 500), { text: "500 steps: balanced to the time limit", tone: "good" });
  assert.equal(outcome(LIMITS, [0, 0, 0, 0], 120, "time-limit").tone, "good");
  // 120 steps × 20 ms = 2.4 s
  assert.equal(outcome(LIMITS, [0, 0, 0, 0], 120, "track").text, "The cart left the track after 120 steps (2.4 s)");
  assert.equal(outcome(LIMITS, [0, 0, 0, 0], 120, "pole").text, "The pole fell past 12° after 120 steps (2.4 s)");
  // judged: |x|/2.4 = 0.833 against |θ|/0.2094 = 0.477 -> the track; 0.1/2.4 = 0.04 against 0.2/0.2094 -> the pole
  assert.match(outcome(LIMITS, [-2.0, 0, 0.1, 0], 33).text, /^The cart left the track after 33 steps \(0\.7 s\)/);
  assert.match(outcome(LIMITS, [0.1, 0, -0.2, 0], 33).text, /^The pole fell past 12°/);
  assert.deepEqual(outcome(LIMITS, undefined, 7), { text: "ended after 7 steps", tone: "bad" });
});

test("replayOf takes the snapshot's episode and how it ended", () => {
  const snapshot = {
    replay_states: { data: new Float64Array([0, 0, 0, 0, 0.5, 0, 0.1, 0]), shape: [2, 4] },
    replay_p_right: { data: new Float64Array([0.5, 0.6]) },
    replay_values: { data: new Float64Array([1.5, 1]) },
    replay_end: "track",
    figures: { episode: 9 },
    algo: "ppo",
    config: { gamma: "0.9" },
  };
  const replay = replayOf(snapshot, LIMITS);
  assert.equal(replay.T, 2);
  assert.equal(replay.episode, 9);
  assert.equal(replay.k, 0);
  assert.equal(replay.gamma, 0.9);
  assert.equal(replay.end.text, "The cart left the track after 2 steps (0.0 s)");
  assert.deepEqual(Array.from(replay.values), [1.5, 1]);
});

/** A replay of T steps at clock k. */
const replayAt = (T, k, episode = 1) => ({ T, k, episode, lastCursor: Math.floor(k / 5), states: [], algo: "ppo" });

test("the replay clock plays, holds its last frame REPLAY_HOLD_STEPS, then loops", () => {
  const replay = replayAt(10, 0);
  const end = 9 + REPLAY_HOLD_STEPS;
  assert.equal(replayEnd(replay), end);
  let ticked = tickReplay(replay, null, 2.5);
  assert.equal(replay.k, 2.5);
  assert.equal(ticked.cursorMoved, false); // the cursor moves every 5 steps
  ticked = tickReplay(replay, null, 3);
  assert.equal(replay.k, 5.5);
  assert.equal(ticked.cursorMoved, true);
  tickReplay(replay, null, 1000);
  assert.equal(replay.k, end); // held at the end, not past it
  ticked = tickReplay(replay, null, 1);
  assert.equal(replay.k, 0); // then looped
  assert.deepEqual([ticked.replay, ticked.next, ticked.switched], [replay, null, false]);
});

test("a newer episode waits until the replay has ended, then starts from 0", () => {
  const replay = replayAt(10, 4);
  const next = replayAt(20, 0, 2);
  let ticked = tickReplay(replay, next, 1);
  assert.deepEqual([ticked.replay, ticked.next, ticked.switched], [replay, next, false]);
  replay.k = replayEnd(replay);
  ticked = tickReplay(replay, next, 1);
  assert.deepEqual([ticked.replay, ticked.next, ticked.switched], [next, null, true]);
  assert.equal(next.k, 0);
});

test("with reduced motion the replay stands at its own end, and a newer episode replaces it at once", () => {
  const replay = replayAt(10, 3);
  let ticked = tickReplay(replay, null, 1, true);
  assert.equal(replay.k, replayEnd(replay));
  assert.equal(ticked.cursorMoved, true);
  ticked = tickReplay(replay, null, 1, true);
  assert.equal(ticked.cursorMoved, false); // standing still: nothing to redraw
  const next = replayAt(50, 0, 2);
  ticked = tickReplay(replay, next, 1, true);
  assert.deepEqual([ticked.replay, ticked.next, ticked.switched], [next, null, true]);
  assert.equal(next.k, 49 + REPLAY_HOLD_STEPS);
});

test("Watch stays WATCH_LOOKAHEAD steps ahead of its clock, holds when the worker is late, and pauses on the end", () => {
  assert.deepEqual(watchRequest(null, 0), { reset: true });
  const live = { states: [[0, 0, 0, 0]], pRight: [0.5], k: 0, done: false, length: 0 };
  assert.deepEqual(watchRequest(live, 0), { steps: WATCH_LOOKAHEAD });
  live.states.push(...Array.from({ length: WATCH_LOOKAHEAD }, () => [0, 0, 0, 0]));
  assert.equal(watchRequest(live, 0), null); // 4 states ahead of k = 0
  tickWatch(live, 1.5, 0);
  assert.deepEqual(watchRequest(live, 0), { steps: 2 }); // ⌈1.5⌉ + 4 − 4
  tickWatch(live, 10, 0);
  assert.equal(live.k, 4); // the worker is late: hold at the last state fetched
  assert.deepEqual(watchRequest({ ...live, k: 200 }, 0), { steps: 50 }); // at most 50 a call
  live.done = true;
  tickWatch(live, 1, 1000);
  assert.equal(live.endedAt, 1000);
  assert.equal(watchRequest(live, 1000 + WATCH_HOLD_MS), null); // the final state is held...
  assert.deepEqual(watchRequest(live, 1001 + WATCH_HOLD_MS), { reset: true }); // ...then a new episode
});

test("Play: a press starts a game or its clock, and one step is due per whole step of the game clock", () => {
  assert.equal(press(null), "new");
  assert.equal(press({ done: true, started: true }), "new");
  const game = { states: [[0, 0, 0, 0]], k: 3, done: false, started: false };
  assert.equal(press(game), "start");
  assert.deepEqual([game.started, game.k], [true, 0]);
  assert.equal(press(game), "hold");
  assert.equal(playStepsDue(game), 0);
  game.k = 2.9;
  assert.equal(playStepsDue(game), 2);
  game.states.push([0, 0, 0, 0], [0, 0, 0, 0]);
  assert.equal(playStepsDue(game), 0);
});

test("the frames say what the stage shows", () => {
  assert.equal(replayFrame(null, { algo: "PPO", playing: false }).banner, "press Play to train");
  const replay = {
    ...replayAt(2, 1.5),
    states: [0, 0, 0, 0, 1, 0, 0, 0],
    pRight: [0.25, 0.75],
    values: [3, 2],
    end: { text: "ended", tone: "bad" },
  };
  let frame = replayFrame(replay, { algo: "PPO", playing: true, label: (a) => a.toUpperCase() });
  assert.deepEqual(frame.state, [1, 0, 0, 0]); // k is clamped to the last state during the hold
  assert.deepEqual([frame.step, frame.total, frame.pRight, frame.value], [2, 2, 0.75, 2]);
  assert.equal(frame.caption, "Replay of episode 1 (PPO)");
  assert.equal(frame.shortCaption, "Episode 1 (PPO)");
  assert.equal(frame.banner, "ended");
  frame = replayFrame({ ...replay, algo: "reinforce", k: 0.5 }, { algo: "x", playing: true });
  assert.deepEqual([frame.value, frame.banner, frame.state[0]], [null, null, 0.5]); // no critic, not ended yet

  const live = {
    states: [
      [0, 0, 0.1, 0],
      [0.1, 0, 0.3, 0],
    ],
    pRight: [0.5, 0.9],
    k: 1,
    done: true,
    length: 2,
  };
  frame = watchFrame(live, { algo: "PPO", playing: true, limits: LIMITS });
  assert.equal(frame.banner, "The pole fell past 12° after 2 steps (0.0 s)");
  assert.equal(frame.pRight, 0.9);
  assert.equal(watchFrame(null, { algo: "PPO", playing: false, limits: LIMITS }).banner, "press Play to watch");

  const game = {
    states: [
      [0, 0, 0, 0],
      [2.3, 0, 0, 0],
      [2.5, 0, 0, 0],
    ],
    k: 2,
    done: true,
    length: 2,
    started: true,
  };
  frame = playFrame({ ...game, best: 2 }, { action: 1, playing: true, limits: LIMITS });
  // judged on the state before the last push (x = 2.3 m, nearer its limit than θ = 0)
  assert.equal(
    frame.banner,
    "The cart left the track after 2 steps (0.0 s) — your best: 2 steps · press ← or → to try again",
  );
  assert.equal(frame.action, null);
  frame = playFrame({ ...game, done: false, k: 0.5 }, { action: 0, playing: false, limits: LIMITS });
  assert.deepEqual([frame.banner, frame.action, frame.caption], ["paused", 0, "Your turn: pushing ← left"]);
  assert.deepEqual(frame.state, [1.15, 0, 0, 0]);
});
