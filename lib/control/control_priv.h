/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef WW_CONTROL_PRIV_H
#define WW_CONTROL_PRIV_H

/* Shared by the control plane's files. */

#include "ww_control.h"
#include "ww_response.h"

struct ww_control {
	struct ww_control_opts o;
	struct ww_ctl_socket *sock;
	struct ww_metrics *metrics;
	char *sets[WW_CONTROL_MAX_SETS]; /* run-time "set" keys, in order */
	unsigned int n_sets;
	uint64_t now_ns, last_rebalance_ns;
	struct ww_response *resp; /* the escalation ladder */
};

#endif /* WW_CONTROL_PRIV_H */
