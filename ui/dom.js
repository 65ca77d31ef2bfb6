// DOM construction for the dashboard. The contract that makes the pages safe by construction: every string
// reaches the page as a text node (`textContent`) or as an attribute value set with `setAttribute` on a
// whitelisted attribute, never as markup. No file of the dashboard uses innerHTML, outerHTML,
// insertAdjacentHTML or document.write (a server test greps for them), so a hostile dataset name, domain or
// metadata value is shown as the characters it is.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Attributes a caller may set (besides inert data-* attributes). Event handlers (on*), `style` and URL-bearing attributes other than a plain
// `href` are refused: listeners are attached with addEventListener, and styles live in style.css.
const ALLOWED_ATTRIBUTES = new Set([
  'class', 'id', 'href', 'type', 'name', 'value', 'placeholder', 'autocomplete', 'for', 'title', 'role',
  'aria-label', 'aria-live', 'disabled', 'checked', 'selected', 'colspan', 'download', 'required', 'spellcheck',
  'min', 'max', 'step',
  // SVG geometry and presentation attributes used by chart.js.
  'viewBox', 'width', 'height', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'd', 'points', 'fill',
  'stroke', 'stroke-width', 'stroke-dasharray', 'text-anchor', 'dominant-baseline', 'font-size',
  'preserveAspectRatio', 'vector-effect', 'opacity',
]);

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (!ALLOWED_ATTRIBUTES.has(name) && !/^data-[a-z-]+$/.test(name)) throw new Error(`attribute ${name} is not allowed`);
    if (name === 'href' && !isSafeHref(String(value))) throw new Error(`href ${value} is not a dashboard or blob link`);
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

// Links go to the dashboard's own hash routes or to blob: URLs this page created (downloads); nothing else.
function isSafeHref(href) {
  return href.startsWith('#') || href.startsWith('blob:');
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/// An HTML element: `el('td', {class: 'num'}, 'text', otherNode)`. Strings become text nodes.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  return append(node, children);
}

/// An SVG element (charts).
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  return append(node, children);
}

/// Replaces the children of `node` with `children`.
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/// A button that calls `onClick` (its only listener).
export function button(label, onClick, attrs = {}) {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

/// A table with a header row and `rows` (arrays of cells; a cell is a string, a node or an array of them).
export function table(headers, rows, attrs = {}) {
  return el('table', attrs,
    el('thead', null, el('tr', null, headers.map((h) => el('th', null, h)))),
    el('tbody', null, rows.map((cells) => el('tr', null, cells.map((c) => el('td', null, c))))));
}

/// A definition list from [label, value] pairs (values: strings or nodes); pairs with a null value are left out.
export function facts(pairs) {
  return el('dl', { class: 'facts' },
    pairs.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
}
