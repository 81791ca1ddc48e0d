// The cart-pole balancer: a network learns to push a cart left or right to keep a pole upright, with REINFORCE
// (± baseline), actor-critic, PPO or DQN (Python: rlplay.demos.cartpole). This controller owns the controls, the loop,
// the training transport and the data; by job, the rest is in:
//   cartpole_clock.js     what the stage shows and when: the replay clock, Watch's look-ahead, Play's game clock
//   cartpole_charts.js    the learning curve, the advantage scale and V(s) along the replay, with their words
//   cartpole_agent.js     save and load an agent;  cartpole_research.js  many seeds, and the gradient's spread
// and the views (CartPoleView, LineChart) only draw what they are handed.
//
// Three modes (the registry's "mode" field, so a link keeps it): train (the base loop trains in the worker, budgeted
// "run" calls at max speed, while the stage replays the latest finished episode), watch (the current policy runs in
// real time, no learning) and play (a human pushes with ← / → or the on-screen buttons; the game clock runs at the
// "pace" field's share of real time, default ½: 50 Hz is hard for human reflexes). In every mode the animation clock
// advances only while the demo is playing and can be seen.
//
// Switching the algorithm (or hidden units, or the seed) makes the driver start a fresh run with the same seed; the
// previous run's 100-episode mean stays on the chart, faded and labelled, so the curves share their axes.

import { DemoController } from "../../framework/controller.js";
import { GrowingSeries } from "../../framework/series.js";
import { displayText } from "../../state.js";
import { Announcer, el, formatStat, seedControl } from "../../ui.js";
import { CartPoleView } from "../../views/cartpole_view.js";
import { movingAverage } from "../../views/line_chart.js";
import { AgentFiles, fetchPretrained, PRETRAINED_URL } from "./cartpole_agent.js";
import { ALGO_COLORS, ALGO_LABELS, algoLabel, CartpoleCharts, previousRunLabel } from "./cartpole_charts.js";
import { limitsOf, replayOf, Stage } from "./cartpole_clock.js";
import { GradientSpread, SeedCompare } from "./cartpole_research.js";

const CHART_EVERY_MS = 100; // charts redraw at most 10 times a second
const KEPT_RUNS = 2; // previous runs kept on the chart

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
const MAIN_FIELDS = ["lr", "dqn_lr", "gamma", "hidden", "dqn_hidden", "seed"];

const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

export default class CartpoleController extends DemoController {
  static demo = "cartpole";
  // An embed's lesson view: the algorithm, the transport, the stage, the learning curve and the figures (README).
  static embedHidden = ["mode", "note", "agent", "more-figures", "curve-note", "small-charts", "research", "share"];
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
    this.stage = new Stage(this); // the replayed, watched or played episode and its clock
    this.resync = false;
    this.chartsDirty = true;
    this.lastChartDraw = 0;
    this.lastFrameTime = 0;
    this.noticeText = "";
    this.divergedShown = false;
  }

  mode() {
    return this.registry.get(this.demo, "mode");
  }

  /** The algorithm of the run the page holds (the registry's until the first snapshot). */
  algo() {
    return this.snapshot?.algo ?? this.registry.get(this.demo, "algo");
  }

  speedLabel(value) {
    if (value === "max") return "max";
    return Number(value) === 1000 / this.limits.stepMs ? `${value} steps/s · real time` : `${value} steps/s`;
  }

  // ---- building the panel -------------------------------------------------------------------------------------

  buildControls(panel) {
    const demo = this.demo;
    const algos = this.registry.field(demo, "algo")?.choices ?? Object.keys(ALGO_LABELS);
    this.modeGroup = this.segmented("mode", "Mode", ["train", "watch", "play"], MODE_LABELS);
    this.algoGroup = this.segmented("algo", "Algorithm", algos, ALGO_LABELS);

    // the stage: the animated cart-pole, with the play-mode instructions and touch buttons under it
    const stageBox = el("div", { class: "cartpole-view" });
    this.view = this.own(new CartPoleView(stageBox, { label: "Cart-pole animation", limits: this.contract.constants }));
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

    // the charts: the learning curve (with the "forget" button), V(s) along the replay, the advantage scale
    this.charts = this.own(
      new CartpoleCharts(this.limits, {
        onForget: () => {
          this.previousRuns = [];
          this.charts.showForget(false);
          this.chartsDirty = true;
          this.dirty = true;
        },
      }),
    );

    // figures
    const stats = el(
      "dl",
      { class: "stats", dataset: { part: "figures" } },
      this.statElement("episode", "episode", "Episodes finished in this run"),
      this.statElement("episode-length", "last length", "Length of the last finished episode, in steps"),
      this.statElement("mean-length-100", "mean of last 100", "Mean length of the last 100 episodes"),
      this.statElement("best-length", "best length", "Longest episode so far", "more-figures"),
      this.statElement(
        "solved-at-episode",
        "solved at episode",
        `Episode at which the ${this.limits.window}-episode mean first reached ${this.limits.solved}; −1 = not yet`,
      ),
      this.statElement(
        "steps-per-second",
        "steps / s",
        "Environment steps per second, as you see them",
        "more-figures",
      ),
    );

    // settings: the main ones, the rest folded away
    const python = Object.keys(this.registry.pythonParams(demo)).filter((name) => name !== "algo");
    const format = (name) => (v) => (name === "lr" || name === "dqn_lr" ? Number(v).toPrecision(2) : String(v));
    const control = (name) =>
      name === "seed"
        ? seedControl(this.registry, demo, "seed", {
            className: "cartpole-seed",
            onInvalid: (message) => this.showNotices([message]),
          })
        : this.settingControl(name, format(name));
    // In an embed only Speed stays out: the frame has no room for a row of sliders (they fold into Settings).
    const embed = this.registry.page.embed;
    const main = embed ? [] : MAIN_FIELDS.filter((name) => python.includes(name));
    const rest = python.filter((name) => !main.includes(name));
    const controls = el("div", { class: "controls" }, this.speedControl, ...main.map(control));
    const more = rest.length
      ? el(
          "details",
          { class: "cartpole-more", dataset: { control: "more", part: "settings" } },
          el("summary", {}, embed ? "Settings" : "More settings"),
          el("div", { class: "controls" }, ...rest.map(control)),
        )
      : null;

    this.summary = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    this.announcer = new Announcer(this.summary, { timers: this.disposables });
    this.algoNote = el("p", { class: "cartpole-note cartpole-algo-note", dataset: { part: "note" } });
    this.ppoLine = el("p", { class: "cartpole-note cartpole-ppo-line", hidden: true, dataset: { stat: "ppo" } });
    this.agentFiles = new AgentFiles(this);
    this.agentFiles.acceptDrops(this.root);
    this.compare = this.own(new SeedCompare(this, { algos, labels: ALGO_LABELS, colors: ALGO_COLORS }));
    this.spread = new GradientSpread(this);

    panel.append(
      el("div", { class: "cartpole-bar" }, this.modeGroup, this.algoGroup, this.transport),
      this.algoNote,
      this.agentFiles.element,
      el("div", { class: "demo-row" }, stageBox, this.charts.curveBox),
      stats,
      this.ppoLine,
      el(
        "div",
        { class: "demo-row cartpole-smalls", dataset: { part: "small-charts" } },
        this.charts.value.box,
        this.charts.adv.box,
      ),
      controls,
      more,
      el(
        "div",
        { class: "demo-row cartpole-research-row", dataset: { part: "research" } },
        this.compare.element,
        this.spread.element,
      ),
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
      algo: this.algo(),
      config: { ...(this.snapshot?.config ?? {}) },
      lengths: this.lengths.toArray(),
      steps: this.snapshot?.figures?.steps ?? 0,
    };
  }

  /** Keep a finished-with run on the chart, faded, labelled by its algorithm and what differed. */
  archive(run, newConfig) {
    this.previousRuns.push({
      algo: run.algo,
      label: previousRunLabel(run, newConfig),
      lengths: run.lengths,
      mean100: movingAverage(run.lengths, this.limits.window),
    });
    while (this.previousRuns.length > KEPT_RUNS) this.previousRuns.shift();
    this.charts.showForget(true);
    this.chartsDirty = true;
  }

  afterRestart() {
    this.stage.restart();
    this.divergedShown = false;
    this.resetRate();
  }

  /** Run my code (the Code panel's set_code): the run so far stays on the chart, faded, as "reference" (or as the
   *  edit it replaces), beside the run the edited code goes on with, and after a Reset too (issue 24). */
  async command(command, args = {}) {
    const edited = Boolean(this.codePanel?.editedFunctions().length);
    const run = command === "set_code" && this.lengths.length ? this.runRecord() : null;
    const payload = await super.command(command, args);
    if (payload && run) {
      this.previousRuns.push({
        algo: run.algo,
        label: edited ? `${algoLabel(run.algo)}, before your edit` : `${algoLabel(run.algo)}, reference`,
        lengths: run.lengths,
        mean100: movingAverage(run.lengths, this.limits.window),
      });
      while (this.previousRuns.length > KEPT_RUNS) this.previousRuns.shift();
      this.charts.showForget(true);
      this.chartsDirty = true;
    }
    return payload;
  }

  async reset() {
    this.afterRestart();
    this.stage.endLive();
    await super.reset();
  }

  // ---- modes -------------------------------------------------------------------------------------------------

  enterMode(mode) {
    this.stage.endLive();
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
      const { switched, cursorMoved } = this.stage.tick(mode, running, dt, mode === "train" && reducedMotion());
      if (switched) this.chartsDirty = true;
      if (cursorMoved) this.valueCursorDirty = true;
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
    if (mode === "watch") this.stage.pumpWatch(now);
    else this.stage.pumpPlay();
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
    if (!this.playing) this.play();
    this.stage.push(action);
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
    this.sayWhatCountsSinceLoading(figures, reason);
    const fresh = reason === "create" || reason === "reset" || reason === "load_agent";
    if (fresh) {
      this.stage.endLive(); // a new driver: its watch and play episodes start over too
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
    const stage = this.stage;
    if (T > 0 && episode !== stage.knownEpisode()) {
      stage.offer(replayOf(snapshot, this.limits), fresh || reason === "configure");
    } else if (stage.replay && stage.replay.episode === episode && snapshot.replay_values) {
      stage.replay.values = snapshot.replay_values.data; // the critic moves on: V(s) of the same states, now
    } else if (T === 0 && fresh) {
      stage.replay = null;
      stage.nextReplay = null;
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
  /** A scene's command (web/scenes.js): its seed comparison runs through the "Compare over seeds" panel, set to
   *  the scene's algorithms, seeds and episodes, as a click would. The scene has started once the comparison is
   *  under way: it runs on in its panel (a minute in the page), so open() and "Show me" do not wait for its end. */
  async startScene(scene) {
    if (scene.command.name !== "compare_start") return this.command(scene.command.name, { args: scene.command.args });
    const { algos = [], seeds, episodes } = scene.command.args ?? {};
    for (const check of this.compare.checks) check.input.checked = algos.includes(check.algo);
    if (seeds) this.compare.seeds.value = String(seeds);
    if (episodes) this.compare.episodes.value = String(episodes);
    this.compare.element.closest("details")?.setAttribute("open", "");
    this.compare.element.scrollIntoView({ block: "center" }); // the comparison is the scene's picture
    this.compare.start(); // it reports its own failures in its panel
  }

  inspectDemo() {
    const rows = (states) => states.map((state) => Array.from(state));
    const { replay, live, game } = this.stage;
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
      replay: replay ? { episode: replay.episode, T: replay.T, k: replay.k } : null,
      live: live ? { states: rows(live.states), done: live.done, length: live.length } : null,
      game: game
        ? { states: rows(game.states), actions: game.actions.slice(), done: game.done, length: game.length }
        : null,
      compare: this.compare.inspect(),
      banner: this.frame().banner ?? null, // what the stage says over its sky now
    };
  }

  /** The driver became a loaded agent (``load_agent``): a fresh run of its seed with the saved weights. `source` is
   *  where it came from ({kind: "pretrained"} or {kind: "file", name, text}): the run's lineage, which the link, the
   *  command and a worker restart start from again (beforeReplay, linkExtras, reproduceStart). */
  adoptAgent(payload, source = null) {
    this.runToken++; // answers for the previous run are stale now
    if (this.lengths.length) this.archive(this.runRecord(), payload.snapshot?.config ?? {});
    this.afterRestart();
    this.stage.endLive();
    this.agentSource = source;
    this.receive(payload.snapshot, "load_agent");
  }

  /** Python's word on whether this run started from a loaded agent: the episodes and steps it had before. */
  trainedBefore() {
    const before = this.snapshot?.trained_before ?? {};
    return { episodes: before.episodes ?? 0, steps: before.steps ?? 0 };
  }

  /** Before a create's replay (a link's steps=, a worker restart): load the agent the run started from again. */
  async beforeReplay(token) {
    const page = this.registry.page;
    const linked = page.demo === this.demo || !page.demo ? page.agent : "";
    if (!this.linkAgentRead) {
      // The first create: the link's lineage.
      this.linkAgentRead = true;
      this.agentSource = linked === "pretrained" ? { kind: "pretrained" } : null;
      if (linked === "file") {
        this.showNotices([
          "This link's run started from the sender's own agent file, which a link cannot carry: this demo starts " +
            "untrained, and the link's steps are not replayed. Ask for the file and open it with Load agent….",
        ]);
        this.sharedReplay = { outcome: "stopped" }; // replayTarget: nothing to replay
      }
    }
    const source = this.agentSource;
    if (!source) return;
    // The settings this run was created with (the link's, or a restored run's at step 0): the agent file brings its
    // own, and those changed after the load (before training on) are put back over them.
    // A setting that would start a fresh run (another algorithm, seed or size: Python says which, `restarted`) is
    // the agent's own: the agent wins, loaded again without it.
    const wanted = { ...(this.snapshot?.config ?? {}) };
    const agentsOwn = new Set();
    try {
      const text = source.kind === "pretrained" ? await fetchPretrained() : source.text;
      for (let attempt = 0; attempt < 2; attempt++) {
        const payload = await this.runtime.call(this.demo, "load_agent", { args: { text }, since: 0 });
        if (token !== this.creating) return;
        this.adoptAgent(payload, source);
        const loaded = this.snapshot?.config ?? {};
        const changed = Object.entries(wanted).filter(
          ([name, value]) => name in loaded && loaded[name] !== value && !agentsOwn.has(name),
        );
        if (!changed.length) break;
        const answer = await this.command("configure", { params: Object.fromEntries(changed) });
        if (token !== this.creating) return;
        if (!answer?.restarted?.length) break;
        for (const name of answer.restarted) agentsOwn.add(name);
      }
    } catch (error) {
      this.agentSource = null;
      this.startLost = `the agent this run started from (it could not be loaded again: ${error.message}; the run starts untrained)`;
      this.agentFiles?.forget();
      this.showNotices([
        `The agent this run started from could not be loaded again (${error.message}): it starts untrained.`,
      ]);
    }
  }

  linkExtras() {
    return this.agentSource && this.trainedBefore().steps > 0 ? { agent: this.agentSource.kind } : {};
  }

  linkNote() {
    if (this.agentSource?.kind !== "file" || !this.trainedBefore().steps) return "";
    return (
      `This run started from your agent file (${displayText(this.agentSource.name, 60)}), which a link cannot ` +
      "carry: whoever opens the link is told so and starts untrained. Send the file with it (they open it with " +
      "Load agent…), or use Reproduce in Python with the file."
    );
  }

  /** The run back after a worker restart; then a comparison over seeds the restart cut off runs again. */
  async restoreRun(plan, options) {
    const lost = await super.restoreRun(plan, options);
    if (this.status !== "error") this.compare.resume();
    return lost;
  }

  /** The comparison over seeds and the gradient's spread on the screen, work beside the run
   *  (web/framework/controller.js's sideNote). */
  sideNote(what) {
    return [this.compare.sideNote(what), this.spread.sideNote(what)].filter(Boolean).join(" ");
  }

  reproduceStart() {
    if (!this.agentSource || !this.trainedBefore().steps) return null;
    if (this.agentSource.kind === "pretrained") return { load: PRETRAINED_URL.href, note: "" };
    return {
      load: "agent.json",
      note:
        `The run started from your agent file (${displayText(this.agentSource.name, 60)}): save that file as ` +
        "agent.json beside you first (the command loads it, then trains the steps since).",
    };
  }

  /** What the algorithm is, and while PPO trains, its two diagnostics with what they mean. */
  showAlgoNote(algo, losses) {
    this.algoNote.textContent = ALGO_NOTES[algo] ?? "";
    this.showSettings(); // only the settings the chosen algorithm uses (each field's shown_when, declared in Python)
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
    this.drawCharts();
  }

  draw(now) {
    this.view.draw(this.frame());
    if (this.chartsDirty && now - this.lastChartDraw >= CHART_EVERY_MS) {
      this.chartsDirty = false;
      this.lastChartDraw = now;
      this.drawCharts();
    } else if (this.valueCursorDirty) {
      this.charts.drawValues(this.valueAlgo(), this.stage.replay);
    } else if (this.chartsDirty) {
      this.dirty = true; // come back for the throttled redraw
    }
    this.valueCursorDirty = false;
    this.speak();
  }

  /** What the stage shows now: the replay, the watched policy, or the human's game. */
  frame() {
    const algo = algoLabel(this.algo());
    const busy = this.compare.stageBanner(); // the worker compares seeds: say so, not "press Play to train"
    return this.stage.frame(this.mode(), { algo, playing: this.playing, label: algoLabel, busy });
  }

  /** The value chart's algorithm: the replayed episode's (it may predate a switch), else the current one. */
  valueAlgo() {
    return this.stage.replay?.algo ?? this.algo();
  }

  drawCharts() {
    this.charts.draw({
      algo: this.algo(),
      valueAlgo: this.valueAlgo(),
      lengths: this.lengths.values,
      advScale: this.advScale.values,
      previousRuns: this.previousRuns,
      replay: this.stage.replay,
      edited: Boolean(this.codePanel?.editedFunctions().length),
    });
  }

  /** A run from a loaded agent counts from the load: the figures say so, and "solved at" is not claimed for an
   *  agent that was solved when it was loaded (its first 100 episodes since loading already averaged 475). */
  sayWhatCountsSinceLoading(figures, reason) {
    const before = this.snapshot?.trained_before ?? {};
    if (!(before.steps > 0)) {
      // Reset, or a setting that starts a fresh run: no agent behind this run any more. (A create keeps it: the
      // agent is loaded again right after, in beforeReplay.)
      if (before.steps === 0 && reason !== "create") {
        this.agentSource = null;
        this.agentFiles?.forget();
      }
      return;
    }
    const count = (n) => Number(n).toLocaleString("en-US");
    if ("episode" in figures)
      this.stats.get("episode").textContent =
        `${count(figures.episode)} since loading (${count(before.episodes)} before)`;
    const solved = figures["solved-at-episode"];
    if ("solved-at-episode" in figures && solved >= 0)
      this.stats.get("solved-at-episode").textContent =
        solved <= this.limits.window ? "solved when loaded" : `${count(solved)} since loading`;
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
      algo: this.algo(),
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
