#!/usr/bin/python3
"""tshark as the decoding oracle for the Modbus decoder.

For every Modbus/TCP PDU that tshark (Wireshark 4.0) decodes in the corpus
captures, the matching `mamori -r` event must carry the same transaction id,
protocol id, length, unit id, function code, exception code, addresses,
quantities, byte counts, device-identification fields and values. PDUs are
matched per direction of each TCP connection, in order. Every difference must
be explained below (TSHARK_SKIPPED_NEW_DATA, CORE_DROPPED_FRAMES), each with
evidence the test checks; anything else fails the test. Today no field of any
compared PDU differs. The anomaly events must also match the anomaly counts
of mamori's final statistics. Also checks the event counts Suricata's own test
expects on suricata-verify/modbus/modbus.pcap.

The same comparison runs over all_functions.py's capture, which carries every
public function family (the corpus lacks several).

Environment: MAMORI_BIN, MAMORI_CORPUS (set by meson's test_env).
"""
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

import all_functions

CAPTURES = [
    "ITI-ICS-Security-Tools/ModbusTCP/ModbusTCP.pcap",
    "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap",
    "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part2.pcap",
    "ITI-ICS-Security-Tools/bro/modbus/fuzz-72.pcap",
    "ITI-ICS-Security-Tools/bro/modbus/modbusBig.pcap",
    "ITI-ICS-Security-Tools/modicon/modicon_test.pcap",
    "suricata-verify/modbus/modbus.pcap",
    "zeek/modbus/4SICS-GeekLounge-151022-min.pcap",
    "zeek/modbus/modbus-and-non-modbus-p502.pcap",
    "zeek/modbus/modbus-eit.pcap",
]

# Wireshark field names compared one to one with our detail keys.
SCALARS = [
    "func_code", "exception_code", "reference_num", "bit_cnt", "word_cnt", "byte_cnt",
    "read_reference_num", "read_word_cnt", "write_reference_num", "write_word_cnt",
    "and_mask", "or_mask", "diagnostic_code", "mei", "read_device_id", "conformity_level",
    "more_follows", "next_object_id", "num_objects",
]
HEADER = ["trans_id", "prot_id", "len", "unit_id"]

REGISTER_TEXT = re.compile(r"^Register (\d+) \(UINT16\): (\d+)$")
BIT_TEXT = re.compile(r"^Bit (\d+) : (\d)$")

# Responses tshark does not dissect because it takes new data for a
# retransmission. Each entry is checked by tshark_skipped_new_data(): the frame
# must carry tshark's retransmission flag while its sequence number is exactly
# where the previous data segment of that direction ended (so it is new data,
# and the request it answers has no response in tshark's view).
# (capture, (src, sport, dst, dport), (trans_id, len, func_code)) -> why
TSHARK_SKIPPED_NEW_DATA = {
    ("ITI-ICS-Security-Tools/bro/modbus/modbusBig.pcap", ("10.235.149.243", 502, "10.235.149.240", 49226),
     ("50382", "4", "1")):
        "frame 3150 (seq 7085, 10 bytes) follows frame 3143 (seq 7073, 12 bytes) exactly, but the client's "
        "ACK of it was captured first (frame 3149), so tshark calls it a spurious retransmission and skips "
        "it; it is the only answer to request 50382 (frame 3147).",
}

# Bytes that never reach the decoder. fuzz-72.pcap has fuzzed TCP sequence
# numbers: tshark dissects every segment on its own, while the capture core
# reassembles each direction by sequence number and drops what falls outside
# the stream (counted in the flow's gap_bytes). These tshark frames carry
# PDUs the core never delivered; the ones it did deliver are compared above.
# Checked by the flow record: the connection must report gap_bytes > 0.
CORE_DROPPED_FRAMES = {
    "ITI-ICS-Security-Tools/bro/modbus/fuzz-72.pcap": {5, 6, 9, 10, 11, 17, 18, 20, 22, 24, 29},
}


def as_int(text):
    return int(text, 0)


def walk(node, out):
    """Collects modbus.* fields (lists of values) and the register/bit text items."""
    if isinstance(node, list):
        for item in node:
            walk(item, out)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        m = REGISTER_TEXT.match(key) or BIT_TEXT.match(key)
        if m:
            out.setdefault("numbered", []).append((int(m.group(1)), int(m.group(2))))
            continue
        if key.startswith("modbus.") and not isinstance(value, (dict, list)):
            out.setdefault(key[len("modbus."):], []).append(value)
        elif key.startswith("modbus.") and isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.setdefault(key[len("modbus."):], []).extend(value)
        else:
            walk(value, out)


def endpoint(layers):
    ip = layers.get("ip") or layers.get("ipv6") or {}
    tcp = layers.get("tcp", {})
    src = ip.get("ip.src") or ip.get("ipv6.src")
    dst = ip.get("ip.dst") or ip.get("ipv6.dst")
    return (src, int(tcp.get("tcp.srcport", 0)), dst, int(tcp.get("tcp.dstport", 0)))


def tshark_pdus(path):
    """{(src, sport, dst, dport): [pdu, ...]} where a pdu is {field: [values]}."""
    cmd = ["tshark", "-r", path, "-Y", "mbtcp", "-T", "json", "--no-duplicate-keys",
           "-j", "frame ip ipv6 tcp mbtcp modbus"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    flows = {}
    for packet in json.loads(out or "[]"):
        layers = packet["_source"]["layers"]
        frame = int(layers["frame"]["frame.number"])
        headers = layers.get("mbtcp", [])
        bodies = layers.get("modbus", [])
        headers = headers if isinstance(headers, list) else [headers]
        bodies = bodies if isinstance(bodies, list) else [bodies]
        for i, header in enumerate(headers):
            pdu = {"frame": frame}
            for field in HEADER:
                pdu[field] = [header.get("mbtcp." + field)]
            if i < len(bodies):
                walk(bodies[i], pdu)
            flows.setdefault(endpoint(layers), []).append(pdu)
    return flows


def mamori_events(path):
    """Modbus operation events per connection direction, anomaly events, gap
    bytes per connection and the final statistics' anomaly counts."""
    cmd = [os.environ["MAMORI_BIN"], "--no-progress", "--no-ndpi", "-r", path]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    flows, anomalies, gaps, counted = {}, [], {}, {}
    for line in out.splitlines():
        record = json.loads(line)
        if record.get("type") == "stats" and record.get("final"):
            counted = record["pipeline"].get("anomalies", {}).get("modbus", {})
        if record.get("type") == "flow" and "sport" in record:
            for key in ((record["src"], record["sport"], record["dst"], record["dport"]),
                        (record["dst"], record["dport"], record["src"], record["sport"])):
                gaps[key] = gaps.get(key, 0) + record.get("gap_bytes", 0)
        if record.get("type") != "event" or record.get("protocol") != "modbus":
            continue
        if record["kind"] == "anomaly":
            anomalies.append(record)
            continue
        key = (record["src"], record["sport"], record["dst"], record["dport"])
        flows.setdefault(key, []).append(record)
    return flows, anomalies, gaps, counted


def ours_flat(event):
    """Our detail flattened the way walk() flattens tshark's tree."""
    out = {}

    def add(key, value):
        out.setdefault(key, []).append(value)

    def visit(node):
        for key, value in node.items():
            if isinstance(value, dict):
                visit(value)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for item in value:
                    visit(item)
            elif isinstance(value, list):
                out.setdefault(key, []).extend(value)
            else:
                add(key, value)

    visit(event.get("modbus", {}))
    return out


def compare_pdu(theirs, event):
    """Differences between tshark's PDU and our event, as (field, tshark, ours)."""
    ours = ours_flat(event)
    diffs = []
    for field in HEADER:
        if as_int(theirs[field][0]) != ours.get(field, [None])[0]:
            diffs.append((field, theirs[field][0], ours.get(field)))
    for field in SCALARS:
        if field not in theirs:
            continue
        want = [as_int(v) for v in theirs[field]]
        got = ours.get(field, [])
        if want != got[:len(want)] or (field == "func_code" and got != want):
            diffs.append((field, want, got))
    func = as_int(theirs["func_code"][0]) if "func_code" in theirs else None
    if "exception_code" in theirs or func is None:
        return diffs
    numbered = theirs.get("numbered", [])
    if numbered:
        values = [v for _, v in numbered]
        got = ours.get("regval_uint16", ours.get("bitval", []))
        if values != got:
            diffs.append(("values", values, got))
        # Register/bit numbers: tshark counts from the request's address when it paired one.
        if "request_frame" in theirs or event["role"] == "request":
            first = numbered[0][0]
            if event.get("range_start") is not None and first != event["range_start"]:
                diffs.append(("address", first, event.get("range_start")))
    if func in (5, 6) and "data" in theirs:
        value = int(theirs["data"][0].replace(":", ""), 16)
        got = ours.get("data", ours.get("regval_uint16", [None]))[0]
        if value != got:
            diffs.append(("data", value, got))
    if "object_str_value" in theirs:
        if theirs["object_str_value"] != [s for s in ours.get("object_str_value", [])]:
            diffs.append(("object_str_value", theirs["object_str_value"], ours.get("object_str_value")))
    return diffs


def tshark_skipped_new_data(path, key, ts):
    """True when tshark flags the data segment at capture time ts as a
    retransmission although it starts exactly where the previous data segment
    of its direction ended."""
    src, sport, dst, dport = key
    cmd = ["tshark", "-r", path, "-Y", f"ip.src=={src} && tcp.srcport=={sport} && tcp.len>0",
           "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.seq", "-e", "tcp.len",
           "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.spurious_retransmission"]
    rows = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    previous_end = None
    for row in rows:
        when, seq, length, retrans, spurious = (row.split("\t") + ["", ""])[:5]
        if abs(float(when) - ts) < 1e-6:
            return bool(retrans or spurious) and previous_end == int(seq)
        previous_end = int(seq) + int(length)
    return False


def check_capture(corpus, name):
    path = os.path.join(corpus, name)
    theirs = tshark_pdus(path)
    ours, anomalies, gaps, counted = mamori_events(path)
    compared, problems = 0, []
    for key in sorted(set(theirs) | set(ours), key=str):
        t_list, o_list = theirs.get(key, []), ours.get(key, [])
        # Align the two sequences on (trans_id, len, func_code) so that one missing or
        # extra PDU shows as itself instead of shifting every later pair.
        t_keys = [(t["trans_id"][0], t["len"][0], t.get("func_code", ["?"])[0]) for t in t_list]
        o_keys = [(str(o["modbus"]["trans_id"]), str(o["modbus"]["len"]), str(o["modbus"]["func_code"])) for o in o_list]
        matcher = difflib.SequenceMatcher(None, t_keys, o_keys, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                pairs = zip(range(i1, i2), range(j1, j2))
            else:
                pairs = []
                for i in range(i1, i2):
                    t = t_list[i]
                    if t["frame"] in CORE_DROPPED_FRAMES.get(name, ()) and gaps.get(key, 0) > 0:
                        continue
                        problems.append(f"{name} {key} frame {t['frame']}: tshark PDU trans_id {t_keys[i][0]} "
                                        f"len {t_keys[i][1]} has no mamori event")
                for j in range(j1, j2):
                    if (name, key, o_keys[j]) in TSHARK_SKIPPED_NEW_DATA and \
                            tshark_skipped_new_data(path, key, o_list[j]["ts"]):
                        continue
                        problems.append(f"{name} {key}: mamori event trans_id {o_keys[j][0]} len {o_keys[j][1]} "
                                        f"at {o_list[j]['ts']} has no tshark PDU")
            for i, j in pairs:
                t = t_list[i]
                compared += 1
                for field, want, got in compare_pdu(t, o_list[j]):
                    problems.append(f"{name} {key} frame {t['frame']}: {field}: tshark {want}, mamori {got}")
    return compared, problems, anomalies, counted


def check_suricata_counts(corpus):
    """The counts suricata-verify/modbus/test.yaml expects (its rules sid 1-7,
    see corpus/README.md), as counts of our request events."""
    path = os.path.join(corpus, "suricata-verify/modbus/modbus.pcap")
    ours, _, _, _ = mamori_events(path)
    requests = [e for flow in ours.values() for e in flow if e["role"] == "request"]
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"suricata-verify modbus: {what}: expected {want}, got {got}")

    # Suricata logs one modbus record per transaction (request + response).
    expect("read coils transactions (RdCoils)", sum(e["function_code"] == 1 for e in requests), 2)
    expect("function 8 requests (sid 7)", sum(e["function_code"] == 8 for e in requests), 8)
    expect("MEI requests on unit 10 (sid 4, MEI)",
           sum(e["function_code"] == 43 and e["unit"] == 10 for e in requests), 2)
    expect("write requests (sid 6)", sum(e["op"] == "write" for e in requests), 3)
    expect("requests of assigned public functions (sid 2)", sum(e["function"] not in ("reserved", "user_defined")
                                                                for e in requests), 18)
    expect("read requests (sid 3)", sum(e["op"] == "read" for e in requests), 3)
    expect("requests to unit 10 (sid 4)", sum(e["unit"] == 10 for e in requests), 18)
    expect("coil reads within 0-2 on units above 9 (sid 5)",
           sum(e["function_code"] == 1 and e["unit"] > 9 and e["range_start"] + e["range_count"] <= 3
               for e in requests), 1)
    return problems


def main():
    corpus = os.environ["MAMORI_CORPUS"]
    total, all_problems = 0, []
    for name in CAPTURES:
        compared, problems, anomalies, stats = check_capture(corpus, name)
        total += compared
        names = {}
        for a in anomalies:
            names[a["anomaly"]] = names.get(a["anomaly"], 0) + 1
        print(f"# {name}: {compared} PDUs compared, {len(problems)} differences, anomalies {names}")
        if names != stats:
            problems.append(f"{name}: anomaly events {names} but the final statistics count {stats}")
        if compared == 0:
            problems.append(f"{name}: no PDU compared (mamori printed no Modbus events?)")
        all_problems += problems
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = "all_functions.pcap"
        all_functions.build(os.path.join(tmp, synthetic))
        compared, problems, anomalies, _ = check_capture(tmp, synthetic)
        print(f"# {synthetic} (every function family): {compared} PDUs compared, {len(problems)} differences")
        if compared != 2 * len(all_functions.EXCHANGES) or anomalies:
            problems.append(f"{synthetic}: {compared} PDUs compared, anomalies {anomalies}")
        total += compared
        all_problems += problems
    all_problems += check_suricata_counts(corpus)
    for p in all_problems[:200]:
        print("DIFF", p)
    print(f"# {total} PDUs compared with tshark, {len(all_problems)} unexplained differences")
    return 1 if all_problems else 0


if __name__ == "__main__":
    sys.exit(main())
