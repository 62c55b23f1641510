// Building DOM and SVG elements tersely.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, value);
  }
  element.append(...[children].flat(Infinity).filter((c) => c !== null && c !== undefined));
  return element;
}

/** An HTML element with attributes (null values are left out) and children. */
export function h(tag, attributes, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** An SVG element with attributes and children. */
export function s(tag, attributes, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** A number formatted for people (thousands separated). */
export function formatCount(value) {
  return Number(value).toLocaleString("en");
}
