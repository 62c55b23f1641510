// Pan and zoom for an SVG view: wheel or buttons zoom, dragging the background pans,
// arrow keys pan when the view has focus.

const MIN_SCALE = 0.2;
const MAX_SCALE = 40;
const DRAG_THRESHOLD = 4; // pixels a pointer moves before a press counts as a drag

/**
 * Make `svg` pannable and zoomable.
 * @param {SVGSVGElement} svg The view; it should be focusable (tabindex) for the keys.
 * @param {(t: {x: number, y: number, k: number}) => void} onChange Draws the view for a
 *     transform: screen = k * point + (x, y).
 * @param {{xOnly?: boolean}} options With xOnly, only the horizontal axis moves.
 * @returns {{zoomBy: (factor: number) => void, centerOn: (px: number, py: number) => void,
 *     reset: () => void}}
 */
export function attachPanZoom(svg, onChange, { xOnly = false } = {}) {
  const transform = { x: 0, y: 0, k: 1 };
  let press = null;

  const apply = () => onChange(transform);

  function zoomAt(factor, px, py) {
    const k = Math.min(MAX_SCALE, Math.max(MIN_SCALE, transform.k * factor));
    const ratio = k / transform.k;
    transform.x = px - (px - transform.x) * ratio;
    if (!xOnly) transform.y = py - (py - transform.y) * ratio;
    transform.k = k;
    apply();
  }

  function pointIn(event) {
    const box = svg.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const [px, py] = pointIn(event);
    zoomAt(Math.exp(-event.deltaY * 0.0015), px, py);
  }, { passive: false });

  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    press = { x: event.clientX, y: event.clientY, tx: transform.x, ty: transform.y, moved: false };
  });
  svg.addEventListener("pointermove", (event) => {
    if (!press) return;
    const dx = event.clientX - press.x;
    const dy = event.clientY - press.y;
    if (!press.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!press.moved) svg.setPointerCapture(event.pointerId);
    press.moved = true;
    svg.classList.add("panning");
    transform.x = press.tx + dx;
    if (!xOnly) transform.y = press.ty + dy;
    apply();
  });
  const release = () => {
    press = null;
    svg.classList.remove("panning");
  };
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", release);

  svg.addEventListener("keydown", (event) => {
    if (event.target !== svg) return; // keys on a focused node or bar are theirs
    const step = 40;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key in moves && !(xOnly && moves[event.key][0] === 0)) {
      transform.x += moves[event.key][0];
      if (!xOnly) transform.y += moves[event.key][1];
      apply();
    } else if (event.key === "+" || event.key === "=") {
      controls.zoomBy(1.25);
    } else if (event.key === "-") {
      controls.zoomBy(0.8);
    } else if (event.key === "0") {
      controls.reset();
    } else {
      return;
    }
    event.preventDefault();
  });

  const controls = {
    zoomBy(factor) {
      const box = svg.getBoundingClientRect();
      zoomAt(factor, box.width / 2, box.height / 2);
    },
    /** Pan so that the point at (px, py) on screen comes to the middle of the view. */
    centerOn(px, py) {
      const box = svg.getBoundingClientRect();
      transform.x += box.width / 2 - px;
      if (!xOnly) transform.y += box.height / 2 - py;
      apply();
    },
    reset() {
      Object.assign(transform, { x: 0, y: 0, k: 1 });
      apply();
    },
  };
  return controls;
}
