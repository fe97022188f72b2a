/*
 * conn.c - the per-lcore IPVS connection table (ipvs/conn.h): a pool of
 * struct ipvs_conn in one mmap'd array, a power-of-two array of bucket
 * heads, and chains linked by 32-bit node ids (conn index * 2 + direction,
 * stored + 1),
 * so each conn carries both of its tuple nodes in 8 bytes.  Free conns are
 * kept on a free list threaded through hnext[0]; slots above the high-water
 * mark have never been touched (the pool costs no RSS until used).
 *
 * Only the owner lcore touches a table; conn timers live on that lcore's
 * wheel (timer.h).  No allocation, lock or atomic on the per-packet path.
 * Persistence templates are conns with CONN_F_TEMPLATE hashed in the
 * inbound direction only.  A full pool makes room by dropping a half-open
 * conn early (conn_early_drop(): bounded scan, counted).
 */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_random.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"

DPVS_LOG_REGISTER(conn);

/* Chain links and bucket heads hold node id + 1, so 0 ends a chain and a
 * fresh (zero) mapping is an empty table: nothing to initialise, and the
 * pages are first touched by the owner lcore (its NUMA node). */
#define NODE_NIL 0u
#define NODE_ID(idx, dir) ((((idx) << 1) | (dir)) + 1u)
#define NODE_IDX(id) (((id) - 1u) >> 1)
#define NODE_DIR(id) (((id) - 1u) & 1u)
#define CONN_US_PER_S 1000000ull
#define TMPL_DEFAULT_TIMEOUT 300u	/* persistence timeout when the service has 0 */
#define CONN_EARLY_DROP_SCAN 32u	/* slots an early drop looks at */

struct conn_table {
	uint32_t max_conns;
	uint32_t n_buckets;
	uint32_t mask;
	uint32_t seed;
	uint32_t free_head;	/* free list through hnext[0]: index + 1, 0 = empty */
	uint32_t high;		/* slots [high, max_conns) never used */
	uint32_t drop_hand;	/* next slot the early drop looks at */
	uint32_t *buckets;	/* node id of each chain head */
	struct ipvs_conn *pool;
	size_t pool_bytes;
	size_t bucket_bytes;
	struct conn_stats stats;
};

static struct conn_table *conn_tables[RTE_MAX_LCORE];
static conn_release_fn conn_release_hook;
/* IPVS's expire_quiescent_template; written by the master (config), read
 * by workers per new conn with relaxed atomics. */
static bool conn_expire_quiescent;

static void dest_unbind(struct ipvs_conn *c);

/* ---- memory ---- */

static void *big_alloc(size_t bytes)
{
	void *p = MAP_FAILED;

	if (bytes >= (2u << 20))
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED) {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		(void)madvise(p, bytes, MADV_HUGEPAGE);
	}
	return p;
}

static size_t round_up_2m(size_t n)
{
	return (n + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
}

static uint32_t next_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int conn_table_create(const struct conn_table_params *p, struct conn_table **out)
{
	struct conn_table *t;
	uint32_t nb;

	if (!p || !out || p->max_conns == 0 || p->max_conns > CONN_MAX_CONNS)
		return EDPVS_INVAL;
	nb = p->n_buckets ? p->n_buckets : next_pow2(p->max_conns);
	if (nb > CONN_MAX_BUCKETS || (nb & (nb - 1)) != 0)
		return EDPVS_INVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return EDPVS_NOMEM;
	t->max_conns = p->max_conns;
	t->n_buckets = nb;
	t->mask = nb - 1;
	t->seed = (uint32_t)rte_rand();
	t->free_head = NODE_NIL;
	t->pool_bytes = round_up_2m((size_t)p->max_conns * sizeof(struct ipvs_conn));
	t->bucket_bytes = round_up_2m((size_t)nb * sizeof(uint32_t));
	t->pool = big_alloc(t->pool_bytes);
	if (!t->pool)
		goto err_pool;
	t->buckets = big_alloc(t->bucket_bytes);
	if (!t->buckets)
		goto err_buckets;
	t->stats.max_conns = t->max_conns;
	t->stats.n_buckets = nb;
	*out = t;
	return 0;

err_buckets:
	munmap(t->pool, t->pool_bytes);
err_pool:
	free(t);
	return EDPVS_NOMEM;
}

void conn_table_destroy(struct conn_table *t)
{
	bool foreign_timers = false;
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->high; i++) {
		struct ipvs_conn *c = &t->pool[i];

		if (!(c->flags & CONN_F_INUSE))
			continue;
		/* A table is destroyed from the master: a worker's timers
		 * can be unlinked from here once the loops have stopped. */
		if (timer_pending(&c->timer) && timer_cancel(&c->timer) != 0 &&
		    timer_cancel_stopped(&c->timer) != 0)
			foreign_timers = true;
		dest_unbind(c);
	}
	if (foreign_timers) {
		/* Loops still run, so another lcore's wheel still links
		 * into the pool: keep the memory mapped (process exit
		 * reclaims it) rather than let that wheel write into
		 * unmapped pages.  A normal stop never gets here. */
		DPVS_LOG(conn, WARNING, "table destroyed with timers on another lcore; "
			 "pool left mapped");
	} else {
		munmap(t->pool, t->pool_bytes);
	}
	munmap(t->buckets, t->bucket_bytes);
	free(t);
}

/* ---- registry ---- */

struct conn_table *conn_table_get(unsigned int lcore_id)
{
	return lcore_id < RTE_MAX_LCORE ? conn_tables[lcore_id] : NULL;
}

struct conn_table *conn_table_this(void)
{
	return conn_table_get(rte_lcore_id());
}

int conn_table_set(unsigned int lcore_id, struct conn_table *t)
{
	if (lcore_id >= RTE_MAX_LCORE)
		return EDPVS_INVAL;
	conn_tables[lcore_id] = t;
	return 0;
}

void conn_set_release_hook(conn_release_fn fn)
{
	conn_release_hook = fn;
}

/* ---- hashing ---- */

static inline uint32_t tuple_hash(const struct conn_table *t, int af, uint8_t proto,
				  const union inet_addr *s, uint16_t sport,
				  const union inet_addr *d, uint16_t dport)
{
	uint32_t ports = ((uint32_t)sport << 16) | dport;

	if (af == AF_INET)
		return rte_jhash_3words(s->in4, d->in4, ports ^ proto, t->seed);
	return rte_jhash_3words(rte_jhash_32b(s->in6_32, 4, t->seed),
				rte_jhash_32b(d->in6_32, 4, t->seed), ports ^ proto, t->seed);
}

static inline uint32_t conn_node_hash(const struct conn_table *t, const struct ipvs_conn *c,
				      unsigned int dir)
{
	if (dir == CONN_DIR_IN)
		return tuple_hash(t, c->af, c->proto, &c->caddr, c->cport, &c->vaddr, c->vport);
	return tuple_hash(t, c->af, c->proto, &c->daddr, c->dport, &c->laddr, c->lport);
}

uint32_t conn_index(const struct conn_table *t, const struct ipvs_conn *c)
{
	return (uint32_t)(c - t->pool);
}

static void hash_link(struct conn_table *t, struct ipvs_conn *c, unsigned int dir)
{
	uint32_t b = conn_node_hash(t, c, dir) & t->mask;

	c->hnext[dir] = t->buckets[b];
	t->buckets[b] = NODE_ID(conn_index(t, c), dir);
}

static void hash_unlink(struct conn_table *t, struct ipvs_conn *c, unsigned int dir)
{
	uint32_t me = NODE_ID(conn_index(t, c), dir);
	uint32_t *link = &t->buckets[conn_node_hash(t, c, dir) & t->mask];

	while (*link != NODE_NIL) {
		if (*link == me) {
			*link = c->hnext[dir];
			c->hnext[dir] = NODE_NIL;
			return;
		}
		link = &t->pool[NODE_IDX(*link)].hnext[NODE_DIR(*link)];
	}
}

static void conn_hash(struct conn_table *t, struct ipvs_conn *c)
{
	hash_link(t, c, CONN_DIR_IN);
	if (!(c->flags & CONN_F_NO_OUT))
		hash_link(t, c, CONN_DIR_OUT);
	c->flags |= CONN_F_HASHED;
}

static void conn_unhash(struct conn_table *t, struct ipvs_conn *c)
{
	if (!(c->flags & CONN_F_HASHED))
		return;
	hash_unlink(t, c, CONN_DIR_IN);
	if (!(c->flags & CONN_F_NO_OUT))
		hash_unlink(t, c, CONN_DIR_OUT);
	c->flags &= ~CONN_F_HASHED;
}

/* Does node (c, dir) carry the tuple (s:sport -> d:dport)?  The caller has
 * checked af, proto and the template flag. */
static inline bool node_match(const struct ipvs_conn *c, unsigned int dir,
			      const union inet_addr *s, uint16_t sport,
			      const union inet_addr *d, uint16_t dport)
{
	if (dir == CONN_DIR_IN)
		return c->cport == sport && c->vport == dport &&
		       inet_addr_equal(c->af, &c->caddr, s) && inet_addr_equal(c->af, &c->vaddr, d);
	return c->dport == sport && c->lport == dport &&
	       inet_addr_equal(c->af, &c->daddr, s) && inet_addr_equal(c->af, &c->laddr, d);
}

static struct ipvs_conn *table_find(struct conn_table *t, int af, uint8_t proto,
				    const union inet_addr *s, uint16_t sport,
				    const union inet_addr *d, uint16_t dport, uint16_t tmpl,
				    enum conn_dir *dir)
{
	uint32_t id = t->buckets[tuple_hash(t, af, proto, s, sport, d, dport) & t->mask];

	while (id != NODE_NIL) {
		struct ipvs_conn *c = &t->pool[NODE_IDX(id)];
		unsigned int nd = NODE_DIR(id);

		if (c->af == af && c->proto == proto && (c->flags & CONN_F_TEMPLATE) == tmpl &&
		    node_match(c, nd, s, sport, d, dport)) {
			if (dir)
				*dir = (enum conn_dir)nd;
			return c;
		}
		id = c->hnext[nd];
	}
	return NULL;
}

struct ipvs_conn *conn_lookup(struct conn_table *t, int af, uint8_t proto,
			      const union inet_addr *saddr, uint16_t sport,
			      const union inet_addr *daddr, uint16_t dport, enum conn_dir *dir)
{
	return table_find(t, af, proto, saddr, sport, daddr, dport, 0, dir);
}

/* ---- pool ---- */

static struct ipvs_conn *pool_get(struct conn_table *t)
{
	struct ipvs_conn *c;

	if (t->free_head != NODE_NIL) {
		c = &t->pool[t->free_head - 1];
		t->free_head = c->hnext[0];
	} else if (t->high < t->max_conns) {
		c = &t->pool[t->high++];
	} else {
		return NULL;
	}
	memset(c, 0, offsetof(struct ipvs_conn, timer));
	c->hnext[0] = c->hnext[1] = NODE_NIL;
	c->ctrl = CONN_IDX_NONE;
	t->stats.count++;
	return c;
}

static int conn_free(struct conn_table *t, struct ipvs_conn *c, bool hook);

/*
 * The table is full: free the half-open conn (proto_conn_half_open()) that
 * expires first among the next CONN_EARLY_DROP_SCAN slots of a clock hand
 * over the pool, as Linux conntrack drops unconfirmed entries early.  A
 * half-open conn is not re-armed by the server's retransmissions, so the
 * first to expire is the one whose client went quiet longest.  Bounded
 * work, no allocation; established conns and templates are never taken.
 * true if a slot was freed (stats.early_drop).
 */
static bool conn_early_drop(struct conn_table *t)
{
	struct ipvs_conn *victim = NULL;
	uint64_t best = UINT64_MAX;
	uint32_t i, slot = t->drop_hand;

	for (i = 0; i < CONN_EARLY_DROP_SCAN && i < t->high; i++, slot++) {
		struct ipvs_conn *c;
		uint64_t exp;

		if (slot >= t->high)
			slot = 0;
		c = &t->pool[slot];
		if ((c->flags & (CONN_F_INUSE | CONN_F_DEAD)) != CONN_F_INUSE ||
		    !proto_conn_half_open(c))
			continue;
		exp = timer_expires_us(&c->timer);
		if (exp < best) {
			best = exp;
			victim = c;
		}
	}
	t->drop_hand = slot >= t->high ? 0 : slot;
	if (!victim || conn_free(t, victim, true) != 0)
		return false;
	t->stats.early_drop++;
	return true;
}

/* A free conn, making room by an early drop when the pool is exhausted;
 * NULL (stats.full++) when nothing can give way. */
static struct ipvs_conn *pool_take(struct conn_table *t)
{
	struct ipvs_conn *c = pool_get(t);

	if (likely(c != NULL))
		return c;
	if (conn_early_drop(t) && (c = pool_get(t)) != NULL)
		return c;
	t->stats.full++;
	return NULL;
}

static void pool_put(struct conn_table *t, struct ipvs_conn *c)
{
	c->flags = 0;
	c->hnext[0] = t->free_head;
	t->free_head = conn_index(t, c) + 1;
	t->stats.count--;
}

/* ---- accounting ---- */

static bool conn_is_active(const struct ipvs_conn *c)
{
	const struct proto_ops *ops = proto_get(c->proto);

	return ops && ops->state_active(c->state);
}

static void dest_bind(struct ipvs_conn *c, struct ipvs_dest *d)
{
	c->dest = d;
	dest_hold(d);
	if (c->flags & CONN_F_TEMPLATE) {
		d->persist_conns++;
		return;
	}
	if (conn_is_active(c))
		d->active_conns++;
	else
		d->inactive_conns++;
	dest_update_overload(d);
	d->stats.conns++;
	if (d->svc)
		d->svc->stats.conns++;
}

static void dest_unbind(struct ipvs_conn *c)
{
	struct ipvs_dest *d = c->dest;

	if (!d)
		return;
	if (c->flags & CONN_F_TEMPLATE) {
		if (d->persist_conns)
			d->persist_conns--;
	} else if (conn_is_active(c)) {
		if (d->active_conns)
			d->active_conns--;
	} else if (d->inactive_conns) {
		d->inactive_conns--;
	}
	dest_update_overload(d);
	c->dest = NULL;
	dest_put(d);
}

/* ---- life cycle ---- */

uint32_t conn_timeout(const struct ipvs_conn *c)
{
	uint32_t to;

	if (c->flags & CONN_F_TEMPLATE) {
		to = (c->dest && c->dest->svc) ? c->dest->svc->timeout : 0;
		return to ? to : TMPL_DEFAULT_TIMEOUT;
	}
	to = proto_timeout_get(c->proto, c->state);
	return to ? to : 1;
}

int conn_touch(struct conn_table *t, struct ipvs_conn *c)
{
	(void)t;
	return timer_schedule(&c->timer, (uint64_t)conn_timeout(c) * CONN_US_PER_S);
}

struct ipvs_conn *conn_ctrl(struct conn_table *t, const struct ipvs_conn *c)
{
	return c->ctrl == CONN_IDX_NONE ? NULL : &t->pool[c->ctrl];
}

/* c stops being controlled by its template; a dead template goes with its
 * last conn. */
static void ctrl_release(struct conn_table *t, struct ipvs_conn *c)
{
	struct ipvs_conn *tm = conn_ctrl(t, c);

	c->ctrl = CONN_IDX_NONE;
	if (!tm)
		return;
	if (tm->n_control)
		tm->n_control--;
	if ((tm->flags & CONN_F_DEAD) && tm->n_control == 0)
		conn_free(t, tm, false);
}

/* Return c to the pool (see conn_del()); hook: run the release hook (not
 * for a conn the datapath never saw: a failed conn_new()).  0, or the
 * error of timer_cancel() (c pending on another lcore's wheel: the caller
 * is not the owner): then nothing is touched, so no wheel links a freed
 * conn; c goes when its timer fires on its owner (stats.cancel_err). */
static int conn_free(struct conn_table *t, struct ipvs_conn *c, bool hook)
{
	bool tmpl = (c->flags & CONN_F_TEMPLATE) != 0;
	int rc = timer_cancel(&c->timer);

	if (unlikely(rc != 0)) {
		t->stats.cancel_err++;
		DPVS_LOG_RL(conn, ERR, "conn %u not freed: its timer cannot be cancelled here (%s)",
			    conn_index(t, c), dpvs_strerror(rc));
		return rc;
	}
	conn_unhash(t, c);
	if (tmpl && c->n_control > 0) {
		c->flags |= CONN_F_DEAD;	/* freed with its last conn */
		return 0;
	}
	if (!tmpl && hook && conn_release_hook)
		conn_release_hook(c);
	ctrl_release(t, c);
	dest_unbind(c);
	if (tmpl)
		t->stats.tmpl_count--;
	pool_put(t, c);
	return 0;
}

int conn_del(struct conn_table *t, struct ipvs_conn *c)
{
	int rc;

	if (!(c->flags & CONN_F_INUSE) || (c->flags & CONN_F_DEAD))
		return 0;
	rc = conn_free(t, c, true);
	if (rc == 0)
		t->stats.deleted++;
	return rc;
}

static void conn_timer_cb(struct timer_entry *tm, void *arg)
{
	struct conn_table *t = arg;
	struct ipvs_conn *c = (struct ipvs_conn *)((char *)tm - offsetof(struct ipvs_conn, timer));

	if ((c->flags & CONN_F_TEMPLATE) && c->n_control > 0) {
		/* a template lives while it controls conns */
		if (conn_touch(t, c) == 0)
			return;
	}
	t->stats.expired++;
	conn_free(t, c, true);
}

/* Arm a freshly filled conn; on failure undo it (caller's *err). */
static int conn_arm(struct conn_table *t, struct ipvs_conn *c)
{
	int rc;

	timer_entry_init(&c->timer, conn_timer_cb, t);
	rc = conn_touch(t, c);
	if (rc) {
		t->stats.timer_err++;
		DPVS_LOG_RL(conn, ERR, "cannot arm conn timer: %s", dpvs_strerror(rc));
		conn_free(t, c, false);
	}
	return rc;
}

static bool param_valid(const struct conn_param *p, const struct ipvs_dest *dest)
{
	return dest && (p->af == AF_INET || p->af == AF_INET6) && proto_get(p->proto) &&
	       p->fwd < IPVS_FWD_MAX;
}

static void conn_fill(struct ipvs_conn *c, const struct conn_param *p)
{
	const uint16_t allowed = CONN_F_IN_ONLY | CONN_F_ONEPACKET | CONN_F_XMIT0 |
				 CONN_F_XMIT1 | CONN_F_XMIT2 | CONN_F_XMIT3;

	c->flags = CONN_F_INUSE | (p->flags & allowed);
	c->af = p->af;
	c->proto = p->proto;
	c->caddr = p->caddr;
	c->vaddr = p->vaddr;
	c->laddr = p->laddr;
	c->daddr = p->daddr;
	c->cport = p->cport;
	c->vport = p->vport;
	c->lport = p->lport;
	c->dport = p->dport;
	c->fwd = p->fwd;
	c->state = proto_get(p->proto)->init_state;
}

struct ipvs_conn *conn_new(struct conn_table *t, const struct conn_param *p,
			   struct ipvs_dest *dest, struct ipvs_conn *tmpl, int *err)
{
	struct ipvs_conn *c;
	int rc;

	if (unlikely(!param_valid(p, dest))) {
		*err = EDPVS_INVAL;
		return NULL;
	}
	c = pool_take(t);
	if (unlikely(!c)) {
		*err = EDPVS_NOROOM;
		return NULL;
	}
	conn_fill(c, p);
	dest_bind(c, dest);
	if (tmpl && (tmpl->flags & CONN_F_TEMPLATE)) {
		c->ctrl = conn_index(t, tmpl);
		tmpl->n_control++;
	}
	conn_hash(t, c);
	rc = conn_arm(t, c);
	if (unlikely(rc)) {
		*err = rc;
		return NULL;
	}
	t->stats.created++;
	return c;
}

/* ---- templates ---- */

/* The template key of (svc, client): fills the in-tuple fields of k. */
static void tmpl_key(const struct ipvs_service *svc, const union inet_addr *caddr,
		     struct ipvs_conn *k)
{
	memset(k, 0, offsetof(struct ipvs_conn, timer));
	k->af = svc->af;
	svc_persist_addr(svc, caddr, &k->caddr);
	if (svc->fwmark) {
		k->proto = 0;
		k->vaddr.in4 = htonl(svc->fwmark);
		k->vport = 0;
	} else {
		k->proto = svc->proto;
		k->vaddr = svc->vaddr;
		k->vport = svc->vport;
	}
}

struct ipvs_conn *conn_tmpl_lookup(struct conn_table *t, const struct ipvs_service *svc,
				   const union inet_addr *caddr)
{
	struct ipvs_conn k, *c;

	tmpl_key(svc, caddr, &k);
	c = table_find(t, k.af, k.proto, &k.caddr, 0, &k.vaddr, k.vport, CONN_F_TEMPLATE, NULL);
	if (!c)
		return NULL;
	if (!(c->dest->flags & DEST_F_AVAILABLE) ||
	    (c->dest->weight <= 0 && conn_expire_quiescent_template())) {
		/* its dest was deleted (or drains and the option says so):
		 * forget it for new clients */
		conn_del(t, c);
		return NULL;
	}
	return c;
}

void conn_set_expire_quiescent_template(bool on)
{
	__atomic_store_n(&conn_expire_quiescent, on, __ATOMIC_RELAXED);
}

bool conn_expire_quiescent_template(void)
{
	return __atomic_load_n(&conn_expire_quiescent, __ATOMIC_RELAXED);
}

struct ipvs_conn *conn_tmpl_new(struct conn_table *t, const struct ipvs_service *svc,
				const union inet_addr *caddr, struct ipvs_dest *dest, int *err)
{
	struct ipvs_conn *c;

	if (unlikely(!dest || !svc)) {
		*err = EDPVS_INVAL;
		return NULL;
	}
	c = pool_take(t);
	if (unlikely(!c)) {
		*err = EDPVS_NOROOM;
		return NULL;
	}
	tmpl_key(svc, caddr, c);
	c->hnext[0] = c->hnext[1] = NODE_NIL;
	c->ctrl = CONN_IDX_NONE;
	c->flags = CONN_F_INUSE | CONN_F_TEMPLATE | CONN_F_NO_OUT;
	c->daddr = dest->addr;
	c->dport = dest->port;
	c->fwd = dest->fwd;
	t->stats.tmpl_count++;
	dest_bind(c, dest);
	conn_hash(t, c);
	*err = conn_arm(t, c);
	if (*err)
		return NULL;
	t->stats.tmpl_created++;
	return c;
}

/* ---- listing, flush, counters ---- */

uint32_t conn_walk(struct conn_table *t, uint32_t *cursor, uint32_t budget, conn_walk_fn fn,
		   void *arg)
{
	uint32_t i = *cursor, end, n = 0;

	if (i >= t->high) {
		*cursor = CONN_WALK_END;
		return 0;
	}
	end = (t->high - i > budget) ? i + budget : t->high;
	for (; i < end; i++) {
		struct ipvs_conn *c = &t->pool[i];

		if ((c->flags & (CONN_F_INUSE | CONN_F_DEAD)) != CONN_F_INUSE)
			continue;
		if (fn(c, arg) != 0) {
			*cursor = i;
			return n;
		}
		n++;
	}
	*cursor = i >= t->high ? CONN_WALK_END : i;
	return n;
}

uint32_t conn_flush(struct conn_table *t, bool (*match)(const struct ipvs_conn *c, void *arg),
		    void *arg)
{
	uint32_t i, n = 0;

	for (i = 0; i < t->high; i++) {
		struct ipvs_conn *c = &t->pool[i];

		if ((c->flags & (CONN_F_INUSE | CONN_F_DEAD)) != CONN_F_INUSE)
			continue;
		if (match && !match(c, arg))
			continue;
		if (conn_del(t, c) == 0)
			n++;
	}
	return n;
}

void conn_table_stats(const struct conn_table *t, struct conn_stats *out)
{
	*out = t->stats;
}

uint32_t conn_table_bytes_per_conn(const struct conn_table *t)
{
	uint64_t b = (uint64_t)t->n_buckets * sizeof(uint32_t);

	return (uint32_t)(sizeof(struct ipvs_conn) + (b + t->max_conns - 1) / t->max_conns);
}
