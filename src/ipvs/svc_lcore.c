/*
 * svc_lcore.c - the per-lcore service tables (one per FWD_WORKER) and
 * ipvs_svc_lookup(), plus the message handlers that build and change them:
 * config changes (SVC_MSG_CONF), counter collection (SVC_MSG_STATS) and
 * connection listing (SVC_MSG_CONNS).
 *
 * Ownership: svc_tabs[i] and every object reachable from it are written
 * and read only by lcore i (its message handlers and its packets); the
 * master only frees them at module term, after the loops stopped.  Each
 * table hashes services by (af, proto, vaddr, vport) and fwmark services
 * by mark, and keeps them in a list in ascending master id order (changes
 * arrive in the order the master made them), which the counter collection
 * uses as a cursor.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "ipvs/sched.h"
#include "svc_int.h"

DPVS_LOG_DECLARE(ipvs_svc);

#define SVC_TAB_BITS    10
#define SVC_TAB_BUCKETS (1u << SVC_TAB_BITS)
#define SVC_CONN_WALK_BUDGET (256u * 1024u)	/* pool slots per listing chunk */

/* A service in one lcore's table (svc->priv points here). */
struct svc_lc {
	struct ipvs_service *svc;
	uint32_t id;			/* the master's id */
	struct svc_lc *hnext;		/* hash chain */
	TAILQ_ENTRY(svc_lc) link;	/* ascending id */
};

struct svc_tab {
	struct svc_lc *key_bkt[SVC_TAB_BUCKETS];
	struct svc_lc *mark_bkt[SVC_TAB_BUCKETS];
	TAILQ_HEAD(, svc_lc) list;
	uint32_t n;
	uint32_t n_null;		/* services with port 0 (persistent, any port) */
};

/* [i] is written and read by lcore i only (see the file comment). */
static struct svc_tab *svc_tabs[RTE_MAX_LCORE];

static inline uint32_t svc_hash_key(int af, uint8_t proto, const union inet_addr *a,
				    uint16_t port)
{
	uint32_t h = af == AF_INET ? a->in4 :
		     a->in6_32[0] ^ a->in6_32[1] ^ a->in6_32[2] ^ a->in6_32[3];

	h ^= ((uint32_t)port << 16) ^ proto ^ ((uint32_t)af << 8);
	return (h * 0x9e3779b1u) >> (32 - SVC_TAB_BITS);
}

static inline uint32_t svc_hash_mark(int af, uint32_t mark)
{
	return ((mark ^ (uint32_t)af) * 0x9e3779b1u) >> (32 - SVC_TAB_BITS);
}

static struct svc_lc *tab_find_key(const struct svc_tab *t, int af, uint8_t proto,
				   const union inet_addr *a, uint16_t port)
{
	struct svc_lc *lc;

	for (lc = t->key_bkt[svc_hash_key(af, proto, a, port)]; lc; lc = lc->hnext) {
		const struct ipvs_service *s = lc->svc;

		if (s->vport == port && s->proto == proto && s->af == af &&
		    inet_addr_equal(af, &s->vaddr, a))
			return lc;
	}
	return NULL;
}

static struct svc_lc *tab_find_mark(const struct svc_tab *t, int af, uint32_t mark)
{
	struct svc_lc *lc;

	for (lc = t->mark_bkt[svc_hash_mark(af, mark)]; lc; lc = lc->hnext)
		if (lc->svc->fwmark == mark && lc->svc->af == af)
			return lc;
	return NULL;
}

struct ipvs_service *ipvs_svc_lookup(int af, uint8_t proto, const union inet_addr *vaddr,
				     uint16_t vport, uint32_t fwmark)
{
	unsigned int lcore = rte_lcore_id();
	const struct svc_tab *t;
	struct svc_lc *lc;

	if (unlikely(lcore >= RTE_MAX_LCORE))
		return NULL;
	t = svc_tabs[lcore];
	if (unlikely(t == NULL || t->n == 0))
		return NULL;
	if (fwmark != 0 && (lc = tab_find_mark(t, af, fwmark)) != NULL)
		return lc->svc;
	lc = tab_find_key(t, af, proto, vaddr, vport);
	if (lc == NULL && t->n_null != 0)
		lc = tab_find_key(t, af, proto, vaddr, 0);
	return lc ? lc->svc : NULL;
}

/* ---- table edits (owner lcore) ---- */

static void wire_to_inet(const union ipvs_wire_addr *w, int af, union inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (af == AF_INET)
		a->in4 = w->in4;
	else
		memcpy(a->in6, w->in6, 16);
}

static struct svc_lc *tab_find_wire(const struct svc_tab *t, const struct ipvs_wire_svc_key *k)
{
	union inet_addr a;

	if (k->fwmark != 0)
		return tab_find_mark(t, k->af, k->fwmark);
	wire_to_inet(&k->addr, k->af, &a);
	return tab_find_key(t, k->af, k->proto, &a, htons(k->port));
}

static struct svc_lc **tab_bucket(struct svc_tab *t, const struct ipvs_service *s)
{
	if (s->fwmark != 0)
		return &t->mark_bkt[svc_hash_mark(s->af, s->fwmark)];
	return &t->key_bkt[svc_hash_key(s->af, s->proto, &s->vaddr, s->vport)];
}

static void tab_insert(struct svc_tab *t, struct svc_lc *lc)
{
	struct svc_lc **b = tab_bucket(t, lc->svc);

	lc->hnext = *b;
	*b = lc;
	TAILQ_INSERT_TAIL(&t->list, lc, link);
	t->n++;
	if (lc->svc->fwmark == 0 && lc->svc->vport == 0)
		t->n_null++;
}

static void tab_unlink(struct svc_tab *t, struct svc_lc *lc)
{
	struct svc_lc **pp = tab_bucket(t, lc->svc);

	while (*pp != NULL && *pp != lc)
		pp = &(*pp)->hnext;
	if (*pp == lc)
		*pp = lc->hnext;
	TAILQ_REMOVE(&t->list, lc, link);
	t->n--;
	if (lc->svc->fwmark == 0 && lc->svc->vport == 0)
		t->n_null--;
}

static struct svc_tab *tab_get(unsigned int lcore_id)
{
	struct svc_tab *t;

	if (lcore_id >= RTE_MAX_LCORE)
		return NULL;
	t = svc_tabs[lcore_id];
	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL)
			return NULL;
		TAILQ_INIT(&t->list);
		svc_tabs[lcore_id] = t;
	}
	return t;
}

static uint32_t svc_flags_from_wire(const struct ipvs_wire_svc_conf *c)
{
	uint32_t f = 0;

	if (c->flags & IPVS_WIRE_SVC_F_PERSISTENT)
		f |= SVC_F_PERSISTENT;
	if (c->flags & IPVS_WIRE_SVC_F_ONEPACKET)
		f |= SVC_F_ONEPACKET;
	if (!(c->flags & IPVS_WIRE_SVC_F_NOTOA) && c->key.proto == IPPROTO_TCP)
		f |= SVC_F_TOA;
	if (c->proxy_protocol == IPVS_WIRE_PP_V2)
		f |= SVC_F_PROXY_PROTO;
	if (c->sched_flags & IPVS_WIRE_SCHED_F_FALLBACK)
		f |= SVC_F_SCHED_FALLBACK;
	if (c->sched_flags & IPVS_WIRE_SCHED_F_PORT)
		f |= SVC_F_SCHED_PORT;
	return f;
}

/* Set the configurable fields of svc from c and (re)bind its scheduler. */
static int svc_set_conf(struct ipvs_service *svc, const struct ipvs_wire_svc_conf *c)
{
	const struct sched_ops *ops = sched_lookup(c->sched);

	if (ops == NULL)
		return EDPVS_NOTEXIST;
	svc->flags = (svc->flags & SVC_F_HASHED) | svc_flags_from_wire(c);
	svc->timeout = c->timeout;
	if (svc->af == AF_INET)
		svc->netmask = c->netmask;
	else
		svc->plen6 = (uint8_t)c->netmask;
	svc->conhash_key = (uint8_t)((c->sched_flags & IPVS_WIRE_SCHED_F_KEY_MASK) >>
				     IPVS_WIRE_SCHED_F_KEY_SHIFT);
	if (svc->sched != ops)
		return sched_bind(svc, ops);
	return svc_sched_update(svc);
}

static int op_svc_add(struct svc_tab *t, unsigned int lcore_id, const struct svc_msg *m)
{
	const struct ipvs_wire_svc_key *k = &m->svc.key;
	struct ipvs_service *svc;
	struct svc_lc *lc;
	union inet_addr a;
	int rc;

	if (tab_find_wire(t, k) != NULL)
		return EDPVS_EXIST;
	wire_to_inet(&k->addr, k->af, &a);
	svc = svc_alloc(k->af, k->proto, k->fwmark ? NULL : &a, htons(k->port), k->fwmark);
	lc = calloc(1, sizeof(*lc));
	if (svc == NULL || lc == NULL) {
		rc = EDPVS_NOMEM;
		goto err;
	}
	rc = svc_set_conf(svc, &m->svc);
	if (rc != 0)
		goto err;
	svc->lcore_id = lcore_id;
	svc->priv = lc;
	svc->flags |= SVC_F_HASHED;
	lc->svc = svc;
	lc->id = m->svc_id;
	tab_insert(t, lc);
	return 0;
err:
	free(lc);
	if (svc != NULL)
		svc_put(svc);
	return rc;
}

static void svc_lc_destroy(struct svc_tab *t, struct svc_lc *lc)
{
	struct ipvs_service *svc = lc->svc;

	tab_unlink(t, lc);
	svc->flags &= ~SVC_F_HASHED;
	svc->priv = NULL;
	svc_lcore_laddr_release_all(svc);
	svc_flush_dests(svc);
	svc_put(svc);	/* the table's reference; conns' dests may keep it alive */
	free(lc);
}

/* The tunnel encapsulation of a TUNNEL dest (checked on the master). */
static void dest_set_tun(struct ipvs_dest *d, const struct ipvs_wire_dest_conf *w)
{
	d->tun_type = w->tun_type;
	d->tun_flags = w->tun_flags;
	d->tun_port = htons(w->tun_port);
}

static int op_dest(struct ipvs_service *svc, const struct svc_msg *m)
{
	const struct ipvs_wire_dest_conf *w = &m->dest;
	int fwd = svc_fwd_from_wire(w->fwd);
	struct ipvs_dest *d;
	union inet_addr a;
	int rc;

	wire_to_inet(&w->addr, w->af, &a);
	d = svc_dest_find(svc, &a, htons(w->port));
	switch (m->op) {
	case SVC_OP_DEST_ADD:
		if (d != NULL)
			return EDPVS_EXIST;
		if (fwd < 0)
			return EDPVS_INVAL;
		d = dest_alloc(w->af, &a, htons(w->port), (enum ipvs_fwd_mode)fwd,
			       (int32_t)w->weight);
		if (d == NULL)
			return EDPVS_NOMEM;
		d->u_threshold = w->u_threshold;
		d->l_threshold = w->l_threshold;
		dest_set_tun(d, w);
		rc = svc_dest_attach(svc, d);
		if (rc != 0)
			free(d);	/* never attached: no reference to drop */
		return rc;
	case SVC_OP_DEST_EDIT:
		if (d == NULL)
			return EDPVS_NOTEXIST;
		if (fwd < 0)
			return EDPVS_INVAL;
		d->fwd = (uint8_t)fwd;	/* new conns only: conns keep their xmit */
		dest_set_tun(d, w);	/* read per packet: conns follow the edit */
		return svc_dest_edit(svc, d, (int32_t)w->weight, w->u_threshold, w->l_threshold);
	default:
		if (d == NULL)
			return EDPVS_NOTEXIST;
		return svc_dest_detach(svc, d);
	}
}

static void svc_zero(struct ipvs_service *svc)
{
	uint32_t i;

	memset(&svc->stats, 0, sizeof(svc->stats));
	for (i = 0; i < svc->n_dests; i++)
		memset(&svc->dests[i]->stats, 0, sizeof(svc->dests[i]->stats));
}

static int op_on_all(struct svc_tab *t, uint32_t op)
{
	struct svc_lc *lc, *next;

	for (lc = TAILQ_FIRST(&t->list); lc != NULL; lc = next) {
		next = TAILQ_NEXT(lc, link);
		if (op == SVC_OP_FLUSH)
			svc_lc_destroy(t, lc);
		else
			svc_zero(lc->svc);
	}
	return 0;
}

int svc_lcore_apply(unsigned int lcore_id, const struct svc_msg *m)
{
	struct svc_tab *t = tab_get(lcore_id);
	struct svc_lc *lc;

	if (t == NULL)
		return EDPVS_NOMEM;
	if (m->op == SVC_OP_SVC_ADD)
		return op_svc_add(t, lcore_id, m);
	if (m->op == SVC_OP_FLUSH || (m->op == SVC_OP_ZERO && (m->flags & SVC_MSG_F_ALL)))
		return op_on_all(t, m->op);
	lc = tab_find_wire(t, &m->svc.key);
	if (lc == NULL)
		return EDPVS_NOTEXIST;
	switch (m->op) {
	case SVC_OP_SVC_EDIT:
		return svc_set_conf(lc->svc, &m->svc);
	case SVC_OP_SVC_DEL:
		svc_lc_destroy(t, lc);
		return 0;
	case SVC_OP_DEST_ADD:
	case SVC_OP_DEST_EDIT:
	case SVC_OP_DEST_DEL:
		return op_dest(lc->svc, m);
	case SVC_OP_LADDR_ADD:
	case SVC_OP_LADDR_DEL:
		return svc_lcore_laddr_apply(lc->svc, m);
	case SVC_OP_ZERO:
		svc_zero(lc->svc);
		return 0;
	default:
		return EDPVS_INVAL;
	}
}

static int svc_conf_handler(unsigned int lcore_id, const void *req, size_t len,
			    struct msg_reply *reply)
{
	struct svc_msg m;

	(void)reply;
	if (len != sizeof(m))
		return EDPVS_INVAL;
	memcpy(&m, req, sizeof(m));
	return svc_lcore_apply(lcore_id, &m);
}

/* ---- counter collection ---- */

static void stat_fill_counters(struct svc_stat_rec *r, const struct ipvs_stats *s)
{
	r->c[0] = s->conns;
	r->c[1] = s->inpkts;
	r->c[2] = s->outpkts;
	r->c[3] = s->inbytes;
	r->c[4] = s->outbytes;
}

static uint32_t svc_n_recs(const struct ipvs_service *svc)
{
	return 1 + svc->n_dests + svc->n_laddrs;
}

static void svc_put_recs(const struct svc_lc *lc, struct svc_stat_rec *r)
{
	const struct ipvs_service *svc = lc->svc;
	uint32_t i;

	memset(r, 0, svc_n_recs(svc) * sizeof(*r));
	r->svc_id = lc->id;
	r->kind = SVC_STAT_SVC;
	stat_fill_counters(r, &svc->stats);
	r++;
	for (i = 0; i < svc->n_dests; i++, r++) {
		const struct ipvs_dest *d = svc->dests[i];

		r->svc_id = lc->id;
		r->kind = SVC_STAT_DEST;
		r->af = d->af;
		r->port = ntohs(d->port);
		memcpy(&r->addr, &d->addr, sizeof(r->addr));
		r->active = d->active_conns;
		r->inactive = d->inactive_conns;
		r->persist = d->persist_conns;
		stat_fill_counters(r, &d->stats);
	}
	for (i = 0; i < svc->n_laddrs; i++, r++) {
		r->svc_id = lc->id;
		r->kind = SVC_STAT_LADDR;
		r->af = svc->laddrs[i].af;
		memcpy(&r->addr, &svc->laddrs[i].addr, sizeof(r->addr));
		r->laddr_conns = svc->laddrs[i].conns;
		r->laddr_conflicts = svc->laddrs[i].conflicts;
	}
}

static int svc_stats_handler(unsigned int lcore_id, const void *req, size_t len,
			     struct msg_reply *reply)
{
	const size_t cap = (MSG_MAX_REPLY - sizeof(struct svc_stats_rep)) /
			   sizeof(struct svc_stat_rec);
	const struct svc_tab *t = lcore_id < RTE_MAX_LCORE ? svc_tabs[lcore_id] : NULL;
	struct svc_stats_rep hdr = { 0, 0 };
	struct svc_stats_req q;
	const struct svc_lc *lc, *first = NULL;
	uint8_t *buf;
	size_t n = 0;
	int rc;

	if (len != sizeof(q))
		return EDPVS_INVAL;
	memcpy(&q, req, sizeof(q));
	if (t != NULL)
		TAILQ_FOREACH(lc, &t->list, link) {
			if (lc->id < q.min_id || (q.only_id != 0 && lc->id != q.only_id))
				continue;
			if (n + svc_n_recs(lc->svc) > cap) {
				hdr.next_id = lc->id;
				break;
			}
			first = first ? first : lc;
			n += svc_n_recs(lc->svc);
		}
	if (n == 0 && hdr.next_id != 0)
		return EDPVS_RANGE;	/* one service alone does not fit */
	buf = malloc(sizeof(hdr) + n * sizeof(struct svc_stat_rec));
	if (buf == NULL)
		return EDPVS_NOMEM;
	hdr.n = (uint32_t)n;
	memcpy(buf, &hdr, sizeof(hdr));
	n = 0;
	for (lc = first; lc != NULL && n < hdr.n; lc = TAILQ_NEXT(lc, link)) {
		if (lc->id < q.min_id || (q.only_id != 0 && lc->id != q.only_id))
			continue;
		svc_put_recs(lc, (struct svc_stat_rec *)(void *)(buf + sizeof(hdr)) + n);
		n += svc_n_recs(lc->svc);
	}
	rc = msg_reply_set(reply, buf, sizeof(hdr) + n * sizeof(struct svc_stat_rec));
	free(buf);
	return rc;
}

/* ---- connection listing ---- */

struct conn_walk_ctx {
	struct ipvs_wire_conn_entry *e;
	uint32_t n, max;
	unsigned int lcore_id;
};

/* Time left before c expires (its pending timer), or the full timeout
 * when the timer is not pending. */
static uint32_t conn_expire_ms(const struct ipvs_conn *c)
{
	uint64_t now, when;

	if (!timer_pending(&c->timer))
		return conn_timeout(c) * 1000u;
	now = timer_now_us();
	when = timer_expires_us(&c->timer);
	return when > now ? (uint32_t)RTE_MIN((when - now) / 1000u, (uint64_t)UINT32_MAX) : 0;
}

static void conn_fill(const struct ipvs_conn *c, struct ipvs_wire_conn_entry *e,
		      unsigned int lcore_id)
{
	const char *state;

	memset(e, 0, sizeof(*e));
	e->af = c->af;
	e->proto = c->proto;
	memcpy(&e->caddr, &c->caddr, 16);
	memcpy(&e->vaddr, &c->vaddr, 16);
	memcpy(&e->daddr, &c->daddr, 16);
	e->cport = ntohs(c->cport);
	e->vport = ntohs(c->vport);
	e->dport = ntohs(c->dport);
	if (c->fwd == IPVS_FWD_FNAT) {
		memcpy(&e->laddr, &c->laddr, 16);
		e->lport = ntohs(c->lport);
	}
	e->fwd = svc_fwd_to_wire(c->fwd);
	e->lcore = lcore_id;
	if (c->flags & CONN_F_TEMPLATE) {
		e->flags |= IPVS_WIRE_CONN_F_TEMPLATE;
		state = "NONE";
	} else {
		state = proto_state_name(c->proto, c->state);
	}
	snprintf(e->state, sizeof(e->state), "%s", state);
	e->expire_ms = conn_expire_ms(c);
}

static int conn_walk_cb(struct ipvs_conn *c, void *arg)
{
	struct conn_walk_ctx *x = arg;

	if (x->n >= x->max)
		return 1;
	conn_fill(c, &x->e[x->n++], x->lcore_id);
	return 0;
}

static int svc_conns_handler(unsigned int lcore_id, const void *req, size_t len,
			     struct msg_reply *reply)
{
	struct conn_table *t = conn_table_this();
	struct svc_conns_rep hdr = { 0, CONN_WALK_END };
	struct conn_walk_ctx x;
	struct svc_conns_req q;
	uint8_t *buf;
	int rc;

	if (len != sizeof(q))
		return EDPVS_INVAL;
	memcpy(&q, req, sizeof(q));
	if (q.max == 0 || q.max > IPVS_WIRE_CONN_CHUNK)
		q.max = IPVS_WIRE_CONN_CHUNK;
	buf = malloc(sizeof(hdr) + (size_t)q.max * sizeof(struct ipvs_wire_conn_entry));
	if (buf == NULL)
		return EDPVS_NOMEM;
	x.e = (struct ipvs_wire_conn_entry *)(void *)(buf + sizeof(hdr));
	x.n = 0;
	x.max = q.max;
	x.lcore_id = lcore_id;
	if (t != NULL && q.cursor != CONN_WALK_END) {
		hdr.cursor = q.cursor;
		conn_walk(t, &hdr.cursor, SVC_CONN_WALK_BUDGET, conn_walk_cb, &x);
	}
	hdr.n = x.n;
	memcpy(buf, &hdr, sizeof(hdr));
	rc = msg_reply_set(reply, buf, sizeof(hdr) + (size_t)x.n * sizeof(*x.e));
	free(buf);
	return rc;
}

/* ---- module ---- */

static const struct {
	uint32_t type;
	msg_handler_t fn;
} svc_msgs[] = {
	{ SVC_MSG_CONF, svc_conf_handler },
	{ SVC_MSG_STATS, svc_stats_handler },
	{ SVC_MSG_CONNS, svc_conns_handler },
};

int svc_lcore_register_msgs(void)
{
	unsigned int i;
	int rc;

	for (i = 0; i < DPVS_ARRAY_SIZE(svc_msgs); i++) {
		rc = msg_type_register(svc_msgs[i].type, svc_msgs[i].fn);
		if (rc != 0)
			goto err;
	}
	return 0;
err:
	while (i-- > 0)
		msg_type_unregister(svc_msgs[i].type);
	return rc;
}

void svc_lcore_unregister_msgs(void)
{
	unsigned int i;

	for (i = 0; i < DPVS_ARRAY_SIZE(svc_msgs); i++)
		msg_type_unregister(svc_msgs[i].type);
}

void svc_lcore_free_all(void)
{
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++) {
		struct svc_tab *t = svc_tabs[i];

		if (t == NULL)
			continue;
		op_on_all(t, SVC_OP_FLUSH);
		free(t);
		svc_tabs[i] = NULL;
	}
}
