/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The models in force ([detect] classifier and anomaly): loaded at start
 * and on "model reload" (wirewallctl, SIGHUP), each checked against the
 * feature specification the workers extract, and put in force through
 * lib/forest's RCU slots. Both files are read and checked before either
 * is replaced: a refused file leaves both models in force as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control_priv.h"
#include "ww_feat.h"

/* Load @path (a @want kind of model) into *@out; "" = none. */
static int load_one(const char *what, const char *path,
		    enum ww_forest_kind want, struct ww_forest **out, char *err,
		    size_t err_len)
{
	struct ww_forest_info info;
	char why[WW_FOREST_ERR_MAX];

	*out = NULL;
	if (path[0] == '\0')
		return 0;
	*out = ww_forest_load_file(path, WW_FEAT_N, WW_FEAT_SPEC_ID, why,
				   sizeof(why));
	if (*out == NULL) {
		snprintf(err, err_len, "[detect] %s %s: %s", what, path, why);
		return -EINVAL;
	}
	ww_forest_get_info(*out, &info);
	if (info.kind != want) {
		snprintf(err, err_len,
			 "[detect] %s %s: a %s model, this key takes a %s",
			 what, path, ww_forest_kind_name(info.kind),
			 ww_forest_kind_name(want));
		ww_forest_free(*out);
		*out = NULL;
		return -EINVAL;
	}
	if (want == WW_FOREST_RF_CLASSIFIER && info.n_outputs > 16) {
		snprintf(err, err_len,
			 "[detect] %s %s: %u classes, at most 16 are supported",
			 what, path, info.n_outputs);
		ww_forest_free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

int ww_models_load(const struct ww_conf *conf, struct ww_pipeline_ctx *ctx,
		   char *msg, size_t len)
{
	struct ww_forest *cls, *an;
	struct ww_forest_info ci, ai;
	int rc;

	rc = load_one("classifier", conf->detect_classifier,
		      WW_FOREST_RF_CLASSIFIER, &cls, msg, len);
	if (rc < 0)
		return rc;
	rc = load_one("anomaly", conf->detect_anomaly, WW_FOREST_ISOLATION, &an,
		      msg, len);
	if (rc < 0) {
		ww_forest_free(cls);
		return rc;
	}
	if ((cls != NULL || an != NULL) && !conf->detect_enabled) {
		snprintf(
			msg, len,
			"[detect] enabled = no: the models would have no features to score");
		ww_forest_free(cls);
		ww_forest_free(an);
		return -EINVAL;
	}
	ww_forest_slot_publish(&ctx->classifier, cls);
	ww_forest_slot_publish(&ctx->anomaly, an);
	if (cls != NULL)
		ww_forest_get_info(cls, &ci);
	if (an != NULL)
		ww_forest_get_info(an, &ai);
	snprintf(msg, len, "classifier %s%s%.8x%s, anomaly %s%s%.8x%s",
		 cls ? conf->detect_classifier : "none", cls ? " (" : "",
		 cls ? ci.checksum : 0, cls ? ")" : "",
		 an ? conf->detect_anomaly : "none", an ? " (" : "",
		 an ? ai.checksum : 0, an ? ")" : "");
	return 0;
}

int ww_control_model_reload(struct ww_control *c, char *msg, size_t len)
{
	const struct ww_conf *conf = c->o.ctx->policy->conf;
	int rc = ww_models_load(conf, c->o.ctx, msg, len);

	if (rc < 0)
		CTL_LOG(ERR,
			"model reload refused, the models in force stay: %s",
			msg);
	else
		CTL_LOG(INFO, "models in force: %s", msg);
	return rc;
}

void ww_models_unload(struct ww_pipeline_ctx *ctx)
{
	ww_forest_slot_publish(&ctx->classifier, NULL);
	ww_forest_slot_publish(&ctx->anomaly, NULL);
}
