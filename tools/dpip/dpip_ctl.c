/*
 * dpip_ctl.c - `dpip ctl ping` (daemon version, pid, uptime) and
 * `dpip ctl show` (the request types the daemon has registered) and
 * `dpip ctl stats` (the control socket's counters).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "core_wire.h"
#include "dpip.h"

static int ctl_ping(const struct dpip_opts *o, int argc, char **argv)
{
	struct ctl_result res;
	struct core_version v;
	struct cli_json js;

	(void)argv;
	if (argc > 0) {
		cli_error("ctl ping takes no arguments");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, CORE_OP_PING, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len != sizeof(v)) {
		cli_error("malformed ping reply from dpvsd");
		ctl_result_free(&res);
		return DPIP_EXIT_FAIL;
	}
	memcpy(&v, res.data, sizeof(v));
	ctl_result_free(&res);
	v.version[sizeof(v.version) - 1] = '\0';
	if (!o->json) {
		printf("dpvsd %s pid %u protocol %u uptime %" PRIu64 ".%03" PRIu64 " s\n",
		       v.version, v.pid, v.proto_version, v.uptime_ms / 1000, v.uptime_ms % 1000);
		return DPIP_EXIT_OK;
	}
	cli_json_init(&js, stdout);
	cli_json_obj_open(&js, NULL);
	cli_json_str(&js, "version", v.version);
	cli_json_u64(&js, "pid", v.pid);
	cli_json_u64(&js, "protocol", v.proto_version);
	cli_json_u64(&js, "uptime_ms", v.uptime_ms);
	cli_json_obj_close(&js);
	cli_json_end(&js);
	return DPIP_EXIT_OK;
}

static void print_ops(const struct dpip_opts *o, const struct core_ctl_op *op, uint32_t n)
{
	struct cli_json js;
	uint32_t i;

	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	else
		printf("%-8s %-32s %8s %8s %-6s%s\n", "opcode", "name", "min", "max", "access",
		       o->stats ? "      calls     failed   avg_us   max_us" : "");
	for (i = 0; i < n; i++) {
		char name[CORE_NAME_LEN + 1];
		const char *acc = (op[i].flags & CTL_OP_F_GET) ? "any" : "root";
		uint64_t avg = op[i].calls ? op[i].total_us / op[i].calls : 0;

		snprintf(name, sizeof(name), "%.*s", CORE_NAME_LEN, op[i].name);
		if (!o->json) {
			printf("0x%04x   %-32s %8u %8u %-6s", op[i].opcode, name, op[i].min_len,
			       op[i].max_len, acc);
			if (o->stats)
				printf(" %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64,
				       op[i].calls, op[i].failed, avg, op[i].max_us);
			putchar('\n');
			continue;
		}
		cli_json_obj_open(&js, NULL);
		cli_json_u64(&js, "opcode", op[i].opcode);
		cli_json_str(&js, "name", name);
		cli_json_u64(&js, "min_len", op[i].min_len);
		cli_json_u64(&js, "max_len", op[i].max_len);
		cli_json_str(&js, "access", acc);
		cli_json_u64(&js, "calls", op[i].calls);
		cli_json_u64(&js, "failed", op[i].failed);
		cli_json_u64(&js, "avg_us", avg);
		cli_json_u64(&js, "max_us", op[i].max_us);
		cli_json_obj_close(&js);
	}
	if (o->json) {
		cli_json_arr_close(&js);
		cli_json_end(&js);
	}
}

static int ctl_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct ctl_result res;

	(void)argv;
	if (argc > 0) {
		cli_error("ctl show takes no arguments");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, CORE_OP_CTL_LIST, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(struct core_ctl_op)) {
		cli_error("malformed request-type list from dpvsd");
		ctl_result_free(&res);
		return DPIP_EXIT_FAIL;
	}
	print_ops(o, res.data, res.len / sizeof(struct core_ctl_op));
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}

static const char *const ctl_stat_names[] = {
	"accepted", "refused", "evicted", "requests", "failed", "proto_errors",
	"perm_denied", "timeouts", "io_errors",
};

static int ctl_stats(const struct dpip_opts *o, int argc, char **argv)
{
	struct ctl_result res;
	struct core_ctl_stats st;
	struct cli_json js;
	uint64_t v[DPVS_ARRAY_SIZE(ctl_stat_names)];
	unsigned int i;

	(void)argv;
	if (argc > 0) {
		cli_error("ctl stats takes no arguments");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, CORE_OP_CTL_STATS, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len != sizeof(st)) {
		cli_error("malformed ctl stats reply from dpvsd");
		ctl_result_free(&res);
		return DPIP_EXIT_FAIL;
	}
	memcpy(&st, res.data, sizeof(st));
	ctl_result_free(&res);
	memcpy(v, &st, sizeof(v));	/* the first fields, in ctl_stat_names order */
	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_obj_open(&js, NULL);
	for (i = 0; i < DPVS_ARRAY_SIZE(v); i++) {
		if (o->json)
			cli_json_u64(&js, ctl_stat_names[i], v[i]);
		else
			printf("%-14s %" PRIu64 "\n", ctl_stat_names[i], v[i]);
	}
	if (o->json) {
		cli_json_u64(&js, "clients", st.clients);
		cli_json_obj_close(&js);
		cli_json_end(&js);
	} else {
		printf("%-14s %u\n", "clients", st.clients);
	}
	return DPIP_EXIT_OK;
}

_Static_assert(sizeof(uint64_t) * DPVS_ARRAY_SIZE(ctl_stat_names) ==
	       offsetof(struct core_ctl_stats, clients), "one name per counter");

static const struct dpip_verb ctl_verbs[] = {
	{ "show", ctl_show },
	{ "ping", ctl_ping },
	{ "stats", ctl_stats },
};

static int ctl_run(const struct dpip_opts *o, int argc, char **argv);

const struct dpip_cmd dpip_cmd_ctl = {
	.name = "ctl",
	.usage = "dpip [-j] [-s] ctl show     (request types the daemon serves; -s: calls)\n"
		 "dpip [-j] ctl ping          (daemon version, pid, uptime)\n"
		 "dpip [-j] ctl stats         (control socket counters)\n",
	.run = ctl_run,
};

static int ctl_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_ctl, ctl_verbs, DPVS_ARRAY_SIZE(ctl_verbs), o, argc, argv);
}
