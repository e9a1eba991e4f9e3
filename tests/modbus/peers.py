#!/usr/bin/python3
"""Real peers: libmodbus client and server (and a raw-socket peer for 8 and
43/14) exchange a scripted sequence on loopback; modbus_peers captures it with
libpcap and prints what the client saw; `mamori -r` on the capture must report
exactly that sequence: every request and response with its function, op class,
0-based range, values, exception status, diagnostic sub-function and identity,
every response paired (latency), and no anomaly.

usage: peers.py MODBUS_PEERS_BINARY   (MAMORI_BIN from meson's test_env)
"""
import json
import os
import subprocess
import sys
import tempfile

FIELDS = ["kind", "role", "op", "function_code", "range_start", "range_count", "values", "status", "object",
          "identity"]


def event(kind="operation", **fields):
    e = {"kind": kind}
    e.update(fields)
    return {k: e.get(k) for k in FIELDS}


def expected_events(client_lines):
    """The events the exchanged sequence must produce, from the client's view."""
    out = []
    for op in client_lines:
        fc = op["function_code"]
        rng = {"range_start": op.get("range_start"), "range_count": op.get("range_count")}
        if op["op"] == "read" and fc == 23:
            out.append(event(role="response", op="write", function_code=fc, values=op["values"], **rng))
        elif op["op"] == "read":
            out.append(event(role="request", op="read", function_code=fc, **rng))
            out.append(event(role="response", op="read", function_code=fc, values=op["values"], **rng))
        elif op["op"] == "write":
            out.append(event(role="request", op="write", function_code=fc, values=op["values"], **rng))
            if fc != 23:  # 23's response is the read half, listed on its own line
                echoed = op["values"] if fc in (5, 6, 22) else None
                out.append(event(role="response", op="write", function_code=fc, values=echoed, **rng))
        elif op["op"] == "exception":
            out.append(event(role="request", op="read", function_code=fc, **rng))
            out.append(event(role="response", op="exception", function_code=fc, status=op["status"], **rng))
        elif op["op"] == "identify":
            identity = {k: v for k, v in op.items() if k not in ("op", "function_code")}
            out.append(event(role="request", op="identify", function_code=fc))
            out.append(event(kind="identity", role="response", op="identify", function_code=fc, identity=identity))
        elif op["op"] in ("diagnostic", "restart"):
            for role in ("request", "response"):
                got = event(role=role, op=op["op"], function_code=fc, object=op["object"])
                got["values"] = "any"  # the diagnostic data word; checked by test_modbus_functions
                out.append(got)
                if op["object"] == "force_listen_only_mode":
                    break  # the device does not answer this one
    return out


def main():
    peers_bin = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "peers.pcap")
        for attempt in range(3):  # another port if this pair is taken
            port = 20000 + ((os.getpid() + 1000 * attempt) % 10000) * 2
            run = subprocess.run([peers_bin, pcap, str(port)], capture_output=True, text=True, timeout=60)
            if run.returncode == 0:
                break
            print(run.stderr)
        else:
            return 1
        client = [json.loads(line) for line in run.stdout.splitlines()]
        out = subprocess.run([os.environ["MAMORI_BIN"], "--no-progress", "-r", pcap], check=True,
                             capture_output=True, text=True).stdout
    events = [json.loads(line) for line in out.splitlines()]
    events = [e for e in events if e.get("type") == "event" and e.get("protocol") == "modbus"]
    problems = []
    anomalies = [e for e in events if e["kind"] == "anomaly"]
    if anomalies:
        problems.append(f"anomalies on a clean exchange: {anomalies}")
    ops = [e for e in events if e["kind"] != "anomaly"]
    # Order matters within a connection; the two connections' events may interleave.
    first_seen = {}
    for e in ops:
        first_seen.setdefault(e["flow_id"], len(first_seen))
    ops.sort(key=lambda e: first_seen[e["flow_id"]])
    want = expected_events(client)
    got = [{k: e.get(k) for k in FIELDS} for e in ops]
    for w in want:
        if w["values"] == "any":
            w["values"] = None
    for g, w in zip(got, want):
        if w["function_code"] == 8:
            g["values"] = None
    if got != want:
        problems.append("events differ from the exchanged sequence")
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else None
            w = want[i] if i < len(want) else None
            if g != w:
                problems.append(f"  #{i}: want {w}\n        got  {g}")
    unpaired = [e for e in ops if e["role"] == "response" and e.get("latency_us") is None]
    if unpaired:
        problems.append(f"responses without latency: {unpaired}")
    print(f"# {len(client)} client operations, {len(ops)} events, {len(anomalies)} anomalies")
    for p in problems:
        print(p)
    return 1 if problems or not ops else 0


if __name__ == "__main__":
    sys.exit(main())
