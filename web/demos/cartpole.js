// The cart-pole balancer: a network learns to push a cart left or right to keep a pole upright, with REINFORCE
// (± baseline), actor-critic, PPO or DQN (Python: rlplay.demos.cartpole). This controller owns the loop and the data; the
// views (CartPoleView, LineChart) only draw what they are handed.
//
// Three modes (the registry's "mode" field, so a link keeps it):
//   train  the base loop trains in the worker (budgeted "run" calls at max speed); the animation replays the latest
//          finished episode in physical time (step_seconds per step), looping, and switches to a newer episode only
//          when the current replay has ended, so no replay is cut short. With prefers-reduced-motion, it shows the
//          latest finished episode's last frame instead, still, and moves to each newer episode's end as it arrives.
//   watch  no learning: the current policy runs in real time (watch_reset, then one watch_step(n) per frame with
//          n = the steps due, kept a few steps ahead of the clock so the animation never starves).
//   play   a human pushes with ← / → (or the on-screen buttons): one play_step(action) per step_seconds of game time. The
//          cart-pole has no "do nothing" action, so the last pressed direction keeps pushing until the other one is
//          pressed. The game clock runs at the "pace" field's share of real time (default ½: 50 Hz is hard for human
//          reflexes); the physics per step is unchanged.
// In every mode the animation clock advances only while the demo is playing and can be seen.
//
// Switching the algorithm (or hidden units, or the seed) makes the driver start a fresh run with the same seed; the
// previous run's 100-episode mean stays on the chart, faded and labelled, so the curves share their axes.

import { Announcer, el, fieldControl, formatStat, seedControl } from "../ui.js";
import { CartPoleView } from "../views/cartpole_view.js";
import { LineChart, movingAverage } from "../views/line_chart.js";
import { AgentFiles } from "./cartpole_agent.js";
import { GradientSpread, SeedCompare } from "./cartpole_research.js";
import { DemoController } from "./controller.js";
import { GrowingSeries } from "./series.js";

const REPLAY_HOLD_STEPS = 30; // hold the last frame of a replay 0.6 s, with how the episode ended
const WATCH_LOOKAHEAD = 4; // watch mode: steps fetched ahead of the clock
const WATCH_HOLD_MS = 1200; // watch mode: pause on the final state before the next episode
const CHART_EVERY_MS = 100; // charts redraw at most 10 times a second
const KEPT_RUNS = 2; // previous runs kept on the chart

const ALGO_LABELS = {
  reinforce: "REINFORCE",
  "reinforce-baseline": "REINFORCE + baseline",
  "actor-critic": "Actor-critic",
  ppo: "PPO",
  dqn: "DQN",
};
const ALGO_COLORS = {
  reinforce: "--cp-reinforce",
  "reinforce-baseline": "--cp-reinforce-baseline",
  "actor-critic": "--cp-actor-critic",
  ppo: "--cp-ppo",
  dqn: "--cp-dqn",
};
// One line under the algorithm choice: what it is, and (DQN) where it comes from.
const ALGO_NOTES = {
  reinforce: "The seed post's REINFORCE: every action is pushed up in proportion to the return that followed it.",
  "reinforce-baseline":
    "REINFORCE with a baseline b(t), the average return from step t: only better-than-usual actions are pushed up.",
  "actor-critic": "A critic V(s) learns the baseline state by state; the actor follows the advantage G − V(s).",
  ppo: "Actor-critic with small, safe steps: several passes over each batch, the probability ratio clipped to 1 ± ε.",
  dqn: "DQN, the bridge from the gridworld's Q-table: a cart-pole's state is 4 real numbers, so the table explodes. A network Q(s, a) replaces it, steadied by a replay buffer and a frozen target copy; ε-greedy explores. It learns from every step, with its own learning rate and network size. Measured, seeds 0–4: solved (100-episode mean ≥ 475) at a median of episode 484; 4 of 5 seeds within 150k steps, all 5 within 200k.",
};
const MODE_LABELS = { train: "Train", watch: "Watch", play: "Play it yourself" };
const FIELD_LABELS = {
  lr: "Learning rate",
  gamma: "Discount γ",
  hidden: "Hidden units",
  seed: "Seed",
  entropy: "Entropy bonus",
  clip: "PPO clip ε",
  dqn_lr: "DQN learning rate",
  dqn_hidden: "DQN hidden units",
};
const MAIN_FIELDS = ["lr", "dqn_lr", "gamma", "hidden", "dqn_hidden", "seed"];
// DQN has its own learning rate and network size: only the pair the chosen algorithm uses is shown.
const SHOWN_FOR = {
  lr: (algo) => algo !== "dqn",
  hidden: (algo) => algo !== "dqn",
  dqn_lr: (algo) => algo === "dqn",
  dqn_hidden: (algo) => algo === "dqn",
};

const algoLabel = (algo) => ALGO_LABELS[algo] ?? algo;
const algoColor = (algo) => ALGO_COLORS[algo] ?? "--accent";
const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

/** Linear interpolation between rows k and k+1 of a (T, 4) state array stored flat. */
function stateAt(flat, T, k) {
  if (T === 0) return [0, 0, 0, 0];
  const i = Math.max(0, Math.min(T - 1, Math.floor(k)));
  const j = Math.min(T - 1, i + 1);
  const f = Math.max(0, Math.min(1, k - i));
  const out = new Array(4);
  for (let d = 0; d < 4; d++) out[d] = flat[4 * i + d] + (flat[4 * j + d] - flat[4 * i + d]) * f;
  return out;
}

/**
 * rlplay's limits, from web/contract.json (never copied here): cap (the time limit, steps), solved (the threshold of
 * the 100-episode mean), x (m) and theta (rad) (the bounds that end an episode), stepMs (physical time of a step).
 */
function limitsOf(constants) {
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

/**
 * How an episode ended: `end` is the driver's replay_end ("pole" | "track" | "time-limit") when known; otherwise
 * (a watched or played episode) it is judged from the last state, as whichever limit is nearer.
 */
function outcome(limits, lastState, length, end = "") {
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

export default class CartpoleController extends DemoController {
  static demo = "cartpole";
  static speeds = ["50", "500", "5000", "max"];
  static uiFields = [
    {
      name: "speed",
      type: "str",
      default: "max",
      choices: CartpoleController.speeds,
      doc: "Training speed, environment steps per second (50 = real time).",
    },
    {
      name: "mode",
      type: "str",
      default: "train",
      choices: ["train", "watch", "play"],
      doc: "Train, watch the current policy, or play it yourself.",
    },
    {
      name: "pace",
      type: "str",
      default: "0.5",
      choices: ["0.25", "0.5", "1"],
      doc: "Play it yourself: the game clock as a share of real time (the physics is unchanged).",
    },
  ];

  constructor(options) {
    super(options);
    this.limits = limitsOf(this.contract.constants);
    this.lengths = new GrowingSeries(); // episode lengths of the current run (a growing series)
    this.advScale = new GrowingSeries(); // one per update of the current run
    this.previousRuns = []; // [{algo, label, lengths, mean100}], oldest first, faded on the chart
    this.replay = null; // the episode being replayed: {states, T, pRight, values, episode, k}
    this.nextReplay = null; // a newer finished episode, shown once the current replay ends
    this.live = null; // watch mode: {states, pRight, k, done, length, endedAt}
    this.game = null; // play mode: {states, k, done, length, started, best}
    this.action = 1; // play mode: the push being applied (0 left, 1 right)
    this.startOnReset = false; // play mode: a key pressed before the episode existed starts it at once
    this.resync = false;
    this.chartsDirty = true;
    this.lastChartDraw = 0;
    this.lastFrameTime = 0;
    this.noticeText = "";
    this.divergedShown = false;
    this.watchLengths = [];
  }

  mode() {
    return this.registry.get(this.demo, "mode");
  }

  speedLabel(value) {
    if (value === "max") return "max";
    return Number(value) === 1000 / this.limits.stepMs ? `${value} steps/s · real time` : `${value} steps/s`;
  }

  // ---- building the panel -------------------------------------------------------------------------------------

  buildControls(panel) {
    const demo = this.demo;
    this.modeGroup = this.segmented("mode", "Mode", ["train", "watch", "play"], MODE_LABELS);
    this.algoGroup = this.segmented(
      "algo",
      "Algorithm",
      this.registry.field(demo, "algo")?.choices ?? Object.keys(ALGO_LABELS),
      ALGO_LABELS,
    );

    // the stage: the animated cart-pole, with the play-mode instructions and touch buttons under it
    const stageBox = el("div", { class: "cartpole-view" });
    this.view = new CartPoleView(stageBox, { label: "Cart-pole animation", limits: this.contract.constants });
    this.view.canvas.addEventListener("keydown", (event) => this.onKey(event));
    this.view.canvas.addEventListener("pointerdown", () => this.mode() === "play" && this.view.canvas.focus());
    this.hint = el("p", { class: "cartpole-hint" });
    const push = (action, label, text) =>
      el(
        "button",
        {
          type: "button",
          class: "cartpole-push",
          "aria-label": label,
          onpointerdown: (event) => {
            event.preventDefault();
            this.humanPush(action);
          },
          onclick: (event) => {
            if (event.detail === 0) this.humanPush(action);
          }, // keyboard activation (Enter/Space)
          onkeydown: (event) => this.onKey(event),
        },
        text,
      );
    const paceId = `${this.demo}-pace`;
    const pace = el(
      "select",
      { id: paceId },
      [
        ["0.25", "¼ speed"],
        ["0.5", "½ speed"],
        ["1", "real time"],
      ].map(([value, text]) => el("option", { value }, text)),
    );
    pace.value = this.registry.get(this.demo, "pace");
    pace.addEventListener("change", () => this.registry.set(this.demo, "pace", pace.value));
    this.registry.addEventListener("change", (e) => {
      if (e.detail.demo === this.demo && e.detail.name === "pace") pace.value = e.detail.value;
    });
    this.playPad = el(
      "div",
      { class: "cartpole-pad", hidden: true },
      push(0, "Push left", "◀ left"),
      push(1, "Push right", "right ▶"),
      el(
        "div",
        { class: "cartpole-pace", dataset: { control: "pace" } },
        el("label", { for: paceId }, "Game clock"),
        pace,
      ),
    );
    stageBox.append(this.hint, this.playPad);

    // the learning curve, with its legend note and the "forget" button
    const curveCanvas = el("canvas", { class: "cartpole-curve" });
    this.curveChart = new LineChart(curveCanvas, {
      height: 250,
      emptyText: "episode lengths appear here as training runs",
      ariaLabel: "Learning curve: episode length against episode",
    });
    this.forgetButton = el(
      "button",
      {
        type: "button",
        class: "small",
        hidden: true,
        dataset: { control: "forget" },
        onclick: () => {
          this.previousRuns = [];
          this.forgetButton.hidden = true;
          this.chartsDirty = true;
          this.dirty = true;
        },
      },
      "Forget previous runs",
    );
    const curveBox = el(
      "div",
      { class: "cartpole-curve-box" },
      el("h4", { class: "cartpole-chart-title" }, "Learning curve: steps balanced per episode"),
      curveCanvas,
      el(
        "div",
        { class: "cartpole-curve-foot" },
        el(
          "p",
          { class: "cartpole-note" },
          `Faint: each episode. Bold: mean of the last ${this.limits.window}. Solved = that mean reaches ${this.limits.solved} of the ${this.limits.cap}-step cap.`,
        ),
        this.forgetButton,
      ),
    );

    // figures
    const stats = el(
      "dl",
      { class: "stats" },
      this.statElement("episode", "episode", "Episodes finished in this run"),
      this.statElement("episode-length", "last length", "Length of the last finished episode, in steps"),
      this.statElement("mean-length-100", "mean of last 100", "Mean length of the last 100 episodes"),
      this.statElement("best-length", "best length", "Longest episode so far"),
      this.statElement(
        "solved-at-episode",
        "solved at episode",
        `Episode at which the ${this.limits.window}-episode mean first reached ${this.limits.solved}; −1 = not yet`,
      ),
      this.statElement("steps-per-second", "steps / s", "Environment steps per second, as you see them"),
    );

    // the critic's V(s) along the replayed episode, and the advantage scale per update
    const valueCanvas = el("canvas", { class: "cartpole-small" });
    this.valueChart = new LineChart(valueCanvas, {
      height: 170,
      emptyText: "no finished episode yet",
      ariaLabel: "The critic's value V(s) along the replayed episode, against the return that followed",
    });
    this.valueNote = el("p", { class: "cartpole-note" });
    const advCanvas = el("canvas", { class: "cartpole-small" });
    this.advChart = new LineChart(advCanvas, {
      height: 170,
      emptyText: "no update yet",
      ariaLabel: "Advantage scale (standard deviation of the advantages, or of DQN's TD errors) against update",
    });
    this.valueTitle = el("h4", { class: "cartpole-chart-title" }, "Critic: V(s) along the replayed episode");
    this.valueBox = el("div", { class: "cartpole-small-box" }, this.valueTitle, valueCanvas, this.valueNote);
    // DQN has no advantages: the same chart shows the spread of the TD errors its update regresses on
    this.advTitle = el("h4", { class: "cartpole-chart-title" }, "Advantage scale per update");
    this.advNote = el("p", { class: "cartpole-note" });
    const advBox = el("div", { class: "cartpole-small-box" }, this.advTitle, advCanvas, this.advNote);

    // settings: the main ones, the rest folded away
    const python = Object.keys(this.registry.pythonParams(demo)).filter((name) => name !== "algo");
    const format = (name) => (v) => (name === "lr" || name === "dqn_lr" ? Number(v).toPrecision(2) : String(v));
    this.fieldControls = new Map();
    const control = (name) => {
      const element =
        name === "seed"
          ? seedControl(this.registry, demo, "seed", {
              className: "cartpole-seed",
              onInvalid: (message) => this.showNotices([message]),
            })
          : fieldControl(this.registry, demo, name, { label: FIELD_LABELS[name] ?? name, format: format(name) });
      this.fieldControls.set(name, element);
      return element;
    };
    // In an embed only Speed stays out: the frame has no room for a row of sliders (they fold into Settings).
    const embed = this.registry.page.embed;
    const main = embed ? [] : MAIN_FIELDS.filter((name) => python.includes(name));
    const rest = python.filter((name) => !main.includes(name));
    const controls = el("div", { class: "controls" }, this.speedControl, ...main.map(control));
    const more = rest.length
      ? el(
          "details",
          { class: "cartpole-more", dataset: { control: "more" } },
          el("summary", {}, embed ? "Settings" : "More settings"),
          el("div", { class: "controls" }, ...rest.map(control)),
        )
      : null;

    this.summary = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    this.announcer = new Announcer(this.summary);
    this.algoNote = el("p", { class: "cartpole-note cartpole-algo-note" });
    this.ppoLine = el("p", { class: "cartpole-note cartpole-ppo-line", hidden: true, dataset: { stat: "ppo" } });
    this.agentFiles = new AgentFiles(this);
    this.agentFiles.acceptDrops(this.root);
    const algos = this.registry.field(demo, "algo")?.choices ?? Object.keys(ALGO_LABELS);
    this.compare = new SeedCompare(this, {
      algos,
      labels: ALGO_LABELS,
      colors: ALGO_COLORS,
    });
    this.spread = new GradientSpread(this);

    panel.append(
      el("div", { class: "cartpole-bar" }, this.modeGroup, this.algoGroup, this.transport),
      this.algoNote,
      this.agentFiles.element,
      el("div", { class: "demo-row" }, stageBox, curveBox),
      stats,
      this.ppoLine,
      el("div", { class: "demo-row cartpole-smalls" }, this.valueBox, advBox),
      controls,
      more,
      el("div", { class: "demo-row cartpole-research-row" }, this.compare.element, this.spread.element),
      this.summary,
    );
    this.showMode();
  }

  /** A radio group styled as segmented buttons, bound to a registry field (arrow keys move the choice). */
  segmented(name, legend, choices, labels) {
    const group = el("fieldset", { class: "segmented", dataset: { control: name } }, el("legend", {}, legend));
    const current = this.registry.get(this.demo, name);
    for (const choice of choices) {
      const id = `${this.demo}-${name}-${choice}`;
      const input = el("input", { type: "radio", name: `${this.demo}-${name}`, id, value: choice });
      input.checked = choice === current;
      input.addEventListener("change", () => input.checked && this.registry.set(this.demo, name, choice));
      // the (transparent) radio covers its label, so a click anywhere on the segment is a click on the radio
      group.append(el("label", { for: id }, input, el("span", {}, labels[choice] ?? choice)));
    }
    this.registry.addEventListener("change", (event) => {
      if (event.detail.demo !== this.demo || event.detail.name !== name) return;
      for (const input of group.querySelectorAll("input")) input.checked = input.value === event.detail.value;
    });
    return group;
  }

  // ---- settings --------------------------------------------------------------------------------------------

  async onSetting(name, value) {
    if (name === "mode") {
      this.enterMode(value);
      return;
    }
    if (name === "pace") return;
    super.onSetting(name, value); // configured live (coalesced); lr, γ, entropy, clip apply from the next update
  }

  beforeConfigure() {
    return this.runRecord();
  }

  afterConfigure(payload, _params, before) {
    if (!payload.restarted?.length) return;
    if (before.lengths.length) this.archive(before, this.snapshot?.config ?? {});
    this.afterRestart();
  }

  runRecord() {
    return {
      algo: this.snapshot?.algo ?? this.registry.get(this.demo, "algo"),
      config: { ...(this.snapshot?.config ?? {}) },
      lengths: this.lengths.toArray(),
      steps: this.snapshot?.figures?.steps ?? 0,
    };
  }

  /** Keep a finished-with run on the chart, faded, labelled by its algorithm and what differed. */
  archive(run, newConfig) {
    const differs = Object.entries(run.config)
      .filter(
        ([name, value]) =>
          name !== "algo" && newConfig[name] !== undefined && String(newConfig[name]) !== String(value),
      )
      .map(([name, value]) => `${name} ${value}`);
    const label = `${algoLabel(run.algo)}${differs.length ? ` (${differs.join(", ")})` : ""}, before`;
    this.previousRuns.push({
      algo: run.algo,
      label,
      lengths: run.lengths,
      mean100: movingAverage(run.lengths, this.limits.window),
    });
    while (this.previousRuns.length > KEPT_RUNS) this.previousRuns.shift();
    this.forgetButton.hidden = false;
    this.chartsDirty = true;
  }

  afterRestart() {
    this.replay = null;
    this.nextReplay = null;
    this.live = null;
    this.divergedShown = false;
    this.resetRate();
  }

  async reset() {
    this.afterRestart();
    this.game = null;
    await super.reset();
  }

  // ---- modes -------------------------------------------------------------------------------------------------

  enterMode(mode) {
    this.live = null;
    this.game = null;
    this.unitBudget = 0;
    this.resetRate();
    this.showMode();
    if (mode === "play") this.view.canvas.focus({ preventScroll: true });
    this.dirty = true;
  }

  showMode() {
    const mode = this.mode();
    const play = mode === "play";
    this.playPad.hidden = !play;
    this.view.canvas.tabIndex = play ? 0 : -1;
    this.view.canvas.setAttribute(
      "aria-label",
      play
        ? "Play it yourself: press the left or right arrow key to push the cart; the last key pressed keeps pushing."
        : "Cart-pole animation",
    );
    this.speedControl.classList.toggle("cartpole-inactive", mode !== "train");
    this.hint.textContent = {
      train: "Replaying the latest finished training episode in real time, while training goes on in the background.",
      watch: "The current policy, running in real time with no learning: each push is sampled from π(a | s).",
      play: `Click the cart-pole (or Tab to it), then press ← or → to push. There is no “do nothing” action: the last key pressed keeps pushing, every ${this.limits.stepMs} ms of game time. The game clock can run slower than real time; the physics is the same.`,
    }[mode];
  }

  // ---- the loop ---------------------------------------------------------------------------------------------

  pump(now) {
    const dt = Math.min(now - (this.lastFrameTime || now), 100);
    this.lastFrameTime = now;
    const running = this.playing && this.canRun() && this.status !== "error" && this.status !== "loading";
    const mode = this.mode();
    if (this.snapshot && this.visible && this.pageVisible) {
      this.advanceClock(mode, running, dt);
      this.dirty = true; // the animation moves every frame
    }
    if (mode === "train") {
      super.pump(now); // at max, the base keeps the worker busy with back-to-back chunks of at most 100 ms
      return;
    }
    if (!running) {
      if (this.playing && this.status === "running" && !this.canRun()) this.setStatus("paused");
      return;
    }
    if (this.status !== "running") this.setStatus("running");
    if (this.inFlight) return;
    if (mode === "watch") this.pumpWatch(now);
    else this.pumpPlay();
  }

  /** Move the animation clocks by dt of wall time (replay and watch in physical time; play by its own clock). */
  advanceClock(mode, running, dt) {
    const steps = dt / this.limits.stepMs;
    if (mode === "train") {
      const replay = this.replay;
      if (!replay) return;
      const end = replay.T - 1 + REPLAY_HOLD_STEPS;
      if (reducedMotion()) {
        // No looping animation: the latest finished episode stands still at its end, with how it ended.
        if (this.nextReplay) {
          this.replay = this.nextReplay;
          this.nextReplay = null;
          this.chartsDirty = true;
        }
        if (this.replay.k !== end) {
          this.replay.k = end;
          this.valueCursorDirty = true;
        }
        return;
      }
      if (replay.k >= end) {
        if (this.nextReplay) {
          this.replay = this.nextReplay;
          this.nextReplay = null;
          this.chartsDirty = true;
        } else {
          replay.k = 0; // loop it
        }
        return;
      }
      replay.k = Math.min(end, replay.k + steps);
      if (Math.floor(replay.k / 5) !== replay.lastCursor) {
        replay.lastCursor = Math.floor(replay.k / 5);
        this.valueCursorDirty = true;
      }
    } else if (mode === "watch" && this.live && running) {
      const live = this.live;
      const last = live.states.length - 1;
      live.k += steps;
      if (live.k > last) {
        if (!live.done)
          live.k = last; // waiting for the worker: hold, never extrapolate
        else live.endedAt ??= performance.now();
      }
    } else if (mode === "play" && this.game?.started && !this.game.done && running) {
      this.game.k += steps * Number(this.registry.get(this.demo, "pace")); // slow motion for human reflexes
    }
  }

  async pumpWatch(now) {
    const live = this.live;
    if (!live || (live.done && live.endedAt && now - live.endedAt > WATCH_HOLD_MS)) {
      if (live?.done) this.watchLengths.push(live.length);
      await this.liveCall("watch_reset", {}, (result) => {
        this.live = { states: result.states, pRight: result.p_right, k: 0, done: result.done, length: result.length };
      });
      return;
    }
    if (live.done) return;
    const due = Math.ceil(live.k) + WATCH_LOOKAHEAD - (live.states.length - 1);
    if (due <= 0) return;
    const n = Math.min(due, 50);
    await this.liveCall("watch_step", { n }, (result) => {
      if (this.live !== live) return;
      live.states.push(...result.states);
      live.pRight.push(...result.p_right);
      live.done = result.done;
      live.length = result.length;
      return result.states.length;
    });
  }

  async pumpPlay() {
    const game = this.game;
    if (!game || (game.done && this.startOnReset)) {
      await this.liveCall("play_reset", {}, (result) => {
        this.game = {
          states: [result.state],
          k: 0,
          done: result.done,
          length: result.length,
          started: this.startOnReset,
          best: this.bestGame ?? 0,
          actions: [],
        };
        this.startOnReset = false;
      });
      return;
    }
    if (!game.started || game.done) return;
    // one play_step per step of the game clock (step_seconds), with the push being held right now
    const due = Math.floor(game.k) - (game.states.length - 1);
    if (due <= 0) return;
    const action = this.action;
    await this.liveCall("play_step", { action }, (result) => {
      if (this.game !== game) return;
      game.states.push(result.state);
      game.actions.push(action);
      game.done = result.done;
      game.length = result.length;
      if (game.done) {
        game.k = game.states.length - 1;
        this.bestGame = Math.max(this.bestGame ?? 0, game.length);
        game.best = this.bestGame;
        this.announce(
          outcome(this.limits, game.states[game.states.length - 2] ?? result.state, game.length).text,
          true,
        );
      }
      return 1;
    });
  }

  /** One watch/play command to the driver; `take(result)` folds it in and returns the steps it ran (for steps/s). */
  async liveCall(command, args, take) {
    const token = this.runToken;
    this.inFlight = true;
    const started = performance.now();
    try {
      const payload = await this.call(command, { args });
      if (token !== this.runToken) return;
      const ran = take(payload.result) ?? 0;
      this.countRate(ran, performance.now() - started);
      this.receive(payload.snapshot, command);
    } catch (error) {
      this.handleError(error);
    } finally {
      this.inFlight = false;
    }
  }

  // ---- play it yourself --------------------------------------------------------------------------------------

  onKey(event) {
    if (this.mode() !== "play") return;
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    this.humanPush(event.key === "ArrowLeft" ? 0 : 1);
  }

  humanPush(action) {
    if (this.mode() !== "play" || this.status === "loading" || this.status === "error") return;
    this.action = action;
    if (!this.playing) this.play();
    const game = this.game;
    if (!game || game.done) {
      this.startOnReset = true; // the next play_reset starts a new episode, and this press starts its clock
      return;
    }
    if (!game.started) {
      game.started = true;
      game.k = 0;
    }
  }

  // ---- snapshots -------------------------------------------------------------------------------------------

  since() {
    return this.resync ? 0 : this.lengths.length;
  }

  accept(snapshot, reason) {
    const figures = snapshot.figures ?? {};
    for (const name of ["episode", "episode-length", "mean-length-100", "best-length", "solved-at-episode"]) {
      if (name in figures) this.setStat(name, figures[name], 1);
    }
    const fresh = reason === "create" || reason === "reset" || reason === "load_agent";
    if (fresh) {
      this.live = null; // a new driver: its watch and play episodes start over too
      this.game = null;
      this.lengths.clear();
      this.advScale.clear();
    }
    const lengthsOk = this.lengths.put(snapshot.episode_lengths_offset ?? 0, snapshot.episode_lengths?.data);
    const advOk = this.advScale.put(snapshot.adv_scale_offset ?? 0, snapshot.adv_scale?.data);
    this.resync = !(lengthsOk && advOk);
    this.chartsDirty = true;

    // the latest finished episode, queued behind the one being replayed
    const states = snapshot.replay_states;
    const T = states?.shape?.[0] ?? 0; // 0 when the page already has the latest episode (its states are not re-sent)
    const episode = figures.episode ?? 0;
    const known = this.nextReplay?.episode ?? this.replay?.episode;
    if (T > 0 && episode !== known) {
      const replay = {
        states: states.data,
        T,
        episode,
        k: 0,
        lastCursor: -1,
        algo: snapshot.algo,
        pRight: snapshot.replay_p_right?.data ?? null,
        values: snapshot.replay_values?.data ?? null,
        gamma: Number(snapshot.config?.gamma ?? 0.99),
      };
      replay.end = outcome(this.limits, Array.from(states.data.slice(4 * (T - 1), 4 * T)), T, snapshot.replay_end);
      if (!this.replay || fresh || reason === "configure") this.replay = replay;
      else this.nextReplay = replay;
    } else if (this.replay && this.replay.episode === episode && snapshot.replay_values) {
      this.replay.values = snapshot.replay_values.data; // the critic moves on: V(s) of the same states, now
    } else if (T === 0 && fresh) {
      this.replay = null;
      this.nextReplay = null;
    }

    this.showAlgoNote(snapshot.algo, snapshot.losses ?? {});

    // notices: settings remarks and divergence (training stops by itself; say so and pause)
    const notices = snapshot.notices ?? [];
    const noticeText = notices.join("\n");
    if (noticeText !== this.noticeText) {
      this.noticeText = noticeText;
      // on create, the URL's ignored values are already shown: add the driver's remarks below them
      if (reason === "create") this.messages.append(...notices.map((text) => el("p", { class: "notice" }, text)));
      else this.showNotices(notices);
    }
    if (snapshot.diverged && !this.divergedShown) {
      this.divergedShown = true;
      if (this.playing && this.mode() === "train") this.pause();
      this.showNotices([
        `Training diverged: the network's numbers became NaN, so training stopped. Lower the learning rate (any change starts a fresh run), or press Reset.`,
        ...notices.filter((_, i) => snapshot.notice_codes?.[i] !== "diverged"),
      ]);
    } else if (!snapshot.diverged) {
      this.divergedShown = false;
    }
  }

  /** inspect()'s cart-pole part: the curves held, the archived runs, and the replayed, watched or played episode. */
  inspectDemo() {
    const rows = (states) => states.map((state) => Array.from(state));
    const live = this.live;
    const game = this.game;
    return {
      mode: this.mode(),
      algo: this.snapshot?.algo ?? null,
      lengths: this.lengths.toArray(),
      advScale: this.advScale.toArray(),
      previousRuns: this.previousRuns.map((run) => ({
        label: run.label,
        algo: run.algo,
        episodes: run.lengths.length,
      })),
      replay: this.replay ? { episode: this.replay.episode, T: this.replay.T, k: this.replay.k } : null,
      live: live ? { states: rows(live.states), done: live.done, length: live.length } : null,
      game: game
        ? { states: rows(game.states), actions: game.actions.slice(), done: game.done, length: game.length }
        : null,
      compare: this.compare.inspect(),
    };
  }

  /** The driver became a loaded agent (``load_agent``): a fresh run of its seed with the saved weights. */
  adoptAgent(payload) {
    this.runToken++; // answers for the previous run are stale now
    if (this.lengths.length) this.archive(this.runRecord(), payload.snapshot?.config ?? {});
    this.afterRestart();
    this.game = null;
    this.receive(payload.snapshot, "load_agent");
    this.editedMidRun = true; // the weights came from a file: the link alone cannot replay them
  }

  /** What the algorithm is, and while PPO trains, its two diagnostics with what they mean. */
  showAlgoNote(algo, losses) {
    this.algoNote.textContent = ALGO_NOTES[algo] ?? "";
    for (const [name, shown] of Object.entries(SHOWN_FOR)) {
      const element = this.fieldControls?.get(name);
      if (element) element.hidden = !shown(algo);
    }
    const ppo = algo === "ppo" && Number.isFinite(losses.approx_kl);
    this.ppoLine.hidden = !ppo;
    if (ppo) {
      this.ppoLine.textContent =
        `PPO's last update: approx_kl ${formatStat(losses.approx_kl, 3)}, clipfrac ${formatStat(losses.clipfrac, 2)}` +
        `${Number.isFinite(losses.epochs) ? `, ${losses.epochs} epochs` : ""}. ` +
        "approx_kl estimates how far the update moved the policy, KL(π_old ‖ π); clipfrac is the share of samples whose ratio left 1 ± ε, where the clip stopped pushing.";
    }
  }

  onExhausted(payload) {
    // The driver ran fewer steps than asked: only a divergence stops cart-pole training.
    this.pause();
    if (!payload.snapshot?.diverged) super.onExhausted(payload);
  }

  // ---- drawing -------------------------------------------------------------------------------------------

  drawStatic() {
    this.showAlgoNote(this.registry.get(this.demo, "algo"), {});
    this.view.draw({ state: [0, 0, 0, 0], pRight: null, caption: "Loading Python…" });
    this.drawCurve();
    this.drawAdvantage();
    this.drawValues();
  }

  draw(now) {
    this.view.draw(this.frame(now));
    if (this.chartsDirty && now - this.lastChartDraw >= CHART_EVERY_MS) {
      this.chartsDirty = false;
      this.lastChartDraw = now;
      this.drawCurve();
      this.drawAdvantage();
      this.drawValues();
    } else if (this.valueCursorDirty) {
      this.drawValues();
    } else if (this.chartsDirty) {
      this.dirty = true; // come back for the throttled redraw
    }
    this.valueCursorDirty = false;
    this.speak();
  }

  /** What the stage shows now: the replay, the watched policy, or the human's game. */
  frame() {
    const mode = this.mode();
    const algo = algoLabel(this.snapshot?.algo ?? this.registry.get(this.demo, "algo"));
    if (mode === "watch") {
      const live = this.live;
      if (!live)
        return {
          state: [0, 0, 0, 0],
          pRight: null,
          caption: `Watch: ${algo}'s current policy`,
          banner: this.playing ? null : "press Play to watch",
        };
      const last = live.states.length - 1;
      const k = Math.min(live.k, last);
      const i = Math.floor(k);
      const state = interpolate(live.states, k);
      const ended = live.done && k >= last;
      const end = ended ? outcome(this.limits, live.states[last], live.length) : null;
      return {
        state,
        pRight: live.pRight[i],
        step: i,
        caption: `Watch: ${algo}'s policy, not learning`,
        banner: end?.text ?? (this.playing ? null : "paused"),
        tone: end?.tone,
      };
    }
    if (mode === "play") {
      const game = this.game;
      if (!game)
        return { state: [0, 0, 0, 0], pRight: null, caption: "Play it yourself", banner: "press ← or → to start" };
      const last = game.states.length - 1;
      const k = Math.min(game.k, last);
      const i = Math.floor(k);
      const best = game.best ? ` · your best: ${game.best} steps` : "";
      let banner = null;
      let tone;
      if (!game.started) banner = "press ← or → to start";
      else if (game.done) {
        const end = outcome(this.limits, game.states[last - 1] ?? game.states[last], game.length);
        banner = `${end.text} — ${best ? `${best.slice(3)} · ` : ""}press ← or → to try again`;
        tone = end.tone;
      } else if (!this.playing) banner = "paused";
      return {
        state: interpolate(game.states, k),
        pRight: null,
        action: game.started && !game.done ? this.action : null,
        step: i,
        caption: `Your turn: pushing ${this.action ? "right →" : "← left"}`,
        banner,
        tone,
      };
    }
    const replay = this.replay;
    if (!replay) {
      return {
        state: [0, 0, 0, 0],
        pRight: null,
        caption: `${algo}: no finished episode yet`,
        banner: this.playing ? null : "press Play to train",
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
      caption: `Replay of episode ${replay.episode} (${algoLabel(replay.algo)})`,
      banner: ended ? replay.end.text : null,
      tone: ended ? replay.end.tone : null,
    };
  }

  drawCurve() {
    const algo = this.snapshot?.algo ?? this.registry.get(this.demo, "algo");
    const { cap, solved, window } = this.limits;
    const color = algoColor(algo);
    this.curveChart.draw({
      series: [
        ...this.previousRuns.map((run) => ({
          label: run.label,
          color: algoColor(run.algo),
          y: run.mean100,
          faded: true,
          width: 2.5,
        })),
        { label: "each episode", color, y: this.lengths.values, faded: true },
        {
          label: `${algoLabel(algo)}: mean of last ${window}`,
          color,
          y: movingAverage(this.lengths.values, this.limits.window),
          width: 2.5,
        },
      ],
      refLines: [
        { y: cap, label: `cap ${cap}`, color: "--muted", dash: [2, 3] },
        { y: solved, label: `solved ${solved}`, color: "--good" },
      ],
      xLabel: "episode",
      yLabel: "steps balanced",
      yLabelShort: "steps", // a small embed: the x title says "episode"
      yMin: 0,
      yMax: Math.ceil(cap * 1.12), // room above the cap for its label
      xMin: 0,
    });
  }

  drawAdvantage() {
    const algo = this.snapshot?.algo ?? this.registry.get(this.demo, "algo");
    const dqn = algo === "dqn";
    this.advTitle.textContent = dqn ? "TD-error scale per update" : "Advantage scale per update";
    this.advNote.textContent = dqn
      ? "The spread of the TD errors each update regresses on: how far Q still is from its targets."
      : "The spread of the advantages each update pushes with: the noise the gradient carries. A critic shrinks it; it fades as episodes reach the cap.";
    this.advChart.draw({
      series: [
        { color: algoColor(algo), y: this.advScale.values, faded: true },
        {
          label: `${algoLabel(algo)}: std of ${dqn ? "TD errors" : "advantages"} (mean of 20)`,
          color: algoColor(algo),
          y: movingAverage(this.advScale.values, 20),
          width: 2,
        },
      ],
      xLabel: "update",
      yLabel: dqn ? "TD error std" : "advantage std",
      yMin: 0,
    });
  }

  /** The critic's V(s_t) over the replayed episode against the return G_t that actually followed. */
  drawValues() {
    const replay = this.replay;
    const algo = replay?.algo ?? this.snapshot?.algo ?? this.registry.get(this.demo, "algo");
    // DQN has no critic: the same chart shows its own estimate of the return to come, max_a Q(s, a)
    this.valueTitle.textContent =
      algo === "dqn" ? "Q-network: max Q(s, a) along the replayed episode" : "Critic: V(s) along the replayed episode";
    if (algo === "reinforce" || algo === "reinforce-baseline") {
      this.valueNote.textContent =
        algo === "reinforce"
          ? "REINFORCE has no critic and no baseline: every return is used raw. Switch to actor-critic or PPO to see V(s)."
          : "This REINFORCE has no critic: its baseline b(t) is the average return from step t of recent episodes, the same for every state. Switch to actor-critic or PPO to see V(s).";
      this.valueChart.canvas.hidden = true;
      return;
    }
    this.valueChart.canvas.hidden = false;
    if (!replay?.values) {
      this.valueNote.textContent = "";
      this.valueChart.draw({ series: [], xLabel: "step of the replayed episode", yLabel: "value" });
      return;
    }
    // G_t = Σ_{j≥t} γ^(j−t) · 1: every step earns +1, so the return is (1 − γ^(T−t)) / (1 − γ)
    const T = replay.T;
    const returns = new Float64Array(T);
    let G = 0;
    for (let t = T - 1; t >= 0; t--) {
      G = 1 + replay.gamma * G;
      returns[t] = G;
    }
    const i = Math.max(0, Math.min(T - 1, Math.floor(replay.k)));
    const ceiling = 1 / (1 - replay.gamma); // Σ γ^k: the most any state can be worth when every step pays 1
    this.valueChart.draw({
      series: [
        { label: "return that followed, G_t", color: "--muted", y: returns, xStart: 1 },
        {
          label: algo === "dqn" ? "max_a Q(s_t, a), now" : "critic V(s_t), now",
          color: algoColor(algo),
          y: replay.values,
          xStart: 1,
          width: 2,
        },
        { color: "--text", x: [i + 1], y: [replay.values[i]] },
      ],
      refLines: [{ y: ceiling, label: `1/(1−γ) = ${formatStat(ceiling, 1)}`, color: "--muted", dash: [2, 3] }],
      xLabel: "step of the replayed episode",
      yLabel: "value",
      yMin: 0,
    });
    this.valueNote.textContent = this.valueStory(replay, T, algo === "dqn");
  }

  /** One honest sentence about the V(s) chart, from what it shows. */
  valueStory(replay, T, dqn = false) {
    const estimate = dqn ? "max Q(s, a)" : "V(s)";
    if (T >= this.limits.cap) {
      return `At the cap the episode was cut, not failed: ${estimate} keeps predicting a long future (it bootstraps), while the counted return drops to 0.`;
    }
    const values = replay.values;
    let peak = -Infinity;
    for (let t = 0; t < T; t++) peak = Math.max(peak, values[t]);
    const tail = values[T - 1];
    if (peak > 0 && tail < 0.7 * peak) {
      return dqn
        ? "The Q-network sees the fall coming: max Q(s, a) drops before the end. Its TD target is r + γ max Q of the next state, from the frozen copy."
        : "The critic sees the fall coming: V(s) drops before the end. The gap between V(s) and the return is the advantage the actor learns from.";
    }
    return dqn
      ? "max Q(s, a) is the network's estimate now, on this episode's states: it has not yet learned that these states lead to a fall."
      : "V(s) is the critic's estimate now, on this episode's states: it has not learned that these states lead to a fall (the improved policy rarely visits them).";
  }

  /** A short spoken summary for screen readers: what changed (the announcer speaks at most every few seconds). */
  speak() {
    const figures = this.snapshot?.figures;
    if (!figures) return;
    const algo = algoLabel(this.snapshot.algo);
    const mean = figures["mean-length-100"];
    const solved = figures["solved-at-episode"];
    const text =
      figures.episode <= 0
        ? `${algo}: no finished episode yet.`
        : `${algo}, episode ${figures.episode}: last episode ${figures["episode-length"]} steps, mean of the last 100 ${formatStat(mean, 1)}, best ${figures["best-length"]}. ` +
          (solved >= 0 ? `Solved at episode ${solved}.` : "Not solved yet.");
    this.announcer.say(text);
  }

  announce(text) {
    this.announcer.say(text, { now: true });
  }

  // ---- sharing -----------------------------------------------------------------------------------------------

  exportData() {
    const mean = movingAverage(this.lengths.values, this.limits.window);
    return {
      algo: this.snapshot?.algo ?? this.registry.get(this.demo, "algo"),
      mode: this.mode(),
      series: {
        episode_lengths: this.lengths.toArray(),
        mean_length_100: Array.from(mean, (v) => (Number.isFinite(v) ? Number(v.toFixed(3)) : null)),
        adv_scale: Array.from(this.advScale.values, (v) => (Number.isFinite(v) ? v : null)),
      },
      previous_runs: this.previousRuns.map((run) => ({
        label: run.label,
        algo: run.algo,
        episode_lengths: run.lengths.slice(),
      })),
    };
  }

  csvRows() {
    const lengths = this.lengths.values;
    const mean = movingAverage(lengths, this.limits.window);
    const rows = [["episode", "length", "mean_length_100"]];
    for (let i = 0; i < lengths.length; i++) rows.push([i + 1, lengths[i], Number(mean[i].toFixed(3))]);
    return rows;
  }
}

/** A state between rows of a list of [x, x_dot, theta, theta_dot] (linear in k). */
function interpolate(states, k) {
  const last = states.length - 1;
  if (last < 0) return [0, 0, 0, 0];
  const i = Math.max(0, Math.min(last, Math.floor(k)));
  const j = Math.min(last, i + 1);
  const f = Math.max(0, Math.min(1, k - i));
  return states[i].map((v, d) => v + (states[j][d] - v) * f);
}
