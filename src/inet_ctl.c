/*
 * inet_ctl.c - control requests of addresses, routes, neighbours and the
 * L3 counters (opcodes and payloads in inet_wire.h).  Handlers run on the
 * master; every field is checked (NUL-terminated names, prefix lengths,
 * host bits, MACs) and a refusal carries a message for dpip.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_malloc.h>
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "icmp.h"
#include "inet_addr.h"
#include "inet_ctl.h"
#include "inet_wire.h"
#include "ipv4.h"
#include "ipv4_reasm.h"
#include "neigh.h"
#include "netif.h"
#include "route.h"

DPVS_LOG_REGISTER(inet_ctl);

static bool name_ok(const char *s)
{
	return memchr(s, '\0', INET_IFNAME_LEN) != NULL;
}

/* Port named by a wire ifname; "" gives NULL with *ok true when allowed. */
static int wire_port(const char *ifname, bool empty_ok, struct netif_port **out,
		     struct ctl_reply *rep)
{
	if (!name_ok(ifname)) {
		ctl_reply_errmsg(rep, "device name is not NUL-terminated");
		return EDPVS_INVAL;
	}
	if (ifname[0] == '\0') {
		*out = NULL;
		if (empty_ok)
			return 0;
		ctl_reply_errmsg(rep, "a device (dev NAME) is required");
		return EDPVS_INVAL;
	}
	*out = netif_port_get_by_name(ifname);
	if (*out == NULL) {
		ctl_reply_errmsg(rep, "Cannot find device \"%s\"", ifname);
		return EDPVS_NOTEXIST;
	}
	return 0;
}

static inline uint32_t plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : htonl(~0u << (32 - plen));
}

/* Prefix lengths: 0..32 for addresses and routes alike (as ip(8)). */
static int plen_check(uint8_t plen, struct ctl_reply *rep)
{
	if (plen <= 32)
		return 0;
	ctl_reply_errmsg(rep, "prefix length %u out of range 0..32", plen);
	return EDPVS_INVAL;
}

/* ---- addresses ---- */

static int addr_add(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct inet_addr_wire *w = req;
	struct netif_port *port;
	char a[INET_ADDRSTRLEN];
	int rc;

	(void)op;
	(void)len;
	inet_ntop(AF_INET, &w->addr, a, sizeof(a));
	ctl_reply_audit(rep, "%.*s %s/%u", INET_IFNAME_LEN, w->ifname, a, w->plen);
	rc = plen_check(w->plen, rep);
	if (rc == 0)
		rc = wire_port(w->ifname, false, &port, rep);
	if (rc != 0)
		return rc;
	rc = inet_addr_add(port, w->addr, w->plen, 0);
	if (rc == EDPVS_EXIST)
		ctl_reply_errmsg(rep, "address %s is already configured", a);
	else if (rc == EDPVS_INVAL)
		ctl_reply_errmsg(rep, "invalid address %s: not a unicast address", a);
	return rc;
}

static int addr_del(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct inet_addr_wire *w = req;
	struct netif_port *port;
	char a[INET_ADDRSTRLEN];
	int rc;

	(void)op;
	(void)len;
	inet_ntop(AF_INET, &w->addr, a, sizeof(a));
	ctl_reply_audit(rep, "%.*s %s/%u", INET_IFNAME_LEN, w->ifname, a, w->plen);
	rc = plen_check(w->plen, rep);
	if (rc == 0)
		rc = wire_port(w->ifname, true, &port, rep);
	if (rc != 0)
		return rc;
	rc = inet_addr_del(port, w->addr, w->plen);
	if (rc == EDPVS_NOTEXIST) {
		ctl_reply_errmsg(rep, "address %s is not configured%s%s", a,
				 port ? " on " : "", port ? port->name : "");
	}
	return rc;
}

static int addr_list(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct inet_ifaddr a[INET_ADDR_MAX];
	struct netif_port *port = NULL;
	unsigned int n, i;
	int rc;

	(void)op;
	if (len >= sizeof(struct inet_ifname_wire)) {
		rc = wire_port(((const struct inet_ifname_wire *)req)->ifname, true, &port, rep);
		if (rc != 0)
			return rc;
	}
	n = RTE_MIN(inet_addr_list(port, a, INET_ADDR_MAX), INET_ADDR_MAX);
	for (i = 0; i < n; i++) {
		struct inet_addr_wire w = { .addr = a[i].addr, .plen = a[i].plen,
					    .flags = a[i].flags };

		snprintf(w.ifname, sizeof(w.ifname), "%s", a[i].port->name);
		rc = ctl_reply_append(rep, &w, sizeof(w));
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int addr_flush(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct netif_port *port;
	int rc;

	(void)op;
	(void)len;
	rc = wire_port(((const struct inet_ifname_wire *)req)->ifname, false, &port, rep);
	if (rc == 0)
		rc = inet_addr_flush(port);
	return rc;
}

/* ---- routes ---- */

static int route_wire_check(const struct inet_route_wire *w, struct ctl_reply *rep)
{
	char a[INET_ADDRSTRLEN];

	if (plen_check(w->plen, rep) != 0)
		return EDPVS_INVAL;
	if (w->dst & ~plen_mask(w->plen)) {
		inet_ntop(AF_INET, &w->dst, a, sizeof(a));
		ctl_reply_errmsg(rep, "invalid prefix %s/%u: host bits set", a, w->plen);
		return EDPVS_INVAL;
	}
	return 0;
}

static int rt_add(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct inet_route_wire *w = req;
	struct route_entry e;
	struct netif_port *port;
	int rc;

	(void)op;
	(void)len;
	rc = route_wire_check(w, rep);
	if (rc == 0)
		rc = wire_port(w->ifname, false, &port, rep);
	if (rc != 0)
		return rc;
	if (w->src != 0 && !inet_addr_is_local(w->src)) {
		ctl_reply_errmsg(rep, "src is not one of dpvsd's addresses");
		return EDPVS_INVAL;
	}
	if (route_gw_check(port, w->gw) != 0) {
		char gw[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &w->gw, gw, sizeof(gw));
		ctl_reply_errmsg(rep, ROUTE_ERR_BAD_GW ": %s is on no network connected to %s", gw,
				 port->name);
		return EDPVS_INVAL;
	}
	e = (struct route_entry){ .dst = w->dst, .plen = w->plen, .gw = w->gw, .src = w->src,
				  .port = port, .mtu = w->mtu, .metric = w->metric };
	rc = route_add(&e);
	if (rc == EDPVS_EXIST)
		ctl_reply_errmsg(rep, "a route to this prefix with metric %u exists", w->metric);
	else if (rc == EDPVS_NOROOM)
		ctl_reply_errmsg(rep, "route table full (inet.max_routes)");
	return rc;
}

static int rt_del(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct inet_route_wire *w = req;
	struct route_match m = { .dst = w->dst, .plen = w->plen };
	struct netif_port *port = NULL;
	int rc;

	(void)op;
	(void)len;
	rc = route_wire_check(w, rep);
	if (rc == 0 && (w->match & INET_RT_HAS_DEV))
		rc = wire_port(w->ifname, false, &port, rep);
	if (rc != 0)
		return rc;
	m.has_gw = w->match & INET_RT_HAS_GW;
	m.gw = w->gw;
	m.has_metric = w->match & INET_RT_HAS_METRIC;
	m.metric = w->metric;
	m.has_port = port != NULL;
	m.port = port;
	rc = route_del(&m);
	if (rc == EDPVS_NOTEXIST)
		ctl_reply_errmsg(rep, "no such route");
	return rc;
}

static int rt_list(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	unsigned int max = ROUTE_MAX_DEFAULT * 16, n, i;
	struct route_entry *r = malloc(sizeof(*r) * max);
	int rc = 0;

	(void)op;
	(void)req;
	(void)len;
	if (r == NULL)
		return EDPVS_NOMEM;
	n = RTE_MIN(route_list(r, max), max);
	for (i = 0; i < n && rc == 0; i++) {
		struct inet_route_wire w = {
			.dst = r[i].dst, .gw = r[i].gw, .src = r[i].src, .metric = r[i].metric,
			.flags = r[i].flags, .mtu = r[i].mtu, .plen = r[i].plen,
		};

		snprintf(w.ifname, sizeof(w.ifname), "%s", r[i].port->name);
		rc = ctl_reply_append(rep, &w, sizeof(w));
	}
	free(r);
	return rc;
}

/* The route and source the datapath would use for dst: route_lookup()
 * and the same source/MTU rules as ipv4.c's output. */
static int rt_get(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct inet_route_get_wire g = { .dst = ((const struct inet_route_get_wire *)req)->dst };
	const struct route_entry *r;
	char a[INET_ADDRSTRLEN];

	(void)op;
	(void)len;
	r = route_lookup(g.dst);
	if (r == NULL) {
		inet_ntop(AF_INET, &g.dst, a, sizeof(a));
		ctl_reply_errmsg(rep, "Network is unreachable (no route to %s)", a);
		return EDPVS_NOTEXIST;
	}
	g.gw = r->gw;
	g.src = r->src ? r->src : inet_addr_select_src(r->port, g.dst);
	g.mtu = route_path_mtu(r);
	snprintf(g.ifname, sizeof(g.ifname), "%s", r->port->name);
	return ctl_reply_append(rep, &g, sizeof(g));
}

static int rt_flush(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct netif_port *port;
	int rc;

	(void)op;
	(void)len;
	rc = wire_port(((const struct inet_ifname_wire *)req)->ifname, true, &port, rep);
	if (rc != 0)
		return rc;
	route_flush(port, ROUTE_F_CONNECTED);
	return 0;
}

/* ---- neighbours ---- */

static int nb_add(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct inet_neigh_wire *w = req;
	struct rte_ether_addr mac;
	struct netif_port *port;
	int rc;

	(void)op;
	(void)len;
	rc = wire_port(w->ifname, false, &port, rep);
	if (rc != 0)
		return rc;
	memcpy(mac.addr_bytes, w->lladdr, sizeof(mac.addr_bytes));
	rc = neigh_add_static(port, w->addr, &mac);
	if (rc == EDPVS_INVAL)
		ctl_reply_errmsg(rep, "invalid neighbour (address 0 or lladdr not unicast)");
	return rc;
}

static int nb_del(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct inet_neigh_wire *w = req;
	struct netif_port *port;
	int rc;

	(void)op;
	(void)len;
	rc = wire_port(w->ifname, false, &port, rep);
	if (rc != 0)
		return rc;
	rc = neigh_del(port, w->addr);
	if (rc == EDPVS_NOTEXIST)
		ctl_reply_errmsg(rep, "no such neighbour on %s", port->name);
	return rc;
}

static int nb_port(const void *req, uint32_t len, struct netif_port **port,
		   struct ctl_reply *rep)
{
	*port = NULL;
	if (len < sizeof(struct inet_ifname_wire))
		return 0;
	return wire_port(((const struct inet_ifname_wire *)req)->ifname, true, port, rep);
}

static int nb_flush(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct netif_port *port;
	int rc = nb_port(req, len, &port, rep);

	(void)op;
	return rc ? rc : neigh_flush(port, false);
}

static int nb_list(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	unsigned int max = NEIGH_TABLE_SIZE * 2, n, i;
	struct neigh_info *ni;
	struct netif_port *port;
	int rc = nb_port(req, len, &port, rep);

	(void)op;
	if (rc != 0)
		return rc;
	ni = malloc(sizeof(*ni) * max);
	if (ni == NULL)
		return EDPVS_NOMEM;
	n = RTE_MIN(neigh_dump(port, ni, max), max);
	for (i = 0; i < n && rc == 0; i++) {
		struct netif_port *p = netif_port_get(ni[i].port_id);
		struct inet_neigh_wire w = { .addr = ni[i].addr, .state = ni[i].state,
					     .is_static = ni[i].static_, .lcores = ni[i].lcores,
					     .qlen = ni[i].qlen };

		memcpy(w.lladdr, ni[i].mac.addr_bytes, sizeof(w.lladdr));
		snprintf(w.ifname, sizeof(w.ifname), "%s", p ? p->name : "?");
		rc = ctl_reply_append(rep, &w, sizeof(w));
	}
	free(ni);
	return rc;
}

/* ---- counters ---- */

static int stat_put(struct ctl_reply *rep, const char *group, const char *name, uint64_t v)
{
	struct inet_stat_wire w = { .value = v };

	snprintf(w.group, sizeof(w.group), "%s", group);
	snprintf(w.name, sizeof(w.name), "%s", name);
	return ctl_reply_append(rep, &w, sizeof(w));
}

static int stats_get(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	unsigned int i;
	int rc = 0;

	(void)op;
	(void)req;
	(void)len;
	for (i = 0; i < IPV4_C_MAX && rc == 0; i++)
		rc = stat_put(rep, "ipv4", ipv4_counter_names[i], ipv4_counter_sum(i));
	for (i = 1; i < IPV4_DROP_MAX && rc == 0; i++) {
		char name[INET_STAT_NAME_LEN];

		snprintf(name, sizeof(name), "drop_%s", ipv4_drop_names[i]);
		rc = stat_put(rep, "ipv4", name, ipv4_drop_sum(i));
	}
	for (i = 0; i < IPV4_REASM_C_MAX && rc == 0; i++)
		rc = stat_put(rep, "ipv4", ipv4_reasm_counter_names[i], ipv4_reasm_counter_sum(i));
	if (rc == 0)
		rc = stat_put(rep, "ipv4", "reasm_mbufs_held", ipv4_reasm_mbufs_sum());
	for (i = 0; i < ICMP_C_MAX && rc == 0; i++)
		rc = stat_put(rep, "icmp", icmp_counter_names[i], icmp_counter_sum(i));
	for (i = 0; i < NEIGH_C_MAX && rc == 0; i++)
		rc = stat_put(rep, "arp", neigh_counter_names[i], neigh_counter_sum(i));
	return rc;
}

#define W(s) ((uint32_t)sizeof(struct s))
static const struct ctl_op inet_ctl_ops[] = {
	{ INET_OP_ADDR_ADD, "addr_add", W(inet_addr_wire), W(inet_addr_wire), addr_add, 0 },
	{ INET_OP_ADDR_DEL, "addr_del", W(inet_addr_wire), W(inet_addr_wire), addr_del, 0 },
	{ INET_OP_ADDR_LIST, "addr_list", 0, W(inet_ifname_wire), addr_list, CTL_OP_F_GET },
	{ INET_OP_ADDR_FLUSH, "addr_flush", W(inet_ifname_wire), W(inet_ifname_wire), addr_flush,
	  0 },
	{ INET_OP_ROUTE_ADD, "route_add", W(inet_route_wire), W(inet_route_wire), rt_add, 0 },
	{ INET_OP_ROUTE_DEL, "route_del", W(inet_route_wire), W(inet_route_wire), rt_del, 0 },
	{ INET_OP_ROUTE_LIST, "route_list", 0, 0, rt_list, CTL_OP_F_GET },
	{ INET_OP_ROUTE_GET, "route_get", W(inet_route_get_wire), W(inet_route_get_wire), rt_get,
	  CTL_OP_F_GET },
	{ INET_OP_ROUTE_FLUSH, "route_flush", W(inet_ifname_wire), W(inet_ifname_wire), rt_flush,
	  0 },
	{ INET_OP_NEIGH_ADD, "neigh_add", W(inet_neigh_wire), W(inet_neigh_wire), nb_add, 0 },
	{ INET_OP_NEIGH_DEL, "neigh_del", W(inet_neigh_wire), W(inet_neigh_wire), nb_del, 0 },
	{ INET_OP_NEIGH_LIST, "neigh_list", 0, W(inet_ifname_wire), nb_list, CTL_OP_F_GET },
	{ INET_OP_NEIGH_FLUSH, "neigh_flush", 0, W(inet_ifname_wire), nb_flush, 0 },
	{ INET_OP_STATS_GET, "inet_stats", 0, 0, stats_get, CTL_OP_F_GET },
};
#undef W

int inet_ctl_init(void)
{
	return ctl_register(inet_ctl_ops, DPVS_ARRAY_SIZE(inet_ctl_ops));
}

void inet_ctl_term(void)
{
	ctl_unregister(inet_ctl_ops, DPVS_ARRAY_SIZE(inet_ctl_ops));
}
