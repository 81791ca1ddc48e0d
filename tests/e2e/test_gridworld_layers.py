"""The gridworld's overlays combine (issue 13): with Q triangles, the learned V(s), V*, the greedy path and the
optimal path all on, after training to the optimal path, each is drawn in its own place and the legend states each
value layer's range; old links (show_values=1, show_optimal=1) still show what they showed.

Oracles: the snapshot's Q and V* (each layer's range, recomputed here; cells with equal V* must get equal centre
colours, the frame is V(s) = max_a Q(s,a) so it matches the greedy action's triangle), the snapshot's optimal path (a
dashed gold line along it) and greedy path (a solid line along it). Pixels are read from the canvas at fractions of
a cell (the view's geometry from inspect); what the view drew is read from window.rlplay.inspect only.
"""

from __future__ import annotations

import re

import pytest
from helpers import demo_root, open_setup, stat, wait_until

DEMO = "gridworld"
LEARN_BUDGET_STEPS = 5_000  # natively, the default run's greedy path is optimal from step 1,500 on
HANG_GUARD_S = 120  # only a wedged page takes this long; not a speed target
FRAME_PROBE = 0.08  # cells from the edge: inside the V(s) border (FRAME = 0.16), clear of the cell border line
TRIANGLE_PROBE = 0.22  # cells from the edge: inside a Q triangle, between the border and V*'s square
CENTRE_PROBE = 0.13  # cells from the middle, diagonally: inside V*'s square, clear of the axis-aligned arrows


@pytest.fixture
def page(app):
    """This file's tests share the session's booted page (tests/conftest.py: app); each opens its setup with
    open_setup, which checks that it starts clean."""
    return app


def inspect(page) -> dict:
    return page.evaluate('() => window.rlplay.inspect("gridworld")')


def pixels(page, points) -> list[tuple[int, int, int]]:
    """RGB of the grid canvas at CSS pixels [(x, y), ...] of the canvas."""
    return [
        tuple(p)
        for p in page.evaluate(
            """(points) => {
                const canvas = document.querySelector('[data-demo="gridworld"] canvas.gw-grid');
                const ratio = canvas.width / canvas.clientWidth;
                const context = canvas.getContext("2d");
                return points.map(([x, y]) =>
                    Array.from(context.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data).slice(0, 3));
            }""",
            [list(p) for p in points],
        )
    ]


def css_color(page, name: str) -> tuple[int, int, int]:
    text = page.evaluate(f"() => getComputedStyle(document.documentElement).getPropertyValue('{name}').trim()")
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", text), text
    return tuple(int(text[i : i + 2], 16) for i in (1, 3, 5))


def near(a, b, tolerance: int) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def layer_numbers(text: str) -> list[float]:
    """The numbers of a legend entry ("V(s), cell border: −0.87 to 0.91"), after its colon."""
    return [float(n.replace("−", "-")) for n in re.findall(r"[−-]?\d+(?:\.\d+)?", text.split(":", 1)[1])]


def test_all_overlays_on_draw_each_layer_in_its_place_and_the_legend_states_their_ranges(page):
    open_setup(page, "demo=gridworld&speed=max&autoplay=1")
    root = demo_root(page, DEMO)
    wait_until(
        lambda: stat(page, DEMO, "steps") >= LEARN_BUDGET_STEPS, HANG_GUARD_S, message=f"{LEARN_BUDGET_STEPS} steps"
    )
    root.get_by_role("button", name="Pause").click()
    wait_until(lambda: not inspect(page)["inFlight"], 10, message="the last answer in")
    assert stat(page, DEMO, "greedy-path-length") == stat(page, DEMO, "optimal-path-length") == 14

    # Every overlay on, as a user turns them on: each is a labelled checkbox.
    assert root.get_by_label("Q triangles").is_checked() and root.get_by_label("greedy path").is_checked()
    for label in ("V(s) heatmap", "V* (value iteration)", "optimal path", "greedy ≠ optimal"):
        root.get_by_label(label).check()
    # The trail's dots sit on the paths wherever the paused episode went: off, so the lines can be read everywhere.
    root.get_by_label("trail").uncheck()
    page.wait_for_timeout(200)
    seen = inspect(page)
    layers = seen["layers"]
    assert [(layer["name"], layer["place"]) for layer in layers["layers"]] == [
        ("v", "frame"),
        ("q", "triangles"),
        ("vstar", "centre"),
    ]
    assert layers["paths"] == ["optimal", "greedy"]
    assert layers["arrows"] == "greedy"

    # The ranges, from the snapshot: Q over every action of the open cells, V = max_a Q and V* over the open cells.
    snapshot = seen["snapshot"]
    layout = snapshot["layout"]
    rows, cols = layout["rows"], layout["cols"]
    closed = {r * cols + c for r, c in layout["walls"] + layout.get("cliff", [])} | {
        layout["goal"][0] * cols + layout["goal"][1]
    }
    open_cells = [s for s in range(rows * cols) if s not in closed]
    Q = snapshot["Q"]["data"]
    V_star = snapshot["V_star"]["data"]
    V = {s: max(Q[4 * s : 4 * s + 4]) for s in open_cells}
    expected = {
        "v": (min(V.values()), max(V.values())),
        "q": (
            min(Q[4 * s + a] for s in open_cells for a in range(4)),
            max(Q[4 * s + a] for s in open_cells for a in range(4)),
        ),
        "vstar": (min(V_star[s] for s in open_cells), max(V_star[s] for s in open_cells)),
    }
    for layer in layers["layers"]:
        assert (layer["lo"], layer["hi"]) == expected[layer["name"]], layer["name"]
    # One colour scale for all: it covers V and V* (the states' values), so the same colour is the same number.
    pooled = [*V.values(), *(V_star[s] for s in open_cells)]
    domain = layers["domain"]
    assert domain["lo"] <= min(pooled) and domain["hi"] >= max(pooled)
    assert min(pooled) in (domain["lo"], -domain["hi"]) or max(pooled) in (domain["hi"], -domain["lo"])

    # The legend names each layer with its range (2 decimals), and the grid's text alternative says what is shown.
    legend = root.locator('[data-legend="layers"]')
    for name, words in (
        ("v", "V(s), cell border"),
        ("q", "Q(s, a), triangles"),
        ("vstar", "V*(s), centre square"),
    ):
        text = legend.locator(f'[data-layer="{name}"]').text_content()
        assert text.startswith(words), text
        lo, hi = layer_numbers(text)
        assert abs(lo - expected[name][0]) <= 0.005 + 1e-9 and abs(hi - expected[name][1]) <= 0.005 + 1e-9, text
    described = root.locator("canvas.gw-grid").get_attribute("aria-describedby").split()
    shown = page.locator(f"#{described[0]}").text_content()
    for words in (
        "V(s), cell border",
        "Q(s, a), triangles",
        "V*(s), centre square",
        "one colour scale",
        "greedy path (solid line)",
        "optimal path (dashed gold line)",
        "not optimal (red outline)",
    ):
        assert words in shown, (words, shown)

    # Where to look: open cells off both paths, away from the agent, not outlined as differing.
    grid = seen["grid"]
    size, x0, y0 = grid["size"], grid["x0"], grid["y0"]
    greedy_path = snapshot["greedy_path"]["data"]
    optimal_path = snapshot["optimal_path"]["data"]
    on_paths = {greedy_path[i] * cols + greedy_path[i + 1] for i in range(0, len(greedy_path), 2)}
    on_paths |= {optimal_path[i] * cols + optimal_path[i + 1] for i in range(0, len(optimal_path), 2)}
    busy = {snapshot["agent"][0] * cols + snapshot["agent"][1]}
    differs = snapshot["differs"]["data"]
    start = layout["start"][0] * cols + layout["start"][1]
    quiet = [s for s in open_cells if s not in on_paths | busy and not differs[s] and s != start]
    assert len(quiet) >= 6, quiet

    def at(s: int, fx: float, fy: float) -> tuple[float, float]:
        return x0 + (s % cols + fx) * size, y0 + (s // cols + fy) * size

    # V(s) border: one colour all round, the colour of the greedy action's triangle (V = max_a Q); the worst
    # action's triangle, far below it, is another colour.
    f, t = FRAME_PROBE, TRIANGLE_PROBE
    spread = sorted(quiet, key=lambda s: max(Q[4 * s : 4 * s + 4]) - min(Q[4 * s : 4 * s + 4]), reverse=True)
    for s in spread[:3]:
        q = Q[4 * s : 4 * s + 4]
        if q.count(max(q)) > 1:
            continue
        frame = pixels(page, [at(s, 0.5, f), at(s, 0.5, 1 - f), at(s, f, 0.5), at(s, 1 - f, 0.5)])
        triangles = pixels(
            page, [at(s, 0.5, t), at(s, 0.5, 1 - t), at(s, t, 0.5), at(s, 1 - t, 0.5)]
        )  # up down left right
        assert len(set(frame)) == 1, (s, frame)
        assert triangles[q.index(max(q))] == frame[0], (s, q, frame, triangles)
        assert triangles[q.index(min(q))] != frame[0], (s, q, frame, triangles)
        break
    else:
        raise AssertionError("no cell with a single best action off the paths")

    # V*(s): the centre square's colour depends on V* only: equal V*, equal colour; far apart, not.
    gold = css_color(page, "--gold")
    c = 0.5 + CENTRE_PROBE
    centre = dict(zip(quiet, pixels(page, [at(s, c, c) for s in quiet]), strict=True))
    pairs = [(a, b) for a in quiet for b in quiet if a < b and V_star[a] == V_star[b]]
    assert pairs, "no two quiet cells with equal V*"
    for a, b in pairs:
        assert centre[a] == centre[b], (a, b, centre[a], centre[b])
    low, high = min(quiet, key=lambda s: V_star[s]), max(quiet, key=lambda s: V_star[s])
    assert V_star[high] - V_star[low] > 0.05 * (domain["hi"] - domain["lo"])  # far apart on the scale
    assert centre[low] != centre[high], (V_star[low], V_star[high], centre[low])

    # The optimal path: dashed gold, a tenth of a cell above and left of the cells' centres (the gold goal left out).
    goal = layout["goal"][0] * cols + layout["goal"][1]
    samples = []
    for i in range(0, len(optimal_path) - 2, 2):
        (r1, c1), (r2, c2) = optimal_path[i : i + 2], optimal_path[i + 2 : i + 4]
        if (busy | {goal}) & {r1 * cols + c1, r2 * cols + c2}:
            continue
        for k in range(1, 20):
            u = k / 20
            samples.append((x0 + (c1 + (c2 - c1) * u + 0.4) * size, y0 + (r1 + (r2 - r1) * u + 0.4) * size))
    golden = [near(p, gold, 30) for p in pixels(page, samples)]
    assert len(samples) >= 100
    assert 0.25 < sum(golden) / len(golden) < 0.85, sum(golden) / len(golden)  # dashes and gaps

    # The greedy path: a solid line through the centres; where it crosses from one cell to the next, each side of
    # the edge, it changes the pixel it covers, against the pixel a fifth of a cell beside it (away from the dashes).
    crossings = 0
    for i in range(0, len(greedy_path) - 2, 2):
        (r1, c1), (r2, c2) = greedy_path[i : i + 2], greedy_path[i + 2 : i + 4]
        if busy & {r1 * cols + c1, r2 * cols + c2}:
            continue
        for side in (-0.08, 0.08):
            mx, my = (c1 + c2) / 2 + 0.5 + side * (c2 - c1), (r1 + r2) / 2 + 0.5 + side * (r2 - r1)
            beside = (0.2 * abs(r2 - r1), 0.2 * abs(c2 - c1))  # perpendicular, toward +x or +y
            line, off = pixels(
                page, [(x0 + mx * size, y0 + my * size), (x0 + (mx + beside[0]) * size, y0 + (my + beside[1]) * size)]
            )
            assert line != off, (i, side, line, off)
            crossings += 1
    assert crossings >= 10
    page.watch.assert_clean()


def test_old_links_show_what_they_showed(page):
    """A link from before the layers combined: show_optimal=1 was V* alone with value iteration's arrows and the
    optimal path; show_values=1 was the learned V alone. Neither has show_q, so both open without the triangles."""
    open_setup(page, "demo=gridworld&show_optimal=1")
    root = demo_root(page, DEMO)
    page.wait_for_timeout(200)
    assert not root.get_by_label("Q triangles").is_checked()
    assert root.get_by_label("V* (value iteration)").is_checked() and root.get_by_label("optimal path").is_checked()
    layers = inspect(page)["layers"]
    assert [(layer["name"], layer["place"]) for layer in layers["layers"]] == [("vstar", "cell")]
    assert layers["arrows"] == "optimal" and layers["numbers"] == "vstar"
    assert "optimal" in layers["paths"]
    # Turning the triangles back on is a new link's choice, and the URL keeps it.
    root.get_by_label("Q triangles").check()
    wait_until(lambda: "show_q=1" in page.evaluate("() => location.search"), 5, message="show_q=1 in the URL")
    page.wait_for_timeout(100)
    assert [layer["place"] for layer in inspect(page)["layers"]["layers"]] == ["triangles", "centre"]

    open_setup(page, "demo=gridworld&show_values=1")
    page.wait_for_timeout(200)
    layers = inspect(page)["layers"]
    assert [(layer["name"], layer["place"]) for layer in layers["layers"]] == [("v", "cell")]
    assert layers["arrows"] == "greedy"
    page.watch.assert_clean()
