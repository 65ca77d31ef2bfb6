// The dashboard's entry point: a hash router (`#/jobs`, `#/jobs/ID`, `#/datasets`, `#/deletions`,
// `#/deletions/ID`), so the server only ever serves /ui and its static files. Without a key in this tab's
// sessionStorage every route shows the sign-in form. Each view gets a ViewContext whose signal aborts when
// the route changes, which stops its polling and closes its event stream.

import { apiKey, signOut, onUnauthorized } from './api.js';
import { signInView } from './view-signin.js';
import { jobsView } from './view-jobs.js';
import { jobView } from './view-job.js';
import { datasetsView } from './view-datasets.js';
import { deletionsView } from './view-deletions.js';
import { deletionView } from './view-deletion.js';
import { ViewContext } from './view-context.js';

const ROUTES = [
  [/^\/jobs\/([^/?]+)$/, jobView],
  [/^\/jobs$/, jobsView],
  [/^\/datasets$/, datasetsView],
  [/^\/deletions\/([^/?]+)$/, deletionView],
  [/^\/deletions$/, deletionsView],
];

let current = null;

/// The route part of the hash and its query: `#/jobs?status=running` -> ['/jobs', URLSearchParams].
function parseHash() {
  const hash = window.location.hash.replace(/^#/, '') || '/jobs';
  const q = hash.indexOf('?');
  return q < 0 ? [hash, new URLSearchParams()] : [hash.slice(0, q), new URLSearchParams(hash.slice(q + 1))];
}

function render() {
  current?.close();
  const root = document.getElementById('view');
  const nav = document.getElementById('nav');
  current = new ViewContext();
  root.replaceChildren();
  if (!apiKey()) {
    nav.hidden = true;
    signInView(root, current, render);
    return;
  }
  nav.hidden = false;
  const [path, query] = parseHash();
  for (const [pattern, view] of ROUTES) {
    const match = pattern.exec(path);
    if (match) {
      const params = match.slice(1).map(decodeURIComponent);
      view(root, current, query, ...params);
      return;
    }
  }
  window.location.hash = '#/jobs';
}

document.getElementById('sign-out').addEventListener('click', () => { signOut(); render(); });
onUnauthorized(() => { signOut(); render(); });
window.addEventListener('hashchange', render);
render();
