/*
 * dpip_link.c - `dpip link show [-s] [[dev] DEV]` and
 * `dpip link set [dev] DEV up|down|mtu N|promisc on|off ...` over
 * NETIF_OP_LINK_SHOW / NETIF_OP_LINK_SET (include/netif_wire.h).  Output
 * follows ip(8) link; -j gives JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dpip.h"
#include "netif_wire.h"

static void link_flags_text(const struct netif_wire_link *l, char *buf, size_t len)
{
	bool carrier = l->flags & NETIF_LINK_F_CARRIER;

	snprintf(buf, len, "BROADCAST,MULTICAST%s%s%s", (l->flags & NETIF_LINK_F_PROMISC) ?
		 ",PROMISC" : "", (l->flags & NETIF_LINK_F_UP) ? ",UP" : "",
		 (l->flags & NETIF_LINK_F_UP) && carrier ? ",LOWER_UP" : "");
}

const char *dpip_link_state(const struct netif_wire_link *l)
{
	if (!(l->flags & NETIF_LINK_F_UP))
		return "DOWN";
	return (l->flags & NETIF_LINK_F_CARRIER) ? "UP" : "LOWERLAYERDOWN";
}

static void link_mac_text(const uint8_t *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static void link_print_stats(const struct netif_wire_link *l)
{
	const struct netif_wire_counters *c = &l->sw;
	unsigned int q;

	printf("    RX: %12s %10s %8s %8s %8s %8s\n", "bytes", "packets", "errors", "dropped",
	       "missed", "nombuf");
	printf("        %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
	       " %8" PRIu64 "\n", l->ibytes, l->ipackets, l->ierrors,
	       c->rx_dropped + c->rx_otherhost + c->rx_runt, l->imissed, l->rx_nombuf);
	printf("    TX: %12s %10s %8s %8s\n", "bytes", "packets", "errors", "dropped");
	printf("        %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", l->obytes,
	       l->opackets, l->oerrors, c->tx_dropped + c->tx_down);
	printf("    dpvsd: rx %" PRIu64 " pkts %" PRIu64 " bytes, unhandled %" PRIu64
	       ", otherhost %" PRIu64 ", runt %" PRIu64 ", handler-drop %" PRIu64 "\n",
	       c->rx_packets, c->rx_bytes, c->rx_unhandled, c->rx_otherhost, c->rx_runt,
	       c->rx_dropped);
	printf("           tx %" PRIu64 " pkts %" PRIu64 " bytes, tx-drop %" PRIu64
	       ", down %" PRIu64 "\n", c->tx_packets, c->tx_bytes, c->tx_dropped, c->tx_down);
	printf("           kni: to-kernel %" PRIu64 ", dropped %" PRIu64 ", from-kernel %" PRIu64
	       "\n", c->kni_in, c->kni_dropped, c->kni_out);
	for (q = 0; q < l->n_rxq && q < NETIF_WIRE_QUEUES; q++)
		printf("    rxq %u: lcore %u, packets %" PRIu64 "\n", q, l->rxq_lcore[q],
		       l->q_ipackets[q]);
	for (q = 0; q < l->n_txq && q < NETIF_WIRE_QUEUES; q++)
		printf("    txq %u: packets %" PRIu64 "\n", q, l->q_opackets[q]);
}

static void link_print_text(const struct dpip_opts *o, const struct netif_wire_link *l)
{
	char flags[96], mac[24];

	link_flags_text(l, flags, sizeof(flags));
	link_mac_text(l->mac, mac, sizeof(mac));
	printf("%u: %.*s: <%s> mtu %u state %s\n", l->port_id, NETIF_WIRE_NAME, l->name, flags,
	       l->mtu, dpip_link_state(l));
	printf("    link/ether %s brd ff:ff:ff:ff:ff:ff\n", mac);
	printf("    driver %.*s dev %.*s rxq %u txq %u rx_desc %u tx_desc %u rss %s",
	       (int)sizeof(l->driver), l->driver, (int)sizeof(l->dev_name), l->dev_name,
	       l->n_rxq, l->n_txq, l->rx_desc, l->tx_desc,
	       (l->flags & NETIF_LINK_F_RSS) ? "on" : "off");
	if (l->speed_mbps)
		printf(" speed %uMb/s", l->speed_mbps);
	if (l->flags & NETIF_LINK_F_KNI)
		printf(" kni %.*s", NETIF_WIRE_NAME, l->kni_ifname);
	printf("\n");
	if (o->stats)
		link_print_stats(l);
}

static void link_json_counters(struct cli_json *js, const struct netif_wire_counters *c)
{
	static const char *const names[] = { "rx_packets", "rx_bytes", "rx_dropped",
		"rx_otherhost", "rx_runt", "rx_unhandled", "tx_packets", "tx_bytes", "tx_dropped",
		"tx_down", "kni_in", "kni_dropped", "kni_out" };
	uint64_t v[DPVS_ARRAY_SIZE(names)];
	unsigned int i;

	_Static_assert(sizeof(v) == sizeof(*c), "one name per counter");
	memcpy(v, c, sizeof(v));
	cli_json_obj_open(js, "dpvsd");
	for (i = 0; i < DPVS_ARRAY_SIZE(names); i++)
		cli_json_u64(js, names[i], v[i]);
	cli_json_obj_close(js);
}

static void link_json_stats(struct cli_json *js, const struct netif_wire_link *l)
{
	cli_json_obj_open(js, "stats64");
	cli_json_obj_open(js, "rx");
	cli_json_u64(js, "bytes", l->ibytes);
	cli_json_u64(js, "packets", l->ipackets);
	cli_json_u64(js, "errors", l->ierrors);
	cli_json_u64(js, "dropped", l->sw.rx_dropped + l->sw.rx_otherhost + l->sw.rx_runt);
	cli_json_u64(js, "missed", l->imissed);
	cli_json_u64(js, "nombuf", l->rx_nombuf);
	cli_json_obj_close(js);
	cli_json_obj_open(js, "tx");
	cli_json_u64(js, "bytes", l->obytes);
	cli_json_u64(js, "packets", l->opackets);
	cli_json_u64(js, "errors", l->oerrors);
	cli_json_u64(js, "dropped", l->sw.tx_dropped + l->sw.tx_down);
	cli_json_obj_close(js);
	link_json_counters(js, &l->sw);
	cli_json_obj_close(js);
}

static void link_print_json(struct cli_json *js, const struct dpip_opts *o,
			    const struct netif_wire_link *l)
{
	char buf[96];
	unsigned int q;

	cli_json_obj_open(js, NULL);
	cli_json_u64(js, "ifindex", l->port_id);
	snprintf(buf, sizeof(buf), "%.*s", NETIF_WIRE_NAME, l->name);
	cli_json_str(js, "ifname", buf);
	link_flags_text(l, buf, sizeof(buf));
	cli_json_str(js, "flags", buf);
	cli_json_u64(js, "mtu", l->mtu);
	cli_json_str(js, "operstate", dpip_link_state(l));
	cli_json_bool(js, "up", l->flags & NETIF_LINK_F_UP);
	cli_json_bool(js, "carrier", l->flags & NETIF_LINK_F_CARRIER);
	cli_json_bool(js, "promisc", l->flags & NETIF_LINK_F_PROMISC);
	link_mac_text(l->mac, buf, sizeof(buf));
	cli_json_str(js, "address", buf);
	snprintf(buf, sizeof(buf), "%.*s", (int)sizeof(l->driver), l->driver);
	cli_json_str(js, "driver", buf);
	snprintf(buf, sizeof(buf), "%.*s", (int)sizeof(l->dev_name), l->dev_name);
	cli_json_str(js, "device", buf);
	cli_json_u64(js, "rx_queues", l->n_rxq);
	cli_json_u64(js, "tx_queues", l->n_txq);
	cli_json_bool(js, "rss", l->flags & NETIF_LINK_F_RSS);
	cli_json_u64(js, "speed_mbps", l->speed_mbps);
	snprintf(buf, sizeof(buf), "%.*s", NETIF_WIRE_NAME, l->kni_ifname);
	cli_json_str(js, "kni", buf);
	cli_json_arr_open(js, "rxq_lcores");
	for (q = 0; q < l->n_rxq && q < NETIF_WIRE_QUEUES; q++)
		cli_json_u64(js, NULL, l->rxq_lcore[q]);
	cli_json_arr_close(js);
	if (o->stats)
		link_json_stats(js, l);
	cli_json_obj_close(js);
}

/* -br, as ip -br link: "NAME STATE MAC <FLAGS> " in ip's columns. */
static void link_print_brief(const struct netif_wire_link *l)
{
	char flags[96], mac[24];

	link_flags_text(l, flags, sizeof(flags));
	link_mac_text(l->mac, mac, sizeof(mac));
	printf("%-16.*s %-14s %s <%s> \n", NETIF_WIRE_NAME, l->name, dpip_link_state(l), mac,
	       flags);
}

/* -j -br, as ip -j -br link: ifname, operstate, address, flags[]. */
static void link_print_brief_json(struct cli_json *js, const struct netif_wire_link *l)
{
	char buf[96], *tok, *save = NULL;

	cli_json_obj_open(js, NULL);
	snprintf(buf, sizeof(buf), "%.*s", NETIF_WIRE_NAME, l->name);
	cli_json_str(js, "ifname", buf);
	cli_json_str(js, "operstate", dpip_link_state(l));
	link_mac_text(l->mac, buf, sizeof(buf));
	cli_json_str(js, "address", buf);
	link_flags_text(l, buf, sizeof(buf));
	cli_json_arr_open(js, "flags");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		cli_json_str(js, NULL, tok);
	cli_json_arr_close(js);
	cli_json_obj_close(js);
}

static void link_print_one(struct cli_json *js, const struct dpip_opts *o,
			   const struct netif_wire_link *l)
{
	if (o->json && o->brief)
		link_print_brief_json(js, l);
	else if (o->json)
		link_print_json(js, o, l);
	else if (o->brief)
		link_print_brief(l);
	else
		link_print_text(o, l);
}

/* The links of a LINK_SHOW reply; EDPVS_PROTO if it is malformed. */
static int link_parse(const void *data, uint32_t len, const struct netif_wire_link **links,
		      uint32_t *n)
{
	const struct netif_wire_link_hdr *h = data;

	if (len < sizeof(*h) || (len - sizeof(*h)) / sizeof(**links) < h->n_links)
		return EDPVS_PROTO;
	*links = (const struct netif_wire_link *)(h + 1);
	*n = h->n_links;
	return 0;
}

static int link_print(const struct dpip_opts *o, const struct netif_wire_link *l, uint32_t n)
{
	struct cli_json js;
	uint32_t i;

	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	for (i = 0; i < n; i++)
		link_print_one(&js, o, &l[i]);
	if (o->json) {
		cli_json_arr_close(&js);
		return cli_json_end(&js);
	}
	return 0;
}

/* Copy a device name into the request, refusing names that do not fit. */
static int link_name(const char *s, char out[NETIF_WIRE_NAME])
{
	if (!s || !s[0] || strlen(s) >= NETIF_WIRE_NAME) {
		cli_error("bad device name '%s' (1..%d characters)", s ? s : "",
			  NETIF_WIRE_NAME - 1);
		return DPIP_EXIT_USAGE;
	}
	memset(out, 0, NETIF_WIRE_NAME);
	memcpy(out, s, strlen(s) + 1);	/* fits: checked above */
	return 0;
}

int dpip_link_fetch(const struct dpip_opts *o, const char *dev, struct ctl_result *res,
		    const struct netif_wire_link **links, uint32_t *n)
{
	struct netif_wire_link_req req;

	if (dev && link_name(dev, req.name))
		return DPIP_EXIT_USAGE;
	if (dpip_call(o, NETIF_OP_LINK_SHOW, dev ? &req : NULL, dev ? sizeof(req) : 0, res))
		return DPIP_EXIT_FAIL;
	if (link_parse(res->data, res->len, links, n)) {
		ctl_result_free(res);
		cli_error("malformed link list from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	return 0;
}

static int link_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct dpip_opts so = *o;
	const struct netif_wire_link *l;
	const char *dev = NULL;
	struct ctl_result res;
	uint32_t n;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "-stats") == 0)
			so.stats = true;
		else if (strcmp(argv[i], "dev") == 0 && i + 1 < argc && !dev)
			dev = argv[++i];
		else if (!dev && argv[i][0] != '-')
			dev = argv[i];
		else {
			cli_error("link show: unexpected '%s'", argv[i]);
			return DPIP_EXIT_USAGE;
		}
	}
	rc = dpip_link_fetch(o, dev, &res, &l, &n);
	if (rc)
		return rc;
	rc = link_print(&so, l, n);
	ctl_result_free(&res);
	return rc ? DPIP_EXIT_FAIL : DPIP_EXIT_OK;
}

/* Parse one attribute at argv[*i] into req; DPIP_EXIT_USAGE on error. */
static int link_set_attr(int argc, char **argv, int *i, struct netif_wire_link_set *req)
{
	static const char *const onoff[] = { "off", "on" };
	const char *w = argv[*i];
	unsigned int idx;

	if (strcmp(w, "up") == 0 || strcmp(w, "down") == 0) {
		req->what = NETIF_LINK_SET_UP;
		req->value = strcmp(w, "up") == 0;
		return 0;
	}
	if (strcmp(w, "mtu") != 0 && strcmp(w, "promisc") != 0) {
		cli_error("link set: unknown attribute '%s', expected up, down, mtu N or "
			  "promisc on|off", w);
		return DPIP_EXIT_USAGE;
	}
	if (*i + 1 >= argc) {
		cli_error("link set: '%s' needs a value", w);
		return DPIP_EXIT_USAGE;
	}
	if (strcmp(w, "mtu") == 0) {
		req->what = NETIF_LINK_SET_MTU;
		return cli_arg_u32("mtu", argv[++*i], 68, 9000, &req->value) ? DPIP_EXIT_USAGE : 0;
	}
	if (cli_parse_enum(argv[++*i], onoff, 2, &idx)) {
		cli_error("bad promisc '%s': expected on or off", argv[*i]);
		return DPIP_EXIT_USAGE;
	}
	req->what = NETIF_LINK_SET_PROMISC;
	req->value = idx;
	return 0;
}

static int link_set(const struct dpip_opts *o, int argc, char **argv)
{
	struct netif_wire_link_set reqs[8];
	struct ctl_result res;
	int i = 0, n = 0, k;

	if (argc > 0 && strcmp(argv[0], "dev") == 0)
		i++;
	if (i >= argc) {
		cli_error("link set: which device? (dpip link set dev DEV up)");
		return DPIP_EXIT_USAGE;
	}
	memset(reqs, 0, sizeof(reqs));
	if (link_name(argv[i++], reqs[0].name))
		return DPIP_EXIT_USAGE;
	for (; i < argc; i++, n++) {
		if (n == (int)DPVS_ARRAY_SIZE(reqs)) {
			cli_error("link set: too many attributes");
			return DPIP_EXIT_USAGE;
		}
		memcpy(reqs[n].name, reqs[0].name, NETIF_WIRE_NAME);
		if (link_set_attr(argc, argv, &i, &reqs[n]))
			return DPIP_EXIT_USAGE;
	}
	if (n == 0) {
		cli_error("link set: nothing to change (up, down, mtu N, promisc on|off)");
		return DPIP_EXIT_USAGE;
	}
	for (k = 0; k < n; k++) {
		if (dpip_call(o, NETIF_OP_LINK_SET, &reqs[k], sizeof(reqs[k]), &res))
			return DPIP_EXIT_FAIL;
		ctl_result_free(&res);
	}
	return DPIP_EXIT_OK;
}

static const struct dpip_verb link_verbs[] = {
	{ "show", link_show },
	{ "list", link_show },
	{ "set", link_set },
};

static int link_run(const struct dpip_opts *o, int argc, char **argv);

const struct dpip_cmd dpip_cmd_link = {
	.name = "link",
	.usage = "dpip [-j] [-s] [-br] link show [[dev] DEV]\n"
		 "dpip link set [dev] DEV { up | down | mtu N | promisc on|off } ...\n",
	.run = link_run,
	.brief = true,
};

static int link_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_link, link_verbs, DPVS_ARRAY_SIZE(link_verbs), o, argc,
			     argv);
}
