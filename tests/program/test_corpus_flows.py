#!/usr/bin/python3
"""test_corpus_flows.py — `mamori -r` over corpus captures of every odd kind,
flows compared with tshark's conversation statistics for the same file
(same endpoint pairs, same frame and byte totals per pair), plus the capture
counters of the final stats record against tshark's frame count.

Captures: Modbus/TCP, DNP3 over Ethernet, DNP3 over BSD loopback (linktype
NULL), DNP3 over raw IP, GOOSE behind 802.1Q (layer-2 flows, compared with
tshark's goose fields), MMS on TCP/102, pcapng files named .pcap, IPv6 in
pcapng, an empty capture, several -r in one run, a truncated file (made here)
and a file that is not a capture."""

import os
import shutil
import subprocess
import tempfile

from mamori_run import (Tap, corpus, mamori_conversations, run, run_error, tshark_conversations)

CAPTURES = [
    "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap",
    "ITI-ICS-Security-Tools/ModbusTCP/ModbusTCP.pcap",
    "zeek/modbus/modbus-and-non-modbus-p502.pcap",
    "ITI-ICS-Security-Tools/bro/dnp3/dnp3.pcap",
    "nDPI/dnp3.pcap",                                                    # pcapng named .pcap
    "ITI-ICS-Security-Tools/dnp3/opendnp3-3/conformance/8.9.2.2/dump.pcap",  # BSD loopback
    "suricata-verify/dnp3/dnp3-flood/input.pcap",                         # raw IPv4
    "ITI-ICS-Security-Tools/IEC61850/8d7c7db0-9804-012b-b2a6-0016cb8cea27.pcap",  # MMS on 102
    "ITI-ICS-Security-Tools/IEC61850/MMS-Specific_Commands/mms-initiateDownloadSequence.pcap",
    "ITI-ICS-Security-Tools/s7/S7-1511_db2_var1_HMI.pcap",               # pcapng named .pcap
    "ITI-ICS-Security-Tools/beckoff/addroute.pcapng",                    # pcapng with IPv6
    "ITI-ICS-Security-Tools/bro/modbus/fuzz-72.pcap",                    # IP length > captured
]


def tshark_frame_count(capture):
    out = subprocess.run(["tshark", "-n", "-r", capture, "-T", "fields", "-e", "frame.number"],
                         capture_output=True, text=True, timeout=300).stdout
    return len(out.split())


def check_flows_match_tshark(path):
    capture = corpus(path)
    result = run(["-r", capture])
    ours = mamori_conversations(result.flows)
    theirs = tshark_conversations(capture)
    missing = sorted(set(theirs) - set(ours))
    extra = sorted(set(ours) - set(theirs))
    assert not missing and not extra, f"conversations only in tshark: {missing[:5]}; only in mamori: {extra[:5]}"
    differ = [(k, ours[k], theirs[k]) for k in theirs if theirs[k] != ours[k]]
    assert not differ, f"(frames, bytes) differ, mamori vs tshark: {differ[:5]}"
    stats = result.final_stats
    assert stats["capture"]["packets"] == tshark_frame_count(capture)
    assert stats["pipeline"]["packets"] == stats["capture"]["packets"]
    assert stats["output"]["flow"] == len(result.flows)
    assert stats["output"]["event"] == len(result.events)


def check_goose_vlan_flows():
    capture = corpus("ITI-ICS-Security-Tools/IEC61850/GOOSE/Sample_File_GOOSE.pcap")
    out = subprocess.run(["tshark", "-n", "-r", capture, "-T", "fields", "-e", "eth.src", "-e", "vlan.id",
                          "-e", "goose.appid"], capture_output=True, text=True, timeout=300, check=True).stdout
    expected = {}
    for line in out.splitlines():
        mac, vlan, appid = line.split("\t")
        key = (mac, int(vlan))
        expected[key] = expected.get(key, 0) + 1
    result = run(["-r", capture])
    l2 = [f for f in result.flows if f["proto"] == "ether"]
    assert len(l2) == len(result.flows), "every flow of this capture is GOOSE"
    ours = {}
    for f in l2:
        assert f["ethertype"] == 0x88B8
        key = (f["src_mac"], f.get("vlan", 0))  # priority-tagged frames carry VLAN 0
        ours[key] = ours.get(key, 0) + f["orig_pkts"] + f["resp_pkts"]
    assert ours == expected, f"mamori {ours} vs tshark {expected}"
    assert result.final_stats["pipeline"]["vlan_tagged"] == 451


def check_empty_capture():
    result = run(["-r", corpus("ITI-ICS-Security-Tools/dnp3/opendnp3-3/conformance/6.4.2/dump.pcap")])
    assert result.flows == [] and result.events == []
    stats = result.final_stats
    assert stats["capture"]["packets"] == 0
    assert stats["capture"]["sources"][0]["linktype"] == "NULL"


def check_several_files_in_order():
    first = corpus("ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap")
    second = corpus("ITI-ICS-Security-Tools/dnp3/opendnp3-3/conformance/8.9.2.2/dump.pcap")
    result = run(["-r", first, "-r", second])
    sources = result.final_stats["capture"]["sources"]
    assert [s["file"] for s in sources] == [first, second]
    assert [s["linktype"] for s in sources] == ["EN10MB", "NULL"]
    assert [s["packets"] for s in sources] == [tshark_frame_count(first), tshark_frame_count(second)]
    theirs = tshark_conversations(first)
    theirs.update(tshark_conversations(second))
    ours = mamori_conversations(result.flows)
    assert set(ours) == set(theirs) and all(theirs[k] == ours[k] for k in theirs), (ours, theirs)


def check_truncated_capture():
    source = corpus("ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap")
    with tempfile.TemporaryDirectory() as tmp:
        cut = os.path.join(tmp, "cut.pcap")
        with open(source, "rb") as f:
            data = f.read(3000)  # ends inside the 38th record
        with open(cut, "wb") as f:
            f.write(data)
        complete = tshark_frame_count(cut)
        assert complete == 37
        result = run(["-r", cut])
        assert result.final_stats["capture"]["packets"] == complete
        assert result.final_stats["capture"]["sources"][0]["truncated"] is True
        warning = [line for line in result.stderr.splitlines() if "warning" in line]
        assert warning == [f"mamori: warning: {cut}: capture file is truncated after 37 complete packets "
                           "(truncated dump file; tried to read 60 captured bytes, only got 44)"], warning


def check_not_a_capture():
    path = corpus("README.md")
    line = run_error(["-r", path], 1)
    assert line == f"mamori: {path}: not a pcap or pcapng capture file (unknown file format)", line


def check_missing_and_empty_files():
    line = run_error(["-r", "/nonexistent/x.pcap"], 1)
    assert line == "mamori: /nonexistent/x.pcap: cannot read capture file: No such file or directory", line
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty.pcap")
        open(empty, "wb").close()
        line = run_error(["-r", empty], 1)
        assert line == f"mamori: {empty}: not a capture file: the file is empty", line
        # A missing second file is found before anything is read.
        line = run_error(["-r", corpus("nDPI/dnp3.pcap"), "-r", empty], 1)
        assert line == f"mamori: {empty}: not a capture file: the file is empty", line


def check_standard_input():
    capture = corpus("nDPI/dnp3.pcap")  # pcapng: read as a stream, no seeking
    from_file = run(["-r", capture])
    with open(capture, "rb") as f:
        from_stdin = run(["-r", "-"], stdin=f)
    assert from_stdin.flows == from_file.flows and from_stdin.events == from_file.events
    assert from_stdin.final_stats["capture"]["sources"][0]["file"] == "-"


def check_log_dir():
    capture = corpus("ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap")
    on_stdout = run(["-r", capture])
    tmp = tempfile.mkdtemp()
    try:
        logs = os.path.join(tmp, "logs")
        proc = subprocess.run([os.environ["MAMORI_BIN"], "-r", capture, "--log-dir", logs],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0 and proc.stdout == ""
        names = sorted(os.listdir(logs))
        assert names == ["alert.json", "event.json", "flow.json", "stats.json"], names
        import json
        for kind in ("flow", "event", "stats"):
            with open(os.path.join(logs, f"{kind}.json")) as f:
                lines = [json.loads(line) for line in f]
            assert all(r["type"] == kind for r in lines)
            if kind != "stats":
                assert lines == on_stdout.of(kind), kind
        assert os.path.getsize(os.path.join(logs, "alert.json")) == 0
    finally:
        shutil.rmtree(tmp)


def main():
    tap = Tap()
    for path in CAPTURES:
        tap.check(f"flows match tshark: {path}", check_flows_match_tshark, path)
    tap.check("GOOSE behind 802.1Q: one layer-2 flow per publisher", check_goose_vlan_flows)
    tap.check("empty capture", check_empty_capture)
    tap.check("several -r files in order", check_several_files_in_order)
    tap.check("truncated capture: every complete packet, a warning, exit 0", check_truncated_capture)
    tap.check("not a capture: one line, exit 1", check_not_a_capture)
    tap.check("missing and empty files: one line, exit 1", check_missing_and_empty_files)
    tap.check("-r - reads standard input", check_standard_input)
    tap.check("--log-dir: one file per record type, same records as stdout", check_log_dir)
    tap.done()


main()
