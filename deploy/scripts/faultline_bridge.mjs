#!/usr/bin/env node
// Drive Faultline from Node.js over its TCP event-bus bridge (no packages needed).
// Start a node with `serve --bridge-port 7000`, then: node faultline_bridge.mjs 127.0.0.1 7000
// Frames are 4 bytes of big-endian length followed by a JSON object; only the public faultline.* addresses
// pass. When the node has an admin token, set FAULTLINE_ADMIN_TOKEN: every frame then carries it.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export class Bridge {
  constructor(host = '127.0.0.1', port = 7000, token = process.env.FAULTLINE_ADMIN_TOKEN) {
    this.headers = token ? { authorization: `Bearer ${token}` } : undefined;
    this.socket = net.createConnection({ host, port });
    this.buffer = Buffer.alloc(0);
    this.waiters = new Map();   // address -> resolve of the next frame for it
    this.queued = [];           // frames nobody waited for yet
    this.socket.on('data', (chunk) => this.#receive(chunk));
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  #receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) return;
      const frame = JSON.parse(this.buffer.subarray(4, 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(4 + length);
      // An error without an address (access denied) goes to whoever waits first.
      const waiter = this.waiters.get(frame.address) ?? (frame.type === 'err' && !frame.address ? [...this.waiters.values()][0] : undefined);
      if (waiter) {
        this.waiters.delete(frame.address);
        waiter(frame);
      } else {
        this.queued.push(frame);
      }
    }
  }

  #write(frame) {
    if (this.headers) frame.headers = this.headers;
    const data = Buffer.from(JSON.stringify(frame), 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(data.length, 0);
    this.socket.write(Buffer.concat([header, data]));
  }

  #next(address) {
    const i = this.queued.findIndex((f) => f.address === address);
    if (i >= 0) return Promise.resolve(this.queued.splice(i, 1)[0]);
    return new Promise((resolve) => this.waiters.set(address, resolve));
  }

  async request(address, body = {}) {
    const replyAddress = `node.${randomUUID()}`;
    const reply = this.#next(replyAddress);
    this.#write({ type: 'send', address, replyAddress, body });
    const frame = await reply;
    if (frame.type === 'err' || frame.failureCode !== undefined) {
      // Faultline's {"error", "field"} JSON: its error and the field it names; the bridge's own refusals say why in detail
      let error = frame.detail ? `${frame.message}: ${frame.detail}` : frame.message;
      try {
        const parsed = JSON.parse(frame.message);
        error = parsed.field ? `${parsed.error} (field: ${parsed.field})` : parsed.error;
      } catch { /* not Faultline's JSON: keep the text */ }
      throw new Error(`${address} failed (${frame.failureCode ?? frame.message}): ${error}`);
    }
    return frame.body;
  }

  register(address) {
    this.#write({ type: 'register', address });
  }

  async nextMessage(address) {
    return (await this.#next(address)).body;
  }

  close() {
    this.socket.end();
  }
}

// The demo runs when the file is run (node faultline_bridge.mjs HOST PORT), not when a program imports Bridge from it.
async function main() {
  const [host = '127.0.0.1', port = '7000'] = process.argv.slice(2);
  const bridge = new Bridge(host, Number(port));
  await bridge.ready;
  try {
    bridge.register('faultline.chaos.changed');
    let status = await bridge.request('faultline.chaos.enable');
    console.log(`enabled: ${status.enabled} (version ${status.version})`);
    status = await bridge.request('faultline.scenario.start', { name: 'slow_backend' });
    console.log(`scenario: ${status.scenario}, faults ${status.active_faults.join(',')}`);
    const change = await bridge.nextMessage('faultline.chaos.changed');
    console.log(`changed: version ${change.version}`);
    await bridge.request('faultline.scenario.stop');
    const nodes = await bridge.request('faultline.cluster.nodes');
    console.log(`nodes: ${nodes.nodes.map((n) => `${n.id}=${n.status}`).join(', ')}`);
    try {
      await bridge.request('faultline.scenario.start', { name: 'no_such_scenario' });
    } catch (e) {
      console.log(`refused: ${e.message}`);
    }
  } finally {
    bridge.close();
  }
}

function runAsScript() {
  try {
    return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false; // argv[1] names no file (node -e, a runner's own argument): imported
  }
}

if (runAsScript()) {
  await main();
}
