// The auto-height handshake between a blog page (web/embed.js, a classic script) and an embedded demo
// (web/embed_frame.js), played in a simulated browser: windows whose postMessage is delivered as a later task,
// dropped when the target origin does not match the recipient's document (an iframe starts on about:blank) and
// lost when nobody listens yet. Every order of the page's script, the frame's navigation, its load event and the
// frame's module, with messages delivered at once or late, must end with the iframe as tall as its content.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";

import { startEmbedFrame } from "../../web/embed_frame.js";

const BLOG = "https://blog.example";
const PLAYGROUND = "https://play.example";
const EMBED_JS = readFileSync(new URL("../../web/embed.js", import.meta.url), "utf8");

/** A task queue and timers: nothing happens until the test runs tasks or moves the clock. */
class World {
  constructor() {
    this.tasks = [];
    this.timers = [];
    this.now = 0;
  }
  queue(task) {
    this.tasks.push(task);
  }
  drain() {
    while (this.tasks.length) this.tasks.shift()();
  }
  advance(ms) {
    this.now += ms;
    for (const timer of this.timers.filter((t) => t.at <= this.now)) {
      this.timers = this.timers.filter((t) => t !== timer);
      timer.run();
      this.drain();
    }
  }
}

/** A window: its current document's origin and message listeners (a navigation replaces both). */
class FakeWindow {
  constructor(world, origin) {
    this.world = world;
    this.current = { origin, listeners: [] };
    this.parent = this;
  }
  addEventListener(type, listener) {
    if (type === "message") this.current.listeners.push(listener);
  }
  /** postMessage(data, targetOrigin) from `source` (as the recipient sees it) on `origin`: a task, to whoever
   * listens when it runs. */
  deliver(source, origin, data, targetOrigin) {
    // As a browser does: a target origin that is not "*", "/" or a URL (an opaque origin's "null") throws.
    if (targetOrigin !== "*" && targetOrigin !== "/" && !URL.canParse(targetOrigin))
      throw new SyntaxError(`Failed to execute 'postMessage': Invalid target origin '${targetOrigin}'`);
    const document = this.current;
    this.world.queue(() => {
      if (this.current !== document) return; // navigated away meanwhile
      if (targetOrigin !== "*" && targetOrigin !== document.origin) return;
      const event = { data: structuredClone(data), origin, source };
      for (const listener of document.listeners) listener(event);
    });
  }
}

/** The demo's page inside the iframe: a body whose height the test sets, observers, and the "rendered" flag. */
class FrameWindow extends FakeWindow {
  constructor(world, parent, contentHeight) {
    super(world, BLOG); // the initial about:blank inherits the embedding page's origin
    this.parent = parent;
    this.contentHeight = contentHeight;
    this.rendered = true; // false: out of view, so the browser runs no rendering steps (no ResizeObserver)
    this.resizeObservers = [];
    this.mutationObservers = [];
    const frame = this;
    this.document = {
      documentElement: { classList: new Set(["embed"]) },
      body: { getBoundingClientRect: () => ({ height: frame.contentHeight }) },
    };
    this.document.documentElement.classList.remove = this.document.documentElement.classList.delete;
    this.ResizeObserver = class {
      constructor(callback) {
        this.callback = callback;
      }
      observe() {
        frame.resizeObservers.push(this.callback);
      }
    };
    this.MutationObserver = class {
      constructor(callback) {
        this.callback = callback;
      }
      observe() {
        frame.mutationObservers.push(this.callback);
      }
    };
  }
  navigate() {
    this.current = { origin: PLAYGROUND, listeners: [] };
  }
  getComputedStyle() {
    return { marginTop: "0px", marginBottom: "0px" };
  }
  setTimeout(run, wait) {
    const timer = { at: this.world.now + wait, run };
    this.world.timers.push(timer);
    return this.world.timers.length;
  }
  /** The DOM changes and, with it, the content's height; observers hear of it as a browser would tell them. */
  change(contentHeight) {
    this.contentHeight = contentHeight;
    for (const callback of this.mutationObservers) this.world.queue(() => callback([]));
    if (this.rendered) for (const callback of this.resizeObservers) this.world.queue(() => callback([]));
  }
}

/** The blog page: its window, one playground iframe, and embed.js run in it when `runScript` is called. */
function blogPage(world, { contentHeight = 700, origin = BLOG } = {}) {
  const page = new FakeWindow(world, origin);
  // The blog page posting to itself (a forgery, as far as embed.js is concerned).
  page.postMessage = (data, targetOrigin) => page.deliver(page, origin, data, targetOrigin);
  // The frame's `parent`: what the frame posts arrives at the page from the iframe's window.
  const parent = {
    postMessage: (data, targetOrigin) => page.deliver(frameWindow, frameWindow.current.origin, data, targetOrigin),
  };
  const frameWindow = new FrameWindow(world, parent, contentHeight);
  // iframe.contentWindow.postMessage: what the page posts arrives at the frame from its parent.
  frameWindow.postMessage = (data, targetOrigin) => frameWindow.deliver(parent, origin, data, targetOrigin);
  const loadListeners = [];
  const iframe = {
    id: "demo",
    style: { height: "480px" },
    attributes: { src: `${PLAYGROUND}/?demo=bandit&embed=1`, height: "480" },
    width: 680,
    contentWindow: frameWindow,
    getAttribute: (name) => iframe.attributes[name] ?? null,
    setAttribute: (name, value) => {
      iframe.attributes[name] = value;
    },
    getBoundingClientRect: () => ({ width: iframe.width }),
    addEventListener: (type, listener) => type === "load" && loadListeners.push(listener),
    dispatchEvent: () => true,
  };
  const resizeObservers = [];
  const sandbox = {
    window: {
      addEventListener: (type, listener) => page.addEventListener(type, listener),
      ResizeObserver: class {
        constructor(callback) {
          this.callback = callback;
        }
        observe(target) {
          resizeObservers.push(() => this.callback([{ target }]));
        }
      },
    },
    document: {
      currentScript: { src: `${PLAYGROUND}/web/embed.js` },
      baseURI: `${BLOG}/post/`,
      readyState: "complete",
      documentElement: {},
      querySelectorAll: () => [iframe],
    },
    MutationObserver: class {
      observe() {}
    },
    URL,
    CustomEvent: class {
      constructor(type, init) {
        Object.assign(this, { type }, init);
      }
    },
  };
  sandbox.ResizeObserver = sandbox.window.ResizeObserver;
  return {
    page,
    iframe,
    frameWindow,
    height: () => Number.parseFloat(iframe.style.height),
    steps: {
      script: () => vm.runInNewContext(EMBED_JS, sandbox),
      navigate: () => frameWindow.navigate(),
      load: () => {
        for (const listener of loadListeners) listener();
      },
      module: () => startEmbedFrame(frameWindow),
    },
    /** The blog's column changes width: embed.js's ResizeObserver (the blog page is always rendered) hears it. */
    resizeColumn: (width) => {
      iframe.width = width;
      for (const notify of resizeObservers) world.queue(notify);
    },
  };
}

/** Every order of the four steps in which the frame's document exists before its load event and its module. */
function orders() {
  const result = [];
  for (const frameOrder of [
    ["navigate", "load", "module"],
    ["navigate", "module", "load"],
  ]) {
    for (let at = 0; at <= 3; at += 1) result.push([...frameOrder.slice(0, at), "script", ...frameOrder.slice(at)]);
  }
  return result;
}

test("the first height arrives in every order of events, with messages delivered at once or late", () => {
  let cases = 0;
  for (const order of orders()) {
    for (let drains = 0; drains < 1 << order.length; drains += 1) {
      const world = new World();
      const blog = blogPage(world, { contentHeight: 700 });
      order.forEach((step, i) => {
        blog.steps[step]();
        if (drains & (1 << i)) world.drain();
      });
      world.drain();
      const label = `${order.join(" → ")} (drained after steps ${drains.toString(2)})`;
      assert.equal(blog.height(), 700, label);
      assert.ok(blog.frameWindow.document.documentElement.classList.has("embed-flow"), label);
      cases += 1;
    }
  }
  assert.equal(cases, 8 * 16);
});

test("a frame out of view (not rendered, so no ResizeObserver) still reports a DOM change", () => {
  const world = new World();
  const blog = blogPage(world, { contentHeight: 1644 });
  for (const step of ["navigate", "script", "load", "module"]) blog.steps[step]();
  world.drain();
  assert.equal(blog.height(), 1644);
  // A frame above grows and pushes this one out of view; then Python becomes ready and a loading line goes.
  blog.frameWindow.rendered = false;
  blog.frameWindow.change(1598);
  world.drain();
  world.advance(1000);
  assert.equal(blog.height(), 1598);
});

test("a frame out of view whose column changes width is asked again, and reports its new height", () => {
  const world = new World();
  const blog = blogPage(world, { contentHeight: 900 });
  for (const step of ["script", "navigate", "module", "load"]) blog.steps[step]();
  world.drain();
  blog.resizeColumn(680); // the first observation of a width: nothing to do
  world.drain();
  assert.equal(blog.height(), 900);
  blog.frameWindow.rendered = false;
  // The demo restacks at 390 px: taller. No DOM change and no rendering inside the frame: only the page can tell.
  blog.frameWindow.contentHeight = 1400;
  blog.resizeColumn(390);
  world.drain();
  assert.equal(blog.height(), 1400);
});

test("heights from the blog page itself are ignored", () => {
  const world = new World();
  const blog = blogPage(world, { contentHeight: 700 });
  for (const step of ["script", "navigate", "load", "module"]) blog.steps[step]();
  world.drain();
  blog.page.postMessage({ type: "rlplay:height", height: 1234 }, "*");
  world.drain();
  assert.equal(blog.height(), 700);
});

test('a blog page in a sandboxed frame (an opaque origin, "null") gets its heights, and the frame throws nothing', () => {
  // postMessage(height, "null") throws in a browser: the frame answered such a greeting with an exception.
  for (const order of orders()) {
    const world = new World();
    const blog = blogPage(world, { contentHeight: 640, origin: "null" });
    for (const step of order) {
      blog.steps[step]();
      world.drain();
    }
    assert.equal(blog.height(), 640, order.join(" → "));
  }
});

test("hostile heights from the frame are clamped or ignored", () => {
  const world = new World();
  const blog = blogPage(world, { contentHeight: 700 });
  for (const step of ["script", "navigate", "load", "module"]) blog.steps[step]();
  world.drain();
  const post = (height) => {
    blog.frameWindow.parent.postMessage({ type: "rlplay:height", height }, BLOG);
    world.drain();
    return blog.height();
  };
  assert.equal(post(1e12), 4000);
  assert.equal(post(-5), 4000); // ignored: not a height
  assert.equal(post(Number.NaN), 4000);
  assert.equal(post("900"), 4000);
  assert.equal(post(3), 120);
});
