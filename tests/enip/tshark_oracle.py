#!/usr/bin/python3
"""tshark as the decoding oracle for the EtherNet/IP decoder.

For every EtherNet/IP message tshark (Wireshark 4.0) decodes in the corpus
captures, `mamori -r` must report the same encapsulation header (command,
length, session, status, sender context), the same CIP services in document
order (embedded ones of Multiple Service Packets and Unconnected Sends
included), general status, tag symbols and List Identity fields (vendor,
device type, product code, revision, serial number, product name). Messages
are compared per direction of each connection, in order. mamori must report no
anomaly on these captures except the ones listed in EXPECTED_ANOMALIES, each
with its evidence.

Environment: MAMORI_BIN, MAMORI_CORPUS (set by meson's test_env).
"""
import json
import os
import subprocess
import sys

CAPTURES = [
    "ITI-ICS-Security-Tools/EthernetIP/EthernetIP-CIP.pcap",
    "ITI-ICS-Security-Tools/EthernetIP/cip-multiple-2.pcap",
    "ITI-ICS-Security-Tools/EthernetIP/cip_start_plc.pcap",
    "ITI-ICS-Security-Tools/EthernetIP/enip_test.pcap",
    "ITI-ICS-Security-Tools/CIP/cip_only.pcap",
    "nDPI/ethernetIP.pcap",
]

# Message fields: tshark field -> how our detail names it.
HEADER = ["command", "length", "session", "status", "context"]
LIST = {"cip.service": "service", "cip.genstat": "genstat", "cip.symbol": "symbol"}
IDENTITY = {"enip.lir.vendor": "vendor", "enip.lir.devtype": "devtype", "enip.lir.prodcode": "prodcode",
            "enip.lir.revision": "revision", "enip.lir.serial": "serial", "enip.lir.name": "name"}
FIELDS = ["frame.number", "ip.src", "tcp.srcport", "udp.srcport", "ip.dst", "tcp.dstport", "udp.dstport"] + \
    ["enip." + f for f in HEADER] + list(LIST) + list(IDENTITY)

# Anomalies the captures really contain, with what proves it. The first
# message of a capture that starts mid-conversation answers a request that
# was never captured; a capture that ends before the answer leaves a request
# unanswered.
EXPECTED_ANOMALIES = {
    "ITI-ICS-Security-Tools/EthernetIP/EthernetIP-CIP.pcap": {"unsolicited_response": 1},
    "ITI-ICS-Security-Tools/EthernetIP/cip-multiple-2.pcap": {"unsolicited_response": 1},
    "ITI-ICS-Security-Tools/EthernetIP/cip_start_plc.pcap": {"unanswered_request": 1},
    "ITI-ICS-Security-Tools/CIP/cip_only.pcap": {"unsolicited_response": 1, "unanswered_request": 31},
    "nDPI/ethernetIP.pcap": {"unsolicited_response": 1, "unanswered_request": 2},
}


def number(text):
    return int(text, 0)


def revision(text):
    value = number(text)
    return "%d.%02d" % (value >> 8, value & 0xff)


def tshark_messages(path):
    """{(src, sport, dst, dport): [message, ...]}; a packet with several
    messages contributes each header and the CIP values in order."""
    cmd = ["tshark", "-r", path, "-Y", "enip", "-T", "fields", "-E", "occurrence=a", "-E", "separator=\t",
           "-E", "aggregator=|"] + sum((["-e", f] for f in FIELDS), [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    flows = {}
    for line in out.splitlines():
        cols = dict(zip(FIELDS, line.split("\t")))
        key = (cols["ip.src"], int(cols["tcp.srcport"] or cols["udp.srcport"]),
               cols["ip.dst"], int(cols["tcp.dstport"] or cols["udp.dstport"]))
        headers = [cols["enip." + f].split("|") for f in HEADER]
        packet = {"frame": cols["frame.number"], "headers": list(zip(*headers))}
        for field, ours in list(LIST.items()) + list(IDENTITY.items()):
            values = [v for v in cols[field].split("|") if v]
            if field == "enip.lir.revision":
                values = [revision(v) for v in values]
            elif field in ("cip.service", "cip.genstat", "enip.lir.vendor", "enip.lir.devtype", "enip.lir.prodcode"):
                values = [number(v) for v in values]
            packet[ours] = values
        flows.setdefault(key, []).append(packet)
    return flows


def collect(node, key, out):
    """Values of `key` anywhere in our detail, in document order."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and not isinstance(v, (dict, list)):
                out.append(v)
            else:
                collect(v, key, out)
    elif isinstance(node, list):
        for item in node:
            collect(item, key, out)


def mamori_messages(path):
    cmd = [os.environ["MAMORI_BIN"], "--no-progress", "--no-ndpi", "-r", path]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    flows, anomalies = {}, {}
    for line in out.splitlines():
        record = json.loads(line)
        if record.get("type") != "event" or record.get("protocol") != "enip":
            continue
        if record["kind"] == "anomaly":
            anomalies[record["anomaly"]] = anomalies.get(record["anomaly"], 0) + 1
            continue
        detail = record["enip"]
        message = {"header": tuple(str(detail[f]) for f in HEADER)}
        for ours in list(LIST.values()):
            message[ours] = []
            collect(detail.get("items", []), ours, message[ours])
        for ours in IDENTITY.values():
            message[ours] = []
            for item in detail.get("items", []):
                if "identity" in item and ours in item["identity"]:
                    message[ours].append(item["identity"][ours])
        key = (record["src"], record["sport"], record["dst"], record["dport"])
        flows.setdefault(key, []).append(message)
    return flows, anomalies


def tshark_header(values):
    command, length, session, status, context = values
    return (str(number(command)), str(number(length)), str(number(session)), str(number(status)), context)


def our_header(header):
    """tshark shows the first 2 context bytes of a ListIdentity request as
    "Max Response Delay" (CIP Vol. 2 §2-4.2.1) and only the other 6 as the
    sender context (enip_test.pcap frame 6)."""
    command, length, session, status, context = header
    if command == "99" and length == "0":
        context = context[4:]
    return (command, length, session, status, context)


def is_response(packet):
    return bool(packet["service"]) and packet["service"][0] & 0x80


def compare(capture):
    path = os.path.join(os.environ["MAMORI_CORPUS"], capture)
    theirs = tshark_messages(path)
    ours, anomalies = mamori_messages(path)
    problems, compared = [], 0
    for key, packets in theirs.items():
        mine = list(ours.get(key, []))
        for packet in packets:
            taken = mine[:len(packet["headers"])]
            del mine[:len(packet["headers"])]
            if [our_header(m["header"]) for m in taken] != [tshark_header(h) for h in packet["headers"]]:
                problems.append("frame %s %s: header tshark %s, mamori %s" %
                                (packet["frame"], key, packet["headers"], [m["header"] for m in taken]))
                continue
            for field in list(LIST.values()) + list(IDENTITY.values()):
                if field == "symbol" and is_response(packet):
                    continue  # tshark repeats the request's path, as generated "[ANSI Symbol]" items
                got = sum((m[field] for m in taken), [])
                if field == "serial":
                    got = [number(v) for v in got]
                    want = [number(v) for v in packet[field]]
                else:
                    want = packet[field]
                if got != want:
                    problems.append("frame %s: %s tshark %s, mamori %s" % (packet["frame"], field, want, got))
            compared += len(taken)
        if mine:
            problems.append("%s: %d messages tshark did not show" % (key, len(mine)))
    if anomalies != EXPECTED_ANOMALIES.get(capture, {}):
        problems.append("anomalies %s, expected %s" % (anomalies, EXPECTED_ANOMALIES.get(capture, {})))
    return compared, problems


def main():
    failed = False
    for capture in CAPTURES:
        compared, problems = compare(capture)
        print("%s: %d messages compared, %d differences" % (capture, compared, len(problems)))
        for p in problems[:20]:
            print("  " + p)
        failed |= bool(problems) or compared == 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
