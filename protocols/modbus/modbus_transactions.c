/* modbus_transactions.c — pairing requests with responses by transaction id,
 * within a fixed table per flow. Reports requests never answered (after the
 * configured response timeout, when a transaction id is reused while still
 * outstanding, and when the flow ends; not for a request the device need not
 * answer) and floods: more outstanding requests
 * than the table holds (the oldest is dropped and counted) or a request rate
 * above MODBUS_FLOOD_REQUESTS_PER_SECOND. The table is a ring in arrival
 * order, so answering or expiring the oldest request (the usual case) moves
 * nothing. Allocates nothing. */
#include "modbus_private.h"

#include <string.h>

void modbus_tx_init(struct modbus_transactions *tx, uint64_t timeout_us)
{
    memset(tx, 0, sizeof *tx);
    tx->timeout_us = timeout_us;
}

/* Forgets every outstanding request without reporting it. */
void modbus_tx_clear(struct modbus_transactions *tx)
{
    tx->count = 0;
    tx->table_flooded = false;
}

/* The i-th outstanding request, oldest first. */
static struct modbus_pending *at(struct modbus_transactions *tx, uint32_t i)
{
    return &tx->pending[(tx->head + i) % MODBUS_PENDING_MAX];
}

/* Index of the outstanding request with this transaction id, or tx->count. */
static uint32_t find(struct modbus_transactions *tx, uint16_t trans_id)
{
    uint32_t i = 0;
    while (i < tx->count && at(tx, i)->trans_id != trans_id)
        i++;
    return i;
}

static void remove_at(struct modbus_transactions *tx, uint32_t i)
{
    if (i == 0)
        tx->head = (tx->head + 1) % MODBUS_PENDING_MAX;
    else
        for (; i + 1 < tx->count; i++)
            *at(tx, i) = *at(tx, i + 1);
    tx->count--;
    if (tx->count <= MODBUS_PENDING_MAX / 2)
        tx->table_flooded = false;
}

static void count_rate(struct modbus_flow *flow, struct mamori_sink *sink, uint64_t now_us)
{
    struct modbus_transactions *tx = &flow->tx;
    if (tx->window_requests == 0 || now_us - tx->window_start_us >= MODBUS_FLOOD_WINDOW_US ||
        now_us < tx->window_start_us) {
        tx->window_start_us = now_us;
        tx->window_requests = 0;
        tx->window_flooded = false;
    }
    if (++tx->window_requests > MODBUS_FLOOD_REQUESTS_PER_SECOND && !tx->window_flooded) {
        tx->window_flooded = true;
        modbus_report_anomaly(flow, sink, MODBUS_ANOMALY_FLOODED, NULL, "request_rate_over_limit");
    }
}

void modbus_tx_add(struct modbus_flow *flow, struct mamori_sink *sink, const struct modbus_pending *req)
{
    struct modbus_transactions *tx = &flow->tx;
    count_rate(flow, sink, req->time_us);
    uint32_t reused = find(tx, req->trans_id);
    if (reused < tx->count) {
        if (!at(tx, reused)->response_optional)
            modbus_report_unanswered(flow, sink, at(tx, reused));
        remove_at(tx, reused);
    }
    if (tx->count == MODBUS_PENDING_MAX) {
        if (!tx->table_flooded) {
            tx->table_flooded = true;
            modbus_report_anomaly(flow, sink, MODBUS_ANOMALY_FLOODED, NULL, "outstanding_requests_over_limit");
        }
        tx->dropped++;
        remove_at(tx, 0);
        tx->table_flooded = true;
    }
    *at(tx, tx->count++) = *req;
}

bool modbus_tx_take(struct modbus_transactions *tx, uint16_t trans_id, struct modbus_pending *out)
{
    uint32_t i = find(tx, trans_id);
    if (i == tx->count)
        return false;
    *out = *at(tx, i);
    remove_at(tx, i);
    return true;
}

void modbus_tx_expire(struct modbus_flow *flow, const struct mamori_parse_ctx *ctx, bool all)
{
    struct modbus_transactions *tx = &flow->tx;
    while (tx->count > 0) {
        const struct modbus_pending *oldest = at(tx, 0);
        bool expired = tx->timeout_us && ctx->time_us >= oldest->time_us &&
                       ctx->time_us - oldest->time_us > tx->timeout_us;
        if (!all && !expired)
            break;
        if (!oldest->response_optional)
            modbus_report_unanswered(flow, ctx->sink, oldest);
        remove_at(tx, 0);
    }
}
