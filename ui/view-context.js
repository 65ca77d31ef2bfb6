// What a view may start that must stop when the user navigates away: polling, event streams, timers.

import { el, replace } from './dom.js';

export class ViewContext {
  constructor() {
    this.abort = new AbortController();
    this.cleanups = [];
  }

  get signal() { return this.abort.signal; }
  get closed() { return this.abort.signal.aborted; }

  /// Registers `fn` to run when the view closes.
  onClose(fn) { this.cleanups.push(fn); }

  close() {
    this.abort.abort();
    for (const fn of this.cleanups.splice(0)) fn();
  }

  /// Calls `task` now and then every `ms` while the view is open and the tab is visible (a hidden tab does not
  /// poll); the next call waits for the previous one to finish.
  poll(ms, task) {
    let timer = null;
    const run = async () => {
      if (this.closed) return;
      if (document.visibilityState === 'visible') {
        try { await task(); } catch (error) { if (!this.closed) console.warn(error); }
      }
      if (!this.closed) timer = setTimeout(run, ms);
    };
    this.onClose(() => clearTimeout(timer));
    run();
  }
}

/// A view's error message (text only).
export function errorBox(error) {
  return el('p', { class: 'error', role: 'alert' }, error?.message ?? String(error));
}

/// Awaits `load()`: its value, or null after showing its error in `into` (null too when the view closed meanwhile,
/// with nothing shown: the page is gone).
export async function loadOrShowError(ctx, into, load) {
  try {
    const value = await load();
    return ctx.closed ? null : value;
  } catch (error) {
    if (!ctx.closed) replace(into, errorBox(error));
    return null;
  }
}
