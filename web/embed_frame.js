// The frame's half of auto-height (the page's half is web/embed.js). An embedded demo (embed=1) fills its iframe
// by default; when the page around it asks for auto-height, the demo lays out in the flow instead (as on the full
// page, without the lesson around it) and reports its height after every layout change, to that page only.
//
// The handshake cannot lose the first report, whatever loads first: each side announces itself when it starts
// (the frame says "rlplay:hello", the page greets with "rlplay:auto-height" on adopting the iframe and on its load
// event) and answers the other's announcement (the page greets back a hello; the frame answers every greeting with
// its height). Every step is idempotent, so the announcements that do arrive twice do no harm.
// tests/js/embed_handshake.test.js plays every order of the page's script, the frame's load and this module.

const HELLO = "rlplay:auto-height";
// How soon after a DOM change the height is measured again, in ms (see `watch`).
const MUTATION_DELAY_MS = 100;

/** Called once in an embed; does nothing outside an iframe. `win` is the frame's window (a test passes a stand-in). */
export function startEmbedFrame(win = window) {
  if (win.parent === win) return;
  const document = win.document;
  let parentOrigin = null;
  let reported = 0;
  let pending = 0;
  const height = () => {
    const style = win.getComputedStyle(document.body);
    return Math.ceil(
      document.body.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom),
    );
  };
  const report = () => {
    const now = height();
    if (!parentOrigin || now === reported) return;
    reported = now;
    win.parent.postMessage({ type: "rlplay:height", height: now }, parentOrigin);
  };
  const watch = () => {
    // A ResizeObserver callback runs before the next paint: the page hears of a new height within that frame. But
    // it runs only while the browser renders this frame, and Chromium stops rendering a cross-origin iframe that is
    // out of view (a frame above grows and pushes this one down, say): a demo that changes then (Python becomes
    // ready, a notice goes) would keep its old height until scrolled back into view. A DOM change therefore also
    // schedules a measurement; measuring forces a layout, which works in a frame that is not rendered.
    new win.ResizeObserver(report).observe(document.body);
    const soon = () => {
      if (pending) return;
      pending = win.setTimeout(() => {
        pending = 0;
        report();
      }, MUTATION_DELAY_MS);
    };
    new win.MutationObserver(soon).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  };
  win.addEventListener("message", (event) => {
    if (event.source !== win.parent || event.data?.type !== HELLO) return;
    const first = parentOrigin === null;
    // Heights go to the page that asked, and to no one else. A page in a sandboxed frame has an opaque origin,
    // "null", which postMessage cannot name (it throws): only "*" reaches it (a height is no secret; the sender is
    // still checked to be this frame's parent).
    parentOrigin = event.origin === "null" ? "*" : event.origin;
    if (first) {
      document.documentElement.classList.remove("embed");
      document.documentElement.classList.add("embed-flow");
      watch();
    }
    // Every greeting is answered, even with an unchanged height: the page may have lost or not yet heard the last.
    reported = 0;
    report();
  });
  // The page's embed.js may have greeted before this module listened: say hello, so it greets again.
  win.parent.postMessage({ type: "rlplay:hello" }, "*");
}
