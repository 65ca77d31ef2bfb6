// Datasets: name, kind, live and uploaded record counts, live documents per domain, size and SHA-256.

import { el, replace, table } from './dom.js';
import { getJSON } from './api.js';
import * as format from './format.js';
import { hash, pager } from './widgets.js';
import { loadOrShowError } from './view-context.js';

const hrefFor = (after) => (after ? `#/datasets?after=${encodeURIComponent(after)}` : '#/datasets');

function domains(counts) {
  const entries = Object.entries(counts ?? {});
  if (entries.length === 0) return el('span', { class: 'muted' }, '—');
  return el('ul', { class: 'chips', 'data-testid': 'dataset-domains' },
    entries.map(([name, n]) => el('li', null, el('span', { class: 'key' }, name), ` ${n}`)));
}

export async function datasetsView(root, ctx, query) {
  const after = query.get('after') || null;
  const body = el('div', { 'data-testid': 'datasets-table' }, el('p', { class: 'muted' }, 'Loading…'));
  root.append(el('h1', null, 'Datasets'), body);
  const page = await loadOrShowError(ctx, body, () => getJSON('/v1/datasets', { query: { after, limit: 50 }, signal: ctx.signal }));
  if (!page) return;
  const rows = page.data.map((d) => [
    el('span', { class: 'mono' }, d.id), el('span', { class: 'name', 'data-testid': 'dataset-name' }, d.name), d.kind,
    `${d.live_count} live of ${d.record_count}`, domains(d.domains), [format.bytes(d.bytes), el('br'), hash(d.sha256)],
    format.time(d.created_at),
  ]);
  replace(body,
    rows.length ? table(['Dataset', 'Name', 'Kind', 'Records', 'Domains (live documents)', 'Size and SHA-256', 'Uploaded'], rows, { class: 'list' })
      : el('p', { class: 'muted' }, 'No datasets yet (upload one with `orchard datasets upload FILE`).'),
    pager({ hasMore: page.has_more, lastId: page.data.at(-1)?.id, isFirst: !after, hrefFor }));
}
