#!/usr/bin/python3
"""test_ndpi.py — the nDPI label of every TCP/UDP flow (the flow record's
"ndpi" member) over nDPI's own ICS captures.

Two oracles:
1. Debian's ndpiReader (libndpi-bin, the same nDPI 4.2 library) run on the
   same file: every flow must carry exactly its label.
2. nDPI's reference outputs (corpus/expected/nDPI/*.out), made by a newer
   nDPI. Where that protocol exists in 4.2 (DNP3, MQTT, EthernetIP) the label
   must be the reference's. The others were added to nDPI after 4.2
   (BACnet, BeckhoffADS, CIP, IEC62056/DLMS, IEEE-C37118, KNXnet_IP, OPC-UA,
   PTPv2, RTPS), so 4.2 says Unknown — or, for CIP I/O on UDP 2222 and KNXnet/IP
   multicast on UDP 3671, its Skype/Teams call heuristic claims the flow.
   KNOWN_42_LABELS lists exactly those differences; anything else fails.
Also: where our own decoder identifies the flow, it wins over nDPI in
"app_protocol" (DNP3 here; MMS on TCP/102, which 4.2 calls s7comm)."""

import os
import re
import subprocess

from mamori_run import CORPUS, Tap, corpus, endpoint_key, flow_key, run

CAPTURES = ["bacnet.pcap", "beckhoff_ads.pcapng", "cip_io.pcap", "dlms.pcap", "dnp3.pcap", "ethernetIP.pcap",
            "ieee_c37118.pcap", "knxip.pcapng", "mqtt.pcap", "opc-ua.pcap", "ptpv2.pcap", "rtps.pcap"]

IN_NDPI_42 = {"DNP3", "MQTT", "EthernetIP"}

# Reference label (newer nDPI) -> what nDPI 4.2 says for those flows.
KNOWN_42_LABELS = {
    "BACnet": {"Unknown"},
    "BeckhoffADS": {"Unknown"},
    "CIP": {"Skype_Teams.SkypeCall"},
    "IEC62056": {"Unknown"},
    "IEEE-C37118": {"Unknown"},
    "KNXnet_IP": {"Unknown", "Skype_Teams.SkypeCall"},
    "OPC-UA": {"Unknown"},
    "PTPv2": {"Unknown"},
    "RTPS": {"Unknown"},
}

# "  1  TCP 10.0.0.8:2828 <-> 10.0.0.3:20000 [VLAN: 5][proto: 244/DNP3][...": one flow of ndpiReader -v 2
# and of the reference .out files. IPv6 addresses are bracketed.
_FLOW_LINE = re.compile(r"^\s+\d+\s+(TCP|UDP)\s+(\S+)\s+<?->\s+(\S+)\s+.*?\[proto: [\d.]+/([^\]]+)\]")


def _endpoint(text):
    host, _, port = text.rpartition(":")
    return f"{host.strip('[]')}:{int(port)}"


def parse_flows(text):
    """{unordered key: label} from ndpiReader-style flow lines."""
    flows = {}
    for line in text.splitlines():
        m = _FLOW_LINE.match(line)
        if m:
            key = endpoint_key(m.group(1).lower(), _endpoint(m.group(2)), _endpoint(m.group(3)))
            flows[key] = m.group(4)
    return flows


def ndpi_reader_labels(capture):
    out = subprocess.run(["ndpiReader", "-q", "-i", capture, "-v", "2"], capture_output=True, text=True,
                         timeout=300).stdout
    return parse_flows(out)


def reference_labels(name):
    with open(os.path.join(CORPUS, "expected", "nDPI", name + ".out")) as f:
        return parse_flows(f.read())


def our_labels(result):
    labels = {}
    for flow in result.flows:
        if flow["proto"] in ("tcp", "udp"):
            key = flow_key(flow)
            assert key not in labels or labels[key] == flow["ndpi"], f"{key}: two labels"
            labels[key] = flow["ndpi"]
    return labels


def check_capture(name):
    capture = corpus(os.path.join("nDPI", name))
    ours = our_labels(run(["-r", capture]))
    reader = ndpi_reader_labels(capture)
    assert reader, "ndpiReader printed no flows"
    assert set(ours) == set(reader), f"flows only ours: {set(ours) - set(reader)}; only ndpiReader's: " \
                                     f"{set(reader) - set(ours)}"
    differ = {k: (ours[k], reader[k]) for k in reader if ours[k] != reader[k]}
    assert not differ, f"labels differ from ndpiReader 4.2 (ours, theirs): {differ}"

    reference = reference_labels(name)
    for key, label in reference.items():
        if key not in ours:
            # The reference nDPI also lists flows it sees in non-TCP/UDP forms; every TCP/UDP one must be ours.
            raise AssertionError(f"reference flow {key} ({label}) missing")
        if label in IN_NDPI_42:
            assert ours[key] == label, f"{key}: {ours[key]} but the reference says {label}"
        else:
            assert ours[key] in KNOWN_42_LABELS[label], f"{key}: 4.2 label {ours[key]} for reference {label}"


def check_our_decoders_win():
    result = run(["-r", corpus("nDPI/dnp3.pcap")])
    assert result.flows and all(f["ndpi"] == "DNP3" and f["app_protocol"] == "dnp3" and f["decoder"] == "dnp3"
                                for f in result.flows)
    mms = corpus("ITI-ICS-Security-Tools/IEC61850/8d7c7db0-9804-012b-b2a6-0016cb8cea27.pcap")
    result = run(["-r", mms])
    assert [(f["ndpi"], f["app_protocol"], f["decoder"]) for f in result.flows] == [("s7comm", "mms", "mms")]


def main():
    tap = Tap()
    for name in CAPTURES:
        tap.check(f"nDPI labels: {name}", check_capture, name)
    tap.check("our decoders' identification wins over nDPI's", check_our_decoders_win)
    tap.done()


main()
