/* test_modbus_functions.c — every public function family decoded from the
 * request/response examples of the Modbus Application Protocol Specification
 * v1.1b3 (§6), asserting the exact event fields and Wireshark-named detail. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "modbus_bytes.h"
#include "protocols/builtin.h"
#include "tests/support/stream_feed.h"

static struct stream_feed f;

static void setup(void) { cr_assert(stream_feed_init(&f, &modbus_decoder, 0, 0)); }
static void teardown(void) { stream_feed_free(&f); }

TestSuite(modbus_functions, .init = setup, .fini = teardown);

static void exchange(struct adu req, struct adu rsp)
{
    stream_feed_bytes(&f, MAMORI_DIR_TO_SERVER, 1000000, req.b, req.len, 0);
    stream_feed_bytes(&f, MAMORI_DIR_TO_CLIENT, 1000250, rsp.b, rsp.len, 0);
}

static void request(struct adu req)
{
    stream_feed_bytes(&f, MAMORI_DIR_TO_SERVER, 1, req.b, req.len, 0);
}

static void expect(size_t i, const char *needle)
{
    cr_assert_lt(i, f.n_events, "event %zu missing (%zu events)", i, f.n_events);
    cr_assert(strstr(f.events[i], needle), "event %zu:\n%s\nlacks:\n%s", i, f.events[i], needle);
}

static void expect_events(size_t n)
{
    cr_assert_eq(f.n_events, n, "expected %zu events, got %zu:\n%s", n, f.n_events, stream_feed_join(&f));
}

Test(modbus_functions, read_coils)
{
    exchange(ADU(1, 1, 0x01, 0x00, 0x13, 0x00, 0x13), ADU(1, 1, 0x01, 0x03, 0xcd, 0x6b, 0x05));
    expect_events(2);
    expect(0, "\"role\":\"request\",\"op\":\"read\",\"unit\":1,\"function_code\":1,\"function\":\"read_coils\","
              "\"range_start\":19,\"range_count\":19");
    expect(0, "\"modbus\":{\"trans_id\":1,\"prot_id\":0,\"len\":6,\"unit_id\":1,\"func_code\":1,"
              "\"reference_num\":19,\"bit_cnt\":19}");
    /* 0xCD 0x6B 0x05, least significant bit first, 19 bits. */
    expect(1, "\"range_start\":19,\"range_count\":19,\"latency_us\":250");
    expect(1, "\"byte_cnt\":3,\"bitval\":[1,0,1,1,0,0,1,1,1,1,0,1,0,1,1,0,1,0,1]}");
}

Test(modbus_functions, read_discrete_inputs)
{
    exchange(ADU(2, 1, 0x02, 0x00, 0xc4, 0x00, 0x16), ADU(2, 1, 0x02, 0x03, 0xac, 0xdb, 0x35));
    expect_events(2);
    expect(0, "\"function\":\"read_discrete_inputs\",\"range_start\":196,\"range_count\":22");
    expect(1, "\"bitval\":[0,0,1,1,0,1,0,1,1,1,0,1,1,0,1,1,1,0,1,0,1,1]");
}

Test(modbus_functions, read_holding_registers)
{
    exchange(ADU(3, 1, 0x03, 0x00, 0x6b, 0x00, 0x03), ADU(3, 1, 0x03, 0x06, 0x02, 0x2b, 0x00, 0x00, 0x00, 0x64));
    expect_events(2);
    expect(0, "\"reference_num\":107,\"word_cnt\":3}");
    expect(1, "\"op\":\"read\",\"unit\":1,\"function_code\":3,\"function\":\"read_holding_registers\","
              "\"range_start\":107,\"range_count\":3,\"latency_us\":250,\"values\":[555,0,100]");
    expect(1, "\"byte_cnt\":6,\"regval_uint16\":[555,0,100]}");
}

Test(modbus_functions, read_input_registers)
{
    exchange(ADU(4, 7, 0x04, 0x00, 0x08, 0x00, 0x01), ADU(4, 7, 0x04, 0x02, 0x00, 0x0a));
    expect_events(2);
    expect(1, "\"unit\":7,\"function_code\":4,\"function\":\"read_input_registers\",\"range_start\":8,"
              "\"range_count\":1");
    expect(1, "\"regval_uint16\":[10]");
}

Test(modbus_functions, write_single_coil)
{
    exchange(ADU(5, 1, 0x05, 0x00, 0xac, 0xff, 0x00), ADU(5, 1, 0x05, 0x00, 0xac, 0xff, 0x00));
    expect_events(2);
    expect(0, "\"op\":\"write\",\"unit\":1,\"function_code\":5,\"function\":\"write_single_coil\","
              "\"range_start\":172,\"range_count\":1,\"values\":[1]");
    expect(0, "\"reference_num\":172,\"data\":65280,\"bitval\":[1]}");
    expect(1, "\"latency_us\":250");
}

Test(modbus_functions, write_single_coil_bad_value)
{
    exchange(ADU(5, 1, 0x05, 0x00, 0xac, 0x12, 0x34), ADU(5, 1, 0x85, 0x03));
    expect_events(3);
    expect(1, "\"anomaly\":\"invalid_value\"");
    expect(1, "\"reason\":\"coil_value_not_ff00_or_0000\"");
    expect(2, "\"op\":\"exception\"");
    expect(2, "\"status\":3");
    expect(2, "\"exception_code\":3,\"exception\":\"illegal_data_value\"");
}

Test(modbus_functions, write_single_register)
{
    exchange(ADU(6, 1, 0x06, 0x00, 0x01, 0x00, 0x03), ADU(6, 1, 0x06, 0x00, 0x01, 0x00, 0x03));
    expect_events(2);
    expect(0, "\"function\":\"write_single_register\",\"range_start\":1,\"range_count\":1,\"values\":[3]");
    expect(0, "\"reference_num\":1,\"regval_uint16\":[3]}");
}

Test(modbus_functions, write_single_register_echo_differs)
{
    exchange(ADU(6, 1, 0x06, 0x00, 0x01, 0x00, 0x03), ADU(6, 1, 0x06, 0x00, 0x01, 0x00, 0x04));
    expect_events(3);
    expect(2, "\"anomaly\":\"value_mismatch\"");
    expect(2, "\"reason\":\"echo_differs_from_request\"");
}

Test(modbus_functions, write_multiple_coils)
{
    exchange(ADU(7, 1, 0x0f, 0x00, 0x13, 0x00, 0x0a, 0x02, 0xcd, 0x01), ADU(7, 1, 0x0f, 0x00, 0x13, 0x00, 0x0a));
    expect_events(2);
    expect(0, "\"op\":\"write\",\"unit\":1,\"function_code\":15,\"function\":\"write_multiple_coils\","
              "\"range_start\":19,\"range_count\":10,\"values\":[1,0,1,1,0,0,1,1,1,0]");
    expect(0, "\"reference_num\":19,\"bit_cnt\":10,\"byte_cnt\":2,\"bitval\":[1,0,1,1,0,0,1,1,1,0]}");
    expect(1, "\"reference_num\":19,\"bit_cnt\":10}");
}

Test(modbus_functions, write_multiple_registers)
{
    exchange(ADU(8, 1, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0a, 0x01, 0x02),
             ADU(8, 1, 0x10, 0x00, 0x01, 0x00, 0x02));
    expect_events(2);
    expect(0, "\"range_start\":1,\"range_count\":2,\"values\":[10,258]");
    expect(0, "\"reference_num\":1,\"word_cnt\":2,\"byte_cnt\":4,\"regval_uint16\":[10,258]}");
}

Test(modbus_functions, write_multiple_registers_byte_count_wrong)
{
    request(ADU(8, 1, 0x10, 0x00, 0x01, 0x00, 0x02, 0x02, 0x00, 0x0a));
    expect_events(2);
    expect(1, "\"anomaly\":\"invalid_value\"");
    expect(1, "\"reason\":\"byte_cnt_does_not_match_quantity\"");
}

Test(modbus_functions, read_exception_status)
{
    exchange(ADU(9, 1, 0x07), ADU(9, 1, 0x07, 0x6d));
    expect_events(2);
    expect(0, "\"op\":\"diagnostic\",\"unit\":1,\"function_code\":7,\"function\":\"read_exception_status\"");
    expect(1, "\"exception_status\":109}");
}

Test(modbus_functions, diagnostics_return_query_data)
{
    exchange(ADU(10, 1, 0x08, 0x00, 0x00, 0xa5, 0x37), ADU(10, 1, 0x08, 0x00, 0x00, 0xa5, 0x37));
    expect_events(2);
    expect(0, "\"op\":\"diagnostic\",\"unit\":1,\"function_code\":8,\"function\":\"diagnostics\",\"object\":"
              "\"return_query_data\"");
    expect(0, "\"diagnostic_code\":0,\"diagnostic\":\"return_query_data\",\"data\":\"a537\"}");
}

Test(modbus_functions, diagnostics_restart_communications_is_a_restart)
{
    exchange(ADU(11, 1, 0x08, 0x00, 0x01, 0xff, 0x00), ADU(11, 1, 0x08, 0x00, 0x01, 0xff, 0x00));
    expect_events(2);
    expect(0, "\"op\":\"restart\",\"unit\":1,\"function_code\":8,\"function\":\"diagnostics\",\"object\":"
              "\"restart_communications_option\"");
    expect(0, "\"diagnostic_code\":1,\"diagnostic\":\"restart_communications_option\",\"data\":\"ff00\","
              "\"restart_communication_option\":65280}");
}

Test(modbus_functions, diagnostics_force_listen_only_expects_no_response)
{
    request(ADU(12, 1, 0x08, 0x00, 0x04, 0x00, 0x00));
    stream_feed_finish(&f, 60000000);
    expect_events(1);
    expect(0, "\"object\":\"force_listen_only_mode\"");
    expect(0, "\"diagnostic_code\":4,\"diagnostic\":\"force_listen_only_mode\"");
}

Test(modbus_functions, diagnostics_every_subfunction_named)
{
    static const struct {
        uint8_t code;
        const char *name;
    } subs[] = {
        { 2, "return_diagnostic_register" },    { 3, "change_ascii_input_delimiter" },
        { 10, "clear_counters_and_diagnostic_register" }, { 11, "return_bus_message_count" },
        { 12, "return_bus_communication_error_count" }, { 13, "return_bus_exception_error_count" },
        { 14, "return_server_message_count" },  { 15, "return_server_no_response_count" },
        { 16, "return_server_nak_count" },      { 17, "return_server_busy_count" },
        { 18, "return_bus_character_overrun_count" }, { 20, "clear_overrun_counter_and_flag" },
    };
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        struct adu a = ADU(20, 1, 0x08, 0x00, subs[i].code, 0x00, 0x00);
        a.b[1] = (uint8_t)(20 + i);
        request(a);
        char needle[128];
        snprintf(needle, sizeof needle, "\"diagnostic_code\":%u,\"diagnostic\":\"%s\"", subs[i].code, subs[i].name);
        expect(i, needle);
    }
    request(ADU(99, 1, 0x08, 0x00, 0x05, 0x00, 0x00));
    expect(sizeof subs / sizeof subs[0] + 1, "\"reason\":\"reserved_diagnostic_code\"");
}

Test(modbus_functions, get_comm_event_counter)
{
    exchange(ADU(13, 1, 0x0b), ADU(13, 1, 0x0b, 0xff, 0xff, 0x01, 0x08));
    expect_events(2);
    expect(1, "\"ev_status\":65535,\"ev_count\":264}");
}

Test(modbus_functions, get_comm_event_log)
{
    exchange(ADU(14, 1, 0x0c),
             ADU(14, 1, 0x0c, 0x08, 0x00, 0x00, 0x01, 0x08, 0x01, 0x21, 0x20, 0x00));
    expect_events(2);
    expect(1, "\"byte_cnt\":8,\"ev_status\":0,\"ev_count\":264,\"ev_msg_count\":289,\"event\":\"2000\"}");
}

Test(modbus_functions, report_server_id_is_identity)
{
    exchange(ADU(15, 10, 0x11), ADU(15, 10, 0x11, 0x12, 0x00, 0xff, 'W', 'i', 'n', 'g', 'p', 'a', 't', 'h', ' ',
                                     'L', 'i', 'm', 'i', 't', 'e', 'd'));
    expect_events(2);
    expect(0, "\"op\":\"identify\",\"unit\":10,\"function_code\":17,\"function\":\"report_server_id\"");
    expect(1, "\"kind\":\"identity\",\"role\":\"response\",\"op\":\"identify\"");
    expect(1, "\"identity\":{\"server_id\":\"0\",\"run_status\":\"on\",\"additional_data\":\"Wingpath Limited\"}");
    expect(1, "\"byte_cnt\":18,\"server_id\":0,\"run_indicator_status\":255,\"additional_data\":\"Wingpath Limited\"}");
}

Test(modbus_functions, read_file_record)
{
    exchange(ADU(16, 1, 0x14, 0x0e, 0x06, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02, 0x06, 0x00, 0x03, 0x00, 0x09, 0x00,
                 0x02),
             ADU(16, 1, 0x14, 0x0c, 0x05, 0x06, 0x0d, 0xfe, 0x00, 0x20, 0x05, 0x06, 0x33, 0xcd, 0x00, 0x40));
    expect_events(2);
    expect(0, "\"function\":\"read_file_record\",\"range_start\":1,\"range_count\":2");
    expect(0, "\"byte_cnt\":14,\"records\":[{\"reference_type\":6,\"file_number\":4,\"record_number\":1,"
              "\"record_length\":2},{\"reference_type\":6,\"file_number\":3,\"record_number\":9,"
              "\"record_length\":2}]}");
    expect(1, "\"values\":[3582,32,13261,64]");
    expect(1, "\"records\":[{\"file_resp_len\":5,\"reference_type\":6,\"regval_uint16\":[3582,32]},"
              "{\"file_resp_len\":5,\"reference_type\":6,\"regval_uint16\":[13261,64]}]}");
}

Test(modbus_functions, write_file_record)
{
    struct adu req = ADU(17, 1, 0x15, 0x0d, 0x06, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03, 0x06, 0xaf, 0x04, 0xbe,
                         0x10, 0x0d);
    exchange(req, req);
    expect_events(2);
    expect(0, "\"op\":\"write\",\"unit\":1,\"function_code\":21,\"function\":\"write_file_record\","
              "\"range_start\":7,\"range_count\":3,\"values\":[1711,1214,4109]");
    expect(1, "\"records\":[{\"reference_type\":6,\"file_number\":4,\"record_number\":7,\"record_length\":3,"
              "\"regval_uint16\":[1711,1214,4109]}]}");
}

Test(modbus_functions, mask_write_register)
{
    struct adu req = ADU(18, 1, 0x16, 0x00, 0x04, 0x00, 0xf2, 0x00, 0x25);
    exchange(req, req);
    expect_events(2);
    expect(0, "\"op\":\"write\",\"unit\":1,\"function_code\":22,\"function\":\"mask_write_register\","
              "\"range_start\":4,\"range_count\":1,\"values\":[242,37]");
    expect(0, "\"reference_num\":4,\"and_mask\":242,\"or_mask\":37}");
}

Test(modbus_functions, read_write_multiple_registers)
{
    exchange(ADU(19, 1, 0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0e, 0x00, 0x03, 0x06, 0x00, 0xff, 0x00, 0xff, 0x00,
                 0xff),
             ADU(19, 1, 0x17, 0x0c, 0x00, 0xfe, 0x0a, 0xcd, 0x00, 0x01, 0x00, 0x03, 0x00, 0x0d, 0x00, 0xff));
    expect_events(2);
    expect(0, "\"op\":\"write\",\"unit\":1,\"function_code\":23,\"function\":\"read_write_multiple_registers\","
              "\"range_start\":14,\"range_count\":3,\"values\":[255,255,255]");
    expect(0, "\"read_reference_num\":3,\"read_word_cnt\":6,\"write_reference_num\":14,\"write_word_cnt\":3,"
              "\"byte_cnt\":6,\"regval_uint16\":[255,255,255]}");
    expect(1, "\"range_start\":3,\"range_count\":6,\"latency_us\":250,\"values\":[254,2765,1,3,13,255]");
}

Test(modbus_functions, read_fifo_queue)
{
    exchange(ADU(20, 1, 0x18, 0x04, 0xde), ADU(20, 1, 0x18, 0x00, 0x06, 0x00, 0x02, 0x01, 0xb8, 0x12, 0x84));
    expect_events(2);
    expect(0, "\"reference_num\":1246}");
    expect(1, "\"range_start\":1246,\"range_count\":2,\"latency_us\":250,\"values\":[440,4740]");
    expect(1, "\"byte_cnt_16\":6,\"word_cnt\":2,\"regval_uint16\":[440,4740]}");
}

Test(modbus_functions, read_device_identification_with_paging)
{
    exchange(ADU(21, 1, 0x2b, 0x0e, 0x01, 0x00),
             ADU(21, 1, 0x2b, 0x0e, 0x01, 0x81, 0xff, 0x02, 0x02, 0x00, 0x04, 'A', 'C', 'M', 'E', 0x01, 0x04, 'P',
                 '1', '2', '3'));
    exchange(ADU(22, 1, 0x2b, 0x0e, 0x01, 0x02), ADU(22, 1, 0x2b, 0x0e, 0x01, 0x81, 0x00, 0x00, 0x01, 0x02, 0x05,
                                                     'V', '1', '.', '2', '3'));
    expect_events(4);
    expect(0, "\"op\":\"identify\",\"unit\":1,\"function_code\":43,\"function\":\"read_device_identification\"");
    expect(0, "\"mei\":14,\"read_device_id\":1,\"object_id\":0}");
    expect(1, "\"kind\":\"identity\"");
    expect(1, "\"identity\":{\"vendor\":\"ACME\",\"product_code\":\"P123\"}");
    expect(1, "\"mei\":14,\"read_device_id\":1,\"conformity_level\":129,\"more_follows\":255,\"next_object_id\":2,"
              "\"num_objects\":2,\"objects\":[{\"object_id\":0,\"object_name\":\"VendorName\",\"objects_len\":4,"
              "\"object_str_value\":\"ACME\"},{\"object_id\":1,\"object_name\":\"ProductCode\",\"objects_len\":4,"
              "\"object_str_value\":\"P123\"}]}");
    expect(2, "\"object_id\":2}");
    expect(3, "\"identity\":{\"revision\":\"V1.23\"}");
    expect(3, "\"more_follows\":0,\"next_object_id\":0,\"num_objects\":1");
}

Test(modbus_functions, read_device_identification_extended_objects)
{
    exchange(ADU(23, 1, 0x2b, 0x0e, 0x03, 0x00),
             ADU(23, 1, 0x2b, 0x0e, 0x03, 0x83, 0x00, 0x00, 0x05, 0x03, 0x03, 'u', 'r', 'l', 0x04, 0x02, 'P', 'N',
                 0x05, 0x02, 'M', 'N', 0x06, 0x03, 'A', 'p', 'p', 0x80, 0x02, 0xde, 0xad));
    expect_events(2);
    expect(1, "\"identity\":{\"vendor_url\":\"url\",\"product_name\":\"PN\",\"model_name\":\"MN\","
              "\"user_application_name\":\"App\"}");
    expect(1, "{\"object_id\":128,\"object_name\":\"private\",\"objects_len\":2,\"object_value\":\"dead\"}");
}

Test(modbus_functions, canopen_general_reference_is_raw)
{
    request(ADU(24, 1, 0x2b, 0x0d, 0x01, 0x02, 0x03));
    expect_events(1);
    expect(0, "\"function\":\"canopen_general_reference\"");
    expect(0, "\"mei\":13,\"data\":\"010203\"}");
}

Test(modbus_functions, exception_names_and_invalid_code)
{
    static const char *const names[] = { NULL, "illegal_function", "illegal_data_address", "illegal_data_value",
                                         "server_device_failure", "acknowledge", "server_device_busy",
                                         "negative_acknowledge", "memory_parity_error", NULL,
                                         "gateway_path_unavailable", "gateway_target_device_failed_to_respond" };
    size_t at = 0;
    for (uint8_t code = 1; code <= 11; code++) {
        if (!names[code])
            continue;
        exchange(ADU(code, 1, 0x03, 0x00, 0x00, 0x00, 0x01), ADU(code, 1, 0x83, code));
        char needle[160];
        snprintf(needle, sizeof needle, "\"exception_code\":%u,\"exception\":\"%s\"}", code, names[code]);
        expect(at + 1, needle);
        at += 2;
    }
    exchange(ADU(40, 1, 0x03, 0x00, 0x00, 0x00, 0x01), ADU(40, 1, 0x83, 0x0c));
    expect(at + 1, "\"exception_code\":12}");
    expect(at + 2, "\"anomaly\":\"invalid_exception_code\"");
}

Test(modbus_functions, reserved_and_user_defined_codes_reported_raw)
{
    request(ADU(25, 1, 0x41, 0x01, 0x02));
    request(ADU(26, 1, 0x30, 0xaa));
    expect_events(3);
    expect(0, "\"op\":\"other\",\"unit\":1,\"function_code\":65,\"function\":\"user_defined\"");
    expect(0, "\"func_code\":65,\"data\":\"0102\"}");
    expect(1, "\"function_code\":48,\"function\":\"reserved\"");
    expect(2, "\"anomaly\":\"invalid_function_code\"");
    expect(2, "\"reason\":\"reserved_function_code\"");
}

Test(modbus_functions, umas_program_download_and_stop_are_visible)
{
    exchange(ADU(30, 0, 0x5a, 0x00, 0x10, 0x00, 0x01), ADU(30, 0, 0x5a, 0x00, 0xfe, 0x01));
    exchange(ADU(31, 0, 0x5a, 0x01, 0x30, 0x00, 0x01), ADU(31, 0, 0x5a, 0x01, 0xfe));
    exchange(ADU(32, 0, 0x5a, 0x01, 0x41, 0xff, 0x00), ADU(32, 0, 0x5a, 0x01, 0xfd, 0x02));
    exchange(ADU(33, 0, 0x5a, 0x01, 0x40), ADU(33, 0, 0x5a, 0x01, 0xfe));
    exchange(ADU(34, 0, 0x5a, 0x01, 0x26, 0x02), ADU(34, 0, 0x5a, 0x01, 0x07));
    expect_events(11);
    expect(0, "\"op\":\"session\",\"unit\":0,\"function_code\":90,\"function\":\"umas\",\"object\":"
              "\"take_plc_reservation\"");
    expect(0, "\"umas_pairing_key\":0,\"umas_func_code\":16,\"umas_function\":\"take_plc_reservation\","
              "\"umas_data\":\"0001\"}");
    expect(1, "\"umas_pairing_key\":0,\"umas_status\":254,\"umas_response\":\"ok\",\"umas_func_code\":16");
    expect(2, "\"op\":\"program\",\"unit\":0,\"function_code\":90,\"function\":\"umas\",\"object\":"
              "\"initialize_upload\"");
    expect(3, "\"op\":\"program\"");
    expect(3, "\"object\":\"initialize_upload\"");
    expect(4, "\"op\":\"program\",\"unit\":0,\"function_code\":90,\"function\":\"umas\",\"object\":\"stop_plc\"");
    expect(5, "\"object\":\"stop_plc\",\"status\":253");
    expect(5, "\"umas_status\":253,\"umas_response\":\"error\",\"umas_func_code\":65,\"umas_function\":\"stop_plc\","
              "\"umas_data\":\"02\"}");
    expect(6, "\"op\":\"program\",\"unit\":0,\"function_code\":90,\"function\":\"umas\",\"object\":\"start_plc\"");
    expect(8, "\"op\":\"read\",\"unit\":0,\"function_code\":90,\"function\":\"umas\",\"object\":"
              "\"data_dictionary\"");
    /* a response status that is neither 0xFE nor 0xFD */
    expect(9, "\"status\":7,");
    expect(10, "\"anomaly\":\"invalid_value\"");
    expect(10, "\"reason\":\"umas_status_not_fe_or_fd\"");
}

/* Frames 49/50, 57/58 and 76/77 of ITI-ICS-Security-Tools modicon_test.pcap
 * (client port 7718 to a Modicon on 502): a reservation whose answer carries
 * the new pairing key 0x01, a keep-alive under that key, and the start of a
 * program read-back (UMAS "download", 0x33). */
Test(modbus_functions, umas_from_a_modicon_capture)
{
    static const uint8_t frames[][40] = {
        { 0x00, 0x16, 0x00, 0x00, 0x00, 0x18, 0x00, 0x5a, 0x00, 0x10, 0x43, 0x4c, 0x00, 0x00, 0x0f, 'U', 'S', 'E',
          'R', '-', '7', '1', '4', 'E', '7', '4', 'F', '2', '1', 'B' },
        { 0x00, 0x16, 0x00, 0x00, 0x00, 0x05, 0x00, 0x5a, 0x00, 0xfe, 0x01 },
        { 0x00, 0x1a, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x01, 0x12 },
        { 0x00, 0x1a, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x01, 0xfe },
        { 0x00, 0x23, 0x00, 0x00, 0x00, 0x08, 0x00, 0x5a, 0x01, 0x33, 0x00, 0x01, 0xfb, 0x00 },
        { 0x00, 0x23, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x5a, 0x01, 0xfe, 0x00, 0x01, 0x37, 0x30, 0x00, 0x00 },
    };
    static const size_t lengths[] = { 30, 11, 10, 10, 14, 16 };
    for (size_t i = 0; i < 6; i++)
        stream_feed_bytes(&f, i % 2 ? MAMORI_DIR_TO_CLIENT : MAMORI_DIR_TO_SERVER, 1000 + i, frames[i], lengths[i], 0);
    expect_events(6);
    expect(0, "\"role\":\"request\",\"op\":\"session\",\"unit\":0,\"function_code\":90,\"function\":\"umas\","
              "\"object\":\"take_plc_reservation\"");
    expect(0, "\"trans_id\":22,\"prot_id\":0,\"len\":24,\"unit_id\":0,\"func_code\":90,\"umas_pairing_key\":0,"
              "\"umas_func_code\":16,\"umas_function\":\"take_plc_reservation\","
              "\"umas_data\":\"434c00000f555345522d37313445373446323142\"}");
    expect(1, "\"role\":\"response\",\"op\":\"session\"");
    expect(1, "\"latency_us\":1,");
    expect(1, "\"umas_pairing_key\":0,\"umas_status\":254,\"umas_response\":\"ok\",\"umas_func_code\":16,"
              "\"umas_function\":\"take_plc_reservation\",\"umas_data\":\"01\"}");
    expect(2, "\"umas_pairing_key\":1,\"umas_func_code\":18,\"umas_function\":\"keep_alive\"}");
    expect(3, "\"umas_pairing_key\":1,\"umas_status\":254,\"umas_response\":\"ok\",\"umas_func_code\":18,"
              "\"umas_function\":\"keep_alive\"}");
    expect(4, "\"role\":\"request\",\"op\":\"program\",\"unit\":0,\"function_code\":90,\"function\":\"umas\","
              "\"object\":\"initialize_download\"");
    expect(4, "\"umas_func_code\":51,\"umas_function\":\"initialize_download\",\"umas_data\":\"0001fb00\"}");
    expect(5, "\"umas_status\":254,\"umas_response\":\"ok\",\"umas_func_code\":51,"
              "\"umas_function\":\"initialize_download\",\"umas_data\":\"000137300000\"}");
}

Test(modbus_functions, exception_to_device_identification_keeps_its_name)
{
    exchange(ADU(41, 255, 0x2b, 0x0e, 0x01, 0x00), ADU(41, 255, 0xab, 0x04));
    expect_events(2);
    expect(1, "\"op\":\"exception\",\"unit\":255,\"function_code\":43,\"function\":\"read_device_identification\","
              "\"status\":4,\"latency_us\":250,");
    expect(1, "\"exception_code\":4,\"exception\":\"server_device_failure\"}");
}

/* A device identification answer without objects, or with its object list cut
 * short, says nothing trustworthy: a malformed operation and a counted
 * anomaly, never an identity (the inventory reads every event's identity). */
Test(modbus_functions, device_identification_without_objects_is_malformed)
{
    exchange(ADU(42, 1, 0x2b, 0x0e, 0x01, 0x00), ADU(42, 1, 0x2b, 0x0e, 0x01, 0x81, 0x00, 0x00, 0x00));
    expect_events(3);
    expect(1, "\"kind\":\"operation\",\"role\":\"response\",\"op\":\"malformed\",\"unit\":1,\"function_code\":43,"
              "\"function\":\"read_device_identification\",\"latency_us\":250,\"modbus\"");
    cr_assert_null(strstr(f.events[1], "\"identity\""), "%s", f.events[1]);
    expect(1, "\"num_objects\":0,\"objects\":[]}");
    expect(2, "\"kind\":\"anomaly\",\"anomaly\":\"invalid_length\",\"role\":\"response\",\"op\":\"malformed\"");
    expect(2, "\"reason\":\"no_objects\",\"count\":1}");
}

Test(modbus_functions, device_identification_with_truncated_objects_is_malformed)
{
    exchange(ADU(43, 1, 0x2b, 0x0e, 0x01, 0x00), ADU(43, 1, 0x2b, 0x0e, 0x01, 0x81, 0x00, 0x00, 0x02, 0x00, 0x04,
                                                     'A', 'C', 'M', 'E', 0x01, 0x04, 'P', '1'));
    expect_events(3);
    expect(1, "\"kind\":\"operation\",\"role\":\"response\",\"op\":\"malformed\"");
    cr_assert_null(strstr(f.events[1], "\"identity\""), "%s", f.events[1]);
    expect(1, "\"num_objects\":2,\"objects\":[{\"object_id\":0,\"object_name\":\"VendorName\",\"objects_len\":4,"
              "\"object_str_value\":\"ACME\"}]}");
    expect(2, "\"anomaly\":\"invalid_length\"");
    expect(2, "\"reason\":\"objects_truncated\",\"count\":1}");
}
