// A job's events as a table that stays small however long the job runs: every event is kept in memory (a
// 10,000-event job is a few MB of objects), but only the newest `shown` rows that pass the filter are in the
// DOM (200 at first, 200 more per "Show older"); redraws are batched to one per animation frame.

import { el, button, replace } from './dom.js';
import * as format from './format.js';

const STEP = 200;
const FILTERS = {
  all: () => true,
  'no-metrics': (e) => e.type !== 'metrics',
  warnings: (e) => e.level === 'warn' || e.level === 'error',
};

export class EventLog {
  constructor() {
    this.events = [];
    this.shown = STEP;
    this.filter = 'no-metrics';
    this.scheduled = false;
    const select = el('select', { id: 'event-filter', 'data-testid': 'event-filter' },
      el('option', { value: 'no-metrics', selected: true }, 'all but metrics'),
      el('option', { value: 'all' }, 'all events'),
      el('option', { value: 'warnings' }, 'warnings and errors'));
    select.addEventListener('change', () => { this.filter = select.value; this.shown = STEP; this.render(); });
    this.summary = el('span', { class: 'muted' });
    this.body = el('tbody');
    this.more = button('Show older', () => { this.shown += STEP; this.render(); }, { 'data-testid': 'events-more' });
    this.element = el('section', { class: 'events', 'data-testid': 'events' },
      el('h2', null, 'Events'),
      el('p', null, el('label', { for: 'event-filter' }, 'Show '), select, ' ', this.summary),
      el('table', { class: 'list events-table' },
        el('colgroup', null, ['seq', 'time', 'type', 'level', 'message', 'data'].map((c) => el('col', { class: `col-${c}` }))),
        el('thead', null, el('tr', null, ['#', 'Time', 'Type', 'Level', 'Message', 'Data'].map((h) => el('th', null, h)))),
        this.body),
      this.more);
  }

  add(event) {
    this.events.push(event);
    this.schedule();
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.render(); });
  }

  render() {
    const keep = FILTERS[this.filter];
    const rows = [];
    let matching = 0;
    // Newest first: walk back from the end until `shown` rows are found, counting the rest cheaply.
    for (let i = this.events.length - 1; i >= 0; i -= 1) {
      const e = this.events[i];
      if (!keep(e)) continue;
      matching += 1;
      if (rows.length < this.shown) rows.push(this.row(e));
    }
    this.body.replaceChildren(...rows);
    this.more.hidden = matching <= rows.length;
    replace(this.summary, `${rows.length} of ${matching} shown (${this.events.length} events in all)`);
    this.element.setAttribute('data-rows', String(rows.length));
  }

  row(e) {
    const data = e.data === null || e.data === undefined ? '' : JSON.stringify(e.data);
    return el('tr', { class: `level-${e.level === 'warn' || e.level === 'error' ? e.level : 'info'}` },
      el('td', { class: 'num' }, String(e.id)), el('td', null, format.time(e.created_at)), el('td', null, e.type),
      el('td', null, e.level), el('td', null, e.message),
      el('td', { class: 'data' }, data.length > 300 ? `${data.slice(0, 300)}…` : data));
  }
}
