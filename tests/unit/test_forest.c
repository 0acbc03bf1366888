/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/forest in-process: loading from memory, the exact float32
 * thresholds, and hot reload through the RCU slot while a reader thread
 * keeps predicting (under ASan, a model freed too early is a crash).
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_rcu_qsbr.h>

#include "ww_forest.h"

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

static void put(uint8_t **p, const void *v, size_t n)
{
	memcpy(*p, v, n);
	*p += n;
}

/* A one-split regressor: x0 <= thr -> left_value, else right_value,
 * with threshold rule @rule (0: <=, 1: <). Returns the file size. */
static size_t build_stump(uint8_t *buf, double thr, int rule, double lv,
			  double rv)
{
	uint8_t *p = buf;
	uint16_t v16;
	uint32_t v32;
	int32_t node[4];
	double d;

	put(&p, "WWFOREST", 8);
	v16 = 1;
	put(&p, &v16, 2);
	v16 = 2; /* regressor */
	put(&p, &v16, 2);
	v32 = 1; /* features */
	put(&p, &v32, 4);
	put(&p, &v32, 4); /* outputs */
	put(&p, &v32, 4); /* trees */
	v32 = 3;	  /* nodes */
	put(&p, &v32, 4);
	v32 = 2; /* values */
	put(&p, &v32, 4);
	v32 = 9; /* spec id */
	put(&p, &v32, 4);
	v32 = (uint32_t)rule;
	put(&p, &v32, 4);
	d = 0;
	put(&p, &d, 8);
	put(&p, &d, 8);
	put(&p, &d, 8);
	v32 = 3; /* tree: 3 nodes, group 0 */
	put(&p, &v32, 4);
	v32 = 0;
	put(&p, &v32, 4);
	node[0] = 0, node[1] = 1, node[2] = 2, node[3] = 0;
	put(&p, node, 16);
	put(&p, &thr, 8);
	node[0] = -1, node[1] = 0, node[2] = 0, node[3] = 0;
	put(&p, node, 16);
	d = 0;
	put(&p, &d, 8);
	node[3] = 1;
	put(&p, node, 16);
	put(&p, &d, 8);
	put(&p, &lv, 8);
	put(&p, &rv, 8);
	v32 = crc32_ref(buf, (size_t)(p - buf));
	put(&p, &v32, 4);
	return (size_t)(p - buf);
}

static double predict1(const struct ww_forest *f, float x)
{
	double out;

	assert_int_equal(
		ww_forest_predict(f, WW_FOREST_KERNEL_SCALAR, &x, 1, &out), 0);
	return out;
}

static void test_exact_thresholds(void **state)
{
	uint8_t buf[256];
	char err[WW_FOREST_ERR_MAX];
	struct ww_forest *f;
	/* 0.1 is not a float32: scikit-learn compares (double)x <= 0.1. */
	const double thr = 0.1;
	const float below = 0.099999994f, above = 0.1f; /* 0.1f > 0.1 */

	(void)state;
	f = ww_forest_load_mem(buf, build_stump(buf, thr, 0, 1.0, 2.0), 1, 9,
			       err, sizeof(err));
	assert_non_null(f);
	assert_true((double)above > thr);
	assert_true(predict1(f, below) == 1.0);
	assert_true(predict1(f, above) == 2.0);
	ww_forest_free(f);

	/* XGBoost: x < 0.5f goes left, x == 0.5f goes right. */
	f = ww_forest_load_mem(buf, build_stump(buf, 0.5, 1, 1.0, 2.0), 0, 0,
			       err, sizeof(err));
	assert_non_null(f);
	assert_true(predict1(f, 0.49999997f) == 1.0);
	assert_true(predict1(f, 0.5f) == 2.0);
	ww_forest_free(f);
}

static void test_refusals_name_the_problem(void **state)
{
	uint8_t buf[256];
	char err[WW_FOREST_ERR_MAX];
	size_t n = build_stump(buf, 0.5, 0, 1.0, 2.0);

	(void)state;
	assert_null(ww_forest_load_mem(buf, n - 1, 0, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "truncated"));
	buf[100] ^= 4;
	assert_null(ww_forest_load_mem(buf, n, 0, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "checksum"));
	buf[100] ^= 4;
	assert_null(ww_forest_load_mem(buf, n, 2, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "features"));
	assert_null(ww_forest_load_mem(buf, n, 0, 8, err, sizeof(err)));
	assert_non_null(strstr(err, "feature specification 9"));
}

/* Hot reload: a reader keeps predicting with whatever the slot holds and
 * reports a quiescent state after each prediction, as a worker does
 * after each burst; the control thread replaces the model 200 times. */
struct reader {
	struct ww_forest_slot *slot;
	volatile int stop;
	unsigned long predictions;
	int bad;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	rte_rcu_qsbr_thread_register(r->slot->qsbr, 0);
	rte_rcu_qsbr_thread_online(r->slot->qsbr, 0);
	while (!r->stop) {
		const struct ww_forest *f = ww_forest_slot_get(r->slot);
		float x = 0.25f;
		double out = 0;

		if (f != NULL) {
			ww_forest_predict(f, WW_FOREST_KERNEL_SCALAR, &x, 1,
					  &out);
			/* Every model published maps 0.25 to 1000 + n. */
			if (out < 1000)
				r->bad++;
			r->predictions++;
		}
		rte_rcu_qsbr_quiescent(r->slot->qsbr, 0);
	}
	rte_rcu_qsbr_thread_offline(r->slot->qsbr, 0);
	rte_rcu_qsbr_thread_unregister(r->slot->qsbr, 0);
	return NULL;
}

static void test_rcu_hot_reload(void **state)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *q = aligned_alloc(RTE_CACHE_LINE_SIZE, sz);
	struct ww_forest_slot slot = {NULL, q};
	struct reader r = {&slot, 0, 0, 0};
	uint8_t buf[256];
	char err[WW_FOREST_ERR_MAX];
	pthread_t th;
	int i;

	(void)state;
	assert_non_null(q);
	assert_int_equal(rte_rcu_qsbr_init(q, 1), 0);
	ww_forest_slot_publish(
		&slot,
		ww_forest_load_mem(buf, build_stump(buf, 0.5, 0, 1000, 0), 0, 0,
				   err, sizeof(err)));
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	/* Start replacing once the reader is reading. */
	while (((volatile struct reader *)&r)->predictions == 0)
		sched_yield();
	for (i = 1; i <= 200; i++) {
		struct ww_forest *next = ww_forest_load_mem(
			buf, build_stump(buf, 0.5, 0, 1000 + i, 0), 0, 0, err,
			sizeof(err));

		assert_non_null(next);
		/* A refused file leaves the model in force alone. */
		assert_null(
			ww_forest_load_mem(buf, 10, 0, 0, err, sizeof(err)));
		ww_forest_slot_publish(&slot, next);
	}
	r.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(r.bad, 0);
	assert_true(r.predictions > 0);
	assert_true(predict1(ww_forest_slot_get(&slot), 0.25f) == 1200.0);
	ww_forest_slot_publish(&slot, NULL);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_thresholds),
		cmocka_unit_test(test_refusals_name_the_problem),
		cmocka_unit_test(test_rcu_hot_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
