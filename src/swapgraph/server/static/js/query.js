// The query panel: named queries as examples, parameters, the SPARQL editor, results.

import { h } from "./dom.js";
import { PREFIXES, listNamedQueries, runNamed, runSparql, selectRows } from "./sparql.js";
import { download, resultsTable, toCsv } from "./table.js";

const INPUT_TYPES = { date: "date", integer: "number" };
const PARAM_PREFIX = "p.";
// The SPARQL editor, built from npm packages at build time (hatch_build.py); without it the
// plain textarea does the job.
const EDITOR_MODULE = "/static/vendor/editor/editor.js";
const ONTOLOGY_TERMS = `PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?kind ?label ?definition WHERE {
  ?term a ?kind FILTER (?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
  OPTIONAL { ?term rdfs:label ?label }
  OPTIONAL { ?term skos:definition ?definition }
}`;
const KINDS = { Class: "class", ObjectProperty: "property", DatatypeProperty: "property" };

/** The ontology's terms by namespace, for completion after their prefix. */
async function ontologyTerms() {
  const byNamespace = new Map();
  for (const row of await selectRows(ONTOLOGY_TERMS)) {
    const cut = Math.max(row.term.lastIndexOf("#"), row.term.lastIndexOf("/")) + 1;
    const namespace = row.term.slice(0, cut);
    if (!byNamespace.has(namespace)) byNamespace.set(namespace, []);
    byNamespace.get(namespace).push({
      name: row.term.slice(cut), label: row.label ?? "", definition: row.definition ?? "",
      kind: KINDS[row.kind.split("#").pop()] ?? "variable",
    });
  }
  return byNamespace;
}

/**
 * Where a server's error message places the error: "… at line 5, column 11: …" → [5, 11]
 * (swapgraph's engines; query_text.describe_syntax_error writes it), or "… 5:11 …" (a remote
 * endpoint's own message).
 */
export function errorPosition(message) {
  const match = /\bline (\d+), column (\d+)\b/.exec(message) ?? /\b(\d+):(\d+)\b/.exec(message);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/**
 * Wire up the query panel.
 * @param {HTMLElement} panel The panel holding the form and result elements.
 * @param {(params: URLSearchParams) => void} onStateChange Called with the state to share.
 */
export function setupQueryPanel(panel, onStateChange) {
  const form = panel.querySelector("#query-form");
  const picker = panel.querySelector("#named");
  const summary = panel.querySelector("#named-summary");
  const paramBox = panel.querySelector("#params");
  const textarea = panel.querySelector("#sparql");
  /** The text editor: the textarea until the SPARQL editor has loaded, then that. */
  let editor = {
    get value() { return textarea.value; },
    set value(text) { textarea.value = text; },
    showError() {},
  };
  const note = panel.querySelector("#edit-note");
  const status = panel.querySelector("#status");
  const output = panel.querySelector("#output");
  const downloads = panel.querySelector("#downloads");
  const shareButton = panel.querySelector("#share");

  /** @type {Map<string, object>} */
  let queries = new Map();
  let lastAnswer = null;

  const selected = () => queries.get(picker.value) ?? null;
  const edited = () => selected() !== null && editor.value !== selected().sparql;

  function showParameters(query, values) {
    const inputs = (query?.parameters ?? []).map((param) => {
      const id = `param-${param.name}`;
      const value = values?.get(param.name) ?? param.default ?? "";
      const input = param.type === "boolean"
        ? h("select", { id, name: param.name },
            ["true", "false"].map((v) => h("option", { value: v, selected: v === value }, v)))
        : h("input", {
            id, name: param.name, value,
            type: INPUT_TYPES[param.type] ?? "text",
            step: param.type === "integer" ? "1" : null,
            placeholder: param.type === "iri" ? "state:russia or https://…" : null,
            required: param.required,
            spellcheck: "false",
          });
      return h("div", { class: "param" },
        h("label", { for: id }, param.name, h("span", { class: "type" }, param.type)),
        input,
        param.description ? h("small", {}, param.description) : null);
    });
    paramBox.replaceChildren(...inputs);
    paramBox.hidden = inputs.length === 0;
  }

  function showQuery(name, values) {
    picker.value = queries.has(name) ? name : "";
    const query = selected();
    summary.textContent = query ? query.description || query.summary : "";
    showParameters(query, values);
    if (query) editor.value = query.sparql;
    reflectEditing();
  }

  function reflectEditing() {
    const isEdited = edited();
    note.hidden = !isEdited;
    for (const field of paramBox.querySelectorAll("input, select")) field.disabled = isEdited;
  }

  function parameterValues() {
    const values = {};
    for (const field of paramBox.querySelectorAll("input, select")) {
      if (field.value !== "") values[field.name] = field.value;
    }
    return values;
  }

  function shareState() {
    const state = new URLSearchParams();
    if (selected() && !edited()) {
      state.set("name", picker.value);
      for (const [name, value] of Object.entries(parameterValues())) {
        state.set(PARAM_PREFIX + name, value);
      }
    } else {
      state.set("sparql", editor.value);
    }
    return state;
  }

  async function run() {
    const started = performance.now();
    status.textContent = "Running…";
    status.className = "status";
    output.replaceChildren();
    downloads.hidden = true;
    onStateChange(shareState());
    try {
      lastAnswer = selected() && !edited()
        ? await runNamed(picker.value, parameterValues())
        : await runSparql(editor.value);
    } catch (error) {
      lastAnswer = null;
      const position = !selected() || edited() ? errorPosition(error.message) : null;
      if (position && error.message.startsWith("400")) editor.showError(...position, error.message);
      status.textContent = error.message;
      status.className = "status error";
      status.setAttribute("role", "alert");
      return;
    }
    status.removeAttribute("role");
    const elapsed = Math.round(performance.now() - started);
    if (lastAnswer.kind === "table") {
      const count = lastAnswer.json.results.bindings.length;
      status.textContent = `${count} ${count === 1 ? "row" : "rows"} in ${elapsed} ms`;
      output.replaceChildren(resultsTable(lastAnswer.json));
    } else if (lastAnswer.kind === "boolean") {
      status.textContent = `Answer in ${elapsed} ms`;
      output.replaceChildren(h("p", { class: "boolean" }, String(lastAnswer.value)));
    } else {
      status.textContent = `Graph in ${elapsed} ms`;
      output.replaceChildren(h("pre", { class: "graph" }, lastAnswer.text));
    }
    downloads.hidden = false;
    for (const button of downloads.querySelectorAll("[data-format=csv]")) {
      button.disabled = lastAnswer.kind !== "table";
    }
  }

  function save(format) {
    const base = picker.value || "query";
    if (!lastAnswer) return;
    if (format === "csv") {
      download(toCsv(lastAnswer.json), `${base}.csv`, "text/csv");
    } else if (lastAnswer.kind === "graph") {
      download(lastAnswer.text, `${base}.ttl`, "text/turtle");
    } else {
      const json = lastAnswer.kind === "table" ? lastAnswer.json : { head: {}, boolean: lastAnswer.value };
      download(JSON.stringify(json, null, 2), `${base}.json`, "application/sparql-results+json");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  form.addEventListener("keydown", (event) => {
    if (event.defaultPrevented) return; // the SPARQL editor ran it already
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      run();
    }
  });
  // Whether the reader has chosen a query or typed one: the first named query, shown once the
  // list has loaded, must not replace what they chose or wrote while it loaded.
  let touched = false;
  picker.addEventListener("change", () => {
    touched = true;
    showQuery(picker.value);
  });
  textarea.addEventListener("input", reflectEditing);
  const editorLoaded = import(EDITOR_MODULE)
    .then(({ createEditor }) => {
      editor = createEditor(textarea, { prefixes: PREFIXES, onRun: run, onChange: reflectEditing });
      return ontologyTerms().then((terms) => editor.setTerms(terms));
    })
    .catch(() => {}); // no editor built, or no terms: the textarea and plain text still work
  for (const button of downloads.querySelectorAll("button[data-format]")) {
    button.addEventListener("click", () => save(button.dataset.format));
  }
  shareButton.addEventListener("click", async () => {
    onStateChange(shareState());
    try {
      await navigator.clipboard.writeText(location.href);
      status.textContent = "Link copied: it reopens this query.";
    } catch {
      status.textContent = `Link to this query: ${location.href}`;
    }
    status.className = "status";
  });

  return {
    /** Load the named queries, then open the query a shared link names (run if named). */
    /** Settles once the SPARQL editor has replaced the textarea (or could not). */
    editorLoaded,
    async open(state) {
      const shared = state.has("sparql");
      if (shared) {
        // Someone else wrote this query: show it at once (it needs no list; a Run pressed
        // while the list loads runs it), and run it only when the reader asks.
        showQuery("");
        editor.value = state.get("sparql");
        status.textContent = "This link holds a query: read it, then press Run.";
        status.className = "status";
      }
      form.querySelector("button[type=submit]").disabled = false; // the query is in place
      const textBefore = editor.value;
      try {
        const list = await listNamedQueries();
        // The header's comments are shown as the summary and the parameter fields.
        queries = new Map(list.map((query) =>
          [query.name, { ...query, sparql: query.text.replace(/^(#.*(\r?\n|$))+/, "") }]));
      } catch (error) {
        status.textContent = `Named queries unavailable: ${error.message}`;
        status.className = "status error";
      }
      picker.append(...[...queries.values()].map((query) =>
        h("option", { value: query.name }, `${query.name} — ${query.summary}`)));
      const values = new Map();
      for (const [key, value] of state) {
        if (key.startsWith(PARAM_PREFIX)) values.set(key.slice(PARAM_PREFIX.length), value);
      }
      if (shared) {
        reflectEditing(); // shown above; the reader may have edited it since
      } else if (state.has("name")) {
        showQuery(state.get("name"), values);
        await run();
      } else if (touched || editor.value !== textBefore) {
        reflectEditing(); // the reader's own choice or text stays
      } else if (queries.size) {
        showQuery(queries.keys().next().value);
        if (!panel.hidden) await run(); // a first answer for whoever lands on the editor
      }
    },
  };
}
