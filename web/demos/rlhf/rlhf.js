// RLHF in miniature: a bigram language model π_θ, started at π_ref (trained on a corpus of reviews), tuned by PPO to
// a reward model r_φ fitted to labelled pairs, with the per-token KL penalty β·log(π_θ/π_ref). The Python driver
// (rlplay.demos.rlhf) does all of it; this controller keeps the curves it was sent, asks for the β sweep, turns the
// user's clicks on a pair into the `labels` setting (so they live in the URL), and draws.

import { DemoController, notCarried } from "../../framework/controller.js";
import { GrowingSeries } from "../../framework/series.js";
import { Announcer, el, fieldControl, formatStat, seedControl } from "../../ui.js";
import { LineChart } from "../../views/line_chart.js";
import { barRows, RewardKlView } from "./rlhf_views.js";

const CURVES = ["kl", "proxy", "gold"];
const SWEEP_COLORS = [
  "--bad",
  "--lane-epsilon-greedy",
  "--lane-softmax",
  "--lane-ucb",
  "--good",
  "--accent",
  "--muted",
];
const SWEEP_BUDGET_MS = 150;
const EMBED_SAMPLES = 4; // of each model's samples, in an embed (its lesson view)

/** The β sweep on the screen, which a link, an embed or the command (`what`) does not carry ("" when there is none):
 *  its runs are work beside this run, never part of it (DemoDriver.SIDE_COMMANDS).
 *
 *  sweepSideNote({ done: 35, total: 70 }, "the link")
 *  → "The link does not carry the β sweep (35 of 70 updates): where it opens, press Run the β sweep (the same
 *     settings give the same curves)." */
export function sweepSideNote(sweep, what) {
  if (!sweep?.done) return "";
  const updates = `${sweep.done.toLocaleString("en-US")} of ${sweep.total.toLocaleString("en-US")} updates`;
  return notCarried(what, `the β sweep (${updates})`, "press Run the β sweep (the same settings give the same curves)");
}

export default class RlhfController extends DemoController {
  static demo = "rlhf";
  // An embed's lesson view: the transport with β, the figures, both models' samples and the rewards chart (proxy
  // against gold: the over-optimisation the demo is about). The rest comes back with show= (README lists them).
  static embedHidden = [
    "more-figures",
    "more-samples",
    "next-word",
    "kl-chart",
    "reward-kl",
    "labelling",
    "reward-model",
    "share",
  ];
  static speeds = ["1", "3", "10", "30", "max"];
  static uiFields = [
    {
      name: "speed",
      type: "str",
      default: "max",
      choices: RlhfController.speeds,
      doc: "PPO updates per second, or max.",
    },
    { name: "context", type: "str", default: "was", doc: "The word whose next-word distribution is shown." },
  ];

  constructor(options) {
    super(options);
    this.series = Object.fromEntries(CURVES.map((name) => [name, new GrowingSeries()]));
    this.wantFull = false;
    this.sweeping = false;
  }

  get curves() {
    return Object.fromEntries(CURVES.map((name) => [name, this.series[name].values]));
  }

  // ---- building the panel -------------------------------------------------------------------------------

  buildControls(panel) {
    const demo = this.demo;
    const registry = this.registry;

    // Samples of both models, side by side (the same uniforms: row i of each is the same draw).
    this.referenceList = el("ol", { class: "rlhf-samples", dataset: { samples: "reference" } });
    this.policyList = el("ol", { class: "rlhf-samples", dataset: { samples: "policy" } });
    this.policyHeading = el("h4", {}, "π_θ (tuned)");
    const samples = el(
      "div",
      { class: "rlhf-sample-pair", dataset: { part: "samples" } },
      el("div", {}, el("h4", {}, "π_ref (the corpus model)"), this.referenceList),
      el("div", {}, this.policyHeading, this.policyList),
    );

    const figures = el(
      "dl",
      { class: "stats rlhf-stats", dataset: { part: "figures" } },
      this.statElement("steps", "PPO updates", "PPO updates made (64 sentences each)"),
      this.statElement("kl", "KL (nats)", "KL(π_θ ‖ π_ref) over whole sentences, exact"),
      this.statElement("proxy-reward", "proxy r_φ", "the reward model's mean score on a fixed batch of 256 samples"),
      this.statElement("gold-reward", "gold", "the hidden gold reward's mean on the same batch (simulated labeller)"),
      this.statElement(
        "gold-reward-peak",
        "gold peak",
        "the best gold reward so far, π_ref's included",
        "more-figures",
      ),
      this.statElement(
        "steps-per-second",
        "updates / s",
        "PPO updates per second, measured in the page",
        "more-figures",
      ),
    );

    const chart = (name, title, options) => {
      const canvas = el("canvas");
      const figure = el(
        "figure",
        { class: `rlhf-chart rlhf-chart-${name}`, dataset: { part: `${name}-chart` } },
        el("figcaption", {}, title),
        canvas,
      );
      return { figure, chart: this.own(new LineChart(canvas, options)) };
    };
    this.rewardChart = chart("rewards", "Rewards of π_θ over training", {
      height: 200,
      ariaLabel: "Proxy and gold reward against PPO updates",
    });
    this.klChart = chart("kl", "KL(π_θ ‖ π_ref)", {
      height: 150,
      legend: false,
      yTicks: 3,
      ariaLabel: "KL against PPO updates",
    });

    // The reward–KL picture, with the β sweep.
    const canvas = el("canvas");
    this.rewardKl = this.own(new RewardKlView(canvas, { height: 250 }));
    this.sweepButton = el(
      "button",
      { type: "button", dataset: { control: "sweep" }, onclick: () => this.runSweep() },
      "Run the β sweep",
    );
    this.sweepNote = el("span", { class: "rlhf-sweep-note", role: "status" });
    this.sweepLegend = el("div", { class: "legend rlhf-sweep-legend" });
    const rewardKl = el(
      "figure",
      { class: "rlhf-chart rlhf-reward-kl", dataset: { part: "reward-kl" } },
      el("figcaption", {}, "Reward against √KL: gold solid, proxy dashed (Gao et al. 2022)"),
      canvas,
      this.sweepLegend,
      el("div", { class: "rlhf-sweep" }, this.sweepButton, this.sweepNote),
    );

    // The next-word distribution after one context.
    this.contextSelect = el("select", { id: `${demo}-context` });
    this.contextSelect.addEventListener("change", () => registry.set(demo, "context", this.contextSelect.value));
    this.nextWords = el("div", { class: "rlhf-bars" });
    const nextWord = el(
      "figure",
      { class: "rlhf-next-word", dataset: { part: "next-word" } },
      el(
        "figcaption",
        {},
        el("label", { for: `${demo}-context` }, "Next word after "),
        this.contextSelect,
        el("span", { class: "rlhf-key rlhf-key-ref" }, "π_ref"),
        el("span", { class: "rlhf-key rlhf-key-policy" }, "π_θ"),
      ),
      this.nextWords,
    );

    // Label it yourself, and what the reward model learned.
    this.pairA = el("p", { class: "rlhf-pair-text", dataset: { pair: "a" } });
    this.pairB = el("p", { class: "rlhf-pair-text", dataset: { pair: "b" } });
    this.pairCount = el("p", { class: "rlhf-pair-count" });
    const answer = (letter, text) =>
      el(
        "button",
        { type: "button", dataset: { control: `label-${letter}` }, onclick: () => this.label(letter) },
        text,
      );
    this.labelButtons = [answer("a", "A is better"), answer("b", "B is better"), answer("-", "Skip")];
    this.undoButton = el(
      "button",
      { type: "button", dataset: { control: "label-undo" }, onclick: () => this.undoLabel() },
      "Undo",
    );
    const pair = el(
      "div",
      { class: "rlhf-pair", dataset: { part: "labelling" } },
      el("h4", {}, "Label it yourself: which review is better?"),
      el("div", { class: "rlhf-pair-row" }, el("span", { class: "rlhf-pair-tag" }, "A"), this.pairA),
      el("div", { class: "rlhf-pair-row" }, el("span", { class: "rlhf-pair-tag" }, "B"), this.pairB),
      el("div", { class: "rlhf-pair-buttons" }, ...this.labelButtons, this.undoButton),
      this.pairCount,
    );
    this.phiBars = el("div", { class: "rlhf-bars rlhf-phi" });
    const phi = el(
      "figure",
      { class: "rlhf-phi-figure", dataset: { part: "reward-model" } },
      el("figcaption", {}, "What the reward model learned: r_φ(x) = Σ φ[word]"),
      this.phiBars,
    );

    const controls = el(
      "div",
      { class: "controls rlhf-controls" },
      seedControl(registry, demo, "seed", { onInvalid: (message) => this.showNotices([message]) }),
      fieldControl(registry, demo, "labeller"),
      fieldControl(registry, demo, "updates"),
      fieldControl(registry, demo, "pairs"),
      fieldControl(registry, demo, "lr"),
    );

    this.summary = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
    this.announcer = new Announcer(this.summary, { timers: this.disposables });
    this.remarks = el("div", { class: "rlhf-remarks", role: "status", "aria-live": "polite" });

    panel.append(
      el("div", { class: "rlhf-transport" }, this.transport, this.speedControl, fieldControl(registry, demo, "beta")),
      this.remarks,
      figures,
      el(
        "div",
        { class: "demo-row rlhf-row" },
        el("div", { class: "rlhf-col" }, samples, nextWord),
        el("div", { class: "rlhf-col" }, this.rewardChart.figure, this.klChart.figure),
      ),
      el(
        "div",
        { class: "demo-row rlhf-row" },
        el("div", { class: "rlhf-col" }, rewardKl),
        el("div", { class: "rlhf-col" }, pair, phi),
      ),
      el(
        "details",
        { class: "rlhf-settings", open: !registry.page.embed, dataset: { part: "settings" } }, // folded in an embed
        el("summary", {}, "Settings"),
        controls,
      ),
      this.summary,
    );
    registry.addEventListener("change", (event) => {
      if (event.detail.demo === demo && event.detail.name === "context") this.dirty = true;
    });
  }

  mount() {
    super.mount();
    // The reward–KL canvas follows the colour scheme (the line charts watch it themselves).
    const scheme = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (scheme)
      this.disposables.listen(scheme, "change", () => {
        this.dirty = true;
      });
  }

  // ---- the run --------------------------------------------------------------------------------------------

  since() {
    return this.wantFull ? 0 : this.series.kl.length;
  }

  steps() {
    return this.snapshot?.figures?.steps ?? 0;
  }

  maxUnits() {
    return Math.max(0, Number(this.registry.get(this.demo, "updates")) - this.steps());
  }

  accept(snapshot, reason) {
    const offset = snapshot.curve_offset ?? 0;
    if (offset === 0) for (const name of CURVES) this.series[name].clear();
    let whole = true;
    for (const name of CURVES) whole = this.series[name].put(offset, snapshot[name]?.data ?? []) && whole;
    this.wantFull = !whole;
    const remarks = snapshot.notices ?? [];
    if (remarks.join("\n") !== this.remarksShown) {
      this.remarksShown = remarks.join("\n");
      this.remarks.replaceChildren(...remarks.map((text) => el("p", { class: "notice" }, text)));
    }
    const figures = snapshot.figures ?? {};
    for (const name of ["steps", "kl", "proxy-reward", "gold-reward", "gold-reward-peak"]) {
      this.setStat(name, figures[name] ?? -1, name === "steps" ? 0 : 2);
    }
    if (reason === "run" || reason === "step") {
      this.summarize(false);
      // the run's end: stop asking for work (at max a call for 0 units would never say "exhausted")
      if (this.playing && this.maxUnits() === 0) this.onExhausted();
    }
  }

  /** The aria-live summary (throttled): "After 40 updates: KL 2.1 nats, proxy 3.4, gold 0.6." */
  summarize(force) {
    const f = this.snapshot?.figures ?? {};
    const gold = f["gold-reward"] === undefined ? "" : `, gold ${formatStat(f["gold-reward"], 2)}`;
    this.announcer.say(
      `After ${f.steps ?? 0} updates: KL ${formatStat(f.kl ?? 0, 2)} nats, proxy ${formatStat(f["proxy-reward"] ?? 0, 2)}${gold}.`,
      { now: force },
    );
  }

  onExhausted() {
    super.onExhausted();
    this.summarize(true);
  }

  play() {
    this.sweeping = false;
    if (this.snapshot && this.maxUnits() === 0) {
      this.reset().then(() => super.play());
      return;
    }
    super.play();
  }

  onSetting(name, value) {
    if (this.registry.field(this.demo, name)?.ui) {
      this.dirty = true;
      return;
    }
    if (name !== "beta" && name !== "lr") this.wantFull = true;
    super.onSetting(name, value);
  }

  // ---- labels: the user's clicks become the `labels` setting --------------------------------------------

  label(letter) {
    const labels = String(this.registry.get(this.demo, "labels") ?? "");
    const pairs = this.snapshot?.pairs ?? [];
    if (labels.length >= pairs.length) return;
    this.pause();
    if (this.registry.get(this.demo, "labeller") !== "user") this.registry.set(this.demo, "labeller", "user");
    this.registry.set(this.demo, "labels", labels + letter);
  }

  undoLabel() {
    const labels = String(this.registry.get(this.demo, "labels") ?? "");
    if (!labels) return;
    this.pause();
    this.registry.set(this.demo, "labels", labels.slice(0, -1));
  }

  // ---- the β sweep ----------------------------------------------------------------------------------------

  async runSweep() {
    if (this.sweeping || this.status === "error" || !this.snapshot) return;
    this.pause();
    this.sweeping = true;
    const token = this.runToken;
    this.sweepButton.disabled = true;
    try {
      for (;;) {
        if (!this.sweeping || token !== this.runToken || this.isDisposed) break;
        if (this.inFlight) {
          await new Promise((resolve) => this.disposables.setTimeout(resolve, 20));
          continue;
        }
        this.inFlight = true;
        let payload;
        try {
          payload = await this.call("sweep", { args: { budget_ms: SWEEP_BUDGET_MS } });
        } finally {
          this.inFlight = false;
        }
        // The run record (a worker restart replays it, restoreRun): the updates this call reached, not its time
        // budget, so that the replay comes back to exactly the sweep on the screen. Python made them even if a
        // newer request made this answer stale.
        this.noteRunHistory("sweep", { args: { until: payload.result.done } }, payload.snapshot, {});
        if (token !== this.runToken) break;
        this.receive(payload.snapshot, "sweep");
        if (payload.result.done >= payload.result.total) break;
      }
    } catch (error) {
      this.handleError(error);
    } finally {
      this.sweeping = false;
      this.sweepButton.disabled = false;
      this.dirty = true;
    }
  }

  /** The β sweep on the screen, work beside the run (DemoDriver.SIDE_COMMANDS), which `what` does not carry. */
  sideNote(what) {
    return sweepSideNote(this.snapshot?.sweep, what);
  }

  inspectDemo() {
    return {
      curves: Object.fromEntries(CURVES.map((name) => [name, Array.from(this.series[name].values)])),
      sweeping: this.sweeping,
    };
  }

  // ---- drawing --------------------------------------------------------------------------------------------

  draw() {
    const snapshot = this.snapshot;
    const vocab = snapshot.vocab ?? [];
    const steps = this.steps();
    const curves = this.curves;
    const simulated = snapshot.config?.labeller !== "user";

    // An embed shows the first EMBED_SAMPLES of each model's samples (show=more-samples: all of them).
    const shown = this.partHidden("more-samples") ? EMBED_SAMPLES : Number.POSITIVE_INFINITY;
    const fill = (list, sentences) =>
      list.replaceChildren(...(sentences ?? []).slice(0, shown).map((sentence) => el("li", {}, sentence)));
    fill(this.referenceList, snapshot.samples_reference);
    fill(this.policyList, snapshot.samples);
    this.policyHeading.textContent = steps ? `π_θ after ${steps} updates` : "π_θ (= π_ref before the first update)";

    const updates = Number(this.registry.get(this.demo, "updates"));
    const xStart = 0;
    const rewardSeries = [{ label: "proxy (reward model)", color: "--accent", y: curves.proxy, xStart, width: 2 }];
    if (simulated) rewardSeries.push({ label: "gold (hidden)", color: "--good", y: curves.gold, xStart, width: 2 });
    const refLines = simulated && curves.gold.length ? [{ y: curves.gold[0], label: "reference's gold" }] : [];
    this.rewardChart.chart.draw({
      series: rewardSeries,
      refLines,
      xLabel: "PPO update",
      yLabel: "mean reward",
      xMin: 0,
      xMax: updates,
    });
    this.klChart.chart.draw({
      series: [{ label: "KL", color: "--bad", y: curves.kl, xStart, width: 2 }],
      xLabel: "PPO update",
      yLabel: "nats",
      yMin: 0,
      xMin: 0,
      xMax: updates,
    });

    // Reward against √KL: the sweep's runs (if any) and this run on top.
    const runs = [];
    const sweep = snapshot.sweep;
    this.sweepLegend.replaceChildren();
    if (sweep) {
      sweep.betas.forEach((beta, i) => {
        const color = SWEEP_COLORS[i % SWEEP_COLORS.length];
        runs.push({
          label: `β = ${beta}`,
          color,
          kl: sweep.kl[i],
          gold: simulated ? sweep.gold[i] : null,
          proxy: sweep.proxy[i],
        });
        const swatch = el("span", { class: "swatch" });
        swatch.style.background = `var(${color})`;
        this.sweepLegend.append(el("span", {}, swatch, `β = ${beta}`));
      });
      this.sweepNote.textContent =
        sweep.done >= sweep.total
          ? `β sweep done: ${sweep.betas.length} runs of ${updates} updates, same labels and seed.`
          : `β sweep: ${Math.round((100 * sweep.done) / sweep.total)}%`;
    }
    runs.push({
      label: "this run",
      color: "--text",
      kl: Array.from(curves.kl),
      gold: simulated ? Array.from(curves.gold) : null,
      proxy: Array.from(curves.proxy),
      emphasis: true,
    });
    this.rewardKl.draw({ runs });

    // Next word after the chosen context: π_ref and π_θ, the likeliest words first.
    const context = this.registry.get(this.demo, "context");
    if (this.contextSelect.options.length !== vocab.length) {
      this.contextSelect.replaceChildren(
        el("option", { value: "<s>" }, "<s> (start)"),
        ...vocab.filter((w) => w !== ".").map((w) => el("option", { value: w }, `“${w}”`)),
      );
    }
    this.contextSelect.value = context;
    const row = context === "<s>" ? vocab.length : vocab.indexOf(context);
    if (row >= 0 && snapshot.policy?.data && snapshot.reference?.data) {
      const V = vocab.length;
      const ref = Array.from(snapshot.reference.data.slice(row * V, row * V + V));
      const pol = Array.from(snapshot.policy.data.slice(row * V, row * V + V));
      const order = vocab.map((_, i) => i).sort((a, b) => Math.max(pol[b], ref[b]) - Math.max(pol[a], ref[a]));
      barRows(
        this.nextWords,
        order.slice(0, 8).map((i) => ({ label: vocab[i], values: [ref[i], pol[i]] })),
        [
          { name: "π_ref", className: "rlhf-bar-ref" },
          { name: "π_θ", className: "rlhf-bar-policy" },
        ],
        { max: 1 },
      );
    }

    // What the reward model learned.
    const phiValues = Array.from(snapshot.phi?.data ?? []);
    const byScore = vocab.map((_, i) => i).sort((a, b) => phiValues[b] - phiValues[a]);
    barRows(
      this.phiBars,
      byScore.map((i) => ({ label: vocab[i], values: [phiValues[i]] })),
      [{ name: "φ", className: "rlhf-bar-phi" }],
      { signed: true },
    );

    // The next pair to label.
    const pairs = snapshot.pairs ?? [];
    const labels = String(this.registry.get(this.demo, "labels") ?? "");
    const next = pairs[labels.length];
    this.pairA.textContent = next ? next[0] : "—";
    this.pairB.textContent = next ? next[1] : "—";
    for (const button of this.labelButtons) button.disabled = !next;
    this.undoButton.disabled = !labels;
    const answered = [...labels].filter((c) => c !== "-").length;
    this.pairCount.textContent = simulated
      ? `The simulated labeller has labelled all ${pairs.length} pairs; your first click switches to your own labels.`
      : `You have labelled ${answered} of ${pairs.length} pairs (pair ${Math.min(labels.length + 1, pairs.length)} shown). ` +
        "Each label refits the reward model and starts training again.";
  }

  // ---- sharing --------------------------------------------------------------------------------------------

  exportData() {
    const snapshot = this.snapshot ?? {};
    return {
      steps: this.steps(),
      curves: Object.fromEntries(CURVES.map((name) => [name, Array.from(this.series[name].values)])),
      samples: snapshot.samples ?? [],
      samples_reference: snapshot.samples_reference ?? [],
      phi: Array.from(snapshot.phi?.data ?? []),
      vocab: snapshot.vocab ?? [],
      sweep: snapshot.sweep ?? null,
    };
  }

  csvRows() {
    const curves = this.curves;
    const out = [["update", ...CURVES]];
    for (let t = 0; t < curves.kl.length; t++) out.push([t, ...CURVES.map((name) => curves[name][t])]);
    return out;
  }
}
