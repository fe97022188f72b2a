/*
 * job.h - lcore roles and the role x job-type table that every lcore runs.
 *
 * Every EAL lcore has one role.  Modules register jobs (normally from their
 * init function, before job_run() starts the loops) into jobs[role][type]:
 *   JOB_INIT  runs once on each lcore of the role when its loop starts,
 *   JOB_LOOP  runs every iteration,
 *   JOB_SLOW  runs every job->skip_loops iterations.
 * A job returns how much work it did (packets, messages, events); an
 * iteration in which every job returned 0 is idle, and the idle policy then
 * backs off (pause, then sleep up to a bound) so a 2-core machine stays
 * usable.  Each job keeps per-lcore counters (calls, work, cycles).
 *
 * Ownership: the table is written by the master before job_run() only;
 * counters are written by the lcore that runs the job and read by anyone
 * (plain 64-bit loads; a reader may see slightly stale values).
 */
#ifndef DPVS_JOB_H
#define DPVS_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_lcore.h>
#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

enum job_role {
	JOB_ROLE_IDLE = 0,	/* runs nothing */
	JOB_ROLE_MASTER,	/* the EAL main lcore: control plane */
	JOB_ROLE_FWD_WORKER,	/* packet forwarding */
	JOB_ROLE_KNI_WORKER,	/* exception path to kernel interfaces */
	JOB_ROLE_MAX,
};

enum job_type {
	JOB_INIT = 0,
	JOB_LOOP,
	JOB_SLOW,
	JOB_TYPE_MAX,
};

#define JOB_NAME_LEN 32

/* Returns the amount of work done (0 = nothing to do). */
typedef unsigned int (*job_fn_t)(void *arg);

struct job_stats {
	uint64_t calls;
	uint64_t work;
	uint64_t cycles;
} __rte_cache_aligned;

struct job {
	char name[JOB_NAME_LEN];
	enum job_type type;
	unsigned int skip_loops;	/* JOB_SLOW: run every N iterations (>0) */
	job_fn_t fn;
	void *arg;
	/* filled by job_register(); do not touch */
	enum job_role role;
	struct job *next;
	struct job_stats stats[RTE_MAX_LCORE];
};

enum job_idle_mode {
	JOB_IDLE_BUSY_POLL = 0,	/* never back off (production, dedicated cores) */
	JOB_IDLE_SLEEP,		/* pause, then sleep, escalating to a bound */
};

struct job_idle_policy {
	enum job_idle_mode mode;
	unsigned int pause_loops;	/* idle iterations spinning before sleeping */
	unsigned int sleep_min_us;	/* first sleep */
	unsigned int sleep_max_us;	/* sleeps double up to this bound */
};

/* Set the role of an lcore (before job_run()).  EDPVS_INVAL for a bad lcore
 * or role, EDPVS_BUSY once the loops are running.  Master only. */
int job_set_role(unsigned int lcore_id, enum job_role role);

/* Role of an lcore (JOB_ROLE_IDLE for lcores that are not enabled). */
enum job_role job_lcore_role(unsigned int lcore_id);

/* Name of a role ("master", "fwd_worker", "kni_worker", "idle"). */
const char *job_role_name(enum job_role role);

/* Number of lcores with this role, and the i-th of them (RTE_MAX_LCORE if none). */
unsigned int job_role_count(enum job_role role);
unsigned int job_role_lcore(enum job_role role, unsigned int idx);

/* Register a job for every lcore of a role.  The struct must outlive the
 * loops (static storage); it belongs to one role (register a second struct
 * for a second role) and its stats are zeroed.  EDPVS_INVAL (NULL job or
 * fn, bad type, JOB_SLOW with skip_loops 0, empty or unterminated name,
 * role IDLE or out of range), EDPVS_EXIST (this struct is registered, or
 * the name is taken in that role), EDPVS_BUSY (loops running).  Master. */
int job_register(struct job *job, enum job_role role);

/* Remove a job (before job_run() or after job_run() returned). */
int job_unregister(struct job *job);

/* Iterate the registered jobs of a role (for the tools). */
int job_foreach(enum job_role role, int (*cb)(const struct job *job, void *arg), void *arg);

/* Set the idle policy of every role (any time; read by the loops once per
 * iteration).  EDPVS_INVAL for a bad mode or sleep bounds.  Get returns the
 * FWD_WORKER policy. */
int job_set_idle_policy(const struct job_idle_policy *policy);
void job_get_idle_policy(struct job_idle_policy *policy);

/* The same for one role only (e.g. a sleeping master next to busy-polling
 * workers).  EDPVS_INVAL also for a role out of range.  Any thread. */
int job_set_role_idle_policy(enum job_role role, const struct job_idle_policy *policy);
void job_get_role_idle_policy(enum job_role role, struct job_idle_policy *policy);

/* Launch the loop on every worker lcore and run the master's loop on the
 * calling (main) lcore; returns once job_request_stop() was called and every
 * lcore has left its loop.  Master only.  Returns 0 or an EDPVS_* code.
 * A stop requested before job_run() (e.g. SIGTERM during start-up) is kept:
 * the loops then run their INIT jobs and leave at once.  The stop flag is
 * cleared when job_run() returns, so it may be run again (tests). */
int job_run(void);

/* Ask every loop to stop (async-signal-safe: sets a flag). */
void job_request_stop(void);

/* True from job_request_stop() until job_run() (or job_join_workers())
 * returns. */
bool job_stopping(void);

/* True while job_run() has loops running. */
bool job_running(void);

/* Per-lcore loop counters (cumulative; written by that lcore's loop). */
struct job_lcore_stats {
	uint64_t loops;		/* iterations */
	uint64_t idle_loops;	/* iterations in which no job did any work */
	uint64_t sleeps;	/* sleeps taken by the idle policy */
	uint64_t sleep_us;	/* microseconds asked for in those sleeps */
} __rte_cache_aligned;

/* Copy an lcore's loop counters.  EDPVS_INVAL for a bad lcore.  Any thread
 * (values may be slightly stale). */
int job_lcore_stats_get(unsigned int lcore_id, struct job_lcore_stats *out);

/* True while an lcore's loop has been launched and has not yet left (set
 * by the launcher before the lcore starts, cleared by the loop on exit). */
bool job_lcore_running(unsigned int lcore_id);

/* The two halves of job_run() for callers that keep the main lcore free
 * (unit tests): launch the loops of every worker lcore whose role is not
 * IDLE and return at once (EDPVS_BUSY if loops are running or an lcore is
 * busy); job_join_workers() requests a stop, waits until those loops have
 * left and returns the first error they reported.  Master only. */
int job_launch_workers(void);
int job_join_workers(void);

int job_init(void);
void job_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_JOB_H */
