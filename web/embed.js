// RL Playground embeds for a blog: include once, from the site that serves the playground,
//
//   <script src="https://YOU.github.io/rl-playground/web/embed.js" defer></script>
//
// and then either write iframes as usual (the Embed button gives the snippet) or one tag per demo:
//
//   <rl-playground demo="gridworld" seed="3"></rl-playground>
//
// This script (a classic script, no dependency, no module needed) does two things:
// - Auto-height: every playground iframe on the page is sized to its content. The frame reports its height with
//   postMessage; a report is accepted only from the playground's origin and from that very frame's window.
// - The <rl-playground> element becomes the iframe: `demo` and every other attribute (seed, speed, hide, autoplay,
//   any setting the page's URL takes) go into its query; `title` becomes the iframe's title.
// Without this script an iframe still works, at the height its author gave it.
(() => {
  const script = document.currentScript;
  if (!script) return; // loaded as a module or injected: nothing tells us the playground's address
  const base = new URL("../", script.src); // embed.js lives in web/ of the site
  const origin = base.origin;
  const HELLO = "rlplay:auto-height";
  const HEIGHT = "rlplay:height";
  const frames = new Set();

  /** An iframe whose page is the playground's (its src is under the playground's base address). */
  function isPlayground(frame) {
    try {
      const src = new URL(frame.getAttribute("src") || "", document.baseURI);
      return src.origin === origin && src.pathname.startsWith(base.pathname);
    } catch {
      return false;
    }
  }

  function greet(frame) {
    frame.contentWindow?.postMessage({ type: HELLO }, origin);
  }

  // A frame's width changes (the blog's column narrows): greeting it again makes it measure and report. Its own
  // ResizeObserver would too, but only while the browser renders it, and an iframe out of view is not rendered.
  const widths = new WeakMap();
  const resized =
    window.ResizeObserver &&
    new ResizeObserver((entries) => {
      for (const { target } of entries) {
        const width = target.getBoundingClientRect().width;
        if (widths.has(target) && widths.get(target) !== width) greet(target);
        widths.set(target, width);
      }
    });

  function adopt(frame) {
    if (frames.has(frame) || !isPlayground(frame)) return;
    frames.add(frame);
    frame.style.maxWidth = frame.style.maxWidth || "100%";
    frame.addEventListener("load", () => greet(frame));
    resized?.observe(frame);
    greet(frame); // it may have loaded already; a frame that is not listening yet says hello itself
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== origin) return;
    const data = event.data;
    if (!data || typeof data !== "object") return;
    for (const frame of frames) {
      if (frame.contentWindow !== event.source) continue;
      if (data.type === "rlplay:hello") greet(frame);
      if (data.type === HEIGHT && Number.isFinite(data.height) && data.height > 0) {
        // Clamped: a frame cannot make itself absurdly tall, nor vanish.
        const height = Math.round(Math.min(Math.max(data.height, 120), 4000));
        frame.style.height = `${height}px`;
        frame.setAttribute("height", String(height));
        frame.dispatchEvent(new CustomEvent("rlplay:resized", { detail: { height } }));
      }
    }
  });

  const ELEMENT = "rl-playground";
  if (window.customElements && !customElements.get(ELEMENT)) {
    customElements.define(
      ELEMENT,
      class RLPlayground extends HTMLElement {
        connectedCallback() {
          if (this.frame) return;
          const query = new URLSearchParams();
          const demo = this.getAttribute("demo") || "gridworld";
          query.set("demo", demo);
          query.set("embed", "1");
          for (const { name, value } of this.attributes) {
            if (!["demo", "title", "width", "height", "class", "style", "id"].includes(name)) query.set(name, value);
          }
          const frame = document.createElement("iframe");
          frame.src = `${base.href}?${query}`;
          frame.title = this.getAttribute("title") || `RL Playground: ${demo}`;
          frame.loading = "lazy";
          frame.style.border = "0";
          const px = (value) => (/^\d+$/.test(value) ? `${value}px` : value);
          frame.style.width = px(this.getAttribute("width") || "100%");
          frame.style.height = px(this.getAttribute("height") || "480");
          frame.style.display = "block";
          this.frame = frame;
          this.replaceChildren(frame);
          adopt(frame);
        }
      },
    );
  }

  function scan() {
    for (const frame of document.querySelectorAll("iframe")) adopt(frame);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
})();
