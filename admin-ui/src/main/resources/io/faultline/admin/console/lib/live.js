// Live data over the admin port's GraphQL subscriptions (graphql-transport-ws on /graphql): the token
// goes in connection_init, since a browser cannot put headers on a WebSocket. A lost connection is
// retried by itself (0.5 s, doubling to 5 s); a silent one is found by pings every 10 s. Subscriptions
// are made again on every new connection, and 'reconnected' tells pages to reload what they may have missed.

import { token } from './api.js';

const PING_MS = 10_000;
/** After a reconnection, when the server surely has the subscriptions made again. */
const SETTLE_MS = 1000;
const PONG_WAIT_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;

export class Live extends EventTarget {
  constructor() {
    super();
    this.subscriptions = new Map();
    this.nextId = 1;
    this.state = 'connecting';
    this.attempt = 0;
    this.everConnected = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.pinger);
    if (this.socket) {
      this.socket.close(1000, 'signed out');
    }
  }

  /** Subscribes with a GraphQL subscription document; onData gets each event's data. Returns the unsubscribe. */
  subscribe(query, onData) {
    const id = String(this.nextId++);
    this.subscriptions.set(id, { query, onData });
    if (this.state === 'live') {
      this.send({ id, type: 'subscribe', payload: { query } });
    }
    return () => {
      if (this.subscriptions.delete(id) && this.state === 'live') {
        this.send({ id, type: 'complete' });
      }
    };
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/graphql`, 'graphql-transport-ws');
    this.socket = socket;
    socket.onopen = () => {
      const payload = token() ? { Authorization: `Bearer ${token()}` } : {};
      this.send({ type: 'connection_init', payload });
    };
    socket.onmessage = event => this.receive(JSON.parse(event.data));
    socket.onclose = event => this.closed(socket, event);
  }

  receive(message) {
    switch (message.type) {
      case 'connection_ack':
        this.attempt = 0;
        this.lastPong = Date.now();
        this.setState('live');
        this.subscriptions.forEach((s, id) => this.send({ id, type: 'subscribe', payload: { query: s.query } }));
        this.pinger = setInterval(() => this.ping(), PING_MS);
        if (this.everConnected) {
          this.dispatchEvent(new Event('reconnected'));
          // The server registers the subscriptions just sent asynchronously (the protocol acknowledges none):
          // a change made meanwhile reaches neither them nor that reload, so pages reload once more when the
          // subscriptions surely are in place.
          clearTimeout(this.settleTimer);
          this.settleTimer = setTimeout(() => {
            if (this.state === 'live') {
              this.dispatchEvent(new Event('reconnected'));
            }
          }, SETTLE_MS);
        }
        this.everConnected = true;
        break;
      case 'next': {
        const s = this.subscriptions.get(message.id);
        if (s && message.payload && message.payload.data) {
          s.onData(message.payload.data);
        }
        break;
      }
      case 'ping':
        this.send({ type: 'pong' });
        break;
      case 'pong':
        this.lastPong = Date.now();
        break;
      default:
        break;
    }
  }

  ping() {
    if (Date.now() - this.lastPong > PING_MS + PONG_WAIT_MS) {
      // A silent server never answers the close handshake, and the browser reports the close only after its
      // own timeout, about a minute later, all that time showing Live: the connection is given up now.
      const silent = this.socket;
      silent.onclose = null;
      silent.onmessage = null;
      silent.close(4000, 'no pong');
      this.closed(silent, { code: 4000 });
      return;
    }
    this.send({ type: 'ping' });
  }

  closed(socket, event) {
    if (socket !== this.socket) {
      return;
    }
    clearInterval(this.pinger);
    if (this.stopped) {
      return;
    }
    if (event.code === 4401) {
      this.setState('unauthorized');
      return;
    }
    this.attempt++;
    this.setState('lost');
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.attempt - 1, 4));
    this.retry = setTimeout(() => this.connect(), delay);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, attempt: this.attempt } }));
  }
}
