// What the cart-pole's stage shows, and when (web/demos/cartpole/cartpole.js's three modes):
//   train  the latest finished training episode, replayed in physical time (step_seconds per step), its last frame
//          held REPLAY_HOLD_STEPS with how it ended, then looped; a newer episode waits until the replay has ended, so
//          none is cut short. With prefers-reduced-motion it stands still at its end, and a newer one replaces it.
//   watch  the current policy in real time: one watch_step(n) per frame, n = the steps due, kept WATCH_LOOKAHEAD
//          steps ahead of the clock so the animation never starves; the clock holds (never extrapolates) if the worker
//          is late; the final state stays WATCH_HOLD_MS before the next episode.
//   play   a human pushes: one play_step(action) per step of a game clock that runs at the "pace" share of real
//          time. The cart-pole has no "do nothing" action, so the last pressed direction keeps pushing.
// The rules are functions of plain data, with no DOM and no worker (the tick* functions and `press` move the clock
// fields of the episode they are handed; tests/js/cartpole_clock.test.js checks them all); `Stage` holds the three
// episodes and sends Watch's and Play's commands through the controller's `liveCall`.

export const REPLAY_HOLD_STEPS = 30; // hold the last frame of a replay 0.6 s, with how the episode ended
export const WATCH_LOOKAHEAD = 4; // watch mode: steps fetched ahead of the clock
export const WATCH_HOLD_MS = 1200; // watch mode: pause on the final state before the next episode
const WATCH_MAX_STEPS = 50; // watch mode: steps asked in one watch_step call
const CURSOR_EVERY = 5; // replay steps between moves of the value chart's cursor (it redraws the chart)
const UPRIGHT = [0, 0, 0, 0]; // the state drawn when there is none: centred, pole upright

/**
 * rlplay's limits, from web/contract.json (never copied here): cap (the time limit, steps), solved (the threshold of
 * the window-episode mean), x (m) and theta (rad) (the bounds that end an episode), stepMs (physical time of a step).
 */
export function limitsOf(constants) {
  return {
    cap: constants.max_episode_steps.value,
    solved: constants.solved_mean_length.value,
    window: constants.solved_window.value,
    x: constants.x_threshold.value,
    theta: constants.theta_threshold.value,
    degrees: Math.round((constants.theta_threshold.value * 180) / Math.PI),
    stepMs: constants.step_seconds.value * 1000,
  };
}

/** The state at clock k, linear between rows ⌊k⌋ and ⌊k⌋ + 1 of `count` rows (k clamped); `at(i, d)` reads one. */
function between(count, k, at) {
  if (count === 0) return UPRIGHT.slice();
  const i = Math.max(0, Math.min(count - 1, Math.floor(k)));
  const j = Math.min(count - 1, i + 1);
  const f = Math.max(0, Math.min(1, k - i));
  return UPRIGHT.map((_, d) => at(i, d) + (at(j, d) - at(i, d)) * f);
}

/** The state at clock k of a (T, 4) state array stored flat (a replay, as the snapshot sends it). */
export function stateAt(flat, T, k) {
  return between(T, k, (i, d) => flat[4 * i + d]);
}

/** The state at clock k of a list of [x, x_dot, theta, theta_dot] (a watched or played episode). */
export function interpolate(states, k) {
  return between(states.length, k, (i, d) => states[i][d]);
}

/**
 * How an episode ended: `end` is the driver's replay_end ("pole" | "track" | "time-limit") when known; otherwise
 * (a watched or played episode) it is judged from the last state, as whichever limit is nearer.
 */
export function outcome(limits, lastState, length, end = "") {
  if (end === "time-limit" || length >= limits.cap)
    return { text: `${limits.cap} steps: balanced to the time limit`, tone: "good" };
  if (!end && !lastState) return { text: `ended after ${length} steps`, tone: "bad" };
  const seconds = (length * limits.stepMs) / 1000;
  let track = end === "track";
  if (!end) {
    const [x, , theta] = lastState;
    track = Math.abs(x) / limits.x > Math.abs(theta) / limits.theta;
  }
  return track
    ? { text: `The cart left the track after ${length} steps (${seconds.toFixed(1)} s)`, tone: "bad" }
    : { text: `The pole fell past ${limits.degrees}° after ${length} steps (${seconds.toFixed(1)} s)`, tone: "bad" };
}

/**
 * A snapshot's latest finished training episode, ready to replay from its start: its T states (flat), π(right|s) when
 * acting, the critic's values now, γ for the returns, and how it ended (`end`, from the driver's replay_end).
 */
export function replayOf(snapshot, limits) {
  const states = snapshot.replay_states;
  const T = states.shape[0];
  return {
    states: states.data,
    T,
    episode: snapshot.figures?.episode ?? 0,
    k: 0,
    lastCursor: -1,
    algo: snapshot.algo,
    pRight: snapshot.replay_p_right?.data ?? null,
    values: snapshot.replay_values?.data ?? null,
    gamma: Number(snapshot.config?.gamma ?? 0.99),
    end: outcome(limits, Array.from(states.data.slice(4 * (T - 1), 4 * T)), T, snapshot.replay_end),
  };
}

/** Where a replay's clock stops: its last step, then the hold. */
export function replayEnd(replay) {
  return replay.T - 1 + REPLAY_HOLD_STEPS;
}

/**
 * The replay clock, `steps` steps of physical time later. Moves `replay.k` (and `lastCursor`) on, and returns
 * `{replay, next, switched, cursorMoved}`: the episode shown now, the one still waiting, whether the shown episode
 * changed (the charts redraw), and whether the value chart's cursor moved (every CURSOR_EVERY steps).
 */
export function tickReplay(replay, next, steps, reduced = false) {
  let switched = false;
  if (next && (reduced || replay.k >= replayEnd(replay))) {
    replay = next; // a newer episode starts once the shown one has ended (at once, with reduced motion)
    next = null;
    switched = true;
    if (!reduced) return { replay, next, switched, cursorMoved: false };
  }
  const end = replayEnd(replay);
  if (reduced) {
    // No looping animation: the latest finished episode stands still at its end, with how it ended.
    const cursorMoved = replay.k !== end;
    replay.k = end;
    return { replay, next, switched, cursorMoved };
  }
  if (replay.k >= end) {
    replay.k = 0; // loop it
    return { replay, next, switched, cursorMoved: false };
  }
  replay.k = Math.min(end, replay.k + steps);
  const cursor = Math.floor(replay.k / CURSOR_EVERY);
  const cursorMoved = cursor !== replay.lastCursor;
  replay.lastCursor = cursor;
  return { replay, next, switched, cursorMoved };
}

/** The watch clock, `steps` later at time `now` (ms): it holds at the last state fetched until the episode is done. */
export function tickWatch(live, steps, now) {
  const last = live.states.length - 1;
  live.k += steps;
  if (live.k > last) {
    if (!live.done)
      live.k = last; // waiting for the worker: hold, never extrapolate
    else live.endedAt ??= now;
  }
}

/**
 * What Watch asks the worker for at time `now` (ms): `{reset: true}` for a new episode (none yet, or the last one's
 * final state has been held WATCH_HOLD_MS), `{steps: n}` to stay WATCH_LOOKAHEAD steps ahead of the clock, or null.
 */
export function watchRequest(live, now) {
  if (!live || (live.done && live.endedAt && now - live.endedAt > WATCH_HOLD_MS)) return { reset: true };
  if (live.done) return null;
  const due = Math.ceil(live.k) + WATCH_LOOKAHEAD - (live.states.length - 1);
  return due > 0 ? { steps: Math.min(due, WATCH_MAX_STEPS) } : null;
}

/** Play's steps due: the game clock's whole steps not yet played (one play_step is sent at a time). */
export function playStepsDue(game) {
  return Math.floor(game.k) - (game.states.length - 1);
}

/**
 * A press of ← or → on `game`: "new" if there is no game or it has ended (the next play_reset starts one, and this
 * press starts its clock), "start" if the game was waiting for its first press (its clock starts now, at 0), else
 * "hold" (only the direction changes).
 */
export function press(game) {
  if (!game || game.done) return "new";
  if (game.started) return "hold";
  game.started = true;
  game.k = 0;
  return "start";
}

/**
 * The stage in train mode: the replayed episode at its clock, or an empty stage. `label(algo)` names an algorithm;
 * `busy` is what the worker is doing instead of training (the seed comparison), shown rather than "press Play".
 */
export function replayFrame(replay, { algo, playing, label = (name) => name, busy = null }) {
  if (!replay) {
    return {
      state: UPRIGHT.slice(),
      pRight: null,
      caption: `${algo}: no finished episode yet`,
      banner: playing ? null : (busy ?? "press Play to train"),
    };
  }
  const k = Math.min(replay.k, replay.T - 1);
  const i = Math.floor(k);
  const ended = replay.k > replay.T - 1;
  return {
    state: stateAt(replay.states, replay.T, k),
    pRight: replay.pRight?.[i] ?? null,
    value: replay.algo === "reinforce" || replay.algo === "reinforce-baseline" ? null : replay.values?.[i],
    step: i + 1,
    total: replay.T,
    caption: `Replay of episode ${replay.episode} (${label(replay.algo)})`,
    shortCaption: `Episode ${replay.episode} (${label(replay.algo)})`,
    banner: ended ? replay.end.text : null,
    tone: ended ? replay.end.tone : null,
  };
}

/** The stage in watch mode: the current policy's episode at its clock (`busy`: as in replayFrame). */
export function watchFrame(live, { algo, playing, limits, busy = null }) {
  if (!live)
    return {
      state: UPRIGHT.slice(),
      pRight: null,
      caption: `Watch: ${algo}'s current policy`,
      banner: playing ? null : (busy ?? "press Play to watch"),
    };
  const last = live.states.length - 1;
  const k = Math.min(live.k, last);
  const i = Math.floor(k);
  const ended = live.done && k >= last;
  const end = ended ? outcome(limits, live.states[last], live.length) : null;
  return {
    state: interpolate(live.states, k),
    pRight: live.pRight[i],
    step: i,
    caption: `Watch: ${algo}'s policy, not learning`,
    shortCaption: `Watch: ${algo}`,
    banner: end?.text ?? (playing ? null : "paused"),
    tone: end?.tone,
  };
}

/** The stage in play mode: the human's game at its clock, `action` the push being held. */
export function playFrame(game, { action, playing, limits }) {
  if (!game)
    return { state: UPRIGHT.slice(), pRight: null, caption: "Play it yourself", banner: "press ← or → to start" };
  const last = game.states.length - 1;
  const k = Math.min(game.k, last);
  const i = Math.floor(k);
  const best = game.best ? ` · your best: ${game.best} steps` : "";
  let banner = null;
  let tone;
  if (!game.started) banner = "press ← or → to start";
  else if (game.done) {
    // the state before the last push: the one that still shows which limit was near
    const end = outcome(limits, game.states[last - 1] ?? game.states[last], game.length);
    banner = `${end.text} — ${best ? `${best.slice(3)} · ` : ""}press ← or → to try again`;
    tone = end.tone;
  } else if (!playing) banner = "paused";
  return {
    state: interpolate(game.states, k),
    pRight: null,
    action: game.started && !game.done ? action : null,
    step: i,
    caption: `Your turn: pushing ${action ? "right →" : "← left"}`,
    banner,
    tone,
  };
}

/**
 * The three episodes the stage can show, their clocks, and Watch's and Play's commands. `controller` is the cart-pole
 * controller: its `limits`, `liveCall(command, args, take)`, `announce(text)` and the registry's "pace" are used.
 */
export class Stage {
  constructor(controller) {
    this.controller = controller;
    this.replay = null; // train: the episode being replayed {states, T, pRight, values, episode, k, end, ...}
    this.nextReplay = null; // train: a newer finished episode, shown once the current replay ends
    this.live = null; // watch: {states, pRight, k, done, length, endedAt}
    this.game = null; // play: {states, actions, k, done, length, started, best}
    this.action = 1; // play: the push being applied (0 left, 1 right)
    this.startOnReset = false; // play: a key pressed before the episode existed starts it at once
    this.bestGame = 0; // play: the longest game so far
  }

  /** Training restarted: no replay, and Watch starts over (a human's game does not depend on the policy). */
  restart() {
    this.replay = null;
    this.nextReplay = null;
    this.live = null;
  }

  /** Watch's and Play's episodes end: entering a mode (or a new driver) starts them afresh. */
  endLive() {
    this.live = null;
    this.game = null;
  }

  /** Queue a newly finished training episode behind the one replayed, or show it now (`now`). */
  offer(replay, now) {
    if (!this.replay || now) this.replay = replay;
    else this.nextReplay = replay;
  }

  /** The episode the latest snapshot is known to hold (queued or shown). */
  knownEpisode() {
    return this.nextReplay?.episode ?? this.replay?.episode;
  }

  /** Move the clock of `mode` by `dt` ms of wall time; returns {switched, cursorMoved} for the charts. */
  tick(mode, running, dt, reduced) {
    const c = this.controller;
    const steps = dt / c.limits.stepMs;
    if (mode === "train") {
      if (!this.replay) return { switched: false, cursorMoved: false };
      const ticked = tickReplay(this.replay, this.nextReplay, steps, reduced);
      this.replay = ticked.replay;
      this.nextReplay = ticked.next;
      return ticked;
    }
    if (mode === "watch" && this.live && running) tickWatch(this.live, steps, performance.now());
    else if (mode === "play" && this.game?.started && !this.game.done && running) {
      this.game.k += steps * Number(c.registry.get(c.demo, "pace")); // slow motion for human reflexes
    }
    return { switched: false, cursorMoved: false };
  }

  /** What the stage shows now in `mode`; `algo` is the current algorithm's label, `busy` as in replayFrame. */
  frame(mode, { algo, playing, label, busy = null }) {
    const limits = this.controller.limits;
    if (mode === "watch") return watchFrame(this.live, { algo, playing, limits, busy });
    if (mode === "play") return playFrame(this.game, { action: this.action, playing, limits });
    return replayFrame(this.replay, { algo, playing, label, busy });
  }

  /** Watch: start an episode, or fetch the steps due. */
  async pumpWatch(now) {
    const live = this.live;
    const request = watchRequest(live, now);
    if (request?.reset) {
      await this.controller.liveCall("watch_reset", {}, (result) => {
        this.live = { states: result.states, pRight: result.p_right, k: 0, done: result.done, length: result.length };
      });
    } else if (request) {
      await this.controller.liveCall("watch_step", { n: request.steps }, (result) => {
        if (this.live !== live) return;
        live.states.push(...result.states);
        live.pRight.push(...result.p_right);
        live.done = result.done;
        live.length = result.length;
        return result.states.length;
      });
    }
  }

  /** Play: start a game, or send the push held now for the step due. */
  async pumpPlay() {
    const c = this.controller;
    const game = this.game;
    if (!game || (game.done && this.startOnReset)) {
      await c.liveCall("play_reset", {}, (result) => {
        this.game = {
          states: [result.state],
          k: 0,
          done: result.done,
          length: result.length,
          started: this.startOnReset,
          best: this.bestGame,
          actions: [],
        };
        this.startOnReset = false;
      });
      return;
    }
    if (!game.started || game.done || playStepsDue(game) <= 0) return;
    const action = this.action;
    await c.liveCall("play_step", { action }, (result) => {
      if (this.game !== game) return;
      game.states.push(result.state);
      game.actions.push(action);
      game.done = result.done;
      game.length = result.length;
      if (game.done) {
        game.k = game.states.length - 1;
        this.bestGame = Math.max(this.bestGame, game.length);
        game.best = this.bestGame;
        c.announce(outcome(c.limits, game.states[game.states.length - 2] ?? result.state, game.length).text);
      }
      return 1;
    });
  }

  /** The human pushed `action` (0 left, 1 right): hold it, and start a game or its clock if none runs. */
  push(action) {
    this.action = action;
    if (press(this.game) === "new") this.startOnReset = true;
  }
}
