// A small SVG line chart (no library): one <path> per series, axes with "nice" ticks, and an HTML legend
// whose names are text nodes (series names can be dataset domain names, i.e. user input). Series keep every
// point in memory; what is drawn is downsampled to at most `maxPoints` per series (the min and max of each
// bucket, so spikes stay visible), so a job with 10,000 metrics events costs a few hundred path vertices.

import { el, svg } from './dom.js';
import { metric } from './format.js';

const WIDTH = 640, HEIGHT = 240;
const MARGIN = { left: 58, right: 24, top: 12, bottom: 30 };
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/// At most `maxPoints` of `points` ([x, y] pairs in x order): for each of maxPoints/2 buckets its lowest and
/// highest point, in x order, plus the last point.
export function downsample(points, maxPoints) {
  if (points.length <= maxPoints) return points;
  const buckets = Math.max(1, Math.floor((maxPoints - 1) / 2));
  const per = points.length / buckets;
  const out = [];
  for (let b = 0; b < buckets; b += 1) {
    const start = Math.floor(b * per), end = Math.min(points.length, Math.floor((b + 1) * per));
    if (end <= start) continue;
    let lo = start, hi = start;
    for (let i = start + 1; i < end; i += 1) {
      if (points[i][1] < points[lo][1]) lo = i;
      if (points[i][1] > points[hi][1]) hi = i;
    }
    out.push(points[Math.min(lo, hi)]);
    if (lo !== hi) out.push(points[Math.max(lo, hi)]);
  }
  const last = points[points.length - 1];
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

/// About five round tick values covering [min, max].
export function niceTicks(min, max, count = 5) {
  const span = max - min;
  if (!(span > 0)) return [min];
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? rough;
  const ticks = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export class LineChart {
  /// `title`: the figure's caption; `testid`: a stable name for tests (data-testid).
  constructor({ title, testid, maxPoints = 400 }) {
    this.maxPoints = maxPoints;
    this.series = new Map();   // name -> [[x, y], ...]
    this.plot = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-label': title });
    this.legend = el('ul', { class: 'legend' });
    this.empty = el('p', { class: 'muted' }, 'waiting for metrics…');
    this.element = el('figure', { class: 'chart-box', 'data-testid': testid },
      el('figcaption', null, title), this.empty, this.plot, this.legend);
    this.scheduled = false;
    this.render();
  }

  /// Appends a point to series `name` (creating it); redraws on the next animation frame.
  add(name, x, y) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    let points = this.series.get(name);
    if (!points) { points = []; this.series.set(name, points); }
    points.push([x, y]);
    this.schedule();
  }

  /// Points held (not drawn) over all series.
  get pointCount() {
    let n = 0;
    for (const points of this.series.values()) n += points.length;
    return n;
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.render(); });
  }

  render() {
    const all = [...this.series.entries()].filter(([, p]) => p.length > 0);
    this.element.setAttribute('data-points', String(this.pointCount));
    this.element.setAttribute('data-series', String(all.length));
    this.empty.hidden = all.length > 0;
    this.plot.classList.toggle('hidden', all.length === 0);
    this.plot.replaceChildren();
    this.legend.replaceChildren();
    if (all.length === 0) return;

    let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
    const drawn = all.map(([name, points]) => [name, downsample(points, this.maxPoints), points[points.length - 1]]);
    for (const [, points] of drawn) {
      for (const [x, y] of points) {
        if (x < xMin) xMin = x; if (x > xMax) xMax = x;
        if (y < yMin) yMin = y; if (y > yMax) yMax = y;
      }
    }
    if (xMax === xMin) { xMin -= 1; xMax += 1; }
    if (yMax === yMin) { const pad = Math.abs(yMin) * 0.05 || 1; yMin -= pad; yMax += pad; }
    const yPad = (yMax - yMin) * 0.05;
    yMin -= yPad; yMax += yPad;
    const innerW = WIDTH - MARGIN.left - MARGIN.right, innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const sx = (x) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * innerW;
    const sy = (y) => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * innerH;

    const axes = svg('g', { class: 'axes' });
    for (const t of niceTicks(yMin, yMax)) {
      axes.append(svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: sy(t), y2: sy(t), class: 'grid' }),
        svg('text', { x: MARGIN.left - 6, y: sy(t), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, metric(t)));
    }
    for (const t of niceTicks(xMin, xMax)) {
      axes.append(svg('text', { x: sx(t), y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle' }, metric(t)));
    }
    axes.append(svg('line', { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, class: 'axis' }),
      svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom, class: 'axis' }));
    this.plot.append(axes);

    drawn.forEach(([name, points, last], i) => {
      const color = PALETTE[i % PALETTE.length];
      const d = points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`).join('');
      const path = svg('path', { d, fill: 'none', stroke: color, 'stroke-width': 1.6, class: 'series' });
      path.append(svg('title', null, name));
      this.plot.append(path);
      if (points.length === 1) this.plot.append(svg('circle', { cx: sx(points[0][0]), cy: sy(points[0][1]), r: 2.5, fill: color }));
      this.legend.append(el('li', null,
        svg('svg', { viewBox: '0 0 12 12', width: 12, height: 12, class: 'swatch' }, svg('rect', { x: 0, y: 0, width: 12, height: 12, fill: color })),
        el('span', { class: 'series-name' }, name), ` ${metric(last[1])} at ${metric(last[0])}`));
    });
  }
}
