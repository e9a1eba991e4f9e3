#!/usr/bin/python3
"""test_inventory_program.py — the inventory through the `mamori` program.

1. Corpus captures that carry identities (MMS identify, Modbus report server
   id): `mamori --inventory DB -r ...` then `mamori inventory --db DB`; the
   identity of each device must equal what tshark decodes from the same
   packets (mms.vendorName / modelName / revision).
2. A generated capture pair (scapy, Modbus/TCP read device identification,
   43/14) in which a PLC's MajorMinorRevision changes: the first run builds
   the inventory and, with --advisories, reports the advisory the firmware is
   listed in; the second run raises exactly one firmware-change alert.
Prints TAP. Needs MAMORI_BIN, MAMORI_CORPUS, MAMORI_SOURCE_ROOT."""
import csv
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

from scapy.all import IP, TCP, Ether, Raw, wrpcap

MAMORI = os.environ["MAMORI_BIN"]
CORPUS = os.environ["MAMORI_CORPUS"]
ADVISORIES = os.path.join(os.environ["MAMORI_SOURCE_ROOT"], "tests", "firmware", "csaf")
MMS_CAPTURE = os.path.join(CORPUS, "ITI-ICS-Security-Tools/IEC61850/8d7c7db0-9804-012b-b2a6-0016cb8cea27.pcap")
MODBUS_CAPTURE = os.path.join(CORPUS, "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap")
HMI, PLC = "10.20.0.1", "10.20.0.2"
T0 = 1700000000.0

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def run(args, **kw):
    return subprocess.run([MAMORI] + args, capture_output=True, text=True, **kw)


def inventory(db):
    out = run(["inventory", "--db", db, "--format", "csv"])
    assert out.returncode == 0, out.stderr
    return {row["address"]: row for row in csv.DictReader(io.StringIO(out.stdout))}


def tshark_identify(capture):
    """(server address, vendor, model, revision) of each MMS identify response."""
    out = subprocess.run(["tshark", "-r", capture, "-Y", "mms.vendorName", "-T", "fields", "-e", "ip.src",
                          "-e", "mms.vendorName", "-e", "mms.modelName", "-e", "mms.revision"],
                         capture_output=True, text=True, check=True).stdout
    return {tuple(line.split("\t")) for line in out.splitlines() if line}


def identity_from_corpus(work):
    db = os.path.join(work, "corpus.db")
    out = run(["--inventory", db, "-r", MMS_CAPTURE, "-r", MODBUS_CAPTURE, "--no-progress"])
    check("mamori --inventory over corpus captures exits 0", out.returncode == 0, out.stderr)
    devices = inventory(db)
    expected = tshark_identify(MMS_CAPTURE)
    check("tshark finds MMS identify responses", len(expected) == 2, repr(expected))
    for address, vendor, model, revision in sorted(expected):
        row = devices.get(address, {})
        check(f"{address} identity equals tshark's identify response",
              (row.get("vendor"), row.get("model"), row.get("revision")) == (vendor, model, revision),
              f"got {row}")
        check(f"{address} plays mms server", "mms/server" in row.get("roles", ""), row.get("roles", ""))
    server = devices.get("10.0.0.3", {})
    check("Modbus report-server-id device is a server of unit 10", server.get("roles") == "modbus/server:unit 10",
          repr(server))
    quiet_db = os.path.join(work, "quiet.db")
    quiet = run(["--inventory", quiet_db, "-r", MMS_CAPTURE, "-r", MODBUS_CAPTURE, "--no-progress", "--no-event-log"])
    records = [json.loads(line)["type"] for line in quiet.stdout.splitlines()]
    check("--no-event-log writes no event records but still flows", "event" not in records and "flow" in records,
          repr(sorted(set(records))))
    check("--no-event-log: the inventory still sees every event", inventory(quiet_db) == devices,
          repr(inventory(quiet_db)))
    hosts = set()
    for capture, display_filter in ((MMS_CAPTURE, "mms"), (MODBUS_CAPTURE, "modbus")):
        out = subprocess.run(["tshark", "-r", capture, "-Y", display_filter, "-T", "fields", "-e", "ip.src",
                              "-e", "ip.dst"], capture_output=True, text=True, check=True).stdout
        hosts.update(address for line in out.splitlines() for address in line.split("\t") if address)
    check("the devices are exactly the hosts of tshark's MMS and Modbus packets", set(devices) == hosts,
          f"ours {sorted(devices)}, tshark {sorted(hosts)}")


def mbap(tid, unit, pdu):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def device_id_response(vendor, product_code, revision):
    objects = b"".join(struct.pack("BB", oid, len(v)) + v
                       for oid, v in enumerate([vendor, product_code, revision]))
    return b"\x2b\x0e\x01\x01\x00\x00" + struct.pack("B", 3) + objects


def identity_capture(path, revision, start):
    """A handshake, one 43/14 request and its response, and a teardown."""
    c, s = Ether(src="02:00:0a:14:00:01", dst="02:00:0a:14:00:02"), Ether(src="02:00:0a:14:00:02",
                                                                           dst="02:00:0a:14:00:01")
    cseq, sseq, sport = 1000, 5000, 40100
    request = mbap(1, 1, b"\x2b\x0e\x01\x00")
    response = mbap(1, 1, device_id_response(b"Schneider Electric", b"BMX P34 2020", revision))
    packets = [
        c / IP(src=HMI, dst=PLC) / TCP(sport=sport, dport=502, flags="S", seq=cseq),
        s / IP(src=PLC, dst=HMI) / TCP(sport=502, dport=sport, flags="SA", seq=sseq, ack=cseq + 1),
        c / IP(src=HMI, dst=PLC) / TCP(sport=sport, dport=502, flags="A", seq=cseq + 1, ack=sseq + 1),
        c / IP(src=HMI, dst=PLC) / TCP(sport=sport, dport=502, flags="PA", seq=cseq + 1, ack=sseq + 1) / Raw(request),
        s / IP(src=PLC, dst=HMI) / TCP(sport=502, dport=sport, flags="PA", seq=sseq + 1,
                                       ack=cseq + 1 + len(request)) / Raw(response),
        c / IP(src=HMI, dst=PLC) / TCP(sport=sport, dport=502, flags="FA", seq=cseq + 1 + len(request),
                                       ack=sseq + 1 + len(response)),
        s / IP(src=PLC, dst=HMI) / TCP(sport=502, dport=sport, flags="FA", seq=sseq + 1 + len(response),
                                       ack=cseq + 2 + len(request)),
    ]
    for i, p in enumerate(packets):
        p.time = start + i * 0.001
    wrpcap(path, packets)


def alerts_of(log_dir):
    path = os.path.join(log_dir, "alert.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def firmware_change(work):
    db = os.path.join(work, "plant.db")
    first, second = os.path.join(work, "day1.pcap"), os.path.join(work, "day2.pcap")
    identity_capture(first, b"v3.40", T0)
    identity_capture(second, b"V3.50", T0 + 86400)
    log1, log2 = os.path.join(work, "day1"), os.path.join(work, "day2")
    out = run(["--inventory", db, "--advisories", ADVISORIES, "--sensor", "s1", "-r", first, "--log-dir", log1,
               "--no-progress"])
    check("day 1 exits 0", out.returncode == 0, out.stderr)
    day1 = alerts_of(log1)
    check("day 1: one alert, the advisory the firmware is listed in",
          [(a["category"], a["technique"], a["src"], a["severity"]) for a in day1] ==
          [("vulnerable-firmware", "T0866", PLC, "high")], repr(day1))
    if day1:
        check("day 1: the advisory evidence names the CVEs",
              day1[0]["evidence"]["advisory"]["cves"] == "CVE-2022-0002,CVE-2022-0003", repr(day1[0]["evidence"]))
    devices = inventory(db)
    check("day 1: the PLC's identity is recorded",
          (devices[PLC]["vendor"], devices[PLC]["model"], devices[PLC]["revision"]) ==
          ("Schneider Electric", "BMX P34 2020", "v3.40"), repr(devices.get(PLC)))
    out = run(["--inventory", db, "--advisories", ADVISORIES, "--sensor", "s1", "-r", second, "--log-dir", log2,
               "--no-progress"])
    check("day 2 exits 0", out.returncode == 0, out.stderr)
    day2 = alerts_of(log2)
    check("day 2: exactly one alert, the firmware change",
          [(a["category"], a["technique"], a["src"]) for a in day2] == [("firmware-change", "T0857", PLC)],
          repr(day2))
    if day2:
        check("day 2: the summary says what changed",
              day2[0]["summary"] == f"{PLC} now reports revision V3.50 (was v3.40), seen in "
                                    "modbus/read_device_identification", day2[0]["summary"])
    site = os.path.join(work, "site.yaml")
    with open(site, "w") as f:
        f.write("site: plant-9\nuntrusted_vendors: [Schneider Electric]\n")
    log3 = os.path.join(work, "policy")
    out = run(["--sector", "electric-power", "--site", site, "--untrusted-vendor", "Example Networks",
               "--inventory", os.path.join(work, "policy.db"), "-r", first, "--log-dir", log3, "--no-progress"])
    check("the site file's excluded vendor run exits 0", out.returncode == 0, out.stderr)
    policy = [a for a in alerts_of(log3) if a["category"] == "untrusted-vendor"]
    check("a site file's untrusted_vendors entry raises one untrusted-vendor alert, with the site and sector",
          [(a["technique"], a["src"], a["site"], a["sector"]) for a in policy] ==
          [("T0862", PLC, "plant-9", "electric-power")], repr(alerts_of(log3)))
    diff = run(["inventory", "--db", db, "--format", "csv", "--diff", str(int(T0) + 3600), "now"])
    check("inventory --diff shows the revision change",
          diff.stdout.splitlines()[1:] == ['"identity_changed","10.20.0.2","revision","v3.40","V3.50",'
                                           '"modbus/read_device_identification"'], diff.stdout + diff.stderr)


def main():
    with tempfile.TemporaryDirectory(prefix="mamori-inventory-") as work:
        identity_from_corpus(work)
        firmware_change(work)
    print("TAP version 13")
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok:
            print(f"  # {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
