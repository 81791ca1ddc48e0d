// The frame's half of auto-height (the page's half is web/embed.js). An embedded demo (embed=1) fills its iframe
// by default; when the page around it asks for auto-height, the demo lays out in the flow instead (as on the full
// page, without the lesson around it) and reports its height after every layout change, to that page only.

const HELLO = "rlplay:auto-height";

/** Called once in an embed; does nothing outside an iframe. */
export function startEmbedFrame() {
  if (window.parent === window) return;
  let parentOrigin = null;
  let reported = 0;
  const html = document.documentElement;
  const height = () => {
    const style = getComputedStyle(document.body);
    return Math.ceil(
      document.body.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom),
    );
  };
  const report = () => {
    const now = height();
    if (!parentOrigin || now === reported) return;
    reported = now;
    window.parent.postMessage({ type: "rlplay:height", height: now }, parentOrigin);
  };
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || event.data?.type !== HELLO) return;
    const first = parentOrigin === null;
    parentOrigin = event.origin; // heights go to the page that asked, and to no one else
    if (!first) {
      reported = 0;
      report();
      return;
    }
    html.classList.remove("embed");
    html.classList.add("embed-flow");
    // A ResizeObserver callback runs before the next paint: the page hears of a new height within that frame.
    new ResizeObserver(report).observe(document.body);
    report();
  });
  // The page's embed.js may have greeted before this module listened: say hello, so it greets again.
  window.parent.postMessage({ type: "rlplay:hello" }, "*");
}
