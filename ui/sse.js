// Server-Sent Events over fetch(). EventSource cannot send an Authorization header, and the key must never
// be put in a URL, so the stream is read from fetch()'s ReadableStream and parsed here the way the HTML
// standard's event-stream interpretation does: lines end in LF, CR or CRLF; `:` starts a comment; `id:`,
// `event:`, `data:` (joined with newlines) and `retry:` fields; a blank line dispatches. After a dropped
// connection it reconnects after `retry` ms with `Last-Event-ID`, so no event is lost or repeated.

import { request, APIError } from './api.js';

/// Splits a text stream into SSE frames. Feed it decoded chunks; it calls `dispatch({id, type, data})` per
/// event, and keeps `lastEventId` and `retry` as the stream sets them.
export class EventStreamParser {
  constructor(dispatch) {
    this.dispatch = dispatch;
    this.buffer = '';
    this.data = [];
    this.type = '';
    this.lastEventId = '';
    this.retry = null;
    this.pendingCR = false;
  }

  push(chunk) {
    let text = chunk;
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCR && text.startsWith('\n')) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(this.buffer.slice(start, i));
      if (c === '\r') {
        if (i + 1 < this.buffer.length) { if (this.buffer[i + 1] === '\n') i += 1; } else this.pendingCR = true;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  line(line) {
    if (line === '') { this.flush(); return; }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data': this.data.push(value); break;
      case 'event': this.type = value; break;
      case 'id': if (!value.includes('\0')) this.lastEventId = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
      default: break;
    }
  }

  flush() {
    const data = this.data, type = this.type || 'message';
    this.data = [];
    this.type = '';
    if (data.length === 0) return;
    this.dispatch({ id: this.lastEventId, type, data: data.join('\n') });
  }
}

/// Follows `/v1/jobs/{id}/events/stream` from after `after` (0: from the start). `onEvent(event)` gets each
/// job event (the parsed `data`, an Event object); `onEnd(status)` the closing `end` frame. States reported
/// through `onState`: 'connecting', 'live', 'reconnecting', 'ended', 'closed', 'failed'. Returns `close()`.
export function followJobEvents(jobId, { after = 0, onEvent, onEnd = () => {}, onState = () => {}, onError = () => {} }) {
  const abort = new AbortController();
  let lastId = after;
  let retryMs = 1000;
  let finished = false;

  async function connectOnce() {
    const headers = lastId > 0 ? { 'Last-Event-ID': String(lastId) } : {};
    const response = await request(`/v1/jobs/${encodeURIComponent(jobId)}/events/stream`,
      { headers, signal: abort.signal });
    onState('live');
    const reader = response.body.getReader();
    const decoder = new TextDecoder('utf-8');
    const parser = new EventStreamParser((frame) => {
      if (frame.type === 'end') {
        finished = true;
        let status = null;
        try { status = JSON.parse(frame.data).status; } catch { /* keep null */ }
        onEnd(status);
        return;
      }
      const seq = Number(frame.id);
      if (Number.isInteger(seq) && seq > lastId) lastId = seq;
      onEvent(JSON.parse(frame.data));
    });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
      if (parser.retry !== null) retryMs = parser.retry;
    }
    parser.push(decoder.decode());
  }

  (async () => {
    onState('connecting');
    while (!finished && !abort.signal.aborted) {
      try {
        await connectOnce();
      } catch (error) {
        if (abort.signal.aborted) break;
        // A refusal (the job is gone, the key was revoked) will not heal by retrying.
        if (error instanceof APIError && error.status >= 400 && error.status < 500 && error.status !== 429) {
          onState('failed');
          onError(error);
          return;
        }
      }
      if (finished || abort.signal.aborted) break;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
    onState(finished ? 'ended' : 'closed');
  })();

  return { close: () => abort.abort(), get lastEventId() { return lastId; } };
}
