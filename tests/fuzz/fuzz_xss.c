/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for ww_detect_xss(). Besides what ASan and UBSan
 * catch (a read past the value, an overflow in a character reference or
 * a CSS escape), every run checks that the verdict is deterministic and
 * depends on the value's bytes only: the same bytes at another address,
 * followed by bytes that would complete an attack (a script tag, a quote
 * and an event handler, the rest of a javascript: scheme), give the same
 * verdict.
 *
 *   tests/fuzz/run.sh [SECONDS]    (builds with clang and runs)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ww_inject.h"

static const char tail[] = "ascript:<script>\" onerror=alert(1) '>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool first = ww_detect_xss((const char *)data, size);
	char *copy;

	if (ww_detect_xss((const char *)data, size) != first)
		abort(); /* not deterministic */
	copy = malloc(1 + size + sizeof(tail));
	if (copy == NULL)
		return 0;
	copy[0] = '<';
	if (size > 0)
		memcpy(copy + 1, data, size);
	memcpy(copy + 1 + size, tail, sizeof(tail));
	if (ww_detect_xss(copy + 1, size) != first)
		abort(); /* read outside the value */
	free(copy);
	return 0;
}
