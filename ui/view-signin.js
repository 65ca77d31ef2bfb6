// Sign-in: the API key (from `orchard keys create`) is checked with one authenticated request and kept in
// this tab's sessionStorage only.

import { el, replace } from './dom.js';
import { getJSON, setApiKey, signOut } from './api.js';

export function signInView(root, ctx, onSignedIn) {
  const input = el('input', { type: 'password', id: 'api-key', name: 'api-key', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'API key', required: true, 'data-testid': 'api-key' });
  const status = el('p', { class: 'muted', 'aria-live': 'polite' });
  const form = el('form', { class: 'signin', 'data-testid': 'signin-form' },
    el('h1', null, 'Sign in'),
    el('p', null, 'Paste an API key (', el('code', null, 'orchard keys create --tenant NAME'),
      '). It is kept for this tab only and sent as a bearer token.'),
    el('label', { for: 'api-key' }, 'API key'), input,
    el('button', { type: 'submit', 'data-testid': 'signin-submit' }, 'Sign in'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    replace(status, 'Checking the key…');
    setApiKey(key);
    try {
      await getJSON('/v1/jobs', { query: { limit: 1 }, reportUnauthorized: false, signal: ctx.signal });
      onSignedIn();
    } catch (error) {
      signOut();
      replace(status, error.status === 401 ? 'The server refused this key.' : `Could not check the key: ${error.message}`);
      status.className = 'error';
    }
  });
  root.append(form);
  input.focus();
}
