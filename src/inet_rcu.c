/*
 * inet_rcu.c - the QSBR variable of the inet modules and the deferred
 * frees of what the master unpublishes (route slots, address views, LPM
 * tbl8 groups via rte_lpm's own defer queue).
 *
 * Readers: every FWD_WORKER, registered by the JOB_INIT job
 * "inet_rcu_online" and reporting a quiescent state in the LOOP job
 * "inet_rcu_qs" once per iteration (it does no work, so it never keeps an
 * idle loop awake).  The master is the only writer and is not a reader.
 * The deferred-free queue is a ring of {token, fn, arg} written and
 * drained by the master only ("inet_rcu_reclaim" LOOP job).
 */
#include <stdlib.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "inet_rcu.h"
#include "job.h"

DPVS_LOG_REGISTER(inet_rcu);

struct inet_rcu_item {
	uint64_t token;
	inet_rcu_free_fn fn;
	void *arg;
};

static struct {
	struct rte_rcu_qsbr *v;
	struct inet_rcu_item q[INET_RCU_DEFER_MAX];
	unsigned int head, count;	/* ring of pending frees, master only */
	bool online[RTE_MAX_LCORE];	/* reader registered (written by itself) */
} rcu;

struct rte_rcu_qsbr *inet_rcu_qsbr(void)
{
	return rcu.v;
}

static void rcu_run_oldest(void)
{
	struct inet_rcu_item *it = &rcu.q[rcu.head];

	rcu.head = (rcu.head + 1) % INET_RCU_DEFER_MAX;
	rcu.count--;
	it->fn(it->arg);
}

void inet_rcu_defer(inet_rcu_free_fn fn, void *arg)
{
	struct inet_rcu_item *it;

	if (rcu.v == NULL) {
		fn(arg);
		return;
	}
	if (rcu.count == INET_RCU_DEFER_MAX) {
		/* Bounded wait: one loop iteration of the slowest worker. */
		rte_rcu_qsbr_check(rcu.v, rcu.q[rcu.head].token, true);
		rcu_run_oldest();
	}
	it = &rcu.q[(rcu.head + rcu.count) % INET_RCU_DEFER_MAX];
	it->token = rte_rcu_qsbr_start(rcu.v);
	it->fn = fn;
	it->arg = arg;
	rcu.count++;
}

unsigned int inet_rcu_reclaim(void)
{
	unsigned int n = 0;

	while (rcu.count > 0 && rte_rcu_qsbr_check(rcu.v, rcu.q[rcu.head].token, false) == 1) {
		rcu_run_oldest();
		n++;
	}
	return n;
}

static unsigned int rcu_job_online(void *arg)
{
	unsigned int id = rte_lcore_id();

	(void)arg;
	if (rcu.v == NULL || id >= RTE_MAX_LCORE)
		return 0;
	if (rte_rcu_qsbr_thread_register(rcu.v, id) != 0)
		return 0;
	rte_rcu_qsbr_thread_online(rcu.v, id);
	rcu.online[id] = true;
	return 1;
}

static unsigned int rcu_job_qs(void *arg)
{
	unsigned int id = rte_lcore_id();

	(void)arg;
	if (likely(id < RTE_MAX_LCORE && rcu.online[id]))
		rte_rcu_qsbr_quiescent(rcu.v, id);
	return 0;
}

static unsigned int rcu_job_reclaim(void *arg)
{
	(void)arg;
	return rcu.count ? inet_rcu_reclaim() : 0;
}

static struct job rcu_jobs[] = {
	{ .name = "inet_rcu_online", .type = JOB_INIT, .fn = rcu_job_online },
	{ .name = "inet_rcu_qs", .type = JOB_LOOP, .fn = rcu_job_qs },
	{ .name = "inet_rcu_reclaim", .type = JOB_LOOP, .fn = rcu_job_reclaim },
};

int inet_rcu_init(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	int rc;

	rcu.v = rte_zmalloc("inet_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (rcu.v == NULL)
		return EDPVS_NOMEM;
	if (rte_rcu_qsbr_init(rcu.v, RTE_MAX_LCORE) != 0) {
		rc = EDPVS_INVAL;
		goto err_free;
	}
	rc = job_register(&rcu_jobs[0], JOB_ROLE_FWD_WORKER);
	if (rc != 0)
		goto err_free;
	rc = job_register(&rcu_jobs[1], JOB_ROLE_FWD_WORKER);
	if (rc != 0)
		goto err_job0;
	rc = job_register(&rcu_jobs[2], JOB_ROLE_MASTER);
	if (rc != 0)
		goto err_job1;
	return 0;

err_job1:
	job_unregister(&rcu_jobs[1]);
err_job0:
	job_unregister(&rcu_jobs[0]);
err_free:
	rte_free(rcu.v);
	rcu.v = NULL;
	DPVS_LOG(inet_rcu, ERR, "init failed: %s", dpvs_strerror(rc));
	return rc;
}

void inet_rcu_flush(void)
{
	unsigned int i;

	if (rcu.v == NULL)
		return;
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		if (rcu.online[i]) {
			rte_rcu_qsbr_thread_offline(rcu.v, i);
			rte_rcu_qsbr_thread_unregister(rcu.v, i);
			rcu.online[i] = false;
		}
	}
	while (rcu.count > 0)
		rcu_run_oldest();
}

void inet_rcu_term(void)
{
	unsigned int i;

	if (rcu.v == NULL)
		return;
	for (i = 0; i < DPVS_ARRAY_SIZE(rcu_jobs); i++)
		job_unregister(&rcu_jobs[i]);
	inet_rcu_flush();
	rte_free(rcu.v);
	rcu.v = NULL;
}
