// One job: its state, live charts, events and checkpoints. The events come first from the paged history
// (`/events?after=&limit=1000`, drawn page by page so the first chart appears after one request), then from
// the SSE stream resumed after the last event seen, so a job with 10,000 events opens as fast as one with ten
// and nothing is read twice. The section carries data-history (loading | complete), data-events and
// data-stream (the stream's state) for tests and the curious.

import { el, replace, facts } from './dom.js';
import { getJSON, postJSON } from './api.js';
import { followJobEvents } from './sse.js';
import { JobCharts } from './job-charts.js';
import { EventLog } from './event-log.js';
import { CheckpointList } from './checkpoints.js';
import * as format from './format.js';
import { statusBadge, keyValues, actionButton } from './widgets.js';
import { errorBox, loadOrShowError } from './view-context.js';

const HISTORY_PAGE = 1000;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

function summary(job, onAction) {
  const p = job.progress ?? {};
  const bar = p.total_steps ? el('progress', { max: p.total_steps, value: p.step ?? 0 }) : null;
  const actions = [];
  const act = (label, action) => actionButton(label, () => onAction(action), { 'data-testid': `job-${action}` });
  if (job.status === 'queued' || job.status === 'running') actions.push(act('Pause', 'pause'));
  if (job.status === 'paused') actions.push(act('Resume', 'resume'));
  if (!TERMINAL.has(job.status)) actions.push(act('Cancel', 'cancel'));
  return el('div', null,
    el('p', null, statusBadge(job.status), ' ', bar, ' ', el('span', { 'data-testid': 'job-progress' }, format.progress(p)),
      p.tokens ? ` · ${p.tokens.toLocaleString()} tokens` : '', ' ', actions),
    facts([
      ['Type', job.type], ['Created', format.time(job.created_at)], ['Started', format.time(job.started_at) || null],
      ['Finished', format.time(job.finished_at) || null],
      ['Run time', job.started_at ? format.duration((job.finished_at ?? Date.now() / 1000) - job.started_at) : null],
      ['Attempt', `${job.attempt} of at most ${job.max_attempts} failures`], ['Priority', String(job.priority)],
      ['Runs on', backendText(job)], ['Threads', job.threads === null || job.threads === undefined ? null : String(job.threads)],
      ['Seed', String(job.seed)], ['Latest checkpoint', job.latest_checkpoint_id],
      ['Metadata', keyValues(job.metadata, 'job-metadata')],
      ['Error', job.error ? `${job.error.code}: ${job.error.message}` : null],
    ]),
    el('details', null, el('summary', null, 'Parameters'), el('pre', null, format.json(job.params))),
    job.result === null || job.result === undefined ? null
      : el('details', null, el('summary', null, 'Result'), el('pre', null, format.json(job.result))));
}

/** Where the job runs: `local`, or e.g. `slurm job 42 · PENDING (Resources) · submission 2`. */
function backendText(job) {
  if (!job.backend || job.backend === 'local') return job.backend || null;
  const parts = [job.backend_ref ? `${job.backend} job ${job.backend_ref}` : `${job.backend} (not submitted yet)`];
  if (job.backend_state) parts.push(job.backend_reason ? `${job.backend_state} (${job.backend_reason})` : job.backend_state);
  if (job.backend_submissions > 1) parts.push(`submission ${job.backend_submissions}`);
  return parts.join(' · ');
}

export async function jobView(root, ctx, _query, jobId) {
  const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
  const head = el('div', null, el('p', { class: 'muted' }, 'Loading…'));
  const section = el('section', { class: 'job', 'data-testid': 'job-page', 'data-history': 'loading', 'data-events': '0' },
    el('h1', null, 'Job ', el('span', { 'data-testid': 'job-id' }, jobId)), head);
  root.append(el('p', null, el('a', { href: '#/jobs' }, '« Jobs')), section);

  let job = await loadOrShowError(ctx, head, () => getJSON(path, { signal: ctx.signal }));
  if (!job) return;
  const showJob = (j) => { job = j; replace(head, summary(j, act)); };
  async function act(action) { showJob(await postJSON(`${path}/${action}`, { signal: ctx.signal })); }
  showJob(job);

  const charts = new JobCharts(job.type);
  const log = new EventLog();
  const checkpoints = new CheckpointList(jobId, ctx.signal);
  const streamState = el('span', { class: 'muted', 'data-testid': 'stream-state' }, 'loading history');
  section.append(el('h2', null, 'Metrics ', streamState), charts.element, log.element, checkpoints.element);
  checkpoints.load();

  let count = 0;
  const take = (event) => {
    count += 1;
    if (event.type === 'metrics') charts.add(event.data);
    log.add(event);
    if (event.type === 'checkpoint.saved') checkpoints.refresh();
  };

  // History, page by page.
  let after = 0;
  try {
    for (;;) {
      const page = await getJSON(`${path}/events`, { query: { after, limit: HISTORY_PAGE }, signal: ctx.signal });
      if (ctx.closed) return;
      for (const event of page.data) take(event);
      if (page.data.length) after = page.data.at(-1).id;
      section.setAttribute('data-events', String(count));
      if (!page.has_more) break;
      // Let the page paint between pages.
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  } catch (error) {
    if (!ctx.closed) section.append(errorBox(error));
    return;
  }
  section.setAttribute('data-history', 'complete');
  performance.mark('orchard:history-complete');

  // Then the live stream, from after the last event read.
  const setState = (state) => { section.setAttribute('data-stream', state); replace(streamState, state === 'live' ? '● live' : state); };
  const stream = followJobEvents(jobId, {
    after,
    onEvent: (event) => {
      take(event);
      section.setAttribute('data-events', String(count));
      if (event.type.startsWith('job.')) refreshJob();
    },
    onEnd: () => { refreshJob(); checkpoints.refresh(); },
    onState: setState,
    onError: (error) => section.append(errorBox(error)),
  });
  ctx.onClose(() => stream.close());

  // The job row (progress, status) changes without an event per step: re-read it while the job is unfinished.
  async function refreshJob() {
    try { const j = await getJSON(path, { signal: ctx.signal }); if (!ctx.closed) showJob(j); } catch { /* next poll */ }
  }
  ctx.poll(2000, async () => { if (!TERMINAL.has(job.status)) await refreshJob(); });
}
