// A Python editor: CodeMirror 6 from the self-hosted bundle (web/vendor/codemirror.js, loaded on first use), with
// line numbers, Python highlighting and indentation, Tab / Shift-Tab to indent (Escape, then Tab, leaves the editor,
// as CodeMirror documents for keyboard users), a marked error line with Python's message, and a highlighted line.
//
//   const editor = await PythonEditor.create(parent, {label: "Python source of epsilon_greedy"});
//   editor.text = source;  editor.markError(3, "NameError: ...");  editor.highlight(5);

import { importModule } from "../loader.js";

let vendor = null;

function loadVendor() {
  vendor ??= importModule(new URL("../vendor/codemirror.js", import.meta.url));
  return vendor;
}

// Colours are CSS variables (web/code/code.css), so the editor follows the page's light and dark themes.
function highlightStyle(cm) {
  const { tags: t } = cm;
  return cm.HighlightStyle.define([
    { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.operatorKeyword], color: "var(--code-keyword)" },
    { tag: [t.string, t.special(t.string)], color: "var(--code-string)" },
    { tag: [t.number, t.bool, t.null], color: "var(--code-number)" },
    { tag: [t.comment, t.lineComment, t.docString], color: "var(--code-comment)", fontStyle: "italic" },
    { tag: [t.function(t.definition(t.variableName)), t.definition(t.className)], color: "var(--code-definition)" },
    { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "var(--code-call)" },
    { tag: [t.self, t.special(t.variableName)], color: "var(--code-keyword)" },
    { tag: t.invalid, color: "var(--danger)" },
  ]);
}

export class PythonEditor {
  static async create(parent, { label = "Python source", onChange = () => {}, onRun = () => {} } = {}) {
    const cm = await loadVendor();
    return new PythonEditor(cm, parent, { label, onChange, onRun });
  }

  constructor(cm, host, { label, onChange, onRun }) {
    this.cm = cm;
    // The editor lives in a shadow root: there CodeMirror installs its styles as a constructed stylesheet
    // (adoptedStyleSheets), which the page's CSP (style-src 'self') allows; in the document it would need an inline
    // <style> element, which that CSP blocks. Our own rules come in through a same-origin <link>.
    const root = host.shadowRoot ?? host.attachShadow({ mode: "open" });
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("./editor.css", import.meta.url).href;
    const parent = document.createElement("div");
    root.replaceChildren(link, parent);
    const setLine = cm.StateEffect.define();
    this.setLine = setLine;
    const lineMark = cm.Decoration.line({ class: "cm-last-update-line" });
    // The highlighted line ("the line that produced the last update"), kept as a one-line decoration set.
    const highlighted = cm.StateField.define({
      create: () => cm.Decoration.none,
      update(value, transaction) {
        let next = value.map(transaction.changes);
        for (const effect of transaction.effects) {
          if (effect.is(setLine)) {
            const line = effect.value;
            const doc = transaction.state.doc;
            next =
              line >= 1 && line <= doc.lines
                ? cm.Decoration.set([lineMark.range(doc.line(line).from)])
                : cm.Decoration.none;
          }
        }
        return next;
      },
      provide: (field) => cm.EditorView.decorations.from(field),
    });
    this.readOnly = new cm.Compartment();
    this.view = new cm.EditorView({
      parent,
      root,
      state: cm.EditorState.create({
        doc: "",
        extensions: [
          cm.lineNumbers(),
          cm.highlightActiveLineGutter(),
          cm.history(),
          cm.drawSelection(),
          cm.indentOnInput(),
          cm.bracketMatching(),
          cm.indentUnit.of("    "),
          cm.EditorState.tabSize.of(4),
          cm.EditorView.lineWrapping,
          this.readOnly.of([]),
          cm.python(),
          cm.syntaxHighlighting(highlightStyle(cm)),
          cm.lintGutter(),
          highlighted,
          cm.keymap.of([
            {
              key: "Mod-Enter",
              run: () => {
                onRun();
                return true;
              },
            },
            cm.indentWithTab,
            ...cm.defaultKeymap,
            ...cm.historyKeymap,
          ]),
          cm.EditorView.contentAttributes.of({ "aria-label": label, spellcheck: "false", autocapitalize: "off" }),
          cm.EditorView.updateListener.of((update) => {
            if (update.docChanged) onChange(this.text);
          }),
        ],
      }),
    });
  }

  /** Take the editor off the page: CodeMirror removes its listeners and observers. */
  destroy() {
    this.view.destroy();
  }

  get text() {
    return this.view.state.doc.toString();
  }

  set text(value) {
    if (value === this.text) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
  }

  /** Mark 1-based ``line`` as an error with ``message`` (line 0: the whole first line); no argument clears. */
  markError(line = null, message = "") {
    const { cm, view } = this;
    if (line === null) {
      view.dispatch(cm.setDiagnostics(view.state, []));
      return;
    }
    const doc = view.state.doc;
    const target = doc.line(Math.min(Math.max(line || 1, 1), doc.lines));
    view.dispatch(
      cm.setDiagnostics(view.state, [
        { from: target.from, to: target.to, severity: "error", message, source: "Python" },
      ]),
    );
  }

  /** A function shown only: the text cannot be changed (it can still be read, selected and copied). */
  setReadOnly(readOnly) {
    const { cm } = this;
    this.view.dispatch({
      effects: this.readOnly.reconfigure(readOnly ? [cm.EditorState.readOnly.of(true)] : []),
    });
  }

  /** Highlight 1-based ``line`` (0 or null: none). */
  highlight(line) {
    this.view.dispatch({ effects: this.setLine.of(line || 0) });
  }

  focus() {
    this.view.focus();
  }
}
