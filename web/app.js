// Page bootstrap: starts the Python worker first (it takes longest), reads the URL into the state registry, mounts
// one controller per demo on the page, shows loading progress and load/crash errors with Retry/Restart, and wires
// the sharing tools (Copy link, Embed, Download run, Reproduce in Python).

import { editedCodeCulprit, recoverAfterRestartElsewhere, recoverFromEditedCode, restoreNote } from "./code/recover.js";
import { codeLinkNotice } from "./code/share.js";
import { startEmbedFrame } from "./embed_frame.js";
import { shareQuery } from "./framework/share_query.js";
import { importModule, moduleFailure } from "./loader.js";
import { Presenter } from "./present.js";
import { reproduceFor } from "./reproduce.js";
import { registerOffline, servedOffline } from "./runtime/offline.js";
import { isIPadSafari, runtime } from "./runtime/page_runtime.js";
import { applyScene, findScene, sceneNames, startScene } from "./scenes.js";
import { displayText, StateRegistry } from "./state.js";
import { el } from "./ui.js";

// Every module loaded after start goes through web/loader.js, which names the file that failed and offers Retry.
// A demo's controller is found by its name, as Python's registry (rlplay.demos.DEMOS) finds its driver: the default
// export of web/demos/<demo>/<demo>.js. No list here to keep in step: a page runs the demos it has a [data-demo]
// section for that Python declares (params.json).
const DEMO_NAME = /^[a-z][a-z0-9_]*$/;
const controllerModule = (demo) => importModule(new URL(`./demos/${demo}/${demo}.js`, import.meta.url));
const STAGE_LABELS = { runtime: "Python runtime", numpy: "NumPy", rlplay: "rlplay" };
globalThis.rlplayBoot?.started(); // web/boot.js: the page's code runs (else it names the file that did not load)

// `runtime` started before this module ran (web/runtime/page_runtime.js); the listeners below catch up with it.
const controllers = new Map();
// What main() loaded once (the registry, the demo modules, the contract) for mountDemos and open(); `started`
// settles once the first load asked for its drivers (or could not), so an early open() waits for that.
const page = {};
// Present mode (web/present.js): a Present button on every demo; present=1 in the URL.
const presenter = new Presenter({
  controllers: () => controllers,
  registry: () => page.registry,
  stepScene: (demo, step) => stepScene(demo, step),
});
page.started = new Promise((resolve) => {
  page.markStarted = resolve;
});
let opening = Promise.resolve(); // open() calls run one after another

// ---- the loading banner -----------------------------------------------------------------------------------

const banner = document.getElementById("runtime-banner");
const stageBars = {};

function buildBanner() {
  const list = el("ol", { class: "stages" });
  for (const [stage, label] of Object.entries(STAGE_LABELS)) {
    const bar = el("progress", { max: 100, value: 0, "aria-label": `${label} loading` });
    const pct = el("span", { class: "pct" }, "0%");
    stageBars[stage] = { bar, pct };
    list.append(el("li", {}, el("span", { class: "stage-name" }, label), bar, pct));
  }
  banner.replaceChildren(el("p", { class: "banner-title" }, "Loading Python in your browser…"), list);
  banner.dataset.state = "loading";
  // A visit served by the offline copy loads in a second with nothing to download: it shows only the demos.
  banner.hidden = servedOffline();
}

function showProgress({ stage, pct, detail }) {
  const entry = stageBars[stage];
  if (!entry) return;
  entry.bar.value = pct;
  // While downloading, the bytes ("3.1 of 10.1 MB"); then the step under way ("starting Python").
  entry.pct.textContent = detail && pct < 100 ? detail : `${pct}%`;
}
runtime.addEventListener("progress", (event) => showProgress(event.detail));

// Set when the page's own start failed (main's catch): its message stays, whatever the runtime does next.
let startFailed = false;

function showState({ state, error }) {
  document.documentElement.dataset.runtime = state;
  if (startFailed) return;
  if (state === "loading") buildBanner();
  if (state === "ready") {
    banner.dataset.state = "ready";
    const v = runtime.versions;
    banner.replaceChildren(
      el(
        "p",
        { class: "banner-title" },
        `Python ${v.python} · NumPy ${v.numpy} · rlplay ${v.rlplay} — running in a Web Worker`,
      ),
    );
    // In an embed every pixel counts: the banner overlays the demo while loading and goes once Python is ready.
    // On the page it stays, in the flow (nothing jumps under the reader's pointer), as a one-line credit.
    if (document.documentElement.matches(".embed, .embed-flow")) banner.hidden = true;
  }
  if (state === "error") {
    // A learner's edited code that hung the worker: restart at once and replay every demo (web/code/recover.js).
    // Another embed on this page found the shared Python worker dead and moved to a new one: follow it, replaying
    // every demo here to its step.
    if (error?.elsewhere) {
      recoverAfterRestartElsewhere(runtime, [...controllers.values()], error);
      return;
    }
    const culprit = editedCodeCulprit([...controllers.values()], error);
    if (culprit) recoverFromEditedCode(runtime, [...controllers.values()], culprit, error);
    else showRuntimeError(error);
  }
}
runtime.addEventListener("state", (event) => showState(event.detail));
// What happened before this module ran: the state the runtime is in, and each stage's latest progress.
if (runtime.state !== "idle") showState({ state: runtime.state, error: runtime.lastError ?? null });
for (const progress of Object.values(runtime.progress)) showProgress(progress);

function showRuntimeError(error) {
  if (error?.kind === "update") {
    banner.dataset.state = "error";
    banner.hidden = false;
    banner.replaceChildren(
      el("p", { class: "banner-title", role: "alert" }, error.message),
      el("button", { type: "button", class: "primary", onclick: () => location.reload() }, "Reload"),
    );
    return;
  }
  // Offline: nothing can be reloaded now; say so, and retry by itself when the network returns.
  if (navigator.onLine === false) {
    banner.dataset.state = "error";
    banner.hidden = false;
    banner.replaceChildren(
      el(
        "p",
        { class: "banner-title", role: "alert" },
        `You are offline, and the Python worker stopped (${error?.message ?? "no answer"}).`,
      ),
      el("p", {}, "It restarts by itself when the network returns; your settings are kept (they live in the URL)."),
      el("button", { type: "button", class: "primary", onclick: () => restartRuntime() }, "Retry now"),
    );
    for (const controller of controllers.values()) {
      controller.playing = false;
      controller.setStatus("error");
    }
    window.addEventListener("online", () => runtime.state === "error" && restartRuntime(), { once: true });
    // With the offline copy (the service worker) the runtime can restart now, without the network: try once.
    if (navigator.serviceWorker?.controller && !showRuntimeError.triedOffline) {
      showRuntimeError.triedOffline = true;
      setTimeout(() => runtime.state === "error" && restartRuntime(), 1000);
    }
    return;
  }
  showRuntimeError.triedOffline = false;
  const isLoad = error?.kind === "load";
  const label = isLoad ? "Retry" : "Restart";
  const title = isLoad ? error.message : `${error?.message ?? "The Python worker failed."}`;
  banner.dataset.state = "error";
  banner.hidden = false;
  banner.replaceChildren(
    el("p", { class: "banner-title", role: "alert" }, title),
    el(
      "p",
      {},
      isLoad
        ? "Check your connection (or that the site was fully deployed), then retry."
        : "Training stopped. Restarting keeps your settings (they live in the URL).",
    ),
    el("button", { type: "button", class: "primary", onclick: () => restartRuntime() }, label),
  );
  for (const controller of controllers.values()) {
    controller.playing = false;
    controller.setStatus("error");
  }
}

async function restartRuntime() {
  // Taken before the worker goes: each demo's run as it happened, to replay (DemoController.restoreRun).
  const plans = [...controllers.values()].map((controller) => [controller, controller.runPlan()]);
  runtime.restart().catch(() => {});
  for (const [controller, plan] of plans) {
    // A run whose own replay crashed the worker again is not replayed a second time: it starts afresh, and says so.
    const again = controller.restoring;
    controller.restoring = !again && plan.units > 0;
    const restored = again ? controller.recover().then(() => null) : controller.restoreRun(plan);
    restored.then((lost) => {
      if (controller.status === "error") return; // stopped again: the next Restart does not replay it a second time
      controller.restoring = false;
      if (!(plan.units > 0) || plan.linkReplay) return; // the link's replay says what it did (web/framework/replay.js)
      const steps = (n) => n.toLocaleString("en-US");
      controller.showNotices([
        lost === null
          ? `The Python worker stopped again while this demo's run was replayed, so it was not replayed a second ` +
            `time: the run to step ${steps(plan.units)} is gone, and this one starts from step ${steps(controller.unitsDone())}.`
          : `The Python worker restarted: this demo's run was replayed to step ${steps(controller.unitsDone())}.${restoreNote(lost)}`,
      ]);
    });
  }
}

// ---- sharing ----------------------------------------------------------------------------------------------

function pageURL(query) {
  return `${location.origin}${location.pathname}?${query}`;
}

function download(name, text, type) {
  const link = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function copyText(text, status, note = "") {
  status.textContent = ""; // the last copy's outcome goes: this one's comes once the clipboard answers
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    // No clipboard permission (e.g. inside a cross-origin iframe): the text is selected in the box instead.
  }
  status.textContent = [copied ? "Copied." : "Copy it from the box.", note].filter(Boolean).join(" ");
}

/** A value inside a double-quoted HTML attribute of the snippet (values are validated, but a snippet is pasted into
 *  someone's HTML: it must not be able to break out of its attribute). */
function attribute(value) {
  return String(value).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The Embed button's text, for a `query` from shareQuery: the one-tag form (with embed.js, sized to its content)
 *  and the plain iframe. */
function embedSnippet(demo, query) {
  const src = pageURL(query);
  const script = new URL("embed.js", import.meta.url).href;
  const attributes = [...new URLSearchParams(query)]
    .filter(([name]) => name !== "embed")
    .map(([name, value]) => ` ${name}="${attribute(value)}"`)
    .join("");
  return [
    "<!-- One tag per demo; embed.js (once per page) sizes it to its content: -->",
    `<script src="${attribute(script)}" defer></script>`,
    `<rl-playground${attributes}></rl-playground>`,
    "",
    "<!-- Or a plain iframe, at a fixed size (works without the script): -->",
    `<iframe src="${attribute(src)}" width="720" height="480" style="border:0;max-width:100%" loading="lazy" title="RL Playground: ${demo}"></iframe>`,
  ].join("\n");
}

function shareTools(controller, registry) {
  const demo = controller.demo;
  const status = el("span", { class: "share-status", role: "status", "aria-live": "polite" });
  const output = el("textarea", {
    class: "share-output",
    readonly: true,
    rows: 3,
    "aria-label": "Shareable text",
    hidden: true,
  });
  const show = (text, note = "") => {
    output.value = text;
    output.hidden = false;
    output.select();
    copyText(text, status, note);
  };
  const buttons = [
    el(
      "button",
      {
        type: "button",
        dataset: { control: "copy-link" },
        onclick: () => {
          const { query, note } = shareQuery(controller, registry);
          show(`${pageURL(query)}#${demo}`, note);
        },
      },
      "Copy link",
    ),
    el(
      "button",
      {
        type: "button",
        dataset: { control: "embed" },
        onclick: () => {
          const { query, note } = shareQuery(controller, registry, { embed: true });
          show(embedSnippet(demo, query), note);
        },
      },
      "Embed",
    ),
    el(
      "button",
      {
        type: "button",
        dataset: { control: "reproduce" },
        // Built only from values Python has validated: until they are there, it waits and says why (web/reproduce.js).
        onclick: async () => {
          const { command, note } = await reproduceFor(controller, {
            note: controller.reproduceNote?.() ?? "",
            onWait: (reason) => {
              status.textContent = reason;
            },
          });
          if (command) show(command, displayText(note));
          else status.textContent = displayText(note);
        },
      },
      "Reproduce in Python",
    ),
    el(
      "button",
      {
        type: "button",
        dataset: { control: "download-json" },
        onclick: () =>
          download(`rlplay-${demo}-run.json`, JSON.stringify(controller.exportRun(), null, 1), "application/json"),
      },
      "Download JSON",
    ),
    el(
      "button",
      {
        type: "button",
        dataset: { control: "download-csv" },
        onclick: () => download(`rlplay-${demo}-run.csv`, controller.exportCSV(), "text/csv"),
      },
      "Download CSV",
    ),
  ];
  const parts = [el("div", { class: "share-buttons" }, buttons), status, output];
  // In an embed every pixel counts: the tools fold into a small "Share" disclosure.
  if (registry.page.embed)
    return el("details", { class: "share", dataset: { control: "share" } }, el("summary", {}, "Share"), ...parts);
  return el("div", { class: "share", dataset: { control: "share" } }, ...parts);
}

// ---- start --------------------------------------------------------------------------------------------------

/** web/params.json or web/contract.json, the seam with Python; a failure names the file. */
async function loadSeam(name, what) {
  const url = new URL(name, import.meta.url);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`Could not load web/${name} (network error: ${error.message}); it lists every ${what}.`);
  }
  if (!response.ok) throw new Error(`Could not load web/${name} (HTTP ${response.status}); it lists every ${what}.`);
  try {
    return await response.json();
  } catch {
    throw new Error(`web/${name} is not valid JSON; the site was not fully deployed.`);
  }
}

/** In a fixed-size embed an opened details is a sheet over the figures (style.css): one at a time, or two sheets
 * (Settings, then Share) lie over each other, the second hiding the first's controls. */
function oneSheetAtATime() {
  document.addEventListener(
    "toggle",
    (event) => {
      const opened = event.target;
      const panel = opened.parentElement;
      if (!opened.open || !panel?.matches(".demo-panel") || !document.documentElement.classList.contains("embed"))
        return;
      for (const other of panel.querySelectorAll(":scope > details[open]")) if (other !== opened) other.open = false;
    },
    true, // toggle does not bubble
  );
}

/**
 * The one demo an embed shows (its demo=, or its lesson scene's demo), read from the link's page fields before any
 * demo module loads; null for the page, or an embed that names none (it shows the whole page). An embed loads only
 * that demo's module and views: three embeds on a blog page each loaded all four demos, on the one main thread
 * their frames share, to remove three of them.
 */
function embeddedDemo(schema, contract) {
  const link = new StateRegistry(schema);
  link.load(location.search); // its notices come again from the page's registry
  if (!link.page.embed) return null;
  return link.page.demo || findScene(contract, link.page.scene)?.demo || null;
}

async function main() {
  if (isIPadSafari()) {
    banner.hidden = false;
    banner.dataset.state = "error";
    banner.replaceChildren(
      el(
        "p",
        { class: "banner-title", role: "alert" },
        "This browser is not supported yet: Pyodide 0.27.7 crashes on iPad Safari. Please use a desktop browser, or Chrome/Firefox on the iPad.",
      ),
    );
    for (const root of document.querySelectorAll("[data-demo]")) root.dataset.status = "error";
    return;
  }
  runtime.start().catch(() => {}); // as early as possible; errors are shown through the "state" event
  // The two generated descriptions of the seam with Python (python -m rlplay schema): configs and snapshots.
  const [schema, contract] = await Promise.all([
    loadSeam("params.json", "setting"),
    loadSeam("contract.json", "snapshot key"),
  ]);
  const modules = {};
  const uiSchema = {};
  const broken = new Map(); // demo -> why its module did not load; the other demos still start
  const sections = [...document.querySelectorAll("[data-demo]")].map((root) => root.dataset.demo);
  const shown = embeddedDemo(schema, contract);
  const pageDemos = [...new Set(sections)].filter(
    (demo) => DEMO_NAME.test(demo) && Object.hasOwn(schema, demo) && (!shown || demo === shown),
  );
  await Promise.all(
    pageDemos.map(async (demo) => {
      try {
        modules[demo] = await controllerModule(demo);
        uiSchema[demo] = modules[demo].default.uiFields ?? [];
      } catch (error) {
        broken.set(demo, error);
      }
    }),
  );
  // A demo module whose files all load when asked again: its requests were aborted on the way (web/boot.js).
  if ([...broken.values()].some((error) => error.everyFileLoads) && globalThis.rlplayBoot?.retryOnce()) return;
  const registry = new StateRegistry(schema, uiSchema);
  const notices = registry.load(location.search);
  page.lesson = findScene(contract, registry.page.scene); // ?scene=NAME: a lesson's declared setup (web/scenes.js)
  if (page.lesson) applyScene(registry, page.lesson);
  const focus = registry.page.demo;
  if (registry.page.embed) {
    document.documentElement.classList.add("embed");
    oneSheetAtATime();
    startEmbedFrame();
    if (!focus) notices.push("embed=1 needs demo= one of the page's demos; showing the whole page.");
  }
  for (const root of document.querySelectorAll("[data-demo]")) {
    const demo = root.dataset.demo;
    if (registry.page.embed && focus && demo !== focus) root.closest("section")?.remove();
    else if (broken.has(demo)) {
      root.dataset.status = "error";
      // "The other demos still work" only when one does (a shared view or chart breaks them all).
      const others = registry.page.embed ? [] : pageDemos.filter((d) => d !== demo && !broken.has(d));
      (root.querySelector(".demo-panel") ?? root).append(
        moduleFailure(`The ${demo} demo could not start`, broken.get(demo), {
          more: others.length ? "The other demos still work." : "",
        }),
      );
    }
  }
  Object.assign(page, { registry, modules, broken, contract });
  const noticesFor = await mountDemos(notices);
  presenter.install();
  if (!registry.page.embed) bindShowMe();
  presenter.sync(); // present=1: the link's demo on the whole screen
  // Exposed for the end-to-end tests and for curious readers in the console.
  // The documented test hook is inspect(demo): a plain object (see DemoController.inspect); the rest may change.
  window.rlplay = {
    runtime,
    registry,
    controllers,
    contract,
    widgets: new Map(),
    inspect: (demo) => controllers.get(demo)?.inspect() ?? null,
    open,
  };
  // Lesson widgets (the PPO clip explorer): drawn now with a loading note; each follows the runtime's "state"
  // events, so it computes its curves once Python is ready, and again after a Restart or a Retry.
  if (!registry.page.embed) {
    for (const root of document.querySelectorAll('[data-widget="ppo-clip"]')) {
      try {
        const { PpoClipExplorer } = await importModule(new URL("./widgets/ppo_clip.js", import.meta.url));
        window.rlplay.widgets.set("ppo-clip", new PpoClipExplorer({ root, runtime }).mount());
      } catch (error) {
        // The lesson's figure is missing; the demos still start.
        root.append(moduleFailure("The PPO clip explorer could not start", error));
      }
    }
  }
  // A start that already failed (a missing file; the runtime starts before this module runs) is shown with Retry,
  // and by the demos mounted since: starting again behind the reader's back would replace that message while they
  // read it. Retry replays each demo (restartRuntime), which makes its driver.
  if (runtime.state === "error") {
    for (const controller of controllers.values()) controller.setStatus("error");
    return;
  }
  try {
    await runtime.start();
  } catch {
    return; // the banner shows the error and offers Retry
  }
  // now, not earlier: precaching must not compete with the first load; an embed leaves the deploy check to the browser
  registerOffline(banner, { checkForDeploy: !registry.page.embed });
  for (const [demo, controller] of controllers)
    controller.create({ notices: noticesFor.get(demo) ?? [] }).then(() => startLesson(controller));
  page.sceneStudy?.start();
}

// ---- the demos on the page, and opening another setup without reloading --------------------------------------

/** Mount a controller on every demo root the page has (from the registry's state) and put the link's notices where
 *  they belong: next to the demo it opens, else at the top of the page. Returns each demo's notices for create(). */
async function mountDemos(notices) {
  const { registry, modules, broken, contract } = page;
  const focus = registry.page.demo;
  for (const root of document.querySelectorAll("[data-demo]")) {
    const demo = root.dataset.demo;
    if (broken.has(demo) || !modules[demo]) continue; // its error box stays, from the first load
    const Controller = modules[demo].default;
    const controller = new Controller({ root, runtime, registry, contract: contract[demo] });
    controller.mount();
    root.querySelector(".demo-panel")?.append(shareTools(controller, registry));
    controller.applyHide();
    controllers.set(demo, controller);
  }
  // Edited code in the link that no Code panel will show (an embed, another demo, an unreadable link) is reported.
  const codeNotice = await codeLinkNotice(registry.page.code, {
    focus,
    embed: registry.page.embed,
    demos: [...controllers.keys()],
  });
  if (codeNotice) notices.push(codeNotice);
  // A scene (?scene=NAME): the parameter study of that name opens where its demo offers it, and starts once the
  // demos are created. The names come from web/contract.json (rlplay.studies), not from a list here.
  page.sceneStudy = null;
  if (registry.page.scene && !page.lesson) {
    const host = [...controllers.values()].find((c) => c.studyPanels?.some((s) => s.name === registry.page.scene));
    page.sceneStudy = host?.openScene(registry.page.scene) ?? null;
    if (!page.sceneStudy)
      notices.push(`Ignored scene=“${displayText(registry.page.scene, 40)}”: no demo on this page offers it.`);
  }
  const noticesFor = new Map();
  if (notices.length && focus && !registry.page.embed && controllers.has(focus)) {
    noticesFor.set(focus, notices.splice(0));
    controllers.get(focus).showNotices(noticesFor.get(focus));
  }
  const box = document.getElementById("page-notices");
  box.replaceChildren(...notices.map((text) => el("p", { class: "notice" }, text)));
  box.hidden = !notices.length;
  if (notices.length) {
    box.append(
      el(
        "button",
        {
          type: "button",
          class: "notice-dismiss",
          "aria-label": "Dismiss these notices",
          onclick: () => {
            box.hidden = true;
          },
        },
        "×",
      ),
    );
  }
  // A demo's own page (gridworld.html, made by build.py for link previews) opens at that demo.
  const pageDemo = document.querySelector('meta[name="rlplay-demo"]')?.content;
  if ((focus || pageDemo) && !registry.page.embed && !page.sceneStudy)
    document.getElementById(focus || pageDemo)?.scrollIntoView();
  return noticesFor;
}

/**
 * window.rlplay.open(query): switch the page to another setup, as the link `?query` would, on the live Python
 * runtime and without reloading. Every controller is unmounted (DemoController.unmount), the registry reads the
 * query afresh (the URL becomes it), a new controller is mounted on each demo and its driver created fresh in the
 * worker (replaying a link's steps=). Resolves once every demo's create has finished; calls run one after another.
 * An embed is a first load, with its own page around it: open() refuses to switch into or out of one.
 */
function open(query = "") {
  const run = opening.then(() => openNow(String(query).replace(/^\?/, "")));
  opening = run.catch(() => {});
  return run;
}

/** The open scene's command, once its demo's driver exists (web/scenes.js). */
async function startLesson(controller) {
  const scene = page.lesson;
  if (!scene || scene.demo !== controller.demo || controller.status === "error") return;
  await startScene(controller, scene);
}

/** A "Show me" button in the lesson text opens its scene (on the live runtime) and goes to its demo. */
function bindShowMe() {
  for (const button of document.querySelectorAll("button[data-scene]")) {
    const scene = findScene(page.contract, button.dataset.scene);
    if (!scene) {
      button.hidden = true; // no such scene declared in this build
      continue;
    }
    button.title = scene.claim;
    button.addEventListener("click", async () => {
      await open(`scene=${encodeURIComponent(scene.name)}`);
      document.getElementById(scene.demo)?.scrollIntoView({ block: "start" });
    });
  }
}

/** Present mode's → and ←: the demo's next or previous scene, opened on the whole screen. */
function stepScene(demo, step) {
  const names = sceneNames(page.contract, demo);
  if (!names.length) return false;
  const current = names.indexOf(controllers.get(demo)?.scene ?? "");
  const next = names[(current + step + names.length + (current < 0 && step < 0 ? 1 : 0)) % names.length];
  open(`scene=${encodeURIComponent(next)}&present=1`);
  return true;
}

async function openNow(search) {
  if (page.registry.page.embed || new URLSearchParams(search).has("embed"))
    throw new Error("open() does not switch into or out of an embed (a first load): navigate to it instead");
  await page.started;
  for (const controller of controllers.values()) controller.unmount();
  controllers.clear();
  page.registry.reset();
  const notices = page.registry.load(search);
  page.lesson = findScene(page.contract, page.registry.page.scene);
  if (page.lesson) applyScene(page.registry, page.lesson);
  history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
  const noticesFor = await mountDemos(notices);
  presenter.install(); // the remounted roots' Present buttons
  presenter.sync();
  await Promise.all(
    [...controllers].map(([demo, controller]) =>
      controller.create({ notices: noticesFor.get(demo) ?? [] }).then(() => startLesson(controller)),
    ),
  );
  page.sceneStudy?.start();
}

main()
  .finally(() => page.markStarted())
  .catch((error) => {
    startFailed = true;
    banner.hidden = false;
    banner.dataset.state = "error";
    banner.replaceChildren(
      el("p", { class: "banner-title", role: "alert" }, `The page failed to start: ${error.message}`),
      el("button", { type: "button", class: "primary", onclick: () => location.reload() }, "Retry"),
    );
    if (self.origin === "null") {
      // A sandboxed frame without allow-same-origin, on a server that allows CORS for the page but not for the rest.
      banner.append(
        el("p", {}, "This page is in a sandboxed frame without allow-same-origin: it cannot load Python there."),
        el(
          "a",
          { href: globalThis.rlplayBoot?.fullPageURL() ?? location.href, target: "_blank", rel: "noopener" },
          "Open the full page",
        ),
      );
    }
    for (const root of document.querySelectorAll("[data-demo]")) root.dataset.status = "error";
  });
