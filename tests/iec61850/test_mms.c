/* test_mms.c — the MMS decoder on hand-built byte sequences: every confirmed
 * service the issue lists (request and, where it carries results, response),
 * the other MMS PDUs, the ISO stack under MMS (COTP, session, presentation,
 * ACSE), pairing, control-object writes, identity, reassembly, resync, S7comm
 * and other TPKT users, malformed input, and the probe. Each check compares
 * exact values in the event-log JSON line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mms_wire.h"
#include "protocols/builtin.h"
#include "tests/support/stream_feed.h"

#define C2S MAMORI_DIR_TO_SERVER
#define S2C MAMORI_DIR_TO_CLIENT

static struct stream_feed feed;
static struct wire pdu, args;
static uint8_t frame[WIRE_MAX + 256];

static void setup(void) { cr_assert(stream_feed_init(&feed, &mms_decoder, 0, 0)); }
static void teardown(void) { stream_feed_free(&feed); }

TestSuite(mms, .init = setup, .fini = teardown);

static void dump_events(void)
{
    for (size_t i = 0; i < feed.n_events; i++)
        fprintf(stderr, "  event %zu: %s\n", i, feed.events[i]);
}

/* Asserts that one event carries every needle. */
#define EXPECT_EVENT(...)                                                                 \
    do {                                                                                  \
        const char *const needles_[] = {__VA_ARGS__, NULL};                              \
        long at_ = stream_feed_find(&feed, needles_);                                     \
        if (at_ < 0)                                                                      \
            dump_events();                                                                \
        cr_assert(at_ >= 0, "no event has all of: %s ...", needles_[0]);                   \
    } while (0)

static void send_mms(enum mamori_direction dir, uint64_t t_us)
{
    size_t n = wire_mms_data(frame, pdu.b, pdu.n);
    stream_feed_bytes(&feed, dir, t_us, frame, n, 0);
}

/* confirmed-RequestPDU { invokeID, <service tag> args } */
static void confirmed(uint32_t pdu_tag, int64_t invoke_id, uint32_t service_tag, const struct wire *service_args)
{
    wire_reset(&pdu);
    wire_open(&pdu, pdu_tag);
    wire_int(&pdu, 0x02, invoke_id);
    wire_open(&pdu, service_tag);
    wire_raw(&pdu, service_args->b, service_args->n);
    wire_close(&pdu);
    wire_close(&pdu);
}

static void request(int64_t invoke_id, uint32_t service_tag, const struct wire *service_args)
{
    confirmed(0xA0, invoke_id, service_tag, service_args);
    send_mms(C2S, 1000);
}

static void response(int64_t invoke_id, uint32_t service_tag, const struct wire *service_args)
{
    confirmed(0xA1, invoke_id, service_tag, service_args);
    send_mms(S2C, 1250);
}

/* A service whose argument is a primitive value (Identifier or Integer32). */
static void primitive_request(int64_t invoke_id, uint32_t service_tag, const void *value, size_t n)
{
    wire_reset(&pdu);
    wire_open(&pdu, 0xA0);
    wire_int(&pdu, 0x02, invoke_id);
    wire_prim(&pdu, service_tag, value, n);
    wire_close(&pdu);
    send_mms(C2S, 1000);
}

static void list_of_variable(struct wire *w, const char *domain, const char *item)
{
    wire_open(w, 0xA0); /* listOfVariable */
    wire_open(w, 0x30);
    wire_open(w, 0xA0); /* name */
    wire_domain_name(w, domain, item);
    wire_close(w);
    wire_close(w);
    wire_close(w);
}

static void file_name(struct wire *w, uint32_t tag, const char *name)
{
    wire_open(w, tag);
    wire_str(w, 0x19, name);
    wire_close(w);
}

Test(mms, read_request_and_response_pair_with_latency_and_values)
{
    wire_reset(&args);
    wire_open(&args, 0xA1); /* variableAccessSpecificatn */
    list_of_variable(&args, "IED1LD0", "MMXU1$MX$TotW$mag$f");
    wire_close(&args);
    request(4431, 0xA4, &args);
    EXPECT_EVENT("\"kind\":\"operation\"", "\"role\":\"request\"", "\"op\":\"read\"", "\"function_code\":4,",
                 "\"function\":\"read\"", "\"object\":\"IED1LD0/MMXU1$MX$TotW$mag$f\"",
                 "\"MMSpdu\":\"confirmed-RequestPDU\"", "\"invokeID\":4431,", "\"confirmedServiceRequest\":4,",
                 "\"listOfVariable\":[{\"domainId\":\"IED1LD0\",\"itemId\":\"MMXU1$MX$TotW$mag$f\"}]");

    static const uint8_t float_1_5[] = {0x08, 0x3F, 0xC0, 0x00, 0x00};
    wire_reset(&args);
    wire_open(&args, 0xA1); /* listOfAccessResult */
    wire_prim(&args, 0x87, float_1_5, sizeof float_1_5);
    wire_bool(&args, 0x83, true);
    wire_int(&args, 0x85, -7);
    wire_int(&args, 0x80, 10); /* failure: object-non-existent */
    wire_close(&args);
    response(4431, 0xA4, &args);
    EXPECT_EVENT("\"role\":\"response\"", "\"op\":\"read\"", "\"function\":\"read\"", "\"status\":10,",
                 "\"latency_us\":250,", "\"values\":[1.5,1,-7]", "\"confirmedServiceResponse\":4,",
                 "\"listOfAccessResult\":[{\"floating-point\":1.5},{\"boolean\":true},{\"integer\":-7},{\"failure\":10}]");
    cr_assert_eq(feed.n_events, 2);
}

Test(mms, read_of_named_variable_list)
{
    wire_reset(&args);
    wire_bool(&args, 0x80, true); /* specificationWithResult */
    wire_open(&args, 0xA1);
    wire_open(&args, 0xA1); /* variableListName */
    wire_domain_name(&args, "KIRKLAND", "Transfer_Set_Name");
    wire_close(&args);
    wire_close(&args);
    request(7, 0xA4, &args);
    EXPECT_EVENT("\"op\":\"read\"", "\"object\":\"KIRKLAND/Transfer_Set_Name\"", "\"specificationWithResult\":true",
                 "\"variableListName\":{\"domainId\":\"KIRKLAND\",\"itemId\":\"Transfer_Set_Name\"}");
}

Test(mms, write_to_status_value_is_a_write)
{
    wire_reset(&args);
    list_of_variable(&args, "IED1LD0", "GGIO1$SP$SPCSO1$ctlModel");
    wire_open(&args, 0xA0); /* listOfData */
    wire_int(&args, 0x85, 1);
    wire_close(&args);
    request(12, 0xA5, &args);
    EXPECT_EVENT("\"op\":\"write\"", "\"function\":\"write\"", "\"values\":[1]",
                 "\"object\":\"IED1LD0/GGIO1$SP$SPCSO1$ctlModel\"", "\"listOfData\":[{\"integer\":1}]");

    wire_reset(&args);
    wire_null(&args, 0x81);
    wire_int(&args, 0x80, 3); /* object-access-denied */
    response(12, 0xA5, &args);
    EXPECT_EVENT("\"role\":\"response\"", "\"op\":\"write\"", "\"status\":3,", "\"latency_us\":250",
                 "\"write\":[{\"success\":null},{\"failure\":3}]");
}

static void control_write(const char *item)
{
    wire_reset(&args);
    list_of_variable(&args, "IED1CTRL", item);
    wire_open(&args, 0xA0);
    wire_open(&args, 0xA2); /* structure { ctlVal, ... } */
    wire_bool(&args, 0x83, true);
    wire_close(&args);
    wire_close(&args);
    request(20, 0xA5, &args);
}

Test(mms, writes_to_control_objects_are_operate)
{
    control_write("CSWI1$CO$Pos$Oper");
    control_write("CSWI1$CO$Pos$SBOw");
    control_write("CSWI1$CO$Pos$Cancel");
    cr_assert_eq(stream_feed_count(&feed, "\"op\":\"operate\""), 3);
    /* The response to a control write reports the control's outcome. */
    wire_reset(&args);
    wire_int(&args, 0x80, 3);
    response(20, 0xA5, &args);
    EXPECT_EVENT("\"role\":\"response\"", "\"op\":\"operate\"", "\"status\":3,", "\"write\":[{\"failure\":3}]");
    cr_assert_eq(stream_feed_count(&feed, "\"op\":\"operate\""), 4);
    EXPECT_EVENT("\"object\":\"IED1CTRL/CSWI1$CO$Pos$Oper\"", "\"listOfData\":[{\"structure\":[{\"boolean\":true}]}]");
    /* $CO$ without a control suffix, or a suffix outside $CO$, stays a write. */
    control_write("CSWI1$CO$Pos$ctlModel");
    control_write("CSWI1$ST$Pos$Oper");
    cr_assert_eq(stream_feed_count(&feed, "\"op\":\"write\""), 2);
}

Test(mms, get_name_list_request_and_response)
{
    wire_reset(&args);
    wire_open(&args, 0xA0);
    wire_int(&args, 0x80, 9); /* domain */
    wire_close(&args);
    wire_open(&args, 0xA1);
    wire_null(&args, 0x80); /* vmdSpecific */
    wire_close(&args);
    request(1, 0xA1, &args);
    EXPECT_EVENT("\"op\":\"read\"", "\"function_code\":1,", "\"function\":\"get_name_list\"", "\"objectClass\":9",
                 "\"objectScope\":0");

    wire_reset(&args);
    wire_open(&args, 0xA0);
    wire_str(&args, 0x1A, "IED1LD0");
    wire_str(&args, 0x1A, "IED1CTRL");
    wire_close(&args);
    wire_bool(&args, 0x81, false);
    response(1, 0xA1, &args);
    EXPECT_EVENT("\"function\":\"get_name_list\"", "\"listOfIdentifier\":[\"IED1LD0\",\"IED1CTRL\"]",
                 "\"moreFollows\":false", "\"latency_us\":250");

    wire_reset(&args);
    wire_open(&args, 0xA0);
    wire_int(&args, 0x80, 0);
    wire_close(&args);
    wire_open(&args, 0xA1);
    wire_str(&args, 0x81, "IED1LD0"); /* domainSpecific */
    wire_close(&args);
    wire_str(&args, 0x82, "LLN0$BR");
    request(2, 0xA1, &args);
    EXPECT_EVENT("\"objectScope\":1", "\"domainSpecific\":\"IED1LD0\"", "\"continueAfter\":\"LLN0$BR\"",
                 "\"object\":\"IED1LD0\"");
}

Test(mms, identify_response_is_an_identity_event)
{
    wire_reset(&pdu);
    wire_open(&pdu, 0xA0);
    wire_int(&pdu, 0x02, 3);
    wire_null(&pdu, 0x82);
    wire_close(&pdu);
    send_mms(C2S, 1000);
    EXPECT_EVENT("\"op\":\"identify\"", "\"function\":\"identify\"", "\"confirmedServiceRequest\":2");

    wire_reset(&args);
    wire_str(&args, 0x80, "MZ Automation");
    wire_str(&args, 0x81, "libiec61850");
    wire_str(&args, 0x82, "1.5.1");
    response(3, 0x82 | 0x20, &args);
    EXPECT_EVENT("\"kind\":\"identity\"", "\"op\":\"identify\"", "\"latency_us\":250",
                 "\"identity\":{\"vendor\":\"MZ Automation\",\"model_name\":\"libiec61850\",\"revision\":\"1.5.1\"}",
                 "\"vendorName\":\"MZ Automation\"", "\"modelName\":\"libiec61850\"", "\"revision\":\"1.5.1\"");
}

Test(mms, variable_access_attributes_and_variable_lists)
{
    wire_reset(&args);
    wire_open(&args, 0xA0);
    wire_domain_name(&args, "IED1LD0", "LLN0");
    wire_close(&args);
    request(5, 0xA6, &args);
    EXPECT_EVENT("\"op\":\"read\"", "\"function\":\"get_variable_access_attributes\"", "\"object\":\"IED1LD0/LLN0\"",
                 "\"domainId\":\"IED1LD0\",\"itemId\":\"LLN0\"");

    wire_reset(&args);
    wire_domain_name(&args, "IED1LD0", "LLN0$Events");
    request(6, 0xAC, &args);
    EXPECT_EVENT("\"function\":\"get_named_variable_list_attributes\"", "\"object\":\"IED1LD0/LLN0$Events\"");

    wire_reset(&args);
    wire_bool(&args, 0x80, true);
    wire_open(&args, 0xA1);
    wire_open(&args, 0x30);
    wire_open(&args, 0xA0);
    wire_domain_name(&args, "IED1LD0", "GGIO1$ST$Ind1");
    wire_close(&args);
    wire_close(&args);
    wire_close(&args);
    response(6, 0xAC, &args);
    EXPECT_EVENT("\"function\":\"get_named_variable_list_attributes\"", "\"mmsDeletable\":true",
                 "\"listOfVariable\":[{\"domainId\":\"IED1LD0\",\"itemId\":\"GGIO1$ST$Ind1\"}]");

    wire_reset(&args);
    wire_domain_name(&args, "IED1LD0", "LLN0$MyDataSet");
    list_of_variable(&args, "IED1LD0", "GGIO1$ST$Ind2");
    request(8, 0xAB, &args);
    EXPECT_EVENT("\"op\":\"config\"", "\"function\":\"define_named_variable_list\"",
                 "\"variableListName\":{\"domainId\":\"IED1LD0\",\"itemId\":\"LLN0$MyDataSet\"}",
                 "\"listOfVariable\":[{\"domainId\":\"IED1LD0\",\"itemId\":\"GGIO1$ST$Ind2\"}]");

    wire_reset(&args);
    wire_int(&args, 0x80, 0);
    wire_open(&args, 0xA1);
    wire_domain_name(&args, "IED1LD0", "LLN0$MyDataSet");
    wire_close(&args);
    request(9, 0xAD, &args);
    EXPECT_EVENT("\"op\":\"config\"", "\"function\":\"delete_named_variable_list\"", "\"scopeOfDelete\":0",
                 "\"listOfVariableListName\":[{\"domainId\":\"IED1LD0\",\"itemId\":\"LLN0$MyDataSet\"}]");
}

Test(mms, file_services)
{
    wire_reset(&args);
    file_name(&args, 0xA0, "/COMTRADE/fault1.cfg");
    wire_int(&args, 0x81, 0);
    request(30, 0xBF48, &args);
    EXPECT_EVENT("\"op\":\"file\"", "\"function_code\":72,", "\"function\":\"file_open\"",
                 "\"object\":\"/COMTRADE/fault1.cfg\"", "\"fileName\":[\"/COMTRADE/fault1.cfg\"]", "\"initialPosition\":0");
    wire_reset(&args);
    wire_int(&args, 0x80, 17);
    wire_open(&args, 0xA1);
    wire_close(&args);
    response(30, 0xBF48, &args);
    EXPECT_EVENT("\"function\":\"file_open\"", "\"role\":\"response\"", "\"frsmID\":17");

    static const uint8_t frsm[] = {17};
    primitive_request(31, 0x9F49, frsm, 1);
    EXPECT_EVENT("\"op\":\"file\"", "\"function\":\"file_read\"", "\"frsmID\":17");
    wire_reset(&args);
    wire_str(&args, 0x80, "abcdef");
    wire_bool(&args, 0x81, false);
    response(31, 0xBF49, &args);
    EXPECT_EVENT("\"function\":\"file_read\"", "\"fileData\":6", "\"moreFollows\":false");

    primitive_request(32, 0x9F4A, frsm, 1);
    EXPECT_EVENT("\"function\":\"file_close\"", "\"frsmID\":17");

    wire_reset(&args);
    file_name(&args, 0xA0, "/COMTRADE/");
    request(33, 0xBF4D, &args);
    EXPECT_EVENT("\"function\":\"file_directory\"", "\"fileSpecification\":[\"/COMTRADE/\"]");
    wire_reset(&args);
    wire_open(&args, 0xA0);
    wire_open(&args, 0x30);
    file_name(&args, 0xA0, "fault1.cfg");
    wire_open(&args, 0xA1);
    wire_int(&args, 0x80, 1200);
    wire_close(&args);
    wire_close(&args);
    wire_close(&args);
    response(33, 0xBF4D, &args);
    EXPECT_EVENT("\"function\":\"file_directory\"", "\"listOfDirectoryEntry\":[{\"fileName\":[\"fault1.cfg\"]}]");

    wire_reset(&args);
    wire_str(&args, 0x19, "/tmp/old.bin");
    request(34, 0xBF4C, &args);
    EXPECT_EVENT("\"function\":\"file_delete\"", "\"object\":\"/tmp/old.bin\"", "\"fileName\":[\"/tmp/old.bin\"]");

    wire_reset(&args);
    file_name(&args, 0xA0, "a.txt");
    file_name(&args, 0xA1, "b.txt");
    request(35, 0xBF4B, &args);
    EXPECT_EVENT("\"function\":\"file_rename\"", "\"currentFileName\":[\"a.txt\"]", "\"newFileName\":[\"b.txt\"]");

    wire_reset(&args);
    file_name(&args, 0xA1, "firmware.bin");
    file_name(&args, 0xA2, "/flash/firmware.bin");
    request(36, 0xBF2E, &args);
    EXPECT_EVENT("\"op\":\"file\"", "\"function\":\"obtain_file\"", "\"sourceFile\":[\"firmware.bin\"]",
                 "\"destinationFile\":[\"/flash/firmware.bin\"]", "\"object\":\"firmware.bin\"");
    cr_assert_eq(stream_feed_count(&feed, "\"op\":\"file\""), 10);
}

static void program_invocation_request(int64_t id, uint32_t tag, const char *name, const char *function)
{
    wire_reset(&args);
    wire_str(&args, 0x80, name);
    request(id, tag, &args);
    char object[96], fn[96];
    snprintf(object, sizeof object, "\"object\":\"%s\"", name);
    snprintf(fn, sizeof fn, "\"function\":\"%s\"", function);
    EXPECT_EVENT("\"op\":\"program\"", fn, object, "\"programInvocationName\":");
}

Test(mms, program_invocation_services)
{
    program_invocation_request(40, 0xBF28, "PI_Main", "start");
    program_invocation_request(41, 0xBF29, "PI_Main", "stop");
    program_invocation_request(42, 0xBF2A, "PI_Main", "resume");
    program_invocation_request(43, 0xBF2B, "PI_Main", "reset");
    program_invocation_request(44, 0xBF2C, "R3950243 97Application_1", "kill");
    program_invocation_request(45, 0xBF26, "PI_New", "create_program_invocation");
    primitive_request(46, 0x9F27, "PI_Old", 6);
    EXPECT_EVENT("\"op\":\"program\"", "\"function\":\"delete_program_invocation\"", "\"object\":\"PI_Old\"",
                 "\"programInvocationName\":\"PI_Old\"");
    cr_assert_eq(stream_feed_count(&feed, "\"op\":\"program\""), 7);
}

Test(mms, download_and_upload_sequences_and_domains)
{
    wire_reset(&args);
    wire_str(&args, 0x80, "reserved");
    wire_open(&args, 0xA1);
    wire_str(&args, 0x1A, "cap1");
    wire_close(&args);
    wire_bool(&args, 0x82, false);
    request(50, 0xBA, &args);
    EXPECT_EVENT("\"op\":\"program\"", "\"function\":\"initiate_download_sequence\"", "\"domainName\":\"reserved\"",
                 "\"object\":\"reserved\"");

    primitive_request(51, 0x9B, "reserved", 8);
    EXPECT_EVENT("\"function\":\"download_segment\"", "\"domainName\":\"reserved\"");

    wire_reset(&args);
    wire_str(&args, 0x80, "reserved");
    request(52, 0xBC, &args);
    EXPECT_EVENT("\"function\":\"terminate_download_sequence\"", "\"domainName\":\"reserved\"");

    primitive_request(53, 0x9D, "LD0", 3);
    EXPECT_EVENT("\"function\":\"initiate_upload_sequence\"", "\"domainName\":\"LD0\"");
    wire_reset(&args);
    wire_int(&args, 0x80, 5);
    wire_open(&args, 0xA1);
    wire_close(&args);
    response(53, 0xBD, &args);
    EXPECT_EVENT("\"function\":\"initiate_upload_sequence\"", "\"ulsmID\":5", "\"latency_us\":250");

    static const uint8_t ulsm[] = {5};
    primitive_request(54, 0x9E, ulsm, 1);
    EXPECT_EVENT("\"function\":\"upload_segment\"", "\"ulsmID\":5");
    primitive_request(55, 0x9F1F, ulsm, 1);
    EXPECT_EVENT("\"function\":\"terminate_upload_sequence\"", "\"ulsmID\":5", "\"function_code\":31,");

    primitive_request(56, 0x9F24, "LD0", 3);
    EXPECT_EVENT("\"function\":\"delete_domain\"", "\"op\":\"program\"", "\"object\":\"LD0\"");
    primitive_request(57, 0x9F25, "LD0", 3);
    EXPECT_EVENT("\"function\":\"get_domain_attributes\"", "\"op\":\"read\"", "\"domainName\":\"LD0\"");
}

Test(mms, semaphores_take_and_relinquish_control)
{
    wire_reset(&args);
    wire_open(&args, 0xA0);
    wire_domain_name(&args, "IED1LD0", "Sem1");
    wire_close(&args);
    wire_str(&args, 0x81, "token7");
    request(60, 0xB3, &args);
    EXPECT_EVENT("\"role\":\"request\"", "\"op\":\"operate\"", "\"function\":\"take_control\"",
                 "\"function_code\":19,", "\"object\":\"IED1LD0/Sem1\"",
                 "\"semaphoreName\":{\"domainId\":\"IED1LD0\",\"itemId\":\"Sem1\"}", "\"namedToken\":\"token7\"");
    wire_reset(&args);
    wire_null(&args, 0x80); /* noResult */
    response(60, 0xB3, &args);
    EXPECT_EVENT("\"role\":\"response\"", "\"op\":\"operate\"", "\"function\":\"take_control\"",
                 "\"latency_us\":250,", "\"confirmedServiceResponse\":19");

    wire_reset(&args);
    wire_open(&args, 0xA0);
    wire_vmd_name(&args, "Sem1");
    wire_close(&args);
    request(61, 0xB4, &args);
    EXPECT_EVENT("\"op\":\"operate\"", "\"function\":\"relinquish_control\"", "\"function_code\":20,",
                 "\"semaphoreName\":{\"vmd_specific\":\"Sem1\"}", "\"object\":\"Sem1\"");
}

Test(mms, information_report_is_an_unsolicited_report)
{
    wire_reset(&pdu);
    wire_open(&pdu, 0xA3);
    wire_open(&pdu, 0xA0); /* informationReport */
    wire_open(&pdu, 0xA1); /* variableListName */
    wire_vmd_name(&pdu, "RPT");
    wire_close(&pdu);
    wire_open(&pdu, 0xA0); /* listOfAccessResult */
    wire_str(&pdu, 0x8A, "IED1LD0/LLN0$RP$brcbST01");
    wire_int(&pdu, 0x86, 42);
    wire_close(&pdu);
    wire_close(&pdu);
    wire_close(&pdu);
    send_mms(S2C, 5000);
    EXPECT_EVENT("\"role\":\"unsolicited\"", "\"op\":\"report\"", "\"function_code\":0,",
                 "\"function\":\"information_report\"", "\"object\":\"RPT\"", "\"values\":[42]",
                 "\"MMSpdu\":\"unconfirmed-PDU\"", "\"unconfirmedService\":0",
                 "\"variableListName\":{\"vmd_specific\":\"RPT\"}",
                 "\"listOfAccessResult\":[{\"visible-string\":\"IED1LD0/LLN0$RP$brcbST01\"},{\"unsigned\":42}]");
}

Test(mms, confirmed_error_is_an_exception_paired_with_its_request)
{
    wire_reset(&args);
    wire_str(&args, 0x80, "PI_Main");
    request(70, 0xBF28, &args);
    wire_reset(&pdu);
    wire_open(&pdu, 0xA2);
    wire_int(&pdu, 0x80, 70);
    wire_open(&pdu, 0xA2);
    wire_open(&pdu, 0xA0);
    wire_int(&pdu, 0x80, 2); /* vmd-state: vmd-operational-problem */
    wire_close(&pdu);
    wire_close(&pdu);
    wire_close(&pdu);
    send_mms(S2C, 1700);
    EXPECT_EVENT("\"role\":\"response\"", "\"op\":\"exception\"", "\"function_code\":40,", "\"function\":\"start\"",
                 "\"status\":0,", "\"latency_us\":700", "\"MMSpdu\":\"confirmed-ErrorPDU\"", "\"invokeID\":70",
                 "\"errorClass\":0", "\"vmd-state\":2");
}

Test(mms, reject_cancel_conclude)
{
    static const uint8_t reject[] = {0xA4, 0x06, 0x80, 0x01, 0x09, 0x81, 0x01, 0x01};
    wire_reset(&pdu);
    wire_raw(&pdu, reject, sizeof reject);
    send_mms(S2C, 100);
    EXPECT_EVENT("\"op\":\"exception\"", "\"function\":\"reject\"", "\"status\":1,", "\"originalInvokeID\":9",
                 "\"rejectReason\":1", "\"confirmed-requestPDU\":1");

    static const uint8_t cancel[] = {0x85, 0x01, 0x09};
    wire_reset(&pdu);
    wire_raw(&pdu, cancel, sizeof cancel);
    send_mms(C2S, 200);
    EXPECT_EVENT("\"role\":\"request\"", "\"function\":\"cancel_request\"", "\"MMSpdu\":\"cancel-RequestPDU\"",
                 "\"originalInvokeID\":9");

    static const uint8_t conclude_request[] = {0x8B, 0x00};
    static const uint8_t conclude_response[] = {0x8C, 0x00};
    wire_reset(&pdu);
    wire_raw(&pdu, conclude_request, 2);
    send_mms(C2S, 300);
    wire_reset(&pdu);
    wire_raw(&pdu, conclude_response, 2);
    send_mms(S2C, 400);
    EXPECT_EVENT("\"role\":\"request\"", "\"op\":\"session\"", "\"function\":\"conclude_request\"");
    EXPECT_EVENT("\"role\":\"response\"", "\"op\":\"session\"", "\"function\":\"conclude_response\"");
}

/* initiate-RequestPDU as libiec61850 sends it. */
static const uint8_t initiate_request[] = {
    0xA8, 0x26, 0x80, 0x03, 0x00, 0xFD, 0xE8, 0x81, 0x01, 0x05, 0x82, 0x01, 0x05, 0x83, 0x01, 0x0A,
    0xA4, 0x16, 0x80, 0x01, 0x01, 0x81, 0x03, 0x05, 0xF1, 0x00, 0x82, 0x0C, 0x03, 0xEE, 0x1C, 0x00,
    0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xEF, 0x18};
static const uint8_t initiate_response[] = {
    0xA9, 0x26, 0x80, 0x03, 0x00, 0xFD, 0xE8, 0x81, 0x01, 0x05, 0x82, 0x01, 0x05, 0x83, 0x01, 0x0A,
    0xA4, 0x16, 0x80, 0x01, 0x01, 0x81, 0x03, 0x05, 0xF1, 0x00, 0x82, 0x0C, 0x03, 0xEE, 0x1C, 0x00,
    0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xEF, 0x18};

Test(mms, association_over_the_full_iso_stack)
{
    uint8_t acse[512];
    size_t n = wire_tpkt_cotp(frame, 0xE0);
    stream_feed_bytes(&feed, C2S, 10, frame, n, 0);
    n = wire_tpkt_cotp(frame, 0xD0);
    stream_feed_bytes(&feed, S2C, 20, frame, n, 0);
    EXPECT_EVENT("\"op\":\"session\"", "\"role\":\"request\"", "\"cotp\":{\"type\":\"CR\",\"dstref\":0,\"srcref\":7,\"class\":0}");
    EXPECT_EVENT("\"op\":\"session\"", "\"role\":\"response\"", "\"cotp\":{\"type\":\"CC\",\"dstref\":68,\"srcref\":7,\"class\":0}");

    size_t an = wire_acse(acse, 0x60, initiate_request, sizeof initiate_request, 0);
    n = wire_session_acse(frame, 13, acse, an);
    stream_feed_bytes(&feed, C2S, 30, frame, n, 0);
    EXPECT_EVENT("\"role\":\"request\"", "\"op\":\"session\"", "\"function_code\":8,", "\"function\":\"initiate_request\"",
                 "\"acse\":{\"apdu\":\"aarq\",\"aSO_context_name\":\"1.0.9506.2.3\"}",
                 "\"MMSpdu\":\"initiate-RequestPDU\"", "\"localDetailCalling\":65000",
                 "\"proposedMaxServOutstandingCalling\":5", "\"proposedDataStructureNestingLevel\":10",
                 "\"proposedVersionNumber\":1", "\"proposedParameterCBB\":\"f100\"",
                 "\"servicesSupportedCalling\":\"ee1c00000408000079ef18\"");

    an = wire_acse(acse, 0x61, initiate_response, sizeof initiate_response, 0);
    n = wire_session_acse(frame, 14, acse, an);
    stream_feed_bytes(&feed, S2C, 40, frame, n, 0);
    EXPECT_EVENT("\"role\":\"response\"", "\"function\":\"initiate_response\"",
                 "\"acse\":{\"apdu\":\"aare\",\"aSO_context_name\":\"1.0.9506.2.3\",\"result\":0}",
                 "\"localDetailCalled\":65000", "\"negociatedMaxServOutstandingCalled\":5", "\"servicesSupportedCalled\"");

    static const uint8_t rlrq[] = {0x62, 0x03, 0x80, 0x01, 0x00};
    static const uint8_t rlre[] = {0x63, 0x03, 0x80, 0x01, 0x00};
    n = wire_session_acse(frame, 9, rlrq, sizeof rlrq);
    stream_feed_bytes(&feed, C2S, 50, frame, n, 0);
    n = wire_session_acse(frame, 10, rlre, sizeof rlre);
    stream_feed_bytes(&feed, S2C, 60, frame, n, 0);
    EXPECT_EVENT("\"role\":\"request\"", "\"op\":\"session\"", "\"acse\":{\"apdu\":\"rlrq\",\"reason\":0}");
    EXPECT_EVENT("\"role\":\"response\"", "\"op\":\"session\"", "\"acse\":{\"apdu\":\"rlre\",\"reason\":0}");
    cr_assert_eq(feed.n_events, 6);
    cr_assert_eq(stream_feed_count(&feed, "\"kind\":\"anomaly\""), 0);
}

Test(mms, rejected_association_is_an_exception)
{
    uint8_t acse[512];
    static const uint8_t initiate_error[] = {0xAA, 0x05, 0xA0, 0x03, 0x88, 0x01, 0x01};
    size_t an = wire_acse(acse, 0x61, initiate_error, sizeof initiate_error, 1);
    size_t n = wire_session_acse(frame, 14, acse, an);
    stream_feed_bytes(&feed, S2C, 40, frame, n, 0);
    EXPECT_EVENT("\"op\":\"exception\"", "\"function\":\"initiate_error\"", "\"result\":1", "\"errorClass\":8",
                 "\"initiate\":1");
}

Test(mms, session_abort_and_refuse)
{
    static const uint8_t abort_spdu[] = {0x19, 0x03, 0x11, 0x01, 0x03};
    size_t n = wire_tpkt_dt(frame, abort_spdu, sizeof abort_spdu, true);
    stream_feed_bytes(&feed, C2S, 10, frame, n, 0);
    EXPECT_EVENT("\"op\":\"session\"", "\"ses\":{\"type\":25}");
    static const uint8_t refuse_spdu[] = {0x0C, 0x03, 0x32, 0x01, 0x02};
    n = wire_tpkt_dt(frame, refuse_spdu, sizeof refuse_spdu, true);
    stream_feed_bytes(&feed, S2C, 20, frame, n, 0);
    EXPECT_EVENT("\"op\":\"exception\"", "\"status\":2,", "\"ses\":{\"type\":12,\"reason_code\":2}");
}

Test(mms, mms_directly_on_cotp_and_mid_stream_start)
{
    /* No CR, CN or CP seen: the first bytes are a confirmed response sent
     * straight on COTP, then one inside session and presentation. */
    static const uint8_t kill_response[] = {0xA1, 0x06, 0x02, 0x01, 0x00, 0x9F, 0x2C, 0x00};
    size_t n = wire_tpkt_dt(frame, kill_response, sizeof kill_response, true);
    stream_feed_bytes(&feed, S2C, 10, frame, n, 0);
    EXPECT_EVENT("\"kind\":\"operation\"", "\"function\":\"kill\"", "\"role\":\"response\"", "\"invokeID\":0,");
    EXPECT_EVENT("\"anomaly\":\"unmatched_response\"");
    wire_reset(&args);
    wire_open(&args, 0xA1);
    list_of_variable(&args, "LD0", "LLN0$ST$Mod$stVal");
    wire_close(&args);
    request(2, 0xA4, &args);
    EXPECT_EVENT("\"function\":\"read\"", "\"object\":\"LD0/LLN0$ST$Mod$stVal\"");
}

/* A read request split into DT TPDUs without EOT, then the last with EOT. */
Test(mms, cotp_reassembly_across_tpdus)
{
    wire_reset(&args);
    wire_open(&args, 0xA1);
    list_of_variable(&args, "IED1LD0", "MMXU1$MX$TotW$mag$f");
    wire_close(&args);
    confirmed(0xA0, 99, 0xA4, &args);
    uint8_t tsdu[512];
    size_t whole = wire_mms_data(frame, pdu.b, pdu.n);
    memcpy(tsdu, frame + 7, whole - 7); /* the session bytes after TPKT + COTP DT */
    size_t tsdu_len = whole - 7, cut1 = 10, cut2 = 30;
    uint8_t stream[1024];
    size_t n = wire_tpkt_dt(stream, tsdu, cut1, false);
    n += wire_tpkt_dt(stream + n, tsdu + cut1, cut2 - cut1, false);
    n += wire_tpkt_dt(stream + n, tsdu + cut2, tsdu_len - cut2, true);
    stream_feed_bytes(&feed, C2S, 10, stream, n, 0);
    cr_assert_eq(feed.n_events, 1);
    EXPECT_EVENT("\"function\":\"read\"", "\"invokeID\":99", "\"object\":\"IED1LD0/MMXU1$MX$TotW$mag$f\"");
}

Test(mms, reassembly_overflow_is_reported_and_bounded)
{
    struct stream_feed small;
    cr_assert(stream_feed_init(&small, &mms_decoder, sizeof(frame) + 2048, 0));
    static uint8_t chunk[1500];
    memset(chunk, 0xA0, sizeof chunk);
    uint8_t tpdu[1600];
    for (int i = 0; i < 8; i++) {
        size_t n = wire_tpkt_dt(tpdu, chunk, sizeof chunk, i == 7);
        stream_feed_bytes(&small, C2S, 10, tpdu, n, 0);
    }
    cr_assert_eq(stream_feed_count(&small, "\"anomaly\":\"cotp_reassembly_overflow\""), 1);
    cr_assert_eq(stream_feed_count(&small, "\"kind\":\"operation\""), 0);
    stream_feed_free(&small);
}

Test(mms, state_budget_too_small_is_refused)
{
    struct mamori_decoder_options opts = {.state_budget = 1024};
    cr_assert_null(mms_decoder.state_new(&opts));
}

static void conversation(struct stream_feed *f, size_t chunk)
{
    uint8_t acse[512], stream[8192];
    size_t n = wire_tpkt_cotp(stream, 0xE0);
    size_t an = wire_acse(acse, 0x60, initiate_request, sizeof initiate_request, 0);
    n += wire_session_acse(stream + n, 13, acse, an);
    wire_reset(&args);
    wire_open(&args, 0xA1);
    list_of_variable(&args, "IED1LD0", "GGIO1$ST$Ind1$stVal");
    wire_close(&args);
    confirmed(0xA0, 1, 0xA4, &args);
    n += wire_mms_data(stream + n, pdu.b, pdu.n);
    stream_feed_bytes(f, C2S, 100, stream, n, chunk);
    n = wire_tpkt_cotp(stream, 0xD0);
    an = wire_acse(acse, 0x61, initiate_response, sizeof initiate_response, 0);
    n += wire_session_acse(stream + n, 14, acse, an);
    wire_reset(&args);
    wire_open(&args, 0xA1);
    wire_bool(&args, 0x83, true);
    wire_close(&args);
    confirmed(0xA1, 1, 0xA4, &args);
    n += wire_mms_data(stream + n, pdu.b, pdu.n);
    stream_feed_bytes(f, S2C, 200, stream, n, chunk);
}

Test(mms, same_events_whatever_the_segmentation)
{
    conversation(&feed, 0);
    cr_assert_eq(feed.n_events, 6);
    for (size_t chunk = 1; chunk <= 13; chunk += 3) {
        struct stream_feed split;
        cr_assert(stream_feed_init(&split, &mms_decoder, 0, 0));
        conversation(&split, chunk);
        cr_assert_eq(split.n_events, feed.n_events, "chunk %zu", chunk);
        for (size_t i = 0; i < feed.n_events; i++)
            cr_assert_str_eq(split.events[i], feed.events[i], "chunk %zu event %zu", chunk, i);
        stream_feed_free(&split);
    }
}

Test(mms, garbage_before_and_between_frames_is_skipped_and_reported_once)
{
    static const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x03, 0x01, 0x00, 0x55};
    uint8_t stream[1024];
    memcpy(stream, garbage, sizeof garbage);
    static const uint8_t conclude_request[] = {0x8B, 0x00};
    wire_reset(&pdu);
    wire_raw(&pdu, conclude_request, 2);
    size_t n = sizeof garbage + wire_mms_data(stream + sizeof garbage, pdu.b, pdu.n);
    stream_feed_bytes(&feed, C2S, 10, stream, n, 0);
    cr_assert_eq(stream_feed_count(&feed, "\"anomaly\":\"tpkt_bad_header\""), 1);
    EXPECT_EVENT("\"function\":\"conclude_request\"");
}

Test(mms, s7comm_and_other_tpkt_users_are_named_not_decoded)
{
    /* S7comm setup communication on COTP DT. */
    static const uint8_t s7_setup[] = {0x32, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
                                       0xF0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xE0};
    size_t n = wire_tpkt_cotp(frame, 0xE0);
    n += wire_tpkt_dt(frame + n, s7_setup, sizeof s7_setup, true);
    n += wire_tpkt_dt(frame + n, s7_setup, sizeof s7_setup, true);
    stream_feed_bytes(&feed, C2S, 10, frame, n, 0);
    EXPECT_EVENT("\"kind\":\"anomaly\"", "\"anomaly\":\"tpkt_not_mms\"", "\"reason\":\"s7comm\"");
    cr_assert_eq(stream_feed_count(&feed, "tpkt_not_mms"), 1);
    cr_assert_eq(mms_decoder.probe(frame, n, C2S), MAMORI_PROBE_NO);

    struct stream_feed other;
    cr_assert(stream_feed_init(&other, &mms_decoder, 0, 0));
    static const uint8_t unknown[] = {0x77, 0x01, 0x02};
    n = wire_tpkt_dt(frame, unknown, sizeof unknown, true);
    stream_feed_bytes(&other, C2S, 10, frame, n, 0);
    cr_assert_eq(stream_feed_count(&other, "\"reason\":\"other\""), 1);
    stream_feed_free(&other);
}

Test(mms, probe_tells_mms_from_s7comm_and_non_tpkt)
{
    size_t n = wire_tpkt_cotp(frame, 0xE0);
    cr_assert_eq(mms_decoder.probe(frame, n, C2S), MAMORI_PROBE_MORE);
    cr_assert_eq(mms_decoder.probe(frame, 3, C2S), MAMORI_PROBE_MORE);
    uint8_t acse[512];
    size_t an = wire_acse(acse, 0x60, initiate_request, sizeof initiate_request, 0);
    n += wire_session_acse(frame + n, 13, acse, an);
    cr_assert_eq(mms_decoder.probe(frame, n, C2S), MAMORI_PROBE_YES);
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    cr_assert_eq(mms_decoder.probe(http, sizeof http - 1, C2S), MAMORI_PROBE_NO);
}

Test(mms, malformed_pdus_are_counted_anomalies)
{
    /* confirmed-RequestPDU whose read element claims more than it holds. */
    static const uint8_t truncated[] = {0xA0, 0x08, 0x02, 0x01, 0x05, 0xA4, 0x10, 0xA1, 0x00, 0x00};
    wire_reset(&pdu);
    wire_raw(&pdu, truncated, sizeof truncated);
    send_mms(C2S, 10);
    EXPECT_EVENT("\"kind\":\"anomaly\"", "\"anomaly\":\"mms_malformed\"", "\"op\":\"malformed\"",
                 "\"reason\":\"ber_truncated\"", "\"count\":1", "\"invokeID\":5");
    /* Indefinite length. */
    static const uint8_t indefinite[] = {0xA0, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00};
    wire_reset(&pdu);
    wire_raw(&pdu, indefinite, sizeof indefinite);
    send_mms(C2S, 20);
    EXPECT_EVENT("\"anomaly\":\"mms_malformed\"", "\"reason\":\"ber_indefinite_length\"", "\"count\":2");
    /* An unknown confirmed service tag. */
    static const uint8_t unknown_service[] = {0xA0, 0x06, 0x02, 0x01, 0x05, 0xBF, 0x60, 0x00};
    wire_reset(&pdu);
    wire_raw(&pdu, unknown_service, sizeof unknown_service);
    send_mms(C2S, 30);
    EXPECT_EVENT("\"anomaly\":\"mms_malformed\"", "\"reason\":\"mms_unknown_service\"");
    /* COTP length indicator past the TPKT. */
    static const uint8_t bad_cotp[] = {0x03, 0x00, 0x00, 0x08, 0x09, 0xF0, 0x80, 0x00};
    stream_feed_bytes(&feed, C2S, 40, bad_cotp, sizeof bad_cotp, 0);
    EXPECT_EVENT("\"anomaly\":\"cotp_malformed\"", "\"reason\":\"cotp_bad_length_indicator\"");
    /* Session SPDU length past the TSDU. */
    static const uint8_t bad_session[] = {0x0D, 0x20, 0x01};
    size_t n = wire_tpkt_dt(frame, bad_session, sizeof bad_session, true);
    stream_feed_bytes(&feed, C2S, 50, frame, n, 0);
    EXPECT_EVENT("\"anomaly\":\"session_malformed\"", "\"reason\":\"ses_truncated\"");
    /* Presentation data that is not BER. */
    static const uint8_t bad_pres[] = {0x01, 0x00, 0x01, 0x00, 0x61, 0x05, 0x30};
    n = wire_tpkt_dt(frame, bad_pres, sizeof bad_pres, true);
    stream_feed_bytes(&feed, C2S, 60, frame, n, 0);
    EXPECT_EVENT("\"anomaly\":\"presentation_malformed\"");
}

Test(mms, unanswered_requests_expire_and_the_table_is_bounded)
{
    struct stream_feed f;
    cr_assert(stream_feed_init(&f, &mms_decoder, 0, 1000));
    wire_reset(&args);
    wire_str(&args, 0x80, "PI");
    for (int i = 0; i < 18; i++) {
        confirmed(0xA0, 100 + i, 0xBF29, &args);
        size_t n = wire_mms_data(frame, pdu.b, pdu.n);
        stream_feed_bytes(&f, C2S, 10 + (uint64_t)i, frame, n, 0);
    }
    cr_assert_eq(stream_feed_count(&f, "\"anomaly\":\"pending_table_full\""), 2);
    cr_assert_eq(stream_feed_count(&f, "\"invokeID\":100,\"confirmedServiceRequest\":41,\"request_time_us\":10"), 1);
    /* A later packet past the timeout reports the rest. */
    static const uint8_t conclude_request[] = {0x8B, 0x00};
    wire_reset(&pdu);
    wire_raw(&pdu, conclude_request, 2);
    size_t n = wire_mms_data(frame, pdu.b, pdu.n);
    stream_feed_bytes(&f, C2S, 5000, frame, n, 0);
    cr_assert_eq(stream_feed_count(&f, "\"anomaly\":\"unanswered_request\""), 16);
    stream_feed_finish(&f, 6000);
    cr_assert_eq(stream_feed_count(&f, "\"anomaly\":\"unanswered_request\""), 16);
    stream_feed_free(&f);
}

Test(mms, finish_reports_pending_requests)
{
    wire_reset(&args);
    wire_str(&args, 0x80, "PI");
    request(77, 0xBF2B, &args);
    stream_feed_finish(&feed, 2000);
    EXPECT_EVENT("\"anomaly\":\"unanswered_request\"", "\"function\":\"reset\"", "\"invokeID\":77");
}

Test(mms, status_request_is_diagnostic)
{
    static const uint8_t extended[] = {0x00};
    primitive_request(80, 0x80, extended, 1);
    EXPECT_EVENT("\"op\":\"diagnostic\"", "\"function_code\":0,", "\"function\":\"status\"", "\"status\":false");
}

/* AARQ with password authentication (mechanism 2.2.3.1): the kind is
 * reported, the password never is. */
Test(mms, association_with_password_names_the_mechanism_not_the_password)
{
    static const uint8_t mms_context[] = {0x28, 0xCA, 0x22, 0x02, 0x03};
    static const uint8_t requirements[] = {0x06, 0x80};         /* authentication */
    static const uint8_t password_mechanism[] = {0x52, 0x03, 0x01}; /* 2.2.3.1 */
    static const uint8_t conclude_request[] = {0x8B, 0x00};
    struct wire aarq;
    wire_reset(&aarq);
    wire_open(&aarq, 0x60);
    wire_open(&aarq, 0xA1);
    wire_prim(&aarq, 0x06, mms_context, sizeof mms_context);
    wire_close(&aarq);
    wire_prim(&aarq, 0x8A, requirements, sizeof requirements);
    wire_prim(&aarq, 0x8B, password_mechanism, sizeof password_mechanism);
    wire_open(&aarq, 0xAC);
    wire_str(&aarq, 0x80, "secret12");
    wire_close(&aarq);
    wire_open(&aarq, 0xBE);
    wire_open(&aarq, 0x28);
    wire_int(&aarq, 0x02, 3);
    wire_prim(&aarq, 0xA0, conclude_request, sizeof conclude_request);
    wire_close(&aarq);
    wire_close(&aarq);
    wire_close(&aarq);
    size_t n = wire_session_acse(frame, 13, aarq.b, aarq.n);
    stream_feed_bytes(&feed, C2S, 10, frame, n, 0);
    EXPECT_EVENT("\"acse\":{\"apdu\":\"aarq\",\"aSO_context_name\":\"1.0.9506.2.3\",\"mechanism_name\":\"2.2.3.1\","
                 "\"authentication\":\"password\"}",
                 "\"function\":\"conclude_request\"");
    cr_assert_eq(stream_feed_count(&feed, "secret12"), 0);
}

#define TEST_DOMAIN "IED1LD0"

/* A read request of `count` domain-specific variables, items[i] of logical
 * device domains[i] (of TEST_DOMAIN when domains is NULL). */
static void read_request_of(int64_t invoke_id, const char *const *domains, const char *const *items, size_t count)
{
    wire_reset(&args);
    wire_open(&args, 0xA1); /* variableAccessSpecificatn */
    wire_open(&args, 0xA0); /* listOfVariable */
    for (size_t i = 0; i < count; i++) {
        wire_open(&args, 0x30);
        wire_open(&args, 0xA0);
        wire_domain_name(&args, domains ? domains[i] : TEST_DOMAIN, items[i]);
        wire_close(&args);
        wire_close(&args);
    }
    wire_close(&args);
    wire_close(&args);
    request(invoke_id, 0xA4, &args);
}

Test(mms, every_pdv_of_a_presentation_data_transfer_is_decoded)
{
    /* Two read requests in one P-DATA, then both responses in another. */
    static const uint8_t read_hz[] = {0xA0, 0x1C, 0x02, 0x01, 0x0B, 0xA4, 0x17, 0xA1, 0x15, 0xA0, 0x13, 0x30, 0x11,
                                      0xA0, 0x0F, 0xA1, 0x0D, 0x1A, 0x03, 'L',  'D',  '0',  0x1A, 0x06, 'M',  'M',
                                      'X',  'U',  '1',  '$'};
    static const uint8_t read_pos[] = {0xA0, 0x1C, 0x02, 0x01, 0x0C, 0xA4, 0x17, 0xA1, 0x15, 0xA0, 0x13, 0x30, 0x11,
                                       0xA0, 0x0F, 0xA1, 0x0D, 0x1A, 0x03, 'L',  'D',  '0',  0x1A, 0x06, 'X',  'C',
                                       'B',  'R',  '1',  '$'};
    const uint8_t *requests[] = {read_hz, read_pos};
    const size_t request_lens[] = {sizeof read_hz, sizeof read_pos};
    size_t n = wire_mms_data_pdvs(frame, requests, request_lens, 2);
    stream_feed_bytes(&feed, C2S, 1000, frame, n, 0);
    /* confirmed-ResponsePDU { invokeID, read { listOfAccessResult { float 50.0 } } } and { bit-string } */
    static const uint8_t hz_result[] = {0xA1, 0x0E, 0x02, 0x01, 0x0B, 0xA4, 0x09, 0xA1, 0x07,
                                        0x87, 0x05, 0x08, 0x42, 0x48, 0x00, 0x00};
    static const uint8_t pos_result[] = {0xA1, 0x0C, 0x02, 0x01, 0x0C, 0xA4, 0x07, 0xA1, 0x05,
                                         0x84, 0x03, 0x06, 0x80, 0x00};
    const uint8_t *responses[] = {hz_result, pos_result};
    const size_t response_lens[] = {sizeof hz_result, sizeof pos_result};
    n = wire_mms_data_pdvs(frame, responses, response_lens, 2);
    stream_feed_bytes(&feed, S2C, 1400, frame, n, 0);
    cr_assert_eq(feed.n_events, 4);
    EXPECT_EVENT("\"role\":\"request\"", "\"object\":\"LD0/MMXU1$\"", "\"presentation_context_identifier\":3,",
                 "\"invokeID\":11,");
    EXPECT_EVENT("\"role\":\"request\"", "\"object\":\"LD0/XCBR1$\"", "\"invokeID\":12,");
    EXPECT_EVENT("\"role\":\"response\"", "\"latency_us\":400,", "\"values\":[50]", "\"invokeID\":11,");
    EXPECT_EVENT("\"role\":\"response\"", "\"latency_us\":400,", "\"invokeID\":12,",
                 "\"listOfAccessResult\":[{\"bit-string\":\"8000\",\"padding\":6}]");
    cr_assert_eq(stream_feed_count(&feed, "unmatched_response"), 0);
}

Test(mms, pdvs_per_presentation_data_transfer_are_bounded)
{
    static const uint8_t conclude_request[] = {0x8B, 0x00};
    const uint8_t *pdus[17];
    size_t lens[17];
    for (size_t i = 0; i < 17; i++) {
        pdus[i] = conclude_request;
        lens[i] = sizeof conclude_request;
    }
    size_t n = wire_mms_data_pdvs(frame, pdus, lens, 17);
    stream_feed_bytes(&feed, C2S, 1000, frame, n, 0);
    cr_assert_eq(stream_feed_count(&feed, "\"function\":\"conclude_request\""), 16);
    EXPECT_EVENT("\"anomaly\":\"presentation_malformed\"", "\"reason\":\"pres_too_many_pdvs\"", "\"count\":1");
    cr_assert_eq(feed.n_events, 17);
}

Test(mms, a_broken_pdv_list_after_a_good_one_is_reported)
{
    /* GT+DT, fully-encoded { PDV-list { 3, [0] conclude-RequestPDU }, OCTET STRING } */
    static const uint8_t tsdu[] = {0x01, 0x00, 0x01, 0x00, 0x61, 0x0D, 0x30, 0x07, 0x02, 0x01,
                                   0x03, 0xA0, 0x02, 0x8B, 0x00, 0x04, 0x02, 0x8B, 0x00};
    size_t n = wire_tpkt_dt(frame, tsdu, sizeof tsdu, true);
    stream_feed_bytes(&feed, C2S, 1000, frame, n, 0);
    EXPECT_EVENT("\"function\":\"conclude_request\"", "\"presentation_context_identifier\":3,");
    EXPECT_EVENT("\"anomaly\":\"presentation_malformed\"", "\"reason\":\"pres_malformed\"");
    cr_assert_eq(feed.n_events, 2);
}

/* Read-Response { listOfAccessResult [1] { `results` } } for invokeID `id`. */
static void read_response_with(int64_t id, const struct wire *results)
{
    wire_reset(&args);
    wire_open(&args, 0xA1);
    wire_raw(&args, results->b, results->n);
    wire_close(&args);
    response(id, 0xA4, &args);
}

Test(mms, nameplate_leaves_read_become_identity_facts)
{
    static const char *const items[] = {
        "MMXU1$MX$Hz$mag$f",           "LPHD1$DC$PhyNam$vendor", "LPHD1$DC$PhyNam$hwRev",
        "LPHD1$DC$PhyNam$swRev",       "LPHD1$DC$PhyNam$serNum", "LPHD1$DC$PhyNam$model",
        "LLN0$DC$NamPlt$configRev",    "LPHD1$DC$PhyNam$owner",
    };
    read_request_of(90, NULL, items, sizeof items / sizeof items[0]);
    static const uint8_t float_50[] = {0x08, 0x42, 0x48, 0x00, 0x00};
    static struct wire results;
    wire_reset(&results);
    wire_prim(&results, 0x87, float_50, sizeof float_50);
    wire_str(&results, 0x8A, "Siemens");
    wire_str(&results, 0x8A, "HW 03");
    wire_str(&results, 0x90, "V08.40"); /* mms-string (UTF8String) */
    wire_int(&results, 0x80, 10);      /* serNum: failure object-non-existent */
    wire_str(&results, 0x8A, "7SJ85");
    wire_str(&results, 0x8A, "cfg-2024-03");
    wire_str(&results, 0x8A, "Grid Co");
    read_response_with(90, &results);
    EXPECT_EVENT("\"kind\":\"identity\"", "\"role\":\"response\"", "\"op\":\"read\"", "\"function\":\"read\"",
                 "\"latency_us\":250,", "\"values\":[50]", "\"status\":10,",
                 "\"identity\":{\"vendor\":\"Siemens\",\"hardware_version\":\"HW 03\",\"software_version\":\"V08.40\","
                 "\"model_name\":\"7SJ85\",\"config_revision:IED1LD0\":\"cfg-2024-03\"}");
    cr_assert_eq(stream_feed_count(&feed, "\"kind\":\"identity\""), 1);
}

Test(mms, whole_phynam_and_namplt_structures_follow_the_cdc_component_order)
{
    static const char *const items[] = {"LPHD1$DC$PhyNam", "LLN0$DC$NamPlt", "GGIO1$DC$NamPlt"};
    read_request_of(91, NULL, items, 3);
    static struct wire results;
    wire_reset(&results);
    wire_open(&results, 0xA2); /* DPL, DC: vendor, hwRev, swRev, serNum, model, location */
    wire_str(&results, 0x8A, "ABB");
    wire_str(&results, 0x8A, "B");
    wire_str(&results, 0x8A, "2.1.0");
    wire_str(&results, 0x8A, "1VHR0042");
    wire_str(&results, 0x8A, "REF615");
    wire_str(&results, 0x8A, "");
    wire_close(&results);
    wire_open(&results, 0xA2); /* LPL, DC: vendor, swRev, d, configRev (dU absent) */
    wire_str(&results, 0x8A, "ABB Oy");
    wire_str(&results, 0x8A, "5.0");
    wire_str(&results, 0x8A, "Feeder protection");
    wire_str(&results, 0x8A, "rev 17");
    wire_close(&results);
    wire_open(&results, 0xA2); /* an LPL outside LLN0: not the device's */
    wire_str(&results, 0x8A, "Other");
    wire_close(&results);
    read_response_with(91, &results);
    /* PhyNam's facts are the device's; NamPlt's are its logical device's. */
    EXPECT_EVENT("\"kind\":\"identity\"", "\"op\":\"read\"",
                 "\"identity\":{\"vendor\":\"ABB\",\"hardware_version\":\"B\",\"software_version\":\"2.1.0\","
                 "\"serial_number\":\"1VHR0042\",\"model_name\":\"REF615\",\"vendor:IED1LD0\":\"ABB Oy\","
                 "\"software_version:IED1LD0\":\"5.0\",\"config_revision:IED1LD0\":\"rev 17\"}");
}

Test(mms, namplt_facts_of_two_logical_devices_stay_apart)
{
    static const char *const domains[] = {"IED1PROT", "IED1CTRL", "IED1PROT", "IED1LD0", "IED1CTRL"};
    static const char *const items[] = {"LLN0$DC$NamPlt$swRev", "LLN0$DC$NamPlt$swRev", "LLN0$DC$NamPlt$configRev",
                                        "LPHD1$DC$PhyNam$swRev", "LLN0$DC$NamPlt"};
    read_request_of(94, domains, items, 5);
    static struct wire results;
    wire_reset(&results);
    wire_str(&results, 0x8A, "V7.80");
    wire_str(&results, 0x8A, "V7.90");
    wire_str(&results, 0x8A, "42");
    wire_str(&results, 0x8A, "FW 7.80");
    wire_open(&results, 0xA2); /* IED1CTRL's whole LPL: vendor, swRev, configRev */
    wire_str(&results, 0x8A, "Siemens");
    wire_str(&results, 0x8A, "V7.91");
    wire_str(&results, 0x8A, "43");
    wire_close(&results);
    read_response_with(94, &results);
    /* Each fact once: IED1CTRL's swRev read on its own comes first. */
    EXPECT_EVENT("\"kind\":\"identity\"",
                 "\"identity\":{\"software_version:IED1PROT\":\"V7.80\",\"software_version:IED1CTRL\":\"V7.90\","
                 "\"config_revision:IED1PROT\":\"42\",\"software_version\":\"FW 7.80\","
                 "\"vendor:IED1CTRL\":\"Siemens\",\"config_revision:IED1CTRL\":\"43\"}");
}

Test(mms, namplt_logical_devices_kept_per_read_are_bounded)
{
    /* 60 + 60 octets fill the 128 kept per read; a third 60-octet name and a
     * 65-octet one do not fit, so their NamPlt facts are not reported. */
    static char ld[4][72];
    static const unsigned lengths[] = {60, 60, 60, 65};
    for (unsigned i = 0; i < 4; i++) {
        memset(ld[i], 'A' + (int)i, lengths[i]);
        ld[i][lengths[i]] = '\0';
    }
    const char *const domains[] = {ld[0], ld[1], ld[2], ld[3], ld[0]};
    static const char *const items[] = {"LLN0$DC$NamPlt$swRev", "LLN0$DC$NamPlt$swRev", "LLN0$DC$NamPlt$swRev",
                                        "LLN0$DC$NamPlt$swRev", "LLN0$DC$NamPlt$configRev"};
    read_request_of(95, domains, items, 5);
    static struct wire results;
    wire_reset(&results);
    static const char *const values[] = {"1.0", "2.0", "3.0", "4.0", "9"};
    for (unsigned i = 0; i < 5; i++)
        wire_str(&results, 0x8A, values[i]);
    read_response_with(95, &results);
    char expected[512];
    snprintf(expected, sizeof expected,
             "\"identity\":{\"software_version:%s\":\"1.0\",\"software_version:%s\":\"2.0\","
             "\"config_revision:%s\":\"9\"}",
             ld[0], ld[1], ld[0]);
    EXPECT_EVENT("\"kind\":\"identity\"", expected);
}

Test(mms, reads_without_nameplates_or_unpaired_stay_operations)
{
    static const char *const not_nameplates[] = {"LPHD1$ST$PhyHealth$stVal", "LLN0$DC$NamPltX", "LPHD1$DC$PhyNam$d",
                                                 "XLPHD$DC"};
    read_request_of(92, NULL, not_nameplates, 4);
    static struct wire results;
    wire_reset(&results);
    for (int i = 0; i < 4; i++)
        wire_str(&results, 0x8A, "text");
    read_response_with(92, &results);
    /* A nameplate read whose request was not seen (mid-stream start). */
    read_response_with(93, &results);
    cr_assert_eq(stream_feed_count(&feed, "\"kind\":\"identity\""), 0);
    cr_assert_eq(stream_feed_count(&feed, "\"identity\""), 0);
    EXPECT_EVENT("\"anomaly\":\"unmatched_response\"");
}
