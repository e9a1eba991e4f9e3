/* gen_mms.c — writes an MMS-heavy benchmark capture: many long-lived IEC 61850
 * client/server connections on TCP/102, each set up with COTP CR/CC and an
 * ACSE association carrying MMS initiate and a read of the server's
 * nameplates (LPHD1 PhyNam and LLN0 NamPlt), then polled round after round
 * the way an IEC 61850 client does: reads of 1-8 measurement variables
 * answered with floats, a structure with quality and UTC time, named data set
 * reads, buffered reports (informationReport) from the server, now and then
 * two reports in one presentation data transfer (two PDV-lists), and now and
 * then a select-before-operate control ($CO$...$SBOw and $Oper writes). Part of the
 * rounds split a response over two TCP segments. Every request is answered.
 * Deterministic for a given seed. Test-only code; the MMS bytes come from the
 * test builder tests/iec61850/mms_wire.c.
 *
 * usage: gen_mms OUT.pcap PACKETS [CONNECTIONS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../iec61850/mms_wire.h"
#include "pcapgen.h"

#define ROUND_US 100000u /* one polling round per connection: 10 rounds per second */
#define SEGMENT_GAP_US 40 /* between segments sent back to back */
#define MMS_PORT 102
#define MAX_VARIABLES 8
#define FRAME_MAX (WIRE_MAX + 256)
#define TWO_REPORTS 4 /* the roll of the 20-sided dice that sends two reports at once */

static const uint8_t initiate_request[] = {
    0xA8, 0x26, 0x80, 0x03, 0x00, 0xFD, 0xE8, 0x81, 0x01, 0x05, 0x82, 0x01, 0x05, 0x83, 0x01, 0x0A,
    0xA4, 0x16, 0x80, 0x01, 0x01, 0x81, 0x03, 0x05, 0xF1, 0x00, 0x82, 0x0C, 0x03, 0xEE, 0x1C, 0x00,
    0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xEF, 0x18};
static const uint8_t initiate_response[] = {
    0xA9, 0x26, 0x80, 0x03, 0x00, 0xFD, 0xE8, 0x81, 0x01, 0x05, 0x82, 0x01, 0x05, 0x83, 0x01, 0x0A,
    0xA4, 0x16, 0x80, 0x01, 0x01, 0x81, 0x03, 0x05, 0xF1, 0x00, 0x82, 0x0C, 0x03, 0xEE, 0x1C, 0x00,
    0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xEF, 0x18};

static const char *const measurements[] = {
    "MMXU1$MX$TotW$mag$f", "MMXU1$MX$TotVAr$mag$f", "MMXU1$MX$Hz$mag$f",    "MMXU1$MX$PhV$phsA$cVal$mag$f",
    "MMXU1$MX$A$phsA$cVal$mag$f", "MMXU1$MX$A$phsB$cVal$mag$f", "XCBR1$ST$Pos", "GGIO1$ST$Ind1",
};

static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }

static struct wire pdu, second_pdu;
static uint8_t frame[FRAME_MAX];

static void send_frame(struct pcapgen *g, struct gen_tcp_flow *f, bool to_server, size_t n, bool split)
{
    if (split && n > 8) {
        gen_tcp_data(g, f, to_server, frame, n / 2);
        pcapgen_advance(g, SEGMENT_GAP_US);
        gen_tcp_data(g, f, to_server, frame + n / 2, n - n / 2);
    } else {
        gen_tcp_data(g, f, to_server, frame, n);
    }
    pcapgen_advance(g, SEGMENT_GAP_US);
}

static void send_mms(struct pcapgen *g, struct gen_tcp_flow *f, bool to_server, bool split)
{
    send_frame(g, f, to_server, wire_mms_data(frame, pdu.b, pdu.n), split);
}

static void associate(struct pcapgen *g, struct gen_tcp_flow *f)
{
    gen_tcp_handshake(g, f);
    send_frame(g, f, true, wire_tpkt_cotp(frame, 0xE0), false);
    send_frame(g, f, false, wire_tpkt_cotp(frame, 0xD0), false);
    uint8_t apdu[256];
    size_t n = wire_acse(apdu, 0x60, initiate_request, sizeof initiate_request, 0);
    send_frame(g, f, true, wire_session_acse(frame, 13, apdu, n), false);
    n = wire_acse(apdu, 0x61, initiate_response, sizeof initiate_response, 0);
    send_frame(g, f, false, wire_session_acse(frame, 14, apdu, n), false);
}

static void variable(struct wire *w, const char *domain, const char *item)
{
    wire_open(w, 0x30);
    wire_open(w, 0xA0);
    wire_domain_name(w, domain, item);
    wire_close(w);
    wire_close(w);
}

/* Read-Request / Read-Response of invokeID `id` up to their variables or results. */
static void read_begin(uint8_t pdu_tag, uint32_t id)
{
    wire_reset(&pdu);
    wire_open(&pdu, pdu_tag);
    wire_int(&pdu, 0x02, id);
    wire_open(&pdu, 0xA4);
    wire_open(&pdu, 0xA1);
    if (pdu_tag == 0xA0)
        wire_open(&pdu, 0xA0); /* listOfVariable */
}

static void read_end(struct pcapgen *g, struct gen_tcp_flow *f, bool to_server, bool split)
{
    while (pdu.depth > 0)
        wire_close(&pdu);
    send_mms(g, f, to_server, split);
}

static void structure_of_strings(struct wire *w, const char *const *texts, size_t count)
{
    wire_open(w, 0xA2);
    for (size_t i = 0; i < count; i++)
        wire_str(w, 0x8A, texts[i]);
    wire_close(w);
}

/* The client reads the server's nameplates: LPHD1 PhyNam (DPL: vendor, hwRev,
 * swRev, serNum, model) and LLN0 NamPlt (LPL: vendor, swRev, d, configRev). */
static void nameplate_read(struct pcapgen *g, struct gen_tcp_flow *f, const char *domain, uint32_t invoke_id)
{
    static const char *const phy_nam[] = {"MZ Automation", "1.0", "1.5.1", "SN-61850-0001", "IED-SIM"};
    static const char *const nam_plt[] = {"MZ Automation", "1.5.1", "simulated IED", "cfg 3"};
    read_begin(0xA0, invoke_id);
    variable(&pdu, domain, "LPHD1$DC$PhyNam");
    variable(&pdu, domain, "LLN0$DC$NamPlt");
    read_end(g, f, true, false);
    pcapgen_advance(g, 800);
    read_begin(0xA1, invoke_id);
    structure_of_strings(&pdu, phy_nam, sizeof phy_nam / sizeof phy_nam[0]);
    structure_of_strings(&pdu, nam_plt, sizeof nam_plt / sizeof nam_plt[0]);
    read_end(g, f, false, false);
}

/* One measured value: a float, or a structure { stVal, q, t } for status points. */
static void value(struct wire *w, unsigned index, uint32_t *rng)
{
    if (index < 6) {
        uint8_t f[5] = {0x08};
        uint32_t bits = 0x43000000u | (next_random(rng) & 0x007fffffu);
        for (int i = 0; i < 4; i++)
            f[1 + i] = (uint8_t)(bits >> (24 - 8 * i));
        wire_prim(w, 0x87, f, sizeof f);
        return;
    }
    static const uint8_t quality[] = {0x03, 0x00, 0x00};
    uint8_t utc[8] = {0x65, 0x4a, 0x10, 0x00, 0x12, 0x34, 0x56, 0x0a};
    wire_open(w, 0xA2);
    static const uint8_t position[] = {0x06, 0x80};
    wire_prim(w, 0x84, position, sizeof position);
    wire_prim(w, 0x84, quality, sizeof quality);
    wire_prim(w, 0x91, utc, sizeof utc);
    wire_close(w);
}

static void read_round(struct pcapgen *g, struct gen_tcp_flow *f, const char *domain, uint32_t invoke_id,
                       uint32_t *rng)
{
    unsigned count = 1 + next_random(rng) % MAX_VARIABLES;
    unsigned first = next_random(rng) % MAX_VARIABLES;
    read_begin(0xA0, invoke_id);
    for (unsigned i = 0; i < count; i++)
        variable(&pdu, domain, measurements[(first + i) % MAX_VARIABLES]);
    read_end(g, f, true, false);
    pcapgen_advance(g, 800);
    read_begin(0xA1, invoke_id);
    for (unsigned i = 0; i < count; i++)
        value(&pdu, (first + i) % MAX_VARIABLES, rng);
    read_end(g, f, false, next_random(rng) % 4 == 0);
}

/* A buffered report (informationReport) into `w`. */
static void report_pdu(struct wire *w, uint32_t *rng)
{
    wire_reset(w);
    wire_open(w, 0xA3);
    wire_open(w, 0xA0);
    wire_open(w, 0xA1);
    wire_vmd_name(w, "RPT");
    wire_close(w);
    wire_open(w, 0xA0);
    wire_str(w, 0x8A, "IED1LD0/LLN0$BR$brcbMX01");
    for (unsigned i = 0; i < 6; i++)
        value(w, i, rng);
    wire_close(w);
    wire_close(w);
    wire_close(w);
}

static void report(struct pcapgen *g, struct gen_tcp_flow *f, uint32_t *rng)
{
    report_pdu(&pdu, rng);
    send_mms(g, f, false, false);
}

/* Two reports in one presentation data transfer: one PDV-list each. */
static void two_reports(struct pcapgen *g, struct gen_tcp_flow *f, uint32_t *rng)
{
    report_pdu(&pdu, rng);
    report_pdu(&second_pdu, rng);
    const uint8_t *pdus[] = {pdu.b, second_pdu.b};
    const size_t lens[] = {pdu.n, second_pdu.n};
    send_frame(g, f, false, wire_mms_data_pdvs(frame, pdus, lens, 2), false);
}

static void control(struct pcapgen *g, struct gen_tcp_flow *f, const char *domain, const char *item,
                    uint32_t invoke_id)
{
    wire_reset(&pdu);
    wire_open(&pdu, 0xA0);
    wire_int(&pdu, 0x02, invoke_id);
    wire_open(&pdu, 0xA5);
    wire_open(&pdu, 0xA0);
    variable(&pdu, domain, item);
    wire_close(&pdu);
    wire_open(&pdu, 0xA0);
    wire_open(&pdu, 0xA2);
    wire_bool(&pdu, 0x83, true);
    wire_int(&pdu, 0x86, invoke_id & 0xff);
    wire_close(&pdu);
    wire_close(&pdu);
    wire_close(&pdu);
    wire_close(&pdu);
    send_mms(g, f, true, false);
    pcapgen_advance(g, 1500);
    wire_reset(&pdu);
    wire_open(&pdu, 0xA1);
    wire_int(&pdu, 0x02, invoke_id);
    wire_open(&pdu, 0xA5);
    wire_null(&pdu, 0x81);
    wire_close(&pdu);
    wire_close(&pdu);
    send_mms(g, f, false, false);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_mms OUT.pcap PACKETS [CONNECTIONS] [SEED]\n");
        return 2;
    }
    uint64_t target = strtoull(argv[2], NULL, 10);
    unsigned connections = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 50;
    uint32_t rng = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 61850;
    if (connections == 0 || rng == 0) {
        fprintf(stderr, "gen_mms: CONNECTIONS and SEED must be positive\n");
        return 2;
    }
    struct pcapgen g;
    if (pcapgen_open(&g, argv[1], 1700000000000000ull) != 0)
        return 1;
    struct gen_tcp_flow *flows = calloc(connections, sizeof *flows);
    uint32_t *invoke = calloc(connections, sizeof *invoke);
    if (!flows || !invoke) {
        fprintf(stderr, "gen_mms: out of memory\n");
        return 1;
    }
    char domain[32];
    for (unsigned c = 0; c < connections; c++) {
        gen_tcp_flow_init(&flows[c], ip4(10, 61, 0, 10), (uint16_t)(40000 + c), ip4(10, 61, 1 + c / 250, 1 + c % 250),
                          MMS_PORT);
        associate(&g, &flows[c]);
        snprintf(domain, sizeof domain, "IED%uLD0", c);
        nameplate_read(&g, &flows[c], domain, ++invoke[c]);
    }
    while (g.packets < target) {
        for (unsigned c = 0; c < connections && g.packets < target; c++) {
            snprintf(domain, sizeof domain, "IED%uLD0", c);
            read_round(&g, &flows[c], domain, ++invoke[c], &rng);
            uint32_t dice = next_random(&rng) % 20;
            if (dice < 3)
                report(&g, &flows[c], &rng);
            else if (dice == TWO_REPORTS)
                two_reports(&g, &flows[c], &rng);
            else if (dice == 3) {
                control(&g, &flows[c], domain, "CSWI1$CO$Pos$SBOw", ++invoke[c]);
                control(&g, &flows[c], domain, "CSWI1$CO$Pos$Oper", ++invoke[c]);
            }
            pcapgen_advance(&g, ROUND_US / connections);
        }
    }
    for (unsigned c = 0; c < connections; c++)
        gen_tcp_close(&g, &flows[c]);
    printf("%llu packets, %llu bytes\n", (unsigned long long)g.packets, (unsigned long long)g.bytes);
    pcapgen_close(&g);
    free(flows);
    free(invoke);
    return 0;
}
