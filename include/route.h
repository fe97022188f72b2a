/*
 * route.h - the IPv4 routing table: longest-prefix match over connected
 * routes, gateway routes and a default route, with metrics and a per-route
 * MTU.
 *
 * One table for the whole daemon, published without locks (see
 * inet_rcu.h): an rte_lpm (prefix -> slot index, depth 1..32) plus an
 * array of route slots; default routes (depth 0, which rte_lpm cannot
 * hold) are a separately published slot index.  Several routes may share
 * a prefix if their metrics differ; the lowest metric is the one in the
 * LPM.  The master is the only writer; every lcore reads.  A slot that
 * leaves the table is reused only after a grace period, so the pointer
 * route_lookup() returns stays valid until the caller's next quiescent
 * state (the end of its loop iteration).
 *
 * Why one copy and not one per lcore: rte_lpm's tbl24 takes 64 MiB per
 * table whatever the number of routes; one copy under QSBR costs it once.
 */
#ifndef DPVS_ROUTE_H
#define DPVS_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netif_port;

/* Route flags. */
#define ROUTE_F_CONNECTED 0x1u	/* added with an interface address */
#define ROUTE_F_STATIC    0x2u	/* from the config file */

#define ROUTE_MAX_DEFAULT 4096u	/* default table size (config inet.max_routes) */

/* All addresses in network byte order. */
struct route_entry {
	uint32_t dst;			/* network (host bits zero) */
	uint8_t plen;			/* 0..32 */
	uint32_t gw;			/* 0: connected (next hop = destination) */
	uint32_t src;			/* preferred source, 0: select by port */
	struct netif_port *port;	/* outgoing port */
	uint16_t mtu;			/* 0: the port's MTU */
	uint32_t metric;		/* lower wins among equal prefixes */
	uint32_t flags;			/* ROUTE_F_* */
};

/* ---- the datapath view ---- */

/* Longest-prefix match of daddr in the published table.  NULL if no route.
 * Any lcore, per packet; the result is valid until the caller's next
 * quiescent state (FWD_WORKER) or the next route change (master). */
const struct route_entry *route_lookup(uint32_t daddr);

/* ---- management (master only, not per packet) ---- */

/* Add a route.  e->dst must have no host bits beyond plen, e->port set.
 * Returns 0, EDPVS_INVAL (bad prefix/port), EDPVS_EXIST (same dst, plen
 * and metric), EDPVS_NOROOM (table full), EDPVS_NOTREADY. */
int route_add(const struct route_entry *e);

/* Match for route_del(): dst/plen always; the others only if set. */
struct route_match {
	uint32_t dst;
	uint8_t plen;
	bool has_gw, has_port, has_metric;
	uint32_t gw;
	const struct netif_port *port;
	uint32_t metric;
};

/* Delete the best (lowest metric) route matching m.  EDPVS_NOTEXIST if none. */
int route_del(const struct route_match *m);

/* Delete every route on port (port NULL: any) that has none of the flags
 * keep (0: all of them; ROUTE_F_CONNECTED: `dpip route flush`, as ip route
 * flush leaves the kernel's routes).  Returns the count. */
unsigned int route_flush(const struct netif_port *port, uint32_t keep);

/* The message of a refusal by route_gw_check(), ip(8)'s words. */
#define ROUTE_ERR_BAD_GW "Nexthop has invalid gateway"

/* ip(8)'s rule for a route via gw out of port: gw must be on a network
 * connected to port, i.e. covered by a route of the table without a
 * gateway on that port (the connected route of an address, or a route
 * added as `dev PORT` only).  gw 0 (no gateway) passes.  Returns 0, or
 * EDPVS_INVAL (report it as ROUTE_ERR_BAD_GW; also for port NULL).
 * Master only: the dpip request handler calls it before route_add(). */
int route_gw_check(const struct netif_port *port, uint32_t gw);

/* route_gw_check() where the routes extra[0..n_extra-1] count as well as
 * the table's: a config being validated passes the connected routes of the
 * addresses it is about to add (dst = addr & mask, plen, port, gw 0) and
 * its own routes without a gateway.  Master only. */
int route_gw_check_with(const struct netif_port *port, uint32_t gw,
			const struct route_entry *extra, unsigned int n_extra);

/* The MTU of the path through route e: its mtu if set and lower than its
 * port's, else the port's (what ipv4.c's output and forwarding apply). */
uint16_t route_path_mtu(const struct route_entry *e);

/* Copy up to max routes into out (order: prefix, then metric); returns the
 * number of routes in the table (may exceed max). */
unsigned int route_list(struct route_entry *out, unsigned int max);

/* ---- the table object (route.c; exposed for unit tests) ---- */

struct route_table;
typedef void (*route_defer_fn)(void (*free_fn)(void *), void *arg);

/* Create a table of at most max_routes routes.  defer: how to postpone the
 * reuse of a slot (NULL: reuse at once, single-threaded use).  NULL on
 * failure (out of memory, rte_lpm_create failed). */
struct route_table *route_table_create(const char *name, unsigned int max_routes,
				       route_defer_fn defer);
void route_table_free(struct route_table *t);
int route_table_add(struct route_table *t, const struct route_entry *e);
int route_table_del(struct route_table *t, const struct route_match *m);
const struct route_entry *route_table_lookup(const struct route_table *t, uint32_t daddr);
unsigned int route_table_count(const struct route_table *t);
unsigned int route_table_list(const struct route_table *t, struct route_entry *out,
			      unsigned int max);
unsigned int route_table_flush(struct route_table *t, const struct netif_port *port,
			       uint32_t keep);
/* route_gw_check_with() on table t (NULL: only extra counts). */
int route_table_gw_check(const struct route_table *t, const struct netif_port *port,
			 uint32_t gw, const struct route_entry *extra, unsigned int n_extra);

/* Resize (empty table only, before the loops run): config inet.max_routes. */
int route_set_max(unsigned int max_routes);

int route_init(void);
void route_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_ROUTE_H */
