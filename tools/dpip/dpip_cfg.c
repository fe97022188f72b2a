/*
 * dpip_cfg.c - `dpip cfg reload` (CFG_OP_RELOAD: reload the configuration
 * file now, as SIGHUP does, and say whether it applied) and `dpip [-j] cfg
 * show` (CFG_OP_SHOW: the running core sections, the file, the reload
 * counters).  Wire structs in include/cfg_wire.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cfg_wire.h"
#include "dpip.h"

/* Names of the enums carried as numbers (job.h, cfg.h). */
static const char *const cfg_roles[] = { "idle", "master", "fwd_worker", "kni_worker" };
static const char *const cfg_idle_modes[] = { "busy_poll", "sleep" };
static const char *const cfg_huge[] = { "auto", "yes", "no" };

static const char *cfg_name(const char *const *names, unsigned int n, uint32_t v)
{
	return v < n ? names[v] : "?";
}

/* s: a fixed field of len bytes, maybe not terminated. */
static void cfg_str(char *out, size_t size, const char *s, size_t len)
{
	snprintf(out, size, "%.*s", (int)strnlen(s, len), s);
}

static int cfg_reload(const struct dpip_opts *o, int argc, char **argv)
{
	struct cfg_wire_reload r;
	struct ctl_result res;
	char file[CFG_WIRE_PATH_LEN + 1];

	(void)argv;
	if (argc > 0) {
		cli_error("cfg reload takes no arguments");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, CFG_OP_RELOAD, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len != sizeof(r)) {
		cli_error("malformed reload reply from dpvsd");
		ctl_result_free(&res);
		return DPIP_EXIT_FAIL;
	}
	memcpy(&r, res.data, sizeof(r));
	ctl_result_free(&res);
	cfg_str(file, sizeof(file), r.file, sizeof(r.file));
	if (o->json) {
		struct cli_json js;

		cli_json_init(&js, stdout);
		cli_json_obj_open(&js, NULL);
		cli_json_str(&js, "file", file);
		cli_json_u64(&js, "reloads_ok", r.reloads_ok);
		cli_json_u64(&js, "reloads_failed", r.reloads_failed);
		cli_json_obj_close(&js);
		return cli_json_end(&js) ? DPIP_EXIT_FAIL : DPIP_EXIT_OK;
	}
	printf("reloaded %s (%" PRIu64 " reloads ok, %" PRIu64 " failed)\n", file, r.reloads_ok,
	       r.reloads_failed);
	return DPIP_EXIT_OK;
}

static void show_text(const struct cfg_wire_show *s, const char f[][CFG_WIRE_PATH_LEN + 1])
{
	uint32_t i;

	printf("file %s\n", f[0]);
	printf("global: log_level %s pid_file %s ctl_socket %s\n", f[3], f[1], f[2]);
	printf("  idle %s pause_loops %u sleep_min_us %u sleep_max_us %u\n",
	       cfg_name(cfg_idle_modes, 2, s->idle_mode), s->idle_pause_loops,
	       s->idle_sleep_min_us, s->idle_sleep_max_us);
	printf("eal: file_prefix %s memory_mb %u%s hugepages %s secondary_processes %s\n", f[4],
	       s->memory_mb, s->memory_mb ? "" : " (sized from the pools)",
	       cfg_name(cfg_huge, 3, s->hugepages), s->secondary_processes ? "yes" : "no");
	printf("lcores:");
	for (i = 0; i < s->n_lcores && i < CFG_WIRE_LCORES; i++)
		printf(" %u:%s@cpu%u", s->lcores[i].id, cfg_name(cfg_roles, 4, s->lcores[i].role),
		       s->lcores[i].cpu);
	printf("\nreloads: %" PRIu64 " ok, %" PRIu64 " failed", s->reloads_ok, s->reloads_failed);
	if (s->last_reload_unix) {
		char when[32];
		time_t t = (time_t)s->last_reload_unix;
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		printf(", last %s", when);
	}
	putchar('\n');
}

static int show_json(const struct cfg_wire_show *s, const char f[][CFG_WIRE_PATH_LEN + 1])
{
	struct cli_json js;
	uint32_t i;

	cli_json_init(&js, stdout);
	cli_json_obj_open(&js, NULL);
	cli_json_str(&js, "file", f[0]);
	cli_json_obj_open(&js, "global");
	cli_json_str(&js, "log_level", f[3]);
	cli_json_str(&js, "pid_file", f[1]);
	cli_json_str(&js, "ctl_socket", f[2]);
	cli_json_obj_open(&js, "idle");
	cli_json_str(&js, "mode", cfg_name(cfg_idle_modes, 2, s->idle_mode));
	cli_json_u64(&js, "pause_loops", s->idle_pause_loops);
	cli_json_u64(&js, "sleep_min_us", s->idle_sleep_min_us);
	cli_json_u64(&js, "sleep_max_us", s->idle_sleep_max_us);
	cli_json_obj_close(&js);
	cli_json_obj_close(&js);
	cli_json_obj_open(&js, "eal");
	cli_json_str(&js, "file_prefix", f[4]);
	cli_json_u64(&js, "memory_mb", s->memory_mb);
	cli_json_str(&js, "hugepages", cfg_name(cfg_huge, 3, s->hugepages));
	cli_json_bool(&js, "secondary_processes", s->secondary_processes != 0);
	cli_json_obj_close(&js);
	cli_json_arr_open(&js, "lcores");
	for (i = 0; i < s->n_lcores && i < CFG_WIRE_LCORES; i++) {
		cli_json_obj_open(&js, NULL);
		cli_json_u64(&js, "id", s->lcores[i].id);
		cli_json_str(&js, "role", cfg_name(cfg_roles, 4, s->lcores[i].role));
		cli_json_u64(&js, "cpu", s->lcores[i].cpu);
		cli_json_obj_close(&js);
	}
	cli_json_arr_close(&js);
	cli_json_u64(&js, "reloads_ok", s->reloads_ok);
	cli_json_u64(&js, "reloads_failed", s->reloads_failed);
	cli_json_u64(&js, "last_reload_unix", s->last_reload_unix);
	cli_json_obj_close(&js);
	return cli_json_end(&js);
}

static int cfg_show(const struct dpip_opts *o, int argc, char **argv)
{
	static struct cfg_wire_show s;
	char f[5][CFG_WIRE_PATH_LEN + 1];
	struct ctl_result res;

	(void)argv;
	if (argc > 0) {
		cli_error("cfg show takes no arguments");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, CFG_OP_SHOW, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len != sizeof(s)) {
		cli_error("malformed cfg show reply from dpvsd");
		ctl_result_free(&res);
		return DPIP_EXIT_FAIL;
	}
	memcpy(&s, res.data, sizeof(s));
	ctl_result_free(&res);
	cfg_str(f[0], sizeof(f[0]), s.file, sizeof(s.file));
	cfg_str(f[1], sizeof(f[1]), s.pid_file, sizeof(s.pid_file));
	cfg_str(f[2], sizeof(f[2]), s.ctl_socket, sizeof(s.ctl_socket));
	cfg_str(f[3], sizeof(f[3]), s.log_level, sizeof(s.log_level));
	cfg_str(f[4], sizeof(f[4]), s.file_prefix, sizeof(s.file_prefix));
	if (o->json)
		return show_json(&s, f) ? DPIP_EXIT_FAIL : DPIP_EXIT_OK;
	show_text(&s, f);
	return DPIP_EXIT_OK;
}

static const struct dpip_verb cfg_verbs[] = {
	{ "show", cfg_show },
	{ "reload", cfg_reload },
};

const struct dpip_cmd dpip_cmd_cfg;

static int cfg_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_cfg, cfg_verbs, DPVS_ARRAY_SIZE(cfg_verbs), o, argc, argv);
}

const struct dpip_cmd dpip_cmd_cfg = {
	.name = "cfg",
	.usage = "dpip [-j] cfg show\n"
		 "dpip [-j] cfg reload\n",
	.run = cfg_run,
};
