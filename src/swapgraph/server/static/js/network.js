// The network of actors: parties linked by the exchanges between them, third parties
// (mediators, hosts, transit states …) linked to the parties of the exchanges they helped.

import { formatCount, s } from "./dom.js";
import { loadGraphData, partiesOf, peopleIn } from "./graphdata.js";
import { attachPanZoom } from "./panzoom.js";
import { safeHref } from "./sparql.js";

const ITERATIONS = 400;
const MIN_RADIUS = 5;
const MAX_RADIUS = 34;
const GRAVITY = 0.03;
const REPULSION = 900;
const SPRING = 0.03;
const LINK_LENGTH = 40;

/** Nodes (actors) and links (pairs of actors with the exchanges that join them). */
export function buildNetwork({ actors, exchanges }) {
  const nodes = new Map();
  const node = (iri) => {
    if (!nodes.has(iri)) {
      const actor = actors.get(iri);
      nodes.set(iri, {
        iri, label: actor?.label ?? iri, people: 0, exchanges: 0, helped: 0, x: 0, y: 0, r: 0,
      });
    }
    return nodes.get(iri);
  };
  const links = new Map();
  const link = (a, b, kind, exchange) => {
    const [source, target] = a < b ? [a, b] : [b, a];
    const key = `${kind} ${source} ${target}`;
    if (!links.has(key)) links.set(key, { source, target, kind, exchanges: new Set() });
    links.get(key).exchanges.add(exchange.iri);
  };

  for (const exchange of exchanges) {
    const parties = partiesOf(exchange);
    for (const party of parties) node(party).exchanges += 1;
    for (const transfer of exchange.transfers) {
      for (const actor of new Set([...transfer.from, ...transfer.to])) {
        node(actor).people += transfer.people ?? 0;
      }
      for (const from of transfer.from) {
        for (const to of transfer.to) if (from !== to) link(from, to, "exchange", exchange);
      }
    }
    for (const { actor } of exchange.thirdParties) {
      if (parties.has(actor)) continue;
      const helper = node(actor);
      helper.helped += 1;
      helper.people += peopleIn(exchange);
      for (const party of parties) link(actor, party, "third-party", exchange);
    }
  }
  return { nodes: [...nodes.values()], links: [...links.values()] };
}

/**
 * Place the nodes with a small force simulation: deterministic, run to rest before drawing.
 * @param {{nodes: object[], links: object[]}} network The network; nodes get x, y and r.
 * @param {number} aspect Width over height of the view: gravity is weaker across its long
 *     side, so that the layout fills it.
 */
export function layout({ nodes, links }, aspect = 1) {
  const gravityX = GRAVITY / Math.sqrt(aspect);
  const gravityY = GRAVITY * Math.sqrt(aspect);
  const maxPeople = Math.max(1, ...nodes.map((n) => n.people));
  const ordered = [...nodes].sort((a, b) => b.people - a.people || a.iri.localeCompare(b.iri));
  ordered.forEach((n, i) => {
    n.r = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt(n.people / maxPeople);
    const angle = i * 2.399963; // the golden angle spreads a spiral evenly
    const distance = 30 * Math.sqrt(i + 1);
    n.x = Math.cos(angle) * distance;
    n.y = Math.sin(angle) * distance;
  });
  const index = new Map(nodes.map((n, i) => [n.iri, i]));
  const springs = links.map((l) => [index.get(l.source), index.get(l.target)]);
  const fx = new Float64Array(nodes.length);
  const fy = new Float64Array(nodes.length);

  for (let step = 0; step < ITERATIONS; step += 1) {
    // Gravity pulls every node toward the centre, so that unconnected pairs stay near.
    nodes.forEach((n, i) => {
      fx[i] = -n.x * gravityX;
      fy[i] = -n.y * gravityY;
    });
    for (let i = 0; i < nodes.length; i += 1) {
      for (let j = i + 1; j < nodes.length; j += 1) {
        const dx = nodes[i].x - nodes[j].x || 0.01;
        const dy = nodes[i].y - nodes[j].y;
        const distance = Math.max(Math.sqrt(dx * dx + dy * dy), 1);
        // Repulsion falls with the square of the distance: it keeps neighbours apart
        // without flinging small components to the edges.
        const push = (REPULSION * (nodes[i].r + nodes[j].r + 20)) / distance ** 3;
        fx[i] += dx * push;
        fy[i] += dy * push;
        fx[j] -= dx * push;
        fy[j] -= dy * push;
      }
    }
    for (const [i, j] of springs) {
      const dx = nodes[j].x - nodes[i].x;
      const dy = nodes[j].y - nodes[i].y;
      const distance = Math.sqrt(dx * dx + dy * dy) || 1;
      const pull = ((distance - (LINK_LENGTH + nodes[i].r + nodes[j].r)) * SPRING) / distance;
      fx[i] += dx * pull;
      fy[i] += dy * pull;
      fx[j] -= dx * pull;
      fy[j] -= dy * pull;
    }
    // Cooling: the largest step shrinks as the layout settles.
    const limit = 20 * (1 - step / ITERATIONS) + 0.5;
    nodes.forEach((n, i) => {
      const length = Math.hypot(fx[i], fy[i]);
      const scale = length > limit ? limit / length : 1;
      n.x += fx[i] * scale;
      n.y += fy[i] * scale;
    });
  }
}

function nodeShape(n) {
  if (n.exchanges === 0) {
    const r = n.r * 1.2;
    return s("path", { class: "shape", d: `M0,${-r} L${r},0 L0,${r} L${-r},0 Z` });
  }
  return s("circle", { class: "shape", r: n.r });
}

function describe(n) {
  const parts = [`${n.label}: ${formatCount(n.people)} people`];
  if (n.exchanges) parts.push(`party to ${n.exchanges} exchange${n.exchanges === 1 ? "" : "s"}`);
  if (n.helped) parts.push(`third party in ${n.helped}`);
  return parts.join(", ");
}

/**
 * Draw the network into `svg`: pannable and zoomable (wheel, pinch, buttons, keys), nodes
 * draggable, fitted to the view again whenever the view changes size. Labels keep a
 * readable size on screen whatever the scale.
 */
function draw(svg, network) {
  const byIri = new Map(network.nodes.map((n) => [n.iri, n]));
  const ends = new Map(network.nodes.map((n) => [n.iri, []])); // iri → [[line, "1" | "2"]]
  const maxCount = Math.max(1, ...network.links.map((l) => l.exchanges.size));
  const linkElements = network.links
    .sort((a, b) => (a.kind === "exchange") - (b.kind === "exchange"))
    .map((l) => {
      const a = byIri.get(l.source);
      const b = byIri.get(l.target);
      const count = l.exchanges.size;
      const line = s("line", {
        class: `link ${l.kind}`, x1: a.x, y1: a.y, x2: b.x, y2: b.y,
        "stroke-width": (1 + 9 * Math.sqrt(count / maxCount)).toFixed(2),
      }, s("title", {}, `${a.label} – ${b.label}: ${count} exchange${count === 1 ? "" : "s"}`));
      ends.get(a.iri).push([line, "1"]);
      ends.get(b.iri).push([line, "2"]);
      return line;
    });
  const elements = new Map();
  const nodeElements = [...network.nodes]
    .sort((a, b) => b.r - a.r)
    .map((n) => {
      const role = n.exchanges === 0 ? "third-party" : n.helped > 0 ? "both" : "party";
      const element = s("a", {
        class: `node ${role}`, href: safeHref(n.iri), "data-iri": n.iri,
        transform: `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`, "aria-label": describe(n),
      },
      s("title", {}, describe(n)),
      nodeShape(n),
      s("text", { x: n.r + 4, y: 4 }, n.label));
      elements.set(n.iri, element);
      return element;
    });

  const scene = s("g", {}, s("g", { class: "links" }, linkElements), s("g", { class: "nodes" }, nodeElements));
  const view = s("g", {}, scene);
  svg.replaceChildren(view);
  let fit = 1;

  function fitToView() {
    const width = svg.clientWidth;
    const height = svg.clientHeight;
    if (!width || !height) return; // hidden: keep the last fit
    const xs = network.nodes.flatMap((n) => [n.x - n.r, n.x + n.r + 90]);
    const ys = network.nodes.flatMap((n) => [n.y - n.r, n.y + n.r]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    fit = Math.min(1.6, (width - 40) / (x1 - x0 || 1), (height - 40) / (y1 - y0 || 1));
    const fitX = width / 2 - fit * (x0 + x1) / 2;
    const fitY = height / 2 - fit * (y0 + y1) / 2;
    scene.setAttribute("transform", `translate(${fitX},${fitY}) scale(${fit})`);
  }

  function moveNode(n, x, y) {
    Object.assign(n, { x, y });
    elements.get(n.iri).setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)})`);
    for (const [line, end] of ends.get(n.iri)) {
      line.setAttribute(`x${end}`, x);
      line.setAttribute(`y${end}`, y);
    }
  }

  fitToView();
  const controls = attachPanZoom(svg, (t) => {
    view.setAttribute("transform", `translate(${t.x},${t.y}) scale(${t.k})`);
    // Labels between 11 and 14 pixels on screen, through the CSSOM (the CSP allows it).
    const screen = Math.min(14, Math.max(11, 12 * fit * t.k));
    svg.style.setProperty("--label-size", `${(screen / (fit * t.k)).toFixed(2)}px`);
  }, {
    dragItem(event) {
      const element = event.target.closest?.("a.node");
      const n = element && byIri.get(element.dataset.iri);
      if (!n) return null;
      const start = { x: n.x, y: n.y };
      return {
        move(dx, dy, k) {
          element.classList.add("dragging");
          moveNode(n, start.x + dx / (fit * k), start.y + dy / (fit * k));
        },
        end() {
          element.classList.remove("dragging");
        },
      };
    },
  });
  new ResizeObserver(() => {
    fitToView();
    controls.redraw();
  }).observe(svg);
  controls.redraw();
  return controls;
}

/** Load the data, lay the network out and draw it; buttons in `panel` zoom and reset. */
export async function showNetwork(panel) {
  const svg = panel.querySelector("svg.network-view");
  const caption = panel.querySelector(".caption");
  const data = await loadGraphData();
  const network = buildNetwork(data);
  layout(network, svg.clientWidth / svg.clientHeight);
  const controls = draw(svg, network);
  panel.querySelector("[data-zoom=in]").addEventListener("click", () => controls.zoomBy(1.25));
  panel.querySelector("[data-zoom=out]").addEventListener("click", () => controls.zoomBy(0.8));
  panel.querySelector("[data-zoom=reset]").addEventListener("click", () => controls.reset());
  caption.textContent = `${network.nodes.length} actors, ${network.links.length} links, ` +
    `from ${data.exchanges.length} exchanges.`;
}
