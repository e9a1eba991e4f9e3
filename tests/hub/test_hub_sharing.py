#!/usr/bin/python3
"""test_hub_sharing.py — what leaves the hub for other organisations:
pseudonymised or stripped internal addresses (the posting organisation keeps
them), indicator sets pushed to a sector's sensors and the version each
applied, and the STIX 2.1 bundle of mamori-sub."""
import json
import os
import re
import subprocess

import hubtest
from hubtest import check, alerts_in, wait_for


def privacy_case(make, mode):
    h = make(privacy=mode)
    h.start_hub()
    own, own_out = h.subscriber("grid-sub", "own", "--format", "json", "--from-start")
    other, other_out = h.subscriber("national-isac", "other", "--format", "json", "--from-start")
    h.wait_subscribed("own")
    h.wait_subscribed("other")
    r, internal = h.send("grid-sensor", "g.spool", "--count", "2", "--sector", "electric-power",
                         "--src", "10.1.2.3:50123")
    r, public = h.send("grid-sensor", "g.spool", "--count", "1", "--sector", "electric-power",
                       "--src", "203.0.113.7:4444")
    mine = wait_for(lambda: len(alerts_in(own_out)) >= 3 and alerts_in(own_out))
    theirs = wait_for(lambda: len(alerts_in(other_out)) >= 3 and alerts_in(other_out))
    check([a["id"] for a in theirs] == internal + public, mode + ": the other organisation gets every alert")
    check(mine[0]["src"] == "10.1.2.3:50123" and mine[0]["evidence"]["events"][0]["src"] == "10.1.2.3:50123",
          mode + ": the posting organisation keeps its addresses")
    check(theirs[2]["src"] == "203.0.113.7:4444", mode + ": public addresses are kept")
    a = theirs[0]
    text = json.dumps(theirs[:2])
    check("10.1.2.3" not in text and "10.9.9.9" not in text, mode + ": no internal address left anywhere")
    if mode == "pseudonymise":
        m = re.fullmatch(r"anon-[0-9a-f]{12}:50123", a["src"])
        check(m is not None, "pseudonym keeps the port: " + a["src"])
        check(theirs[1]["src"] == a["src"] and a["evidence"]["events"][0]["src"] == a["src"],
              "same address, same pseudonym (across alerts and in the evidence)")
        check(a["flow_key"] == "tcp %s-%s" % (a["src"], a["dst"]), "flow key rewritten consistently")
    else:
        check(a["src"] == "" and a["dst"] == "", "strip: endpoint members emptied")
        check("write from [internal]" in a["summary"] and a["evidence"]["events"][0]["src"] == "[internal]",
              "strip: addresses in text replaced by [internal]")
    return h


def test(make):
    privacy_case(make, "strip")
    h = privacy_case(make, "pseudonymise")

    # Indicators pushed to the railways sensors; the version applied comes back.
    indicators = h.path("block.yaml")
    with open(indicators, "w") as f:
        f.write("block_ips: [198.51.100.23]\n")
    ind_dir = h.path("ind")
    os.mkdir(ind_dir)
    sensor = subprocess.Popen(h.sender_argv("rail-sensor", "r.spool", "--hold", "--indicators-dir", ind_dir),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    h.procs.append(sensor)
    r = h.run([h.hub_bin, "indicators", "push", indicators, "--sector", "railways", "-c", h.config])
    check(r.returncode == 0 and "indicators version 1 stored" in r.stdout, "indicators push: version 1 stored")
    target = os.path.join(ind_dir, "railways.indicators")
    check(wait_for(lambda: os.path.exists(target) and open(target).read() == "block_ips: [198.51.100.23]\n"),
          "the railways sensor wrote the indicator set it received")
    applied = wait_for(lambda: [s for s in h.stats()["sensors"] if s["indicators_applied"] == "railways=1"])
    check(applied and applied[0]["name"] == "rail-sensor", "the hub knows rail-sensor applied railways version 1")
    with open(indicators, "w") as f:
        f.write("block_ips: [198.51.100.23, 198.51.100.99]\n")
    r = h.run([h.hub_bin, "indicators", "push", indicators, "--sector", "railways", "-c", h.config])
    check("version 2" in r.stdout, "second push: version 2")
    check(wait_for(lambda: [s for s in h.stats()["sensors"] if s["indicators_applied"] == "railways=2"]),
          "applied without restarting the sensor: railways=2")
    check(open(os.path.join(ind_dir, "railways.version")).read() == "2\n", "version file on the sensor")
    r = h.run([h.hub_bin, "indicators", "push", indicators, "--sector", "water", "-c", h.config])
    check(r.returncode == 1 and "no sensor" in r.stderr, "push to a sector without sensors: clear error")

    # The table a person reads on a terminal.
    r = h.run([h.sub_bin, "--hub", h.subs_ep, "--key", h.path("national-isac.key"), "--hub-key", h.path("hub.pub"),
               "--from-start", "--format", "table", "--count", "3"], timeout=30)
    rows = r.stdout.splitlines()
    check(r.returncode == 0 and rows[0].split()[:4] == ["TIME", "(UTC)", "SEVERITY", "SECTOR"] and len(rows) == 4,
          "table: a header and one row per alert")
    check(all(row.split()[2:4] == ["high", "electric-power"] and row.endswith("[grid-co/test-sensor]")
              for row in rows[1:]), "table rows: severity, sector, organisation/sensor")

    # STIX 2.1 bundle of everything the national ISAC may read.
    stix = h.path("bundle.json")
    r = h.run([h.sub_bin, "--hub", h.subs_ep, "--key", h.path("national-isac.key"), "--hub-key", h.path("hub.pub"),
               "--from-start", "--format", "stix", "--count", "3", "-o", stix], timeout=30)
    check(r.returncode == 0, "mamori-sub --format stix exits after --count")
    bundle = json.load(open(stix))
    check(bundle["type"] == "bundle" and bundle["id"].startswith("bundle--"), "a STIX bundle")
    by_type = {}
    for o in bundle["objects"]:
        by_type.setdefault(o["type"], []).append(o)
        if o["type"] not in ("ipv4-addr", "ipv6-addr", "mac-addr"):
            check(o["spec_version"] == "2.1" and "created" in o, "%s has spec_version and created" % o["id"])
    sightings = by_type["sighting"]
    stored = alerts_in(h.path("other.out"))
    check([s["id"] for s in sightings] == ["sighting--" + a["id"] for a in stored], "one sighting per alert, by id")
    ap = by_type["attack-pattern"]
    check(len(ap) == 1 and ap[0]["external_references"][0]["external_id"] == "T0855"
          and ap[0]["external_references"][0]["source_name"] == "mitre-ics-attack", "ATT&CK for ICS reference")
    ids = {o["id"] for o in bundle["objects"]}
    check(all(s["sighting_of_ref"] in ids and s["created_by_ref"] in ids for s in sightings),
          "every reference resolves inside the bundle")
    check(by_type["identity"][0]["name"] == "grid-co", "identity of the posting organisation")
    values = {o["value"] for o in by_type["ipv4-addr"]}
    check("203.0.113.7" in values, "the public source address as an ipv4-addr object")


if __name__ == "__main__":
    hubtest.main(test)
