/* enip_transactions.c — pairing CIP requests with responses within a fixed
 * table per flow: unconnected messages by sender context, connected ones by
 * CIP sequence count. Reports requests never answered (after the response
 * timeout, when a key is reused while outstanding, and when the flow ends);
 * a full table drops its oldest request and counts it. Allocates nothing. */
#include "enip_private.h"

#include <string.h>

void enip_tx_init(struct enip_transactions *tx, uint64_t timeout_us)
{
    memset(tx, 0, sizeof *tx);
    tx->timeout_us = timeout_us;
}

static void remove_at(struct enip_transactions *tx, uint32_t i)
{
    memmove(&tx->pending[i], &tx->pending[i + 1], (tx->count - i - 1) * sizeof tx->pending[0]);
    tx->count--;
}

static int find(const struct enip_transactions *tx, bool connected, uint64_t key)
{
    for (uint32_t i = 0; i < tx->count; i++)
        if (tx->pending[i].connected == connected && tx->pending[i].key == key)
            return (int)i;
    return -1;
}

void enip_tx_add(struct enip_flow *flow, struct mamori_sink *sink, const struct enip_pending *req)
{
    struct enip_transactions *tx = &flow->tx;
    int at = find(tx, req->connected, req->key);
    if (at >= 0) {
        enip_report_unanswered(flow, sink, &tx->pending[at]);
        remove_at(tx, (uint32_t)at);
    }
    if (tx->count == ENIP_PENDING_MAX) {
        tx->dropped++;
        remove_at(tx, 0);
    }
    tx->pending[tx->count++] = *req;
}

bool enip_tx_take(struct enip_transactions *tx, bool connected, uint64_t key, struct enip_pending *out)
{
    int at = find(tx, connected, key);
    if (at < 0)
        return false;
    *out = tx->pending[at];
    remove_at(tx, (uint32_t)at);
    return true;
}

void enip_tx_expire(struct enip_flow *flow, const struct mamori_parse_ctx *ctx, bool all)
{
    struct enip_transactions *tx = &flow->tx;
    while (tx->count > 0) {
        const struct enip_pending *oldest = &tx->pending[0];
        bool expired = tx->timeout_us && ctx->time_us >= oldest->time_us &&
                       ctx->time_us - oldest->time_us > tx->timeout_us;
        if (!all && !expired)
            break;
        enip_report_unanswered(flow, ctx->sink, oldest);
        remove_at(tx, 0);
    }
}
