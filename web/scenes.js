// Scenes on the page (issue 24): `?scene=NAME` opens a lesson's setup and starts it. The declaration is Python's
// (rlplay.core.scene, each demo's scenes.py), read from web/contract.json's `scenes`; nothing here copies it.
// The registry takes the scene's settings, overlays (switched on), hidden switches (off) and speed before the demo's driver is created, so the run is
// the scene's from step 0; a scene with `steps` replays to that step and pauses (the page's steps=), one with a
// `command` runs it once the driver exists (the demo's startScene, or the command itself), the rest play.
// Afterwards the setup is the user's: Copy link writes the settings as they are then.

/** The scene named `name` in any demo's part of the contract, or null. */
export function findScene(contract, name) {
  if (!name) return null;
  for (const part of Object.values(contract ?? {})) {
    const scenes = part?.scenes;
    if (scenes && Object.hasOwn(scenes, name)) return scenes[name];
  }
  return null;
}

/** The names of a demo's scenes, in their declared order. */
export function sceneNames(contract, demo) {
  return Object.keys(contract?.[demo]?.scenes ?? {});
}

/** Put a scene's setup into the registry (before the demo's controller creates its driver). Returns the overlays
 *  the demo has no field for (shown by the page otherwise, e.g. the PPO clip explorer). */
export function applyScene(registry, scene) {
  const demo = scene.demo;
  // What the link set itself wins: a link copied after changing a scene's setup names the scene and the changes,
  // and opens on the changes (the scene's values once overwrote them, and its steps the link's).
  const given = (key) => registry.given?.has(key) ?? false;
  for (const [name, value] of Object.entries(scene.settings ?? {}))
    if (!given(`${demo}.${name}`)) registry.set(demo, name, value, { source: "scene" });
  const elsewhere = [];
  for (const name of scene.overlays ?? []) {
    if (registry.field(demo, name)?.type !== "bool") elsewhere.push(name);
    else if (!given(`${demo}.${name}`)) registry.set(demo, name, true, { source: "scene" });
  }
  for (const name of scene.hidden ?? [])
    if (registry.field(demo, name)?.type === "bool" && !given(`${demo}.${name}`))
      registry.set(demo, name, false, { source: "scene" });
  if (scene.speed && !given(`${demo}.speed`)) registry.set(demo, "speed", scene.speed, { source: "scene" });
  // A default that follows another field (a rule's own α) and that neither the link nor the scene sets follows the
  // scene's choice, as the CLI's --scene does.
  const kept = new Set([
    ...(registry.given ?? []),
    ...Object.keys(scene.settings ?? {}).map((name) => `${demo}.${name}`),
  ]);
  registry.followDefaults(demo, kept);
  if (!registry.page.demo) registry.page.demo = demo;
  if (given("page.steps")) return elsewhere;
  if (scene.steps > 0) registry.page.steps = scene.steps;
  else if (!scene.command) registry.page.autoplay = true;
  return elsewhere;
}

/** Start a scene's command once its demo's driver exists: the demo's own startScene when it has one (a panel to
 *  open, a comparison to drive), else the bridge command itself. */
export async function startScene(controller, scene) {
  controller.scene = scene.name;
  if (!scene.command) return;
  if (controller.startScene) await controller.startScene(scene);
  else await controller.command(scene.command.name, { args: scene.command.args ?? {} });
}
