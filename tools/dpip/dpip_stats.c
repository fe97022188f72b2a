/*
 * dpip_stats.c - `dpip [-j] stats [show]`: dpvsd's per-lcore, per-port
 * packet counters, the redirect counters of each lcore and the use of the
 * packet mbuf pool (NETIF_OP_STATS, include/netif_wire.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dpip.h"
#include "netif_wire.h"

static const char *const stats_names[] = { "rx_packets", "rx_bytes", "rx_dropped",
	"rx_otherhost", "rx_runt", "rx_unhandled", "tx_packets", "tx_bytes", "tx_dropped",
	"tx_down", "kni_in", "kni_dropped", "kni_out" };
_Static_assert(DPVS_ARRAY_SIZE(stats_names) * sizeof(uint64_t) ==
	       sizeof(struct netif_wire_counters), "one name per counter");

struct stats_view {
	const struct netif_wire_stats_hdr *h;
	const uint8_t *lcores;		/* n_lcores x (lcore + n_ports counters) */
	const struct netif_wire_link_req *names;
	size_t lcore_size;
};

static int stats_parse(const void *data, uint32_t len, struct stats_view *v)
{
	const struct netif_wire_stats_hdr *h = data;
	uint64_t need;

	if (len < sizeof(*h))
		return EDPVS_PROTO;
	if (h->n_ports > 64 || h->n_lcores > 1024)
		return EDPVS_PROTO;
	v->h = h;
	v->lcore_size = sizeof(struct netif_wire_lcore) +
			(size_t)h->n_ports * sizeof(struct netif_wire_counters);
	need = sizeof(*h) + (uint64_t)h->n_lcores * v->lcore_size +
	       (uint64_t)h->n_ports * sizeof(struct netif_wire_link_req);
	if (len < need)
		return EDPVS_PROTO;
	v->lcores = (const uint8_t *)(h + 1);
	v->names = (const struct netif_wire_link_req *)(v->lcores + h->n_lcores * v->lcore_size);
	return 0;
}

static void stats_counters(const struct netif_wire_counters *c, uint64_t *out)
{
	memcpy(out, c, sizeof(*c));
}

static void stats_text(const struct stats_view *v)
{
	uint64_t c[DPVS_ARRAY_SIZE(stats_names)];
	uint32_t l, p;

	printf("mbuf pool: %" PRIu64 " mbufs, %" PRIu64 " in use, %" PRIu64 " free\n",
	       v->h->pool_size, v->h->pool_in_use, v->h->pool_avail);
	for (l = 0; l < v->h->n_lcores; l++) {
		const struct netif_wire_lcore *lw =
			(const void *)(v->lcores + l * v->lcore_size);
		const struct netif_wire_counters *pc = (const void *)(lw + 1);

		printf("lcore %u (%.*s): redirect in %" PRIu64 " out %" PRIu64 " dropped %" PRIu64
		       ", tx without queue %" PRIu64 "\n", lw->lcore_id, NETIF_WIRE_NAME,
		       lw->role_name, lw->redirect_in, lw->redirect_out, lw->redirect_dropped,
		       lw->tx_nolcore);
		for (p = 0; p < v->h->n_ports; p++) {
			stats_counters(&pc[p], c);
			printf("  %-8.*s rx %" PRIu64 " pkts %" PRIu64 " bytes (drop %" PRIu64
			       " otherhost %" PRIu64 " runt %" PRIu64 " unhandled %" PRIu64 ")\n",
			       NETIF_WIRE_NAME, v->names[p].name, c[0], c[1], c[2], c[3], c[4],
			       c[5]);
			printf("  %-8s tx %" PRIu64 " pkts %" PRIu64 " bytes (drop %" PRIu64
			       " down %" PRIu64 ")  kni in %" PRIu64 " drop %" PRIu64 " out %"
			       PRIu64 "\n", "", c[6], c[7], c[8], c[9], c[10], c[11], c[12]);
		}
	}
}

static void stats_json_port(struct cli_json *js, const struct stats_view *v, uint32_t p,
			    const struct netif_wire_counters *pc)
{
	uint64_t c[DPVS_ARRAY_SIZE(stats_names)];
	char name[NETIF_WIRE_NAME + 1];
	unsigned int i;

	stats_counters(pc, c);
	snprintf(name, sizeof(name), "%.*s", NETIF_WIRE_NAME, v->names[p].name);
	cli_json_obj_open(js, NULL);
	cli_json_str(js, "port", name);
	for (i = 0; i < DPVS_ARRAY_SIZE(stats_names); i++)
		cli_json_u64(js, stats_names[i], c[i]);
	cli_json_obj_close(js);
}

static int stats_json(const struct stats_view *v)
{
	char role[NETIF_WIRE_NAME + 1];
	struct cli_json js;
	uint32_t l, p;

	cli_json_init(&js, stdout);
	cli_json_obj_open(&js, NULL);
	cli_json_obj_open(&js, "pool");
	cli_json_u64(&js, "size", v->h->pool_size);
	cli_json_u64(&js, "in_use", v->h->pool_in_use);
	cli_json_u64(&js, "avail", v->h->pool_avail);
	cli_json_obj_close(&js);
	cli_json_arr_open(&js, "lcores");
	for (l = 0; l < v->h->n_lcores; l++) {
		const struct netif_wire_lcore *lw =
			(const void *)(v->lcores + l * v->lcore_size);
		const struct netif_wire_counters *pc = (const void *)(lw + 1);

		snprintf(role, sizeof(role), "%.*s", NETIF_WIRE_NAME, lw->role_name);
		cli_json_obj_open(&js, NULL);
		cli_json_u64(&js, "lcore", lw->lcore_id);
		cli_json_str(&js, "role", role);
		cli_json_u64(&js, "redirect_in", lw->redirect_in);
		cli_json_u64(&js, "redirect_out", lw->redirect_out);
		cli_json_u64(&js, "redirect_dropped", lw->redirect_dropped);
		cli_json_u64(&js, "tx_nolcore", lw->tx_nolcore);
		cli_json_arr_open(&js, "ports");
		for (p = 0; p < v->h->n_ports; p++)
			stats_json_port(&js, v, p, &pc[p]);
		cli_json_arr_close(&js);
		cli_json_obj_close(&js);
	}
	cli_json_arr_close(&js);
	cli_json_obj_close(&js);
	return cli_json_end(&js);
}

static int stats_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct ctl_result res;
	struct stats_view v;
	int rc;

	if (argc > 0) {
		cli_error("stats show: unexpected '%s'", argv[0]);
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, NETIF_OP_STATS, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	rc = stats_parse(res.data, res.len, &v);
	if (rc == 0) {
		if (o->json)
			rc = stats_json(&v);
		else
			stats_text(&v);
	}
	ctl_result_free(&res);
	if (rc) {
		cli_error("malformed stats from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	return DPIP_EXIT_OK;
}

static const struct dpip_verb stats_verbs[] = {
	{ "show", stats_show },
};

static int stats_run(const struct dpip_opts *o, int argc, char **argv);

const struct dpip_cmd dpip_cmd_stats = {
	.name = "stats",
	.usage = "dpip [-j] stats [show]\n",
	.run = stats_run,
};

static int stats_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_stats, stats_verbs, DPVS_ARRAY_SIZE(stats_verbs), o,
			     argc, argv);
}
