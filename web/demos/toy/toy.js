// The toy demo's page half: a biased coin (rlplay/demos/toy/ is its Python half). The smallest demo on the framework:
// its own controls, accept and draw; play/pause/reset, speed, coalesced configure, static keys, growing series,
// the seed box, sharing and inspect() come from DemoController (web/framework/controller.js). ARCHITECTURE.md
// ("How to add a demo") walks through it. It has no section on index.html; tests/e2e/test_toy_demo.py adds one.

import { DemoController } from "../../framework/controller.js";
import { GrowingSeries } from "../../framework/series.js";
import { Announcer, el, seedControl } from "../../ui.js";

export default class ToyController extends DemoController {
  static demo = "toy";
  static speeds = ["10", "100", "max"];
  static embedHidden = ["share"]; // an embed shows the coin's transport, figures and p; show=share brings the links
  static uiFields = [{ name: "speed", type: "str", default: "max", choices: ToyController.speeds, doc: "Flips/s." }];

  constructor(options) {
    super(options);
    this.share = new GrowingSeries(); // the share of heads after each flip
  }

  buildControls(panel) {
    const onInvalid = (message) => this.showNotices([message]);
    this.summary = el("p", { class: "visually-hidden", "aria-live": "polite" });
    this.announcer = new Announcer(this.summary);
    panel.append(
      el("div", {}, this.transport, this.speedControl),
      el(
        "dl",
        { class: "stats", dataset: { part: "figures" } },
        this.statElement("flips", "flips"),
        this.statElement("heads", "heads"),
      ),
      this.settingControl("p"), // its label, "p(heads)", is declared with the field in Python
      seedControl(this.registry, this.demo, "seed", { onInvalid }),
      this.summary,
    );
  }

  since() {
    return this.share.length;
  }

  accept(snapshot) {
    for (const [name, value] of Object.entries(snapshot.figures)) this.setStat(name, value);
    if (!this.share.put(snapshot.rate_offset, snapshot.rate.data)) this.share.clear();
  }

  draw() {
    const { flips, heads } = this.snapshot.figures;
    this.announcer.say(`${heads} heads in ${flips} flips.`);
  }

  exportData() {
    return { rate: this.share.toArray() };
  }

  inspectDemo() {
    return { rate: this.share.toArray() };
  }
}
