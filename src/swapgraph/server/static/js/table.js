// Results of a SELECT query as a sortable table, and their download as CSV or JSON.

import { compactIri, isNumeric, safeHref } from "./sparql.js";
import { h } from "./dom.js";

/** Render one RDF term of a result row as a table cell's content. */
function termNode(term) {
  if (!term) return document.createTextNode("");
  if (term.type === "uri") {
    const href = safeHref(term.value);
    // An IRI that may not be a link (javascript:, data: …) is shown as text.
    if (href === null) return h("span", { class: "iri-text", title: term.value }, compactIri(term.value));
    const outside = !href.startsWith("/");
    return h("a", { href, title: term.value, rel: outside ? "noopener noreferrer" : null },
      compactIri(term.value));
  }
  if (term.type === "bnode") return h("span", { class: "bnode" }, `_:${term.value}`);
  if (/^https?:\/\//i.test(term.value) && safeHref(term.value) === term.value) {
    return h("a", { href: term.value, rel: "noopener noreferrer" }, term.value);
  }
  const lang = term["xml:lang"];
  return h("span", { lang: lang || null }, term.value);
}

function compareTerms(a, b) {
  if (!a || !b) return a ? -1 : b ? 1 : 0; // unbound values sort last
  if (isNumeric(a) && isNumeric(b)) return Number(a.value) - Number(b.value);
  return a.value.localeCompare(b.value, undefined, { numeric: true });
}

/**
 * A results table: click (or Enter on) a column header to sort by it; again to reverse.
 * @param {object} json SPARQL 1.1 JSON results of a SELECT query.
 */
export function resultsTable(json) {
  const variables = json.head.vars;
  const rows = json.results.bindings;
  let sortColumn = null;
  let ascending = true;

  const tbody = h("tbody");
  const headers = variables.map((name) => {
    const button = h("button", { type: "button", class: "sort" }, name);
    const th = h("th", { scope: "col", "aria-sort": "none" }, button);
    button.addEventListener("click", () => {
      ascending = sortColumn === name ? !ascending : true;
      sortColumn = name;
      for (const other of headers) other.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      fill();
    });
    return th;
  });

  function fill() {
    const ordered = sortColumn === null ? rows : [...rows].sort((a, b) => {
      const order = compareTerms(a[sortColumn], b[sortColumn]);
      return ascending ? order : -order;
    });
    const fragment = document.createDocumentFragment();
    for (const row of ordered) {
      fragment.append(h("tr", {}, variables.map((name) => {
        const term = row[name];
        // Short values (IRIs written compactly, dates, numbers) stay on one line.
        const shown = term?.type === "uri" ? compactIri(term.value) : term?.value ?? "";
        const classes = [isNumeric(term) && "num", shown.length <= 48 && "short"];
        return h("td", { class: classes.filter(Boolean).join(" ") || null }, termNode(term));
      })));
    }
    tbody.replaceChildren(fragment);
  }
  fill();
  return h("table", { class: "results" }, h("thead", {}, h("tr", {}, headers)), tbody);
}

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
// injection"); a number such as -5 is not a formula and stays as it is.
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A value made inert for spreadsheets: a leading ' where it would start a formula. */
export function neutralised(value) {
  return FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}

function csvField(value) {
  const safe = neutralised(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * SPARQL 1.1 CSV results: plain values, unbound as empty fields, CRLF line ends; values that
 * a spreadsheet would run as formulas start with a ' (see neutralised).
 */
export function toCsv(json) {
  const variables = json.head.vars;
  const lines = [variables.map(csvField).join(",")];
  for (const row of json.results.bindings) {
    lines.push(variables.map((name) => csvField(row[name]?.value ?? "")).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

/** Offer text as a file download. */
export function download(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
