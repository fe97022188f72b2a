/*
 * core_ctl.c - the core control requests (CTL_OP_CORE_BASE, wire structs
 * in include/core_wire.h): ping/version, every lcore with its role and the
 * per-lcore counters of its jobs, DPDK log types and their levels (list,
 * set by glob pattern), the list of registered request types and the
 * control socket's own counters.
 *
 * A module of its own (ctl_core_init/ctl_core_term, declared in ctl.h),
 * registered right after "ctl" in src/modules.c.  Handlers run on the
 * master; they only read job counters (plain loads, may be slightly stale)
 * and call the DPDK log API.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "core_wire.h"
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"

DPVS_LOG_REGISTER(core_ctl);

static uint64_t core_start_ms;	/* CLOCK_MONOTONIC at init (master only) */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Copy a C string into a fixed wire field, always NUL-terminated. */
static void wire_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* True if a fixed-size wire string is NUL-terminated. */
static bool wire_str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* ---- ping ---- */

static int core_ping(uint16_t opcode, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct core_version *v = ctl_reply_reserve(rep, sizeof(*v));

	(void)opcode;
	(void)req;
	(void)len;
	if (!v)
		return EDPVS_NOMEM;
	wire_str(v->version, sizeof(v->version), DPVSD_VERSION);
	v->proto_version = CTL_VERSION;
	v->pid = (uint32_t)getpid();
	v->uptime_ms = mono_ms() - core_start_ms;
	return 0;
}

/* ---- lcores and jobs ---- */

static int count_job(const struct job *job, void *arg)
{
	(void)job;
	(*(uint32_t *)arg)++;
	return 0;
}

struct job_walk {
	struct ctl_reply *rep;
	unsigned int lcore;
};

static int append_job(const struct job *job, void *arg)
{
	struct job_walk *w = arg;
	const struct job_stats *st = &job->stats[w->lcore];
	struct core_job_info *j = ctl_reply_reserve(w->rep, sizeof(*j));

	if (!j)
		return EDPVS_NOMEM;
	wire_str(j->name, sizeof(j->name), job->name);
	j->type = job->type;
	j->skip_loops = job->skip_loops;
	j->calls = st->calls;
	j->work = st->work;
	j->cycles = st->cycles;
	return 0;
}

static int append_lcore(struct ctl_reply *rep, unsigned int lcore)
{
	enum job_role role = job_lcore_role(lcore);
	struct job_walk w = { rep, lcore };
	struct job_lcore_stats ls;
	struct core_lcore_info *l;
	uint32_t n_jobs = 0;

	job_foreach(role, count_job, &n_jobs);
	l = ctl_reply_reserve(rep, sizeof(*l));
	if (!l)
		return EDPVS_NOMEM;
	l->lcore_id = lcore;
	l->role = role;
	wire_str(l->role_name, sizeof(l->role_name), job_role_name(role));
	l->n_jobs = n_jobs;
	l->running = job_lcore_running(lcore);
	if (job_lcore_stats_get(lcore, &ls) == 0) {
		l->loops = ls.loops;
		l->idle_loops = ls.idle_loops;
		l->sleeps = ls.sleeps;
		l->sleep_us = ls.sleep_us;
	}
	return job_foreach(role, append_job, &w);
}

static int core_lcore_list(uint16_t opcode, const void *req, uint32_t len,
			   struct ctl_reply *rep)
{
	struct core_lcore_list_hdr *h = ctl_reply_reserve(rep, sizeof(*h));
	struct job_idle_policy idle;
	unsigned int lcore;
	int rc;

	(void)opcode;
	(void)req;
	(void)len;
	if (!h)
		return EDPVS_NOMEM;
	job_get_idle_policy(&idle);
	/* fill h completely now: it moves when the reply grows */
	h->n_lcores = rte_lcore_count();
	h->idle_mode = idle.mode;
	h->idle_sleep_min_us = idle.sleep_min_us;
	h->idle_sleep_max_us = idle.sleep_max_us;
	h->tsc_hz = rte_get_tsc_hz();
	RTE_LCORE_FOREACH(lcore) {
		rc = append_lcore(rep, lcore);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- log types ---- */

/* Call cb(name, id, arg) for every registered DPDK log type whose name
 * matches pattern ("" = all).  Names come from rte_log_list_types(); the
 * id of an existing name is returned by rte_log_register() unchanged. */
static int log_foreach(const char *pattern, int (*cb)(const char *name, int id, void *arg),
		       void *arg)
{
	char *text = NULL, *line, *save = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int rc = 0;

	if (!f)
		return EDPVS_NOMEM;
	rte_log_list_types(f, "");
	if (fclose(f) != 0 || !text) {
		free(text);
		return EDPVS_NOMEM;
	}
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		int id;

		if (pattern[0] && fnmatch(pattern, line, 0) != 0)
			continue;
		id = rte_log_register(line);
		if (id >= 0)
			rc = cb(line, id, arg);
	}
	free(text);
	return rc;
}

static int append_log_type(const char *name, int id, void *arg)
{
	struct core_log_type *t = ctl_reply_reserve(arg, sizeof(*t));
	int level = rte_log_get_level((uint32_t)id);

	if (!t)
		return EDPVS_NOMEM;
	wire_str(t->name, sizeof(t->name), name);
	t->id = (uint32_t)id;
	t->level = level > 0 ? (uint32_t)level : 0;
	return 0;
}

static int count_log_type(const char *name, int id, void *arg)
{
	(void)name;
	(void)id;
	(*(uint32_t *)arg)++;
	return 0;
}

static int core_log_list(uint16_t opcode, const void *req, uint32_t len,
			 struct ctl_reply *rep)
{
	const struct core_log_req *r = req;

	(void)opcode;
	(void)len;
	if (!wire_str_ok(r->pattern, sizeof(r->pattern))) {
		ctl_reply_errmsg(rep, "log pattern is not NUL-terminated");
		return EDPVS_INVAL;
	}
	return log_foreach(r->pattern, append_log_type, rep);
}

static int core_log_set(uint16_t opcode, const void *req, uint32_t len,
			struct ctl_reply *rep)
{
	const struct core_log_req *r = req;
	struct core_log_set_reply *out;
	uint32_t matched = 0;

	(void)opcode;
	(void)len;
	if (!wire_str_ok(r->pattern, sizeof(r->pattern)) || r->pattern[0] == '\0') {
		ctl_reply_errmsg(rep, "log pattern must be a non-empty string");
		return EDPVS_INVAL;
	}
	if (r->level < RTE_LOG_EMERG || r->level > RTE_LOG_DEBUG) {
		ctl_reply_errmsg(rep, "log level %u out of range %u..%u", r->level,
				 RTE_LOG_EMERG, RTE_LOG_DEBUG);
		return EDPVS_RANGE;
	}
	if (rte_log_set_level_pattern(r->pattern, r->level) != 0) {
		ctl_reply_errmsg(rep, "cannot set level of '%s'", r->pattern);
		return EDPVS_INVAL;
	}
	log_foreach(r->pattern, count_log_type, &matched);
	DPVS_LOG(core_ctl, INFO, "log level of '%s' set to %u (%u types)", r->pattern,
		 r->level, matched);
	out = ctl_reply_reserve(rep, sizeof(*out));
	if (!out)
		return EDPVS_NOMEM;
	out->matched = matched;
	return 0;
}

/* ---- request types ---- */

static int append_op(const struct ctl_op *op, void *arg)
{
	struct core_ctl_op *o = ctl_reply_reserve(arg, sizeof(*o));
	struct ctl_op_stats st;

	if (!o)
		return EDPVS_NOMEM;
	wire_str(o->name, sizeof(o->name), op->name);
	o->opcode = op->opcode;
	o->min_len = op->min_len;
	o->max_len = op->max_len;
	o->flags = op->flags;
	if (ctl_op_stats_get(op->opcode, &st) == 0) {
		o->calls = st.calls;
		o->failed = st.failed;
		o->total_us = st.total_us;
		o->max_us = st.max_us;
	}
	return 0;
}

static int core_ctl_list(uint16_t opcode, const void *req, uint32_t len,
			 struct ctl_reply *rep)
{
	(void)opcode;
	(void)req;
	(void)len;
	return ctl_op_foreach(append_op, rep);
}

static int core_ctl_stats(uint16_t opcode, const void *req, uint32_t len,
			  struct ctl_reply *rep)
{
	struct core_ctl_stats *o = ctl_reply_reserve(rep, sizeof(*o));
	struct ctl_stats st;

	(void)opcode;
	(void)req;
	(void)len;
	if (!o)
		return EDPVS_NOMEM;
	ctl_stats_get(&st);
	o->accepted = st.accepted;
	o->refused = st.refused;
	o->evicted = st.evicted;
	o->requests = st.requests;
	o->failed = st.failed;
	o->proto_errors = st.proto_errors;
	o->perm_denied = st.perm_denied;
	o->timeouts = st.timeouts;
	o->io_errors = st.io_errors;
	o->clients = ctl_client_count();
	return 0;
}

/* ---- module ---- */

static const struct ctl_op core_ops[] = {
	{ .opcode = CORE_OP_PING, .name = "core.ping", .min_len = 0, .max_len = 0,
	  .handler = core_ping, .flags = CTL_OP_F_GET },
	{ .opcode = CORE_OP_LCORE_LIST, .name = "core.lcore_list", .min_len = 0,
	  .max_len = 0, .handler = core_lcore_list, .flags = CTL_OP_F_GET },
	{ .opcode = CORE_OP_LOG_LIST, .name = "core.log_list",
	  .min_len = sizeof(struct core_log_req), .max_len = sizeof(struct core_log_req),
	  .handler = core_log_list, .flags = CTL_OP_F_GET },
	{ .opcode = CORE_OP_LOG_SET, .name = "core.log_set",
	  .min_len = sizeof(struct core_log_req), .max_len = sizeof(struct core_log_req),
	  .handler = core_log_set, .flags = 0 },
	{ .opcode = CORE_OP_CTL_LIST, .name = "core.ctl_list", .min_len = 0, .max_len = 0,
	  .handler = core_ctl_list, .flags = CTL_OP_F_GET },
	{ .opcode = CORE_OP_CTL_STATS, .name = "core.ctl_stats", .min_len = 0, .max_len = 0,
	  .handler = core_ctl_stats, .flags = CTL_OP_F_GET },
};

int ctl_core_init(void)
{
	core_start_ms = mono_ms();
	return ctl_register(core_ops, DPVS_ARRAY_SIZE(core_ops));
}

void ctl_core_term(void)
{
	ctl_unregister(core_ops, DPVS_ARRAY_SIZE(core_ops));
}
