#!/usr/bin/python3
"""test_hub_durability.py — nothing lost, nothing twice: the hub killed with
SIGKILL mid-stream and restarted; the sensor killed with SIGKILL with alerts in
its spool (hub down) and restarted; the sensor killed right after handing its
alerts over (some acknowledged, some not). Each time the subscriber, which
itself resumes across the hub restart, receives every alert exactly once and in
the order raised, compared by id."""
import signal
import subprocess
import time

import hubtest
from hubtest import check, alerts_in, wait_for


def ids_of(path):
    return [a["id"] for a in alerts_in(path)]


def wait_line(proc, prefix, timeout=30):
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(prefix):
            return lines
    raise hubtest.Fail("no %s line from the sender" % prefix)


def test(make):
    h = make()
    h.start_hub()
    sub, out = h.subscriber("rail-isac", "rail", "--format", "json", "--from-start", "--state", h.path("rail.state"))
    h.wait_subscribed("rail")

    # 1. Hub killed with SIGKILL while 300 alerts stream in, restarted a second later.
    sender = subprocess.Popen(h.sender_argv("rail-sensor", "s1.spool", "--count", "300", "--interval-ms", "10",
                                            "--ack-timeout-ms", "500", "--timeout", "60"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: len(ids_of(out)) >= 20, timeout=30, step=0.02)
    h.kill_hub(signal.SIGKILL)
    before_crash = len(ids_of(out))
    time.sleep(1.0)
    h.start_hub()
    stdout, stderr = sender.communicate(timeout=90)
    raised = [l.split()[1] for l in stdout.splitlines() if l.startswith("ID ")]
    check(sender.returncode == 0 and len(raised) == 300, "sender: all 300 acknowledged across the hub crash (%s)"
          % stderr.strip())
    check(0 < before_crash < 300, "the hub was killed mid-stream (%d of 300 delivered before)" % before_crash)
    got = wait_for(lambda: len(ids_of(out)) >= 300 and ids_of(out))
    check(got == raised, "subscriber: every alert exactly once, in order, across the hub crash (%d)" % len(got))
    check(h.stats()["alerts_in_store"] == 300, "store: 300 alerts, no duplicate")

    # 2. Hub down; the sensor spools 50 alerts and is killed with SIGKILL.
    h.kill_hub(signal.SIGTERM)
    sender = subprocess.Popen(h.sender_argv("rail-sensor", "s2.spool", "--count", "50", "--hold"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = wait_line(sender, "SPOOLED")
    spooled = [l.split()[1] for l in lines if l.startswith("ID ")]
    check(lines[-1].strip() == "SPOOLED 50", "sensor: 50 alerts in its spool while the hub is down")
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    h.start_hub()
    r, _ = h.send("rail-sensor", "s2.spool", "--count", "0", "--timeout", "30")
    check(r.returncode == 0 and "acked=50" in r.stderr, "restarted sensor drains its spool (%s)" % r.stderr.strip())
    got = wait_for(lambda: len(ids_of(out)) >= 350 and ids_of(out))
    check(got[300:] == spooled and len(got) == 350, "subscriber: the 50 spooled alerts exactly once, in order")

    # 3. Hub up; the sensor is killed the moment its 200 alerts are spooled,
    #    with part of them acknowledged and part in flight; restarted, it sends the rest.
    sender = subprocess.Popen(h.sender_argv("rail-sensor", "s3.spool", "--count", "200", "--hold"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = wait_line(sender, "SPOOLED")
    raised = [l.split()[1] for l in lines if l.startswith("ID ")]
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    r, _ = h.send("rail-sensor", "s3.spool", "--count", "0", "--timeout", "30")
    check(r.returncode == 0, "restarted sensor: spool empty after draining")
    got = wait_for(lambda: len(ids_of(out)) >= 550 and ids_of(out))
    check(got[350:] == raised and len(got) == 550, "subscriber: all 200 exactly once after the sensor kill")
    check(h.stats()["alerts_in_store"] == 550, "store: 550 alerts, duplicates dropped by id")

    # 4. The subscriber itself restarts from its state file: nothing again, then new ones.
    sub.send_signal(signal.SIGKILL)
    sub.wait()
    sub, out2 = h.subscriber("rail-isac", "rail2", "--format", "json", "--state", h.path("rail.state"))
    h.wait_subscribed("rail2")
    r, more = h.send("rail-sensor", "s4.spool", "--count", "5")
    got = wait_for(lambda: len(ids_of(out2)) >= 5 and ids_of(out2))
    time.sleep(0.5)
    check(ids_of(out2) == more, "resumed subscriber: exactly the 5 new alerts, nothing replayed twice")


if __name__ == "__main__":
    hubtest.main(test)
