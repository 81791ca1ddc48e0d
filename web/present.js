// Present mode (issue 24): one demo fills the screen for a projector. A Present button in each demo's title, or
// `present=1` in the URL (a page parameter, web/state.js), shows the demo alone: in fullscreen where the browser
// allows it (a click may ask; a URL cannot), else over the whole window. The demo keeps its own layout, laid out at
// PRESENT_WIDTH × PRESENT_HEIGHT CSS pixels and scaled by CSS zoom to the screen, so every text and canvas grows
// alike (at 1920 × 1080 the charts' 12 px labels read 20 px); canvases size their backing store for the zoom
// (web/ui.js fitCanvas). Secondary material (settings, the Code panel, sharing) folds away.
//
// Keys while presenting: → or PageDown the next scene, ← or PageUp the previous one (the demo's scenes, when
// params.json declares them; before that → takes one Step, or plays and pauses a demo without one); Space plays and
// pauses; Escape leaves. Keys typed into a control (a slider, a select, the grid's cursor) stay the control's.

import { el } from "./ui.js";

export const PRESENT_WIDTH = 1152;
export const PRESENT_HEIGHT = 648;

/** The zoom that fits the present layout to a screen: never below 1. presentZoom(1920, 1080) → 1.667 */
export function presentZoom(width, height) {
  return Math.max(1, Math.min(width / PRESENT_WIDTH, height / PRESENT_HEIGHT));
}

/** What a key does while presenting: "next", "previous", "toggle", "leave" or null (not ours). */
export function presentKey(key) {
  if (key === "ArrowRight" || key === "PageDown") return "next";
  if (key === "ArrowLeft" || key === "PageUp") return "previous";
  if (key === " " || key === "Spacebar") return "toggle";
  if (key === "Escape" || key === "Esc") return "leave";
  return null;
}

/** A key pressed in a control that uses it (typing, a slider, a select, the grid's cursor) is not a presenter's. */
function keyIsTheControls(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(
    target.closest(
      'input:not([type="checkbox"]):not([type="radio"]), select, textarea, [contenteditable], [role="application"], .cm-editor',
    ),
  );
}

export class Presenter {
  /**
   * @param {object} options
   * @param {() => Map<string, object>} options.controllers  the page's controllers (they change on open())
   * @param {() => object} options.registry                   the page's registry (web/state.js)
   * @param {(demo: string, step: number) => boolean} [options.stepScene]  move through a demo's scenes; false when
   *                                                           it has none
   */
  constructor({ controllers, registry, stepScene = () => false }) {
    this.controllers = controllers;
    this.registry = registry;
    this.stepScene = stepScene;
    this.demo = null; // the demo shown, or null
    this.buttons = new Map(); // demo -> its Present button
    this.onKey = (event) => this.key(event);
    this.onResize = () => this.fit();
    this.onFullscreen = () => {
      // The browser left fullscreen (its own Escape, or F11): leave present mode with it.
      if (!document.fullscreenElement && this.fullscreen) this.leave();
    };
  }

  /** A Present button in the title of every demo on the page; again after open() (an unmount puts the root back as
   *  the page had it, without the button), the same button. */
  install() {
    for (const root of document.querySelectorAll("[data-demo]")) {
      const demo = root.dataset.demo;
      const made = this.buttons.get(demo);
      if (made && root.contains(made)) continue;
      const button =
        made ??
        el(
          "button",
          {
            type: "button",
            class: "present-button small",
            dataset: { control: "present" },
            "aria-pressed": "false",
            title: "Show this demo alone, on the whole screen (Escape leaves)",
            onclick: () => (this.demo === demo ? this.leave() : this.enter(demo, { fullscreen: true })),
          },
          "Present",
        );
      this.buttons.set(demo, button);
      (root.querySelector(".demo-title") ?? root).append(button);
    }
    document.addEventListener("fullscreenchange", this.onFullscreen);
  }

  /** Follow the registry's `present` (a link's present=1, or open()): the link's demo, else the page's first. */
  sync() {
    const registry = this.registry();
    if (!registry?.page.present) {
      if (this.demo) this.leave();
      return;
    }
    const first = document.querySelector("[data-demo]")?.dataset.demo;
    const demo = registry.page.demo || first;
    if (demo && this.demo !== demo) this.enter(demo);
    else if (demo && this.root) {
      // open() remounted the demo (its unmount puts the root back as it was): present it again
      this.root.classList.add("presented");
      this.fit();
    }
  }

  /** Show `demo` alone. With fullscreen (a click), ask the browser; refused or unavailable, the window is enough. */
  enter(demo, { fullscreen = false } = {}) {
    const root = document.querySelector(`[data-demo="${demo}"]`);
    if (!root) return false;
    if (this.demo && this.demo !== demo) this.leave();
    this.demo = demo;
    this.root = root;
    root.classList.add("presented");
    document.documentElement.classList.add("presenting");
    this.fit();
    const button = this.buttons.get(demo);
    if (button) {
      button.textContent = "Leave (Esc)";
      button.setAttribute("aria-pressed", "true");
    }
    document.addEventListener("keydown", this.onKey);
    window.addEventListener("resize", this.onResize);
    this.setPageField(true);
    this.fullscreen = false;
    // The page goes fullscreen, not the demo's root: the browser's own rules for a fullscreen element (width 100%)
    // would ignore the zoom; the demo's full-window layout covers the page either way.
    if (fullscreen && document.fullscreenEnabled && document.documentElement.requestFullscreen) {
      document.documentElement
        .requestFullscreen()
        .then(() => {
          this.fullscreen = this.demo === demo;
        })
        .catch(() => {}); // not allowed here (an iframe without allowfullscreen): the full-window layout stays
    }
    root.scrollTop = 0;
    return true;
  }

  leave() {
    if (!this.demo) return;
    const demo = this.demo;
    this.demo = null;
    this.root.classList.remove("presented");
    this.root.style.removeProperty("--present-zoom");
    document.documentElement.classList.remove("presenting");
    document.removeEventListener("keydown", this.onKey);
    window.removeEventListener("resize", this.onResize);
    const button = this.buttons.get(demo);
    if (button) {
      button.textContent = "Present";
      button.setAttribute("aria-pressed", "false");
    }
    if (this.fullscreen && document.fullscreenElement) document.exitFullscreen().catch(() => {});
    this.fullscreen = false;
    this.setPageField(false);
    this.root.scrollIntoView?.({ block: "start" });
    button?.focus({ preventScroll: true });
  }

  /** The zoom for the window's size, as a custom property the stylesheet reads (style.css, "present mode"). */
  fit() {
    if (!this.root) return;
    this.root.style.setProperty("--present-zoom", presentZoom(innerWidth, innerHeight).toFixed(4));
  }

  setPageField(on) {
    const registry = this.registry();
    if (!registry || registry.page.present === on) return;
    registry.page.present = on;
    registry.scheduleURLUpdate();
  }

  key(event) {
    if (!this.demo || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const action = presentKey(event.key);
    if (!action) return;
    if (action !== "leave" && keyIsTheControls(event.target)) return;
    if (action === "toggle" && event.target instanceof Element && event.target.closest("button, summary, label"))
      return; // Space on a focused button presses that button
    const controller = this.controllers().get(this.demo);
    event.preventDefault();
    if (action === "leave") this.leave();
    else if (action === "toggle") controller?.toggle();
    else if (!this.stepScene(this.demo, action === "next" ? 1 : -1)) {
      // No scenes declared for this demo yet: → takes one step (or plays and pauses); ← has nothing to go back to.
      if (action !== "next") return;
      const step = this.root.querySelector('[data-control="step"]:not([disabled])');
      if (step) step.click();
      else controller?.toggle();
    }
  }
}
