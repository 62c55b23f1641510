// The SPARQL editor of the query panel: CodeMirror 6 with codemirror-lang-sparql (a Lezer
// grammar), bundled by esbuild at build time (hatch_build.py) into
// swapgraph/server/static/vendor/editor/editor.js. Highlighting, completion of prefixes and
// of the ontology's terms, and error markers: the grammar's own as you type, the server's
// (line:column of its 400 answer) after a run.

import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { ensureSyntaxTree } from "@codemirror/language";
import { linter, lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { sparql } from "codemirror-lang-sparql";

const KEYWORDS = [
  "SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "BIND", "VALUES",
  "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "OFFSET", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX",
  "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "DESC", "ASC", "EXISTS",
  "NOT EXISTS", "STR", "LANG", "LANGMATCHES", "REGEX", "CONTAINS", "STRSTARTS", "YEAR", "IRI",
  "COALESCE", "IF", "BOUND", "isIRI", "isLiteral", "isBlank",
];

/** The prefixes a document declares itself: name → namespace. */
function declaredPrefixes(text) {
  const declared = new Map();
  for (const match of text.matchAll(/PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>/gi)) {
    declared.set(match[1] ?? "", match[2]);
  }
  return declared;
}

/**
 * Completion: after `prefix:` the namespace's terms (the ontology's, with their labels and
 * definitions); elsewhere the known prefixes and the keywords.
 *
 * Only the term is inserted, never a `PREFIX` line: `known` holds the server's default
 * prefixes, which a query may use undeclared, and any other prefix is one the query declares.
 */
function completionSource(known, terms) {
  return (context) => {
    const word = context.matchBefore(/[A-Za-z_][\w.-]*:[\w-]*|[A-Za-z_][\w]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const before = context.state.doc.sliceString(Math.max(0, word.from - 1), word.from);
    if (before === "<" || before === "?" || before === "$") return null; // IRI or variable
    const text = context.state.doc.toString();
    const declared = declaredPrefixes(text);
    const colon = word.text.indexOf(":");
    if (colon >= 0) {
      const prefix = word.text.slice(0, colon);
      const namespace = declared.get(prefix) ?? known[prefix];
      const options = (terms.get(namespace) ?? []).map((term) => ({
        label: `${prefix}:${term.name}`,
        detail: term.label,
        info: term.definition || undefined,
        type: term.kind,
      }));
      return options.length ? { from: word.from, options, validFor: /^[\w.-]*:[\w-]*$/ } : null;
    }
    const prefixOptions = Object.entries(known).map(([prefix, namespace]) => ({
      label: `${prefix}:`,
      detail: namespace,
      type: "namespace",
    }));
    const keywordOptions = KEYWORDS.map((keyword) => ({ label: keyword, type: "keyword" }));
    return { from: word.from, options: [...prefixOptions, ...keywordOptions], validFor: /^\w*$/ };
  };
}

/** Syntax errors of the grammar, and the server's error while the text is unchanged. */
function diagnostics(serverError) {
  return (view) => {
    const found = [];
    const tree = ensureSyntaxTree(view.state, view.state.doc.length, 500);
    tree?.iterate({
      enter(node) {
        if (!node.type.isError || found.length >= 3) return;
        const to = Math.min(Math.max(node.to, node.from + 1), view.state.doc.length);
        const near = view.state.doc.sliceString(node.from, Math.min(to, node.from + 20));
        found.push({
          from: Math.min(node.from, to), to, severity: "error",
          message: near.trim() ? `syntax error near “${near.trim()}”` : "syntax error: incomplete query",
        });
      },
    });
    if (serverError.current) found.push(serverError.current);
    return found;
  };
}

/**
 * Replace a textarea by the editor; the textarea stays (hidden), kept equal to the text.
 *
 * The editor lives in a shadow root: CodeMirror then styles itself through constructed
 * style sheets, which the page's Content-Security-Policy (no inline style) allows, where in
 * the document itself it would add <style> elements that the policy blocks. The shadow root
 * loads the editor's own styles from /static/editor.css.
 * @param {HTMLTextAreaElement} textarea The plain editor it enhances.
 * @param {{prefixes: object, onRun: () => void, onChange: () => void}} options `prefixes`:
 *   name → namespace of the prefixes the server knows without declaration (a subset of its
 *   defaults), offered in completion and never declared by it.
 */
export function createEditor(textarea, { prefixes, onRun, onChange }) {
  const serverError = { current: null };
  const lint = diagnostics(serverError);
  let terms = new Map();
  const label = textarea.labels?.[0];
  const host = document.createElement("div");
  host.className = "sparql-editor";
  const shadow = host.attachShadow({ mode: "open" });
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = "/static/editor.css";
  shadow.append(styles);
  const view = new EditorView({
    root: shadow,
    parent: shadow,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        keymap.of([
          { key: "Mod-Enter", run: () => { onRun(); return true; } },
          ...completionKeymap,
        ]),
        basicSetup,
        sparql(),
        autocompletion({ override: [(context) => completionSource(prefixes, terms)(context)] }),
        linter(lint, { delay: 300 }),
        lintGutter(),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          "aria-label": label?.textContent ?? "SPARQL",
          spellcheck: "false",
          autocapitalize: "off",
        }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          serverError.current = null;
          textarea.value = update.state.doc.toString();
          onChange();
        }),
      ],
    }),
  });
  textarea.after(host);
  textarea.hidden = true;
  label?.addEventListener("click", () => view.focus());

  return {
    view,
    get value() {
      return view.state.doc.toString();
    },
    set value(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    /** Offer these terms after their prefix: namespace → [{name, label, definition, kind}]. */
    setTerms(byNamespace) {
      terms = byNamespace;
    },
    /** Mark the server's error at line:column (1-based) until the text changes. */
    showError(line, column, message) {
      const doc = view.state.doc;
      const lineInfo = doc.line(Math.min(Math.max(1, line), doc.lines));
      let from = Math.min(lineInfo.from + Math.max(0, column - 1), lineInfo.to);
      let to = Math.min(from + 1, lineInfo.to);
      if (from >= lineInfo.to) {
        // At the end of the line (where the parser stopped): mark the last word before it.
        const trailing = /\S+\s*$/.exec(lineInfo.text);
        from = trailing ? lineInfo.from + trailing.index : lineInfo.to;
        to = lineInfo.to;
      }
      serverError.current = { from, to, severity: "error", message };
      // Now, not at the linter's next run (which waits for the text to change).
      view.dispatch(setDiagnostics(view.state, lint(view)));
    },
  };
}
