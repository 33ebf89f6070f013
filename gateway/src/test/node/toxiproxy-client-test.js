// Drives Faultline's Toxiproxy-compatible API with Toxiproxy's own Node client (toxiproxy-node-client 4.1.0),
// as its users do, and measures each toxic with a plain TCP client of an echo server behind the proxy.
// Usage: node toxiproxy-client-test.js http://127.0.0.1:TOXIPROXY_PORT ECHO_PORT
// Prints one line per check ("ok NAME ..."); exits 1 on the first failure.
"use strict";
const net = require("node:net");
const { Toxiproxy } = require("toxiproxy-node-client");

const [api, echoPort] = process.argv.slice(2);
const toxiproxy = new Toxiproxy(api);
const SLACK_MS = 500; // a shared 2-core machine can stall a process this long; lower bounds are the toxics' own

function check(name, condition, detail) {
  if (!condition) {
    console.log(`FAIL ${name}: ${detail}`);
    process.exit(1);
  }
  console.log(`ok ${name} ${detail}`);
}

function portOf(proxy) {
  return Number(proxy.listen.slice(proxy.listen.lastIndexOf(":") + 1));
}

/**
 * Opens a connection, sends n bytes, reads until n come back or the connection ends: {bytes, ms, error}.
 * With thenClose, once they are back it sends its FIN and waits for the proxy's: ms is then that wait.
 */
function trip(port, n, { thenClose = false } = {}) {
  return new Promise((resolve) => {
    let started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    let got = 0;
    let done = false;
    const finish = (error) => {
      if (!done) {
        done = true;
        socket.destroy();
        resolve({ bytes: got, ms: Date.now() - started, error });
      }
    };
    socket.on("connect", () => socket.write(Buffer.alloc(n, 7)));
    socket.on("data", (chunk) => {
      got += chunk.length;
      if (got >= n && thenClose) {
        started = Date.now();
        socket.end();
      } else if (got >= n) {
        finish(null);
      }
    });
    socket.on("end", () => finish(null));
    socket.on("error", (e) => finish(e.code));
    socket.setTimeout(10000, () => finish("timeout"));
  });
}

function refused(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => { socket.destroy(); resolve(false); });
    socket.on("error", (e) => resolve(e.code === "ECONNREFUSED"));
  });
}

async function main() {
  const proxy = await toxiproxy.createProxy({ name: "node_echo", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echoPort}` });
  const port = portOf(proxy);
  check("create", port > 0 && proxy.enabled === true, `listen ${proxy.listen}`);
  check("plain", (await trip(port, 1000)).bytes === 1000, "1000 bytes back");

  const latency = await proxy.addToxic({ name: "slow", type: "latency", stream: "downstream", attributes: { latency: 200, jitter: 0 } });
  let t = await trip(port, 10);
  check("latency", t.ms >= 200 && t.ms <= 200 + SLACK_MS, `${t.ms} ms for 200 ms`);
  await latency.update({ attributes: { latency: 400 } });
  t = await trip(port, 10);
  check("latency updated", t.ms >= 400 && t.ms <= 400 + SLACK_MS, `${t.ms} ms for 400 ms`);
  check("toxic read back", (await proxy.getToxic("slow")).attributes.latency === 400, "latency 400");
  await latency.remove();

  const bandwidth = await proxy.addToxic({ name: "thin", type: "bandwidth", stream: "downstream", attributes: { rate: 1000 } });
  await bandwidth.update({ attributes: { rate: 100 } });
  t = await trip(port, 200000);
  const rate = (t.bytes / t.ms) * 1000;
  check("bandwidth", t.bytes === 200000 && rate >= 90000 && rate <= 110000, `${Math.round(rate)} B/s for 100 KB/s`);
  await bandwidth.remove();

  const limit = await proxy.addToxic({ name: "cap", type: "limit_data", stream: "downstream", attributes: { bytes: 100 } });
  await limit.update({ attributes: { bytes: 777 } });
  t = await trip(port, 5000);
  check("limit_data", t.bytes === 777 && t.error === null, `${t.bytes} bytes then closed`);
  await limit.remove();

  const timeout = await proxy.addToxic({ name: "stall", type: "timeout", stream: "upstream", attributes: { timeout: 1000 } });
  await timeout.update({ attributes: { timeout: 300 } });
  t = await trip(port, 10);
  check("timeout", t.bytes === 0 && t.ms >= 300 && t.ms <= 300 + SLACK_MS, `closed after ${t.ms} ms with nothing`);
  await timeout.remove();

  const reset = await proxy.addToxic({ name: "rst", type: "reset_peer", stream: "upstream", attributes: { timeout: 0 } });
  await reset.update({ attributes: { timeout: 100 } });
  t = await trip(port, 10);
  check("reset_peer", t.error === "ECONNRESET", `${t.error} after ${t.ms} ms`);
  await reset.remove();

  const slowClose = await proxy.addToxic({ name: "linger", type: "slow_close", stream: "downstream", attributes: { delay: 100 } });
  await slowClose.update({ attributes: { delay: 400 } });
  t = await trip(port, 10, { thenClose: true });
  check("slow_close", t.bytes === 10 && t.ms >= 400 && t.ms <= 400 + SLACK_MS, `closed after ${t.ms} ms`);
  await slowClose.remove();

  const slicer = await proxy.addToxic({ name: "crumbs", type: "slicer", stream: "downstream",
    attributes: { average_size: 50, size_variation: 10, delay: 1000 } });
  await slicer.update({ attributes: { delay: 40000 } });
  t = await trip(port, 500);
  check("slicer", t.bytes === 500 && t.ms >= 280, `500 bytes in ${t.ms} ms (at least 8 slices 40 ms apart)`);
  await slicer.remove();

  const disabled = await proxy.update({ enabled: false });
  check("disable", disabled.enabled === false && await refused(port), "refused");
  const enabled = await proxy.update({ enabled: true });
  check("enable", enabled.enabled === true && (await trip(port, 10)).bytes === 10, "served again");

  const populated = await toxiproxy.populate([
    { name: "node_echo", listen: proxy.listen, upstream: proxy.upstream },
    { name: "node_other", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echoPort}` },
  ]);
  check("populate", portOf(populated.node_echo) === port && portOf(populated.node_other) > 0, Object.keys(populated).join(","));

  await proxy.addToxic({ name: "slow", type: "latency", stream: "upstream", attributes: { latency: 1000 } });
  await proxy.update({ enabled: false });
  await toxiproxy.reset();
  const after = await toxiproxy.get("node_echo");
  t = await trip(port, 10);
  check("reset", after.enabled === true && t.bytes === 10 && t.ms < SLACK_MS, `enabled, no toxic: ${t.ms} ms`);

  const all = await toxiproxy.getAll();
  check("list", Object.keys(all).includes("node_other"), Object.keys(all).join(","));
  await all.node_other.remove();
  check("delete", !Object.keys(await toxiproxy.getAll()).includes("node_other"), "gone");
  check("version", (await toxiproxy.getVersion()).includes("faultline"), "answered");

  try {
    await proxy.addToxic({ name: "bad", type: "lag", attributes: {} });
    check("bad toxic refused", false, "was accepted");
  } catch (e) {
    check("bad toxic refused", /400/.test(e.message), e.message);
  }
}

main().catch((e) => {
  console.log(`FAIL ${e.stack || e}`);
  process.exit(1);
});
