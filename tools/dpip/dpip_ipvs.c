/*
 * dpip_ipvs.c - `dpip [-j] ipvs stats [ipvs|xmit]`: the IPVS datapath
 * counters of every forwarding lcore (IPVS_STATS_OP_GET, include/ipvs/
 * ipvs_stats_wire.h), summed and per lcore.  Group "ipvs" is the hook
 * (packets, conns hit/new, redirects, drops by reason), "xmit" the
 * forwarding modes (sent, errors, TOA/PROXY, no local port).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dpip.h"
#include "ipvs/ipvs_stats_wire.h"

#define MAX_LCORES   128
#define MAX_COUNTERS 64

/* The reply as a table: counters (rows) x lcores (columns). */
struct stats_tab {
	unsigned int n_lcores, n_counters;
	uint32_t lcore[MAX_LCORES];
	char group[MAX_COUNTERS][IPVS_STAT_GROUP_LEN + 1];
	char name[MAX_COUNTERS][IPVS_STAT_NAME_LEN + 1];
	uint64_t v[MAX_COUNTERS][MAX_LCORES];
};

static int tab_lcore(struct stats_tab *t, uint32_t lcore)
{
	unsigned int i;

	for (i = 0; i < t->n_lcores; i++)
		if (t->lcore[i] == lcore)
			return (int)i;
	if (t->n_lcores == MAX_LCORES)
		return -1;
	t->lcore[t->n_lcores] = lcore;
	return (int)t->n_lcores++;
}

static int tab_counter(struct stats_tab *t, const char *group, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n_counters; i++)
		if (strcmp(t->group[i], group) == 0 && strcmp(t->name[i], name) == 0)
			return (int)i;
	if (t->n_counters == MAX_COUNTERS)
		return -1;
	snprintf(t->group[i], sizeof(t->group[i]), "%s", group);
	snprintf(t->name[i], sizeof(t->name[i]), "%s", name);
	return (int)t->n_counters++;
}

static int tab_fill(struct stats_tab *t, const struct ipvs_stat_wire *w, size_t n,
		    const char *only)
{
	size_t k;

	memset(t, 0, sizeof(*t));
	for (k = 0; k < n; k++) {
		char g[IPVS_STAT_GROUP_LEN + 1], nm[IPVS_STAT_NAME_LEN + 1];
		int l, c;

		snprintf(g, sizeof(g), "%.*s", IPVS_STAT_GROUP_LEN, w[k].group);
		snprintf(nm, sizeof(nm), "%.*s", IPVS_STAT_NAME_LEN, w[k].name);
		l = tab_lcore(t, w[k].lcore);
		if (only && strcmp(only, g) != 0)
			continue;
		c = tab_counter(t, g, nm);
		if (l < 0 || c < 0)
			return -1;
		t->v[c][l] = w[k].value;
	}
	return 0;
}

static uint64_t tab_sum(const struct stats_tab *t, unsigned int c)
{
	uint64_t s = 0;
	unsigned int l;

	for (l = 0; l < t->n_lcores; l++)
		s += t->v[c][l];
	return s;
}

static void print_text(const struct stats_tab *t)
{
	const char *g = "";
	unsigned int c, l;

	for (c = 0; c < t->n_counters; c++) {
		if (strcmp(g, t->group[c]) != 0) {
			g = t->group[c];
			printf("%s:\n    %-20s %14s", g, "counter", "total");
			for (l = 0; l < t->n_lcores; l++)
				printf("   lcore %-6" PRIu32, t->lcore[l]);
			putchar('\n');
		}
		printf("    %-20s %14" PRIu64, t->name[c], tab_sum(t, c));
		for (l = 0; l < t->n_lcores; l++)
			printf(" %14" PRIu64, t->v[c][l]);
		putchar('\n');
	}
}

/* {"lcores": [..], "ipvs": {"pkts": {"total": N, "per_lcore": [..]}, ..}, "xmit": {..}} */
static int print_json(const struct stats_tab *t)
{
	const char *g = NULL;
	struct cli_json js;
	unsigned int c, l;

	cli_json_init(&js, stdout);
	cli_json_obj_open(&js, NULL);
	cli_json_arr_open(&js, "lcores");
	for (l = 0; l < t->n_lcores; l++)
		cli_json_u64(&js, NULL, t->lcore[l]);
	cli_json_arr_close(&js);
	for (c = 0; c < t->n_counters; c++) {
		if (g == NULL || strcmp(g, t->group[c]) != 0) {
			if (g != NULL)
				cli_json_obj_close(&js);
			g = t->group[c];
			cli_json_obj_open(&js, g);
		}
		cli_json_obj_open(&js, t->name[c]);
		cli_json_u64(&js, "total", tab_sum(t, c));
		cli_json_arr_open(&js, "per_lcore");
		for (l = 0; l < t->n_lcores; l++)
			cli_json_u64(&js, NULL, t->v[c][l]);
		cli_json_arr_close(&js);
		cli_json_obj_close(&js);
	}
	if (g != NULL)
		cli_json_obj_close(&js);
	cli_json_obj_close(&js);
	return cli_json_end(&js);
}

static int ipvs_stats(const struct dpip_opts *o, int argc, char **argv)
{
	static const char *const groups[] = { "ipvs", "xmit" };
	static struct stats_tab tab;
	const char *only = NULL;
	struct ctl_result res;
	unsigned int idx;
	int rc;

	if (argc > 1 || (argc == 1 && cli_parse_enum(argv[0], groups, 2, &idx))) {
		cli_error("ipvs stats: expected [ipvs|xmit]");
		return DPIP_EXIT_USAGE;
	}
	if (argc == 1)
		only = groups[idx];
	if (dpip_call(o, IPVS_STATS_OP_GET, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(struct ipvs_stat_wire) != 0 ||
	    tab_fill(&tab, res.data, res.len / sizeof(struct ipvs_stat_wire), only) != 0) {
		ctl_result_free(&res);
		cli_error("malformed counters from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	ctl_result_free(&res);
	rc = 0;
	if (o->json)
		rc = print_json(&tab);
	else
		print_text(&tab);
	return rc ? DPIP_EXIT_FAIL : DPIP_EXIT_OK;
}

static const struct dpip_verb ipvs_verbs[] = {
	{ "stats", ipvs_stats },
};

const struct dpip_cmd dpip_cmd_ipvs;

static int ipvs_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_ipvs, ipvs_verbs, DPVS_ARRAY_SIZE(ipvs_verbs), o, argc,
			     argv);
}

const struct dpip_cmd dpip_cmd_ipvs = {
	.name = "ipvs",
	.usage = "dpip [-j] ipvs stats [ipvs|xmit]\n",
	.run = ipvs_run,
};
