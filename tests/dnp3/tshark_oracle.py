#!/usr/bin/python3
"""tshark_oracle.py — compares mamori's DNP3 decode of every DNP3 capture in the
corpus with tshark's, frame by frame in capture order.

Compared, for every application fragment tshark reassembles: link source,
destination, control and length of the frame that completed it, the number of
transport segments it was reassembled from (dnp3.al.fragment.count), application
control, function code, IIN, and for every object header its group,
variation, qualifier, start, stop and quantity. For every link frame without
transport data (link status, resets, acknowledgements): source, destination,
control and length. Non-final transport segments carry no application layer in
either tool and are not compared on their own; the segment count accounts
for them.

A difference passes only when one of the rules in TSHARK_ERRORS explains it,
each with the evidence that tshark (Wireshark 4.0) is the one that is wrong;
the script prints how many records each rule touched. The script also checks what Suricata's own test
suite expects from the suricata-verify captures, and that DNP3-Malformed.pcap
yields malformed events and no crash.

Environment: MAMORI_BIN, MAMORI_CORPUS (set by meson's test_env)."""
import concurrent.futures
import glob
import json
import os
import subprocess
import sys

CORPUS = os.environ.get('MAMORI_CORPUS', '')
MAMORI = os.environ.get('MAMORI_BIN', '')

PATTERNS = [
    'ITI-ICS-Security-Tools/dnp3/**/*.pcap',
    'ITI-ICS-Security-Tools/bro/dnp3/*.pcap',
    'ITI-ICS-Security-Tools/openics/DNP3-*.pcap',
    'suricata-verify/dnp3/*/*.pcap',
    'zeek/dnp3/*.pcap',
    'nDPI/dnp3.pcap',
]

# Where Wireshark 4.0's packet-dnp.c is wrong, and why we are sure.
TSHARK_ERRORS = {
    'retransmission': 'tshark dissects a TCP retransmission again (it flags the frame '
                      'tcp.analysis.retransmission: same sequence numbers, same bytes); the stream carries '
                      'those bytes once, so a stream decoder sees the fragment once (nDPI/dnp3.pcap frames 11, 12)',
    'functions_without_objects': 'dissect_dnp3_al() has no case for assign class (22), stop application (18) '
                                 'or authenticate request (32) and falls to "default: break", so tshark lists no '
                                 'objects although the bytes hold them (assign_class.pcap: 3c 03 06 01 00 06 = '
                                 'g60v3 and g1v0, qualifier 0x06; auth_change_session_keys.pcap: 78 04 07 01 = '
                                 'g120v4, count 1; dnp3.pcap record 86: 3c 02 06 01 07 06)',
    'authenticate_response': 'Wireshark shows neither IIN nor objects for authenticate response (0x83), but '
                             'IEEE 1815-2012 gives every outstation response (0x81, 0x82, 0x83) the 2-byte IIN '
                             '(auth_change_session_keys.pcap: c1 83 90 00 78 05 5b 01 = IIN 0x9000, then '
                             'g120v5 with a 16-bit size prefix)',
    'reserved_range_code': 'for a reserved range code (0x0A, 0x0C-0x0F) Wireshark reads no range field and '
                           'decodes the next bytes as another object header; the length of a reserved range '
                           'field is unknowable, so nothing after it can be decoded (mamori reports malformed '
                           'and stops); compared up to that header',
    'tshark_exception': 'tshark stopped dissecting the fragment with "Malformed Packet (Exception occurred)" '
                        '(its _ws.malformed marker is on the frame) and lists fewer object headers; every header '
                        'it did list matches, and mamori goes on through the rest of the bytes (e.g. '
                        'write_vto_empty_string.pcap: the fragment repeats 70 00 01 00 00 ff ff, g112v0 over '
                        '0..65535, to its end)',
    'group0_variation0': 'Wireshark decodes the points of g0v0 as device attributes (data type, length, value) '
                         'and flags "Unknown Group 0 Variation"; variation 0 is "any variation" and carries no '
                         'values, so the following header starts right after the range (DNP3-Malformed.pcap '
                         'frame 154: 00 00 00 00 01 | 00 03 01 64 00 00 00); compared up to that header',
    'truncated_header': 'Wireshark starts another object header while only 2 bytes remain (its loop runs while '
                        'offset <= data_len - 2) and shows group and variation without a qualifier; a header '
                        'needs at least 3 bytes, so mamori reports the fragment malformed instead of an object',
    'virtual_address_range': 'for range codes 3, 4, 5 Wireshark reads one "absolute address" field '
                             '(dnp3.al.range.abs) where DNP3 puts start and stop virtual addresses (range '
                             'specifier table: "8-bit Start-Stop virtual address"; Practical Modern SCADA '
                             'Protocols p.122: "start and stop absolute memory addresses"), so every later '
                             'object header it shows is misaligned; compared up to that header',
    'unknown_variation': 'Wireshark 4.0 reports g51v2 (unsynchronised common time of occurrence, a 6-byte '
                         'time, IEEE 1815 group 51 variation 2) as "Unknown Object\\Variation" and swallows '
                         'the rest of the fragment as an unknown data chunk; compared up to that header',
    'reserved_qualifier_bit': 'dnp3.al.objq.prefix/range drop bit 7 of the qualifier byte; mamori reports the '
                              'byte as sent (0xed in dnp3.pcap record 83), compared with bit 7 masked',
}
WIRESHARK_FUNCTIONS_WITHOUT_OBJECTS = {18, 22, 32}
AUTHENTICATE_RESPONSE = 131
WIRESHARK_UNKNOWN_VARIATIONS = {(51, 2)}
VIRTUAL_ADDRESS_RANGES = {3, 4, 5}
RESERVED_RANGE_CODES = {0x0A, 0x0C, 0x0D, 0x0E, 0x0F}
QUALIFIER_RESERVED_BIT = 0x80


def pairs_hook(pairs):
    return pairs  # keep duplicate keys, in order


def find_all(node, key):
    """Every value stored under `key`, depth first, in document order."""
    out = []
    if isinstance(node, list):
        for item in node:
            if isinstance(item, tuple) and len(item) == 2:
                k, v = item
                if k == key:
                    out.append(v)
                out.extend(find_all(v, key))
            else:
                out.extend(find_all(item, key))
    return out


def first(node, key, default=None):
    found = find_all(node, key)
    return found[0] if found else default


def num(text):
    return int(text, 0) if isinstance(text, str) else text


def tshark_records(path):
    out = subprocess.run(['tshark', '-r', path, '-Y', 'dnp3', '-T', 'json'],
                         capture_output=True, text=True, check=False).stdout
    frames = json.loads(out or '[]', object_pairs_hook=pairs_hook)
    records = []
    for frame in frames:
        layers = first(frame, 'layers')
        retransmission = bool(find_all(layers, 'tcp.analysis.retransmission'))
        exception = any(k == '_ws.malformed' for k, _ in layers)
        for k, pdu in layers:
            if k != 'dnp3':
                continue
            link = next((v for kk, v in pdu if kk.startswith('Data Link Layer')), None)
            if link is None:
                continue
            base = {'src': num(first(link, 'dnp3.src')), 'dst': num(first(link, 'dnp3.dst')),
                    'ctl': num(first(link, 'dnp3.ctl')), 'len': num(first(link, 'dnp3.len'))}
            if retransmission:
                base['retransmission'] = True
            app = next((v for kk, v in pdu if kk.startswith('Application Layer')), None)
            segments = first(pdu, 'dnp3.al.fragment.count')
            has_transport = any(kk == 'dnp3.tr.ctl' for kk, _ in pdu)
            if app is not None and first(app, 'dnp3.al.func') is not None:
                rec = dict(base, kind='app', **{'al.ctl': num(first(app, 'dnp3.al.ctl')),
                                               'al.func': num(first(app, 'dnp3.al.func')),
                                               'al.fragment.count': num(segments or '1')})
                iin = first(app, 'dnp3.al.iin')
                if iin is not None:
                    rec['al.iin'] = num(iin)
                rec['objects'] = tshark_objects(app)
                if exception:
                    rec['exception'] = True
                records.append(rec)
            elif not has_transport:
                records.append(dict(base, kind='link'))
    return records


def tshark_objects(app):
    objects = []
    items = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                if isinstance(item, tuple) and len(item) == 2:
                    items.append(item)
                    walk(item[1])
    walk(app)
    for i, (k, v) in enumerate(items):
        if k != 'dnp3.al.obj':
            continue
        obj = num(v)
        tree = items[i + 1][1] if i + 1 < len(items) and items[i + 1][0] == 'dnp3.al.obj_tree' else []
        rec = {'group': obj >> 8, 'variation': obj & 0xFF}
        prefix, rng = first(tree, 'dnp3.al.objq.prefix'), first(tree, 'dnp3.al.objq.range')
        if prefix is not None and rng is not None:
            rec['qualifier'] = num(prefix) << 4 | num(rng)
        for field, name in (('dnp3.al.range.start', 'range.start'), ('dnp3.al.range.stop', 'range.stop'),
                            ('dnp3.al.range.quantity', 'range.quantity')):
            value = first(tree, field)
            if value is not None:
                rec[name] = num(value)
        objects.append(rec)
    return objects


def mamori_run(path):
    proc = subprocess.run([MAMORI, '-r', path], capture_output=True, text=True, check=False)
    events = [json.loads(line) for line in proc.stdout.splitlines()
              if line.startswith('{"type":"event"') and '"protocol":"dnp3"' in line]
    return proc.returncode, events, proc.stderr


def mamori_records(events):
    records = []
    for ev in events:
        d = ev.get('dnp3', {})
        if ev['kind'] != 'operation' or 'src' not in d:
            continue
        base = {'src': d['src'], 'dst': d['dst'], 'ctl': d['ctl'], 'len': d['len']}
        if 'al.func' in d:
            rec = dict(base, kind='app', **{'al.ctl': d['al.ctl'], 'al.func': d['al.func'],
                                            'al.fragment.count': d['al.fragment.count']})
            if 'al.iin' in d:
                rec['al.iin'] = d['al.iin']
            rec['objects'] = [{k: o[k] for k in ('group', 'variation', 'qualifier', 'range.start', 'range.stop',
                                                 'range.quantity') if k in o} for o in d.get('objects', [])]
            records.append(rec)
        elif 'link_function' in d:
            records.append(dict(base, kind='link'))
    return records


def explain(t, o, used):
    """Applies the TSHARK_ERRORS rules to one pair of app records; returns the pair to compare."""
    if t is None or o is None or t.get('kind') != 'app' or o.get('kind') != 'app':
        return t, o
    exception = t.pop('exception', False)
    o = dict(o, objects=[dict(x) for x in o['objects']])
    for x in o['objects']:
        if 'qualifier' in x and x['qualifier'] & QUALIFIER_RESERVED_BIT:
            x['qualifier'] &= ~QUALIFIER_RESERVED_BIT
            used['reserved_qualifier_bit'] += 1
    if t['objects'] and 'qualifier' not in t['objects'][-1]:
        used['truncated_header'] += 1
        t = dict(t, objects=t['objects'][:-1])
    if t['al.func'] == AUTHENTICATE_RESPONSE and 'al.iin' not in t and not t['objects']:
        used['authenticate_response'] += 1
        o.pop('al.iin', None)
        o['objects'] = []
    if not t['objects'] and o['objects'] and t['al.func'] in WIRESHARK_FUNCTIONS_WITHOUT_OBJECTS:
        used['functions_without_objects'] += 1
        o['objects'] = []
    for i, x in enumerate(t['objects']):
        cut = None
        if x.get('qualifier', 0) & 0x0F in VIRTUAL_ADDRESS_RANGES:
            cut, rule = i, 'virtual_address_range'
        elif x.get('qualifier', 0) & 0x0F in RESERVED_RANGE_CODES:
            cut, rule = i, 'reserved_range_code'
        elif (x['group'], x['variation']) == (0, 0):
            cut, rule = i, 'group0_variation0'
        elif (x['group'], x['variation']) in WIRESHARK_UNKNOWN_VARIATIONS:
            cut, rule = i, 'unknown_variation'
        if cut is not None:
            used[rule] += 1
            keep = ('group', 'variation', 'qualifier') if rule != 'group0_variation0' else \
                ('group', 'variation', 'qualifier', 'range.start', 'range.stop', 'range.quantity')
            t = dict(t, objects=t['objects'][:cut] + [{k: x[k] for k in keep if k in x}])
            o['objects'] = o['objects'][:cut] + [{k: v for k, v in o['objects'][cut].items() if k in keep}] \
                if len(o['objects']) > cut else o['objects']
            break
    n = len(t['objects'])
    if exception and len(o['objects']) > n and o['objects'][:n] == t['objects']:
        used['tshark_exception'] += 1
        o['objects'] = o['objects'][:n]
    return t, o


def compare(name, theirs, ours, used):
    problems = []
    skipped = [r for r in theirs if r.get('retransmission')]
    used['retransmission'] += len(skipped)
    theirs = [r for r in theirs if not r.get('retransmission')]
    for i in range(max(len(theirs), len(ours))):
        t = theirs[i] if i < len(theirs) else None
        o = ours[i] if i < len(ours) else None
        t, o = explain(t, o, used)
        if t != o:
            problems.append('%s record %d:\n  tshark: %s\n  mamori: %s' % (name, i, t, o))
            break  # the rest of the sequence is shifted; the first difference is what matters
    return problems


def anomalies(events, name):
    return sum(1 for ev in events if ev.get('anomaly') == name)


def main():
    if not CORPUS or not MAMORI:
        print('MAMORI_CORPUS and MAMORI_BIN must be set')
        return 1
    files = sorted({f for p in PATTERNS for f in glob.glob(os.path.join(CORPUS, p), recursive=True)})
    if len(files) < 100:
        print('expected over 100 DNP3 captures under %s, found %d' % (CORPUS, len(files)))
        return 1
    failures, compared_app, compared_link = [], 0, 0
    used = {rule: 0 for rule in TSHARK_ERRORS}
    per_file_events = {}

    def decode_both(path):
        return mamori_run(path), tshark_records(path)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(decode_both, files))
    for path, ((rc, events, err), theirs) in zip(files, results):
        name = os.path.relpath(path, CORPUS)
        per_file_events[name] = events
        if rc != 0:
            failures.append('%s: mamori exited %d: %s' % (name, rc, err.strip()[-300:]))
            continue
        ours = mamori_records(events)
        compared_app += sum(1 for r in theirs if r['kind'] == 'app')
        compared_link += sum(1 for r in theirs if r['kind'] == 'link')
        failures.extend(compare(name, theirs, ours, used))

    checks = [
        # suricata-verify test.yaml: 33 requests, one flood alert (sid 2270000)
        ('suricata-verify/dnp3/dnp3-flood/input.pcap', 'flooded', 1),
        # none of them answered: the 32 still tracked (the flood dropped the oldest) at the end of the flow
        ('suricata-verify/dnp3/dnp3-flood/input.pcap', 'unanswered_request', 32),
        # one request, one too-many-points alert
        ('suricata-verify/dnp3/dnp3-max-points/test.pcap', 'too_many_points', 1),
        # one alert: a request reassembly that grows past the bound
        ('suricata-verify/dnp3/dnp3-too-long-reassembly-request/input.pcap', 'fragment_too_long', 1),
    ]
    for name, anomaly, want in checks:
        got = anomalies(per_file_events.get(name, []), anomaly)
        if got != want:
            failures.append('%s: %d %s events, expected %d' % (name, got, anomaly, want))
    flood_requests = sum(1 for ev in per_file_events.get(checks[0][0], [])
                         if ev.get('role') == 'request' and ev.get('kind') != 'anomaly')
    if flood_requests != 33:
        failures.append('dnp3-flood: %d request events, expected 33' % flood_requests)
    malformed = per_file_events.get('ITI-ICS-Security-Tools/openics/DNP3-Malformed.pcap', [])
    if anomalies(malformed, 'malformed') + anomalies(malformed, 'unknown_object') < 100:
        failures.append('DNP3-Malformed.pcap: only %d malformed/unknown_object events'
                        % (anomalies(malformed, 'malformed') + anomalies(malformed, 'unknown_object')))

    print('%d captures, %d application fragments and %d link frames compared with tshark'
          % (len(files), compared_app, compared_link))
    for rule, count in used.items():
        if count:
            print('explained as tshark error (%s), %d records: %s' % (rule, count, TSHARK_ERRORS[rule]))
    for f in failures:
        print('FAIL ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
