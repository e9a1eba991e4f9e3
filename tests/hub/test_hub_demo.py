#!/usr/bin/python3
"""test_hub_demo.py — sectors/hub/demo.sh (the README's one-machine path)
keeps working: hub, subscriber and mamori on a corpus capture; the
subscriber prints exactly the alerts mamori logged, and mamori reports them
all acknowledged."""
import json
import os
import re
import shutil
import subprocess
import sys


def main():
    root, build, corpus = os.environ["MAMORI_SOURCE_ROOT"], os.environ["MAMORI_BUILD_ROOT"], os.environ["MAMORI_CORPUS"]
    capture = os.path.join(corpus, "suricata-verify/modbus/modbus.pcap")
    r = subprocess.run(["sh", os.path.join(root, "sectors/hub/demo.sh"), build, capture], capture_output=True,
                       text=True, timeout=120)
    m = re.search(r"demo files \(.*\) in (\S+)", r.stderr)
    try:
        if r.returncode != 0 or not m:
            sys.exit("not ok - demo.sh failed:\n" + r.stderr)
        printed = [json.loads(line)["id"] for line in r.stdout.splitlines() if line.startswith("{")]
        with open(os.path.join(m.group(1), "logs", "alert.json")) as f:
            logged = [json.loads(line)["id"] for line in f if line.strip()]
        if not logged or printed != logged:
            sys.exit("not ok - subscriber printed %s, mamori logged %s" % (printed, logged))
        print("ok - the subscriber printed the %d alerts mamori logged" % len(logged))
        if "%d alerts acknowledged, 0 refused, 0 dropped" % len(logged) not in r.stderr:
            sys.exit("not ok - " + r.stderr)
        print("ok - all acknowledged by the hub")
    finally:
        if m:
            shutil.rmtree(m.group(1), ignore_errors=True)


if __name__ == "__main__":
    main()
