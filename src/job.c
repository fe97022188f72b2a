/*
 * job.c - lcore roles, the role x job-type table, and the loop every lcore
 * runs (see include/job.h).
 *
 * Owns: the role of each lcore, the job lists jobs[role][type] (singly
 * linked through struct job, in registration order), the stop flag, the
 * idle policy and the per-lcore loop counters.
 *
 * Threads: the master writes roles and the table before loops are launched
 * (job_register() refuses while they run), so loops read them without
 * locks.  Each loop writes only its own lcore's counters (job->stats[lcore]
 * and job_ctx.lstats[lcore]); readers on other lcores do plain loads.  The
 * stop flag and the idle policy fields are atomics, so job_request_stop()
 * is async-signal-safe and the policy may change while loops run.
 */
#include <inttypes.h>
#include <string.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"

DPVS_LOG_REGISTER(job);

#define JOB_SLEEP_LIMIT_US 1000000u	/* bound on sleep_max_us */
#define JOB_IDLE_WAIT_US   1000u	/* master poll when its role is IDLE */

static const char *const job_role_names[JOB_ROLE_MAX] = {
	[JOB_ROLE_IDLE] = "idle",
	[JOB_ROLE_MASTER] = "master",
	[JOB_ROLE_FWD_WORKER] = "fwd_worker",
	[JOB_ROLE_KNI_WORKER] = "kni_worker",
};

/* Idle back-off state of one loop (local to that loop). */
struct job_idle_state {
	unsigned int idle_iters;
	unsigned int sleep_us;
};

static struct {
	/* written by the master before loops run */
	enum job_role role[RTE_MAX_LCORE];
	struct job *jobs[JOB_ROLE_MAX][JOB_TYPE_MAX];
	bool launched[RTE_MAX_LCORE];	/* worker loops to join (master only) */
	/* atomics */
	struct job_idle_policy idle[JOB_ROLE_MAX];	/* per role */
	bool stop;
	bool running;
	bool lcore_running[RTE_MAX_LCORE];
	/* written by each lcore's own loop */
	struct job_lcore_stats lstats[RTE_MAX_LCORE];
} job_ctx = {
	.idle = { [0 ... JOB_ROLE_MAX - 1] = { .mode = JOB_IDLE_SLEEP, .pause_loops = 1000,
						.sleep_min_us = 20, .sleep_max_us = 1000 } },
};

/* ---- roles ---- */

int job_set_role(unsigned int lcore_id, enum job_role role)
{
	bool is_main;

	if (lcore_id >= RTE_MAX_LCORE || (unsigned int)role >= JOB_ROLE_MAX)
		return EDPVS_INVAL;
	if (role != JOB_ROLE_IDLE && !rte_lcore_is_enabled(lcore_id))
		return EDPVS_INVAL;
	is_main = lcore_id == rte_get_main_lcore();
	if ((role == JOB_ROLE_MASTER) != is_main && !(is_main && role == JOB_ROLE_IDLE))
		return EDPVS_INVAL;
	if (job_running())
		return EDPVS_BUSY;
	job_ctx.role[lcore_id] = role;
	return 0;
}

enum job_role job_lcore_role(unsigned int lcore_id)
{
	if (lcore_id >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore_id))
		return JOB_ROLE_IDLE;
	return job_ctx.role[lcore_id];
}

const char *job_role_name(enum job_role role)
{
	if ((unsigned int)role >= JOB_ROLE_MAX)
		return "unknown";
	return job_role_names[role];
}

unsigned int job_role_count(enum job_role role)
{
	unsigned int lcore, n = 0;

	RTE_LCORE_FOREACH(lcore) {
		if (job_ctx.role[lcore] == role)
			n++;
	}
	return n;
}

unsigned int job_role_lcore(enum job_role role, unsigned int idx)
{
	unsigned int lcore;

	RTE_LCORE_FOREACH(lcore) {
		if (job_ctx.role[lcore] == role && idx-- == 0)
			return lcore;
	}
	return RTE_MAX_LCORE;
}

/* ---- the job table ---- */

/* The list link that points at job, or NULL if job is not registered. */
static struct job **job_find_link(const struct job *job)
{
	unsigned int r, t;

	for (r = 0; r < JOB_ROLE_MAX; r++) {
		for (t = 0; t < JOB_TYPE_MAX; t++) {
			struct job **pp = &job_ctx.jobs[r][t];

			for (; *pp; pp = &(*pp)->next) {
				if (*pp == job)
					return pp;
			}
		}
	}
	return NULL;
}

static bool job_name_taken(const char *name, enum job_role role)
{
	unsigned int t;
	const struct job *j;

	for (t = 0; t < JOB_TYPE_MAX; t++) {
		for (j = job_ctx.jobs[role][t]; j; j = j->next) {
			if (strcmp(j->name, name) == 0)
				return true;
		}
	}
	return false;
}

static bool job_valid(const struct job *job, enum job_role role)
{
	if (!job || !job->fn || (unsigned int)job->type >= JOB_TYPE_MAX)
		return false;
	if (role == JOB_ROLE_IDLE || (unsigned int)role >= JOB_ROLE_MAX)
		return false;
	if (job->name[0] == '\0' || memchr(job->name, '\0', JOB_NAME_LEN) == NULL)
		return false;
	return job->type != JOB_SLOW || job->skip_loops > 0;
}

int job_register(struct job *job, enum job_role role)
{
	struct job **pp;

	if (!job_valid(job, role))
		return EDPVS_INVAL;
	if (job_running())
		return EDPVS_BUSY;
	if (job_find_link(job) || job_name_taken(job->name, role))
		return EDPVS_EXIST;
	job->role = role;
	job->next = NULL;
	memset(job->stats, 0, sizeof(job->stats));
	for (pp = &job_ctx.jobs[role][job->type]; *pp; pp = &(*pp)->next)
		;
	*pp = job;
	DPVS_LOG(job, DEBUG, "registered %s for %s", job->name, job_role_name(role));
	return 0;
}

int job_unregister(struct job *job)
{
	struct job **pp;

	if (!job)
		return EDPVS_INVAL;
	if (job_running())
		return EDPVS_BUSY;
	pp = job_find_link(job);
	if (!pp)
		return EDPVS_NOTEXIST;
	*pp = job->next;
	job->next = NULL;
	return 0;
}

int job_foreach(enum job_role role, int (*cb)(const struct job *job, void *arg), void *arg)
{
	unsigned int t;
	const struct job *j;

	if ((unsigned int)role >= JOB_ROLE_MAX || !cb)
		return EDPVS_INVAL;
	for (t = 0; t < JOB_TYPE_MAX; t++) {
		for (j = job_ctx.jobs[role][t]; j; j = j->next) {
			int rc = cb(j, arg);

			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* ---- idle policy ---- */

static bool job_idle_policy_ok(const struct job_idle_policy *p)
{
	if (!p || (unsigned int)p->mode > JOB_IDLE_SLEEP)
		return false;
	return p->mode != JOB_IDLE_SLEEP ||
	       (p->sleep_min_us != 0 && p->sleep_max_us >= p->sleep_min_us &&
		p->sleep_max_us <= JOB_SLEEP_LIMIT_US);
}

static void job_idle_store(struct job_idle_policy *dst, const struct job_idle_policy *p)
{
	__atomic_store_n(&dst->pause_loops, p->pause_loops, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->sleep_min_us, p->sleep_min_us, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->sleep_max_us, p->sleep_max_us, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->mode, p->mode, __ATOMIC_RELEASE);
}

int job_set_role_idle_policy(enum job_role role, const struct job_idle_policy *p)
{
	if ((unsigned int)role >= JOB_ROLE_MAX || !job_idle_policy_ok(p))
		return EDPVS_INVAL;
	job_idle_store(&job_ctx.idle[role], p);
	return 0;
}

int job_set_idle_policy(const struct job_idle_policy *p)
{
	unsigned int r;

	if (!job_idle_policy_ok(p))
		return EDPVS_INVAL;
	for (r = 0; r < JOB_ROLE_MAX; r++)
		job_idle_store(&job_ctx.idle[r], p);
	return 0;
}

void job_get_role_idle_policy(enum job_role role, struct job_idle_policy *p)
{
	const struct job_idle_policy *src;

	if ((unsigned int)role >= JOB_ROLE_MAX)
		role = JOB_ROLE_FWD_WORKER;
	src = &job_ctx.idle[role];
	p->mode = __atomic_load_n(&src->mode, __ATOMIC_ACQUIRE);
	p->pause_loops = __atomic_load_n(&src->pause_loops, __ATOMIC_RELAXED);
	p->sleep_min_us = __atomic_load_n(&src->sleep_min_us, __ATOMIC_RELAXED);
	p->sleep_max_us = __atomic_load_n(&src->sleep_max_us, __ATOMIC_RELAXED);
}

void job_get_idle_policy(struct job_idle_policy *p)
{
	job_get_role_idle_policy(JOB_ROLE_FWD_WORKER, p);
}

/* Back off after an idle iteration: spin pause_loops iterations, then sleep
 * sleep_min_us, doubling up to sleep_max_us; any work resets the back-off. */
static void job_idle(struct job_idle_state *st, struct job_lcore_stats *ls, unsigned int work,
		     enum job_role role)
{
	struct job_idle_policy p;

	if (work != 0) {
		st->idle_iters = 0;
		st->sleep_us = 0;
		return;
	}
	ls->idle_loops++;
	job_get_role_idle_policy(role, &p);
	if (p.mode != JOB_IDLE_SLEEP)
		return;
	if (st->idle_iters < p.pause_loops) {
		st->idle_iters++;
		rte_pause();
		return;
	}
	st->sleep_us = st->sleep_us == 0 ? p.sleep_min_us : st->sleep_us * 2;
	st->sleep_us = RTE_MAX(RTE_MIN(st->sleep_us, p.sleep_max_us), p.sleep_min_us);
	rte_delay_us_sleep(st->sleep_us);
	ls->sleeps++;
	ls->sleep_us += st->sleep_us;
}

/* ---- the loop ---- */

/*
 * Run one job and charge it the cycles since *t (the end of the previous
 * job, or the start of the list), leaving the end time in *t: one TSC read
 * per job instead of two (rdtsc costs ~65 cycles in the VMs we run on).
 */
static unsigned int job_call(struct job *j, unsigned int lcore, uint64_t *t)
{
	struct job_stats *st = &j->stats[lcore];
	unsigned int work = j->fn(j->arg);
	uint64_t t1 = rte_rdtsc();

	st->cycles += t1 - *t;
	*t = t1;
	st->calls++;
	st->work += work;
	return work;
}

static unsigned int job_call_list(struct job *head, unsigned int lcore)
{
	unsigned int work = 0;
	uint64_t t = rte_rdtsc();

	for (; head; head = head->next)
		work += job_call(head, lcore, &t);
	return work;
}

static unsigned int job_call_slow(struct job *head, unsigned int lcore, uint64_t iter)
{
	unsigned int work = 0;
	uint64_t t = 0;

	for (; head; head = head->next) {
		if ((iter + 1) % head->skip_loops != 0)
			continue;
		if (t == 0)
			t = rte_rdtsc();
		work += job_call(head, lcore, &t);
	}
	return work;
}

static void job_loop(unsigned int lcore)
{
	enum job_role role = job_ctx.role[lcore];
	struct job_lcore_stats *ls = &job_ctx.lstats[lcore];
	struct job_idle_state idle = { 0, 0 };
	uint64_t iter = 0;

	DPVS_LOG(job, DEBUG, "lcore %u: %s loop starts", lcore, job_role_name(role));
	job_call_list(job_ctx.jobs[role][JOB_INIT], lcore);
	while (!job_stopping()) {
		unsigned int work = job_call_list(job_ctx.jobs[role][JOB_LOOP], lcore);

		work += job_call_slow(job_ctx.jobs[role][JOB_SLOW], lcore, iter);
		iter++;
		ls->loops++;
		job_idle(&idle, ls, work, role);
	}
	__atomic_store_n(&job_ctx.lcore_running[lcore], false, __ATOMIC_RELEASE);
	DPVS_LOG(job, DEBUG, "lcore %u: loop left after %" PRIu64 " iterations", lcore, iter);
}

static int job_worker_main(void *arg)
{
	(void)arg;
	job_loop(rte_lcore_id());
	return 0;
}

/* The main lcore's part of job_run(): its loop, or a wait if it is IDLE. */
static void job_master_loop(void)
{
	unsigned int lcore = rte_get_main_lcore();

	if (job_ctx.role[lcore] == JOB_ROLE_MASTER) {
		job_loop(lcore);
		return;
	}
	while (!job_stopping())
		rte_delay_us_sleep(JOB_IDLE_WAIT_US);
}

int job_launch_workers(void)
{
	unsigned int lcore;

	if (rte_lcore_id() != rte_get_main_lcore())
		return EDPVS_INVAL;
	if (__atomic_exchange_n(&job_ctx.running, true, __ATOMIC_ACQ_REL))
		return EDPVS_BUSY;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (job_ctx.role[lcore] == JOB_ROLE_IDLE)
			continue;
		__atomic_store_n(&job_ctx.lcore_running[lcore], true, __ATOMIC_RELEASE);
		if (rte_eal_remote_launch(job_worker_main, NULL, lcore) != 0) {
			__atomic_store_n(&job_ctx.lcore_running[lcore], false, __ATOMIC_RELEASE);
			DPVS_LOG(job, ERR, "lcore %u is busy, cannot launch its loop", lcore);
			job_join_workers();
			return EDPVS_BUSY;
		}
		job_ctx.launched[lcore] = true;
	}
	return 0;
}

int job_join_workers(void)
{
	unsigned int lcore;
	int rc = 0;

	if (rte_lcore_id() != rte_get_main_lcore())
		return EDPVS_INVAL;
	if (!job_running())
		return 0;
	job_request_stop();
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (!job_ctx.launched[lcore])
			continue;
		if (rte_eal_wait_lcore(lcore) != 0 && rc == 0)
			rc = EDPVS_IO;
		job_ctx.launched[lcore] = false;
		__atomic_store_n(&job_ctx.lcore_running[lcore], false, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&job_ctx.stop, false, __ATOMIC_RELEASE);
	__atomic_store_n(&job_ctx.running, false, __ATOMIC_RELEASE);
	return rc;
}

int job_run(void)
{
	unsigned int main_lcore = rte_get_main_lcore();
	int rc;

	if (rte_lcore_id() != main_lcore)
		return EDPVS_INVAL;
	if (job_ctx.role[main_lcore] == JOB_ROLE_MASTER)
		__atomic_store_n(&job_ctx.lcore_running[main_lcore], true, __ATOMIC_RELEASE);
	rc = job_launch_workers();
	if (rc != 0) {
		__atomic_store_n(&job_ctx.lcore_running[main_lcore], false, __ATOMIC_RELEASE);
		return rc;
	}
	job_master_loop();
	__atomic_store_n(&job_ctx.lcore_running[main_lcore], false, __ATOMIC_RELEASE);
	return job_join_workers();
}

void job_request_stop(void)
{
	__atomic_store_n(&job_ctx.stop, true, __ATOMIC_RELEASE);
}

bool job_stopping(void)
{
	return __atomic_load_n(&job_ctx.stop, __ATOMIC_ACQUIRE);
}

bool job_running(void)
{
	return __atomic_load_n(&job_ctx.running, __ATOMIC_ACQUIRE);
}

bool job_lcore_running(unsigned int lcore_id)
{
	if (lcore_id >= RTE_MAX_LCORE)
		return false;
	return __atomic_load_n(&job_ctx.lcore_running[lcore_id], __ATOMIC_ACQUIRE);
}

int job_lcore_stats_get(unsigned int lcore_id, struct job_lcore_stats *out)
{
	if (lcore_id >= RTE_MAX_LCORE || !out)
		return EDPVS_INVAL;
	*out = job_ctx.lstats[lcore_id];
	return 0;
}

/* ---- init / term ---- */

int job_init(void)
{
	unsigned int main_lcore = rte_get_main_lcore();

	if (job_running())
		return EDPVS_BUSY;
	if (job_ctx.role[main_lcore] == JOB_ROLE_IDLE)
		job_ctx.role[main_lcore] = JOB_ROLE_MASTER;
	return 0;
}

/* Empty the table (modules unregister their own jobs in their term; this
 * drops whatever is left).  Roles stay: main sets them before job_init(). */
void job_term(void)
{
	unsigned int r, t;

	if (job_running()) {
		DPVS_LOG(job, ERR, "job_term while loops run; stopping them");
		job_join_workers();
	}
	for (r = 0; r < JOB_ROLE_MAX; r++) {
		for (t = 0; t < JOB_TYPE_MAX; t++) {
			while (job_ctx.jobs[r][t]) {
				struct job *j = job_ctx.jobs[r][t];

				job_ctx.jobs[r][t] = j->next;
				j->next = NULL;
			}
		}
	}
}
