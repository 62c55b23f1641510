// Talking to the server: the SPARQL protocol, the named queries, and RDF terms in results.

const ID_BASE = "https://w3id.org/swapgraph/id/";
const ONTOLOGY_BASE = "https://w3id.org/swapgraph/ontology";
const JSON_RESULTS = "application/sparql-results+json";

/**
 * Prefixes used to show IRIs compactly and offered by the editor: the ones the server knows
 * without declaration (the project's, as its Turtle files use them), which every page
 * carries as JSON data in #default-prefixes.
 */
export const PREFIXES = JSON.parse(document.getElementById("default-prefixes")?.textContent || "{}");

/** An error the server answered with, carrying its one-line message. */
export class RequestError extends Error {}

async function send(url, init) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new RequestError(`cannot reach the server: ${error.message}`);
  }
  if (!response.ok) {
    throw new RequestError(`${response.status}: ${await errorMessage(response)}`);
  }
  return response;
}

async function errorMessage(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => d.msg ?? String(d)).join("; ");
    return body.message ?? body.error ?? text;
  } catch {
    return text.trim() || response.statusText;
  }
}

/**
 * The answer to a query, whatever its form.
 * @typedef {{kind: "table", json: object} | {kind: "boolean", value: boolean} |
 *           {kind: "graph", text: string}} Answer
 */

async function answer(response) {
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    const json = await response.json();
    if (typeof json.boolean === "boolean") return { kind: "boolean", value: json.boolean };
    return { kind: "table", json };
  }
  return { kind: "graph", text: await response.text() };
}

const ACCEPT = `${JSON_RESULTS}, text/turtle;q=0.9`;

/** Run SPARQL text through the protocol endpoint (POST, direct body). */
export async function runSparql(query) {
  const response = await send("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", Accept: ACCEPT },
    body: query,
  });
  return answer(response);
}

/** Run a named query of api/ with its parameters given as text. */
export async function runNamed(name, params) {
  const search = new URLSearchParams(params);
  const query = search.toString() ? `?${search}` : "";
  const response = await send(`/api/queries/${encodeURIComponent(name)}${query}`, {
    headers: { Accept: ACCEPT },
  });
  return answer(response);
}

/** Run a SELECT query and return its rows as plain objects of term values. */
export async function selectRows(query) {
  const result = await runSparql(query);
  if (result.kind !== "table") throw new RequestError("expected a SELECT query");
  return result.json.results.bindings.map((binding) =>
    Object.fromEntries(Object.entries(binding).map(([name, term]) => [name, term.value])),
  );
}

/** The named queries of api/ with their parameters and SPARQL text. */
export async function listNamedQueries() {
  const response = await send("/api/queries", { headers: { Accept: "application/json" } });
  return response.json();
}

/** Where a link to an IRI should point: swapgraph's own IRIs resolve on this server. */
export function localHref(iri) {
  if (iri.startsWith(ID_BASE)) return "/id/" + iri.slice(ID_BASE.length);
  if (iri.startsWith(ONTOLOGY_BASE)) return "/ontology" + iri.slice(ONTOLOGY_BASE.length);
  return iri;
}

// A scheme as a URL parser finds it. Browsers drop tabs and newlines inside a URL and spaces
// and control characters around it ("java\tscript:" is "javascript:"), so an IRI with any of
// them is never a link (IRIs cannot hold them anyway).
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
const LINKABLE_SCHEMES = new Set(["http", "https"]);

/**
 * Where a link to an IRI may point, or null if it must be shown as text only: links are
 * for http, https and relative references, never javascript:, data:, vbscript: or any other
 * scheme. The same rule as safe_href in server/entity_page.py.
 */
export function safeHref(iri) {
  const href = localHref(String(iri ?? ""));
  if (!href || CONTROL_OR_SPACE.test(href)) return null;
  const scheme = SCHEME.exec(href);
  if (scheme && !LINKABLE_SCHEMES.has(scheme[1].toLowerCase())) return null;
  return href;
}

/** An IRI written compactly with a known prefix, or in full. */
export function compactIri(iri) {
  for (const [prefix, base] of Object.entries(PREFIXES)) {
    if (iri.startsWith(base) && iri.length > base.length) return `${prefix}:${iri.slice(base.length)}`;
  }
  return iri;
}

const NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger|positiveInteger)$/;

/** True for a literal term whose datatype is numeric. */
export function isNumeric(term) {
  return term?.type !== "uri" && term?.type !== "bnode" && NUMERIC.test(term?.datatype ?? "");
}
