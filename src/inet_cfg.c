/*
 * inet_cfg.c - the "inet" config section (order 200, after netif):
 * forwarding switch, route table size, ICMP error rate limit, neighbour
 * timers, the bounds of IPv4 reassembly, and the addresses, routes and static neighbours to install.
 * Parsed and validated before anything is applied; applied at start-up;
 * on reload the difference (removed items first, then new ones) is
 * applied, and a changed max_routes or ipv4_reasm_max is refused (needs a
 * restart).
 * The documentation of every key is in conf/dpvsd.conf.sample.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_common.h>
#include <rte_ether.h>
#include "cfg.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "icmp.h"
#include "inet_addr.h"
#include "ipv4.h"
#include "ipv4_reasm.h"
#include "neigh.h"
#include "netif.h"
#include "route.h"

DPVS_LOG_REGISTER(inet_cfg);

#define INET_CFG_MAX_ITEMS 256u
#define INET_LPM_MEM_MB    80u	/* rte_lpm tbl24 (64 MiB), rules, tbl8s */

struct inet_cfg_addr {
	char dev[NETIF_NAME_LEN];
	uint16_t idx;		/* index in its list of the file, for errors */
	uint32_t addr;
	uint8_t plen;
};

struct inet_cfg_route {
	char dev[NETIF_NAME_LEN];
	uint16_t idx;		/* index in its list of the file, for errors */
	uint32_t dst, gw, src, metric;
	uint16_t mtu;
	uint8_t plen;
};

struct inet_cfg_neigh {
	char dev[NETIF_NAME_LEN];
	uint16_t idx;		/* index in its list of the file, for errors */
	uint32_t addr;
	struct rte_ether_addr mac;
};

struct inet_conf {
	bool forward;
	uint32_t max_routes;
	uint32_t icmp_rate, icmp_burst;
	uint32_t reasm_max, reasm_mbufs, reasm_timeout_ms;
	struct neigh_params neigh;
	unsigned int n_addr, n_route, n_neigh;
	struct inet_cfg_addr addr[INET_CFG_MAX_ITEMS];
	struct inet_cfg_route route[INET_CFG_MAX_ITEMS];
	struct inet_cfg_neigh neigh_static[INET_CFG_MAX_ITEMS];
};

static struct inet_conf *inet_running;	/* master only */

/* ---- small bounded parsers ---- */

static int parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return EDPVS_INVAL;
	*out = a.s_addr;
	return 0;
}

static int parse_prefix(const char *s, uint32_t *addr, uint8_t *plen)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long v;

	if (slash == NULL) {
		*plen = 32;
		return parse_ipv4(s, addr);
	}
	if ((size_t)(slash - s) >= sizeof(buf) || slash[1] < '0' || slash[1] > '9')
		return EDPVS_INVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	v = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || v > 32)
		return EDPVS_INVAL;
	*plen = (uint8_t)v;
	return parse_ipv4(buf, addr);
}

static inline uint32_t plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : htonl(~0u << (32 - plen));
}

/* ---- parse ---- */

static const char *const inet_keys[] = {
	"ipv4_forward", "max_routes", "icmp_ratelimit", "icmp_burst", "neigh", "addresses",
	"routes", "neighbours", "ipv4_reasm_max", "ipv4_reasm_mbufs", "ipv4_reasm_timeout_ms",
	NULL,
};
static const char *const neigh_keys[] = {
	"reachable_ms", "retrans_ms", "probes", "gc_stale_ms", "failed_hold_ms", "queue_len", NULL,
};

static void parse_scalars(const config_setting_t *s, struct inet_conf *c, struct cfg_errors *e)
{
	const config_setting_t *n = s ? config_setting_get_member(s, "neigh") : NULL;
	long long v;
	bool b;

	if (cfg_get_bool(s, "ipv4_forward", false, &b, e) == 0)
		c->forward = b;
	if (cfg_get_int(s, "max_routes", 16, 65536, ROUTE_MAX_DEFAULT, &v, e) == 0)
		c->max_routes = (uint32_t)v;
	if (cfg_get_int(s, "icmp_ratelimit", 0, 1000000, 100, &v, e) == 0)
		c->icmp_rate = (uint32_t)v;
	if (cfg_get_int(s, "icmp_burst", 1, 1000000, 50, &v, e) == 0)
		c->icmp_burst = (uint32_t)v;
	if (cfg_get_int(s, "ipv4_reasm_max", 0, 16384, 512, &v, e) == 0)
		c->reasm_max = (uint32_t)v;
	if (cfg_get_int(s, "ipv4_reasm_mbufs", 16, 1 << 20, 2048, &v, e) == 0)
		c->reasm_mbufs = (uint32_t)v;
	if (cfg_get_int(s, "ipv4_reasm_timeout_ms", 100, 60000, 2000, &v, e) == 0)
		c->reasm_timeout_ms = (uint32_t)v;
	if (n != NULL)
		cfg_check_keys(n, neigh_keys, e);
	if (cfg_get_int(n, "reachable_ms", 1000, 3600000, 30000, &v, e) == 0)
		c->neigh.reachable_ms = (uint32_t)v;
	if (cfg_get_int(n, "retrans_ms", 100, 60000, 1000, &v, e) == 0)
		c->neigh.retrans_ms = (uint32_t)v;
	if (cfg_get_int(n, "probes", 1, 10, 3, &v, e) == 0)
		c->neigh.probes = (uint32_t)v;
	if (cfg_get_int(n, "gc_stale_ms", 1000, 86400000, 60000, &v, e) == 0)
		c->neigh.gc_stale_ms = (uint32_t)v;
	if (cfg_get_int(n, "failed_hold_ms", 100, 600000, 3000, &v, e) == 0)
		c->neigh.failed_hold_ms = (uint32_t)v;
	if (cfg_get_int(n, "queue_len", 1, NEIGH_QUEUE_MAX, 8, &v, e) == 0)
		c->neigh.queue_len = (uint32_t)v;
}

static const config_setting_t *item_list(const config_setting_t *s, const char *key,
					 struct cfg_errors *e)
{
	const config_setting_t *l = s ? config_setting_get_member(s, key) : NULL;

	if (l == NULL)
		return NULL;
	if (!config_setting_is_list(l) && !config_setting_is_array(l)) {
		cfg_error_add(e, l, NULL, "expected a list ( {...}, ... )");
		return NULL;
	}
	if (config_setting_length(l) > (int)INET_CFG_MAX_ITEMS) {
		cfg_error_add(e, l, NULL, "at most %u items", INET_CFG_MAX_ITEMS);
		return NULL;
	}
	return l;
}

static void parse_addr(const config_setting_t *it, struct inet_conf *c, struct cfg_errors *e)
{
	static const char *const keys[] = { "dev", "addr", NULL };
	struct inet_cfg_addr *a = &c->addr[c->n_addr];
	char buf[32];

	a->idx = (uint16_t)config_setting_index(it);
	cfg_check_keys(it, keys, e);
	if (cfg_get_string(it, "dev", "", a->dev, sizeof(a->dev), e) != 0 ||
	    cfg_get_string(it, "addr", "", buf, sizeof(buf), e) != 0)
		return;
	if (a->dev[0] == '\0')
		cfg_error_add(e, it, "dev", "required (a port name such as dpdk0)");
	else if (parse_prefix(buf, &a->addr, &a->plen) != 0)
		cfg_error_add(e, it, "addr", "expected A.B.C.D/LEN with LEN 0..32 (as dpip and "
			      "ip(8) take), got '%s'", buf);
	else
		c->n_addr++;
}

static void parse_route(const config_setting_t *it, struct inet_conf *c, struct cfg_errors *e)
{
	static const char *const keys[] = { "dst", "via", "dev", "src", "mtu", "metric", NULL };
	struct inet_cfg_route *r = &c->route[c->n_route];
	char dst[32], via[32], src[32];
	long long mtu, metric;

	r->idx = (uint16_t)config_setting_index(it);
	cfg_check_keys(it, keys, e);
	if (cfg_get_string(it, "dst", "", dst, sizeof(dst), e) ||
	    cfg_get_string(it, "via", "", via, sizeof(via), e) ||
	    cfg_get_string(it, "src", "", src, sizeof(src), e) ||
	    cfg_get_string(it, "dev", "", r->dev, sizeof(r->dev), e) ||
	    cfg_get_int(it, "mtu", 0, 65535, 0, &mtu, e) ||
	    cfg_get_int(it, "metric", 0, UINT32_MAX, 0, &metric, e))
		return;
	if (parse_prefix(dst, &r->dst, &r->plen) != 0 || (r->dst & ~plen_mask(r->plen))) {
		cfg_error_add(e, it, "dst",
			      "expected a prefix A.B.C.D/LEN without host bits, got '%s'", dst);
		return;
	}
	if (via[0] && parse_ipv4(via, &r->gw) != 0) {
		cfg_error_add(e, it, "via", "expected an IPv4 address, got '%s'", via);
		return;
	}
	if (src[0] && parse_ipv4(src, &r->src) != 0) {
		cfg_error_add(e, it, "src", "expected an IPv4 address, got '%s'", src);
		return;
	}
	if (r->dev[0] == '\0') {
		cfg_error_add(e, it, "dev", "required (a port name such as dpdk0)");
		return;
	}
	r->mtu = (uint16_t)mtu;
	r->metric = (uint32_t)metric;
	c->n_route++;
}

static void parse_neigh(const config_setting_t *it, struct inet_conf *c, struct cfg_errors *e)
{
	static const char *const keys[] = { "dev", "addr", "lladdr", NULL };
	struct inet_cfg_neigh *n = &c->neigh_static[c->n_neigh];
	char addr[32], ll[32];

	n->idx = (uint16_t)config_setting_index(it);
	cfg_check_keys(it, keys, e);
	if (cfg_get_string(it, "dev", "", n->dev, sizeof(n->dev), e) ||
	    cfg_get_string(it, "addr", "", addr, sizeof(addr), e) ||
	    cfg_get_string(it, "lladdr", "", ll, sizeof(ll), e))
		return;
	if (n->dev[0] == '\0') {
		cfg_error_add(e, it, "dev", "required (a port name such as dpdk0)");
		return;
	}
	if (parse_ipv4(addr, &n->addr) != 0 || n->addr == 0) {
		cfg_error_add(e, it, "addr", "expected an IPv4 address, got '%s'", addr);
		return;
	}
	if (rte_ether_unformat_addr(ll, &n->mac) != 0 || !rte_is_unicast_ether_addr(&n->mac) ||
	    rte_is_zero_ether_addr(&n->mac)) {
		cfg_error_add(e, it, "lladdr",
			      "expected a unicast MAC xx:xx:xx:xx:xx:xx, got '%s'", ll);
		return;
	}
	c->n_neigh++;
}

static void parse_items(const config_setting_t *s, struct inet_conf *c, struct cfg_errors *e)
{
	const config_setting_t *l;
	int i;

	if ((l = item_list(s, "addresses", e)) != NULL)
		for (i = 0; i < config_setting_length(l); i++)
			parse_addr(config_setting_get_elem(l, (unsigned)i), c, e);
	if ((l = item_list(s, "routes", e)) != NULL)
		for (i = 0; i < config_setting_length(l); i++)
			parse_route(config_setting_get_elem(l, (unsigned)i), c, e);
	if ((l = item_list(s, "neighbours", e)) != NULL)
		for (i = 0; i < config_setting_length(l); i++)
			parse_neigh(config_setting_get_elem(l, (unsigned)i), c, e);
}

static void *inet_cfg_parse(const config_setting_t *s, struct cfg_errors *errs)
{
	struct inet_conf *c = calloc(1, sizeof(*c));
	unsigned int before = errs->count;

	if (c == NULL)
		return NULL;
	if (s != NULL)
		cfg_check_keys(s, inet_keys, errs);
	parse_scalars(s, c, errs);
	parse_items(s, c, errs);
	if (errs->count != before) {
		free(c);
		return NULL;
	}
	return c;
}

static void inet_cfg_free(void *staged)
{
	free(staged);
}

static int inet_cfg_eal_args(const void *staged, struct cfg_eal_args *a)
{
	(void)staged;
	a->mem_mb += INET_LPM_MEM_MB + (RTE_MAX_LCORE / 16);
	return 0;
}

/* ---- checks: cross-references, and what start/reload would refuse ---- */

/* Element idx of list key in section s (for file:line), or s itself. */
static const config_setting_t *item_setting(const config_setting_t *s, const char *key,
					    unsigned int idx)
{
	const config_setting_t *l = s ? config_setting_get_member(s, key) : NULL;
	const config_setting_t *it = l ? config_setting_get_elem(l, idx) : NULL;

	return it ? it : s;
}

static void check_dev(const config_setting_t *s, const char *list, unsigned int idx,
		      const char *dev, const struct netif_conf *ports, struct cfg_errors *e)
{
	if (!netif_conf_has_port(ports, dev))
		cfg_error_add(e, item_setting(s, list, idx), "dev",
			      "no port named '%s' in netif.ports", dev);
}

/* Routes the file needs: its own plus a connected one per distinct
 * prefix of its addresses shorter than /32 (inet_addr.c adds those). */
static unsigned int routes_needed(const struct inet_conf *c)
{
	unsigned int i, j, n = c->n_route;

	for (i = 0; i < c->n_addr; i++) {
		const struct inet_cfg_addr *a = &c->addr[i];

		if (a->plen == 32 || a->plen == 0)	/* no connected route, as Linux */
			continue;
		for (j = 0; j < i; j++)
			if (c->addr[j].plen == a->plen &&
			    ((c->addr[j].addr ^ a->addr) & plen_mask(a->plen)) == 0)
				break;
		n += j == i;
	}
	return n;
}

static void check_addrs(const config_setting_t *s, const struct inet_conf *c,
			const struct netif_conf *ports, struct cfg_errors *e)
{
	unsigned int i, j;

	for (i = 0; i < c->n_addr; i++) {
		const struct inet_cfg_addr *a = &c->addr[i];

		check_dev(s, "addresses", a->idx, a->dev, ports, e);
		if (!inet_addr_valid(a->addr, a->plen))
			cfg_error_add(e, item_setting(s, "addresses", a->idx), "addr",
				      "not usable as a local address (0, broadcast, loopback, "
				      "multicast or class E)");
		for (j = 0; j < i && c->addr[j].addr != a->addr; j++)
			;
		if (j < i)
			cfg_error_add(e, item_setting(s, "addresses", a->idx), "addr",
				      "address listed twice (an address is on one port only)");
	}
}

/* ip(8)'s gateway rule on the file alone (ports do not exist yet when
 * `dpvsd -t` runs): the gateway of a route must be on a network the file
 * connects to the route's port, by an address of that port (plen > 0) or a
 * route of that port without a gateway.  route_gw_check() applies the same
 * rule to the live table for dpip. */
static bool gw_connected(const struct inet_conf *c, const struct inet_cfg_route *r)
{
	unsigned int i;

	for (i = 0; i < c->n_addr; i++)
		if (c->addr[i].plen > 0 && strcmp(c->addr[i].dev, r->dev) == 0 &&
		    ((c->addr[i].addr ^ r->gw) & plen_mask(c->addr[i].plen)) == 0)
			return true;
	for (i = 0; i < c->n_route; i++)
		if (c->route[i].gw == 0 && strcmp(c->route[i].dev, r->dev) == 0 &&
		    ((c->route[i].dst ^ r->gw) & plen_mask(c->route[i].plen)) == 0)
			return true;
	return false;
}

static void check_routes(const config_setting_t *s, const struct inet_conf *c,
			 const struct netif_conf *ports, struct cfg_errors *e)
{
	unsigned int i;
	char gw[INET_ADDRSTRLEN];

	for (i = 0; i < c->n_route; i++) {
		const struct inet_cfg_route *r = &c->route[i];

		check_dev(s, "routes", r->idx, r->dev, ports, e);
		if (r->gw == 0 || gw_connected(c, r))
			continue;
		inet_ntop(AF_INET, &r->gw, gw, sizeof(gw));
		cfg_error_add(e, item_setting(s, "routes", r->idx), "via",
			      ROUTE_ERR_BAD_GW ": %s is on no network this file connects to %s "
			      "(an address or a route without via on that port)", gw, r->dev);
	}
}

static void inet_cfg_check(const config_setting_t *s, const void *staged,
			   const struct cfg_tree *t, struct cfg_errors *e)
{
	const struct netif_conf *ports = cfg_tree_section(t, "netif");
	const struct inet_conf *c = staged;
	unsigned int i;

	check_addrs(s, c, ports, e);
	check_routes(s, c, ports, e);
	for (i = 0; i < c->n_neigh; i++)
		check_dev(s, "neighbours", c->neigh_static[i].idx, c->neigh_static[i].dev, ports,
			  e);
	if (routes_needed(c) > c->max_routes)
		cfg_error_add(e, s, "max_routes", "%u routes (with the connected ones of the "
			      "addresses) do not fit in max_routes = %u", routes_needed(c),
			      c->max_routes);
}

static int inet_cfg_reload_check(const void *staged, struct cfg_errors *errs)
{
	const struct inet_conf *c = staged;

	if (inet_running && inet_running->max_routes != c->max_routes) {
		cfg_error_add(errs, NULL, "inet.max_routes", "changed: needs a restart of dpvsd");
		return EDPVS_CONFIG;
	}
	if (inet_running && inet_running->reasm_max != c->reasm_max) {
		cfg_error_add(errs, NULL, "inet.ipv4_reasm_max", "changed: needs a restart of dpvsd");
		return EDPVS_CONFIG;
	}
	return 0;
}

static void *inet_cfg_snapshot(void)
{
	struct inet_conf *c = inet_running ? malloc(sizeof(*c)) : NULL;

	if (c)
		memcpy(c, inet_running, sizeof(*c));
	return c;
}

/* ---- apply ---- */

static bool has_addr(const struct inet_conf *c, const struct inet_cfg_addr *x)
{
	unsigned int i;

	for (i = 0; c && i < c->n_addr; i++)
		if (strcmp(c->addr[i].dev, x->dev) == 0 && c->addr[i].addr == x->addr &&
		    c->addr[i].plen == x->plen)
			return true;
	return false;
}

static bool route_same(const struct inet_cfg_route *a, const struct inet_cfg_route *b)
{
	return strcmp(a->dev, b->dev) == 0 && a->dst == b->dst && a->plen == b->plen &&
	       a->gw == b->gw && a->src == b->src && a->metric == b->metric && a->mtu == b->mtu;
}

static bool has_route(const struct inet_conf *c, const struct inet_cfg_route *x)
{
	unsigned int i;

	for (i = 0; c && i < c->n_route; i++)
		if (route_same(&c->route[i], x))
			return true;
	return false;
}

static bool has_neigh(const struct inet_conf *c, const struct inet_cfg_neigh *x)
{
	unsigned int i;

	for (i = 0; c && i < c->n_neigh; i++)
		if (strcmp(c->neigh_static[i].dev, x->dev) == 0 &&
		    c->neigh_static[i].addr == x->addr &&
		    rte_is_same_ether_addr(&c->neigh_static[i].mac, &x->mac))
			return true;
	return false;
}

static struct route_entry route_of(const struct inet_cfg_route *r)
{
	return (struct route_entry){ .dst = r->dst, .plen = r->plen, .gw = r->gw, .src = r->src,
				     .port = netif_port_get_by_name(r->dev), .mtu = r->mtu,
				     .metric = r->metric, .flags = ROUTE_F_STATIC };
}

/* Which items of a conf an apply installed itself (to undo exactly those). */
struct inet_added {
	bool addr[INET_CFG_MAX_ITEMS], route[INET_CFG_MAX_ITEMS], neigh[INET_CFG_MAX_ITEMS];
};

static void route_remove(const struct inet_cfg_route *r)
{
	struct route_match m = { .dst = r->dst, .plen = r->plen, .has_gw = true, .gw = r->gw,
				 .has_metric = true, .metric = r->metric };

	route_del(&m);
}

/* Remove the items of from that keep has not (and, with only, that this
 * apply installed).  Neighbours first, addresses last. */
static void remove_items(const struct inet_conf *from, const struct inet_conf *keep,
			 const struct inet_added *only)
{
	unsigned int i;

	for (i = 0; from && i < from->n_neigh; i++)
		if (!has_neigh(keep, &from->neigh_static[i]) && (!only || only->neigh[i]))
			neigh_del(netif_port_get_by_name(from->neigh_static[i].dev),
				  from->neigh_static[i].addr);
	for (i = 0; from && i < from->n_route; i++)
		if (!has_route(keep, &from->route[i]) && (!only || only->route[i]))
			route_remove(&from->route[i]);
	for (i = 0; from && i < from->n_addr; i++)
		if (!has_addr(keep, &from->addr[i]) && (!only || only->addr[i]))
			inet_addr_del(netif_port_get_by_name(from->addr[i].dev), from->addr[i].addr,
				      from->addr[i].plen);
}

static int add_addrs(const struct inet_conf *old, const struct inet_conf *c,
		     struct inet_added *done, unsigned int *bad)
{
	unsigned int i;
	int rc;

	for (i = 0; i < c->n_addr; i++) {
		const struct inet_cfg_addr *a = &c->addr[i];

		if (has_addr(old, a))
			continue;
		rc = inet_addr_add(netif_port_get_by_name(a->dev), a->addr, a->plen,
				   INET_ADDR_F_STATIC);
		done->addr[i] = rc == 0;
		if (rc != 0 && rc != EDPVS_EXIST) {
			*bad = a->idx;
			return rc;
		}
	}
	return 0;
}

static int add_routes(const struct inet_conf *old, const struct inet_conf *c,
		      struct inet_added *done, unsigned int *bad)
{
	unsigned int i;
	int rc;

	for (i = 0; i < c->n_route; i++) {
		struct route_entry r = route_of(&c->route[i]);

		if (has_route(old, &c->route[i]))
			continue;
		rc = route_add(&r);
		done->route[i] = rc == 0;
		if (rc != 0 && rc != EDPVS_EXIST) {
			*bad = c->route[i].idx;
			return rc;
		}
	}
	return 0;
}

static int add_neighs(const struct inet_conf *old, const struct inet_conf *c,
		      struct inet_added *done, unsigned int *bad)
{
	unsigned int i;
	int rc;

	for (i = 0; i < c->n_neigh; i++) {
		const struct inet_cfg_neigh *n = &c->neigh_static[i];

		if (has_neigh(old, n))
			continue;
		rc = neigh_add_static(netif_port_get_by_name(n->dev), n->addr, &n->mac);
		done->neigh[i] = rc == 0;
		if (rc != 0) {
			*bad = n->idx;
			return rc;
		}
	}
	return 0;
}

/* Install the items of c that old has not; done says which this call
 * installed.  On failure *what (the list) and *bad (the index in the
 * file's list) name the item. */
static int add_new(const struct inet_conf *old, const struct inet_conf *c,
		   struct inet_added *done, const char **what, unsigned int *bad)
{
	int rc;

	memset(done, 0, sizeof(*done));
	*what = "addresses";
	rc = add_addrs(old, c, done, bad);
	if (rc == 0) {
		*what = "routes";
		rc = add_routes(old, c, done, bad);
	}
	if (rc == 0) {
		*what = "neighbours";
		rc = add_neighs(old, c, done, bad);
	}
	return rc;
}

static void set_scalars(const struct inet_conf *c)
{
	ipv4_set_forward(c->forward);
	icmp_set_ratelimit(c->icmp_rate, c->icmp_burst);
	neigh_set_params(&c->neigh);
	/* The same table size: only the mbuf bound and the timeout change. */
	ipv4_reasm_setup(c->reasm_max, c->reasm_mbufs, c->reasm_timeout_ms);
}

/* c failed half way: take out what it installed, put back what it
 * removed of the running config, so that nothing of c stays. */
static void inet_cfg_undo(const struct inet_conf *c, const struct inet_added *done)
{
	struct inet_added *back = malloc(sizeof(*back));
	const char *what;
	unsigned int bad;
	int rc;

	remove_items(c, NULL, done);
	if (!inet_running)
		goto out;
	set_scalars(inet_running);
	rc = back ? add_new(c, inet_running, back, &what, &bad) : EDPVS_NOMEM;
	if (rc != 0)
		DPVS_LOG(inet_cfg, CRIT, "cannot restore the running inet config: %s",
			 dpvs_strerror(rc));
out:
	free(back);
}

static int inet_cfg_apply(void *staged, bool reload, struct cfg_errors *errs)
{
	struct inet_conf *c = staged;
	struct inet_added *done;
	const char *what;
	unsigned int bad;
	int rc;

	if (reload && inet_cfg_reload_check(c, errs) != 0)
		return EDPVS_CONFIG;
	if (!reload || inet_running == NULL) {
		rc = route_set_max(c->max_routes);
		if (rc != 0) {
			cfg_error_add(errs, NULL, "inet.max_routes", "%s", dpvs_strerror(rc));
			return rc;
		}
		rc = ipv4_reasm_setup(c->reasm_max, c->reasm_mbufs, c->reasm_timeout_ms);
		if (rc != 0) {
			cfg_error_add(errs, NULL, "inet.ipv4_reasm_max", "%s", dpvs_strerror(rc));
			return rc;
		}
	}
	done = malloc(sizeof(*done));
	if (!done)
		return EDPVS_NOMEM;
	set_scalars(c);
	remove_items(inet_running, c, NULL);
	rc = add_new(inet_running, c, done, &what, &bad);
	if (rc != 0) {
		char key[48];

		snprintf(key, sizeof(key), "inet.%s.[%u]", what, bad);
		cfg_error_add(errs, NULL, key, "cannot install: %s", dpvs_strerror(rc));
		inet_cfg_undo(c, done);
		free(done);
		return rc;
	}
	free(done);
	free(inet_running);
	inet_running = c;
	return 0;
}

static const struct cfg_section_ops inet_cfg_ops = {
	.name = "inet",
	.order = 200,
	.parse = inet_cfg_parse,
	.apply = inet_cfg_apply,
	.free = inet_cfg_free,
	.eal_args = inet_cfg_eal_args,
	.check = inet_cfg_check,
	.reload_check = inet_cfg_reload_check,
	.snapshot = inet_cfg_snapshot,
};

RTE_INIT(inet_cfg_register)
{
	cfg_section_register(&inet_cfg_ops);
}

RTE_FINI(inet_cfg_release)
{
	free(inet_running);
	inet_running = NULL;
}
