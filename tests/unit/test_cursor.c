/* test_cursor.c — the bounds-checked cursor: every reader, overrun, sub-cursors. */
#include <criterion/criterion.h>

#include "protocols/cursor.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

Test(cursor, reads_big_and_little_endian)
{
    cursor c = cursor_make(bytes, sizeof bytes);
    cr_assert_eq(cursor_u8(&c), 0x01);
    cr_assert_eq(cursor_be16(&c), 0x0203);
    cr_assert_eq(cursor_le16(&c), 0x0504);
    cr_assert_eq(cursor_be32(&c), 0x06070809u);
    cr_assert(cursor_ok(&c));
    cr_assert_eq(cursor_left(&c), 0);
    c = cursor_make(bytes, sizeof bytes);
    cr_assert_eq(cursor_le32(&c), 0x04030201u);
    cr_assert_eq(cursor_be24(&c), 0x050607u);
    cr_assert_eq(cursor_le16(&c), 0x0908);
    c = cursor_make(bytes, sizeof bytes);
    cr_assert_eq(cursor_le_n(&c, 6), 0x060504030201ull);
    cr_assert_eq(cursor_le24(&c), 0x090807u);
    c = cursor_make(bytes, sizeof bytes);
    cr_assert_eq(cursor_be64(&c), 0x0102030405060708ull);
}

Test(cursor, overrun_is_sticky_and_reads_zero)
{
    cursor c = cursor_make(bytes, 3);
    cr_assert_eq(cursor_be16(&c), 0x0102);
    cr_assert_eq(cursor_be16(&c), 0, "a read past the end returns 0");
    cr_assert_not(cursor_ok(&c));
    cr_assert_eq(cursor_left(&c), 0);
    cr_assert_eq(cursor_u8(&c), 0, "the cursor stays empty after an overrun");
    cr_assert_null(cursor_bytes(&c, 1));
}

Test(cursor, sub_cursor_is_bounded)
{
    cursor c = cursor_make(bytes, sizeof bytes);
    cursor_skip(&c, 1);
    cursor child = cursor_sub(&c, 2);
    cr_assert_eq(cursor_left(&child), 2);
    cr_assert_eq(cursor_u8(&c), 0x04, "the parent moved past the child");
    cr_assert_eq(cursor_be16(&child), 0x0203);
    cr_assert_eq(cursor_u8(&child), 0, "the child cannot read into the parent");
    cr_assert_not(cursor_ok(&child));
    cr_assert(cursor_ok(&c), "a child's overrun does not fail the parent");

    cursor too_long = cursor_sub(&c, 100);
    cr_assert_not(cursor_ok(&too_long));
    cr_assert_not(cursor_ok(&c), "asking for more than is left fails both");
}

Test(cursor, peek_does_not_consume_or_fail)
{
    cursor c = cursor_make(bytes, 2);
    uint8_t v = 0;
    cr_assert(cursor_peek_u8(&c, 1, &v));
    cr_assert_eq(v, 0x02);
    cr_assert_not(cursor_peek_u8(&c, 2, &v));
    cr_assert(cursor_ok(&c));
    cr_assert_eq(cursor_left(&c), 2);
}

Test(cursor, null_data_is_empty)
{
    cursor c = cursor_make(NULL, 10);
    cr_assert_eq(cursor_left(&c), 0);
    cr_assert_eq(cursor_u8(&c), 0);
    cr_assert_not(cursor_ok(&c));
}

Test(cursor, never_points_at_null)
{
    cursor empty = cursor_make(NULL, 0);
    cr_assert_not_null(empty.ptr);
    cursor c = cursor_make(bytes, 2);
    cursor child = cursor_sub(&c, 5); /* more than is left: both fail */
    cr_assert_not_null(child.ptr, "a failed child still points into memory");
    cr_assert_eq(cursor_u8(&child), 0);
    cr_assert_not(cursor_ok(&child));
    cursor zero = cursor_sub(&c, 0);
    cr_assert_not_null(zero.ptr);
    cr_assert_eq(cursor_left(&zero), 0);
}
