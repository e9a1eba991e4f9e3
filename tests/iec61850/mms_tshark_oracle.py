#!/usr/bin/python3
"""tshark as the decoding oracle for the MMS decoder.

For every MMS PDU that tshark (Wireshark 4.0) decodes in the corpus captures
that carry TPKT on TCP/102, the `mamori -r` event sent by the same packet
(capture time and source port) must carry the same MMSpdu alternative,
invokeID, confirmed service (request or response) and object names
(domainId, itemId, vmd_specific, aa_specific, as multisets). Every PDU we
decode that tshark does not, and every difference, must be listed in
KNOWN_DIFFERENCES with the evidence that tshark is wrong; anything else fails.
The same comparison runs on a capture written by tests/bench/gen_mms (IEC 61850
polling: reads with many names, float and structure results, reports,
select-before-operate writes, responses split over segments, two reports in
one presentation data transfer, reads of the servers' nameplates); there the
frames with several MMS PDUs must agree too, and the asset inventory built by
`mamori --inventory` must hold, for each server, the identity tshark's decode
of its nameplate read gives (IEC 61850-7-3 component order). Also checks
that TPKT traffic that is not MMS (S7comm) gives no MMS PDU events and is
named as such.

Output is TAP. Environment: MAMORI_BIN, MAMORI_CORPUS, MAMORI_BUILD_ROOT
(meson's test_env).
"""
import json
import os
import subprocess
import sys
import tempfile

MMS_CAPTURES = [
    "ITI-ICS-Security-Tools/IEC61850/8d7c7db0-9804-012b-b2a6-0016cb8cea27.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/iec61850_get_name_list.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/iec61850_read.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/iec61850_release.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-cancelRequest.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-confirmedRequestPDU.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-getDomainAttributes.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-initiateDownloadSequence.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-initiateUploadSequence.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-killRequest.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-relinquishControl.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-resetRequest.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-stopRequest.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-takeControl.pcap",
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-terminateUploadSequence.pcap",
    "icsnpp-acse/accept.pcap",
    "icsnpp-pres/trace.pcap",
    "icsnpp-tpkt/udp-port-12345.pcap",
    "zeek/mmsX.pcap",
]

# TPKT on TCP/102 that is not MMS: no MMS operation may come out of these.
NOT_MMS_CAPTURES = {
    "ITI-ICS-Security-Tools/s7/S7Comm/s7comm_clean.pcap": "s7comm",
    "ITI-ICS-Security-Tools/s7/snap7_s300_readVar.pcapng": "s7comm",
    "ITI-ICS-Security-Tools/s7/step7_s300_stop.pcapng": "s7comm",
}

PDU_TYPES = [
    "confirmed-RequestPDU", "confirmed-ResponsePDU", "confirmed-ErrorPDU", "unconfirmed-PDU",
    "rejectPDU", "cancel-RequestPDU", "cancel-ResponsePDU", "cancel-ErrorPDU",
    "initiate-RequestPDU", "initiate-ResponsePDU", "initiate-ErrorPDU", "conclude-RequestPDU",
    "conclude-ResponsePDU", "conclude-ErrorPDU",
]
# tshark's element names for the MMSpdu alternatives.
TSHARK_PDU_KEYS = {
    "mms.confirmed_RequestPDU_element": "confirmed-RequestPDU",
    "mms.confirmed_ResponsePDU_element": "confirmed-ResponsePDU",
    "mms.confirmed_ErrorPDU_element": "confirmed-ErrorPDU",
    "mms.unconfirmed_PDU_element": "unconfirmed-PDU",
    "mms.rejectPDU_element": "rejectPDU",
    "mms.cancel_RequestPDU": "cancel-RequestPDU",
    "mms.cancel_ResponsePDU": "cancel-ResponsePDU",
    "mms.cancel_ErrorPDU_element": "cancel-ErrorPDU",
    "mms.initiate_RequestPDU_element": "initiate-RequestPDU",
    "mms.initiate_ResponsePDU_element": "initiate-ResponsePDU",
    "mms.initiate_ErrorPDU_element": "initiate-ErrorPDU",
    "mms.conclude_RequestPDU": "conclude-RequestPDU",
    "mms.conclude_RequestPDU_element": "conclude-RequestPDU",
    "mms.conclude_ResponsePDU": "conclude-ResponsePDU",
    "mms.conclude_ResponsePDU_element": "conclude-ResponsePDU",
    "mms.conclude_ErrorPDU_element": "conclude-ErrorPDU",
}
NAME_KEYS = ["domainId", "itemId", "vmd_specific", "aa_specific"]
CONTROL_SUFFIXES = ("$Oper", "$SBOw", "$Cancel")


def expected_write_op(names):
    """IEC 61850 control objects make a write an operate (see docs/mms.md)."""
    items = [v for k, v in names if k in ("itemId", "vmd_specific", "aa_specific")]
    control = any("$CO$" in v and v.endswith(CONTROL_SUFFIXES) for v in items)
    return "operate" if control else "write"

# Wireshark's MMS-over-COTP heuristic (dissect_mms_heur in
# asn1/mms/packet-mms-template.c) refuses any PDU whose first length octet is
# 0 ("MMS requires length after tag"), so a Conclude-RequestPDU, which is
# NULL (8B 00), sent straight on COTP without session/presentation is shown as
# bare "DT TPDU (0) EOT" data. These frames are 03 00 00 09 02 f0 80 8b 00:
# TPKT, COTP DT with EOT, then conclude-RequestPDU [11] IMPLICIT NULL.
CONCLUDE_ON_BARE_COTP = (["conclude-RequestPDU"],
                         "tshark's COTP heuristic rejects the zero-length conclude-RequestPDU 8b00")
_MMS_DIR = "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/"
# (capture, frame number) -> (the MMSpdu list we must decode there, evidence
# that tshark is wrong). Checked byte by byte.
KNOWN_DIFFERENCES = {
    (_MMS_DIR + name, frame): CONCLUDE_ON_BARE_COTP
    for name, frame in [
        ("mms-cancelRequest.pcap", 16), ("mms-confirmedRequestPDU.pcap", 16),
        ("mms-getDomainAttributes.pcap", 16), ("mms-initiateDownloadSequence.pcap", 20),
        ("mms-initiateUploadSequence.pcap", 16), ("mms-killRequest.pcap", 16),
        ("mms-relinquishControl.pcap", 20), ("mms-resetRequest.pcap", 16),
        ("mms-stopRequest.pcap", 20), ("mms-takeControl.pcap", 20),
        ("mms-terminateUploadSequence.pcap", 20),
    ]
}


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def walk(node, out):
    """Collects every mms.* key (all occurrences) of one frame's JSON tree."""
    if isinstance(node, list):
        for item in node:
            walk(item, out)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("mms."):
                values = value if isinstance(value, list) else [value]
                for v in values:
                    out.setdefault(key, []).append(v)
            walk(value, out)


def time_us_of(epoch_text):
    sec, _, frac = epoch_text.partition(".")
    return int(sec) * 1000000 + int((frac + "000000")[:6])


def frame_numbers(path):
    """{(time_us, sport): frame number} for every TCP frame with payload."""
    out = run(["tshark", "-r", path, "-Y", "tcp.len > 0", "-T", "fields", "-e", "frame.number",
               "-e", "frame.time_epoch", "-e", "tcp.srcport"])
    frames = {}
    for line in out.splitlines():
        number, epoch, sport = line.split("\t")
        frames[(time_us_of(epoch), int(sport))] = int(number)
    return frames


def tshark_pdus(path):
    """{(time_us, sport): {"frame", "pdus", "invokeID", "service", "names"}}"""
    text = run(["tshark", "-r", path, "-Y", "mms", "-T", "json", "--no-duplicate-keys",
                "-J", "frame tcp mms"])
    frames = {}
    for pkt in json.loads(text) if text.strip() else []:
        layers = pkt["_source"]["layers"]
        frame = layers["frame"]
        tcp = layers["tcp"]
        fields = {}
        walk(layers.get("mms", {}), fields)
        time_us = time_us_of(frame["frame.time_epoch"])
        pdus = []
        for key, name in TSHARK_PDU_KEYS.items():
            pdus += [name] * len(fields.get(key, []))
        services = [("request", int(v)) for v in fields.get("mms.confirmedServiceRequest", [])]
        services += [("response", int(v)) for v in fields.get("mms.confirmedServiceResponse", [])]
        names = sorted((k, v) for k in NAME_KEYS for v in fields.get("mms." + k, []))
        frames[(time_us, int(tcp["tcp.srcport"]))] = {
            "frame": int(frame["frame.number"]),
            "pdus": sorted(pdus),
            "invokeID": sorted(int(v) for v in fields.get("mms.invokeID", [])),
            "service": sorted(services),
            "names": names,
        }
    return frames


def collect_names(node, out):
    if isinstance(node, list):
        for item in node:
            collect_names(item, out)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in NAME_KEYS and isinstance(value, str):
                out.append((key, value))
            else:
                collect_names(value, out)


def mamori_events(path):
    out = run([os.environ["MAMORI_BIN"], "-r", path])
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"type":"event"')]


def our_pdus(events):
    frames = {}
    for ev in events:
        detail = ev.get("mms", {})
        if ev.get("protocol") != "mms" or "MMSpdu" not in detail:
            continue
        sec, _, frac = ("%.6f" % ev["ts"]).partition(".")
        key = (int(sec) * 1000000 + int(frac), ev["sport"])
        f = frames.setdefault(key, {"pdus": [], "invokeID": [], "service": [], "names": [], "ops": []})
        f["pdus"].append(detail["MMSpdu"])
        f["ops"].append(ev.get("op"))
        if "invokeID" in detail:
            f["invokeID"].append(detail["invokeID"])
        if "confirmedServiceRequest" in detail:
            f["service"].append(("request", detail["confirmedServiceRequest"]))
        if "confirmedServiceResponse" in detail:
            f["service"].append(("response", detail["confirmedServiceResponse"]))
        collect_names(detail, f["names"])
    for f in frames.values():
        for k in f:
            f[k].sort()
    return frames


GENERATED = ("gen_mms 4000 packets, 6 connections, seed 7", ["4000", "6", "7"])

# Identity facts of the DC components of a whole nameplate, in IEC 61850-7-3
# order: the DPL (LPHDn$DC$PhyNam), the device's, and the LPL (LLN0$DC$NamPlt),
# its logical device's (the facts are qualified by the domainId, "vendor:LD"),
# whose configRev is its last DC component (after the optional d and dU).
DPL_FACTS = ["vendor", "hardware_version", "software_version", "serial_number", "model_name", "location"]
LPL_FACTS = ["vendor", "software_version"]


def as_list(node):
    return node if isinstance(node, list) else [node]


def nameplate_facts(domain, item, strings):
    if item.endswith("$DC$PhyNam"):
        return dict(zip(DPL_FACTS, strings))
    facts = dict(zip(LPL_FACTS, strings))
    if len(strings) > len(LPL_FACTS):
        facts["config_revision"] = strings[-1]
    return {"%s:%s" % (name, domain): value for name, value in facts.items()}


def tshark_nameplates(path):
    """{server address: identity} from tshark's decode of each read of whole
    nameplates (by invokeID) and of its response."""
    text = run(["tshark", "-r", path, "-Y", "mms.confirmedServiceRequest == 4 || mms.confirmedServiceResponse == 4",
                "-T", "json", "--no-duplicate-keys", "-J", "ip tcp mms"])
    requests, servers = {}, {}
    for pkt in json.loads(text) if text.strip() else []:
        layers = pkt["_source"]["layers"]
        ip, tcp = layers["ip"], layers["tcp"]
        for mms in as_list(layers["mms"]):
            if "mms.confirmed_RequestPDU_element" in mms:
                pdu = mms["mms.confirmed_RequestPDU_element"]
                names = []
                collect_tshark_items(pdu, names)
                requests[(ip["ip.dst"], tcp["tcp.srcport"], pdu["mms.invokeID"])] = names
                continue
            pdu = mms["mms.confirmed_ResponsePDU_element"]
            items = requests.get((ip["ip.src"], tcp["tcp.dstport"], pdu["mms.invokeID"]), [])
            if not any(item.endswith(("$DC$PhyNam", "$DC$NamPlt")) for _, item in items):
                continue
            read = pdu["mms.confirmedServiceResponse_tree"]["mms.read_element"]
            results = as_list(read["mms.listOfAccessResult_tree"]["mms.AccessResult_tree"])
            facts = servers.setdefault(ip["ip.src"], {})
            for (domain, item), result in zip(items, results):
                data = result.get("mms.success_tree", {}).get("mms.structure_tree", {}).get("mms.Data_tree", [])
                strings = [d["mms.data.visible-string"] for d in as_list(data) if "mms.data.visible-string" in d]
                for name, value in nameplate_facts(domain, item, strings).items():
                    facts.setdefault(name, value)
    return servers


def collect_tshark_items(node, out):
    """(domainId, itemId) of each name under node (domainId None for a
    VMD-specific name)."""
    if isinstance(node, list):
        for item in node:
            collect_tshark_items(item, out)
    elif isinstance(node, dict):
        if "mms.itemId" in node:
            out += zip(as_list(node.get("mms.domainId")), as_list(node["mms.itemId"]))
        for key, value in node.items():
            if key != "mms.itemId":
                collect_tshark_items(value, out)


def inventory_identities(path, work):
    """{address: identity} of the inventory `mamori --inventory` builds from path."""
    db = os.path.join(work, "inventory.db")
    run([os.environ["MAMORI_BIN"], "--inventory", db, "--no-progress", "--no-event-log", "-r", path])
    out = run([os.environ["MAMORI_BIN"], "inventory", "--db", db, "--format", "json"])
    devices = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {d["address"]: {k: v["value"] for k, v in d["identity"].items()} for d in devices if d["identity"]}


def compare(capture, path):
    """(ok, description, number of tshark MMS PDUs, number of frames with
    several) for one capture."""
    theirs = tshark_pdus(path)
    ours = our_pdus(mamori_events(path))
    numbers = frame_numbers(path)
    problems = []
    for key in sorted(set(theirs) | set(ours)):
        t = theirs.get(key)
        o = ours.get(key)
        frame = t["frame"] if t else numbers.get(key)
        known = KNOWN_DIFFERENCES.get((capture, frame))
        if known and (o is None or o["pdus"] != known[0]):
            problems.append("frame %s: expected our %s (%s), got %s" % (frame, known[0], known[1], o))
            continue
        if t is None:
            if not known:
                problems.append("frame %s: mamori only: %s" % (frame, o))
            continue
        if o is None:
            if not known:
                problems.append("frame %d: tshark %s, no mamori event" % (frame, t))
            continue
        diff = {k: (t[k], o[k]) for k in ("pdus", "invokeID", "service", "names") if t[k] != o[k]}
        if ("request", 5) in t["service"] and o["ops"] != [expected_write_op(t["names"])]:
            diff["op"] = (expected_write_op(t["names"]), o["ops"])
        if diff and not known:
            problems.append("frame %d differs: %s" % (frame, diff))
    n = sum(len(f["pdus"]) for f in theirs.values())
    several = sum(1 for f in theirs.values() if len(f["pdus"]) > 1)
    return (not problems, "%s: %d tshark MMS PDUs (%d frames with several), %d frames with mamori MMS events%s" % (
        capture, n, several, len(ours), "".join("\n#   " + p for p in problems[:20]))), n, several


def main():
    corpus = os.environ["MAMORI_CORPUS"]
    results = []  # (ok, description)
    total_tshark = 0
    for capture in MMS_CAPTURES:
        result, n, _ = compare(capture, os.path.join(corpus, capture))
        results.append(result)
        total_tshark += n
    with tempfile.TemporaryDirectory() as tmp:
        label, args = GENERATED
        path = os.path.join(tmp, "gen_mms.pcap")
        run([os.path.join(os.environ["MAMORI_BUILD_ROOT"], "tests/bench/gen_mms"), path] + args)
        result, n, several = compare(label, path)
        results.append((result[0] and n > 1000 and several > 0, result[1]))
        expected = tshark_nameplates(path)
        ours = inventory_identities(path, tmp)
        results.append((len(expected) == int(args[1]) and ours == expected,
                        "%s: inventory identities from nameplate reads equal tshark's, %d servers%s" % (
                            label, len(expected), "" if ours == expected else "\n#   ours %s\n#   tshark %s" % (
                                ours, expected))))
    for capture, user in NOT_MMS_CAPTURES.items():
        events = mamori_events(os.path.join(corpus, capture))
        mms_ops = [e for e in events if e.get("protocol") == "mms" and "MMSpdu" in e.get("mms", {})]
        named = [e for e in events if e.get("anomaly") == "tpkt_not_mms" and e["mms"]["reason"] == user]
        flows = {e["flow_id"] for e in events if e.get("protocol") == "mms"}
        ok = not mms_ops and named and len(named) == len({e["flow_id"] for e in named})
        results.append((ok, "%s: %d MMS PDU events (want 0), %d flows named %s across %d mms-decoded flows" % (
            capture, len(mms_ops), len(named), user, len(flows))))
    print("1..%d" % (len(results) + 1))
    for i, (ok, text) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, text))
    print("%s %d - tshark decoded %d MMS PDUs in total" % (
        "ok" if total_tshark > 0 else "not ok", len(results) + 1, total_tshark))
    return 0 if all(ok for ok, _ in results) and total_tshark > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
