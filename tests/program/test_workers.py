#!/usr/bin/python3
"""test_workers.py — `--workers N` gives the same records as one worker: the
same multiset of flow and event records (flow ids aside, since they encode
the worker), and the same packet, flow and event counters, over captures
with many flows (Modbus, DNP3, MMS, GOOSE/SV at layer 2, IPv6)."""

import json
from collections import Counter

from mamori_run import Tap, corpus, run, strip_ids

CAPTURES = [
    "ITI-ICS-Security-Tools/ModbusTCP/ModbusTCP.pcap",
    "nDPI/dnp3.pcap",
    "ITI-ICS-Security-Tools/IEC61850/8d7c7db0-9804-012b-b2a6-0016cb8cea27.pcap",
    "ITI-ICS-Security-Tools/IEC61850/GOOSE/Sample_File_GOOSE.pcap",
    "derived/SV_Normal_Traffic.part1-6000.pcap",
    "ITI-ICS-Security-Tools/beckoff/addrouteuse444444444.pcapng",
    "ITI-ICS-Security-Tools/openics/DNP3-Malformed.pcap",
]
SAME_COUNTERS = ("packets", "bytes", "ipv4", "ipv6", "l2_frames", "flows_created", "flows_ended", "events",
                 "tcp_segments", "tcp_gaps", "midstream_pickups", "decoder_flows")


def records(result, kind):
    return Counter(json.dumps(strip_ids(r), sort_keys=True) for r in result.of(kind))


def check_same_records(path):
    capture = corpus(path)
    one = run(["-r", capture, "--workers", "1"])
    assert one.flows, "the capture has flows"
    for n in (2, 4):
        many = run(["-r", capture, "--workers", str(n)])
        for kind in ("flow", "event"):
            a, b = records(one, kind), records(many, kind)
            assert a == b, (f"{kind} records differ with {n} workers: only with 1: {list((a - b).items())[:3]}; "
                            f"only with {n}: {list((b - a).items())[:3]}")
        s1, sn = one.final_stats, many.final_stats
        assert sn["workers"] == n
        for counter in SAME_COUNTERS:
            assert s1["pipeline"][counter] == sn["pipeline"][counter], (counter, s1["pipeline"][counter],
                                                                       sn["pipeline"][counter])
        ids = [f["flow_id"] for f in many.flows]
        assert len(ids) == len(set(ids)), "flow ids are unique across workers"


def main():
    tap = Tap()
    for path in CAPTURES:
        tap.check(f"--workers 2 and 4 equal --workers 1: {path}", check_same_records, path)
    tap.done()


main()
