#!/usr/bin/python3
"""test_hub_mamori.py — the real sensor program on corpus captures: `mamori
-r CAPTURE --sector electric-power --hub ... --key ... --hub-key ...` raises
alerts from the Modbus attack captures; the subscriber receives exactly the
alerts written to the sensor's own alert log (compared by id and content),
and the same settings work from the YAML config file. An indicator set pushed
by the hub and kept by the sensor raises indicator-match alerts at its next
start. A bad key file is one clear error line."""
import json
import os
import subprocess

import hubtest
from hubtest import check, alerts_in, wait_for

CAPTURES = [
    "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part2.pcap",
    "suricata-verify/modbus/modbus.pcap",
    "ITI-ICS-Security-Tools/modicon/modicon_test.pcap",
]


def test(make):
    mamori = os.environ["MAMORI_BIN"]
    corpus = os.environ["MAMORI_CORPUS"]
    h = make()
    h.start_hub()
    sub, out = h.subscriber("grid-sub", "grid", "--format", "json", "--from-start")
    h.wait_subscribed("grid")
    logged = []
    for i, capture in enumerate(CAPTURES):
        logs = h.path("logs%d" % i)
        os.mkdir(logs)
        argv = [mamori, "-r", os.path.join(corpus, capture), "--sector", "electric-power", "--sensor", "grid-s1",
                "--log-dir", logs, "--no-progress"]
        if i < 2:
            argv += ["--hub", h.sensors_ep, "--key", h.path("grid-sensor.key"), "--hub-key", h.path("hub.pub"),
                     "-o", "hub.spool=" + h.path("spool.db")]
        else:
            with open(h.path("sensor.yaml"), "w") as f:
                f.write("hub:\n  endpoint: %s\n  key: %s\n  hub_key: %s\n  spool: %s\n"
                        % (h.sensors_ep, h.path("grid-sensor.key"), h.path("hub.pub"), h.path("spool.db")))
            argv += ["-c", h.path("sensor.yaml")]
        r = h.run(argv, timeout=120)
        alerts = alerts_in(os.path.join(logs, "alert.json"))
        check(r.returncode == 0 and alerts, "%s: mamori raised %d alerts (%s)" % (capture, len(alerts),
                                                                                  r.stderr.strip()[-300:]))
        check("%d alerts acknowledged, 0 refused" % len(alerts) in r.stderr and "0 kept in" in r.stderr,
              "%s: every alert acknowledged by the hub before mamori exited" % capture)
        logged += alerts
    got = wait_for(lambda: len(alerts_in(out)) >= len(logged) and alerts_in(out))
    check([a["id"] for a in got] == [a["id"] for a in logged],
          "subscriber: exactly the %d alerts of the sensor's alert log, in order" % len(logged))
    for mine, theirs in zip(logged, got):
        expected = dict(mine, site="substation-7")  # the hub fills the site bound to the key
        del expected["type"]
        received = {k: v for k, v in theirs.items() if k not in ("type", "organisation", "topic")}
        if received != expected:
            raise hubtest.Fail("alert %s differs:\n%s\n%s" % (mine["id"], json.dumps(expected), json.dumps(received)))
    check(True, "every delivered alert equals the logged one member by member (site filled by the hub)")

    # Indicators: the ISAC lists 10.0.0.57; the sensor, which received the set
    # earlier and kept it, applies it at its next start.
    with open(h.path("ioc.txt"), "w") as f:
        f.write("# electric-power block list\nip 10.0.0.57\n")
    r = h.run([h.hub_bin, "indicators", "push", h.path("ioc.txt"), "--sector", "electric-power", "-c", h.config])
    check(r.returncode == 0, "indicators pushed")
    ind_dir = h.path("ind")
    os.mkdir(ind_dir)
    fetch = subprocess.Popen(h.sender_argv("grid-sensor", "fetch.spool", "--hold", "--indicators-dir", ind_dir),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    h.procs.append(fetch)
    check(wait_for(lambda: os.path.exists(os.path.join(ind_dir, "electric-power.version"))),
          "the sensor received and kept the set")
    fetch.kill()
    fetch.wait()
    logs = h.path("logs-ioc")
    os.mkdir(logs)
    r = h.run([mamori, "-r", os.path.join(corpus, CAPTURES[1]), "--sector", "electric-power", "--log-dir", logs,
               "--no-progress", "--hub", h.sensors_ep, "--key", h.path("grid-sensor.key"), "--hub-key",
               h.path("hub.pub"), "-o", "hub.spool=" + h.path("spool.db"), "-o", "hub.indicators_dir=" + ind_dir],
              timeout=120)
    alerts = alerts_in(os.path.join(logs, "alert.json"))
    matches = [a for a in alerts if a["category"] == "indicator-match"]
    check(r.returncode == 0 and "electric-power indicators version 1: watching 1 addresses" in r.stderr,
          "mamori loaded the kept set at start")
    check(matches and all("10.0.0.57 is listed in the electric-power indicators (version 1)" in a["summary"]
                          and a["evidence"]["indicator"] == {"type": "ip", "value": "10.0.0.57",
                                                             "sector": "electric-power", "version": 1}
                          for a in matches), "%d indicator-match alerts for 10.0.0.57" % len(matches))
    flows = [a["evidence"]["flow_id"] for a in matches]
    check(len(flows) == len(set(flows)), "one indicator alert per flow")
    got = wait_for(lambda: len(alerts_in(out)) >= len(logged) + len(alerts) and alerts_in(out))
    check([a["id"] for a in got[len(logged):]] == [a["id"] for a in alerts],
          "the subscriber received them with the engine's alerts")

    # Live: a running sensor applies a set pushed while it runs. The capture
    # comes through a FIFO, held after its file header until the set is in.
    with open(h.path("ioc2.txt"), "w") as f:
        f.write("ip 10.0.0.57\nip 192.0.2.1\n")
    r = h.run([h.hub_bin, "indicators", "push", h.path("ioc2.txt"), "--sector", "electric-power", "-c", h.config])
    check("version 2" in r.stdout, "second set pushed: version 2")
    live_dir, logs, fifo = h.path("ind-live"), h.path("logs-live"), h.path("live.pcap")
    os.mkdir(live_dir)
    os.mkdir(logs)
    os.mkfifo(fifo)
    err_path = h.path("mamori-live.log")
    sensor = subprocess.Popen([mamori, "-r", fifo, "--sector", "electric-power", "--log-dir", logs, "--no-progress",
                               "--hub", h.sensors_ep, "--key", h.path("grid-sensor.key"), "--hub-key",
                               h.path("hub.pub"), "-o", "hub.spool=" + h.path("live-spool.db"),
                               "-o", "hub.indicators_dir=" + live_dir], stderr=open(err_path, "w"))
    h.procs.append(sensor)
    capture = open(os.path.join(corpus, CAPTURES[1]), "rb").read()
    with open(fifo, "wb") as w:
        w.write(capture[:24])  # the pcap file header only
        w.flush()
        check(wait_for(lambda: "electric-power indicators version 2: watching 2 addresses" in open(err_path).read()),
              "the running sensor applied version 2 as soon as the hub pushed it")
        w.write(capture[24:])
    check(sensor.wait(timeout=120) == 0, "the live sensor finished its capture")
    live = [a for a in alerts_in(os.path.join(logs, "alert.json")) if a["category"] == "indicator-match"]
    check(len(live) == len(matches) and all("(version 2)" in a["summary"] for a in live),
          "the same %d flows matched, now under version 2" % len(matches))
    check(wait_for(lambda: [s for s in h.stats()["sensors"] if s["indicators_applied"] == "electric-power=2"]),
          "the hub knows the sensor applied version 2")

    r = h.run([mamori, "-r", os.path.join(corpus, CAPTURES[0]), "--sector", "electric-power", "--hub", h.sensors_ep,
               "--key", h.path("missing.key"), "--hub-key", h.path("hub.pub")])
    check(r.returncode == 1 and r.stderr.strip().endswith("missing.key: No such file or directory"),
          "missing key file: one clear line, exit 1: " + r.stderr.strip())
    r = h.run([mamori, "-r", os.path.join(corpus, CAPTURES[0]), "--hub", h.sensors_ep])
    check(r.returncode == 1 and "--hub: needs --key" in r.stderr, "--hub without keys: clear error")


if __name__ == "__main__":
    hubtest.main(test)
