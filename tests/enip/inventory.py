#!/usr/bin/python3
"""inventory.py — a ListIdentity response reaches the SQLite inventory:
`mamori --inventory DB -r enip_test.pcap`, then `mamori inventory --db DB
--format json` must hold, for the adapter 10.1.1.164 (frame 7), exactly the
identity tshark shows for that frame, each from enip/list_identity.

Environment: MAMORI_BIN, MAMORI_CORPUS (set by meson's test_env).
"""
import json
import os
import subprocess
import sys
import tempfile

CAPTURE = "ITI-ICS-Security-Tools/EthernetIP/enip_test.pcap"
EXPECTED = {
    "vendor": "Rockwell Automation/Allen-Bradley",
    "vendor_id": "1",
    "device_type": "Communications Adapter",
    "product_code": "58",
    "revision": "4.03",
    "serial_number": "0x00524d8e",
    "product_name": "1756-ENBT/A",
}


def main():
    mamori = os.environ["MAMORI_BIN"]
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "inventory.db")
        subprocess.run([mamori, "--inventory", db, "-r", os.path.join(os.environ["MAMORI_CORPUS"], CAPTURE),
                        "--no-progress", "--no-event-log", "-l", tmp], check=True, capture_output=True)
        out = subprocess.run([mamori, "inventory", "--db", db, "--format", "json"], check=True,
                             capture_output=True, text=True).stdout
    devices = {d["address"]: d for d in map(json.loads, out.splitlines())}
    adapter = devices.get("10.1.1.164")
    if not adapter:
        print("no device 10.1.1.164 in:\n" + out)
        return 1
    identity = {k: v["value"] for k, v in adapter["identity"].items()}
    sources = {v["source"] for v in adapter["identity"].values()}
    ok = identity == EXPECTED and sources == {"enip/list_identity"}
    ok = ok and {"protocol": "enip", "role": "server"} in adapter["roles"]
    ok = ok and devices["10.1.1.167"]["identity"] == {}
    print("identity %s from %s: %s" % (identity, sources, "ok" if ok else "WRONG"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
