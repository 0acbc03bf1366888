/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage detect: per-flow and per-client features and the models that
 * score them (lib/forest). An empty slot for now: the detection issue
 * fills it, and its verdicts join the others before stage_verdict.
 */
#include "stage.h"

void stage_detect(struct ww_worker *w, struct ww_burst *b)
{
	(void)w;
	(void)b;
}
