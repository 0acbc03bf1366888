/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for TCP reassembly, checked against a model: a byte
 * array where the first write of each position wins. After every segment
 * (rewrite mode) the payload that would be forwarded must equal the model
 * over its range, and the bytes delivered so far must be exactly the
 * model's contiguous prefix. Acknowledgements are mixed in.
 *
 * Input: records of [op][offset hi][offset lo][len][len bytes]; op bit 0
 * = ACK up to offset, else a segment at offset. The ISN is picked near
 * 2^32 so that wraparound is always exercised.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ww_tcp.h"

#define SPACE 4096

static uint8_t model[SPACE];
static uint8_t written[SPACE];
static uint8_t delivered[SPACE];
static uint32_t n_delivered;

static void sink(void *arg, const uint8_t *d, uint32_t n)
{
	(void)arg;
	if (n_delivered + n > SPACE)
		abort();
	memcpy(delivered + n_delivered, d, n);
	n_delivered += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ww_tcp_pool pool;
	struct ww_tcp_stream s;
	static uint32_t slots[256];
	const uint32_t isn = 0xfffff000u;
	size_t i = 0;
	uint32_t k, prefix;

	if (pool.blocks == NULL && ww_tcp_pool_init(&pool, 1 << 20) != 0)
		abort();
	memset(written, 0, sizeof(written));
	n_delivered = 0;
	ww_tcp_stream_start(&s, isn, slots, ww_tcp_slots_for(1 << 16));

	while (i + 4 <= size) {
		uint8_t op = data[i];
		uint32_t off =
			((uint32_t)data[i + 1] << 8 | data[i + 2]) % SPACE;
		uint32_t len = data[i + 3], f;
		uint8_t seg[256];

		i += 4;
		if (op & 1) {
			ww_tcp_ack(&pool, &s, isn + off);
			continue;
		}
		if (op & 2) {
			/* The receiver's window: bytes past it are refused. */
			ww_tcp_window(&s, isn + off, (uint32_t)len * 16);
			continue;
		}
		if (len > size - i)
			len = (uint32_t)(size - i);
		if (off + len > SPACE)
			len = SPACE - off;
		memcpy(seg, data + i, len);
		i += len;
		f = ww_tcp_segment(&pool, &s, isn + off, seg, len, true, sink,
				   NULL);
		if (f & WW_TCP_CAP)
			break; /* gave up: nothing more to check */
		if (f & WW_TCP_REFUSED) {
			/* Refused whole: nothing stored, nothing delivered. */
			if (memcmp(seg, data + i - len, len) != 0)
				abort();
			continue;
		}
		/* Model: first arrival wins, except bytes already acked and
		 * freed (the receiver has them; they are not compared). */
		for (k = 0; k < len; k++) {
			uint32_t p = off + k;

			if (!written[p]) {
				written[p] = 1;
				model[p] = data[i - len + k];
			} else if (!(f & WW_TCP_OLD) && seg[k] != model[p] &&
				   !ww_seq_lt(isn + p, s.acked)) {
				abort(); /* forwarded bytes differ */
			}
		}
		for (prefix = 0; prefix < SPACE && written[prefix]; prefix++)
			;
		if (n_delivered != prefix ||
		    memcmp(delivered, model, n_delivered) != 0)
			abort(); /* delivery is not the contiguous prefix */
	}
	ww_tcp_stream_release(&pool, &s);
	if (pool.n_free != pool.n_blocks)
		abort(); /* a block leaked */
	return 0;
}
