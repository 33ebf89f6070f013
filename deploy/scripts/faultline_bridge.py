#!/usr/bin/env python3
"""Drive Faultline from Python over its TCP event-bus bridge, with the standard library only.

Start a node with the bridge on (`serve --bridge-port 7000`), then:

    python3 faultline_bridge.py 127.0.0.1 7000

The bridge speaks length-prefixed JSON frames: 4 bytes of big-endian length, then a JSON object such
as {"type": "send", "address": "faultline.chaos.status", "replyAddress": "...", "body": {}}.
Only the public faultline.* addresses are let through. When the node has an admin token, set
FAULTLINE_ADMIN_TOKEN: every frame then carries headers.authorization = "Bearer TOKEN".
"""
import os
import json
import socket
import struct
import sys
import uuid


def error_text(frame):
    """A failed reply's message is Faultline's {"error", "field"} JSON: its error, and the field it names;
    the bridge's own refusals (unauthorized, access_denied) say why in their detail."""
    try:
        error = json.loads(frame.get("message", ""))
        field = error.get("field")
        return error.get("error") + (" (field: %s)" % field if field else "")
    except (ValueError, AttributeError, TypeError):
        detail = frame.get("detail")
        return frame.get("message") + (": %s" % detail if detail else "")


class Bridge:
    def __init__(self, host="127.0.0.1", port=7000, timeout=10.0, token=None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        token = token or os.environ.get("FAULTLINE_ADMIN_TOKEN")
        self.headers = {"authorization": "Bearer " + token} if token else {}
        self.waiting = []  # frames read while waiting for something else (published messages)

    def close(self):
        self.sock.close()

    def _write(self, frame):
        if self.headers:
            frame["headers"] = self.headers
        data = json.dumps(frame).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(data)) + data)

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("the bridge closed the connection")
            buf += chunk
        return buf

    def _read(self):
        (length,) = struct.unpack(">I", self._exact(4))
        frame = json.loads(self._exact(length).decode("utf-8"))
        if frame.get("type") == "err" and "address" not in frame:
            raise RuntimeError("bridge refused: %s" % error_text(frame))  # e.g. access_denied
        return frame

    def request(self, address, body=None):
        """Sends body to address and answers the reply's body (a failed reply raises with its error)."""
        reply = "python." + uuid.uuid4().hex
        self._write({"type": "send", "address": address, "replyAddress": reply, "body": body or {}})
        while True:
            frame = self._read()
            if frame.get("address") != reply:
                self.waiting.append(frame)
                continue
            if frame.get("type") == "err" or "failureCode" in frame:
                raise RuntimeError("%s failed (%s): %s" % (address, frame.get("failureCode"), error_text(frame)))
            return frame.get("body")

    def register(self, address):
        """Starts receiving what is published on address; read it with next_message."""
        self._write({"type": "register", "address": address})

    def next_message(self, address):
        for i, frame in enumerate(self.waiting):
            if frame.get("address") == address:
                return self.waiting.pop(i).get("body")
        while True:
            frame = self._read()
            if frame.get("address") == address:
                return frame.get("body")
            self.waiting.append(frame)


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 7000
    bridge = Bridge(host, port)
    try:
        bridge.register("faultline.chaos.changed")
        status = bridge.request("faultline.chaos.enable")
        print("enabled: %s (version %s)" % (json.dumps(status["enabled"]), status["version"]))
        status = bridge.request("faultline.scenario.start", {"name": "slow_backend"})
        print("scenario: %s, faults %s" % (status["scenario"], ",".join(status["active_faults"])))
        change = bridge.next_message("faultline.chaos.changed")
        print("changed: version %s" % change["version"])
        bridge.request("faultline.scenario.stop")
        nodes = bridge.request("faultline.cluster.nodes")
        print("nodes: %s" % ", ".join("%s=%s" % (n["id"], n["status"]) for n in nodes["nodes"]))
        try:
            bridge.request("faultline.scenario.start", {"name": "no_such_scenario"})
        except RuntimeError as e:
            print("refused: %s" % e)
    finally:
        bridge.close()


if __name__ == "__main__":
    main()
