/*
 * metrics_telemetry.c - dpvsd's counters as DPDK telemetry commands on
 * /var/run/dpdk/<file_prefix>/dpdk_telemetry.v2 (dpdk-telemetry.py):
 *   /dpvsd/lcores       per lcore: role, loop counters, each job's calls,
 *                       work and cycles (the reply of CORE_OP_LCORE_LIST)
 *   /dpvsd/ipvs/stats   per forwarding lcore: the IPVS hook and xmit
 *                       counters (the reply of IPVS_STATS_OP_GET)
 *
 * Telemetry callbacks run on DPDK's telemetry threads (one per client),
 * but the control requests are the master's.  So a callback hands its
 * command to the master and waits (at most METRICS_TEL_WAIT_MS): the
 * master's "metrics" job sees the request (one atomic load per loop),
 * runs the request with ctl_call_local() and fills the reply under the
 * hand-off mutex, which it only ever trylocks (it never waits for a
 * telemetry thread).  Callbacks are serialised among themselves.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rte_telemetry.h>
#include "core_wire.h"
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "metrics.h"
#include "ipvs/ipvs_stats_wire.h"

DPVS_LOG_DECLARE(metrics);

#define METRICS_TEL_WAIT_MS 2000

typedef int (*tel_fill_fn)(struct rte_tel_data *d);

/* The hand-off between one telemetry thread and the master. */
static struct {
	pthread_mutex_t serial;		/* one telemetry command at a time */
	pthread_mutex_t lock;		/* guards fill, d, rc */
	pthread_cond_t done;
	atomic_bool pending;		/* set by the telemetry thread, cleared by the master */
	atomic_bool serving;		/* the master's job is registered */
	tel_fill_fn fill;
	struct rte_tel_data *d;
	int rc;
} tel = {
	.serial = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

/* ---- fill functions (master) ---- */

static void tel_name(char *buf, size_t n, const char *a, size_t alen, const char *b,
		     size_t blen)
{
	snprintf(buf, n, "%.*s%s%.*s", (int)strnlen(a, alen), a, b ? "_" : "",
		 b ? (int)strnlen(b, blen) : 0, b ? b : "");
}

/* Add a u64 to dict c; counts a refusal (bad name, dict full) in *bad. */
static void tel_u64(struct rte_tel_data *c, const char *key, uint64_t v, unsigned int *bad)
{
	*bad += rte_tel_data_add_dict_u64(c, key, v) != 0;
}

static int tel_lcore(struct rte_tel_data *d, const struct core_lcore_info *l)
{
	const struct core_job_info *j = (const void *)(l + 1);
	struct rte_tel_data *c = rte_tel_data_alloc();
	char key[RTE_TEL_MAX_STRING_LEN], role[sizeof(l->role_name) + 1];
	unsigned int i, bad = 0;

	if (!c)
		return -ENOMEM;
	rte_tel_data_start_dict(c);
	snprintf(role, sizeof(role), "%.*s", (int)strnlen(l->role_name, sizeof(l->role_name)),
		 l->role_name);
	bad += rte_tel_data_add_dict_string(c, "role", role) != 0;
	tel_u64(c, "loops", l->loops, &bad);
	tel_u64(c, "idle_loops", l->idle_loops, &bad);
	tel_u64(c, "sleeps", l->sleeps, &bad);
	tel_u64(c, "sleep_us", l->sleep_us, &bad);
	for (i = 0; i < l->n_jobs; i++) {
		tel_name(key, sizeof(key), j[i].name, sizeof(j[i].name), "calls", 6);
		tel_u64(c, key, j[i].calls, &bad);
		tel_name(key, sizeof(key), j[i].name, sizeof(j[i].name), "work", 5);
		tel_u64(c, key, j[i].work, &bad);
		tel_name(key, sizeof(key), j[i].name, sizeof(j[i].name), "cycles", 7);
		tel_u64(c, key, j[i].cycles, &bad);
	}
	snprintf(key, sizeof(key), "%u", l->lcore_id);
	if (bad || rte_tel_data_add_dict_container(d, key, c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOSPC;
	}
	return 0;
}

static int tel_fill_lcores(struct rte_tel_data *d)
{
	const struct core_lcore_list_hdr *h;
	void *data;
	size_t len;
	const char *p, *end;
	unsigned int i;
	int rc = ctl_call_local(CORE_OP_LCORE_LIST, NULL, 0, &data, &len);

	if (rc != 0)
		return -EIO;
	rte_tel_data_start_dict(d);
	h = data;
	p = (const char *)data + sizeof(*h);
	end = (const char *)data + len;
	for (i = 0; len >= sizeof(*h) && i < h->n_lcores && rc == 0; i++) {
		const struct core_lcore_info *l = (const void *)p;

		if ((size_t)(end - p) < sizeof(*l) ||
		    (size_t)(end - p - sizeof(*l)) / sizeof(struct core_job_info) < l->n_jobs) {
			rc = -EPROTO;
			break;
		}
		rc = tel_lcore(d, l);
		p += sizeof(*l) + (size_t)l->n_jobs * sizeof(struct core_job_info);
	}
	free(data);
	return rc;
}

static int tel_fill_ipvs(struct rte_tel_data *d)
{
	struct rte_tel_data *c = NULL;
	const struct ipvs_stat_wire *w;
	uint32_t cur = UINT32_MAX;
	unsigned int bad = 0;
	char key[RTE_TEL_MAX_STRING_LEN];
	void *data;
	size_t len, i, n;
	int rc = ctl_call_local(IPVS_STATS_OP_GET, NULL, 0, &data, &len);

	if (rc != 0)
		return -EIO;
	rte_tel_data_start_dict(d);
	w = data;
	n = len / sizeof(*w);
	for (i = 0; i <= n && rc == 0; i++) {
		if (c && (i == n || w[i].lcore != cur)) {	/* records come grouped by lcore */
			snprintf(key, sizeof(key), "%u", cur);
			if (bad || rte_tel_data_add_dict_container(d, key, c, 0) != 0) {
				rte_tel_data_free(c);
				rc = -ENOSPC;
			}
			c = NULL;
		}
		if (i == n || rc != 0)
			break;
		if (!c) {
			c = rte_tel_data_alloc();
			if (!c) {
				rc = -ENOMEM;
				break;
			}
			rte_tel_data_start_dict(c);
			cur = w[i].lcore;
		}
		tel_name(key, sizeof(key), w[i].group, sizeof(w[i].group), w[i].name,
			 sizeof(w[i].name));
		tel_u64(c, key, w[i].value, &bad);
	}
	free(data);
	return rc;
}

/* ---- the hand-off ---- */

unsigned int metrics_telemetry_poll(void)
{
	if (!atomic_load_explicit(&tel.pending, memory_order_acquire))
		return 0;
	if (pthread_mutex_trylock(&tel.lock) != 0)
		return 0;	/* the telemetry thread is giving up or arriving: next loop */
	if (tel.fill && tel.d)
		tel.rc = tel.fill(tel.d);
	tel.fill = NULL;
	atomic_store_explicit(&tel.pending, false, memory_order_release);
	pthread_cond_broadcast(&tel.done);
	pthread_mutex_unlock(&tel.lock);
	return 1;
}

/* On a telemetry thread: have the master run fill into d. */
static int tel_on_master(tel_fill_fn fill, struct rte_tel_data *d)
{
	struct timespec until;
	int rc = 0;

	if (!atomic_load(&tel.serving))
		return -EAGAIN;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += METRICS_TEL_WAIT_MS / 1000;
	pthread_mutex_lock(&tel.serial);
	pthread_mutex_lock(&tel.lock);
	tel.fill = fill;
	tel.d = d;
	tel.rc = 0;
	atomic_store_explicit(&tel.pending, true, memory_order_release);
	while (atomic_load(&tel.pending) && rc == 0)
		rc = pthread_cond_timedwait(&tel.done, &tel.lock, &until);
	if (atomic_load(&tel.pending)) {	/* master busy or stopped: withdraw */
		atomic_store(&tel.pending, false);
		tel.fill = NULL;
		rc = -EAGAIN;
	} else {
		rc = tel.rc;
	}
	tel.d = NULL;
	pthread_mutex_unlock(&tel.lock);
	pthread_mutex_unlock(&tel.serial);
	return rc;
}

static int tel_cmd_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return tel_on_master(tel_fill_lcores, d);
}

static int tel_cmd_ipvs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return tel_on_master(tel_fill_ipvs, d);
}

int metrics_telemetry_init(void)
{
	static bool registered;	/* DPDK has no unregister: once per process */

	if (!registered) {
		if (rte_telemetry_register_cmd("/dpvsd/lcores", tel_cmd_lcores,
					       "Per lcore: role, loop and job counters. No parameters") != 0 ||
		    rte_telemetry_register_cmd("/dpvsd/ipvs/stats", tel_cmd_ipvs,
					       "Per forwarding lcore: IPVS hook and xmit counters. No parameters") != 0) {
			DPVS_LOG(metrics, ERR, "cannot register the telemetry commands");
			return EDPVS_NOROOM;
		}
		registered = true;
	}
	atomic_store(&tel.serving, true);
	return 0;
}

void metrics_telemetry_term(void)
{
	atomic_store(&tel.serving, false);
	/* a callback waiting now times out and answers -EAGAIN */
}
