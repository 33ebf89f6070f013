// The REST API as the console uses it: the token (kept in this tab's sessionStorage) goes in the
// Authorization header, never in a URL; every change says it comes from the console, for the change log.

const TOKEN_KEY = 'faultline.admin-token';
const listeners = { unauthorized: [], reachable: [] };

/** How long a call waits for the gateway's whole answer. */
const TIMEOUT_MS = 15000;

/**
 * For the calls that read the whole history store (a search, a comparison, an export), which a large store
 * can take longer over: beyond the gateway's own 30 s bound, so its answer is the one shown.
 */
export const STORE_TIMEOUT_MS = 45000;

/** An API failure: the HTTP status (0 when the gateway could not be reached) and the server's {error, field}. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `request failed (${status})`);
    this.status = status;
    this.field = body && body.field ? body.field : null;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** Called with no argument when the server refuses the token; with true/false when it is reached or not. */
export function on(event, fn) {
  listeners[event].push(fn);
}

function emit(event, value) {
  listeners[event].forEach(fn => fn(value));
}

/**
 * JSON, but integers beyond 2^53 (the seed is a 64-bit integer) come back as their exact digits, as
 * strings, instead of a rounded number that would be wrong if shown or sent back.
 */
export function parseJson(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && context && context.source
      ? context.source : value);
}

/**
 * Calls the API. {@code body}: an object (sent as JSON) or a string (sent as it is, for YAML). Answers the
 * parsed JSON, or the text with {raw: true}; throws ApiError, also when no answer came within {timeoutMs}.
 */
export async function api(method, path, body, { raw = false, withHeaders = false, timeoutMs = TIMEOUT_MS } = {}) {
  const headers = {};
  if (token()) {
    headers.Authorization = `Bearer ${token()}`;
  }
  if (method !== 'GET') {
    headers['X-Faultline-Source'] = 'console';
  }
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    headers['Content-Type'] = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  }
  // A gateway that hangs (or a network that drops everything) never answers: without a bound the button
  // pressed stayed busy for good, with nothing said.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  let response;
  let text;
  try {
    response = await fetch(path, { method, headers, body: payload, cache: 'no-store', signal: timeout.signal });
    text = await response.text();
  } catch (e) {
    emit('reachable', false);
    throw new ApiError(0, { error: timeout.signal.aborted ? unanswered(method, timeoutMs) : 'the gateway cannot be reached' });
  } finally {
    clearTimeout(timer);
  }
  emit('reachable', true);
  if (!response.ok) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      parsed = { error: text || response.statusText };
    }
    if (response.status === 401) {
      emit('unauthorized');
    }
    throw new ApiError(response.status, parsed);
  }
  const answer = raw ? text : (text ? parseJson(text) : null);
  return withHeaders ? { body: answer, headers: response.headers } : answer;
}

function unanswered(method, timeoutMs) {
  const said = `the gateway did not answer within ${timeoutMs / 1000} s`;
  return method === 'GET' ? said : `${said}: the change may or may not have been made; the page shows the gateway's state once it answers`;
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body, options);
export const put = (path, body, options) => api('PUT', path, body, options);
export const del = (path, options) => api('DELETE', path, undefined, options);
