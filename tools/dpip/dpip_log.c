/*
 * dpip_log.c - `dpip log show [PATTERN]` and `dpip log set PATTERN LEVEL`:
 * the daemon's DPDK log types and their levels (CORE_OP_LOG_LIST/SET).
 */
#include <stdio.h>
#include <string.h>
#include "core_wire.h"
#include "dpip.h"

/* Index = DPDK level (RTE_LOG_EMERG = 1 .. RTE_LOG_DEBUG = 8). */
static const char *const log_level_names[] = {
	NULL, "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static const char *level_name(uint32_t l)
{
	return l < DPVS_ARRAY_SIZE(log_level_names) && log_level_names[l] ?
	       log_level_names[l] : "?";
}

/* A level by name (also "error", "warn") or number 1..8. */
static int parse_level(const char *s, uint32_t *level)
{
	unsigned int idx;

	if (strcmp(s, "error") == 0)
		s = "err";
	else if (strcmp(s, "warn") == 0)
		s = "warning";
	if (cli_parse_enum(s, log_level_names, DPVS_ARRAY_SIZE(log_level_names), &idx) == 0) {
		*level = idx;
		return 0;
	}
	return cli_parse_u32(s, 1, 8, level);
}

static int fill_pattern(struct core_log_req *req, const char *pat)
{
	if (strlen(pat) >= sizeof(req->pattern)) {
		cli_error("pattern too long (at most %zu characters)", sizeof(req->pattern) - 1);
		return DPIP_EXIT_USAGE;
	}
	strcpy(req->pattern, pat);
	return 0;
}

static void print_types(const struct dpip_opts *o, const struct core_log_type *t, uint32_t n)
{
	struct cli_json js;
	uint32_t i;

	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	for (i = 0; i < n; i++) {
		char name[CORE_LOG_PATTERN_LEN + 1];

		snprintf(name, sizeof(name), "%.*s", CORE_LOG_PATTERN_LEN, t[i].name);
		if (!o->json) {
			printf("%-40s %s\n", name, level_name(t[i].level));
			continue;
		}
		cli_json_obj_open(&js, NULL);
		cli_json_str(&js, "name", name);
		cli_json_u64(&js, "id", t[i].id);
		cli_json_str(&js, "level", level_name(t[i].level));
		cli_json_obj_close(&js);
	}
	if (o->json) {
		cli_json_arr_close(&js);
		cli_json_end(&js);
	}
}

static int log_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct core_log_req req;
	struct ctl_result res;

	memset(&req, 0, sizeof(req));
	if (argc > 1) {
		cli_error("log show takes at most one PATTERN");
		return DPIP_EXIT_USAGE;
	}
	if (argc == 1 && fill_pattern(&req, argv[0]))
		return DPIP_EXIT_USAGE;
	if (dpip_call(o, CORE_OP_LOG_LIST, &req, sizeof(req), &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(struct core_log_type)) {
		cli_error("malformed log list from dpvsd");
		ctl_result_free(&res);
		return DPIP_EXIT_FAIL;
	}
	print_types(o, res.data, res.len / sizeof(struct core_log_type));
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}

static int log_set(const struct dpip_opts *o, int argc, char **argv)
{
	struct core_log_req req;
	struct ctl_result res;
	struct core_log_set_reply rep;

	memset(&req, 0, sizeof(req));
	if (argc != 2) {
		cli_error("usage: dpip log set PATTERN LEVEL");
		return DPIP_EXIT_USAGE;
	}
	if (fill_pattern(&req, argv[0]))
		return DPIP_EXIT_USAGE;
	if (parse_level(argv[1], &req.level)) {
		cli_error("bad level '%s': expected emerg, alert, crit, err, warning, notice, "
			  "info, debug or 1..8", argv[1]);
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, CORE_OP_LOG_SET, &req, sizeof(req), &res))
		return DPIP_EXIT_FAIL;
	memset(&rep, 0, sizeof(rep));
	if (res.len >= sizeof(rep))
		memcpy(&rep, res.data, sizeof(rep));
	ctl_result_free(&res);
	if (o->verbose || rep.matched == 0)
		printf("%u log type(s) set to %s%s\n", rep.matched, level_name(req.level),
		       rep.matched ? "" : " (pattern also applies to types registered later)");
	return DPIP_EXIT_OK;
}

static const struct dpip_verb log_verbs[] = {
	{ "show", log_show },
	{ "set", log_set },
};

static int log_run(const struct dpip_opts *o, int argc, char **argv);

const struct dpip_cmd dpip_cmd_log = {
	.name = "log",
	.usage = "dpip [-j] log show [PATTERN]\n"
		 "dpip log set PATTERN LEVEL    (LEVEL: emerg..debug or 1..8; PATTERN: glob, "
		 "e.g. 'dpvsd.*')\n",
	.run = log_run,
};

static int log_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_log, log_verbs, DPVS_ARRAY_SIZE(log_verbs), o, argc, argv);
}
