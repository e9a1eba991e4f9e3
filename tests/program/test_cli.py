#!/usr/bin/python3
"""test_cli.py — the `mamori` command line as a user meets it: --version,
--help, --list-decoders (with a plugin), --list-settings, and every kind of
mistake giving exactly one line on stderr and the documented exit status
(2: bad command line or config file; 1: a capture, plugin, user or output
that cannot be used). Also -u USER, a config file applied to a run, the BPF
filter (compared with tshark), and periodic statistics."""

import json
import os
import pty
import re
import signal
import subprocess
import tempfile
import time

from mamori_run import (BIN, Tap, corpus, mamori_conversations, run, run_error, tshark_conversations)

BUILD = os.environ.get("MAMORI_BUILD_ROOT", "")
MODBUS = "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap"
MIXED = "zeek/modbus/modbus-and-non-modbus-p502.pcap"
IPV6_MIXED = "ITI-ICS-Security-Tools/beckoff/addroute.pcapng"
EXIT_RUNTIME = 1
EXIT_USAGE = 2


def check_version_and_help():
    proc = subprocess.run([BIN, "--version"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    assert proc.stdout == "mamori 0.1.0 (decoder ABI 2)\n", proc.stdout
    proc = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: mamori [options] -r FILE")
    for option in ("--read", "--interface", "--config", "--log-dir", "--workers", "--user", "--snaplen",
                   "--buffer-size", "--no-promiscuous", "--immediate", "--stats-interval", "--decoder", "--set",
                   "--list-decoders", "--version"):
        assert option in proc.stdout, option


def check_man_page_renders():
    page = os.path.join(os.environ["MAMORI_SOURCE_ROOT"], "docs", "mamori.8")
    proc = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    for heading in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "CONFIGURATION FILE", "OUTPUT", "SIGNALS",
                    "EXIT STATUS", "EXAMPLES"):
        assert re.search(rf"^{heading}$", proc.stdout, re.M), heading
    # Every long option of --help is documented in the page.
    usage = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=30).stdout
    for option in sorted(set(re.findall(r"--[a-z-]+", usage))):
        assert option in proc.stdout, f"{option} is not in mamori(8)"


def check_list_decoders_with_plugin():
    plugin = os.path.join(BUILD, "protocols", "example", "mamori_example.so")
    proc = subprocess.run([BIN, "--decoder", plugin, "--list-decoders"], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names[-1] == "example", names
    for builtin in ("modbus", "dnp3"):
        assert builtin in names, names


def check_list_settings():
    proc = subprocess.run([BIN, "--list-settings"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    # Every pipeline_config member has a setting.
    for name in ("flows.max_flows", "flows.tcp_idle_timeout", "flows.tcp_closed_timeout", "flows.udp_idle_timeout",
                 "flows.l2_idle_timeout", "reassembly.flow_bytes", "reassembly.total_bytes",
                 "defrag.max_datagrams", "defrag.total_bytes", "defrag.timeout", "decoders.state_budget",
                 "decoders.response_timeout", "decoders.detail", "flows.ndpi"):
        assert name in names, name


USAGE_ERRORS = [
    ([], "mamori: no capture source: give -r FILE or -i INTERFACE (see --help)"),
    (["-r", "x.pcap", "--workers", "0"], "mamori: --workers: expected a whole number from 1 to 64, got '0'"),
    (["-r", "x.pcap", "--stats-interval", "often"],
     "mamori: --stats-interval: expected a duration (a whole number with us, ms, s, m, h or d) from 0s to 1d, "
     "got 'often'"),
    (["-r", "x.pcap", "-B", "1T"],
     "mamori: --buffer-size: expected a size in bytes (K, M or G suffix allowed) from 64K to 2G, got '1T'"),
    (["-r", "x.pcap", "--frobnicate"], "mamori: unknown option '--frobnicate' (see --help)"),
    (["-i"], "mamori: option '-i' needs a value"),
    (["-r", "x.pcap", "-i", "eth0"], "mamori: give either -r FILE or -i INTERFACE, not both"),
    (["-r", "x.pcap", "-o", "flows.timeout=5s"],
     "mamori: flows.timeout: unknown setting (mamori --list-settings shows them all)"),
]


def check_usage_errors():
    for args, message in USAGE_ERRORS:
        line = run_error(args, EXIT_USAGE)
        assert line == message, f"{args}: {line!r}"


def check_config_file_errors():
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("capture:\n  snaplen: 1514\nflows:\n  udp_idle_timeout: 2 weeks\n")
        path = f.name
    try:
        line = run_error(["-c", path, "-r", "x.pcap"], EXIT_USAGE)
        assert line == (f"mamori: {path}:4: flows.udp_idle_timeout: expected a duration (a whole number with us, ms, "
                        "s, m, h or d) from 1ms to 365d, got '2 weeks'"), line
    finally:
        os.unlink(path)
    line = run_error(["-c", "/nonexistent/mamori.yaml", "-r", "x.pcap"], EXIT_USAGE)
    assert line == "mamori: /nonexistent/mamori.yaml: cannot open config file: No such file or directory", line


def check_runtime_errors():
    capture = corpus(MODBUS)
    cases = [
        (["-i", "nosuchif0"], "mamori: nosuchif0: no such network interface"),
        (["-r", capture, "tcp prot 502"],
         f"mamori: bad BPF filter 'tcp prot 502' for {capture}: can't parse filter expression: syntax error"),
        (["-r", capture, "-u", "no-such-user-here"], "mamori: -u no-such-user-here: no such user"),
        (["-r", capture, "--decoder", "/nonexistent/vendor.so"],
         "mamori: /nonexistent/vendor.so: cannot load decoder plugin: /nonexistent/vendor.so: cannot open shared "
         "object file: No such file or directory"),
        (["-r", capture, "--decoder", os.path.join(BUILD, "tests", "unit", "plugin_wrong_abi.so")],
         f"mamori: {os.path.join(BUILD, 'tests', 'unit', 'plugin_wrong_abi.so')}: decoder ABI version does not "
         "match this sensor"),
        (["-r", capture, "--log-dir", "/etc/hostname"],
         "mamori: /etc/hostname: cannot create log directory: exists and is not a directory"),
    ]
    for args, message in cases:
        line = run_error(args, EXIT_RUNTIME)
        assert line == message, f"{args}: {line!r}"


def as_nobody(args):
    """Runs mamori as user nobody (setpriv, util-linux); returns (status, stderr lines, stdout)."""
    proc = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", BIN] + args,
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stderr.splitlines(), proc.stdout


def check_no_permission():
    if os.geteuid() != 0:
        raise AssertionError("this check needs root to create a file nobody cannot read (CI runs as root)")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        secret = os.path.join(tmp, "secret.pcap")
        with open(corpus(MODBUS), "rb") as src, open(secret, "wb") as dst:
            dst.write(src.read())
        os.chmod(secret, 0o600)
        status, lines, out = as_nobody(["-r", secret])
        assert (status, lines, out) == (EXIT_RUNTIME, [f"mamori: {secret}: cannot read capture file: Permission denied"],
                                        ""), (status, lines)
    status, lines, out = as_nobody(["-i", "lo"])
    assert status == EXIT_RUNTIME and out == "" and len(lines) == 1, (status, lines)
    assert lines[0].startswith("mamori: lo: permission denied: capturing needs root or CAP_NET_RAW"), lines


def check_config_file_applies():
    capture = corpus(MODBUS)
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "mamori.yaml")
        logs = os.path.join(tmp, "logs")
        with open(config, "w") as f:
            f.write(f"output:\n  log_dir: {logs}\nworkers:\n  count: 2\ndecoders:\n  detail: false\n")
        proc = subprocess.run([BIN, "-c", config, "-r", capture], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and proc.stdout == "", proc.stderr
        with open(os.path.join(logs, "stats.json")) as f:
            stats = json.loads(f.read())
        assert stats["workers"] == 2
        with open(os.path.join(logs, "event.json")) as f:
            events = [json.loads(line) for line in f]
        assert events and all("modbus" not in e for e in events), "detail: false leaves the detail out"
        # The command line wins over the file.
        proc = subprocess.run([BIN, "-c", config, "-r", capture, "-w", "1", "--log-dir", os.path.join(tmp, "b")],
                              capture_output=True, text=True, timeout=60)
        with open(os.path.join(tmp, "b", "stats.json")) as f:
            assert json.loads(f.read())["workers"] == 1


def check_drop_to_user():
    capture = corpus(MODBUS)
    if os.geteuid() != 0:
        raise AssertionError("this check needs root (CI runs as root)")
    result = run(["-r", capture, "-u", "nobody"])
    assert result.final_stats["capture"]["packets"] == 118
    assert len(result.flows) == 6


def check_bpf_filter():
    mixed = corpus(MIXED)
    everything = tshark_conversations(mixed)
    result = run(["-r", mixed, "tcp", "port", "502"])
    expected = {k: v for k, v in everything.items() if k[0] == "tcp" and (k[1].endswith(":502") or
                                                                          k[2].endswith(":502"))}
    ours = mamori_conversations(result.flows)
    assert set(ours) == set(expected) and all(expected[k] == ours[k] for k in expected), (ours, expected)
    assert all(f["sport"] == 502 or f["dport"] == 502 for f in result.flows)

    ipv6 = corpus(IPV6_MIXED)
    everything = tshark_conversations(ipv6)
    result = run(["-r", ipv6, "udp"])
    expected = {k: v for k, v in everything.items() if k[0] == "udp"}
    ours = mamori_conversations(result.flows)
    assert len(expected) > 5
    assert set(ours) == set(expected) and all(expected[k] == ours[k] for k in expected), (ours, expected)

    result = run(["-r", ipv6, "host 192.0.2.99"])
    assert result.flows == [] and result.final_stats["capture"]["packets"] == 0


def acme_pdu(opcode, station, body):
    """One PDU of the example plugin's made-up protocol (protocols/example/example_decoder.c)."""
    return bytes([0xAC, 0x4E, 1, opcode]) + station.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body


def check_plugin_decodes_traffic():
    from scapy.all import IP, UDP, Ether, wrpcap  # python3-scapy, system interpreter
    plugin = os.path.join(BUILD, "protocols", "example", "mamori_example.so")
    read = acme_pdu(1, 7, (100).to_bytes(2, "big") + (2).to_bytes(2, "big"))
    reply = acme_pdu(3, 7, (11).to_bytes(2, "big") + (22).to_bytes(2, "big"))
    frames = [Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=40000, dport=47000) / read,
              Ether() / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=47000, dport=40000) / reply]
    with tempfile.TemporaryDirectory() as tmp:
        capture = os.path.join(tmp, "acme.pcap")
        wrpcap(capture, frames)
        without = run(["-r", capture])
        assert without.events == [] and "decoder" not in without.flows[0]
        result = run(["-r", capture, "--decoder", plugin])
    events = [(e["protocol"], e["role"], e["op"], e["unit"], e.get("range_start"), e.get("range_count"),
               e.get("values")) for e in result.events]
    assert events == [("example", "request", "read", 7, 100, 2, None),
                      ("example", "response", "report", 7, None, None, [11, 22])], events
    assert [(f["decoder"], f["app_protocol"]) for f in result.flows] == [("example", "example")]


def check_no_decoders():
    result = run(["-r", corpus("nDPI/dnp3.pcap"), "--no-decoders"])
    assert result.events == [] and len(result.flows) == 8
    assert all("decoder" not in f and f["app_protocol"] == "DNP3" and f["ndpi"] == "DNP3" for f in result.flows)
    assert result.final_stats["pipeline"]["decoder_flows"] == 0


def wait_until_read(pid, nbytes, limit_s=30.0):
    """Waits until process pid has read nbytes (/proc/PID/io rchar)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/io") as f:
            rchar = int(next(line for line in f if line.startswith("rchar:")).split()[1])
        if rchar >= nbytes:
            return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} read fewer than {nbytes} bytes in {limit_s} s")


def check_sigint_while_reading_files():
    capture = corpus("ITI-ICS-Security-Tools/ModbusTCP/ModbusTCP.pcap")
    copies = 200  # about 3 million packets: far longer than the signal delay
    with tempfile.TemporaryDirectory() as logs:
        proc = subprocess.Popen([BIN, "--log-dir", logs] + ["-r", capture] * copies, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        # Signal once it is reading packets (past set-up), however loaded the machine is.
        wait_until_read(proc.pid, 3 * os.path.getsize(capture))
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - started
        assert proc.returncode == 0, err
        assert took < 5.0, f"{took:.1f} s to stop"
        with open(os.path.join(logs, "stats.json")) as f:
            stats = [json.loads(line) for line in f]
        assert len(stats) == 1 and stats[0]["final"]
        read = stats[0]["capture"]["packets"]
        assert 0 < read < 15387 * copies, read
        with open(os.path.join(logs, "flow.json")) as f:
            flows = [json.loads(line) for line in f]
        # Every flow still open when the signal came was flushed as end_of_capture.
        assert any(f["end_reason"] == "end_of_capture" for f in flows)
        assert len(flows) == stats[0]["pipeline"]["flows_created"]


def check_write_error():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([BIN, "-r", corpus(MODBUS)], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=60)
    assert proc.returncode == EXIT_RUNTIME
    assert proc.stderr.splitlines()[-1] == "mamori: standard output: write failed: No space left on device", \
        proc.stderr


def check_summary_and_progress():
    capture = corpus(MODBUS)
    # stderr is a pipe: the summary, no progress bar.
    result = run(["-r", capture])
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"mamori: 118 packets \(0\.0 MiB\) from 1 file in \d+\.\d\d s", lines[0]), lines
    assert lines[1] == "mamori: 6 flows (0 evicted, 1 picked up mid-stream), 73 events, 0 alerts", lines
    assert lines[2] == "mamori: events by protocol: modbus=73", lines
    assert "\r" not in result.stderr
    # stderr is a terminal: a progress bar, erased before the summary; --no-progress: none.
    for extra, want_bar in (([], True), (["--no-progress"], False)):
        master, slave = pty.openpty()
        proc = subprocess.run([BIN, "-r", capture] + extra, stdout=subprocess.DEVNULL, stderr=slave, timeout=60)
        os.close(slave)
        text = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            text += chunk
        os.close(master)
        assert proc.returncode == 0
        drawn = "\r[##############################] 100%" in text.decode()
        assert drawn == want_bar, (extra, text[:300])
        assert b"mamori: 118 packets" in text


def check_periodic_stats():
    # One file read slowly enough is not guaranteed; an interval of 0 writes only the final record, and a
    # tiny interval writes at least one periodic record before it on a 15k-packet file.
    capture = corpus("ITI-ICS-Security-Tools/ModbusTCP/ModbusTCP.pcap")
    result = run(["-r", capture])
    assert len(result.of("stats")) == 1
    result = run(["-r", capture, "--stats-interval", "1us"])
    stats = result.of("stats")
    assert len(stats) >= 2 and stats[-1]["final"] and not stats[0]["final"], len(stats)
    assert stats[-1]["capture"]["packets"] == 15387
    # With worker threads too, each record covers every frame read before it.
    result = run(["-r", capture, "--workers", "3", "--stats-interval", "1us"])
    stats = result.of("stats")
    assert len(stats) >= 2 and stats[-1]["final"]
    assert all(s["pipeline"]["packets"] == s["capture"]["packets"] for s in stats), \
        [(s["pipeline"]["packets"], s["capture"]["packets"]) for s in stats]
    counts = [s["capture"]["packets"] for s in stats]
    assert counts == sorted(counts) and counts[-1] == 15387


def main():
    tap = Tap()
    tap.check("--version and --help", check_version_and_help)
    tap.check("man -l docs/mamori.8 renders without warnings and documents every option", check_man_page_renders)
    tap.check("--list-decoders lists built-ins and a loaded plugin", check_list_decoders_with_plugin)
    tap.check("--list-settings names every pipeline setting", check_list_settings)
    tap.check("command-line mistakes: one line, exit 2", check_usage_errors)
    tap.check("config file mistakes: file:line, exit 2", check_config_file_errors)
    tap.check("unusable capture, filter, user, plugin, log dir: one line, exit 1", check_runtime_errors)
    tap.check("no permission for a file or an interface: one line, exit 1", check_no_permission)
    tap.check("a config file applies, the command line overrides it", check_config_file_applies)
    tap.check("-u nobody drops root and still reads the capture", check_drop_to_user)
    tap.check("BPF filter from the arguments, compared with tshark", check_bpf_filter)
    tap.check("periodic and final statistics", check_periodic_stats)
    tap.check("--decoder: the example plugin decodes its protocol", check_plugin_decodes_traffic)
    tap.check("--no-decoders: flows and nDPI labels only", check_no_decoders)
    tap.check("SIGINT while reading files: flows flushed, final stats, exit 0", check_sigint_while_reading_files)
    tap.check("a failed write to stdout: one line, exit 1", check_write_error)
    tap.check("summary on stderr; progress bar only on a terminal", check_summary_and_progress)
    tap.done()


main()
