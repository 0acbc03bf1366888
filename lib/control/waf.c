/* SPDX-License-Identifier: BSD-3-Clause */
/* The [waf] section into a loaded rule set. */
#include <errno.h>
#include <stdio.h>

#include "ww_control.h"

int ww_control_load_waf(const struct ww_conf *conf, struct ww_waf **out,
			char *err, size_t err_len)
{
	const char *files[WW_CONF_MAX_FILES];
	struct ww_waf_opts o = {
		.crs_setup =
			conf->waf_crs_setup[0] ? conf->waf_crs_setup : NULL,
		.rules_dir =
			conf->waf_rules_dir[0] ? conf->waf_rules_dir : NULL,
		.files = files,
		.n_files = conf->n_waf_site_rules,
		.paranoia_level = conf->waf_paranoia_level,
		.anomaly_threshold = conf->waf_anomaly_threshold,
		.cache_dir = conf->waf_cache_dir,
		.regex_match_limit = conf->waf_regex_match_limit,
		.allowed_methods = conf->waf_allowed_methods,
		.allowed_content_types = conf->waf_allowed_content_types,
		.restricted_extensions = conf->waf_restricted_extensions,
		.restricted_headers = conf->waf_restricted_headers,
		.rule_exclusions = conf->waf_rule_exclusions,
		.target_exclusions = conf->waf_target_exclusions,
	};
	char why[900];
	unsigned int i;
	int rc;

	*out = NULL;
	if (!conf->waf_enabled)
		return 0;
	for (i = 0; i < conf->n_waf_site_rules; i++)
		files[i] = conf->waf_site_rules[i];
	rc = ww_waf_load(&o, out, why, sizeof(why));
	if (rc == 0) {
		unsigned int rules, unsupported, hs, pcre_only;
		size_t bytes;
		double secs;

		ww_waf_counts(*out, &rules, &unsupported);
		ww_waf_compiled(*out, &hs, &pcre_only, &bytes, &secs);
		CTL_LOG(NOTICE,
			"[waf] %u rules (%u with an operator that never matches), databases %zu bytes, ready in %.2f s; compile cache %s",
			rules, unsupported, bytes, secs,
			ww_waf_cache_state(*out, why, sizeof(why)));
	}
	if (rc < 0)
		snprintf(
			err, err_len,
			"[waf] %s (install modsecurity-crs, fix the file, or set [waf] enabled = no)",
			why);
	return rc;
}
