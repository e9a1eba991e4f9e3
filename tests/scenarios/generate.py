#!/usr/bin/python3
"""generate.py — deterministic benign and attack captures for the detection
engine, in real wire formats: Modbus/TCP, DNP3 over TCP (link CRCs), IEC 61850
MMS over TPKT/COTP/session/presentation, GOOSE on Ethernet, plus RDP, SMB2
and TLS flows for nDPI to label.

Usage: generate.py OUTDIR   (writes one .pcap per scenario and site.yaml)

Every packet, port, sequence number and timestamp is fixed, so the same
captures come out on every run. The site (site.yaml): networks 10.10.0.0/16,
engineering station 10.10.0.5, SCADA master 10.10.0.10; the PLC (Modbus) is
10.10.1.20, the DNP3 outstation 10.10.1.30 (link address 10, master 1), the
IED (MMS) 10.10.1.40, the GOOSE publisher 00:0c:cd:01:00:01. Attackers are
10.10.0.66 (inside), 10.10.0.77 (a new MMS client) and 203.0.113.50 (outside).
"""
import os
import struct
import sys

from scapy.all import Ether, IP, TCP, Dot1Q, Raw, wrpcap  # noqa: E402

T0 = 1700000000.0
MASTER, ENGINEERING = '10.10.0.10', '10.10.0.5'
PLC, OUTSTATION, IED = '10.10.1.20', '10.10.1.30', '10.10.1.40'
ATTACKER, NEW_CLIENT, OUTSIDER = '10.10.0.66', '10.10.0.77', '203.0.113.50'
GOOSE_SRC, GOOSE_DST = '00:0c:cd:01:00:01', '01:0c:cd:01:00:01'
GOCB_REF = b'IED1LD0/LLN0$GO$gcb01'
DNP3_MASTER_ADDR, DNP3_OUTSTATION_ADDR = 1, 10

SITE_YAML = """site: scenario-substation
networks: [10.10.0.0/16]
engineering_stations: [10.10.0.5]
masters: [10.10.0.10]
"""


def mac_of(ip):
    """A stable MAC per IP address."""
    a = [int(x) for x in ip.split('.')]
    return '02:00:%02x:%02x:%02x:%02x' % tuple(a)


class TcpSession:
    """A TCP connection with a handshake and in-order payloads both ways."""

    def __init__(self, out, client, server, sport, dport, t):
        self.out, self.client, self.server = out, client, server
        self.sport, self.dport = sport, dport
        self.cseq, self.sseq = 1000, 5000
        self.t = t
        self._send(True, 'S', b'')
        self.cseq += 1
        self._send(False, 'SA', b'')
        self.sseq += 1
        self._send(True, 'A', b'')

    def _send(self, from_client, flags, payload):
        src, dst = (self.client, self.server) if from_client else (self.server, self.client)
        sport, dport = (self.sport, self.dport) if from_client else (self.dport, self.sport)
        seq, ack = (self.cseq, self.sseq) if from_client else (self.sseq, self.cseq)
        if flags == 'S':
            ack = 0
        pkt = (Ether(src=mac_of(src), dst=mac_of(dst)) / IP(src=src, dst=dst, id=len(self.out) & 0xffff) /
               TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, window=8192))
        if payload:
            pkt = pkt / Raw(payload)
        pkt.time = self.t
        self.t += 0.0001
        self.out.append(pkt)

    def request(self, payload, t=None):
        if t is not None:
            self.t = max(self.t, t)
        self._send(True, 'PA', payload)
        self.cseq += len(payload)

    def response(self, payload, delay=0.002):
        self.t += delay
        self._send(False, 'PA', payload)
        self.sseq += len(payload)

    def close(self):
        self._send(True, 'FA', b'')
        self.cseq += 1
        self._send(False, 'FA', b'')
        self.sseq += 1
        self._send(True, 'A', b'')


# ---- Modbus/TCP ----

def mbap(tid, unit, pdu):
    return struct.pack('>HHHB', tid, 0, len(pdu) + 1, unit) + pdu


def mb_read_holding(tid, unit, start, count):
    return mbap(tid, unit, struct.pack('>BHH', 3, start, count))


def mb_read_holding_rsp(tid, unit, values):
    return mbap(tid, unit, struct.pack('>BB', 3, 2 * len(values)) + b''.join(struct.pack('>H', v) for v in values))


def mb_write_single(tid, unit, addr, value):
    return mbap(tid, unit, struct.pack('>BHH', 6, addr, value))


def mb_exception(tid, unit, fc, code):
    return mbap(tid, unit, struct.pack('>BB', fc | 0x80, code))


def mb_diagnostics(tid, unit, sub, data):
    return mbap(tid, unit, struct.pack('>BHH', 8, sub, data))


def mb_umas(tid, unit, session, code, data=b''):
    return mbap(tid, unit, struct.pack('>BBB', 0x5A, session, code) + data)


def mb_read_device_id(tid, unit):
    """Encapsulated interface transport 0x2B / MEI 0x0E, basic device identification."""
    return mbap(tid, unit, bytes([0x2B, 0x0E, 0x01, 0x00]))


def mb_device_id_rsp(tid, unit):
    objects = b''.join(bytes([i, len(v)]) + v for i, v in enumerate([b'ACME', b'PLC-9000', b'v2.1']))
    return mbap(tid, unit, bytes([0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x03]) + objects)


# ---- DNP3 ----

def dnp3_crc(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA6BC if crc & 1 else crc >> 1
    return struct.pack('<H', ~crc & 0xFFFF)


def dnp3_frame(dst, src, from_master, user_data):
    """Link frame (unconfirmed user data) with a CRC after the header and
    after every 16-byte block of user data."""
    ctrl = 0xC4 if from_master else 0x44
    header = struct.pack('<BBBBHH', 0x05, 0x64, 5 + len(user_data), ctrl, dst, src)
    out = header + dnp3_crc(header)
    for i in range(0, len(user_data), 16):
        block = user_data[i:i + 16]
        out += block + dnp3_crc(block)
    return out


def dnp3_request(seq, fc, objects=b'', dst=DNP3_OUTSTATION_ADDR):
    transport = 0xC0 | (seq & 0x3F)
    app = bytes([0xC0 | (seq & 0x0F), fc]) + objects
    return dnp3_frame(dst, DNP3_MASTER_ADDR, True, bytes([transport]) + app)


def dnp3_response(seq, objects=b'', iin=0x0000, src=DNP3_OUTSTATION_ADDR):
    transport = 0xC0 | (seq & 0x3F)
    app = bytes([0xC0 | (seq & 0x0F), 0x81]) + struct.pack('>H', iin) + objects
    return dnp3_frame(DNP3_MASTER_ADDR, src, False, bytes([transport]) + app)


def dnp3_unsolicited(seq, objects, src=DNP3_OUTSTATION_ADDR):
    """An unsolicited response (FC 0x82, UNS and CON set) from an outstation."""
    transport = 0xC0 | (seq & 0x3F)
    app = bytes([0xF0 | (seq & 0x0F), 0x82]) + struct.pack('>H', 0x0000) + objects
    return dnp3_frame(DNP3_MASTER_ADDR, src, False, bytes([transport]) + app)


CLASS0 = bytes([60, 1, 0x06])                  # g60v1, all objects
ANALOG_INPUTS = bytes([30, 1, 0x00, 0, 1]) + struct.pack('<BiBi', 0x01, 1200, 0x01, 1250)  # g30v1 0-1
CROB = bytes([12, 1, 0x28]) + struct.pack('<HH', 1, 0) + struct.pack('<BBII', 0x03, 1, 100, 0) + b'\x00'
UNSOLICITED_CLASSES = bytes([60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06])


# ---- BER and the ISO stack under MMS ----

def ber(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return (tag.to_bytes(2, 'big') if tag > 0xFF else bytes([tag])) + length + content


def tpkt(payload):
    return struct.pack('>BBH', 3, 0, 4 + len(payload)) + payload


def cotp_cr_cc(code):
    params = bytes([0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x00, 0x01, 0xC2, 0x02, 0x00, 0x01])
    body = bytes([code, 0x00, 0x00 if code == 0xE0 else 0x44, 0x00, 0x07, 0x00]) + params
    return tpkt(bytes([len(body)]) + body)


def mms_data(mms_pdu):
    """COTP DT, session give-tokens + data transfer, presentation fully-encoded
    data (context 3) around one MMS PDU."""
    pdv = ber(0x30, ber(0x02, b'\x03') + ber(0xA0, mms_pdu))
    presentation = ber(0x61, pdv)
    return tpkt(bytes([2, 0xF0, 0x80]) + bytes([1, 0, 1, 0]) + presentation)


def mms_confirmed_request(invoke_id, service):
    return ber(0xA0, ber(0x02, bytes([invoke_id])) + service)


def mms_confirmed_response(invoke_id, service):
    return ber(0xA1, ber(0x02, bytes([invoke_id])) + service)


def mms_read(domain, item):
    name = ber(0xA1, ber(0x1A, domain) + ber(0x1A, item))
    return ber(0xA4, ber(0xA1, ber(0xA0, ber(0x30, ber(0xA0, name)))))


def mms_read_rsp_float(value):
    return ber(0xA4, ber(0xA1, ber(0x87, b'\x08' + struct.pack('>f', value))))


def mms_get_name_list(object_class, continue_after=None):
    args = ber(0xA0, ber(0x80, bytes([object_class]))) + ber(0xA1, ber(0x80, b''))
    if continue_after:
        args += ber(0x82, continue_after)
    return ber(0xA1, args)


def mms_get_name_list_rsp(names):
    return ber(0xA1, ber(0xA0, b''.join(ber(0x1A, n) for n in names)) + ber(0x81, b'\x00'))


def mms_initiate_download(domain):
    return ber(0xBA, ber(0x80, domain) + ber(0xA1, b'') + ber(0x82, b'\x00'))


class MmsSession(TcpSession):
    def __init__(self, out, client, t):
        super().__init__(out, client, IED, 49152 + len(out) % 1000, 102, t)
        self.request(cotp_cr_cc(0xE0))
        self.response(cotp_cr_cc(0xD0))
        self.invoke = 0

    def call(self, service, reply, t=None):
        self.invoke = (self.invoke + 1) % 120
        self.request(mms_data(mms_confirmed_request(self.invoke, service)), t)
        if reply is not None:
            self.response(mms_data(mms_confirmed_response(self.invoke, reply)))


# ---- GOOSE ----

def goose_frame(t, st_num, sq_num, src=GOOSE_SRC, simulation=False, ttl=2000, appid=0x0001):
    utc = struct.pack('>II', int(t), int((t % 1) * (1 << 24)) << 8)
    pdu = (ber(0x80, GOCB_REF) + ber(0x81, struct.pack('>H', ttl)) + ber(0x82, b'IED1LD0/LLN0$DataSet01') +
           ber(0x83, b'IED1LD0/LLN0$GO$gcb01') + ber(0x84, utc) + ber(0x85, bytes([st_num])) +
           ber(0x86, struct.pack('>H', sq_num)) + ber(0x87, b'\xff' if simulation else b'\x00') +
           ber(0x88, b'\x01') + ber(0x89, b'\x00') + ber(0x8A, b'\x02') +
           ber(0xAB, ber(0x83, b'\x00') + ber(0x84, b'\x03\x00')))
    goose = ber(0x61, pdu)
    header = struct.pack('>HHHH', appid, 8 + len(goose), 0, 0)
    pkt = Ether(src=src, dst=GOOSE_DST) / Dot1Q(prio=4, vlan=0, type=0x88B8) / Raw(header + goose)
    pkt.time = t
    return pkt


# ---- scenarios ----

def benign(out, t=T0, seconds=60):
    """The site's normal minute: the master polls the PLC and writes a
    setpoint, polls the outstation, reads a value from the IED; the IED
    publishes GOOSE."""
    plc = TcpSession(out, MASTER, PLC, 40001, 502, t)
    dnp = TcpSession(out, MASTER, OUTSTATION, 40002, 20000, t)
    mms = MmsSession(out, MASTER, t)
    for i in range(seconds):
        now = t + 1 + i
        plc.request(mb_read_holding(2 * i, 1, 0, 10), now)
        plc.response(mb_read_holding_rsp(2 * i, 1, [200 + (i % 5)] + [i % 3] * 9))
        if i % 10 == 5:
            plc.request(mb_write_single(2 * i + 1, 1, 5, 20 + i // 10), now + 0.5)
            plc.response(mb_write_single(2 * i + 1, 1, 5, 20 + i // 10))
        if i % 5 == 0:
            dnp.request(dnp3_request(i, 0x01, CLASS0), now + 0.2)
            dnp.response(dnp3_response(i, ANALOG_INPUTS))
        if i % 10 == 0:
            mms.call(mms_read(b'IED1LD0', b'MMXU1$MX$TotW$mag$f'), mms_read_rsp_float(1500.0 + i), now + 0.3)
        out.append(goose_frame(now + 0.4, 1, i))
    plc.close()
    dnp.close()
    mms.close()


def modbus_attack(out, payloads, client=ATTACKER, t=T0 + 100, reply=None):
    s = TcpSession(out, client, PLC, 41000 + len(out) % 1000, 502, t)
    for i, p in enumerate(payloads):
        s.request(p, t + 0.1 * (i + 1))
        r = reply(i, p) if reply else None
        if r:
            s.response(r)
    s.close()


def dnp3_attack(out, requests, client=ATTACKER, t=T0 + 100, dst=DNP3_OUTSTATION_ADDR):
    s = TcpSession(out, client, OUTSTATION, 42000, 20000, t)
    for i, (fc, objects) in enumerate(requests):
        s.request(dnp3_request(i, fc, objects, dst), t + 0.1 * (i + 1))
        s.response(dnp3_response(i, iin=0x0000, src=dst))
    s.close()


def scenarios():
    s = {}

    def new(name):
        s[name] = []
        return s[name]

    benign(new('benign'))
    benign(new('benign_later'), t=T0 + 3600)

    modbus_attack(new('modbus_unauthorized_write'), [mb_write_single(1, 1, 5, 9999)],
                  reply=lambda i, p: p)
    modbus_attack(new('modbus_restart'), [mb_diagnostics(1, 1, 0x0001, 0x0000)], reply=lambda i, p: p)
    modbus_attack(new('modbus_listen_only'), [mb_diagnostics(1, 1, 0x0004, 0x0000)])
    modbus_attack(new('modbus_program_download'),
                  [mb_umas(1, 1, 0x00, 0x30, b'\x01\x00\x00\x00'), mb_umas(2, 1, 0x00, 0x31, b'\x01\x00' + bytes(64))],
                  reply=lambda i, p: mbap(i + 1, 1, b'\x5a\x00\xfe'))
    modbus_attack(new('modbus_unit_sweep'), [mb_read_holding(u, u, 0, 1) for u in range(1, 201)],
                  reply=lambda i, p: mb_exception(i + 1, i + 1, 3, 0x0B) if i else mb_read_holding_rsp(1, 1, [200]))
    modbus_attack(new('modbus_function_sweep'),
                  [mbap(f, 1, bytes([f]) + b'\x00\x00\x00\x01') for f in (7, 9, 10, 12, 13, 14, 18, 19, 25, 26,
                                                                             27, 28, 29, 30, 31, 32, 33, 34, 35,
                                                                             36, 37, 38, 39, 40, 41)],
                  reply=lambda i, p: mb_exception(p[0] * 256 + p[1], 1, p[7], 0x01))
    modbus_attack(new('modbus_identify_sweep'), [mb_read_device_id(u, u) for u in range(1, 9)],
                  reply=lambda i, p: mb_device_id_rsp(i + 1, i + 1))
    modbus_attack(new('modbus_flood'), [mb_read_holding(i & 0xFFFF, 1, 0, 10) for i in range(3000)],
                  client=MASTER, t=T0 + 100)
    # The flood's requests come 0.1 s apart in modbus_attack; squeeze them.
    for pkt in s['modbus_flood']:
        pkt.time = T0 + 100 + (pkt.time - (T0 + 100)) / 200.0
    modbus_attack(new('external_peer'), [mb_read_holding(1, 1, 0, 10)], client=OUTSIDER,
                  reply=lambda i, p: mb_read_holding_rsp(1, 1, [200] + [0] * 9))

    dnp3_attack(new('dnp3_cold_restart'), [(0x0D, b'')])
    dnp3_attack(new('dnp3_disable_unsolicited'), [(0x15, UNSOLICITED_CLASSES)])
    dnp3_attack(new('dnp3_stop_application'), [(0x12, b'')])
    dnp3_attack(new('dnp3_direct_operate'), [(0x05, CROB)])
    spoof = new('dnp3_spoofed_unsolicited')
    s5 = TcpSession(spoof, ATTACKER, MASTER, 42002, 20000, T0 + 100)
    s5.request(dnp3_unsolicited(0, ANALOG_INPUTS), T0 + 100.1)
    s5.close()
    scan = new('dnp3_address_scan')
    sess = TcpSession(scan, ATTACKER, OUTSTATION, 42001, 20000, T0 + 100)
    for addr in range(1, 101):
        sess.request(dnp3_request(addr, 0x01, CLASS0, dst=addr), T0 + 100 + 0.05 * addr)
        if addr == DNP3_OUTSTATION_ADDR:
            sess.response(dnp3_response(addr, ANALOG_INPUTS))
    sess.close()

    enum = new('mms_name_enumeration')
    m = MmsSession(enum, NEW_CLIENT, T0 + 100)
    for i in range(30):
        m.call(mms_get_name_list(9 if i == 0 else 0, None if i < 2 else b'LLN0$ST'),
               mms_get_name_list_rsp([b'IED1LD0', b'IED1CTRL']), T0 + 100 + 0.2 * (i + 1))
    m.close()
    dl = new('mms_program_download')
    m = MmsSession(dl, ATTACKER, T0 + 100)
    m.call(mms_initiate_download(b'IED1LD0'), None, T0 + 100.5)
    m.close()

    g = new('goose_integrity')
    for i in range(5):
        g.append(goose_frame(T0 + 100 + i, 1, 100 + i))
    g.append(goose_frame(T0 + 105, 40, 0))                      # stNum jumps 1 -> 40
    g.append(goose_frame(T0 + 106, 40, 1, simulation=True))      # simulation flag on a live stream

    # nDPI-labelled flows that have no place in an OT segment.
    rdp = new('forbidden_rdp')
    s2 = TcpSession(rdp, ATTACKER, PLC, 43000, 3389, T0 + 100)
    cookie = b'Cookie: mstshash=operator\r\n'
    x224 = bytes([6 + len(cookie) + 8, 0xE0, 0, 0, 0, 0, 0]) + cookie + bytes([1, 0, 8, 0, 3, 0, 0, 0])
    s2.request(tpkt(x224), T0 + 100.1)
    s2.response(tpkt(bytes([14, 0xD0, 0, 0, 0x12, 0x34, 0, 2, 0, 8, 0, 2, 0, 0, 0])))
    s2.close()
    smb = new('forbidden_smb')
    s3 = TcpSession(smb, ATTACKER, PLC, 43001, 445, T0 + 100)
    smb2_header = (b'\xfeSMB' + struct.pack('<HHIHHIIQIIQ16s', 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, bytes(16)))
    negotiate = struct.pack('<HHHHI16sIHH', 36, 2, 1, 0, 0, bytes(16), 0, 0, 0) + struct.pack('<HH', 0x0202, 0x0210)
    body = smb2_header + negotiate
    s3.request(struct.pack('>I', len(body)) + body, T0 + 100.1)
    s3.close()
    # A PLC opening TLS to an outside relay port with a random-looking name,
    # the way Tor clients and much malware C2 look on the wire.
    tor = new('tor_like')
    s4 = TcpSession(tor, PLC, '198.51.100.23', 43002, 9001, T0 + 100)
    s4.request(tls_client_hello(b'www.q7xmtvb2kslp.com'), T0 + 100.1)
    s4.close()
    return s


def tls_client_hello(server_name):
    sni = struct.pack('>BH', 0, len(server_name)) + server_name
    sni_ext = struct.pack('>HH', 0x0000, len(sni) + 2) + struct.pack('>H', len(sni)) + sni
    versions = struct.pack('>HHB', 0x002B, 3, 2) + b'\x03\x04'
    extensions = sni_ext + versions
    body = (b'\x03\x03' + bytes(range(32)) + b'\x00' + struct.pack('>H', 4) + b'\x13\x01\x13\x02' + b'\x01\x00' +
            struct.pack('>H', len(extensions)) + extensions)
    handshake = b'\x01' + struct.pack('>I', len(body))[1:] + body
    return b'\x16\x03\x01' + struct.pack('>H', len(handshake)) + handshake


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name, packets in scenarios().items():
        packets.sort(key=lambda p: p.time)
        wrpcap(os.path.join(outdir, name + '.pcap'), packets)
    with open(os.path.join(outdir, 'site.yaml'), 'w') as f:
        f.write(SITE_YAML)


if __name__ == '__main__':
    main()
