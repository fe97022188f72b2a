/*
 * neigh.c - ARP and the per-lcore IPv4 neighbour tables (see neigh.h).
 *
 * Owns: the neighbour state machine (a const table), the table object
 * (fixed array of entries, chained hash by port+address, free list, a
 * bounded queue of waiting packets per entry, per-table counters), the ARP
 * receive handler, ARP request/reply/gratuitous construction, the
 * "neigh_sync" ageing job, and the messages that keep the tables of all
 * lcores in step.  Each table is read and written only by its lcore
 * (before the loops run, the master may write every table directly).
 */
#include <string.h>
#include <arpa/inet.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "inet_addr.h"
#include "neigh.h"
#include "netif.h"
#include "netif.h"

DPVS_LOG_REGISTER(neigh);

#define NEIGH_NIL        UINT32_MAX
#define NEIGH_SYNC_MS    1000u	/* re-tell other lcores at most this often */

/* ---- the state machine ---- */

#define T(n, a) { .next = NEIGH_S_##n, .actions = (a) }
static const struct neigh_transition neigh_fsm[NEIGH_S_MAX][NEIGH_EV_MAX] = {
	[NEIGH_S_NONE] = {
		[NEIGH_EV_RESOLVE]   = T(INCOMPLETE, NEIGH_A_QUEUE | NEIGH_A_SEND_BCAST),
		[NEIGH_EV_CONFIRM]   = T(REACHABLE, 0),
		[NEIGH_EV_TIMEOUT]   = T(NONE, NEIGH_A_DELETE),
		[NEIGH_EV_EXHAUSTED] = T(NONE, NEIGH_A_DELETE),
	},
	[NEIGH_S_INCOMPLETE] = {
		[NEIGH_EV_RESOLVE]   = T(INCOMPLETE, NEIGH_A_QUEUE),
		[NEIGH_EV_CONFIRM]   = T(REACHABLE, NEIGH_A_FLUSH_Q),
		[NEIGH_EV_TIMEOUT]   = T(INCOMPLETE, NEIGH_A_SEND_BCAST),
		[NEIGH_EV_EXHAUSTED] = T(FAILED, NEIGH_A_DROP_Q),
	},
	[NEIGH_S_REACHABLE] = {
		[NEIGH_EV_RESOLVE]   = T(REACHABLE, NEIGH_A_XMIT),
		[NEIGH_EV_CONFIRM]   = T(REACHABLE, 0),
		[NEIGH_EV_TIMEOUT]   = T(STALE, 0),
		[NEIGH_EV_EXHAUSTED] = T(STALE, 0),
	},
	[NEIGH_S_STALE] = {
		[NEIGH_EV_RESOLVE]   = T(PROBE, NEIGH_A_XMIT | NEIGH_A_SEND_UCAST),
		[NEIGH_EV_CONFIRM]   = T(REACHABLE, 0),
		[NEIGH_EV_TIMEOUT]   = T(NONE, NEIGH_A_DELETE),
		[NEIGH_EV_EXHAUSTED] = T(NONE, NEIGH_A_DELETE),
	},
	[NEIGH_S_PROBE] = {
		[NEIGH_EV_RESOLVE]   = T(PROBE, NEIGH_A_XMIT),
		[NEIGH_EV_CONFIRM]   = T(REACHABLE, 0),
		[NEIGH_EV_TIMEOUT]   = T(PROBE, NEIGH_A_SEND_UCAST),
		[NEIGH_EV_EXHAUSTED] = T(FAILED, 0),
	},
	[NEIGH_S_FAILED] = {
		[NEIGH_EV_RESOLVE]   = T(FAILED, NEIGH_A_DROP_PKT),
		[NEIGH_EV_CONFIRM]   = T(REACHABLE, 0),
		[NEIGH_EV_TIMEOUT]   = T(NONE, NEIGH_A_DELETE),
		[NEIGH_EV_EXHAUSTED] = T(NONE, NEIGH_A_DELETE),
	},
	[NEIGH_S_STATIC] = {
		[NEIGH_EV_RESOLVE]   = T(STATIC, NEIGH_A_XMIT),
		[NEIGH_EV_CONFIRM]   = T(STATIC, 0),
		[NEIGH_EV_TIMEOUT]   = T(STATIC, 0),
		[NEIGH_EV_EXHAUSTED] = T(STATIC, 0),
	},
};
#undef T

static const char *const neigh_state_names[NEIGH_S_MAX] = {
	"none", "incomplete", "reachable", "stale", "probe", "failed", "permanent",
};
_Static_assert(DPVS_ARRAY_SIZE(neigh_state_names) == NEIGH_S_MAX, "state names");

const char *const neigh_counter_names[NEIGH_C_MAX] = {
	"arp_in", "arp_truncated", "arp_bad_header", "arp_bad_op", "arp_bad_sender",
	"arp_requests_for_us", "arp_replies_out", "arp_requests_out", "arp_to_kernel",
	"queue_full", "table_full", "unresolved", "no_source", "nomem",
	"sync_sent", "sync_failed",
};
_Static_assert(DPVS_ARRAY_SIZE(neigh_counter_names) == NEIGH_C_MAX, "counter names");

struct neigh_transition neigh_fsm_next(enum neigh_state s, enum neigh_event ev)
{
	if ((unsigned)s >= NEIGH_S_MAX || (unsigned)ev >= NEIGH_EV_MAX)
		return (struct neigh_transition){ .next = NEIGH_S_NONE, .actions = 0 };
	return neigh_fsm[s][ev];
}

const char *neigh_state_name(enum neigh_state s)
{
	return (unsigned)s < NEIGH_S_MAX ? neigh_state_names[s] : "?";
}

/* ---- parameters ---- */

static struct neigh_params neigh_p = {
	.reachable_ms = 30000, .retrans_ms = 1000, .probes = 3,
	.gc_stale_ms = 60000, .failed_hold_ms = 3000, .queue_len = 8,
};

void neigh_set_params(const struct neigh_params *p)
{
	neigh_p = *p;
	if (neigh_p.queue_len > NEIGH_QUEUE_MAX)
		neigh_p.queue_len = NEIGH_QUEUE_MAX;
}

void neigh_get_params(struct neigh_params *p)
{
	*p = neigh_p;
}

static uint32_t state_timeout_ms(enum neigh_state s)
{
	switch (s) {
	case NEIGH_S_INCOMPLETE:
	case NEIGH_S_PROBE:
		return neigh_p.retrans_ms;
	case NEIGH_S_REACHABLE:
		return neigh_p.reachable_ms;
	case NEIGH_S_STALE:
		return neigh_p.gc_stale_ms;
	case NEIGH_S_FAILED:
		return neigh_p.failed_hold_ms;
	default:
		return 0;
	}
}

/* ---- the table ---- */

struct neigh_entry {
	uint32_t addr;
	uint32_t next;			/* hash chain / free list */
	struct netif_port *port;
	struct rte_ether_addr mac;
	uint8_t state;			/* enum neigh_state; NONE = free */
	uint8_t probes;			/* requests sent in this state */
	uint8_t qlen;
	uint64_t deadline_ms;		/* 0: no timer */
	uint64_t synced_ms;		/* last time told the other lcores */
	struct rte_mbuf *q[NEIGH_QUEUE_MAX];
};

struct neigh_table {
	unsigned int lcore_id;
	const struct neigh_table_ops *ops;
	void *ctx;
	unsigned int n;
	unsigned int queued;		/* mbufs waiting in all entries */
	unsigned int cursor;		/* ageing position */
	unsigned int evict_cursor;	/* where a full table looks for a victim */
	uint32_t free_head;
	uint64_t cnt[NEIGH_C_MAX];
	uint32_t bucket[NEIGH_TABLE_SIZE];
	struct neigh_entry e[NEIGH_TABLE_SIZE];
};

static inline uint32_t neigh_hash(const struct netif_port *port, uint32_t addr)
{
	uint32_t h = addr ^ ((uint32_t)(uintptr_t)port * 0x9e3779b1u);

	h = (h ^ (h >> 16)) * 0x85ebca6bu;
	return (h ^ (h >> 13)) & (NEIGH_TABLE_SIZE - 1);
}

struct neigh_table *neigh_table_create(unsigned int lcore_id, const struct neigh_table_ops *ops,
				       void *ctx)
{
	struct neigh_table *t;
	unsigned int i;

	t = rte_zmalloc("neigh_table", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return NULL;
	t->lcore_id = lcore_id;
	t->ops = ops;
	t->ctx = ctx ? ctx : t;
	for (i = 0; i < NEIGH_TABLE_SIZE; i++) {
		t->bucket[i] = NEIGH_NIL;
		t->e[i].next = i + 1 < NEIGH_TABLE_SIZE ? i + 1 : NEIGH_NIL;
	}
	t->free_head = 0;
	return t;
}

static void entry_drop_queue(struct neigh_table *t, struct neigh_entry *n)
{
	unsigned int i;

	for (i = 0; i < n->qlen; i++)
		rte_pktmbuf_free(n->q[i]);
	t->cnt[NEIGH_C_UNRESOLVED] += n->qlen;
	t->queued -= n->qlen;
	n->qlen = 0;
}

static void entry_free(struct neigh_table *t, struct neigh_entry *n)
{
	uint32_t idx = (uint32_t)(n - t->e);
	uint32_t *pp = &t->bucket[neigh_hash(n->port, n->addr)];

	entry_drop_queue(t, n);
	while (*pp != NEIGH_NIL && *pp != idx)
		pp = &t->e[*pp].next;
	if (*pp == idx)
		*pp = n->next;
	n->state = NEIGH_S_NONE;
	n->next = t->free_head;
	t->free_head = idx;
	t->n--;
}

void neigh_table_free(struct neigh_table *t)
{
	if (t == NULL)
		return;
	neigh_table_flush(t, NULL, true);
	rte_free(t);
}

static struct neigh_entry *entry_find(const struct neigh_table *t,
				      const struct netif_port *port, uint32_t addr)
{
	uint32_t i = t->bucket[neigh_hash(port, addr)];

	while (i != NEIGH_NIL) {
		const struct neigh_entry *n = &t->e[i];

		if (n->addr == addr && n->port == port)
			return (struct neigh_entry *)(uintptr_t)n;
		i = n->next;
	}
	return NULL;
}

/* A full table makes room by evicting one dynamic entry: among the next
 * NEIGH_EVICT_SCAN entries from a rotating cursor, the first FAILED or
 * STALE one, else the first non-static one.  Without this, an ARP flood
 * from made-up senders filled the table with REACHABLE entries and new
 * neighbours (clients, servers) could not be resolved until they aged
 * out.  Static entries are never evicted.  Bounded: runs only when full. */
#define NEIGH_EVICT_SCAN 64u

static bool entry_evict(struct neigh_table *t)
{
	struct neigh_entry *victim = NULL;
	unsigned int i;

	for (i = 0; i < NEIGH_EVICT_SCAN; i++) {
		struct neigh_entry *n = &t->e[t->evict_cursor];

		t->evict_cursor = (t->evict_cursor + 1) % NEIGH_TABLE_SIZE;
		if (n->state == NEIGH_S_NONE || n->state == NEIGH_S_STATIC)
			continue;
		if (n->state == NEIGH_S_FAILED || n->state == NEIGH_S_STALE) {
			victim = n;
			break;
		}
		if (victim == NULL)
			victim = n;
	}
	if (victim == NULL)
		return false;
	entry_free(t, victim);
	return true;
}

static struct neigh_entry *entry_new(struct neigh_table *t, struct netif_port *port,
				     uint32_t addr)
{
	struct neigh_entry *n;
	uint32_t idx = t->free_head, h;

	if (idx == NEIGH_NIL) {
		t->cnt[NEIGH_C_TABLE_FULL]++;
		if (!entry_evict(t))
			return NULL;
		idx = t->free_head;
	}
	n = &t->e[idx];
	t->free_head = n->next;
	memset(n, 0, sizeof(*n));
	n->addr = addr;
	n->port = port;
	n->state = NEIGH_S_NONE;
	h = neigh_hash(port, addr);
	n->next = t->bucket[h];
	t->bucket[h] = idx;
	t->n++;
	return n;
}

static void entry_send_req(struct neigh_table *t, struct neigh_entry *n, bool ucast)
{
	n->probes++;
	t->cnt[NEIGH_C_ARP_REQ_OUT]++;
	if (t->ops && t->ops->send_req)
		t->ops->send_req(t->ctx, n->port, n->addr, ucast ? &n->mac : NULL);
}

static int entry_xmit(struct neigh_table *t, struct neigh_entry *n, struct rte_mbuf *m)
{
	if (t->ops && t->ops->xmit)
		return t->ops->xmit(t->ctx, m, n->port, &n->mac);
	rte_pktmbuf_free(m);
	return EDPVS_NOTSUPP;
}

static int entry_queue(struct neigh_table *t, struct neigh_entry *n, struct rte_mbuf *m)
{
	if (n->qlen >= neigh_p.queue_len || t->queued >= NEIGH_QUEUE_TOTAL) {
		t->cnt[NEIGH_C_QUEUE_FULL]++;
		rte_pktmbuf_free(m);
		return EDPVS_NOROOM;
	}
	n->q[n->qlen++] = m;
	t->queued++;
	return 0;
}

static void entry_flush_queue(struct neigh_table *t, struct neigh_entry *n)
{
	unsigned int i, qlen = n->qlen;

	n->qlen = 0;
	t->queued -= qlen;
	for (i = 0; i < qlen; i++)
		entry_xmit(t, n, n->q[i]);
}

/* Apply event ev to n (m: the packet of a RESOLVE, else NULL).  Returns the
 * fate of m (0, or an EDPVS_* code when it was dropped).  n may be freed. */
static int entry_step(struct neigh_table *t, struct neigh_entry *n, enum neigh_event ev,
		      struct rte_mbuf *m, uint64_t now)
{
	struct neigh_transition tr = neigh_fsm[n->state][ev];
	enum neigh_state prev = n->state;
	int rc = 0;

	n->state = tr.next;
	if (tr.next != prev || ev == NEIGH_EV_CONFIRM || ev == NEIGH_EV_TIMEOUT) {
		uint32_t to = state_timeout_ms(tr.next);

		n->deadline_ms = to ? now + to : 0;
		if (tr.next != prev)
			n->probes = 0;
	}
	if (tr.actions & (NEIGH_A_SEND_BCAST | NEIGH_A_SEND_UCAST))
		entry_send_req(t, n, tr.actions & NEIGH_A_SEND_UCAST);
	if (m != NULL) {
		if (tr.actions & NEIGH_A_QUEUE)
			rc = entry_queue(t, n, m);
		else if (tr.actions & NEIGH_A_XMIT)
			rc = entry_xmit(t, n, m);
		else {
			t->cnt[NEIGH_C_UNRESOLVED]++;
			rte_pktmbuf_free(m);
			rc = EDPVS_NOTEXIST;
		}
	}
	if (tr.actions & NEIGH_A_FLUSH_Q)
		entry_flush_queue(t, n);
	if (tr.actions & NEIGH_A_DROP_Q)
		entry_drop_queue(t, n);
	if (tr.actions & NEIGH_A_DELETE)
		entry_free(t, n);
	return rc;
}

bool neigh_table_xmit_resolved(struct neigh_table *t, struct rte_mbuf *m,
			       struct netif_port *port, uint32_t addr, int *rc)
{
	struct neigh_entry *n = entry_find(t, port, addr);

	if (unlikely(n == NULL || (n->state != NEIGH_S_REACHABLE && n->state != NEIGH_S_STATIC)))
		return false;
	*rc = entry_xmit(t, n, m);
	return true;
}

int neigh_table_resolve(struct neigh_table *t, struct rte_mbuf *m, struct netif_port *port,
			uint32_t addr, uint64_t now_ms)
{
	struct neigh_entry *n = entry_find(t, port, addr);

	/* Fast path: RESOLVE on a resolved entry only transmits (the table
	 * keeps the state and its deadline), so skip the state machine. */
	if (likely(n != NULL && (n->state == NEIGH_S_REACHABLE || n->state == NEIGH_S_STATIC)))
		return entry_xmit(t, n, m);
	if (n == NULL) {
		n = entry_new(t, port, addr);
		if (n == NULL) {
			rte_pktmbuf_free(m);
			return EDPVS_NOROOM;
		}
	}
	return entry_step(t, n, NEIGH_EV_RESOLVE, m, now_ms);
}

bool neigh_table_confirm(struct neigh_table *t, struct netif_port *port, uint32_t addr,
			 const struct rte_ether_addr *mac, bool create, uint64_t now_ms)
{
	struct neigh_entry *n = entry_find(t, port, addr);
	bool changed = false;

	if (n == NULL) {
		if (!create || (n = entry_new(t, port, addr)) == NULL)
			return false;
		changed = true;
	}
	if (n->state == NEIGH_S_STATIC)
		return false;
	if (!rte_is_same_ether_addr(&n->mac, mac)) {
		rte_ether_addr_copy(mac, &n->mac);
		changed = true;
	}
	if (n->state != NEIGH_S_REACHABLE)
		changed = true;
	entry_step(t, n, NEIGH_EV_CONFIRM, NULL, now_ms);
	if (!changed && now_ms - n->synced_ms < NEIGH_SYNC_MS)
		return false;
	n->synced_ms = now_ms;
	return true;
}

int neigh_table_set_static(struct neigh_table *t, struct netif_port *port, uint32_t addr,
			   const struct rte_ether_addr *mac)
{
	struct neigh_entry *n = entry_find(t, port, addr);

	if (n == NULL && (n = entry_new(t, port, addr)) == NULL)
		return EDPVS_NOROOM;
	rte_ether_addr_copy(mac, &n->mac);
	n->state = NEIGH_S_STATIC;
	n->deadline_ms = 0;
	entry_flush_queue(t, n);
	return 0;
}

int neigh_table_delete(struct neigh_table *t, const struct netif_port *port, uint32_t addr)
{
	struct neigh_entry *n = entry_find(t, port, addr);

	if (n == NULL)
		return EDPVS_NOTEXIST;
	entry_free(t, n);
	return 0;
}

unsigned int neigh_table_flush(struct neigh_table *t, const struct netif_port *port,
			       bool with_static)
{
	unsigned int i, k = 0;

	for (i = 0; i < NEIGH_TABLE_SIZE; i++) {
		struct neigh_entry *n = &t->e[i];

		if (n->state == NEIGH_S_NONE || (port != NULL && n->port != port))
			continue;
		if (n->state == NEIGH_S_STATIC && !with_static)
			continue;
		entry_free(t, n);
		k++;
	}
	return k;
}

unsigned int neigh_table_age(struct neigh_table *t, uint64_t now_ms, unsigned int budget)
{
	unsigned int fired = 0;

	while (budget-- > 0) {
		struct neigh_entry *n = &t->e[t->cursor];

		t->cursor = (t->cursor + 1) % NEIGH_TABLE_SIZE;
		if (n->state == NEIGH_S_NONE || n->deadline_ms == 0 || now_ms < n->deadline_ms)
			continue;
		if ((n->state == NEIGH_S_INCOMPLETE || n->state == NEIGH_S_PROBE) &&
		    n->probes >= neigh_p.probes)
			entry_step(t, n, NEIGH_EV_EXHAUSTED, NULL, now_ms);
		else
			entry_step(t, n, NEIGH_EV_TIMEOUT, NULL, now_ms);
		fired++;
	}
	return fired;
}

enum neigh_state neigh_table_state(const struct neigh_table *t, const struct netif_port *port,
				   uint32_t addr, unsigned int *qlen)
{
	const struct neigh_entry *n = entry_find(t, port, addr);

	if (qlen)
		*qlen = n ? n->qlen : 0;
	return n ? (enum neigh_state)n->state : NEIGH_S_NONE;
}

unsigned int neigh_table_count(const struct neigh_table *t)
{
	return t->n;
}

uint64_t neigh_table_counter(const struct neigh_table *t, enum neigh_counter c)
{
	return (unsigned)c < NEIGH_C_MAX ? t->cnt[c] : 0;
}

void neigh_table_count_inc(struct neigh_table *t, enum neigh_counter c)
{
	if ((unsigned)c < NEIGH_C_MAX)
		t->cnt[c]++;
}

unsigned int neigh_table_dump(const struct neigh_table *t, const struct netif_port *port,
			      struct neigh_info *out, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < NEIGH_TABLE_SIZE; i++) {
		const struct neigh_entry *e = &t->e[i];

		if (e->state == NEIGH_S_NONE || (port != NULL && e->port != port))
			continue;
		if (n < max) {
			out[n] = (struct neigh_info){
				.addr = e->addr, .port_id = e->port ? e->port->port_id : 0,
				.mac = e->mac, .state = e->state,
				.static_ = e->state == NEIGH_S_STATIC, .lcores = 1, .qlen = e->qlen,
			};
		}
		n++;
	}
	return n;
}
