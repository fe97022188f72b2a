/*
 * ipvs_core.c - the IPVS datapath hook (IPV4_HOOK_PRE_ROUTING) on every
 * FWD_WORKER: parse L4 once, find the conn (both directions) in this
 * lcore's table, or find the lcore that owns the flow and redirect the
 * packet there, or - on the owner, for a packet to a virtual service -
 * schedule a real server (through a persistence template if the service
 * has one), create the conn with the forwarding ops of the dest's mode
 * bound once, and forward.  Also: ICMP errors about a conn, per-lcore
 * counters, the conn release hook.
 *
 * Owner lcore (contracts.md): hash(client addr, client port) for packets
 * to a service and for replies toward a client (NAT), the FNAT local port
 * for packets to one of our addresses; persistent services hash the client
 * address alone so a client's conns meet its template (NAT replies then
 * take a second hop).  Redirected packets carry dynamic mbuf flags that
 * bound the hops to two (see ipvs_next_hop()).
 *
 * Decisions (see doc/architecture.md): a TCP packet without a conn that is
 * not a SYN (an SCTP one that is not an INIT) is dropped and counted (no
 * RST: the client's retransmission timer or its own keepalive ends it,
 * and nothing is sent in the name of a real server we never talked to);
 * packets to no service and no conn continue in the IPv4 stack (local
 * delivery, forwarding or the kernel path decide); fragments never reach
 * the hook (ipv4_rcv() reassembles them first, ipv4_reasm.h); malformed
 * TCP/UDP/SCTP headers are dropped and counted.
 */
#include <inttypes.h>
#include <string.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "ipv4.h"
#include "netif.h"
#include "inet_addr.h"
#include "ipvs/ipvs.h"
#include "ipvs/xmit.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "ipvs/sched.h"
#include "ipvs/svc.h"
#include "ipvs/fwmark.h"

DPVS_LOG_REGISTER(ipvs);

#define IPVS_HOOK_PRIO 100

struct ipvs_ctx {
	uint64_t flag_hop1;		/* ol_flags bit: redirected once, may go on */
	uint64_t flag_final;		/* ol_flags bit: redirected, handle it here */
	unsigned int n_workers;
	unsigned int worker_lcore[RTE_MAX_LCORE];	/* index -> lcore id */
	int16_t worker_index[RTE_MAX_LCORE];		/* lcore id -> index, -1 */
	bool hooked;
};

static struct ipvs_ctx ipvs_ctx;
static struct ipvs_lcore_stats ipvs_stats[RTE_MAX_LCORE];

unsigned int ipvs_n_workers(void)
{
	return ipvs_ctx.n_workers;
}

int ipvs_worker_index(unsigned int lcore_id)
{
	return lcore_id < RTE_MAX_LCORE ? ipvs_ctx.worker_index[lcore_id] : -1;
}

const struct ipvs_lcore_stats *ipvs_lcore_stats_get(unsigned int lcore_id)
{
	return lcore_id < RTE_MAX_LCORE ? &ipvs_stats[lcore_id] : NULL;
}

/* ---- owner lcore ---- */

/*
 * Where a packet that found no conn here goes next.  Returns the lcore to
 * hand it to, or this lcore's id to handle it here; *hop is the mbuf flag
 * that marks the hop.  *svc is the service the packet is for (NULL if
 * none).  Rules:
 *   - to a service: hash(client addr, client port); persistent services
 *     hash(client addr, 0), so all of a client's conns meet its template;
 *   - to one of our addresses: the FNAT local port's worker;
 *   - anything else (a NAT reply server -> client): first hash(client addr,
 *     client port) (hop1), then, if that lcore has no conn either,
 *     hash(client addr, 0) (final hop: conns of persistent services).
 * A packet marked final is never redirected again (service copies may
 * briefly disagree between lcores while a change is published).
 */
static unsigned int ipvs_next_hop(uint8_t proto, uint32_t saddr, uint16_t sport,
				  uint32_t daddr, uint16_t dport, uint64_t ol_flags,
				  struct ipvs_service **svc, uint64_t *hop)
{
	const union inet_addr va = { .in4 = daddr };
	unsigned int self = rte_lcore_id(), n = ipvs_ctx.n_workers;
	unsigned int idx;
	uint32_t mark;

	*svc = ipvs_svc_lookup(AF_INET, proto, &va, dport, 0);
	if (*svc == NULL && (mark = fwmark_classify(proto, saddr, daddr, dport)) != 0)
		*svc = ipvs_svc_lookup(AF_INET, proto, &va, dport, mark);
	*hop = ipvs_ctx.flag_final;
	if (ol_flags & ipvs_ctx.flag_final)
		return self;
	if (*svc) {
		idx = ipvs_owner_index(saddr, ((*svc)->flags & SVC_F_PERSISTENT) ? 0 : sport, n);
		return ipvs_ctx.worker_lcore[idx];
	}
	if (inet_addr_is_local(daddr))
		return ipvs_ctx.worker_lcore[ipvs_lport_owner_index(dport, n)];
	if (!(ol_flags & ipvs_ctx.flag_hop1)) {
		unsigned int first = ipvs_ctx.worker_lcore[ipvs_owner_index(daddr, dport, n)];

		if (first != self) {
			*hop = ipvs_ctx.flag_hop1;
			return first;
		}
	}
	return ipvs_ctx.worker_lcore[ipvs_owner_index(daddr, 0, n)];
}

/* Hand m to lcore to (marked with hop) unless it is this one.  true when m
 * is gone. */
static bool ipvs_redirect(struct rte_mbuf *m, unsigned int to, uint64_t hop,
			  struct ipvs_lcore_stats *st)
{
	if (to == rte_lcore_id())
		return false;
	m->ol_flags |= hop;
	if (netif_redirect(m, to) == 0)
		st->redirected++;
	else
		st->redirect_fail++;
	return true;
}

/* ---- packets of a conn ---- */

static void ipvs_count(struct ipvs_conn *c, enum conn_dir dir, uint32_t bytes)
{
	struct ipvs_dest *d = c->dest;
	struct ipvs_stats *ds = &d->stats;
	struct ipvs_stats *ss = d->svc ? &d->svc->stats : NULL;

	if (dir == CONN_DIR_IN) {
		ds->inpkts++;
		ds->inbytes += bytes;
		if (ss) {
			ss->inpkts++;
			ss->inbytes += bytes;
		}
	} else {
		ds->outpkts++;
		ds->outbytes += bytes;
		if (ss) {
			ss->outpkts++;
			ss->outbytes += bytes;
		}
	}
}

/* The forwarding ops of a conn (bound by its mode; templates have none). */
static inline const struct xmit_ops *ipvs_conn_ops(const struct ipvs_conn *c)
{
	return (c->flags & CONN_F_TEMPLATE) ? NULL : xmit_ops_get(c->fwd);
}

/*
 * One-packet scheduling (ipvsadm -o, UDP): every client datagram is
 * scheduled afresh (ipvs_conn_reused()), but a NAT or FNAT conn must stay
 * until the real server's reply has been translated back, else the client
 * never gets it.  So an OPS conn whose replies come through us lives until
 * its first reply or 5 s (IPVS_OPS_REPLY_TIMEOUT_US), whichever is first; DR and
 * TUNNEL OPS conns (replies bypass us) go right after the client packet.
 * Several OPS conns of one client port may coexist (one per datagram in
 * flight): the newest is found first on both tuples, each reply takes one.
 */
#define IPVS_OPS_REPLY_TIMEOUT_US (5u * 1000000ull)	/* 5 s */

static void ipvs_ops_after_xmit(struct conn_table *t, struct ipvs_conn *c, enum conn_dir dir)
{
	if (dir == CONN_DIR_OUT || (c->flags & CONN_F_IN_ONLY)) {
		conn_del(t, c);
		return;
	}
	if (timer_schedule(&c->timer, IPVS_OPS_REPLY_TIMEOUT_US) != 0)
		conn_del(t, c);
}

static enum dpvs_verdict ipvs_conn_xmit(struct conn_table *t, struct ipvs_conn *c,
					enum conn_dir dir, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	enum proto_dir pdir = dir == CONN_DIR_OUT ? PROTO_DIR_OUT :
			      (c->flags & CONN_F_IN_ONLY) ? PROTO_DIR_IN_ONLY : PROTO_DIR_IN;
	enum dpvs_verdict (*op)(struct ipvs_conn *, struct rte_mbuf *, struct ipvs_pkt *);
	const struct xmit_ops *xo = ipvs_conn_ops(c);
	unsigned int old_state;
	enum dpvs_verdict v;
	uint32_t bytes;

	op = !xo ? NULL : dir == CONN_DIR_IN ? xo->in : xo->out;
	if (!op)
		return VERDICT_ACCEPT;	/* e.g. a DR server routing its replies through us */
	old_state = c->state;
	proto_conn_update(c, pdir, p->proto == IPPROTO_SCTP ? p->sctp_chunk : p->tcp_flags);
	if (proto_conn_rearm(c, pdir, old_state))
		conn_touch(t, c);
	bytes = rte_pktmbuf_pkt_len(m);	/* m may be gone after op */
	v = op(c, m, p);
	if (unlikely(v == VERDICT_DROP))
		ipvs_stats[rte_lcore_id()].xmit_fail++;	/* not in the conn's counters */
	else
		ipvs_count(c, dir, bytes);
	if (unlikely(c->flags & CONN_F_ONEPACKET))
		ipvs_ops_after_xmit(t, c, dir);
	return v;
}

/* ---- new conns ---- */

static struct ipvs_dest *ipvs_schedule(struct conn_table *t, struct ipvs_service *svc,
				       const struct rte_mbuf *m, const struct ipvs_pkt *p,
				       struct ipvs_conn **tmpl)
{
	const union inet_addr sa = { .in4 = p->saddr }, da = { .in4 = p->daddr };
	struct sched_key key = { .af = AF_INET, .proto = p->proto, .sport = p->sport,
				 .dport = p->dport, .saddr = &sa, .daddr = &da };
	uint8_t quic[IPVS_QUIC_PEEK] __rte_aligned(sizeof(uint32_t));
	struct ipvs_dest *d;
	int err;

	if (svc->conhash_key == SCHED_KEY_QUIC_CID)
		key.quic_cid_len = ipvs_pkt_quic_dcid(m, p, quic, &key.quic_cid);
	*tmpl = NULL;
	if (!(svc->flags & SVC_F_PERSISTENT))
		return sched_schedule(svc, &key);
	*tmpl = conn_tmpl_lookup(t, svc, &sa);
	if (*tmpl) {
		conn_touch(t, *tmpl);
		return (*tmpl)->dest;
	}
	d = sched_schedule(svc, &key);
	if (d)
		*tmpl = conn_tmpl_new(t, svc, &sa, d, &err);	/* none: no persistence */
	return d;
}

static void ipvs_conn_param(struct conn_param *cp, const struct ipvs_service *svc,
			    const struct ipvs_dest *d, const struct xmit_ops *xo,
			    const struct ipvs_pkt *p)
{
	memset(cp, 0, sizeof(*cp));
	cp->af = AF_INET;
	cp->proto = p->proto;
	cp->fwd = d->fwd;
	cp->flags = xo->conn_flags;
	if ((svc->flags & SVC_F_ONEPACKET) && p->proto == IPPROTO_UDP)
		cp->flags |= CONN_F_ONEPACKET;
	cp->caddr.in4 = p->saddr;
	cp->vaddr.in4 = p->daddr;
	cp->laddr.in4 = p->saddr;	/* FNAT's conn_prepare replaces it */
	cp->daddr = d->addr;
	cp->cport = p->sport;
	cp->vport = p->dport;
	cp->lport = p->sport;
	cp->dport = d->port ? d->port : p->dport;
}

/* The mode's conn_prepare (FNAT: local address and port).  A call that
 * finds no free port on the local address it took returns EDPVS_RESOURCE
 * and has moved the service's round-robin cursor on, so it is tried once
 * per local address of the service before the conn is refused. */
static int ipvs_prepare(const struct xmit_ops *xo, struct ipvs_service *svc,
			struct conn_param *cp)
{
	uint32_t tries = svc->n_laddrs > 1 ? svc->n_laddrs : 1;
	int rc;

	if (!xo->conn_prepare)
		return 0;
	do {
		rc = xo->conn_prepare(svc, cp);
	} while (unlikely(rc == EDPVS_RESOURCE) && --tries > 0);
	return rc;
}

static enum dpvs_verdict ipvs_new_conn(struct conn_table *t, struct ipvs_service *svc,
				       struct rte_mbuf *m, struct ipvs_pkt *p,
				       struct ipvs_lcore_stats *st)
{
	struct ipvs_conn *tmpl, *c;
	const struct xmit_ops *xo;
	struct ipvs_dest *d;
	struct conn_param cp;
	int err;

	if (p->proto == IPPROTO_TCP &&
	    (p->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) !=
		    RTE_TCP_SYN_FLAG) {
		st->tcp_no_syn++;
		return VERDICT_DROP;
	}
	/* Only an INIT (verification tag 0, RFC 9260 section 8.5.1) starts an
	 * SCTP association. */
	if (p->proto == IPPROTO_SCTP &&
	    (p->sctp_chunk != PROTO_SCTP_CHUNK_INIT || p->sctp_vtag != 0)) {
		st->sctp_no_init++;
		return VERDICT_DROP;
	}
	d = ipvs_schedule(t, svc, m, p, &tmpl);
	xo = d ? xmit_ops_get(d->fwd) : NULL;
	if (!xo || d->af != AF_INET) {
		st->sched_fail++;
		return VERDICT_DROP;
	}
	ipvs_conn_param(&cp, svc, d, xo, p);
	if (ipvs_prepare(xo, svc, &cp) != 0) {
		st->conn_fail++;
		return VERDICT_DROP;
	}
	c = conn_new(t, &cp, d, tmpl, &err);
	if (!c) {
		if (xo->conn_unprepare)
			xo->conn_unprepare(svc, &cp);	/* e.g. FNAT's laddr count */
		st->conn_fail++;
		return VERDICT_DROP;
	}
	st->conn_new++;
	return ipvs_conn_xmit(t, c, CONN_DIR_IN, m, p);
}

/* ---- ICMP errors ---- */

static enum dpvs_verdict ipvs_icmp(struct conn_table *t, struct rte_mbuf *m, struct ipvs_pkt *p,
				   struct ipvs_lcore_stats *st)
{
	/* The quoted packet reversed is a packet of the conn's own flow. */
	const union inet_addr s = { .in4 = p->inner_daddr }, d = { .in4 = p->inner_saddr };
	enum dpvs_verdict (*op)(struct ipvs_conn *, struct rte_mbuf *, struct ipvs_pkt *);
	const struct xmit_ops *xo;
	struct ipvs_service *svc;
	struct ipvs_conn *c;
	enum conn_dir dir;

	c = conn_lookup(t, AF_INET, p->inner_proto, &s, p->inner_dport, &d, p->inner_sport, &dir);
	if (!c) {
		uint64_t hop;
		unsigned int to = ipvs_next_hop(p->inner_proto, p->inner_daddr, p->inner_dport,
						p->inner_saddr, p->inner_sport, m->ol_flags, &svc,
						&hop);

		if (ipvs_redirect(m, to, hop, st))
			return VERDICT_STOLEN;
		st->icmp_drop += svc ? 1 : 0;
		return svc ? VERDICT_DROP : VERDICT_ACCEPT;
	}
	xo = ipvs_conn_ops(c);
	op = !xo ? NULL : dir == CONN_DIR_IN ? xo->icmp_in : xo->icmp_out;
	if (!op)
		return VERDICT_ACCEPT;
	st->icmp_fwd++;
	return op(c, m, p);
}

/* ---- the hook ---- */

/* A client SYN on the tuple of a TCP conn that saw a FIN or RST (FIN_WAIT,
 * CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE): the client reused its port for a
 * new connection, which is scheduled afresh (and, for FNAT, gets a fresh
 * local port).  Any client datagram on the tuple of a one-packet conn:
 * see ipvs_ops_after_xmit(). */
static inline bool ipvs_conn_reused(const struct ipvs_conn *c, enum conn_dir dir,
				    const struct ipvs_pkt *p)
{
	if (unlikely(c->flags & CONN_F_ONEPACKET))
		return dir == CONN_DIR_IN;	/* each datagram is scheduled afresh */
	if (p->proto == IPPROTO_SCTP)	/* a new association after CLOSED / REJECTED */
		return dir == CONN_DIR_IN && p->sctp_chunk == PROTO_SCTP_CHUNK_INIT &&
		       proto_sctp_reusable(c->state);
	if (dir != CONN_DIR_IN || p->proto != IPPROTO_TCP ||
	    (p->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) != RTE_TCP_SYN_FLAG)
		return false;
	switch (c->state) {
	case TCP_S_FIN_WAIT:
	case TCP_S_CLOSE_WAIT:
	case TCP_S_LAST_ACK:
	case TCP_S_TIME_WAIT:
	case TCP_S_CLOSE:
		return true;
	default:
		return false;
	}
}

/* Drop bytes past the IPv4 total length (Ethernet padding) so that
 * insertions and encapsulation keep the packet exact. */
static void ipvs_trim(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);

	if (unlikely(rte_pktmbuf_pkt_len(m) > tot))
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - tot));
}

enum dpvs_verdict ipvs_pre_routing(void *priv, struct rte_mbuf *m, struct netif_port *in_port)
{
	struct conn_table *t = conn_table_this();
	unsigned int lcore = rte_lcore_id();
	struct ipvs_lcore_stats *st;
	struct ipvs_service *svc;
	struct ipvs_conn *c;
	struct ipvs_pkt p;
	enum conn_dir dir;
	unsigned int to;
	uint64_t hop;
	int rc;

	(void)priv;
	(void)in_port;
	if (unlikely(!t || lcore >= RTE_MAX_LCORE || ipvs_ctx.n_workers == 0))
		return VERDICT_ACCEPT;
	st = &ipvs_stats[lcore];
	rc = ipvs_pkt_parse(m, &p);
	if (rc == EDPVS_NOTSUPP)
		return VERDICT_ACCEPT;
	if (unlikely(rc != 0)) {
		st->malformed++;
		return VERDICT_DROP;
	}
	st->pkts++;
	ipvs_trim(m);
	if (unlikely(p.icmp_err))
		return ipvs_icmp(t, m, &p, st);
	c = conn_lookup(t, AF_INET, p.proto, &(union inet_addr){ .in4 = p.saddr }, p.sport,
			&(union inet_addr){ .in4 = p.daddr }, p.dport, &dir);
	if (likely(c != NULL)) {
		if (likely(!ipvs_conn_reused(c, dir, &p))) {
			st->conn_hit++;
			return ipvs_conn_xmit(t, c, dir, m, &p);
		}
		if (!(c->flags & CONN_F_ONEPACKET))
			conn_del(t, c);	/* a new connection on an old tuple */
		st->conn_reused++;	/* (an OPS conn waits for its reply) */
	}
	to = ipvs_next_hop(p.proto, p.saddr, p.sport, p.daddr, p.dport, m->ol_flags, &svc, &hop);
	if (ipvs_redirect(m, to, hop, st))
		return VERDICT_STOLEN;
	if (!svc) {
		st->no_service++;
		return VERDICT_ACCEPT;
	}
	return ipvs_new_conn(t, svc, m, &p, st);
}

/* ---- module ---- */

static void ipvs_conn_release(struct ipvs_conn *c)
{
	const struct xmit_ops *xo = ipvs_conn_ops(c);

	if (xo && xo->conn_release)
		xo->conn_release(c);
}

int ipvs_set_workers(const unsigned int *lcore_ids, unsigned int n)
{
	unsigned int i;

	if (n > RTE_MAX_LCORE || (n && !lcore_ids))
		return EDPVS_INVAL;
	for (i = 0; i < n; i++)
		if (lcore_ids[i] >= RTE_MAX_LCORE)
			return EDPVS_INVAL;
	for (i = 0; i < RTE_MAX_LCORE; i++)
		ipvs_ctx.worker_index[i] = -1;
	ipvs_ctx.n_workers = 0;
	for (i = 0; i < n; i++) {
		if (ipvs_ctx.worker_index[lcore_ids[i]] >= 0) {
			ipvs_ctx.n_workers = 0;
			return EDPVS_INVAL;	/* duplicate */
		}
		ipvs_ctx.worker_index[lcore_ids[i]] = (int16_t)i;
		ipvs_ctx.worker_lcore[i] = lcore_ids[i];
	}
	ipvs_ctx.n_workers = n;
	return 0;
}

static int ipvs_workers_setup(void)
{
	unsigned int ids[RTE_MAX_LCORE];
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER), k = 0;

	for (i = 0; i < n && k < RTE_MAX_LCORE; i++) {
		unsigned int id = job_role_lcore(JOB_ROLE_FWD_WORKER, i);

		if (id < RTE_MAX_LCORE)
			ids[k++] = id;
	}
	return ipvs_set_workers(ids, k);
}

int ipvs_init(void)
{
	static const struct rte_mbuf_dynflag hop1 = { .name = "dpvsd_ipvs_hop1" };
	static const struct rte_mbuf_dynflag final = { .name = "dpvsd_ipvs_final" };
	int bit1, bit2, rc;

	rc = ipvs_workers_setup();
	if (rc != 0)
		return rc;
	bit1 = rte_mbuf_dynflag_register(&hop1);
	bit2 = rte_mbuf_dynflag_register(&final);
	if (bit1 < 0 || bit2 < 0) {
		DPVS_LOG(ipvs, ERR, "cannot register the redirect mbuf flags");
		return EDPVS_NOMEM;
	}
	ipvs_ctx.flag_hop1 = 1ULL << bit1;
	ipvs_ctx.flag_final = 1ULL << bit2;
	rc = ipv4_hook_register(IPV4_HOOK_PRE_ROUTING, IPVS_HOOK_PRIO, ipvs_pre_routing, NULL);
	if (rc != 0) {
		DPVS_LOG(ipvs, ERR, "cannot register the PRE_ROUTING hook: %s", dpvs_strerror(rc));
		return rc;
	}
	ipvs_ctx.hooked = true;
	conn_set_release_hook(ipvs_conn_release);
	DPVS_LOG(ipvs, INFO, "datapath up on %u forwarding lcore(s)", ipvs_ctx.n_workers);
	return 0;
}

/* One log line of counters per worker (the daemon's log keeps them after
 * a stop; tests read them there). */
static void ipvs_log_stats(void)
{
	unsigned int i;

	for (i = 0; i < ipvs_ctx.n_workers; i++) {
		unsigned int id = ipvs_ctx.worker_lcore[i];
		const struct ipvs_lcore_stats *s = &ipvs_stats[id];
		const struct xmit_lcore_stats *x = xmit_lcore_stats_get(id);

		DPVS_LOG(ipvs, INFO, "lcore %u: pkts %" PRIu64 " hit %" PRIu64 " new %" PRIu64 " reused %" PRIu64
			 " redirected %" PRIu64 " redirect_fail %" PRIu64 " no_service %" PRIu64
			 " sched_fail %" PRIu64 " conn_fail %" PRIu64 " tcp_no_syn %" PRIu64
			 " icmp_fwd %" PRIu64 " icmp_drop %" PRIu64 " xmit_fail %" PRIu64
			 " malformed %" PRIu64 " sctp_no_init %" PRIu64, id, s->pkts, s->conn_hit, s->conn_new, s->conn_reused,
			 s->redirected, s->redirect_fail, s->no_service, s->sched_fail,
			 s->conn_fail, s->tcp_no_syn, s->icmp_fwd, s->icmp_drop, s->xmit_fail,
			 s->malformed, s->sctp_no_init);
		DPVS_LOG(ipvs, INFO, "lcore %u: xmit sent %" PRIu64 " out_err %" PRIu64
			 " no_route %" PRIu64 " ttl_expired %" PRIu64 " toa %" PRIu64
			 " toa_noroom %" PRIu64 " pp2 %" PRIu64 " pp2_fail %" PRIu64
			 " mss_clamped %" PRIu64 " no_lport %" PRIu64, id, x->sent, x->out_err,
			 x->no_route, x->ttl_expired, x->toa_added, x->toa_noroom, x->pp2_added,
			 x->pp2_fail, x->mss_clamped, x->no_lport);
	}
}

void ipvs_term(void)
{
	ipvs_log_stats();
	if (ipvs_ctx.hooked)
		ipv4_hook_unregister(IPV4_HOOK_PRE_ROUTING, ipvs_pre_routing, NULL);
	ipvs_ctx.hooked = false;
	conn_set_release_hook(NULL);
}
