// The timeline: one bar pair per exchange, people returned to the chosen actor above the
// axis and released by it below, with a mark for each third party that helped.

import { formatCount, h, s } from "./dom.js";
import { loadGraphData, partiesOf } from "./graphdata.js";
import { attachPanZoom } from "./panzoom.js";
import { safeHref } from "./sparql.js";

const DAY = 86_400_000;
const MARGIN = { top: 36, right: 24, bottom: 34, left: 64 };
const PALETTE = ["#d9730d", "#0f7b6c", "#9b51e0", "#c4314b", "#6b8e23", "#8c564b", "#e377c2"];
const OTHER_COLOUR = "#7a7a7a";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A legend's colour dot; coloured through the CSSOM, which the CSP allows (style="" it does not). */
function dot(colour) {
  const element = h("span", { class: "dot" });
  element.style.background = colour;
  return element;
}

const time = (date) => Date.parse(`${date}T00:00:00Z`);

// Tick spacings from a day to a year; a month counts as its average length for choosing.
const STEPS = [[1, 0], [2, 0], [7, 0], [14, 0], [0, 1], [0, 3], [0, 6], [0, 12]];

/** Tick marks for a time range drawn `width` pixels wide, at least 80 pixels apart. */
function ticks(start, end, width) {
  const minimum = (80 * (end - start)) / width;
  const [days, months] = STEPS.find(([d, m]) => (d + m * 30.44) * DAY >= minimum) ?? [0, 24];
  const result = [];
  if (days) {
    for (let t = Math.ceil(start / DAY) * DAY; t <= end; t += days * DAY) {
      const d = new Date(t);
      result.push({ t, label: `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` });
    }
    return result;
  }
  const first = new Date(start);
  const firstMonth = first.getUTCFullYear() * 12 + first.getUTCMonth() + 1;
  for (let m = Math.ceil(firstMonth / months) * months; ; m += months) {
    const t = Date.UTC(Math.floor(m / 12), m % 12, 1);
    if (t > end) break;
    const year = Math.floor(m / 12);
    result.push({ t, label: m % 12 === 0 ? String(year) : `${MONTHS[m % 12]} ${year}` });
  }
  return result;
}

/** The people an exchange returned to `actor` (up) and that `actor` released (down). */
function split(exchange, actor) {
  let up = 0;
  let down = 0;
  let known = false;
  for (const transfer of exchange.transfers) {
    if (transfer.people === null) continue;
    known = true;
    if (transfer.to.includes(actor)) up += transfer.people;
    if (transfer.from.includes(actor)) down += transfer.people;
  }
  return { up, down, known };
}

function directions(exchange, actors) {
  const name = (iri) => actors.get(iri)?.label ?? iri;
  return exchange.transfers.map((t) => h("li", {},
    `${t.from.map(name).join(", ")} → ${t.to.map(name).join(", ")}: `,
    h("strong", {}, t.people === null ? "not stated" : formatCount(t.people)),
    t.disputed ? h("span", { class: "disputed" }, " (disputed)") : null));
}

function tooltipContent(exchange, actors) {
  const name = (iri) => actors.get(iri)?.label ?? iri;
  return [
    h("p", { class: "tip-date" }, exchange.date),
    h("p", { class: "tip-label" }, exchange.label),
    h("ul", {}, directions(exchange, actors)),
    exchange.thirdParties.length ? h("p", {}, exchange.thirdParties.map((p) =>
      `${name(p.actor)} (${p.role}${p.denied ? ", disputed" : ""})`).join("; ")) : null,
    exchange.sources.length
      ? h("p", { class: "tip-sources" }, "Source: ", exchange.sources.map((src) => src.publisher).join(", "))
      : null,
  ];
}

/** Show the timeline in `panel`, seen from the actor chosen in its select. */
export async function showTimeline(panel) {
  const svg = panel.querySelector("svg.timeline-view");
  const picker = panel.querySelector("#timeline-actor");
  const tooltip = panel.querySelector(".tooltip");
  const legend = panel.querySelector(".legend");
  const caption = panel.querySelector(".caption");
  const { actors, exchanges } = await loadGraphData();

  const exchangeCount = new Map();
  for (const exchange of exchanges) {
    for (const party of partiesOf(exchange)) exchangeCount.set(party, (exchangeCount.get(party) ?? 0) + 1);
  }
  const parties = [...exchangeCount.keys()].sort((a, b) =>
    exchangeCount.get(b) - exchangeCount.get(a) || actors.get(a).label.localeCompare(actors.get(b).label));
  picker.replaceChildren(...parties.map((iri) =>
    h("option", { value: iri }, `${actors.get(iri).label} (${exchangeCount.get(iri)})`)));

  const helped = new Map();
  for (const exchange of exchanges) {
    for (const p of exchange.thirdParties) helped.set(p.actor, (helped.get(p.actor) ?? 0) + 1);
  }
  const colourOf = new Map([...helped.keys()]
    .sort((a, b) => helped.get(b) - helped.get(a) || a.localeCompare(b))
    .slice(0, PALETTE.length)
    .map((iri, i) => [iri, PALETTE[i]]));
  const upKey = h("span", {});
  const downKey = h("span", {});
  legend.replaceChildren(
    h("span", { class: "key" }, h("span", { class: "swatch up" }), upKey),
    h("span", { class: "key" }, h("span", { class: "swatch down" }), downKey),
    h("span", { class: "key" }, h("span", { class: "swatch disputed" }), "figures disputed"),
    ...[...colourOf].map(([iri, colour]) => h("span", { class: "key" },
      dot(colour), actors.get(iri).label)),
    helped.size > colourOf.size
      ? h("span", { class: "key" }, dot(OTHER_COLOUR), "other third party")
      : null,
  );

  const start = time(exchanges[0].date) - 30 * DAY;
  const end = time(exchanges.at(-1).date) + 30 * DAY;
  const width = svg.clientWidth;
  const height = svg.clientHeight;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const axisY = MARGIN.top + (height - MARGIN.top - MARGIN.bottom) / 2;
  const half = (height - MARGIN.top - MARGIN.bottom) / 2 - 6;
  const grid = s("g", { class: "grid" });
  const plot = s("g", { "clip-path": "url(#plot-area)" });
  const scale = s("g", {});
  const upLabel = s("text", { class: "direction", x: MARGIN.left + 4, y: MARGIN.top - 14 });
  const downLabel = s("text", { class: "direction", x: MARGIN.left + 4, y: height - 4 });
  svg.replaceChildren(
    s("defs", {}, s("clipPath", { id: "plot-area" },
      s("rect", { x: MARGIN.left, y: 0, width: plotWidth, height }))),
    grid, plot,
    s("line", { class: "axis", x1: MARGIN.left, x2: width - MARGIN.right, y1: axisY, y2: axisY }),
    scale, upLabel, downLabel);

  /** @type {{exchange: object, group: SVGElement, bars: SVGElement[]}[]} */
  let drawn = [];
  let view = { x: 0, k: 1 };
  const xOf = (date) => MARGIN.left + view.x + view.k * ((time(date) - start) / (end - start)) * plotWidth;

  function showTip(exchange, target) {
    tooltip.replaceChildren(...tooltipContent(exchange, actors).filter(Boolean));
    tooltip.hidden = false;
    const box = target.getBoundingClientRect();
    const frame = panel.querySelector(".chart").getBoundingClientRect();
    const left = Math.min(box.left - frame.left + 12, frame.width - tooltip.offsetWidth - 4);
    tooltip.style.left = `${Math.max(4, left)}px`;
    tooltip.style.top = `${Math.max(4, box.top - frame.top - tooltip.offsetHeight - 8)}px`;
  }
  const hideTip = () => { tooltip.hidden = true; };

  /** Draw the exchanges of the chosen actor (their heights do not change with zoom). */
  function build() {
    const actor = picker.value;
    const name = actors.get(actor).label;
    const shown = exchanges.filter((e) => partiesOf(e).has(actor));
    const splits = new Map(shown.map((e) => [e, split(e, actor)]));
    const max = Math.max(1, ...[...splits.values()].flatMap((v) => [v.up, v.down]));
    const y = (count) => (count === 0 ? 0 : Math.max(1.5, (count / max) * half));

    drawn = shown.map((exchange) => {
      const { up, down, known } = splits.get(exchange);
      const disputed = exchange.transfers.some((t) => t.disputed);
      const bars = known
        ? [s("rect", { class: "bar up", y: axisY - y(up), height: y(up) }),
           s("rect", { class: "bar down", y: axisY, height: y(down) })]
        : [];
      const group = s("a", {
        class: "exchange", href: safeHref(exchange.iri),
        "data-date": exchange.date, "data-iri": exchange.iri,
        "aria-label": `${exchange.date}: ${exchange.label}; ${formatCount(up)} returned to ${name}, ` +
          `${formatCount(down)} released`,
      },
      s("rect", { class: "hit", x: -5, y: MARGIN.top, width: 10, height: height - MARGIN.top - MARGIN.bottom }),
      bars,
      known ? null : s("circle", { class: "unknown", cy: axisY, r: 3 }),
      disputed ? s("rect", { class: "dispute", x: -3, y: axisY + y(down) + 3, width: 6, height: 6 }) : null,
      exchange.thirdParties.map((p, i) => s("circle", {
        class: p.denied ? "mark denied" : "mark", cy: axisY - y(up) - 7 - i * 9, r: 3.5,
        fill: colourOf.get(p.actor) ?? OTHER_COLOUR,
      })));
      group.addEventListener("pointerenter", () => showTip(exchange, group));
      group.addEventListener("pointerleave", hideTip);
      group.addEventListener("focus", () => {
        const cx = xOf(exchange.date);
        if (cx < MARGIN.left || cx > width - MARGIN.right) controls.centerOn(cx, axisY);
        showTip(exchange, group);
      });
      group.addEventListener("blur", hideTip);
      return { exchange, group, bars };
    });
    plot.replaceChildren(...drawn.map((d) => d.group));
    scale.replaceChildren(...[max, Math.round(max / 2)].flatMap((v) => [
      s("text", { class: "count", x: MARGIN.left - 8, y: axisY - (v / max) * half + 4 }, formatCount(v)),
      s("text", { class: "count", x: MARGIN.left - 8, y: axisY + (v / max) * half + 4 }, formatCount(v)),
    ]));
    upLabel.textContent = `▲ people returned to ${name}`;
    downLabel.textContent = `▼ people released by ${name}`;
    upKey.textContent = `people returned to ${name}`;
    downKey.textContent = `people ${name} released`;
    caption.textContent = `${shown.length} of ${exchanges.length} exchanges have ${name} as a party. ` +
      "Scroll or use + and − to zoom, drag to pan; hover or focus a bar for its figures and sources.";
    place();
  }

  /** Move everything to the current zoom and pan. */
  function place() {
    const barWidth = Math.min(14, Math.max(2.5, (DAY / (end - start)) * plotWidth * view.k * 0.8));
    for (const { exchange, group, bars } of drawn) {
      group.setAttribute("transform", `translate(${xOf(exchange.date).toFixed(2)},0)`);
      for (const bar of bars) {
        bar.setAttribute("x", -barWidth / 2);
        bar.setAttribute("width", barWidth);
      }
    }
    const visibleStart = start + (-view.x / view.k / plotWidth) * (end - start);
    const visibleEnd = visibleStart + (end - start) / view.k;
    grid.replaceChildren(...ticks(visibleStart, visibleEnd, plotWidth).map(({ t, label }) => {
      const x = MARGIN.left + view.x + view.k * ((t - start) / (end - start)) * plotWidth;
      return s("g", { class: "tick" },
        s("line", { x1: x, x2: x, y1: MARGIN.top, y2: height - MARGIN.bottom }),
        s("text", { x, y: height - MARGIN.bottom + 18 }, label));
    }));
  }

  const controls = attachPanZoom(svg, (t) => {
    view = { x: t.x, k: t.k };
    place();
  }, { xOnly: true });
  picker.addEventListener("change", build);
  panel.querySelector("[data-zoom=in]").addEventListener("click", () => controls.zoomBy(1.5));
  panel.querySelector("[data-zoom=out]").addEventListener("click", () => controls.zoomBy(1 / 1.5));
  panel.querySelector("[data-zoom=reset]").addEventListener("click", () => controls.reset());
  build();
}
