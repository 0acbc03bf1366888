/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for @detectSQLi (lib/inject/sqli.c). Any bytes: no
 * crash, no read past the length (libFuzzer's buffer ends there, ASan
 * watches); the fingerprint is NUL-terminated, shorter than
 * WW_SQLI_FINGERPRINT_MAX, set exactly when an injection is found; a
 * second call, and a call without a fingerprint, give the same answer;
 * and bytes after the length (a comment, a quote, a closing parenthesis,
 * an injection...) change nothing.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -fno-sanitize-recover=all -Ilib/inject -o /tmp/fuzz_sqli \
 *     tests/fuzz/fuzz_sqli.c lib/inject/sqli.c
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ww_inject.h"

/* What could turn a value into an injection if it were read. */
static const char *const tails[] = {
	"--",
	"'--",
	"\"--",
	"#",
	"/*",
	"*/",
	"'",
	"\"",
	")",
	" or 1=1",
	" union select 1",
	"(5)",
	"\\",
	"$",
	"\0",
};

static void check(const char *s, size_t len, bool want, const char *want_fp)
{
	char fp[WW_SQLI_FINGERPRINT_MAX];

	memset(fp, 0x5a, sizeof(fp));
	if (ww_detect_sqli(s, len, fp) != want)
		abort(); /* the answer changed */
	if (strcmp(fp, want_fp) != 0)
		abort(); /* so did the fingerprint */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char fp[WW_SQLI_FINGERPRINT_MAX];
	const char *s = (const char *)data;
	size_t i, n;
	char *buf;
	bool r;

	memset(fp, 0xa5, sizeof(fp));
	r = ww_detect_sqli(s, size, fp);
	n = strnlen(fp, sizeof(fp));
	if (n >= sizeof(fp) || r != (n > 0))
		abort(); /* unterminated, or set when it should not be */
	check(s, size, r, fp);
	if (ww_detect_sqli(s, size, NULL) != r)
		abort();
	buf = malloc(size + 32);
	if (buf == NULL)
		return 0;
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		if (size > 0)
			memcpy(buf, data, size);
		memcpy(buf + size, tails[i], strlen(tails[i]) + 1);
		check(buf, size, r, fp);
	}
	free(buf);
	return 0;
}
