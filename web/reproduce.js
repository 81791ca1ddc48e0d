// "Reproduce in Python": the shell command that installs rlplay from the wheel this site serves and replays a run
// natively, with the same figures as the page.
//
//   python3 -m venv rlplay-env && rlplay-env/bin/pip install --quiet https://site/wheels/<hash>/rlplay-0.1.0-py3-none-any.whl
//     && rlplay-env/bin/python -m rlplay gridworld --steps=1200 --seed=3 --alpha=0.2        (one line)
//
// The command is pasted into a shell, so it is hostile-input territory. One rule, safe in bash, dash, zsh and fish:
// every word matches SAFE_WORD (letters, digits and . _ / : + = -, never first =), which none of those shells
// expands, splits or quotes, so no quoting is needed at all; a word that does not match is refused, never quoted.
// The values come only from Python: each snapshot carries `reproduce_args`, the config fields Python has validated
// and checked against the same character set (rlplay/core/reproduce.py). Until Python has answered, the builder
// waits or says why. Notes (a run edited mid-way) go beside the command, never into it: an interactive zsh has no
// comments by default, so a "# …" line would run.

const SAFE_WORD = /^[A-Za-z0-9._/:+-][A-Za-z0-9._/:+=-]*$/;
const SAFE_VALUE = /^[A-Za-z0-9._:+-]+$/; // what Python promises for each value (rlplay/core/reproduce.py)
const NAME = /^[a-z][a-z0-9_]*$/;
const ENV = "rlplay-env";
const WAIT_MS = 3000; // how long the button waits for a setting change to reach Python before saying so

export class UnsafeWordError extends Error {}

/** A word for the command, unchanged: shellWord("--seed=3") === "--seed=3". Throws for anything a shell reads. */
export function shellWord(value) {
  const text = String(value);
  if (!SAFE_WORD.test(text)) throw new UnsafeWordError(`not safe in a shell command: ${JSON.stringify(text)}`);
  return text;
}

/**
 * The one-line command, from Python-validated `args` ([name, value] pairs), the run's step count and the wheel's
 * URL. commandLine({demo: "bandit", args: [["seed", "2"]], steps: 500, wheel: "https://x/w/rlplay.whl"})
 * -> "python3 -m venv rlplay-env && rlplay-env/bin/pip install --quiet https://x/w/rlplay.whl && rlplay-env/bin/python -m rlplay bandit --steps=500 --seed=2"
 */
export function commandLine({ demo, args, steps, wheel, load = "" }) {
  if (!Number.isSafeInteger(steps) || steps < 0) throw new UnsafeWordError(`steps must be a whole number: ${steps}`);
  const run = [`${ENV}/bin/python`, "-m", "rlplay", demo, `--steps=${steps}`];
  // A run that started from an agent: the agent file holds its settings, and `args` are those changed since the
  // load (Python's reproduce_args say so: rlplay/core/reproduce.py), applied over them; then `steps` more.
  if (load) run.push(`--load=${load}`);
  for (const [name, value] of args) {
    if (!NAME.test(name) || !SAFE_VALUE.test(value))
      throw new UnsafeWordError(`not a validated setting: ${JSON.stringify(`${name}=${value}`)}`);
    run.push(`--${name}=${value}`);
  }
  if (!NAME.test(demo)) throw new UnsafeWordError(`not a demo name: ${JSON.stringify(demo)}`);
  const parts = [["python3", "-m", "venv", ENV], [`${ENV}/bin/pip`, "install", "--quiet", wheel], run];
  return parts.map((words) => words.map(shellWord).join(" ")).join(" && ");
}

// ---- the wheel this site serves (manifest.json, written by build.py) ----------------------------------------

let wheelPromise = null;
let knownWheel = null;

/** {url, file}: the wheel's absolute URL if it is a safe shell word, else null (then the note links to it). */
export function siteWheel() {
  wheelPromise ??= fetch(new URL("../manifest.json", import.meta.url), { cache: "no-cache" })
    .then((response) => {
      if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
      return response.json();
    })
    .then((manifest) => {
      const href = new URL(String(manifest.rlplay_wheel), new URL("../", import.meta.url)).href;
      const file = href.split("/").pop();
      knownWheel = { href, url: SAFE_WORD.test(href) && /^https?:\/\//.test(href) ? href : null, file };
      return knownWheel;
    });
  return wheelPromise;
}

// ---- from a controller ----------------------------------------------------------------------------------------

function sameValue(a, b) {
  const x = Number(a);
  const y = Number(b);
  if (String(a).trim() !== "" && String(b).trim() !== "" && Number.isFinite(x) && Number.isFinite(y)) return x === y;
  if (typeof a === "boolean" || typeof b === "boolean")
    return String(a === true || a === "True") === String(b === true || b === "True");
  return String(a) === String(b);
}

/** Names of the Python fields whose page value Python has not taken yet (a change still on its way). */
export function pendingFields(controller) {
  const config = controller.snapshot?.config ?? {};
  const page = controller.registry.pythonParams(controller.demo);
  return Object.keys(page).filter((name) => Object.hasOwn(config, name) && !sameValue(page[name], config[name]));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The command for a controller's current run, once Python has validated its values. `onWait(reason)` is told why
 * it waits. Returns {command, note} or {command: "", note: why there is none}.
 */
export async function reproduceFor(controller, { onWait = () => {}, note = "" } = {}) {
  const started = performance.now();
  for (;;) {
    const status = controller.status;
    if (status === "error") return { command: "", note: "Python is not running: restart it, then ask again." };
    if (status !== "loading" && controller.snapshot && !controller.snapshot.reproduce_args)
      return { command: "", note: "This run's settings cannot be written as a command that is safe to paste." };
    const pending = controller.snapshot ? pendingFields(controller) : [];
    const ready = controller.snapshot?.reproduce_args && status !== "loading" && !pending.length;
    if (ready) break;
    if (status !== "loading" && controller.snapshot?.reproduce_args && performance.now() - started > WAIT_MS) {
      note = `${note} Python has not taken the new ${pending.join(", ")} yet: the command uses the values it runs with.`;
      break;
    }
    onWait(
      status === "loading"
        ? "Waiting for Python: the command is built from the settings Python has checked."
        : "Waiting for Python to check the new settings…",
    );
    await sleep(100);
  }
  const wheel = await siteWheel().catch(() => null);
  if (!wheel)
    return { command: "", note: "The site's manifest.json could not be read, so the wheel's address is unknown." };
  try {
    const start = controller.reproduceStart?.() ?? null;
    if (start?.note) note = `${note} ${start.note}`;
    const command = commandLine({
      demo: controller.demo,
      args: controller.snapshot.reproduce_args,
      steps: controller.unitsDone(),
      wheel: wheel.url ?? wheel.file,
      load: start?.load ?? "",
    });
    const download = wheel.url ? "" : ` First download the wheel from ${wheel.href} into this folder.`;
    if (controller.snapshot.reproduce_edited_code)
      note = `${note} Your edited code runs on the page; the command runs rlplay's own code, so its numbers differ.`;
    const windows = ` On Windows, use ${ENV}\\Scripts\\ for ${ENV}/bin/.`;
    return { command, note: `${note}${download}${windows}`.trim() };
  } catch (error) {
    if (!(error instanceof UnsafeWordError)) throw error;
    return { command: "", note: `No command: ${error.message}.` };
  }
}

/** The same command without waiting (for a downloaded run's record); "" when Python's values are not there yet. */
export function reproduceNow(controller, wheel = knownWheel) {
  if (!wheel) siteWheel().catch(() => {});
  const args = controller.snapshot?.reproduce_args;
  if (!args || !wheel) return "";
  try {
    const load = controller.reproduceStart?.()?.load ?? "";
    return commandLine({
      demo: controller.demo,
      args,
      steps: controller.unitsDone(),
      wheel: wheel.url ?? wheel.file,
      load,
    });
  } catch {
    return "";
  }
}
