// Pan and zoom for an SVG view: wheel, pinch or buttons zoom, dragging the background pans
// (dragging an item the view calls draggable moves that item instead), arrow keys pan when
// the view has focus.

const MIN_SCALE = 0.2;
const MAX_SCALE = 40;
const DRAG_THRESHOLD = 4; // pixels a pointer moves before a press counts as a drag

/**
 * Make `svg` pannable and zoomable.
 * @param {SVGSVGElement} svg The view; it should be focusable (tabindex) for the keys.
 * @param {(t: {x: number, y: number, k: number}) => void} onChange Draws the view for a
 *     transform: screen = k * point + (x, y).
 * @param {{xOnly?: boolean, dragItem?: (event: PointerEvent) =>
 *     ({move: (dx: number, dy: number, k: number) => void, end: () => void} | null)}} options
 *     With xOnly, only the horizontal axis moves. dragItem, given the press on an item that
 *     can be dragged, returns what moves it by (dx, dy) screen pixels at scale k.
 * @returns {{zoomBy: (factor: number) => void, centerOn: (px: number, py: number) => void,
 *     reset: () => void}}
 */
export function attachPanZoom(svg, onChange, { xOnly = false, dragItem = null } = {}) {
  const transform = { x: 0, y: 0, k: 1 };
  let press = null;
  const pointers = new Map(); // pointers down, for pinching: id → {x, y}
  let pinch = null;

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

  function pinchState() {
    const [a, b] = [...pointers.values()];
    const box = svg.getBoundingClientRect();
    return {
      distance: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)),
      mx: (a.x + b.x) / 2 - box.left,
      my: (a.y + b.y) / 2 - box.top,
    };
  }

  svg.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) {
      // A second finger: pinch to zoom about the midpoint, and pan with it.
      press?.item?.end();
      press = null;
      pinch = pinchState();
      return;
    }
    press = {
      x: event.clientX, y: event.clientY, tx: transform.x, ty: transform.y, moved: false,
      item: dragItem?.(event) ?? null,
    };
  });
  svg.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch && pointers.size === 2) {
      const now = pinchState();
      transform.x += now.mx - pinch.mx;
      if (!xOnly) transform.y += now.my - pinch.my;
      zoomAt(now.distance / pinch.distance, now.mx, now.my);
      pinch = now;
      return;
    }
    if (!press) return;
    const dx = event.clientX - press.x;
    const dy = event.clientY - press.y;
    if (!press.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!press.moved) svg.setPointerCapture(event.pointerId);
    press.moved = true;
    if (press.item) {
      press.item.move(dx, dy, transform.k);
      return;
    }
    svg.classList.add("panning");
    transform.x = press.tx + dx;
    if (!xOnly) transform.y = press.ty + dy;
    apply();
  });
  const release = (event) => {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) pinch = null;
    if (press?.moved) {
      // A drag is not a click: the link under the pointer must not open. The click, if
      // any, follows the pointerup before any timer runs.
      const suppress = (click) => {
        click.preventDefault();
        click.stopPropagation();
      };
      svg.addEventListener("click", suppress, { capture: true, once: true });
      setTimeout(() => svg.removeEventListener("click", suppress, { capture: true }), 0);
    }
    press?.item?.end();
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
    /** Draw the view again for the current transform (after the scene under it changed). */
    redraw: apply,
  };
  return controls;
}
