/*
 * inet_addr.c - dpvsd's IPv4 addresses per port (see inet_addr.h).
 *
 * The master keeps the authoritative array (addr_master); after each change
 * it builds a new struct addr_view (the same entries plus an
 * open-addressing hash of the addresses), publishes it with one release
 * store and hands the old view to inet_rcu_defer().  Readers load the view
 * pointer (acquire) and only read it.
 */
#include <string.h>
#include <arpa/inet.h>
#include <rte_malloc.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "inet_addr.h"
#include "inet_rcu.h"
#include "neigh.h"
#include "netif.h"
#include "route.h"

DPVS_LOG_REGISTER(inet_addr);

#define ADDR_HASH_SIZE (2u * INET_ADDR_MAX)	/* power of two */
#define ADDR_HASH_EMPTY 0xffffu

struct addr_view {
	unsigned int n;
	struct inet_ifaddr a[INET_ADDR_MAX];
	uint16_t hash[ADDR_HASH_SIZE];	/* index into a[], ADDR_HASH_EMPTY */
};

static struct {
	unsigned int n;				/* master only */
	struct inet_ifaddr a[INET_ADDR_MAX];	/* master only */
	struct addr_view *view;			/* published */
} addrs;

static inline uint32_t addr_hash(uint32_t addr)
{
	return (addr * 2654435761u) >> 7;
}

static inline uint32_t plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : htonl(~0u << (32 - plen));
}

static inline const struct addr_view *view_get(void)
{
	return __atomic_load_n(&addrs.view, __ATOMIC_ACQUIRE);
}

static int view_find(const struct addr_view *v, uint32_t addr)
{
	uint32_t h = addr_hash(addr), i;

	if (v == NULL)
		return -1;
	for (i = 0; i < ADDR_HASH_SIZE; i++) {
		uint16_t idx = v->hash[(h + i) & (ADDR_HASH_SIZE - 1)];

		if (idx == ADDR_HASH_EMPTY)
			return -1;
		if (v->a[idx].addr == addr)
			return idx;
	}
	return -1;
}

bool inet_addr_is_local(uint32_t addr)
{
	return view_find(view_get(), addr) >= 0;
}

bool inet_addr_is_local_on(const struct netif_port *port, uint32_t addr)
{
	const struct addr_view *v = view_get();
	int i = view_find(v, addr);

	return i >= 0 && v->a[i].port == port;
}

uint32_t inet_addr_select_src(const struct netif_port *port, uint32_t daddr)
{
	const struct addr_view *v = view_get();
	uint32_t first_port = 0, first_any = 0;
	unsigned int i;

	if (v == NULL)
		return 0;
	for (i = 0; i < v->n; i++) {
		const struct inet_ifaddr *a = &v->a[i];

		if (first_any == 0)
			first_any = a->addr;
		if (port == NULL || a->port != port)
			continue;
		if (((a->addr ^ daddr) & plen_mask(a->plen)) == 0)
			return a->addr;
		if (first_port == 0)
			first_port = a->addr;
	}
	return first_port ? first_port : first_any;
}

static void view_free(void *arg)
{
	rte_free(arg);
}

static int view_publish(void)
{
	struct addr_view *v = rte_zmalloc("inet_addr_view", sizeof(*v), RTE_CACHE_LINE_SIZE);
	struct addr_view *old;
	unsigned int i;

	if (v == NULL)
		return EDPVS_NOMEM;
	memset(v->hash, 0xff, sizeof(v->hash));
	v->n = addrs.n;
	memcpy(v->a, addrs.a, sizeof(v->a[0]) * addrs.n);
	for (i = 0; i < v->n; i++) {
		uint32_t h = addr_hash(v->a[i].addr);

		while (v->hash[h & (ADDR_HASH_SIZE - 1)] != ADDR_HASH_EMPTY)
			h++;
		v->hash[h & (ADDR_HASH_SIZE - 1)] = (uint16_t)i;
	}
	old = addrs.view;
	__atomic_store_n(&addrs.view, v, __ATOMIC_RELEASE);
	if (old != NULL)
		inet_rcu_defer(view_free, old);
	return 0;
}

bool inet_addr_valid(uint32_t addr, uint8_t plen)
{
	uint32_t h = ntohl(addr);

	if (plen > 32 || h == 0 || h == 0xffffffffu)
		return false;
	if ((h >> 24) == 127 || (h >> 28) == 0xe || (h >> 28) == 0xf)
		return false;
	return true;
}

static void connected_route_add(struct netif_port *port, uint32_t addr, uint8_t plen)
{
	struct route_entry e = {
		.dst = addr & plen_mask(plen), .plen = plen, .src = addr, .port = port,
		.flags = ROUTE_F_CONNECTED,
	};
	int rc;

	if (plen == 32 || plen == 0)	/* as Linux: no route for a host or /0 address */
		return;
	rc = route_add(&e);
	if (rc != 0 && rc != EDPVS_EXIST)
		DPVS_LOG(inet_addr, WARNING, "connected route for %s: %s", port->name,
			 dpvs_strerror(rc));
}

static void connected_route_del(struct netif_port *port, uint32_t addr, uint8_t plen)
{
	uint32_t net = addr & plen_mask(plen);
	struct route_match m = { .dst = net, .plen = plen, .has_gw = true, .gw = 0,
				 .has_port = true, .port = port, .has_metric = true };
	unsigned int i;

	if (plen == 32 || plen == 0)
		return;
	for (i = 0; i < addrs.n; i++) {	/* another address still covers it */
		if (addrs.a[i].port == port && addrs.a[i].plen == plen &&
		    (addrs.a[i].addr & plen_mask(plen)) == net)
			return;
	}
	route_del(&m);
}

int inet_addr_add(struct netif_port *port, uint32_t addr, uint8_t plen, uint32_t flags)
{
	unsigned int i;
	int rc;

	if (port == NULL || !inet_addr_valid(addr, plen))
		return EDPVS_INVAL;
	for (i = 0; i < addrs.n; i++)
		if (addrs.a[i].addr == addr)
			return EDPVS_EXIST;
	if (addrs.n == INET_ADDR_MAX)
		return EDPVS_NOROOM;
	addrs.a[addrs.n] = (struct inet_ifaddr){ .addr = addr, .plen = plen,
						 .flags = flags, .port = port };
	addrs.n++;
	rc = view_publish();
	if (rc != 0) {
		addrs.n--;
		return rc;
	}
	connected_route_add(port, addr, plen);
	neigh_gratuitous(port, addr);
	return 0;
}

int inet_addr_del(const struct netif_port *port, uint32_t addr, uint8_t plen)
{
	struct inet_ifaddr gone;
	unsigned int i;
	int rc;

	for (i = 0; i < addrs.n; i++) {
		const struct inet_ifaddr *a = &addrs.a[i];

		if (a->addr == addr && (port == NULL || a->port == port) &&
		    (plen == 0 || a->plen == plen))
			break;
	}
	if (i == addrs.n)
		return EDPVS_NOTEXIST;
	gone = addrs.a[i];
	memmove(&addrs.a[i], &addrs.a[i + 1], sizeof(addrs.a[0]) * (addrs.n - i - 1));
	addrs.n--;
	rc = view_publish();
	if (rc != 0) {	/* put it back: nothing changed */
		memmove(&addrs.a[i + 1], &addrs.a[i], sizeof(addrs.a[0]) * (addrs.n - i));
		addrs.a[i] = gone;
		addrs.n++;
		return rc;
	}
	connected_route_del(gone.port, gone.addr, gone.plen);
	return 0;
}

int inet_addr_flush(const struct netif_port *port)
{
	unsigned int i = 0;
	int rc;

	while (i < addrs.n) {
		if (addrs.a[i].port != port) {
			i++;
			continue;
		}
		rc = inet_addr_del(port, addrs.a[i].addr, addrs.a[i].plen);
		if (rc != 0)
			return rc;	/* this one and the rest stay */
	}
	return 0;
}

unsigned int inet_addr_list(const struct netif_port *port, struct inet_ifaddr *out,
			    unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < addrs.n; i++) {
		if (port != NULL && addrs.a[i].port != port)
			continue;
		if (n < max)
			out[n] = addrs.a[i];
		n++;
	}
	return n;
}

int inet_addr_init(void)
{
	addrs.n = 0;
	return view_publish();
}

void inet_addr_term(void)
{
	inet_rcu_flush();
	rte_free(addrs.view);
	addrs.view = NULL;
	addrs.n = 0;
}
