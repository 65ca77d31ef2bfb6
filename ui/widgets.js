// Small pieces several pages show: status badges, links to jobs and requests, metadata, hashes, paging.

import { el, button } from './dom.js';

const STATUSES = new Set(['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'pending', 'completed',
  'waiting', 'skipped']);

/// A status word with a class for its colour (unknown words get none).
export function statusBadge(status) {
  const known = STATUSES.has(status);
  return el('span', { class: known ? `badge status-${status}` : 'badge', 'data-status': status }, status ?? '');
}

export function jobLink(id) {
  return id ? el('a', { href: `#/jobs/${encodeURIComponent(id)}` }, id) : '';
}

export function deletionLink(id) {
  return el('a', { href: `#/deletions/${encodeURIComponent(id)}` }, id);
}

/// `{key: value}` as a list of "key = value" chips, both parts text.
export function keyValues(object, testid) {
  const entries = Object.entries(object ?? {});
  if (entries.length === 0) return el('span', { class: 'muted' }, '—');
  return el('ul', { class: 'chips', 'data-testid': testid },
    entries.map(([k, v]) => el('li', null, el('span', { class: 'key' }, k), ' = ', el('span', { class: 'value' }, String(v)))));
}

/// A hex digest in full, monospaced (selectable for comparison).
export function hash(hex) {
  return el('code', { class: 'hash' }, hex ?? '');
}

/// "Newer" / "Older" links for an `after`-cursor list: `hrefFor(after)` builds the route.
export function pager({ hasMore, lastId, isFirst, hrefFor }) {
  return el('p', { class: 'pager' },
    isFirst ? null : el('a', { href: hrefFor(null) }, '« First page'),
    hasMore && lastId ? el('a', { href: hrefFor(lastId), 'data-testid': 'next-page' }, 'Next page »') : null);
}

/// A button that disables itself while `action` runs and shows its error beside it.
export function actionButton(label, action, attrs = {}) {
  const message = el('span', { class: 'error' });
  const b = button(label, async () => {
    b.disabled = true;
    message.textContent = '';
    try { await action(); } catch (error) { message.textContent = error.message; } finally { b.disabled = false; }
  }, attrs);
  return el('span', { class: 'action' }, b, message);
}
