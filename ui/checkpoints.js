// A job's checkpoints with each file's size and SHA-256, and downloads (the whole checkpoint as a tar, or one
// file) fetched with the bearer key. A downloaded file's SHA-256 is recomputed in the browser and compared with
// the listed one before the file is handed over.

import { el, replace, table } from './dom.js';
import { getJSON, download } from './api.js';
import { hash, actionButton } from './widgets.js';
import * as format from './format.js';
import { errorBox } from './view-context.js';

async function sha256OfBlob(blob) {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function fileCell(checkpoint, file) {
  if (file.private) return el('span', { class: 'muted' }, `${file.name} (private: never served)`);
  const verdict = el('span', { class: 'verdict' });
  const fetchFile = actionButton('Download', async () => {
    const blob = await download(`/v1/checkpoints/${encodeURIComponent(checkpoint.id)}/content`, { file: file.name },
      `${checkpoint.id}-${file.name}`);
    const computed = await sha256OfBlob(blob);
    if (computed === null) return;
    verdict.setAttribute('data-verdict', computed === file.sha256 ? 'match' : 'mismatch');
    verdict.textContent = computed === file.sha256 ? ' ✓ SHA-256 matches' : ` ✗ SHA-256 differs: ${computed}`;
  }, { 'data-testid': 'download-file' });
  return el('div', { class: 'file' }, el('span', { class: 'file-name' }, file.name), ` ${format.bytes(file.bytes)} `,
    fetchFile, verdict, el('br'), hash(file.sha256));
}

/// The checkpoints section; `refresh()` re-reads the list (on `checkpoint.saved` and when the job ends).
export class CheckpointList {
  constructor(jobId, signal) {
    this.jobId = jobId;
    this.signal = signal;
    this.body = el('div', null, el('p', { class: 'muted' }, 'Loading…'));
    this.element = el('section', { class: 'checkpoints', 'data-testid': 'checkpoints' }, el('h2', null, 'Checkpoints'), this.body);
    this.pending = null;
  }

  /// Coalesces bursts of refreshes into one request at most every 500 ms.
  refresh() {
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = null; this.load(); }, 500);
  }

  async load() {
    let list;
    try {
      list = await getJSON(`/v1/jobs/${encodeURIComponent(this.jobId)}/checkpoints`, { signal: this.signal });
    } catch (error) {
      if (!this.signal.aborted) replace(this.body, errorBox(error));
      return;
    }
    if (this.signal.aborted) return;
    if (list.data.length === 0) { replace(this.body, el('p', { class: 'muted' }, 'No checkpoint yet.')); return; }
    const rows = list.data.map((c) => [
      el('span', { 'data-testid': 'checkpoint-id' }, c.id), String(c.step), format.time(c.created_at),
      el('ul', { class: 'chips' }, Object.entries(c.metrics ?? {}).map(([k, v]) => el('li', null, `${k} ${format.metric(v)}`))),
      c.purged ? el('span', { class: 'muted' }, `purged by ${c.purged.deletion_request}`)
        : [actionButton('Download .tar', () => download(`/v1/checkpoints/${encodeURIComponent(c.id)}/content`, null, `${c.id}.tar`),
          { 'data-testid': 'download-tar' }), c.files.map((f) => fileCell(c, f))],
    ]);
    replace(this.body, table(['Checkpoint', 'Step', 'Saved', 'Metrics', 'Files (SHA-256)'], rows, { class: 'list' }));
  }
}
