// The page: three tabs (query, network, timeline) whose state lives in the URL's hash, so
// that a link reopens the same view and query.

import { showNetwork } from "./network.js";
import { setupQueryPanel } from "./query.js";
import { showTimeline } from "./timeline.js";

const TABS = ["query", "network", "timeline"];
const views = { network: showNetwork, timeline: showTimeline };
const drawn = new Set();

const [hashTab, hashQuery = ""] = location.hash.slice(1).split("?", 2);
let current = TABS.includes(hashTab) ? hashTab : "query";
let queryState = new URLSearchParams(current === "query" ? hashQuery : "");

function updateHash() {
  const query = current === "query" ? queryState.toString() : "";
  history.replaceState(null, "", `#${current}${query ? `?${query}` : ""}`);
}

function draw(tab) {
  const panel = document.getElementById(`${tab}-panel`);
  const caption = panel.querySelector(".caption");
  drawn.add(tab);
  panel.setAttribute("aria-busy", "true");
  views[tab](panel)
    .catch((error) => {
      caption.textContent = `Could not load the graph: ${error.message}`;
      caption.classList.add("error");
    })
    .finally(() => panel.removeAttribute("aria-busy"));
}

function show(tab, { focus = false } = {}) {
  current = tab;
  for (const name of TABS) {
    const button = document.getElementById(`tab-${name}`);
    const active = name === tab;
    button.setAttribute("aria-selected", String(active));
    button.tabIndex = active ? 0 : -1;
    document.getElementById(`${name}-panel`).hidden = !active;
    if (active && focus) button.focus();
  }
  if (views[tab] && !drawn.has(tab)) draw(tab);
  updateHash();
}

const tabList = document.querySelector("[role=tablist]");
tabList.addEventListener("click", (event) => {
  const button = event.target.closest("[role=tab]");
  if (button) show(button.id.replace("tab-", ""));
});
tabList.addEventListener("keydown", (event) => {
  const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -TABS.indexOf(current), End: TABS.length - 1 - TABS.indexOf(current) };
  if (!(event.key in moves)) return;
  event.preventDefault();
  show(TABS[(TABS.indexOf(current) + moves[event.key] + TABS.length) % TABS.length], { focus: true });
});

// Links to "/#network" and the like (the header's) switch tabs without reloading.
window.addEventListener("hashchange", () => {
  const tab = location.hash.slice(1).split("?")[0];
  if (TABS.includes(tab) && tab !== current) show(tab);
});

const queryPanel = setupQueryPanel(document.getElementById("query-panel"), (state) => {
  queryState = state;
  updateHash();
});
const opening = queryState;
show(current);
queryPanel.open(opening);
