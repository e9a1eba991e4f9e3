"""mamori_run.py — shared helpers for the tests/program scripts: TAP output,
running the `mamori` binary, reading its JSON lines, and tshark's
conversation statistics as the oracle for flows.

Environment (from tests/meson.build): MAMORI_BIN, MAMORI_CORPUS,
MAMORI_SOURCE_ROOT, MAMORI_BUILD_ROOT."""

import json
import os
import re
import subprocess
import sys
import traceback

BIN = os.environ.get("MAMORI_BIN", "")
CORPUS = os.environ.get("MAMORI_CORPUS", "")
RUN_TIMEOUT_S = 300


def corpus(path):
    """Absolute path of a corpus capture; the test fails if it is missing."""
    full = os.path.join(CORPUS, path)
    if not os.path.exists(full):
        raise AssertionError(f"corpus file missing: {full} (is MAMORI_CORPUS right?)")
    return full


class Tap:
    """Minimal TAP 13 producer: each check is one numbered test."""

    def __init__(self):
        self.count = 0
        self.failed = 0
        print("TAP version 13", flush=True)

    def check(self, name, fn, *args):
        self.count += 1
        try:
            fn(*args)
            print(f"ok {self.count} - {name}", flush=True)
        except Exception:  # a failing check must not stop the others
            self.failed += 1
            print(f"not ok {self.count} - {name}", flush=True)
            for line in traceback.format_exc().splitlines():
                print(f"# {line}", flush=True)

    def done(self):
        print(f"1..{self.count}", flush=True)
        sys.exit(1 if self.failed else 0)


class Run:
    """One finished mamori run: exit status, records by type, stderr lines."""

    def __init__(self, proc, records):
        self.status = proc.returncode
        self.stderr = proc.stderr
        self.records = records

    def of(self, kind):
        return [r for r in self.records if r.get("type") == kind]

    @property
    def flows(self):
        return self.of("flow")

    @property
    def events(self):
        return self.of("event")

    @property
    def final_stats(self):
        finals = [r for r in self.of("stats") if r.get("final")]
        assert len(finals) == 1, f"expected one final stats record, got {len(finals)}"
        return finals[0]


def run(args, expect_status=0, stdin=None):
    """Runs mamori with args; parses every stdout line as JSON."""
    proc = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          stdin=stdin)
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    result = Run(proc, records)
    if expect_status is not None:
        assert proc.returncode == expect_status, (
            f"mamori {' '.join(args)}: exit {proc.returncode}, expected {expect_status}; stderr:\n{proc.stderr}")
    return result


def run_error(args, expect_status):
    """Runs mamori expecting failure; returns stderr (one line) and checks stdout is empty."""
    proc = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert proc.returncode == expect_status, (
        f"mamori {' '.join(args)}: exit {proc.returncode}, expected {expect_status}; stderr:\n{proc.stderr}")
    assert proc.stdout == "", f"unexpected stdout: {proc.stdout[:200]}"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {proc.stderr}"
    return lines[0]


def endpoint_key(proto, a, b):
    """An unordered conversation key: proto plus the two endpoints sorted."""
    return (proto,) + tuple(sorted([a, b]))


def flow_key(flow):
    src = f"{flow['src']}:{flow['sport']}"
    dst = f"{flow['dst']}:{flow['dport']}"
    return endpoint_key(flow["proto"], src, dst)


_CONV_LINE = re.compile(
    r"^(\S+)\s+<->\s+(\S+)\s+"
    r"(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)\s+"
    r"(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)\s+"
    r"(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)\s")

# tshark 4.0 prints conversation sizes in SI units, truncated: 127678 -> "127 kB".
_UNIT = {"bytes": 1, "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}


class TsharkBytes:
    """A byte count as tshark prints it; equal to every exact count it could stand for."""

    def __init__(self, value, unit):
        self.value, self.unit = value, unit

    def __eq__(self, exact):
        return exact // _UNIT[self.unit] == self.value

    def __repr__(self):
        return f"{self.value} {self.unit}"


def _split_endpoint(text):
    """tshark prints IPv4 as a.b.c.d:port and IPv6 as addr:port too."""
    host, _, port = text.rpartition(":")
    return host, int(port)


def tshark_conversations(capture, display_filter=None):
    """{key: (frames, bytes)} for every TCP and UDP conversation tshark sees."""
    args = ["tshark", "-n", "-q", "-z", "conv,tcp", "-z", "conv,udp", "-r", capture]
    if display_filter:
        args += ["-2", "-R", display_filter]
    out = subprocess.run(args, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=True).stdout
    convs = {}
    proto = None
    for line in out.splitlines():
        if line.startswith("TCP Conversations"):
            proto = "tcp"
        elif line.startswith("UDP Conversations"):
            proto = "udp"
        m = _CONV_LINE.match(line)
        if m and proto:
            a_host, a_port = _split_endpoint(m.group(1))
            b_host, b_port = _split_endpoint(m.group(2))
            key = endpoint_key(proto, f"{a_host}:{a_port}", f"{b_host}:{b_port}")
            assert key not in convs, f"tshark lists {key} twice"
            convs[key] = (int(m.group(9)), TsharkBytes(int(m.group(10)), m.group(11)))
    return convs


def mamori_conversations(flows):
    """{key: (frames, bytes)} summed over flows with the same endpoints (a
    port reused after a close is a new flow for mamori, one conversation for
    tshark)."""
    convs = {}
    for f in flows:
        if f["proto"] not in ("tcp", "udp"):
            continue
        key = flow_key(f)
        old = convs.get(key, (0, 0))
        convs[key] = (old[0] + f["orig_pkts"] + f["resp_pkts"], old[1] + f["orig_bytes"] + f["resp_bytes"])
    return convs


def strip_ids(record):
    """A record without its flow id (ids depend on the worker that made them)."""
    return {k: v for k, v in record.items() if k != "flow_id"}
