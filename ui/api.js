// The API client of the dashboard. The key lives in sessionStorage (this tab only; gone when the tab closes)
// and travels only as `Authorization: Bearer KEY` on same-origin fetches: never in a URL, never in a cookie,
// so no other site can make the browser send it (no CSRF surface).

const KEY_ITEM = 'orchard.api_key';

export function apiKey() { return sessionStorage.getItem(KEY_ITEM); }
export function setApiKey(key) { sessionStorage.setItem(KEY_ITEM, key); }
export function signOut() { sessionStorage.removeItem(KEY_ITEM); }

/// An answer of the API that is not 2xx: the envelope's code and message, and the HTTP status.
export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/// Listeners told when the API answers 401 (the key was revoked or mistyped): the app signs out.
const unauthorizedListeners = new Set();
export function onUnauthorized(listener) { unauthorizedListeners.add(listener); }

/// fetch() with the bearer key, for a path under the server's origin (`/v1/...`). `query` values that are
/// null or undefined are left out. Throws APIError for a non-2xx answer; a 401 also tells the
/// onUnauthorized listeners unless `reportUnauthorized` is false (the sign-in form's own check).
export async function request(path, { method = 'GET', query, headers = {}, signal, body, reportUnauthorized = true } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  const key = apiKey();
  const response = await fetch(url, {
    method, signal, body, credentials: 'omit', cache: 'no-store',
    headers: { ...headers, ...(key ? { Authorization: `Bearer ${key}` } : {}) },
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (error.status === 401 && reportUnauthorized) for (const listener of unauthorizedListeners) listener();
    throw error;
  }
  return response;
}

async function errorOf(response) {
  let code = 'http_error', message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    code = body?.error?.code ?? code;
    message = body?.error?.message ?? message;
  } catch { /* not the JSON envelope */ }
  return new APIError(response.status, code, message);
}

/// GET a JSON resource.
export async function getJSON(path, options = {}) {
  return (await request(path, options)).json();
}

/// POST with no body (job actions), returning the JSON answer.
export async function postJSON(path, options = {}) {
  return (await request(path, { ...options, method: 'POST' })).json();
}

/// Downloads `path` with the bearer header and hands it to the browser as a file named `filename`: a
/// link cannot carry the header, so the bytes come through fetch and a blob: URL that is revoked after use.
export async function download(path, query, filename) {
  const blob = await (await request(path, { query })).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob;
}
