// The exchanges, their transfers, third parties and sources, loaded once by SPARQL for the
// network view and the timeline.

import { selectRows } from "./sparql.js";

const PREFIXES = `PREFIX swap: <https://w3id.org/swapgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
`;

const TRANSFERS = `${PREFIXES}
SELECT ?exchange ?date ?label ?transfer ?from ?to ?people ?disputed WHERE {
  ?exchange a swap:Exchange ; swap:date ?date ; swap:transfer ?transfer .
  OPTIONAL { ?exchange rdfs:label ?label }
  ?transfer swap:releasedBy ?from ; swap:receivedBy ?to .
  OPTIONAL { ?transfer swap:peopleCount ?people }
  BIND (EXISTS { ?transfer swap:claim ?claim } AS ?disputed)
}`;

const THIRD_PARTIES = `${PREFIXES}
SELECT ?exchange ?actor ?role ?roleLabel ?denied WHERE {
  ?exchange a swap:Exchange ; swap:mediation ?mediation .
  ?mediation swap:actor ?actor .
  OPTIONAL { ?mediation swap:role ?role . OPTIONAL { ?role skos:prefLabel ?roleLabel } }
  BIND (EXISTS { ?mediation swap:deniedIn ?denial } AS ?denied)
}`;

const SOURCES = `${PREFIXES}
SELECT ?exchange ?source ?publisher WHERE {
  ?exchange a swap:Exchange ; dct:source ?source .
  OPTIONAL { ?source swap:publisherName ?publisher }
}`;

const ACTORS = `${PREFIXES}
SELECT DISTINCT ?actor ?label ?kind WHERE {
  { ?transfer swap:releasedBy ?actor } UNION { ?transfer swap:receivedBy ?actor }
  UNION { ?mediation swap:actor ?actor }
  OPTIONAL { ?actor rdfs:label ?label }
  OPTIONAL { ?actor a ?kind FILTER (?kind IN (swap:State, swap:Organisation, swap:Person)) }
}`;

function localName(iri) {
  return decodeURIComponent(iri.replace(/[/#]$/, "").split(/[/#]/).pop());
}

function hostOf(iri) {
  try {
    return new URL(iri).hostname.replace(/^www\./, "") || iri;
  } catch {
    return iri;
  }
}

/**
 * @typedef {{iri: string, label: string, kind: string}} Actor
 * @typedef {{from: string[], to: string[], people: number | null, disputed: boolean}} Transfer
 * @typedef {{actor: string, role: string, denied: boolean}} ThirdParty
 * @typedef {{iri: string, date: string, label: string, transfers: Transfer[],
 *            thirdParties: ThirdParty[], sources: {iri: string, publisher: string}[]}} Exchange
 * @typedef {{actors: Map<string, Actor>, exchanges: Exchange[]}} GraphData
 */

let loading = null;

/** Load the exchanges once; later calls share the same promise. */
export function loadGraphData() {
  loading ??= fetchGraphData();
  return loading;
}

async function fetchGraphData() {
  const [transfers, thirdParties, sources, actorRows] = await Promise.all(
    [TRANSFERS, THIRD_PARTIES, SOURCES, ACTORS].map(selectRows),
  );

  /** @type {Map<string, Actor>} */
  const actors = new Map();
  for (const row of actorRows) {
    const actor = actors.get(row.actor) ?? { iri: row.actor, label: "", kind: "" };
    actor.label ||= row.label ?? "";
    actor.kind ||= row.kind ? localName(row.kind) : "";
    actors.set(row.actor, actor);
  }
  for (const actor of actors.values()) actor.label ||= localName(actor.iri);

  /** @type {Map<string, Exchange>} */
  const exchanges = new Map();
  const transferById = new Map();
  for (const row of transfers) {
    let exchange = exchanges.get(row.exchange);
    if (!exchange) {
      exchange = {
        iri: row.exchange, date: row.date.slice(0, 10), label: row.label ?? localName(row.exchange),
        transfers: [], thirdParties: [], sources: [],
      };
      exchanges.set(row.exchange, exchange);
    }
    const key = `${row.exchange} ${row.transfer}`;
    let transfer = transferById.get(key);
    if (!transfer) {
      transfer = {
        from: [], to: [],
        people: row.people === undefined ? null : Number(row.people),
        disputed: row.disputed === "true",
      };
      transferById.set(key, transfer);
      exchange.transfers.push(transfer);
    }
    if (!transfer.from.includes(row.from)) transfer.from.push(row.from);
    if (!transfer.to.includes(row.to)) transfer.to.push(row.to);
  }
  for (const row of thirdParties) {
    const exchange = exchanges.get(row.exchange);
    if (!exchange) continue;
    const role = row.roleLabel ?? (row.role ? localName(row.role) : "third party");
    exchange.thirdParties.push({ actor: row.actor, role, denied: row.denied === "true" });
  }
  for (const row of sources) {
    exchanges.get(row.exchange)?.sources.push({
      iri: row.source, publisher: row.publisher ?? hostOf(row.source),
    });
  }
  const ordered = [...exchanges.values()].sort((a, b) => a.date.localeCompare(b.date) || a.iri.localeCompare(b.iri));
  return { actors, exchanges: ordered };
}

/** The parties of an exchange: every actor that released or received people in it. */
export function partiesOf(exchange) {
  const parties = new Set();
  for (const transfer of exchange.transfers) {
    for (const actor of [...transfer.from, ...transfer.to]) parties.add(actor);
  }
  return parties;
}

/** People released in an exchange, all directions together (unknown counts as 0). */
export function peopleIn(exchange) {
  return exchange.transfers.reduce((sum, transfer) => sum + (transfer.people ?? 0), 0);
}
