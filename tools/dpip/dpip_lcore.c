/*
 * dpip_lcore.c - `dpip lcore show [-j] [interval SECS]`: every lcore, its
 * role, its loop busy share, and for each of its jobs the per-lcore
 * counters (CORE_OP_LCORE_LIST).
 *
 * Busy % = loop iterations in which at least one job did work, of all
 * iterations (struct job_lcore_stats: (loops - idle_loops) / loops): since
 * start, or over the last SECS seconds with interval (two requests SECS
 * apart).  A busy-polling lcore with no traffic is 100% on the CPU but 0%
 * busy; near 100% busy it has no headroom left.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core_wire.h"
#include "dpip.h"

static const char *const job_type_names[] = { "init", "loop", "slow" };

static const char *job_type_name(uint32_t t)
{
	return t < DPVS_ARRAY_SIZE(job_type_names) ? job_type_names[t] : "?";
}

static const char *idle_mode_name(uint32_t m)
{
	return m == 0 ? "busy_poll" : m == 1 ? "sleep" : "?";
}

static uint64_t per_call(uint64_t cycles, uint64_t calls)
{
	return calls ? cycles / calls : 0;
}

#define LCORE_BASE_MAX 128
#define LCORE_INTERVAL_MAX 60

/* Each lcore's loop counters in an earlier reply (interval). */
struct lcore_base {
	uint32_t n;
	struct {
		uint32_t id;
		uint64_t loops, idle_loops;
	} lc[LCORE_BASE_MAX];
	uint32_t interval_s;		/* 0: no earlier reply, busy since start */
};

/* Percent of iterations in which some job did work; the base's counters
 * are subtracted when it has the lcore (and they did not go back). */
static double lcore_busy_pct(const struct core_lcore_info *l, const struct lcore_base *base)
{
	uint64_t loops = l->loops, idle = l->idle_loops;
	uint32_t i;

	for (i = 0; base && i < base->n; i++) {
		if (base->lc[i].id != l->lcore_id)
			continue;
		if (base->lc[i].loops <= loops && base->lc[i].idle_loops <= idle) {
			loops -= base->lc[i].loops;
			idle -= base->lc[i].idle_loops;
		}
		break;
	}
	if (loops == 0 || idle > loops)
		return 0.0;
	return 100.0 * (double)(loops - idle) / (double)loops;
}

/* A cursor over the reply that refuses to read past its end. */
struct lcore_cursor {
	const uint8_t *p;
	uint32_t left;
};

static const void *cursor_take(struct lcore_cursor *c, uint32_t n)
{
	const void *r = c->p;

	if (c->left < n)
		return NULL;
	c->p += n;
	c->left -= n;
	return r;
}

static void print_job_text(const struct core_job_info *j)
{
	printf("  %-24.*s %-5s %14" PRIu64 " %14" PRIu64 " %12" PRIu64 "\n",
	       CORE_NAME_LEN, j->name, job_type_name(j->type), j->calls, j->work,
	       per_call(j->cycles, j->calls));
}

static void print_job_json(struct cli_json *js, const struct core_job_info *j)
{
	char name[CORE_NAME_LEN + 1];

	snprintf(name, sizeof(name), "%.*s", CORE_NAME_LEN, j->name);
	cli_json_obj_open(js, NULL);
	cli_json_str(js, "name", name);
	cli_json_str(js, "type", job_type_name(j->type));
	cli_json_u64(js, "calls", j->calls);
	cli_json_u64(js, "work", j->work);
	cli_json_u64(js, "cycles", j->cycles);
	cli_json_u64(js, "cycles_per_call", per_call(j->cycles, j->calls));
	cli_json_obj_close(js);
}

/* One lcore and its jobs; EDPVS_PROTO if the reply is cut short. */
static int show_one_lcore(const struct dpip_opts *o, struct cli_json *js,
			  struct lcore_cursor *c, const struct lcore_base *base)
{
	const struct core_lcore_info *l = cursor_take(c, sizeof(*l));
	uint32_t i;

	if (!l)
		return EDPVS_PROTO;
	if (o->json) {
		char role[sizeof(l->role_name) + 1];

		snprintf(role, sizeof(role), "%.*s", (int)sizeof(l->role_name), l->role_name);
		cli_json_obj_open(js, NULL);
		cli_json_u64(js, "lcore", l->lcore_id);
		cli_json_str(js, "role", role);
		cli_json_bool(js, "running", l->running != 0);
		cli_json_u64(js, "loops", l->loops);
		cli_json_u64(js, "idle_loops", l->idle_loops);
		cli_json_u64(js, "sleeps", l->sleeps);
		cli_json_u64(js, "sleep_us", l->sleep_us);
		cli_json_double(js, "busy_pct", lcore_busy_pct(l, base));
		cli_json_arr_open(js, "jobs");
	} else {
		printf("lcore %u: %.*s%s  loops %" PRIu64 " busy %.1f%%", l->lcore_id,
		       (int)sizeof(l->role_name), l->role_name, l->running ? "" : " (not running)",
		       l->loops, lcore_busy_pct(l, base));
		if (base->interval_s)
			printf(" (last %u s)", base->interval_s);
		printf(" sleeps %" PRIu64 "\n", l->sleeps);
		if (l->n_jobs)
			printf("  %-24s %-5s %14s %14s %12s\n", "job", "type", "calls", "work",
			       "cycles/call");
	}
	for (i = 0; i < l->n_jobs; i++) {
		const struct core_job_info *j = cursor_take(c, sizeof(*j));

		if (!j)
			return EDPVS_PROTO;
		if (o->json)
			print_job_json(js, j);
		else
			print_job_text(j);
	}
	if (o->json) {
		cli_json_arr_close(js);
		cli_json_obj_close(js);
	}
	return 0;
}

/* The loop counters of every lcore of a reply into base; EDPVS_PROTO if
 * the reply is cut short. */
static int lcore_base_take(const void *data, uint32_t len, struct lcore_base *base)
{
	struct lcore_cursor c = { data, len };
	const struct core_lcore_list_hdr *h = cursor_take(&c, sizeof(*h));
	uint32_t i;

	base->n = 0;
	if (!h)
		return EDPVS_PROTO;
	for (i = 0; i < h->n_lcores; i++) {
		const struct core_lcore_info *l = cursor_take(&c, sizeof(*l));

		if (!l || !cursor_take(&c, l->n_jobs * (uint32_t)sizeof(struct core_job_info)))
			return EDPVS_PROTO;
		if (base->n < LCORE_BASE_MAX) {
			base->lc[base->n].id = l->lcore_id;
			base->lc[base->n].loops = l->loops;
			base->lc[base->n].idle_loops = l->idle_loops;
			base->n++;
		}
	}
	return 0;
}

static int lcore_print(const struct dpip_opts *o, const void *data, uint32_t len,
		       const struct lcore_base *base)
{
	struct lcore_cursor c = { data, len };
	const struct core_lcore_list_hdr *h = cursor_take(&c, sizeof(*h));
	struct cli_json js;
	uint32_t i;
	int rc = 0;

	if (!h)
		return EDPVS_PROTO;
	cli_json_init(&js, stdout);
	if (o->json) {
		cli_json_obj_open(&js, NULL);
		cli_json_u64(&js, "tsc_hz", h->tsc_hz);
		cli_json_str(&js, "idle_mode", idle_mode_name(h->idle_mode));
		cli_json_u64(&js, "idle_sleep_min_us", h->idle_sleep_min_us);
		cli_json_u64(&js, "idle_sleep_max_us", h->idle_sleep_max_us);
		cli_json_u64(&js, "busy_interval_s", base->interval_s);
		cli_json_arr_open(&js, "lcores");
	} else if (o->verbose) {
		printf("idle policy %s, sleep %u..%u us, tsc %" PRIu64 " Hz\n",
		       idle_mode_name(h->idle_mode), h->idle_sleep_min_us, h->idle_sleep_max_us,
		       h->tsc_hz);
	}
	for (i = 0; i < h->n_lcores && rc == 0; i++)
		rc = show_one_lcore(o, &js, &c, base);
	if (o->json) {
		while (js.depth > 0)
			js.is_obj[js.depth] ? cli_json_obj_close(&js) : cli_json_arr_close(&js);
		cli_json_end(&js);
	}
	return rc;
}

/* [interval SECS] into base->interval_s; DPIP_EXIT_USAGE on bad words. */
static int lcore_show_args(int argc, char **argv, struct lcore_base *base)
{
	base->n = 0;
	base->interval_s = 0;
	if (argc == 0)
		return DPIP_EXIT_OK;
	if (argc != 2 || strcmp(argv[0], "interval") != 0) {
		cli_error("lcore show takes at most \"interval SECS\"");
		return DPIP_EXIT_USAGE;
	}
	if (cli_arg_u32("interval", argv[1], 1, LCORE_INTERVAL_MAX, &base->interval_s) != 0)
		return DPIP_EXIT_USAGE;
	return DPIP_EXIT_OK;
}

/* With an interval: the first sample, then the wait. */
static int lcore_sample_base(const struct dpip_opts *o, struct lcore_base *base)
{
	struct ctl_result res;
	int rc;

	if (dpip_call(o, CORE_OP_LCORE_LIST, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	rc = lcore_base_take(res.data, res.len, base);
	ctl_result_free(&res);
	if (rc) {
		cli_error("truncated lcore list from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	sleep(base->interval_s);
	return DPIP_EXIT_OK;
}

static int lcore_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct lcore_base base;
	struct ctl_result res;
	int rc;

	rc = lcore_show_args(argc, argv, &base);
	if (rc == DPIP_EXIT_OK && base.interval_s)
		rc = lcore_sample_base(o, &base);
	if (rc != DPIP_EXIT_OK)
		return rc;
	if (dpip_call(o, CORE_OP_LCORE_LIST, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	rc = lcore_print(o, res.data, res.len, &base);
	ctl_result_free(&res);
	if (rc) {
		cli_error("truncated lcore list from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	return DPIP_EXIT_OK;
}

static const struct dpip_verb lcore_verbs[] = {
	{ "show", lcore_show },
};

static int lcore_run(const struct dpip_opts *o, int argc, char **argv);

const struct dpip_cmd dpip_cmd_lcore = {
	.name = "lcore",
	.usage = "dpip [-j] [-v] lcore show [interval SECS]\n",
	.run = lcore_run,
};

static int lcore_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_lcore, lcore_verbs, DPVS_ARRAY_SIZE(lcore_verbs), o,
			     argc, argv);
}
