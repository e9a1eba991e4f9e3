#!/usr/bin/python3
"""goose_sv_oracle.py — tshark as the oracle for the GOOSE and SV decoders.

Runs `mamori -r` on every GOOSE and SV capture of the corpus and on captures
generated here with scapy (every Data type, nesting, long BER lengths, VLAN and
untagged, several publishers, 8-ASDU SV frames with every optional member),
and compares each PDU field by field with tshark's decode (frames cut by a
short snaplen included: mamori shows what was captured, as tshark does): the header (appid,
length, reserve1, s_bit, reserve2), every goosePdu member including the whole
allData tree, and every ASDU member (seqData as its octets). Differences that
are tshark's error are listed in TSHARK_ERRORS with the reason and must occur
exactly there. It also checks the anomalies mamori reports on the malformed
captures and on generated sequences whose faults the generator planted.

Environment: MAMORI_BIN, MAMORI_CORPUS (from tests/meson.build)."""
import calendar
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

BIN = os.environ["MAMORI_BIN"]
CORPUS = os.environ["MAMORI_CORPUS"]

GOOSE_CAPTURES = [
    "ITI-ICS-Security-Tools/IEC61850/GOOSE/GOOSE.pcap",
    "ITI-ICS-Security-Tools/IEC61850/GOOSE/Sample_File_GOOSE.pcap",
    "icsnpp-iec61850-goose/GOOSE_all_data_primitives_fallbacks.pcap",
    "icsnpp-iec61850-goose/GOOSE_malformed_asn1.pcap",
    "icsnpp-iec61850-goose/GOOSE_missing_all_data.pcap",
    "icsnpp-iec61850-goose/GOOSE_missing_conf_rev.pcap",
    "icsnpp-iec61850-goose/GOOSE_missing_dataset.pcap",
    "icsnpp-iec61850-goose/GOOSE_missing_gocb_ref.pcap",
    "icsnpp-iec61850-goose/GOOSE_missing_num_dat_set_entries.pcap",
]
SV_CAPTURES = [
    "derived/SV_Normal_Traffic.part1-6000.pcap",
    "derived/SV_snaplen64_truncated.part1.pcap",
]

# (capture basename, allData path) -> (what mamori shows, what tshark shows, why tshark is wrong).
TSHARK_ERRORS = {
    ("GOOSE_all_data_primitives_fallbacks.pcap", "allData[7]"): (
        {"real": "00"}, {"real": 0.0},
        "REAL encoded as the single octet 0x00: X.690 8.5.8 reserves decimal form 0 and 8.5.3 encodes "
        "zero with no contents octets, so this is not a valid REAL; tshark shows 0, mamori keeps the "
        "octet and reports malformed_data"),
    ("generated_goose.pcap", "allData[15].array[1].structure[1]"): (
        {"unsigned": 4000000000}, {"unsigned": -294967296},
        "Data unsigned 4000000000 (INTEGER 00 ee 6b 28 00, positive): tshark's goose.unsigned is an "
        "FT_INT32 field and wraps it to a negative number"),
}

# Malformed captures: the anomaly mamori must report for their one frame.
EXPECTED_MALFORMED = {
    "GOOSE_malformed_asn1.pcap": ("unexpected_field", None),
    "GOOSE_missing_all_data.pcap": ("missing_field", "allData"),
    "GOOSE_missing_conf_rev.pcap": ("missing_field", "confRev"),
    "GOOSE_missing_dataset.pcap": ("missing_field", "datSet"),
    "GOOSE_missing_gocb_ref.pcap": ("missing_field", "gocbRef"),
    "GOOSE_missing_num_dat_set_entries.pcap": ("missing_field", "numDatSetEntries"),
    "GOOSE_all_data_primitives_fallbacks.pcap": ("malformed_data", "allData"),
}

failures = []
tshark_errors_seen = set()
checked = {"goose": 0, "sv": 0, "asdu": 0, "data": 0}


def fail(msg):
    failures.append(msg)


# ---- tshark side ---------------------------------------------------------


def tshark_layers(path, proto):
    out = subprocess.run(["tshark", "-r", path, "-T", "json", "--no-duplicate-keys"],
                         capture_output=True, text=True, check=True).stdout
    frames = []
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        if proto in layers:
            frames.append((int(layers["frame"]["frame.number"]),
                           round(float(layers["frame"]["frame.time_epoch"]) * 1e6), layers[proto]))
    return frames


def as_list(v):
    return v if isinstance(v, list) else [v]


MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


def tshark_time(text):
    """'Nov  2, 2023 01:48:48.250000000 UTC' -> '2023-11-02T01:48:48.250000000Z'"""
    mon, day, year, clock, _ = text.replace(",", "").split()
    return "%s-%02d-%02dT%sZ" % (year, MONTHS[mon], int(day), clock)


def binary_time(raw):
    """TimeOfDay octets -> the text mamori writes (computed independently here)."""
    ms = int.from_bytes(raw[:4], "big")
    if len(raw) == 6:
        days = int.from_bytes(raw[4:6], "big")
        t = time.gmtime(441763200 + days * 86400 + ms // 1000)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%03dZ" % (ms % 1000)
    return "%02d:%02d:%02d.%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)


def hexstr(colon_hex):
    return colon_hex.replace(":", "")


def tshark_data(kind, tree):
    """One tshark Data element -> the object mamori writes for it."""
    kind = int(kind)
    if kind in (1, 2):
        name = "array" if kind == 1 else "structure"
        sub = tree.get("goose.%s_tree" % name, {})
        kinds = as_list(sub.get("goose.Data", []))
        trees = as_list(sub.get("goose.Data_tree", []))
        return {name: [tshark_data(k, t) for k, t in zip(kinds, trees)]}
    if kind == 3:
        return {"boolean": tree["goose.boolean"] == "1"}
    if kind in (4, 14):
        name, field = ("bit-string", "goose.bit_string") if kind == 4 else ("booleanArray", "goose.booleanArray")
        return {name: hexstr(tree.get(field, "")), "padding": int(tree["ber.bitstring.padding"])}
    if kind in (5, 6, 13):
        name = {5: "integer", 6: "unsigned", 13: "bcd"}[kind]
        return {name: int(tree["goose." + name])}
    if kind == 7:
        if "goose.float_value" in tree:
            return {"floating-point": float(tree["goose.float_value"])}
        raw = bytes.fromhex(hexstr(tree["goose.floating_point"]))
        if len(raw) == 9 and raw[0] == 11:  # tshark leaves FLOAT64 undecoded: decode it here
            return {"floating-point": struct.unpack(">d", raw[1:])[0]}
        return {"floating-point": raw.hex()}
    if kind == 8:
        return {"real": float(tree["goose.real"])}
    if kind == 9:
        return {"octet-string": hexstr(tree.get("goose.octet_string", ""))}
    if kind in (10, 16):
        name, field = ("visible-string", "goose.visible_string") if kind == 10 else ("mMSString", "goose.mMSString")
        return {name: tree.get(field, "")}
    if kind == 12:
        return {"binary-time": binary_time(bytes.fromhex(hexstr(tree["goose.binary_time"])))}
    if kind == 15:
        return {"objId": tree["goose.objId"]}
    if kind == 17:
        return {"utc-time": tshark_time(tree["goose.utc_time"])}
    raise ValueError("Data kind %d not handled by the oracle" % kind)


def values_equal(ours, theirs):
    if isinstance(theirs, float) and isinstance(ours, (int, float)):
        return abs(ours - theirs) <= 1e-6 * max(1.0, abs(theirs))
    return ours == theirs


def compare_data(where, path, ours, theirs, ctx):
    """Compares one Data object (ours may carry more keys, e.g. utc-time quality)."""
    checked["data"] += 1
    key = next(iter(theirs))
    known = TSHARK_ERRORS.get((ctx, path))
    if known:
        # the difference must really be there, exactly as described
        if ours == known[0] and theirs == known[1]:
            tshark_errors_seen.add((ctx, path))
        else:
            fail("%s %s: listed as a tshark error but mamori %r, tshark %r" % (where, path, ours, theirs))
        return
    if key in ("array", "structure"):
        if key not in ours or len(ours[key]) != len(theirs[key]):
            fail("%s %s: %s has %s, tshark %d members" % (where, path, key, ours, len(theirs[key])))
            return
        for i, (o, t) in enumerate(zip(ours[key], theirs[key])):
            compare_data(where, "%s.%s[%d]" % (path, key, i), o, t, ctx)
        return
    for k, v in theirs.items():
        if k not in ours or not values_equal(ours[k], v):
            fail("%s %s.%s: mamori %r, tshark %r" % (where, path, k, ours.get(k), v))


# ---- mamori side -----------------------------------------------------------


def mamori_events(path):
    out = subprocess.run([BIN, "-r", path, "--no-progress"], capture_output=True, text=True)
    if out.returncode != 0:
        fail("%s: mamori exited %d: %s" % (path, out.returncode, out.stderr.strip()[-300:]))
    events = []
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        if rec.get("type") == "event":
            events.append(rec)
    return events


def frame_events(events, proto):
    """Events that describe a frame (publish or malformed), in order; they carry the header."""
    return [e for e in events if e["protocol"] == proto and "appid" in e.get(proto, {})]


def ts_us(e):
    return round(e["ts"] * 1e6)


def check(where, ours, key, theirs):
    if key not in ours:
        fail("%s: %s missing (tshark %r)" % (where, key, theirs))
    elif not values_equal(ours[key], theirs):
        fail("%s: %s mamori %r, tshark %r" % (where, key, ours[key], theirs))


def compare_header(where, d, layer, proto):
    check(where, d, "appid", int(layer[proto + ".appid"], 16))
    check(where, d, "length", int(layer[proto + ".length"]))
    check(where, d, "reserve1", int(layer[proto + ".reserve1"], 16))
    check(where, d, "s_bit", layer[proto + ".reserve1_tree"][proto + ".reserve1.s_bit"] == "1")
    check(where, d, "reserve2", int(layer[proto + ".reserve2"], 16))


GOOSE_SCALARS = [("gocbRef", str), ("timeAllowedtoLive", int), ("datSet", str), ("goID", str),
                 ("stNum", int), ("sqNum", int), ("confRev", int), ("numDatSetEntries", int)]


def compare_goose(path):
    name = os.path.basename(path)
    theirs = tshark_layers(path, "goose")
    events = mamori_events(path)
    ours = frame_events(events, "goose")
    if len(ours) != len(theirs):
        fail("%s: mamori has %d GOOSE frame events, tshark %d frames" % (name, len(ours), len(theirs)))
        return events
    for (frame, t_us, layer), ev in zip(theirs, ours):
        where = "%s frame %d" % (name, frame)
        checked["goose"] += 1
        if ts_us(ev) != t_us:
            fail("%s: time %d vs %d" % (where, ts_us(ev), t_us))
        d = ev["goose"]
        compare_header(where, d, layer, "goose")
        pdu = layer.get("goose.goosePdu_element", {})
        for key, conv in GOOSE_SCALARS:
            if "goose." + key in pdu:
                check(where, d, key, conv(pdu["goose." + key]))
        for key in ("simulation", "ndsCom"):
            if "goose." + key in pdu:
                check(where, d, key, pdu["goose." + key] == "1")
        if "goose.t" in pdu:
            check(where, d, "t", tshark_time(pdu["goose.t"]))
        if "goose.allData" in pdu:
            tree = pdu.get("goose.allData_tree", {})
            kinds = as_list(tree.get("goose.Data", []))
            trees = as_list(tree.get("goose.Data_tree", []))
            if len(d.get("allData", [])) != int(pdu["goose.allData"]):
                fail("%s: allData has %d members, tshark %s" % (where, len(d.get("allData", [])),
                                                                  pdu["goose.allData"]))
                continue
            for i, (k, t) in enumerate(zip(kinds, trees)):
                compare_data(where, "allData[%d]" % i, d["allData"][i], tshark_data(k, t), name)
        if ev["kind"] == "operation" and "gocbRef" in d:
            check(where, ev, "object", d["gocbRef"])
    return events


def asdu_records(layer):
    seq = layer.get("sv.savPdu_element", {}).get("sv.seqASDU_tree", {})
    return as_list(seq.get("sv.ASDU_element", []))


SV_ASDU_FIELDS = [("svID", str), ("datSet", str), ("smpCnt", int), ("confRev", int), ("smpSynch", int),
                  ("smpRate", int), ("smpMod", int)]


def seq_data_hex(d):
    v = d.get("seqData")
    if isinstance(v, list):
        return b"".join(struct.pack(">iI", m["value"], m["quality"]) for m in v).hex()
    return v


def compare_sv(path, truncated_capture=False):
    name = os.path.basename(path)
    theirs = tshark_layers(path, "sv")
    events = mamori_events(path)
    ours = frame_events(events, "sv")
    flat = []
    for frame, t_us, layer in theirs:
        asdus = asdu_records(layer)
        if truncated_capture:
            flat.append((frame, t_us, layer, None))
        else:
            flat.extend((frame, t_us, layer, (i, a)) for i, a in enumerate(asdus))
    if len(ours) != len(flat):
        fail("%s: mamori has %d SV events, tshark %d ASDUs" % (name, len(ours), len(flat)))
        return events
    for (frame, t_us, layer, asdu), ev in zip(flat, ours):
        where = "%s frame %d" % (name, frame)
        checked["sv"] += 1
        if ts_us(ev) != t_us:
            fail("%s: time %d vs %d" % (where, ts_us(ev), t_us))
        d = ev["sv"]
        compare_header(where, d, layer, "sv")
        if asdu is None:
            # Cut by the capture's snaplen: one truncated_frame event that shows
            # the members captured whole, as tshark does.
            if ev.get("anomaly") != "truncated_frame":
                fail("%s: expected truncated_frame, got %s" % (where, ev.get("anomaly")))
            asdus = asdu_records(layer)
            if not asdus:
                continue
            asdu = (0, asdus[0])
        index, a = asdu
        checked["asdu"] += 1
        check(where, d, "noASDU", int(layer["sv.savPdu_element"]["sv.noASDU"]))
        check(where, d, "asdu", index)
        for key, conv in SV_ASDU_FIELDS:
            if "sv." + key in a:
                check(where, d, key, conv(a["sv." + key]))
        if "sv.refrTm" in a:
            check(where, d, "refrTm", tshark_time(a["sv.refrTm"]))
        if "sv.gmidentity" in a:
            check(where, d, "gmidData", "%016x" % int(a["sv.gmidentity"], 0))
        if "sv.seqData" in a:
            ours_hex = seq_data_hex(d)
            if ours_hex != hexstr(a["sv.seqData"]):
                fail("%s: seqData %s, tshark %s" % (where, ours_hex, a["sv.seqData"]))
        if "sv.svID" in a:
            check(where, ev, "object", a["sv.svID"])
    return events


def anomalies(events, proto):
    return [e for e in events if e["protocol"] == proto and e["kind"] == "anomaly"]


# ---- generated captures ------------------------------------------------------


def ber(tag, value):
    n = len(value)
    if n < 0x80:
        head = bytes([tag, n])
    elif n < 0x100:
        head = bytes([tag, 0x81, n])
    else:
        head = bytes([tag, 0x82, n >> 8, n & 0xff])
    return head + value


def ber_uint(tag, v):
    raw = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")
    return ber(tag, raw)


def ber_int(tag, v):
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return ber(tag, v.to_bytes(n, "big", signed=True))


def utc(seconds, fraction, quality):
    return struct.pack(">I", seconds) + fraction.to_bytes(3, "big") + bytes([quality])


def all_data_types():
    """Every Data alternative, nested, as mamori and tshark both decode it."""
    inner = (ber(0x83, b"\x01") + ber_int(0x85, -300) + ber(0x87, b"\x08" + struct.pack(">f", 230.5))
             + ber(0x91, utc(1700000000, 0x400000, 0x0a)))
    arr = ber(0xa2, inner) + ber(0xa2, ber(0x84, b"\x06\x40") + ber_uint(0x86, 4000000000))
    return b"".join([
        ber(0x83, b"\x00"), ber(0x84, b"\x03\xa8"), ber_int(0x85, -2 ** 31), ber_uint(0x86, 65535),
        ber(0x87, b"\x08" + struct.pack(">f", -0.25)), ber(0x87, b"\x0b" + struct.pack(">d", 1e-3)),
        ber(0x89, bytes(range(20))), ber(0x8a, b"Q1/CSWI1.Pos.stVal"),
        ber(0x8c, b"\x02\x93\x2e\x00\x39\x0e"), ber(0x8c, b"\x00\x36\xee\x80"),
        ber(0x8d, b"\x42"), ber(0x8e, b"\x04\xf0"), ber(0x8f, b"\x28\xca\x22\x02\x01"),
        ber(0x90, b"MMS-grid"), ber(0x91, utc(1600000000, 0x123456, 0x8a)),
        ber(0xa1, arr), ber(0xa2, b""),
    ])


def goose_frame(gocb_ref, st, sq, appid=0x3001, tal=2000, sim=False, nds=False, conf_rev=1,
                data=None, entries=None, s_bit=False):
    data = data if data is not None else ber(0x83, b"\x01") + ber(0x84, b"\x06\x40")
    count = entries if entries is not None else count_elements(data)
    pdu = b"".join([
        ber(0x80, gocb_ref.encode()), ber_uint(0x81, tal), ber(0x82, b"IED1LD0/LLN0$DS_Trip"),
        ber(0x83, b"IED1_Trip"), ber(0x84, utc(1700000000 + st, sq * 4096, 0x0a)),
        ber_uint(0x85, st), ber_uint(0x86, sq), ber(0x87, b"\xff" if sim else b"\x00"),
        ber_uint(0x88, conf_rev), ber(0x89, b"\xff" if nds else b"\x00"), ber_uint(0x8a, count),
        ber(0xab, data),
    ])
    apdu = ber(0x61, pdu)
    return struct.pack(">HHHH", appid, 8 + len(apdu), 0x8000 if s_bit else 0, 0) + apdu


def count_elements(data):
    n, i = 0, 0
    while i < len(data):
        length = data[i + 1]
        i += 2
        if length & 0x80:
            octets = length & 0x7f
            length = int.from_bytes(data[i:i + octets], "big")
            i += octets
        i += length
        n += 1
    return n


def sv_asdu(sv_id, smp_cnt, full=False, seq=None, synch=2):
    seq = seq if seq is not None else b"".join(struct.pack(">iI", (smp_cnt * 37 + k * 1000) - 4000, k << 11)
                                               for k in range(8))
    parts = [ber(0x80, sv_id.encode())]
    if full:
        parts.append(ber(0x81, b"MU01LD0/LLN0$PhsMeas1"))
    parts += [ber(0x82, struct.pack(">H", smp_cnt)), ber(0x83, struct.pack(">I", 7))]
    if full:
        parts.append(ber(0x84, utc(1700000100, smp_cnt * 3000, 0x0a)))
    parts.append(ber(0x85, bytes([synch])))
    if full:
        parts.append(ber(0x86, struct.pack(">H", 80)))
    parts.append(ber(0x87, seq))
    if full:
        parts += [ber(0x88, struct.pack(">H", 0)), ber(0x89, bytes.fromhex("001b19fffe00002a"))]
    return ber(0x30, b"".join(parts))


def sv_frame(asdus, appid=0x4000):
    apdu = ber(0x60, ber_uint(0x80, len(asdus)) + ber(0xa2, b"".join(asdus)))
    return struct.pack(">HHHH", appid, 8 + len(apdu), 0, 0) + apdu


def long_ref_name():
    return "IED1LD0/LLN0$GO$" + "g" * 112  # 128 characters: needs the long BER length form


def write_generated(tmp):
    from scapy.all import Dot1Q, Ether, Raw, wrpcap  # noqa: E402 (scapy only when generating)

    def eth(src, payload, ethertype, vlan=None, t=0.0):
        if vlan is None:
            p = Ether(src=src, dst="01:0c:cd:01:00:01", type=ethertype) / Raw(payload)
        else:
            p = Ether(src=src, dst="01:0c:cd:01:00:01", type=0x8100) / Dot1Q(prio=4, vlan=vlan, type=ethertype) / Raw(payload)
        p.time = t
        return p

    base = 1700000000.0
    goose = []
    long_ref = long_ref_name()
    # publisher A (VLAN 10): every Data type; a normal state change, then planted faults
    a = "IED1LD0/LLN0$GO$gcbTrip"
    plan = [(1, 0, 0.0), (1, 1, 0.002), (2, 0, 1.0), (2, 1, 1.004), (5, 0, 1.5),   # st_num_jump 2->5
            (5, 1, 1.6), (5, 0, 1.7),                                                   # sq_num_reset
            (5, 1, 5.0)]                                                                # TAL (2 s) expired
    for st, sq, t in plan:
        goose.append(eth("00:1b:19:00:00:0a", goose_frame(a, st, sq, data=all_data_types()), 0x88b8, 10, base + t))
    # publisher B (untagged): simulation and ndsCom set, confRev change, long gocbRef
    goose.append(eth("00:1b:19:00:00:0b", goose_frame(long_ref, 1, 0, appid=0x3002, sim=True), 0x88b8, None, base + 0.1))
    goose.append(eth("00:1b:19:00:00:0b", goose_frame(long_ref, 1, 1, appid=0x3002, nds=True, conf_rev=2,
                                                      s_bit=True), 0x88b8, None, base + 0.2))
    # publisher C: a second source MAC for A's gocbRef
    goose.append(eth("00:1b:19:00:00:0c", goose_frame(a, 5, 2), 0x88b8, 10, base + 5.01))
    # a big allData (300 booleans: two-octet BER lengths)
    big = b"".join(ber(0x83, bytes([i & 1])) for i in range(300))
    goose.append(eth("00:1b:19:00:00:0d", goose_frame("IED4/LLN0$GO$big", 1, 0, appid=0x3004, data=big),
                     0x88b8, None, base + 6))
    gpath = os.path.join(tmp, "generated_goose.pcap")
    wrpcap(gpath, sorted(goose, key=lambda p: p.time))

    sv = []
    t = base
    # MU1: 8 ASDUs per frame with every optional member; smpCnt wraps at 4000 (80 x 50 Hz)
    cnt = 3984
    for _ in range(4):
        asdus = [sv_asdu("MU01", (cnt + k) % 4000, full=True) for k in range(8)]
        sv.append(eth("00:1b:19:00:01:01", sv_frame(asdus), 0x88ba, 5, t))
        cnt = (cnt + 8) % 4000
        t += 0.002
    # MU2: 9-2LE, one ASDU per frame; planted: a gap, a duplicate, a late sample, smpSynch lost
    counts = [10, 11, 12, 14, 14, 13, 15, 16]
    for i, c in enumerate(counts):
        synch = 0 if i >= 6 else 2
        sv.append(eth("00:1b:19:00:02:02", sv_frame([sv_asdu("MU02", c, synch=synch)], appid=0x4002), 0x88ba,
                      None, t))
        t += 0.00025
    # MU3: seqData that is not 9-2LE stays raw; a second source publishes MU02
    sv.append(eth("00:1b:19:00:03:03", sv_frame([sv_asdu("MU03", 0, seq=bytes(range(24)))], appid=0x4003),
                  0x88ba, None, t))
    sv.append(eth("00:1b:19:00:03:04", sv_frame([sv_asdu("MU02", 17)], appid=0x4002), 0x88ba, None, t + 0.0001))
    spath = os.path.join(tmp, "generated_sv.pcap")
    wrpcap(spath, sorted(sv, key=lambda p: p.time))
    return gpath, spath


def count_by_name(events, proto):
    counts = {}
    for e in anomalies(events, proto):
        counts[e["anomaly"]] = counts.get(e["anomaly"], 0) + 1
    return counts


def main():
    for rel in GOOSE_CAPTURES:
        path = os.path.join(CORPUS, rel)
        events = compare_goose(path)
        name = os.path.basename(path)
        if name in EXPECTED_MALFORMED:
            anomaly, field = EXPECTED_MALFORMED[name]
            found = [e for e in anomalies(events, "goose") if e["anomaly"] == anomaly]
            if len(found) != 1 or found[0]["op"] != "malformed" or (field and found[0]["goose"].get("field") != field):
                fail("%s: expected one malformed %s (%s), got %s" % (name, anomaly, field,
                                                                        [e["anomaly"] for e in anomalies(events, "goose")]))
    for rel in SV_CAPTURES:
        compare_sv(os.path.join(CORPUS, rel), truncated_capture="snaplen64" in rel)
    normal = mamori_events(os.path.join(CORPUS, SV_CAPTURES[0]))
    if anomalies(normal, "sv"):
        fail("SV_Normal_Traffic: unexpected anomalies %s" % count_by_name(normal, "sv"))

    with tempfile.TemporaryDirectory() as tmp:
        gpath, spath = write_generated(tmp)
        gev = compare_goose(gpath)
        # timeAllowedtoLive: A is late once (1.7 s -> 5.0 s, TAL 2 s); B's last frame
        # (0.2 s) is 5.8 s before the capture's last GOOSE frame, so it is lost at the end
        want = {"st_num_jump": 1, "sq_num_reset": 1, "time_allowed_to_live_expired": 2, "simulation_set": 1,
                "nds_com_set": 1, "conf_rev_changed": 1, "second_source": 1}
        got = count_by_name(gev, "goose")
        if got != want:
            fail("generated GOOSE anomalies %s, planted %s" % (got, want))
        lost = [e["object"] for e in anomalies(gev, "goose") if e["anomaly"] == "time_allowed_to_live_expired"]
        if sorted(lost) != sorted(["IED1LD0/LLN0$GO$gcbTrip", long_ref_name()]):
            fail("publishers reported lost: %s" % lost)
        # the same frames cut by a 90-octet snaplen: decoded as far as captured
        cut = os.path.join(tmp, "generated_goose_snaplen90.pcap")
        subprocess.run(["editcap", "-s", "90", gpath, cut], check=True, capture_output=True)
        cev = frame_events(compare_goose(cut), "goose")
        if not cev or any(e.get("anomaly") != "truncated_frame" for e in cev):
            fail("snaplen-cut GOOSE: expected only truncated_frame events, got %s" % [e.get("anomaly") for e in cev])
        sev = compare_sv(spath)
        want = {"smp_cnt_discontinuity": 1, "duplicate_sample": 1, "late_sample": 1, "smp_synch_lost": 1,
                "second_source": 1}
        got = count_by_name(sev, "sv")
        if got != want:
            fail("generated SV anomalies %s, planted %s" % (got, want))

    for key in TSHARK_ERRORS:
        if key not in tshark_errors_seen:
            fail("listed tshark error %s was not met" % (key,))
    for f in failures[:40]:
        print("FAIL:", f)
    print("compared %(goose)d GOOSE frames (%(data)d Data values) and %(sv)d SV events (%(asdu)d ASDUs) "
          "with tshark; %(n)d failures; tshark errors allowed: %(e)d" % dict(checked, n=len(failures),
                                                                              e=len(TSHARK_ERRORS)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
