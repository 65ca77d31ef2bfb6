// The jobs list: newest first, filtered by status (and type), one page of the `after` cursor at a time.
// "Live": the page is re-read every two seconds while the tab is visible (the API has no list stream).

import { el, replace, table } from './dom.js';
import { getJSON } from './api.js';
import * as format from './format.js';
import { statusBadge, jobLink, keyValues, pager } from './widgets.js';
import { loadOrShowError } from './view-context.js';

const STATUSES = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled'];
const PAGE = 50;

function hrefFor({ status, type, after }) {
  const q = new URLSearchParams();
  if (status) q.set('status', status);
  if (type) q.set('type', type);
  if (after) q.set('after', after);
  const s = q.toString();
  return s ? `#/jobs?${s}` : '#/jobs';
}

export function jobsView(root, ctx, query) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : null;
  const type = query.get('type') || null;
  const after = query.get('after') || null;

  const filters = el('nav', { class: 'filters', 'aria-label': 'status filter' },
    [null, ...STATUSES].map((s) => el('a', {
      href: hrefFor({ status: s, type }), class: s === status ? 'filter active' : 'filter', 'data-testid': `filter-${s ?? 'all'}`,
    }, s ?? 'all')));
  const typeForm = el('form', { class: 'inline' },
    el('label', { for: 'type-filter' }, 'type '),
    el('input', { id: 'type-filter', name: 'type', value: type ?? '', placeholder: 'any', spellcheck: 'false' }));
  typeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    window.location.hash = hrefFor({ status, type: typeForm.elements.type.value.trim() || null });
  });
  const updated = el('p', { class: 'muted', 'data-testid': 'jobs-updated' });
  const body = el('div', { 'data-testid': 'jobs-table' });
  root.append(el('h1', null, 'Jobs'), el('div', { class: 'toolbar' }, filters, typeForm), updated, body);

  ctx.poll(2000, async () => {
    const page = await loadOrShowError(ctx, body,
      () => getJSON('/v1/jobs', { query: { status, type, after, limit: PAGE }, signal: ctx.signal }));
    if (!page) return;
    const rows = page.data.map((job) => [
      jobLink(job.id), job.type, statusBadge(job.status), format.progress(job.progress),
      keyValues(job.metadata), format.time(job.created_at),
      job.started_at ? format.duration((job.finished_at ?? Date.now() / 1000) - job.started_at) : '',
    ]);
    replace(body,
      rows.length ? table(['Job', 'Type', 'Status', 'Step', 'Metadata', 'Created', 'Run time'], rows, { class: 'list' })
        : el('p', { class: 'muted' }, 'No jobs match.'),
      pager({ hasMore: page.has_more, lastId: page.data.at(-1)?.id, isFirst: !after,
        hrefFor: (a) => hrefFor({ status, type, after: a }) }));
    replace(updated, `${page.data.length} job${page.data.length === 1 ? '' : 's'} · updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`);
  });
}
