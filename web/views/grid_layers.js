// The gridworld's value layers: which are shown, where each sits in a cell, and the one colour scale they share.
// Pure functions of the data (no DOM), so GridView, the legend and the unit tests (tests/js/grid_layers.test.js)
// read the same answer.
//
// A cell with every value layer on, from the outside in:
//   ┌───────────┐  frame:     learned V(s) = max_a Q(s,a), a band FRAME wide around the triangles
//   │ ╲  up   ╱ │  triangles: Q(s,a), one per action (0 up, 1 down, 2 left, 3 right), between the frame and the centre
//   │left ▣ rt. │  centre:    value iteration's V*(s), a square CENTRE wide each side of the middle, framed in the
//                 page colour (gold belongs to the optimal path and the goal)
//   │ ╱ down  ╲ │
//   └───────────┘
// A layer alone fills the whole cell, as before the layers combined. All colours come from one domain, so learned V
// and V* compare directly: the same colour is the same number.

export const FRAME = 0.16; // width of the learned V(s) band, as a fraction of the cell
export const CENTRE = 0.2; // half the side of the V*(s) square, as a fraction of the cell
export const MIN_DOMAIN = 1e-3; // below this spread the colours stay neutral (nothing learned yet)

export const LAYER_NAMES = { q: "Q(s, a)", v: "V(s)", vstar: "V*(s)" };
export const PLACE_NAMES = {
  cell: "whole cell",
  triangles: "triangles",
  frame: "cell border",
  centre: "centre square",
};

/**
 * The colour range for `values` (only the entries whose index `use(i)` accepts): symmetric ±max|v| if they have
 * both signs, else [min, max] (with 0 at the neutral end when all lie on one side of it).
 * valueDomain([-2, 1]) → {lo: -2, hi: 2}; valueDomain([-100, -13]) → {lo: -100, hi: -13}
 */
export function valueDomain(values, use = () => true) {
  const range = valueRange(values, use);
  if (!range) return { lo: -1, hi: 1 };
  const { lo, hi } = range;
  if (lo < 0 && hi > 0) {
    const d = Math.max(-lo, hi, MIN_DOMAIN);
    return { lo: -d, hi: d };
  }
  if (hi - lo < MIN_DOMAIN)
    return lo >= 0 ? { lo: 0, hi: Math.max(hi, MIN_DOMAIN) } : { lo: Math.min(lo, -MIN_DOMAIN), hi: 0 };
  return { lo, hi };
}

/**
 * The smallest and largest finite entry whose index `use(i)` accepts, or null when there is none.
 * valueRange([3, -1, NaN, 2]) → {lo: -1, hi: 3}; valueRange([5, 1], (i) => i > 0) → {lo: 1, hi: 1}
 */
export function valueRange(values, use = () => true) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (!use(i) || !Number.isFinite(values[i])) continue;
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  return hi >= lo ? { lo, hi } : null;
}

/** The states' values max_a Q(s,a) of a flat (states × 4) table: what the V(s) layer and the triangles' scale use. */
export function stateValues(Q) {
  const n = Math.floor(Q.length / 4);
  const best = new Float64Array(n);
  for (let s = 0; s < n; s++) best[s] = Math.max(Q[s * 4], Q[s * 4 + 1], Q[s * 4 + 2], Q[s * 4 + 3]);
  return best;
}

/**
 * What the grid draws for `show` ({q, values, optimal}: Q triangles, learned V, V*) given flat arrays `Q`
 * (states × 4) and `V_star` (states), on the open cells `open(s)`:
 *   layers:  [{name: "q" | "v" | "vstar", place, lo, hi}], in drawing order, each with the range of its numbers
 *            (Q: every action's value; V and V*: the states' values);
 *   domain:  the shared colour scale {lo, hi} over the states' values of every layer shown (worse actions below it,
 *            e.g. into the cliff, show at full strength), or null when no value layer is shown;
 *   inset:   how far in from the cell's edge the Q triangles start (FRAME when V(s) frames them, else 0);
 *   centre:  the V* square's half side (0 when V* is not a centre square);
 *   numbers: the layer whose value is written in each cell (only a single layer that fills the cell), or null;
 *   arrows:  "greedy" (argmax Q) when a learned layer is shown or none is, "optimal" (π*) with V* alone.
 * gridLayers({q: true, values: true, optimal: true}, {Q, V_star}, open).layers.map((l) => l.place)
 *   → ["frame", "triangles", "centre"]
 */
export function gridLayers(show, { Q = null, V_star = null } = {}, open = () => true) {
  const wantQ = Boolean(show.q && Q);
  const wantV = Boolean(show.values && Q);
  const wantStar = Boolean(show.optimal && V_star);
  const learned = wantQ || wantV;
  const layers = [];
  let best = null;
  const states = () => {
    best ??= stateValues(Q);
    return best;
  };
  if (wantV) layers.push({ name: "v", place: wantQ ? "frame" : "cell", ...valueRange(states(), open) });
  if (wantQ) layers.push({ name: "q", place: "triangles", ...valueRange(Q, (i) => open(Math.floor(i / 4))) });
  if (wantStar) layers.push({ name: "vstar", place: learned ? "centre" : "cell", ...valueRange(V_star, open) });
  let domain = null;
  if (layers.length) {
    const pooled = learned && wantStar ? Float64Array.from([...states(), ...V_star]) : learned ? states() : V_star;
    const n = learned ? states().length : V_star.length;
    domain = valueDomain(pooled, (i) => open(i % n));
  }
  const fills = layers.filter((layer) => layer.place === "cell");
  return {
    layers,
    domain,
    inset: wantQ && wantV ? FRAME : 0,
    centre: wantStar && learned ? CENTRE : 0,
    numbers: layers.length === 1 && fills.length === 1 ? fills[0].name : null,
    arrows: wantStar && !learned ? "optimal" : "greedy",
  };
}

/**
 * One line of the legend per layer: "V*(s), centre square: −8.1 to 0". `format` writes a number.
 * layerText({name: "q", place: "triangles", lo: -2, hi: 1}) → "Q(s, a), triangles: −2 to 1"
 * layerText({name: "q", place: "triangles", lo: 0, hi: 0}) → "Q(s, a), triangles: all 0" (before any learning)
 */
export function layerText(layer, format = (v) => String(v)) {
  const signed = (v) => format(v).replace("-", "−");
  const [lo, hi] = Number.isFinite(layer.lo) ? [signed(layer.lo), signed(layer.hi)] : [];
  const range = lo === undefined ? "nothing yet" : lo === hi ? `all ${lo}` : `${lo} to ${hi}`;
  return `${LAYER_NAMES[layer.name]}, ${PLACE_NAMES[layer.place]}: ${range}`;
}
