#!/usr/bin/python3
"""test_live.py — live capture end to end (needs root; CI runs as root).

Creates a network namespace with a veth pair, runs `mamori -i` on the end
inside the namespace (dropping root with -u nobody, which also tells us the
capture is open), replays corpus captures into the other end with tcpreplay,
stops mamori with SIGINT and checks that it saw every packet, that the kernel
dropped none, and that its flows and events are those of `mamori -r` on the
same files (times aside: a replay compresses them). Also: an idle interface
does not delay shutdown on SIGINT or SIGTERM. Everything created is removed
again, even when a check fails. No packet leaves the namespace pair."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "program"))
from mamori_run import BIN, Tap, corpus, run  # noqa: E402

REPLAYED = [
    "ITI-ICS-Security-Tools/IEC61850/GOOSE/Sample_File_GOOSE.pcap",  # VLAN-tagged GOOSE
    "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-initiateDownloadSequence.pcap",
]
NOBODY_UID = 65534
START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5
SETTLE_S = 1.0
# Flow members that depend on when packets were seen, not on what was seen.
TIME_MEMBERS = {"flow_id", "ts", "duration", "end_reason"}


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=60)


class Namespace:
    """A netns with one end of a veth pair inside; removed on exit."""

    def __init__(self):
        tag = os.getpid() % 100000
        self.name = f"mamori-live-{tag}"
        self.outside = f"mlv{tag}o"
        self.inside = f"mlv{tag}i"

    def __enter__(self):
        try:
            sh("ip", "netns", "add", self.name)
            sh("ip", "link", "add", self.outside, "type", "veth", "peer", "name", self.inside)
            sh("ip", "link", "set", self.inside, "netns", self.name)
            # No IPv6 on either end: no neighbour discovery or MLD frames besides the replayed ones.
            sh("sh", "-c", f"echo 1 > /proc/sys/net/ipv6/conf/{self.outside}/disable_ipv6")
            sh("ip", "netns", "exec", self.name, "sh", "-c",
               f"echo 1 > /proc/sys/net/ipv6/conf/{self.inside}/disable_ipv6")
            sh("ip", "link", "set", self.outside, "up")
            sh("ip", "netns", "exec", self.name, "ip", "link", "set", self.inside, "up")
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        sh("ip", "netns", "del", self.name, check=False)  # takes the inside end, and with it the pair
        sh("ip", "link", "del", self.outside, check=False)
        return False


def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def start_mamori(ns, log_dir, extra=()):
    """mamori -i inside the namespace; returns once it has opened the capture and dropped root."""
    proc = subprocess.Popen(["ip", "netns", "exec", ns.name, BIN, "-i", ns.inside, "-u", "nobody",
                             "--log-dir", log_dir] + list(extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mamori exited early ({proc.returncode}): {proc.stderr.read()}")
        try:
            if uid_of(proc.pid) == NOBODY_UID:
                return proc
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("mamori did not open the capture and drop root in time")


def stop_mamori(proc, sig=signal.SIGINT):
    """Sends sig; returns (seconds to exit, stderr)."""
    started = time.monotonic()
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"mamori did not stop within {STOP_TIMEOUT_S} s of {sig.name}")
    return time.monotonic() - started, err


def read_log(log_dir, kind):
    with open(os.path.join(log_dir, f"{kind}.json")) as f:
        return [json.loads(line) for line in f]


def flow_view(flow):
    return json.dumps({k: v for k, v in flow.items() if k not in TIME_MEMBERS}, sort_keys=True)


def event_view(event):
    return (event["protocol"], event["kind"], event.get("role"), event.get("function_code"), event.get("src"),
            event.get("src_mac"), event.get("object"))


def check_replay_seen_whole(workers):
    files = [corpus(p) for p in REPLAYED]
    offline = run(sum((["-r", f] for f in files), []))
    expected_packets = offline.final_stats["capture"]["packets"]
    with Namespace() as ns, tempfile.TemporaryDirectory() as logs:
        os.chmod(logs, 0o755)
        proc = start_mamori(ns, logs, ["--workers", str(workers)])
        try:
            replay = sh("tcpreplay", "-q", "-i", ns.outside, "--mbps=20", *files)
            assert re.search(r"Failed packets:\s+0\n", replay.stdout), replay.stdout
            time.sleep(SETTLE_S + 1.0)
            # Live records reach the log within a second, without waiting for the end.
            assert os.path.getsize(os.path.join(logs, "event.json")) > 0, "no events flushed while running"
        finally:
            _, err = stop_mamori(proc)
        assert proc.returncode == 0, err
        stats = read_log(logs, "stats")[-1]
        capture = stats["capture"]
        assert stats["final"] is True
        assert capture["packets"] == expected_packets, (capture, expected_packets)
        assert capture["dropped"] == 0 and capture["if_dropped"] == 0, capture
        live_flows = Counter(flow_view(f) for f in read_log(logs, "flow"))
        file_flows = Counter(flow_view(f) for f in offline.flows)
        assert live_flows == file_flows, (f"only live: {list((live_flows - file_flows).items())[:3]}; "
                                          f"only from the files: {list((file_flows - live_flows).items())[:3]}")
        live_events = Counter(event_view(e) for e in read_log(logs, "event"))
        file_events = Counter(event_view(e) for e in offline.events)
        assert live_events == file_events, (f"only live: {list((live_events - file_events).items())[:3]}; "
                                            f"only from the files: {list((file_events - live_events).items())[:3]}")


def check_idle_shutdown(sig):
    with Namespace() as ns, tempfile.TemporaryDirectory() as logs:
        os.chmod(logs, 0o755)
        proc = start_mamori(ns, logs, ["--stats-interval", "200ms"])
        time.sleep(SETTLE_S)
        took, err = stop_mamori(proc, sig)
        assert proc.returncode == 0, err
        assert took < 1.0, f"{took:.2f} s to stop an idle capture"
        stats = read_log(logs, "stats")
        assert stats[-1]["final"] and stats[-1]["capture"]["packets"] == 0
        assert len(stats) >= 3, "periodic statistics kept coming while idle"


def check_silent_publisher_reported_while_idle():
    """A GOOSE publisher (timeAllowedtoLive 40 ms) stops and nothing else is
    sent: the wall clock of the idle interface reports it lost, long before the
    sensor is stopped."""
    generator = os.path.join(os.environ["MAMORI_BUILD_ROOT"], "tests", "bench", "gen_goose_sv")
    with Namespace() as ns, tempfile.TemporaryDirectory() as logs:
        os.chmod(logs, 0o755)
        storm = os.path.join(logs, "goose.pcap")
        sh(generator, storm, "goose", "1", "1")
        proc = start_mamori(ns, logs)
        try:
            sh("tcpreplay", "-q", "-i", ns.outside, "--mbps=20", storm)
            time.sleep(SETTLE_S + 1.0)
            lost = [e for e in read_log(logs, "event") if e.get("anomaly") == "time_allowed_to_live_expired"]
        finally:
            _, err = stop_mamori(proc)
        assert proc.returncode == 0, err
        assert len(lost) == 1, f"expected one lost publisher while idle, got {lost}"
        assert lost[0]["protocol"] == "goose" and lost[0]["src_mac"], lost[0]


def main():
    if os.geteuid() != 0:
        print("TAP version 13\nnot ok 1 - live capture test needs root (network namespaces, veth, tcpreplay); "
              "run it as root as CI does\n1..1")
        sys.exit(1)
    tap = Tap()
    for workers in (1, 2):
        tap.check(f"replayed captures, {workers} worker(s): every packet seen, none dropped, flows and events as "
                  "with -r", check_replay_seen_whole, workers)
    tap.check("idle interface: a GOOSE publisher that fell silent is reported by the wall clock",
              check_silent_publisher_reported_while_idle)
    tap.check("idle interface: SIGINT stops it at once", check_idle_shutdown, signal.SIGINT)
    tap.check("idle interface: SIGTERM stops it at once", check_idle_shutdown, signal.SIGTERM)
    tap.done()


main()
