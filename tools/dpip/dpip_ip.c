/*
 * dpip_ip.c - `dpip [-j] ip stats [ipv4|icmp|arp]`: the L3 counters of
 * dpvsd summed over lcores (INET_OP_STATS_GET, include/inet_wire.h):
 * IPv4 receive/forward/output counters and one drop counter per reason,
 * ICMP and ARP/neighbour counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dpip_inet.h"

static void stats_print(const struct dpip_opts *o, const struct inet_stat_wire *s, uint32_t n,
			const char *group)
{
	char g[sizeof(s->group) + 1] = "", name[INET_STAT_NAME_LEN + 1];
	struct cli_json js;
	bool open = false;
	uint32_t i;

	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_obj_open(&js, NULL);
	for (i = 0; i < n; i++) {
		char gi[sizeof(s->group) + 1];

		snprintf(gi, sizeof(gi), "%.*s", (int)sizeof(s->group), s[i].group);
		snprintf(name, sizeof(name), "%.*s", INET_STAT_NAME_LEN, s[i].name);
		if (group && strcmp(group, gi) != 0)
			continue;
		if (strcmp(g, gi) != 0) {
			snprintf(g, sizeof(g), "%s", gi);
			if (o->json) {
				if (open)
					cli_json_obj_close(&js);
				cli_json_obj_open(&js, g);
				open = true;
			} else {
				printf("%s:\n", g);
			}
		}
		if (o->json)
			cli_json_u64(&js, name, s[i].value);
		else
			printf("    %-24s %" PRIu64 "\n", name, s[i].value);
	}
	if (o->json) {
		if (open)
			cli_json_obj_close(&js);
		cli_json_obj_close(&js);
		cli_json_end(&js);
	}
}

static int ip_stats(const struct dpip_opts *o, int argc, char **argv)
{
	static const char *const groups[] = { "ipv4", "icmp", "arp" };
	const char *group = NULL;
	struct ctl_result res;
	unsigned int idx;

	if (argc > 1 || (argc == 1 && cli_parse_enum(argv[0], groups, 3, &idx))) {
		cli_error("ip stats: expected [ipv4|icmp|arp]");
		return DPIP_EXIT_USAGE;
	}
	if (argc == 1)
		group = groups[idx];
	if (dpip_call(o, INET_OP_STATS_GET, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(struct inet_stat_wire) != 0) {
		ctl_result_free(&res);
		cli_error("malformed counters from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	stats_print(o, res.data, res.len / sizeof(struct inet_stat_wire), group);
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}

static const struct dpip_verb ip_verbs[] = {
	{ "stats", ip_stats },
};

const struct dpip_cmd dpip_cmd_ip;

static int ip_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_ip, ip_verbs, DPVS_ARRAY_SIZE(ip_verbs), o, argc, argv);
}

const struct dpip_cmd dpip_cmd_ip = {
	.name = "ip",
	.usage = "dpip [-j] ip stats [ipv4|icmp|arp]\n",
	.run = ip_run,
};
