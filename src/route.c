/*
 * route.c - the IPv4 routing table (see route.h for the publication
 * model): an rte_lpm from prefix to slot index, a slot array holding the
 * routes, and the published index of the best default route.
 *
 * Writers (master only) never change a published slot: a new route takes a
 * free slot, is written whole, then published by rte_lpm_add (an atomic
 * entry store) or by the default index store; a deleted route's slot is
 * unpublished first and returned to the free pool after a grace period
 * (route_defer_fn, inet_rcu_defer in the daemon).
 */
#define ALLOW_EXPERIMENTAL_API 1
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "inet_rcu.h"
#include "netif.h"
#include "route.h"

DPVS_LOG_REGISTER(route);

#define ROUTE_IDX_NONE UINT32_MAX
#define ROUTE_TBL8S    256u

enum route_slot_state { SLOT_FREE = 0, SLOT_LIVE, SLOT_DYING };

struct route_slot {
	struct route_entry e;
	uint8_t state;		/* enum route_slot_state, master only */
	struct route_table *t;	/* for the deferred free */
};

struct route_table {
	struct rte_lpm *lpm;
	uint32_t def_idx;	/* published default route slot (atomic store) */
	unsigned int max, n;
	route_defer_fn defer;
	struct route_slot *slots;
};

static struct route_table *route_main;	/* written by master at init/term */
static unsigned int route_max = ROUTE_MAX_DEFAULT;

static inline uint32_t plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : htonl(~0u << (32 - plen));
}

struct route_table *route_table_create(const char *name, unsigned int max_routes,
				       route_defer_fn defer)
{
	struct rte_lpm_config cfg = { .max_rules = max_routes, .number_tbl8s = ROUTE_TBL8S };
	struct route_table *t;

	if (max_routes == 0)
		return NULL;
	t = rte_zmalloc("route_table", sizeof(*t), 0);
	if (t == NULL)
		return NULL;
	t->slots = rte_zmalloc("route_slots", sizeof(*t->slots) * max_routes, 0);
	if (t->slots == NULL)
		goto err_table;
	t->lpm = rte_lpm_create(name, SOCKET_ID_ANY, &cfg);
	if (t->lpm == NULL)
		goto err_slots;
	t->max = max_routes;
	t->def_idx = ROUTE_IDX_NONE;
	t->defer = defer;
	return t;

err_slots:
	rte_free(t->slots);
err_table:
	rte_free(t);
	return NULL;
}

void route_table_free(struct route_table *t)
{
	if (t == NULL)
		return;
	rte_lpm_free(t->lpm);
	rte_free(t->slots);
	rte_free(t);
}

static bool same_prefix(const struct route_entry *a, uint32_t dst, uint8_t plen)
{
	return a->dst == dst && a->plen == plen;
}

/* Best live slot of a prefix: lowest metric, then lowest index. */
static uint32_t best_slot(const struct route_table *t, uint32_t dst, uint8_t plen)
{
	uint32_t best = ROUTE_IDX_NONE;
	unsigned int i;

	for (i = 0; i < t->max; i++) {
		const struct route_slot *s = &t->slots[i];

		if (s->state != SLOT_LIVE || !same_prefix(&s->e, dst, plen))
			continue;
		if (best == ROUTE_IDX_NONE || s->e.metric < t->slots[best].e.metric)
			best = i;
	}
	return best;
}

/* Make the published state of a prefix match its best live slot. */
static int publish_prefix(struct route_table *t, uint32_t dst, uint8_t plen)
{
	uint32_t best = best_slot(t, dst, plen);

	if (plen == 0) {
		__atomic_store_n(&t->def_idx, best, __ATOMIC_RELEASE);
		return 0;
	}
	if (best == ROUTE_IDX_NONE) {
		rte_lpm_delete(t->lpm, ntohl(dst), plen);
		return 0;
	}
	return rte_lpm_add(t->lpm, ntohl(dst), plen, best) == 0 ? 0 : EDPVS_NOROOM;
}

static int route_check(const struct route_entry *e)
{
	if (e->plen > 32 || e->port == NULL)
		return EDPVS_INVAL;
	if ((e->dst & ~plen_mask(e->plen)) != 0)
		return EDPVS_INVAL;
	return 0;
}

int route_table_add(struct route_table *t, const struct route_entry *e)
{
	unsigned int i, free_i = UINT32_MAX;
	int rc;

	if (t == NULL || e == NULL)
		return EDPVS_INVAL;
	rc = route_check(e);
	if (rc != 0)
		return rc;
	for (i = 0; i < t->max; i++) {
		struct route_slot *s = &t->slots[i];

		if (s->state == SLOT_FREE && free_i == UINT32_MAX)
			free_i = i;
		if (s->state == SLOT_LIVE && same_prefix(&s->e, e->dst, e->plen) &&
		    s->e.metric == e->metric)
			return EDPVS_EXIST;
	}
	if (free_i == UINT32_MAX)
		return EDPVS_NOROOM;
	t->slots[free_i].e = *e;
	t->slots[free_i].t = t;
	t->slots[free_i].state = SLOT_LIVE;
	rc = publish_prefix(t, e->dst, e->plen);
	if (rc != 0) {
		t->slots[free_i].state = SLOT_FREE;
		return rc;
	}
	t->n++;
	return 0;
}

static bool route_matches(const struct route_entry *e, const struct route_match *m)
{
	if (!same_prefix(e, m->dst, m->plen))
		return false;
	if (m->has_gw && e->gw != m->gw)
		return false;
	if (m->has_port && e->port != m->port)
		return false;
	return !(m->has_metric && e->metric != m->metric);
}

static void slot_release(void *arg)
{
	struct route_slot *s = arg;

	s->state = SLOT_FREE;
}

static void slot_retire(struct route_table *t, uint32_t idx)
{
	struct route_slot *s = &t->slots[idx];

	s->state = SLOT_DYING;
	t->n--;
	publish_prefix(t, s->e.dst, s->e.plen);
	if (t->defer)
		t->defer(slot_release, s);
	else
		slot_release(s);
}

int route_table_del(struct route_table *t, const struct route_match *m)
{
	uint32_t best = ROUTE_IDX_NONE;
	unsigned int i;

	if (t == NULL || m == NULL || m->plen > 32)
		return EDPVS_INVAL;
	for (i = 0; i < t->max; i++) {
		const struct route_slot *s = &t->slots[i];

		if (s->state != SLOT_LIVE || !route_matches(&s->e, m))
			continue;
		if (best == ROUTE_IDX_NONE || s->e.metric < t->slots[best].e.metric)
			best = i;
	}
	if (best == ROUTE_IDX_NONE)
		return EDPVS_NOTEXIST;
	slot_retire(t, best);
	return 0;
}

unsigned int route_table_flush(struct route_table *t, const struct netif_port *port,
			       uint32_t keep)
{
	unsigned int i, n = 0;

	if (t == NULL)
		return 0;
	for (i = 0; i < t->max; i++) {
		struct route_slot *s = &t->slots[i];

		if (s->state != SLOT_LIVE || (port != NULL && s->e.port != port))
			continue;
		if ((s->e.flags & keep) != 0)
			continue;
		slot_retire(t, i);
		n++;
	}
	return n;
}

/* True if e puts gw on a network connected to port: no gateway, same port,
 * its prefix covers gw. */
static bool gw_on_link(const struct route_entry *e, const struct netif_port *port, uint32_t gw)
{
	return e->gw == 0 && e->port == port && ((e->dst ^ gw) & plen_mask(e->plen)) == 0;
}

int route_table_gw_check(const struct route_table *t, const struct netif_port *port,
			 uint32_t gw, const struct route_entry *extra, unsigned int n_extra)
{
	unsigned int i;

	if (gw == 0)
		return 0;
	if (port == NULL)
		return EDPVS_INVAL;
	for (i = 0; extra != NULL && i < n_extra; i++)
		if (gw_on_link(&extra[i], port, gw))
			return 0;
	for (i = 0; t != NULL && i < t->max; i++)
		if (t->slots[i].state == SLOT_LIVE && gw_on_link(&t->slots[i].e, port, gw))
			return 0;
	return EDPVS_INVAL;
}

const struct route_entry *route_table_lookup(const struct route_table *t, uint32_t daddr)
{
	uint32_t idx;

	if (rte_lpm_lookup(t->lpm, ntohl(daddr), &idx) == 0)
		return &t->slots[idx].e;
	idx = __atomic_load_n(&t->def_idx, __ATOMIC_ACQUIRE);
	return idx == ROUTE_IDX_NONE ? NULL : &t->slots[idx].e;
}

unsigned int route_table_count(const struct route_table *t)
{
	return t ? t->n : 0;
}

static int route_cmp(const void *a, const void *b)
{
	const struct route_entry *x = a, *y = b;

	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1;
	if (x->dst != y->dst)
		return ntohl(x->dst) < ntohl(y->dst) ? -1 : 1;
	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	return 0;
}

unsigned int route_table_list(const struct route_table *t, struct route_entry *out,
			      unsigned int max)
{
	unsigned int i, n = 0;

	if (t == NULL)
		return 0;
	for (i = 0; i < t->max; i++) {
		if (t->slots[i].state != SLOT_LIVE)
			continue;
		if (n < max)
			out[n] = t->slots[i].e;
		n++;
	}
	if (out != NULL)
		qsort(out, n < max ? n : max, sizeof(*out), route_cmp);
	return n;
}

/* ---- the daemon's table ---- */

const struct route_entry *route_lookup(uint32_t daddr)
{
	struct route_table *t = route_main;

	return likely(t != NULL) ? route_table_lookup(t, daddr) : NULL;
}

int route_add(const struct route_entry *e)
{
	return route_main ? route_table_add(route_main, e) : EDPVS_NOTREADY;
}

int route_del(const struct route_match *m)
{
	return route_main ? route_table_del(route_main, m) : EDPVS_NOTREADY;
}

unsigned int route_flush(const struct netif_port *port, uint32_t keep)
{
	return route_table_flush(route_main, port, keep);
}

int route_gw_check(const struct netif_port *port, uint32_t gw)
{
	return route_table_gw_check(route_main, port, gw, NULL, 0);
}

int route_gw_check_with(const struct netif_port *port, uint32_t gw,
			const struct route_entry *extra, unsigned int n_extra)
{
	return route_table_gw_check(route_main, port, gw, extra, n_extra);
}

uint16_t route_path_mtu(const struct route_entry *e)
{
	if (e->mtu != 0 && e->mtu < e->port->mtu)
		return e->mtu;
	return e->port->mtu;
}

unsigned int route_list(struct route_entry *out, unsigned int max)
{
	return route_table_list(route_main, out, max);
}

static void route_defer(void (*fn)(void *), void *arg)
{
	inet_rcu_defer(fn, arg);
}

static struct route_table *route_main_create(unsigned int max)
{
	struct rte_lpm_rcu_config rcfg = { .v = inet_rcu_qsbr(), .mode = RTE_LPM_QSBR_MODE_DQ };
	struct route_table *t = route_table_create("route_main", max, route_defer);

	if (t == NULL)
		return NULL;
	if (rcfg.v != NULL && rte_lpm_rcu_qsbr_add(t->lpm, &rcfg) != 0) {
		route_table_free(t);
		return NULL;
	}
	return t;
}

int route_set_max(unsigned int max_routes)
{
	struct route_table *t;

	if (max_routes == route_max && route_main != NULL)
		return 0;
	if (route_main != NULL && route_main->n != 0)
		return EDPVS_BUSY;
	/* Empty table: free first so two tbl24s never coexist. */
	route_table_free(route_main);
	route_main = NULL;
	t = route_main_create(max_routes);
	if (t == NULL) {
		route_main = route_main_create(route_max);
		return EDPVS_NOMEM;
	}
	route_main = t;
	route_max = max_routes;
	return 0;
}

int route_init(void)
{
	route_main = route_main_create(route_max);
	if (route_main == NULL) {
		DPVS_LOG(route, ERR, "cannot create the route table (%u routes): %s",
			 route_max, rte_strerror(rte_errno));
		return EDPVS_NOMEM;
	}
	return 0;
}

void route_term(void)
{
	inet_rcu_flush();
	route_table_free(route_main);
	route_main = NULL;
}
