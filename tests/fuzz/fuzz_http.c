/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the HTTP/1.1 parser, requests and responses. The
 * first input byte picks how the rest is cut into segments (low four
 * bits) and the mode (bit 4: responses; bit 5: every response answers a
 * HEAD request), so the fuzzer explores splits
 * as well as contents; every run also checks that the same bytes fed in
 * one piece give the same requests and the same verdict (the parser's
 * promise that segmentation never changes the result).
 *
 *   tests/fuzz/run.sh [SECONDS]    (builds with clang and runs)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ww_http.h"

static const struct ww_http_limits lim = {
	.max_request_line = 256,
	.max_headers = 16,
	.max_header_bytes = 1024,
	.body_depth = 128,
	.max_chunk_ext = 32,
};

struct outcome {
	unsigned int requests;
	int violation;
	uint64_t body_bytes;
	uint32_t uri_hash;
	uint32_t status_hash;
};

static void run(const uint8_t *d, size_t n, unsigned int step, uint8_t mode,
		struct outcome *o)
{
	static char head[1024], work[1024], body[128];
	struct ww_http_parser p;
	size_t off = 0;

	memset(o, 0, sizeof(*o));
	if (mode & 0x10) {
		ww_http_parser_init_response(&p, &lim, head, sizeof(head));
		ww_http_expect_no_body(&p, (mode & 0x20) != 0);
	} else {
		ww_http_parser_init(&p, &lim, head, sizeof(head), work,
				    sizeof(work), body, sizeof(body));
	}
	while (off < n) {
		size_t seg = step ? step : n - off, end, used;

		end = off + seg < n ? off + seg : n;
		while (off < end) {
			enum ww_http_event ev = ww_http_feed(
				&p, (const char *)d + off, end - off, &used);
			uint32_t i;

			off += used;
			if (ev == WW_HTTP_REQUEST) {
				o->requests++;
				o->body_bytes += p.req.body_bytes;
				o->status_hash =
					o->status_hash * 1009 + p.req.status;
				for (i = 0; i < p.req.uri.len; i++)
					o->uri_hash = o->uri_hash * 31 +
						      (uint8_t)p.req.uri.p[i];
			} else if (ev == WW_HTTP_VIOLATION) {
				o->violation = p.violation;
				return;
			} else if (ev == WW_HTTP_NEED_MORE) {
				break;
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, split;

	if (size < 1)
		return 0;
	run(data + 1, size - 1, 0, data[0], &whole);
	run(data + 1, size - 1, (data[0] % 16) + 1, data[0], &split);
	if (memcmp(&whole, &split, sizeof(whole)) != 0)
		abort(); /* segmentation changed the result */
	return 0;
}
