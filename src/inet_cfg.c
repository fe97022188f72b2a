/*
 * inet_cfg.c - the "inet" config section (order 200, after netif):
 * forwarding switch, route table size, ICMP error rate limit, neighbour
 * timers, and the addresses, routes and static neighbours to install.
 * Parsed and validated before anything is applied; applied at start-up;
 * on reload the difference (removed items first, then new ones) is
 * applied, and a changed max_routes is refused (needs a restart).
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
#include "neigh.h"
#include "netif.h"
#include "route.h"

DPVS_LOG_REGISTER(inet_cfg);

#define INET_CFG_MAX_ITEMS 256u
#define INET_LPM_MEM_MB    80u	/* rte_lpm tbl24 (64 MiB), rules, tbl8s */

struct inet_cfg_addr {
	char dev[NETIF_NAME_LEN];
	uint32_t addr;
	uint8_t plen;
};

struct inet_cfg_route {
	char dev[NETIF_NAME_LEN];
	uint32_t dst, gw, src, metric;
	uint16_t mtu;
	uint8_t plen;
};

struct inet_cfg_neigh {
	char dev[NETIF_NAME_LEN];
	uint32_t addr;
	struct rte_ether_addr mac;
};

struct inet_conf {
	bool forward;
	uint32_t max_routes;
	uint32_t icmp_rate, icmp_burst;
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
	"routes", "neighbours", NULL,
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

	cfg_check_keys(it, keys, e);
	if (cfg_get_string(it, "dev", "", a->dev, sizeof(a->dev), e) != 0 ||
	    cfg_get_string(it, "addr", "", buf, sizeof(buf), e) != 0)
		return;
	if (a->dev[0] == '\0')
		cfg_error_add(e, it, "dev", "required (a port name such as dpdk0)");
	else if (parse_prefix(buf, &a->addr, &a->plen) != 0 || a->plen == 0)
		cfg_error_add(e, it, "addr", "expected A.B.C.D/LEN with LEN 1..32, got '%s'", buf);
	else
		c->n_addr++;
}

static void parse_route(const config_setting_t *it, struct inet_conf *c, struct cfg_errors *e)
{
	static const char *const keys[] = { "dst", "via", "dev", "src", "mtu", "metric", NULL };
	struct inet_cfg_route *r = &c->route[c->n_route];
	char dst[32], via[32], src[32];
	long long mtu, metric;

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

/* ---- apply ---- */

static struct netif_port *dev_get(const char *dev, const char *what, struct cfg_errors *e)
{
	struct netif_port *p = netif_port_get_by_name(dev);

	if (p == NULL)
		cfg_error_add(e, NULL, what, "no port named '%s'", dev);
	return p;
}

static int check_devs(const struct inet_conf *c, struct cfg_errors *e)
{
	unsigned int i, before = e->count;

	for (i = 0; i < c->n_addr; i++)
		dev_get(c->addr[i].dev, "inet.addresses", e);
	for (i = 0; i < c->n_route; i++)
		dev_get(c->route[i].dev, "inet.routes", e);
	for (i = 0; i < c->n_neigh; i++)
		dev_get(c->neigh_static[i].dev, "inet.neighbours", e);
	return e->count == before ? 0 : EDPVS_CONFIG;
}

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

/* Remove what old has and new has not. */
static void remove_old(const struct inet_conf *old, const struct inet_conf *c)
{
	unsigned int i;

	for (i = 0; old && i < old->n_neigh; i++)
		if (!has_neigh(c, &old->neigh_static[i]))
			neigh_del(netif_port_get_by_name(old->neigh_static[i].dev),
				  old->neigh_static[i].addr);
	for (i = 0; old && i < old->n_route; i++) {
		const struct inet_cfg_route *r = &old->route[i];
		struct route_match m = { .dst = r->dst, .plen = r->plen, .has_gw = true,
					 .gw = r->gw, .has_metric = true, .metric = r->metric };

		if (!has_route(c, r))
			route_del(&m);
	}
	for (i = 0; old && i < old->n_addr; i++)
		if (!has_addr(c, &old->addr[i]))
			inet_addr_del(netif_port_get_by_name(old->addr[i].dev), old->addr[i].addr,
				      old->addr[i].plen);
}

static int add_new(const struct inet_conf *old, const struct inet_conf *c, struct cfg_errors *e)
{
	unsigned int i;
	int rc;

	for (i = 0; i < c->n_addr; i++) {
		const struct inet_cfg_addr *a = &c->addr[i];

		if (has_addr(old, a))
			continue;
		rc = inet_addr_add(netif_port_get_by_name(a->dev), a->addr, a->plen,
				   INET_ADDR_F_STATIC);
		if (rc != 0 && rc != EDPVS_EXIST)
			goto err;
	}
	for (i = 0; i < c->n_route; i++) {
		struct route_entry r = route_of(&c->route[i]);

		if (has_route(old, &c->route[i]))
			continue;
		rc = route_add(&r);
		if (rc != 0 && rc != EDPVS_EXIST)
			goto err;
	}
	for (i = 0; i < c->n_neigh; i++) {
		const struct inet_cfg_neigh *n = &c->neigh_static[i];

		if (has_neigh(old, n))
			continue;
		rc = neigh_add_static(netif_port_get_by_name(n->dev), n->addr, &n->mac);
		if (rc != 0)
			goto err;
	}
	return 0;
err:
	cfg_error_add(e, NULL, "inet", "cannot install item %u: %s", i, dpvs_strerror(rc));
	return rc;
}

static int inet_cfg_apply(void *staged, bool reload, struct cfg_errors *errs)
{
	struct inet_conf *c = staged;
	int rc;

	if (check_devs(c, errs) != 0)
		return EDPVS_CONFIG;
	if (reload && inet_running && inet_running->max_routes != c->max_routes) {
		cfg_error_add(errs, NULL, "inet.max_routes", "changed: needs a restart of dpvsd");
		return EDPVS_CONFIG;
	}
	if (!reload || inet_running == NULL) {
		rc = route_set_max(c->max_routes);
		if (rc != 0) {
			cfg_error_add(errs, NULL, "inet.max_routes", "%s", dpvs_strerror(rc));
			return rc;
		}
	}
	ipv4_set_forward(c->forward);
	icmp_set_ratelimit(c->icmp_rate, c->icmp_burst);
	neigh_set_params(&c->neigh);
	remove_old(inet_running, c);
	rc = add_new(inet_running, c, errs);
	if (rc != 0)
		return rc;
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
