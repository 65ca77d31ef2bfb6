// One deletion request: its state, the models its documents reached and what was done to each, the new model
// versions, the append-only timeline, and the receipt, whose manifest hash the browser recomputes
// (canonical-json.js) and compares with the one the server signed off.

import { el, replace, facts, table } from './dom.js';
import { getJSON } from './api.js';
import * as format from './format.js';
import { statusBadge, jobLink, hash, actionButton } from './widgets.js';
import { verifyReceipt } from './canonical-json.js';
import { errorBox } from './view-context.js';

const FINAL = new Set(['completed', 'failed']);

async function allEvents(id, signal) {
  const out = [];
  let after = 0;
  for (;;) {
    const page = await getJSON(`/v1/deletion_requests/${encodeURIComponent(id)}/events`, { query: { after, limit: 1000 }, signal });
    out.push(...page.data);
    if (!page.has_more || page.data.length === 0) return out;
    after = page.data.at(-1).seq;
  }
}

function receiptSection(receipt) {
  if (!receipt) return el('p', { class: 'muted' }, 'The receipt is issued when the request ends.');
  const verdict = el('p', { class: 'verdict', 'data-testid': 'receipt-verdict', 'aria-live': 'polite' });
  const verify = actionButton('Verify the manifest hash in this browser', async () => {
    const result = await verifyReceipt(receipt);
    verdict.setAttribute('data-verdict', result.match ? 'match' : 'mismatch');
    replace(verdict, result.match ? '✓ Match: ' : '✗ Mismatch: ', 'SHA-256 of the manifest\'s canonical JSON computed here is ',
      hash(result.computed), result.match ? '' : [' but the receipt says ', hash(result.expected)]);
  }, { 'data-testid': 'verify-receipt' });
  return el('div', { 'data-testid': 'receipt' },
    facts([['Issued', format.time(receipt.issued_at / 1000)], ['Manifest SHA-256', hash(receipt.manifest_sha256)],
      ['Hash rule', receipt.hash ?? null]]),
    verify, verdict,
    el('details', null, el('summary', null, 'Manifest'), el('pre', { 'data-testid': 'manifest' }, format.json(receipt.manifest))));
}

function render(r, events) {
  const actions = (r.actions ?? []).map((a) => [
    jobLink(a.model), a.type, a.action, statusBadge(a.status),
    [jobLink(a.job_id), a.input_checkpoint ? [el('br'), el('span', { class: 'muted' }, `from ${a.input_checkpoint}`)] : null],
    [a.note ?? '', a.rejected ? ` Rejected: ${a.rejected}` : '',
      a.result?.guarantee_statement ? ` Guarantee: ${a.result.guarantee_statement}` : ''].join(''),
    (a.purged_checkpoints ?? []).map((c) => el('div', null, c)),
  ]);
  const versions = (r.new_model_versions ?? []).map((v) => [jobLink(v.model), v.checkpoint ?? '', String(v.model_version ?? ''), v.previous_checkpoint ?? '']);
  const timeline = events.map((e) => [String(e.seq), format.time(e.created_at), e.type, e.message]);
  return [
    el('p', null, statusBadge(r.status)),
    facts([
      ['Dataset', r.dataset], ['Mode', `${r.mode}${r.mode_source ? ` (from ${r.mode_source.replace('_', ' ')})` : ''}`],
      ['Reason', r.reason], ['Documents', String(r.documents?.count ?? '')], ['Filed', format.time(r.created_at)],
      ['Started', format.time(r.started_at) || null], ['Completed', format.time(r.completed_at) || null],
      ['Error', r.error ? `${r.error.code ?? ''}: ${r.error.message ?? JSON.stringify(r.error)}` : null],
    ]),
    el('h2', null, 'Affected models'),
    (r.affected_models ?? []).length
      ? el('ul', { 'data-testid': 'affected-models' }, r.affected_models.map((m) => el('li', null, jobLink(m))))
      : el('p', { class: 'muted' }, 'No model was trained on these documents.'),
    el('h2', null, 'Actions'),
    actions.length ? table(['Model', 'Type', 'Action', 'Status', 'Unlearning job', 'Note', 'Purged checkpoints'], actions, { class: 'list' })
      : el('p', { class: 'muted' }, 'None.'),
    el('h2', null, 'New model versions'),
    versions.length ? table(['Model', 'Checkpoint', 'Version', 'Previous checkpoint'], versions, { class: 'list' })
      : el('p', { class: 'muted' }, 'None.'),
    el('h2', null, 'Timeline'),
    table(['#', 'Time', 'Event', 'Message'], timeline, { class: 'list', 'data-testid': 'timeline' }),
    el('h2', null, 'Receipt'),
    receiptSection(r.receipt),
  ];
}

export function deletionView(root, ctx, _query, id) {
  const body = el('div', null, el('p', { class: 'muted' }, 'Loading…'));
  root.append(el('p', null, el('a', { href: '#/deletions' }, '« Deletion requests')),
    el('section', { 'data-testid': 'deletion-page' }, el('h1', null, 'Deletion request ', el('span', { class: 'mono' }, id)), body));
  let finished = false;
  ctx.poll(2000, async () => {
    if (finished) return;
    try {
      const r = await getJSON(`/v1/deletion_requests/${encodeURIComponent(id)}`, { signal: ctx.signal });
      const events = await allEvents(id, ctx.signal);
      if (ctx.closed) return;
      finished = FINAL.has(r.status);
      replace(body, render(r, events));
    } catch (error) {
      if (!ctx.closed) replace(body, errorBox(error));
    }
  });
}
