// What a mount attached, undone in one place (after Lumino's DisposableSet): every listener on a long-lived target
// (the registry, the document, the window, a media query), every observer, timer and animation loop a controller
// or a view adds goes through one Disposables, and dispose() takes them all away again, newest first.
//
//   const disposables = new Disposables();
//   disposables.listen(document, "visibilitychange", onVisibility);
//   disposables.observe(new ResizeObserver(onResize)).observe(canvas);
//   disposables.frames((now) => draw(now));            // an animation loop, until disposed
//   const registry = disposables.scope(pageRegistry);  // its addEventListener goes in this set too
//   disposables.add(chart);                            // anything with destroy(), dispose() or disconnect()
//   disposables.dispose();                             // all of the above, undone; isDisposed is now true
//
// Something added after dispose() is undone at once: an answer that lands after an unmount (a lazily built editor,
// a late chart) cannot outlive it.

/** The undo of one thing: a function, or an object with destroy(), dispose() or disconnect(). */
function undoOf(item) {
  if (typeof item === "function") return item;
  for (const method of ["destroy", "dispose", "disconnect"]) {
    if (typeof item?.[method] === "function") return () => item[method]();
  }
  throw new TypeError("Disposables.add takes a function, or an object with destroy(), dispose() or disconnect()");
}

export class Disposables {
  constructor() {
    this.undos = [];
    this.isDisposed = false;
  }

  /** How many undos are held (the lifecycle tests count them). */
  get size() {
    return this.undos.length;
  }

  /** Register `item`'s undo (see undoOf); returns `item`. After dispose(), it is undone at once. */
  add(item) {
    const undo = undoOf(item);
    if (this.isDisposed) undo();
    else this.undos.push(undo);
    return item;
  }

  /** target.addEventListener(type, listener, options), removed on dispose. Returns the listener. */
  listen(target, type, listener, options) {
    target.addEventListener(type, listener, options);
    this.add(() => target.removeEventListener(type, listener, options));
    return listener;
  }

  /** An observer (ResizeObserver, IntersectionObserver, MutationObserver), disconnected on dispose. */
  observe(observer) {
    return this.add(observer);
  }

  /** setTimeout whose timer is cleared on dispose (the shape of the global, so it can stand in for it). */
  setTimeout(callback, ms) {
    const id = globalThis.setTimeout(() => {
      this.undos = this.undos.filter((undo) => undo !== clear);
      callback();
    }, ms);
    const clear = () => globalThis.clearTimeout(id);
    this.add(clear);
    clear.id = id;
    return id;
  }

  clearTimeout(id) {
    globalThis.clearTimeout(id);
    this.undos = this.undos.filter((undo) => undo.id !== id);
  }

  /** setInterval, cleared on dispose. */
  setInterval(callback, ms) {
    const id = globalThis.setInterval(callback, ms);
    const clear = () => globalThis.clearInterval(id);
    clear.id = id;
    this.add(clear);
    return id;
  }

  clearInterval(id) {
    globalThis.clearInterval(id);
    this.undos = this.undos.filter((undo) => undo.id !== id);
  }

  /** An animation loop: callback(now) every frame until dispose (or until the returned stop() is called). */
  frames(callback) {
    let handle = 0;
    let stopped = false;
    const frame = (now) => {
      if (stopped) return;
      handle = requestAnimationFrame(frame);
      callback(now);
    };
    handle = requestAnimationFrame(frame);
    const stop = () => {
      stopped = true;
      cancelAnimationFrame(handle);
    };
    this.add(stop);
    return stop;
  }

  /**
   * A view of an EventTarget (the state registry, the runtime) whose addEventListener is registered here, so a
   * helper handed it (fieldControl, seedControl, the Code panel) has its listeners removed on dispose without
   * knowing about this set. Everything else reads and calls through to the target itself.
   */
  scope(target) {
    return new Proxy(target, {
      get: (object, property) => {
        if (property === "addEventListener")
          return (type, listener, options) => this.listen(object, type, listener, options);
        const value = Reflect.get(object, property, object);
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  }

  /** Undo everything, newest first. Every undo runs even if one throws; the first error is thrown after. */
  dispose() {
    if (this.isDisposed) return;
    this.isDisposed = true;
    const undos = this.undos.reverse();
    this.undos = [];
    let failure = null;
    for (const undo of undos) {
      try {
        undo();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure) throw failure;
  }
}
