// Deletion requests, newest first, re-read every few seconds while any is still pending or running.

import { el, replace, table } from './dom.js';
import { getJSON } from './api.js';
import * as format from './format.js';
import { statusBadge, deletionLink, pager } from './widgets.js';
import { loadOrShowError } from './view-context.js';

const hrefFor = (after) => (after ? `#/deletions?after=${encodeURIComponent(after)}` : '#/deletions');

export function deletionsView(root, ctx, query) {
  const after = query.get('after') || null;
  const body = el('div', { 'data-testid': 'deletions-table' }, el('p', { class: 'muted' }, 'Loading…'));
  root.append(el('h1', null, 'Deletion requests'), body);
  ctx.poll(3000, async () => {
    const page = await loadOrShowError(ctx, body,
      () => getJSON('/v1/deletion_requests', { query: { after, limit: 50 }, signal: ctx.signal }));
    if (!page) return;
    const rows = page.data.map((r) => [
      deletionLink(r.id), statusBadge(r.status), r.dataset, r.mode, String(r.documents?.count ?? ''),
      String(r.affected_models?.length ?? 0), format.time(r.created_at), format.time(r.completed_at),
    ]);
    replace(body,
      rows.length ? table(['Request', 'Status', 'Dataset', 'Mode', 'Documents', 'Models', 'Filed', 'Completed'], rows, { class: 'list' })
        : el('p', { class: 'muted' }, 'No deletion requests.'),
      pager({ hasMore: page.has_more, lastId: page.data.at(-1)?.id, isFirst: !after, hrefFor }));
  });
}
