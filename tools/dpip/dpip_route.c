/*
 * dpip_route.c - `dpip route add|del|show` (INET_OP_ROUTE_*, include/
 * inet_wire.h), with ip(8)-like syntax:
 *   dpip route add PREFIX|default [via GW] dev DEV [src A] [mtu N] [metric N]
 *   dpip route del PREFIX|default [via GW] [dev DEV] [metric N]
 *   dpip [-j] route show
 *   dpip [-j] route get A.B.C.D       (the daemon's own lookup, as ip route get)
 *   dpip route flush [dev DEV]        (every route but the connected ones)
 */
#include <stdio.h>
#include <string.h>
#include "dpip_inet.h"
#include "route.h"

enum route_kw { KW_VIA, KW_DEV, KW_SRC, KW_MTU, KW_METRIC, KW_MAX };

static const char *const route_kw_names[KW_MAX] = { "via", "dev", "src", "mtu", "metric" };

/* Parse one keyword and its value into w. */
static int route_kw(enum route_kw kw, const char *v, struct inet_route_wire *w)
{
	uint32_t x;

	switch (kw) {
	case KW_VIA:
		w->match |= INET_RT_HAS_GW;
		return dpip_inet_addr("gateway", v, &w->gw);
	case KW_DEV:
		w->match |= INET_RT_HAS_DEV;
		return dpip_inet_dev(v, w->ifname);
	case KW_SRC:
		return dpip_inet_addr("source", v, &w->src);
	case KW_MTU:
		if (cli_arg_u32("mtu", v, 68, 65535, &x))
			return DPIP_EXIT_USAGE;
		w->mtu = (uint16_t)x;
		return 0;
	case KW_METRIC:
		w->match |= INET_RT_HAS_METRIC;
		return cli_arg_u32("metric", v, 0, UINT32_MAX, &w->metric) ? DPIP_EXIT_USAGE : 0;
	default:
		return DPIP_EXIT_USAGE;
	}
}

static int route_parse(const char *verb, int argc, char **argv, unsigned int allowed,
		       struct inet_route_wire *w)
{
	bool have_dst = false;
	unsigned int seen = 0;
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < argc; i++) {
		unsigned int k;
		const char *v;

		for (k = 0; k < KW_MAX && strcmp(argv[i], route_kw_names[k]) != 0; k++)
			;
		if (k == KW_MAX) {
			if (have_dst) {
				cli_error("route %s: unexpected '%s'", verb, argv[i]);
				return DPIP_EXIT_USAGE;
			}
			if (dpip_inet_prefix("destination", argv[i], true, &w->dst, &w->plen))
				return DPIP_EXIT_USAGE;
			have_dst = true;
			continue;
		}
		if (!(allowed & (1u << k)) || (seen & (1u << k))) {
			cli_error("route %s: '%s' not allowed here", verb, argv[i]);
			return DPIP_EXIT_USAGE;
		}
		seen |= 1u << k;
		v = dpip_inet_value(argc, argv, &i);
		if (v == NULL || route_kw((enum route_kw)k, v, w))
			return DPIP_EXIT_USAGE;
	}
	if (!have_dst) {
		cli_error("route %s: which destination? (PREFIX or default)", verb);
		return DPIP_EXIT_USAGE;
	}
	return 0;
}

static int rt_add(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_route_wire w;

	if (route_parse("add", argc, argv, 0x1f, &w))
		return DPIP_EXIT_USAGE;
	if (!(w.match & INET_RT_HAS_DEV)) {
		cli_error("route add: a device is required (dev DEV)");
		return DPIP_EXIT_USAGE;
	}
	w.match = 0;
	return dpip_change(o, INET_OP_ROUTE_ADD, &w, sizeof(w));
}

static int rt_del(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_route_wire w;

	if (route_parse("del", argc, argv, (1u << KW_VIA) | (1u << KW_DEV) | (1u << KW_METRIC),
			&w))
		return DPIP_EXIT_USAGE;
	return dpip_change(o, INET_OP_ROUTE_DEL, &w, sizeof(w));
}

static void route_print_text(const struct inet_route_wire *r)
{
	char a[INET_ADDRSTRLEN], name[INET_IFNAME_LEN + 1];

	snprintf(name, sizeof(name), "%.*s", INET_IFNAME_LEN, r->ifname);
	if (r->plen == 0)
		printf("default");
	else
		printf("%s/%u", dpip_inet_ntoa(r->dst, a), r->plen);
	if (r->gw)
		printf(" via %s", dpip_inet_ntoa(r->gw, a));
	printf(" dev %s", name);
	if (r->flags & ROUTE_F_CONNECTED)
		printf(" proto kernel scope link");
	else if (r->flags & ROUTE_F_STATIC)
		printf(" proto static");
	if (r->src)
		printf(" src %s", dpip_inet_ntoa(r->src, a));
	if (r->mtu)
		printf(" mtu %u", r->mtu);
	if (r->metric)
		printf(" metric %u", r->metric);
	printf("\n");
}

static void route_print_json(struct cli_json *js, const struct inet_route_wire *r)
{
	char a[INET_ADDRSTRLEN], name[INET_IFNAME_LEN + 1];

	snprintf(name, sizeof(name), "%.*s", INET_IFNAME_LEN, r->ifname);
	cli_json_obj_open(js, NULL);
	if (r->plen == 0)
		cli_json_str(js, "dst", "default");
	else {
		char d[INET_ADDRSTRLEN + 4];

		snprintf(d, sizeof(d), "%s/%u", dpip_inet_ntoa(r->dst, a), r->plen);
		cli_json_str(js, "dst", d);
	}
	if (r->gw)
		cli_json_str(js, "gateway", dpip_inet_ntoa(r->gw, a));
	cli_json_str(js, "dev", name);
	cli_json_str(js, "protocol", (r->flags & ROUTE_F_CONNECTED) ? "kernel" :
		     (r->flags & ROUTE_F_STATIC) ? "static" : "boot");
	if (r->src)
		cli_json_str(js, "prefsrc", dpip_inet_ntoa(r->src, a));
	cli_json_u64(js, "mtu", r->mtu);
	cli_json_u64(js, "metric", r->metric);
	cli_json_obj_close(js);
}

static int rt_show(const struct dpip_opts *o, int argc, char **argv)
{
	const struct inet_route_wire *r;
	struct ctl_result res;
	struct cli_json js;
	uint32_t i, n;

	if (argc > 0) {
		cli_error("route show: unexpected '%s'", argv[0]);
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, INET_OP_ROUTE_LIST, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(*r) != 0) {
		ctl_result_free(&res);
		cli_error("malformed route list from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	r = res.data;
	n = res.len / sizeof(*r);
	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	for (i = 0; i < n; i++) {
		if (o->json)
			route_print_json(&js, &r[i]);
		else
			route_print_text(&r[i]);
	}
	if (o->json) {
		cli_json_arr_close(&js);
		cli_json_end(&js);
	}
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}

static void route_get_print(const struct dpip_opts *o, const struct inet_route_get_wire *g)
{
	char a[INET_ADDRSTRLEN], name[INET_IFNAME_LEN + 1];
	struct cli_json js;

	snprintf(name, sizeof(name), "%.*s", INET_IFNAME_LEN, g->ifname);
	if (!o->json) {
		printf("%s", dpip_inet_ntoa(g->dst, a));
		if (g->gw)
			printf(" via %s", dpip_inet_ntoa(g->gw, a));
		printf(" dev %s", name);
		if (g->src)
			printf(" src %s", dpip_inet_ntoa(g->src, a));
		printf(" mtu %u\n", g->mtu);
		return;
	}
	cli_json_init(&js, stdout);
	cli_json_arr_open(&js, NULL);
	cli_json_obj_open(&js, NULL);
	cli_json_str(&js, "dst", dpip_inet_ntoa(g->dst, a));
	if (g->gw)
		cli_json_str(&js, "gateway", dpip_inet_ntoa(g->gw, a));
	cli_json_str(&js, "dev", name);
	if (g->src)
		cli_json_str(&js, "prefsrc", dpip_inet_ntoa(g->src, a));
	cli_json_u64(&js, "mtu", g->mtu);
	cli_json_obj_close(&js);
	cli_json_arr_close(&js);
	cli_json_end(&js);
}

/* `route get [to] A.B.C.D`: the reply is the daemon's route_lookup(). */
static int rt_get(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_route_get_wire g;
	struct ctl_result res;
	int i = (argc > 0 && strcmp(argv[0], "to") == 0) ? 1 : 0;

	memset(&g, 0, sizeof(g));
	if (i + 1 != argc) {
		cli_error("route get: expected one destination A.B.C.D");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_inet_addr("destination", argv[i], &g.dst))
		return DPIP_EXIT_USAGE;
	if (dpip_call(o, INET_OP_ROUTE_GET, &g, sizeof(g), &res))
		return DPIP_EXIT_FAIL;
	if (res.len != sizeof(g)) {
		ctl_result_free(&res);
		cli_error("malformed route from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	route_get_print(o, res.data);
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}

/* `route flush [dev DEV]`: every route but the connected ones. */
static int rt_flush(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_ifname_wire req;

	memset(&req, 0, sizeof(req));
	if (argc != 0 && (argc != 2 || strcmp(argv[0], "dev") != 0)) {
		cli_error("route flush: expected [dev DEV]");
		return DPIP_EXIT_USAGE;
	}
	if (argc == 2 && dpip_inet_dev(argv[1], req.ifname))
		return DPIP_EXIT_USAGE;
	return dpip_change(o, INET_OP_ROUTE_FLUSH, &req, sizeof(req));
}

static const struct dpip_verb route_verbs[] = {
	{ "show", rt_show },
	{ "list", rt_show },
	{ "add", rt_add },
	{ "del", rt_del },
	{ "delete", rt_del },
	{ "get", rt_get },
	{ "flush", rt_flush },
};

const struct dpip_cmd dpip_cmd_route;

static int route_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_route, route_verbs, DPVS_ARRAY_SIZE(route_verbs), o,
			     argc, argv);
}

const struct dpip_cmd dpip_cmd_route = {
	.name = "route",
	.usage = "dpip [-j] route show\n"
		 "dpip route add PREFIX|default [via GW] dev DEV [src A] [mtu N] [metric N]\n"
		 "dpip route del PREFIX|default [via GW] [dev DEV] [metric N]\n"
		 "dpip [-j] route get [to] A.B.C.D\n"
		 "dpip route flush [dev DEV]\n",
	.run = route_run,
};
