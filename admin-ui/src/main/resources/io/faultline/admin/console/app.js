// The console's shell: sign-in, navigation, the page in view, and the connection indicator.
// Pages are modules with mount(element, context) returning a cleanup; a new page is one line in PAGES.
// A page holding work not saved yet says so through context.unsaved(question): leaving it asks first.

import { get, on, setToken, token, ApiError } from './lib/api.js';
import { confirmDialog, fill, h } from './lib/dom.js';
import { Live } from './lib/live.js';

/** The pages, in navigation order: #/ID shows the page. A new page is one more entry. */
const PAGES = [
  { id: 'overview', title: 'Overview', load: () => import('./pages/overview.js') },
  { id: 'chaos', title: 'Chaos', load: () => import('./pages/chaos.js') },
  { id: 'orchestrations', title: 'Orchestrations', load: () => import('./pages/orchestrations.js') },
  { id: 'reports', title: 'Reports', load: () => import('./pages/reports.js') },
  { id: 'history', title: 'History', load: () => import('./pages/history.js') },
  { id: 'cluster', title: 'Cluster', load: () => import('./pages/cluster.js') },
];

const live = new Live();
const page = document.getElementById('page');
const signIn = document.getElementById('sign-in');
const connection = document.getElementById('connection');
const signOut = document.getElementById('sign-out');
let cleanup = null;
/** The page in view: its hash, its title, and its question before it is left (text while it holds unsaved work, else null). */
let shownHash = null;
let shownTitle = null;
let unsavedWork = () => null;
/** Leaving a page with unsaved work: whether the question is open, where the last move pointed, and a "Leave" on its way. */
let asking = false;
let leaveTo = null;
let leaving = false;
/** The page with unsaved work waits, hidden, behind a sign-in asked again. */
let kept = false;
/** The show() calls made: one whose page module comes after a newer call mounts nothing. */
let showing = 0;
let started = false;
let wired = false;
let restReachable = true;

/** A segment of the hash as it was meant: a hand-typed '%' that is no escape ('#/reports/50%off') is taken as it is. */
function decoded(segment) {
  try {
    return decodeURIComponent(segment);
  } catch (e) {
    return segment;
  }
}

function route() {
  const [id, ...rest] = (location.hash.replace(/^#\/?/, '') || 'overview').split('/').map(decoded);
  return { page: PAGES.find(p => p.id === id) || PAGES[0], rest };
}

async function show() {
  const mine = ++showing;
  leaving = false;
  const { page: current, rest } = route();
  document.querySelectorAll('#nav a').forEach(a => {
    if (a.dataset.page === current.id) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  });
  shownTitle = document.title = `${current.title} · Faultline`;
  unmount();
  shownHash = location.hash;
  const module = await current.load();
  if (mine !== showing || !started) {
    return; // another page was asked for meanwhile, or the sign-in
  }
  const container = fill(page, h('div', { class: 'page', 'data-page': current.id }));
  cleanup = module.default.mount(container.firstChild, { live, rest, navigate: hash => { location.hash = hash; },
    unsaved: question => { unsavedWork = question; } }) || null;
  const heading = page.querySelector('h1');
  if (heading && document.activeElement && document.activeElement.closest('#nav')) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

function unmount() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  unsavedWork = () => null;
  kept = false;
}

/**
 * The address changed (a link, the back button, a typed hash): the page in view is left, after asking if it
 * holds unsaved work. While the question is open the address stays the page's (put back in place, so no entry is
 * added), and a further move only changes where a "Leave" goes; declined, the page stays. Signed out, a kept page
 * stays where it is until the sign-in.
 */
async function navigated() {
  if (!started) {
    if (kept) {
      history.replaceState(null, '', shownHash || '#/');
    }
    return;
  }
  const question = leaving ? null : unsavedWork();
  if (!question) {
    show();
    return;
  }
  leaveTo = location.hash;
  history.replaceState(null, '', shownHash || '#/');
  if (asking) {
    return;
  }
  asking = true;
  const leave = await confirmDialog('Leave this page?', question, 'Leave without saving', { safe: true });
  asking = false;
  if (leave && started && leaveTo !== location.hash) {
    leaving = true;
    location.hash = leaveTo;
  }
}

function showConnection() {
  const state = !restReachable && live.state === 'live' ? 'lost' : live.state;
  const text = {
    connecting: 'Connecting…',
    live: 'Live',
    lost: 'Connection lost, reconnecting…',
    unauthorized: 'Signed out',
  }[state];
  connection.textContent = text;
  connection.dataset.state = state;
}

function start() {
  signIn.hidden = true;
  page.hidden = false;
  if (!wired) {
    wired = true;
    fill(document.getElementById('nav'), PAGES.map(p =>
      h('li', {}, h('a', { href: `#/${p.id}`, 'data-page': p.id }, p.title))));
    window.addEventListener('hashchange', navigated);
    // a reload, a closed tab or another site: the browser's own question (it shows its own text)
    window.addEventListener('beforeunload', event => {
      if (unsavedWork()) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
    live.addEventListener('state', event => {
      if (event.detail.state === 'unauthorized') {
        setToken(null);
        askForToken('The admin token is no longer accepted. Sign in again.', true);
        return;
      }
      showConnection();
    });
  }
  if (!started) {
    started = true;
    live.start();
  }
  if (kept && location.hash === shownHash) {
    kept = false; // signed in again on the page that was kept, its unsaved work with it
    document.title = shownTitle;
    const heading = page.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
    return;
  }
  show();
}

/**
 * Asks for a token. A page holding unsaved work is kept, hidden, when the token is no longer accepted (it
 * comes back as it was once signed in again, also after a token mistyped meanwhile); otherwise, and on signing
 * out, the page goes.
 */
function askForToken(message, keepUnsaved) {
  live.stop();
  started = false;
  if ((keepUnsaved || kept) && unsavedWork()) {
    kept = true;
  } else {
    unmount();
    fill(page);
  }
  page.hidden = true;
  signIn.hidden = false;
  signOut.hidden = true;
  connection.textContent = '';
  document.getElementById('sign-in-error').textContent = message || '';
  document.title = 'Sign in · Faultline';
  document.getElementById('token').focus();
}

/** Reaches the API with the token this tab holds (or none): the console opens, or asks for a token. */
async function begin() {
  try {
    await get('/api/chaos/status');
    signOut.hidden = !token();
    start();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      askForToken(token() ? 'The admin token was not accepted.' : '');
      setToken(null);
    } else {
      const said = `The gateway cannot be reached: ${e.message}. Retrying…`;
      if (kept) {
        document.getElementById('sign-in-error').textContent = said; // the kept page stays as it is
      } else {
        fill(page, h('p', { class: 'error', role: 'alert' }, said));
      }
      setTimeout(begin, 2000);
    }
  }
}

document.getElementById('sign-in-form').addEventListener('submit', event => {
  event.preventDefault();
  setToken(document.getElementById('token').value);
  document.getElementById('token').value = '';
  begin();
});

signOut.addEventListener('click', async () => {
  const question = unsavedWork();
  if (question && !await confirmDialog('Sign out?', question, 'Sign out without saving', { safe: true })) {
    return;
  }
  setToken(null);
  askForToken('Signed out.');
});

on('unauthorized', () => {
  if (started) {
    setToken(null);
    askForToken('The admin token is no longer accepted. Sign in again.', true);
  }
});

on('reachable', reachable => {
  restReachable = reachable;
  showConnection();
});

begin();
