#!/usr/bin/python3
"""test_scenarios.py — end to end: generate.py writes benign and attack
captures, `mamori --learn` builds a baseline from the benign capture, then
`mamori --sector electric-power --site --baseline -r ATTACK` must raise exactly
the expected alerts (category, technique, source, destination, count) and
nothing for benign traffic recorded an hour later. Counts that come from the
decoders' own verdicts (anomaly events, exception responses) are taken from
the event log of the same run, so they are exact without hard-coding what
another module decides. Also: the same capture under two sectors, the
profile checker and the baseline commands. Needs MAMORI_BIN and
MAMORI_SOURCE_ROOT (tests/meson.build test_env)."""
import json
import os
import subprocess
import sys
import tempfile

MAMORI = os.environ['MAMORI_BIN']
SOURCE = os.environ['MAMORI_SOURCE_ROOT']
GENERATOR = os.path.join(SOURCE, 'tests', 'scenarios', 'generate.py')

MASTER, PLC, OUTSTATION, IED = '10.10.0.10', '10.10.1.20', '10.10.1.30', '10.10.1.40'
ATTACKER, NEW_CLIENT, OUTSIDER = '10.10.0.66', '10.10.0.77', '203.0.113.50'
GOOSE_SRC, GOOSE_DST = '00:0c:cd:01:00:01', '01:0c:cd:01:00:01'

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL:', what)


def run(args, expect_rc=0):
    p = subprocess.run([MAMORI] + args, capture_output=True, text=True)
    check(p.returncode == expect_rc, '%s: exit %d, expected %d; stderr: %s' %
          (' '.join(args), p.returncode, expect_rc, p.stderr.strip()[-400:]))
    return p


def records(args):
    """Runs mamori and returns (alerts, events) from its JSON lines."""
    out = run(args).stdout
    alerts, events = [], []
    for line in out.splitlines():
        r = json.loads(line)
        if r['type'] == 'alert':
            alerts.append(r)
        elif r['type'] == 'event':
            events.append(r)
    return alerts, events


# electric-power's limits (all scenario captures last well under their 60 s windows)
ANOMALY_LIMIT, UNANSWERED_LIMIT = 10, 20


def anomalies_from(events, src):
    return sum(1 for e in events if e['kind'] == 'anomaly' and e.get('src') == src and
               e.get('anomaly') != 'unanswered_request')


def unanswered_from(events, src):
    return sum(1 for e in events if e.get('anomaly') == 'unanswered_request' and e.get('src') == src)


def decoder_verdicts(events, client, server):
    """The windowed alerts that follow from the decoders' own anomaly events:
    a protocol-anomaly storm and unanswered requests, when over the limits."""
    out = []
    n = anomalies_from(events, client)
    if n >= ANOMALY_LIMIT:
        out.append(('protocol-anomaly', 'T0866', client, '*', n))
    n = unanswered_from(events, client)
    if n >= UNANSWERED_LIMIT:
        out.append(('unanswered-requests', 'T0814', client, server, n))
    return out


def exceptions_from(events, src):
    return sum(1 for e in events if e.get('op') == 'exception' and e.get('src') == src)


# Per attack capture: the exact alerts, as (category, technique, src, dst, count);
# a count given as a function is computed from the run's events.
EXPECTED = {
    'modbus_unauthorized_write': [('unauthorized-write', 'T0836', ATTACKER, PLC, 1)],
    'modbus_restart': [('device-restart', 'T0816', ATTACKER, PLC, 1)],
    'modbus_listen_only': [('listen-only', 'T0814', ATTACKER, PLC, 1)],
    'modbus_program_download': [('program-download', 'T0843', ATTACKER, PLC, 1)],
    'modbus_unit_sweep': [
        ('new-peer', 'T0801', ATTACKER, PLC, 1),
        ('unit-sweep', 'T0846', ATTACKER, PLC, 200),
        ('exception-storm', 'T0888', PLC, ATTACKER, lambda ev: exceptions_from(ev, PLC)),
    ],
    'modbus_function_sweep': [
        ('new-peer', 'T0848', ATTACKER, PLC, 1),
        ('unauthorized-command', 'T0855', ATTACKER, PLC, 1),
        ('function-sweep', 'T0888', ATTACKER, PLC, 25),
        ('exception-storm', 'T0888', PLC, ATTACKER, lambda ev: exceptions_from(ev, PLC)),
    ],
    'modbus_identify_sweep': [
        ('new-peer', 'T0888', ATTACKER, PLC, 1),
        ('identify-sweep', 'T0888', ATTACKER, '*', 8),
    ],
    'modbus_flood': [
        ('flood', 'T0814', MASTER, PLC, 3000),
        ('poll-deviation', 'T0814', MASTER, PLC, 1),
    ],
    'external_peer': [
        ('external-peer', 'T0883', OUTSIDER, PLC, 1),
        ('new-peer', 'T0801', OUTSIDER, PLC, 1),
    ],
    'dnp3_cold_restart': [('device-restart', 'T0816', ATTACKER, OUTSTATION, 1)],
    'dnp3_disable_unsolicited': [('alarm-suppression', 'T0878', ATTACKER, OUTSTATION, 1)],
    'dnp3_stop_application': [('mode-change', 'T0858', ATTACKER, OUTSTATION, 1)],
    'dnp3_direct_operate': [('unauthorized-operate', 'T0855', ATTACKER, OUTSTATION, 1)],
    'dnp3_spoofed_unsolicited': [('new-peer', 'T0856', ATTACKER, MASTER, 1)],
    'dnp3_address_scan': [
        ('new-peer', 'T0801', ATTACKER, OUTSTATION, 1),
        ('unit-sweep', 'T0846', ATTACKER, OUTSTATION, 100),
    ],
    'mms_name_enumeration': [
        ('new-peer', 'T0848', NEW_CLIENT, IED, 1),
        ('name-enumeration', 'T0888', NEW_CLIENT, IED, 30),
    ],
    'mms_program_download': [
        ('new-peer', 'T0848', ATTACKER, IED, 1),
        ('program-download', 'T0843', ATTACKER, IED, 1),
    ],
    'goose_integrity': [('integrity-anomaly', 'T0856', GOOSE_SRC, GOOSE_DST, 1)],
    'forbidden_rdp': [('remote-access', 'T0886', ATTACKER, PLC, 1)],
    'forbidden_smb': [('forbidden-protocol', 'T0869', ATTACKER, PLC, 1)],
    'tor_like': [('external-peer', 'T0883', PLC, '198.51.100.23', 1)],
}


def alert_tuples(alerts):
    return sorted((a['category'], a['technique'], a['src'], a['dst'], a['count']) for a in alerts)


def check_attacks(d, baseline, detect):
    for name, expected in sorted(EXPECTED.items()):
        alerts, events = records(detect + ['--baseline', baseline, '-r', os.path.join(d, name + '.pcap')])
        want = [(c, t, s, dst, n(events) if callable(n) else n) for c, t, s, dst, n in expected]
        client, server = expected[0][2], expected[0][3]
        want = sorted(want + decoder_verdicts(events, client, server))
        got = alert_tuples(alerts)
        check(got == want, '%s: alerts %s, expected %s' % (name, got, want))
        for a in alerts:
            check(a['sector'] == 'electric-power' and a['site'] == 'scenario-substation' and a['schema'] == 1,
                  '%s: sector/site/schema of %s' % (name, a['category']))
            check(bool(a['summary']) and '\n' not in a['summary'], '%s: one-line summary' % name)
            check(len(a['evidence'].get('events', [])) >= 1 or 'flow' in a['evidence'],
                  '%s: %s has evidence' % (name, a['category']))


def check_timed_learning(d, site):
    """--learn=30: learn the first 30 s of capture time, save, then judge the
    rest of the same benign minute with what was learned: no alerts."""
    half = os.path.join(d, 'half.baseline')
    alerts, _ = records(['--sector', 'electric-power', '--site', site, '--learn=30', '--baseline', half, '-r',
                         os.path.join(d, 'benign.pcap')])
    check(alerts == [], '--learn=30 then detection on benign: %s' % alert_tuples(alerts))
    with open(half) as f:
        text = f.read()
    check('\npair modbus 10.10.0.10 > 10.10.1.20 ops=read,write functions=3,6 ' in text and
          'requests=33 ' in text, 'baseline of the first 30 s: %s' % text)


def check_workers_agree(d, baseline, detect):
    """The engine is shared by the workers: a sweep split over flows handled by
    different workers is still one alert."""
    one, _ = records(detect + ['--baseline', baseline, '-r', os.path.join(d, 'modbus_unit_sweep.pcap')])
    four, _ = records(detect + ['--baseline', baseline, '--workers', '4', '-r',
                                os.path.join(d, 'modbus_unit_sweep.pcap')])
    check(alert_tuples(one) == alert_tuples(four), 'workers 1 vs 4: %s vs %s' % (alert_tuples(one),
                                                                              alert_tuples(four)))


def check_config_file(d, baseline, site, detect):
    """The judges' settings from the config file (judge.*, inventory.*) give the
    same verdicts as the command line, which wins where both speak."""
    sweep = os.path.join(d, 'modbus_unit_sweep.pcap')
    database = os.path.join(d, 'config-inventory.db')
    config = os.path.join(d, 'judges.yaml')
    with open(config, 'w') as f:
        f.write('judge:\n  sector: electric-power\n  site: %s\n  baseline: %s\n  sensor: from-config\n'
                'inventory:\n  database: %s\n' % (site, baseline, database))
    from_cli, _ = records(detect + ['--baseline', baseline, '-r', sweep])
    from_file, _ = records(['-c', config, '-r', sweep])
    check(alert_tuples(from_file) == alert_tuples(from_cli) and from_cli,
          'judge.* from the config file: %s vs %s' % (alert_tuples(from_file), alert_tuples(from_cli)))
    check(all(a['sensor'] == 'from-config' for a in from_file), 'judge.sensor names the alerts')
    listed = [json.loads(line) for line in run(['inventory', '--db', database, '--format', 'json']).stdout.splitlines()]
    check(any(dev['address'] == PLC and any(r['protocol'] == 'modbus' and r['role'] == 'server' for r in dev['roles'])
              for dev in listed),
          'inventory.database kept the PLC: %s' % str(listed)[:300])
    overridden, _ = records(['-c', config, '--sensor', 'from-cli', '-r', sweep])
    check(overridden and all(a['sensor'] == 'from-cli' for a in overridden), 'the command line wins: %s' %
          [a['sensor'] for a in overridden])
    no_sector = os.path.join(d, 'site-only.yaml')
    with open(no_sector, 'w') as f:
        f.write('judge:\n  site: %s\n' % site)
    p = run(['-c', no_sector, '-r', sweep], expect_rc=2)
    check('--site (judge.site): needs --sector NAME (or judge.sector)' in p.stderr, 'a site without a sector is refused: %r' % p.stderr)


def check_sector_verdicts(d, site):
    benign = os.path.join(d, 'benign.pcap')
    power, _ = records(['--sector', 'electric-power', '--site', site, '-r', benign])
    check(power == [], 'electric-power on benign traffic: %s' % alert_tuples(power))
    finance, _ = records(['--sector', 'financial-services', '--site', site, '-r', benign])
    check(alert_tuples(finance) == sorted([
        ('unexpected-protocol', 'T0869', MASTER, OUTSTATION, 1),
        ('unexpected-protocol', 'T0869', MASTER, IED, 1),
        ('unexpected-protocol', 'T0869', GOOSE_SRC, GOOSE_DST, 1),
    ]), 'financial-services on the same capture: %s' % alert_tuples(finance))
    # Without a site file nobody is a listed master: the setpoint writes are alerts.
    bare, _ = records(['--sector', 'electric-power', '-r', benign])
    check(alert_tuples(bare) == [('unauthorized-write', 'T0836', MASTER, PLC, 1)],
          'electric-power without a site file: %s' % alert_tuples(bare))


def check_real_goose_capture():
    """A real GOOSE capture from the corpus: normal in electric-power; in
    financial-services one unexpected-protocol alert per publisher, the
    publishers being exactly those tshark sees."""
    corpus = os.environ.get('MAMORI_CORPUS')
    capture = os.path.join(corpus or '', 'ITI-ICS-Security-Tools', 'IEC61850', 'GOOSE', 'Sample_File_GOOSE.pcap')
    if not corpus or not os.path.exists(capture):
        check(False, 'corpus capture missing: %s' % capture)
        return
    fields = subprocess.run(['tshark', '-r', capture, '-Y', 'goose', '-T', 'fields', '-e', 'eth.src', '-e',
                             'eth.dst'], capture_output=True, text=True, check=True).stdout
    publishers = sorted(set(tuple(line.split('\t')) for line in fields.splitlines() if line))
    check(len(publishers) == 3, 'tshark publishers: %s' % publishers)
    power, _ = records(['--sector', 'electric-power', '-r', capture])
    check(power == [], 'real GOOSE in electric-power: %s' % alert_tuples(power))
    finance, _ = records(['--sector', 'financial-services', '-r', capture])
    check(alert_tuples(finance) == sorted(('unexpected-protocol', 'T0869', src, dst, 1) for src, dst in publishers),
          'real GOOSE in financial-services: %s' % alert_tuples(finance))


def check_profiles_and_errors(d):
    profiles = sorted(os.path.join(SOURCE, 'sectors', 'profiles', f)
                      for f in os.listdir(os.path.join(SOURCE, 'sectors', 'profiles')))
    check(len(profiles) == 14, '14 profiles, found %d' % len(profiles))
    p = run(['profile', 'check'] + profiles)
    check(p.stdout.count(': ok\n') == 14, 'profile check: %s' % p.stdout)
    bad = os.path.join(d, 'bad-site.yaml')
    with open(bad, 'w') as f:
        f.write('site: x\nmasters: [10.0.0.1]\nthresholds:\n  flood: {limit: 0, window: 1}\n')
    p = run(['profile', 'check', bad], expect_rc=1)
    check(p.stderr == '%s:4: threshold limit: expected a whole number from 1 to 1000000000, got \'0\'\n' % bad,
          'bad site file error: %r' % p.stderr)
    p = run(['--sector', 'gas', '--site', bad, '-r', os.path.join(d, 'benign.pcap')], expect_rc=2)
    check(('%s:4: threshold limit' % bad) in p.stderr, 'bad --site stops the run: %r' % p.stderr)
    p = run(['--sector', 'fisheries', '-r', os.path.join(d, 'benign.pcap')], expect_rc=2)
    check("no profile for sector 'fisheries'" in p.stderr, 'unknown sector: %r' % p.stderr)


def check_baseline_commands(d, baseline, site):
    p = run(['baseline', 'show', baseline])
    with open(baseline) as f:
        check(p.stdout == f.read(), 'baseline show prints the saved file')
    check('pair modbus 10.10.0.10 > 10.10.1.20 ops=read,write functions=3,6 units=1 ranges=3:0-9,6:5-5 '
          'objects= period_ms=900 #' in p.stdout, 'learned Modbus pair: %s' % p.stdout)
    check('publisher goose 00:0c:cd:01:00:01 object=IED1LD0/LLN0$GO$gcb01 interval_ms=1000 #' in p.stdout,
          'learned GOOSE publisher')
    # Learn the attack on top of a copy: the diff names exactly what it added.
    changed = os.path.join(d, 'changed.txt')
    run(['--sector', 'electric-power', '--site', site, '--learn', '--baseline', changed, '-r',
         os.path.join(d, 'modbus_unauthorized_write.pcap')])
    p = run(['baseline', 'diff', baseline, changed], expect_rc=1)
    check('+ pair modbus 10.10.0.66 > 10.10.1.20 ops=write functions=6 units=1 ranges=6:5-5 objects= '
          'period_ms=0\n' in p.stdout, 'baseline diff: %s' % p.stdout)
    check(all(line[:2] in ('+ ', '- ') for line in p.stdout.splitlines()), 'diff lines are +/-')
    approved = os.path.join(d, 'approved.txt')
    with open(baseline) as src, open(approved, 'w') as dst:
        dst.write(src.read())
    run(['baseline', 'approve', approved, changed])
    alerts, _ = records(['--sector', 'electric-power', '--site', site, '--baseline', approved, '-r',
                         os.path.join(d, 'modbus_unauthorized_write.pcap')])
    check(alerts == [], 'an approved change is no longer an alert: %s' % alert_tuples(alerts))
    p = run(['baseline', 'show', os.path.join(d, 'site.yaml')], expect_rc=1)
    check(p.stderr.startswith(os.path.join(d, 'site.yaml') + ':1: unknown fact'), 'not a baseline: %r' % p.stderr)


def main():
    with tempfile.TemporaryDirectory(prefix='mamori-scenarios-') as d:
        subprocess.run(['/usr/bin/python3', GENERATOR, d], check=True)
        site = os.path.join(d, 'site.yaml')
        baseline = os.path.join(d, 'baseline.txt')
        run(['--sector', 'electric-power', '--site', site, '--learn', '--baseline', baseline, '-r',
             os.path.join(d, 'benign.pcap')])
        detect = ['--sector', 'electric-power', '--site', site]
        later, _ = records(detect + ['--baseline', baseline, '-r', os.path.join(d, 'benign_later.pcap')])
        check(later == [], 'benign traffic after learning: %s' % alert_tuples(later))
        check_attacks(d, baseline, detect)
        check_timed_learning(d, site)
        check_workers_agree(d, baseline, detect)
        check_config_file(d, baseline, site, detect)
        check_sector_verdicts(d, site)
        check_real_goose_capture()
        check_profiles_and_errors(d)
        check_baseline_commands(d, baseline, site)
    if failures:
        print('%d checks failed' % len(failures))
        sys.exit(1)
    print('all scenario checks passed')


if __name__ == '__main__':
    main()
