/*
 * xmit_fnat.c - FNAT (full NAT) forwarding: client:cport -> VIP:vport
 * becomes laddr:lport -> RS:rport on the way in and the reverse on the way
 * out, so real servers need no route back through dpvsd.
 *
 * Local ports: every FWD_WORKER allocates only ports p with
 * p % n_workers == its worker index (ipvs_lport_owner_index()), so the
 * destination port of a reply names the lcore that owns the conn.  A
 * per-lcore cursor walks that set; a port is taken for (laddr, RS:rport)
 * when no conn of this lcore uses the same out tuple (conn_lookup), so
 * nothing needs releasing when a conn ends and the same port serves many
 * real servers.  Local addresses come round-robin from the service's list.
 *
 * Client address for the real server, per service:
 *   - TOA (kmod/toa, SVC_F_TOA: on for TCP services unless ipvsadm
 *     --no-toa): option kind 254 in the SYN and in the ACK that ends the
 *     handshake.
 *   - PROXY protocol v2 (SVC_F_PROXY_PROTO): the 28-byte header goes at
 *     the start of the client's stream (seq = ISN + 1), in the first client
 *     segment there: normally the ACK that completes the handshake, which
 *     becomes a 28-byte data segment, so servers that speak first (SMTP,
 *     MySQL) get it before the client says anything; or the first data
 *     when that ACK never reached us.  Until the server acknowledges the
 *     header, every client segment at ISN + 1 carries it again (a lost
 *     handshake ACK is recovered by the server's SYN-ACK retransmission,
 *     whose answer is such a segment); afterwards they are shifted like the
 *     rest: later client sequence numbers are moved up by 28 and the
 *     server's acknowledgments and SACK edges moved back.
 * Both grow client packets, so the server's SYN-ACK MSS is clamped to fit
 * the path MTU toward the server.
 *
 * Path MTU: both directions are checked before the rewrite
 * (xmit_mtu_ok()): a DF packet too big for the next hop (the PROXY header
 * counted on the segment that gets it) is dropped with ICMP fragmentation
 * needed sent to its sender about the packet it sent - the client about
 * client -> VIP, the real server about RS -> local address - instead of to
 * the rewritten source (ourselves).
 *
 * Per-conn state in the conn's datapath fields: xmit_priv32 = client
 * ISN + 1 (host order), CONN_F_XMIT0 = PROXY header sent, CONN_F_XMIT1 =
 * TOA put in the handshake ACK, CONN_F_XMIT2 = client SYN seen,
 * CONN_F_XMIT3 = the server acknowledged the PROXY header.
 * Owner lcore of the conn; see include/ipvs/xmit.h.
 */
#include <rte_lcore.h>
#include <rte_tcp.h>
#include "ipvs/xmit.h"
#include "ipvs/toa.h"
#include "ipvs/proxy_proto.h"

#define FNAT_F_PP2_SENT  CONN_F_XMIT0
#define FNAT_F_TOA_ACK   CONN_F_XMIT1
#define FNAT_F_SYN_SEEN  CONN_F_XMIT2
#define FNAT_F_PP2_ACKED CONN_F_XMIT3
#define FNAT_PORT_TRIES  64u
#define TCPIP_HDR_LEN    40u

struct fnat_lcore {
	uint32_t cursor;	/* next local port to try (host order) */
} __rte_cache_aligned;

static struct fnat_lcore fnat_lcores[RTE_MAX_LCORE];
static uint16_t fnat_port_min = 1024;
static uint16_t fnat_port_max = 65535;

int xmit_fnat_set_port_range(uint16_t min, uint16_t max)
{
	unsigned int n = ipvs_n_workers();

	if (min == 0 || min > max || (unsigned int)(max - min) + 1 < (n ? n : 1))
		return EDPVS_RANGE;
	fnat_port_min = min;
	fnat_port_max = max;
	return 0;
}

/* Next port of this lcore's set (worker idx of n). */
static uint16_t fnat_next_port(struct fnat_lcore *lc, unsigned int idx, unsigned int n)
{
	uint32_t first = fnat_port_min + (idx + n - fnat_port_min % n) % n;
	uint32_t port = lc->cursor;

	if (port < first || port > fnat_port_max || port % n != idx)
		port = first;
	lc->cursor = port + n > fnat_port_max ? first : port + n;
	return (uint16_t)port;
}

static int fnat_conn_prepare(struct ipvs_service *svc, struct conn_param *cp)
{
	unsigned int lcore = rte_lcore_id();
	int idx = ipvs_worker_index(lcore);
	unsigned int n = ipvs_n_workers();
	struct conn_table *t = conn_table_this();
	struct ipvs_laddr *la;
	unsigned int i;

	if (svc->n_laddrs == 0 || idx < 0 || n == 0 || !t)
		goto err_none;
	la = &svc->laddrs[svc->laddr_next++ % svc->n_laddrs];
	if (la->af != AF_INET)
		goto err_none;
	for (i = 0; i < FNAT_PORT_TRIES; i++) {
		uint16_t lport = rte_cpu_to_be_16(fnat_next_port(&fnat_lcores[lcore],
								 (unsigned int)idx, n));

		if (conn_lookup(t, AF_INET, cp->proto, &cp->daddr, cp->dport, &la->addr, lport,
				NULL))
			continue;
		cp->laddr = la->addr;
		cp->lport = lport;
		la->conns++;
		return 0;
	}
	la->conflicts++;	/* every port tried is in use toward this server */
err_none:
	xmit_stats_this()->no_lport++;
	return EDPVS_RESOURCE;
}

static void fnat_conn_release(struct ipvs_conn *c)
{
	struct ipvs_service *svc = c->dest ? c->dest->svc : NULL;
	uint32_t i;

	for (i = 0; svc && i < svc->n_laddrs; i++) {
		if (svc->laddrs[i].addr.in4 == c->laddr.in4 && svc->laddrs[i].conns > 0) {
			svc->laddrs[i].conns--;
			return;
		}
	}
}

/* The conn of cp was not created: the local address is one conn lighter.
 * (The port itself is not held: it is free as soon as no conn uses it.) */
static void fnat_conn_unprepare(struct ipvs_service *svc, const struct conn_param *cp)
{
	uint32_t i;

	for (i = 0; i < svc->n_laddrs; i++) {
		if (svc->laddrs[i].addr.in4 == cp->laddr.in4 && svc->laddrs[i].conns > 0) {
			svc->laddrs[i].conns--;
			return;
		}
	}
}

static bool fnat_wants_toa(const struct ipvs_service *svc)
{
	return (svc->flags & SVC_F_TOA) != 0;
}

/* Bytes FNAT may add to a client packet of svc. */
static uint16_t fnat_growth(const struct ipvs_service *svc)
{
	return (uint16_t)((fnat_wants_toa(svc) ? TOA_OPT_LEN : 0) +
			  ((svc->flags & SVC_F_PROXY_PROTO) ? PP2_HDR_V4_LEN : 0));
}

static void fnat_toa_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p, bool syn)
{
	struct xmit_lcore_stats *st = xmit_stats_this();
	int rc;

	if (!syn) {
		if ((c->flags & FNAT_F_TOA_ACK) || !(p->tcp_flags & RTE_TCP_ACK_FLAG))
			return;
		c->flags |= FNAT_F_TOA_ACK;
	}
	rc = toa_insert(m, p, c->caddr.in4, c->cport, xmit_path_mtu(c->daddr.in4));
	if (rc == 0)
		st->toa_added++;
	else if (rc == EDPVS_NOROOM)
		st->toa_noroom++;
}

/* Does this client segment carry the PROXY header: an ACK (neither SYN nor
 * RST) at ISN + 1 while the server has not acknowledged the header? */
static bool fnat_pp2_due(const struct ipvs_conn *c, const struct ipvs_pkt *p)
{
	const uint8_t f = RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;

	return (c->flags & (FNAT_F_SYN_SEEN | FNAT_F_PP2_ACKED)) == FNAT_F_SYN_SEEN &&
	       p->seq == c->xmit_priv32 && (p->tcp_flags & f) == RTE_TCP_ACK_FLAG;
}

/* PROXY v2 on the way in.  0, or an error: drop the packet (the client
 * retransmits its data; a dropped handshake ACK is answered again when
 * the server retransmits its SYN-ACK). */
static int fnat_pp2_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	struct xmit_lcore_stats *st = xmit_stats_this();
	int32_t rel = (int32_t)(p->seq - c->xmit_priv32);
	int rc;

	if (!(c->flags & FNAT_F_SYN_SEEN))
		return 0;	/* conn picked up mid-stream: no header possible */
	if (fnat_pp2_due(c, p)) {
		/* no length bound: xmit_mtu_ok() already refused a DF packet
		 * the header would push past the path MTU, and ipv4_output()
		 * fragments one without DF */
		rc = pp2_insert(m, p, c->caddr.in4, c->cport, c->vaddr.in4, c->vport, 0);
		if (rc != 0) {
			st->pp2_fail++;
			return rc;
		}
		st->pp2_added++;
		c->flags |= FNAT_F_PP2_SENT;
		return 0;
	}
	if ((c->flags & FNAT_F_PP2_SENT) && rel >= 0)
		xmit_tcp_seq_adjust(m, p, PP2_HDR_V4_LEN, 0);
	return 0;
}

static int fnat_tcp_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct ipvs_service *svc = c->dest->svc;
	bool syn = (p->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG;

	if (syn) {
		c->xmit_priv32 = p->seq + 1;
		c->flags |= FNAT_F_SYN_SEEN;
	}
	if (fnat_wants_toa(svc))
		fnat_toa_in(c, m, p, syn);
	if (svc->flags & SVC_F_PROXY_PROTO)
		return fnat_pp2_in(c, m, p);
	return 0;
}

/* Bytes this client packet must grow by: the PROXY header on the segment
 * that carries it (TOA is optional: skipped when it does not fit). */
static uint16_t fnat_in_overhead(const struct ipvs_conn *c, const struct ipvs_pkt *p)
{
	if (p->proto != IPPROTO_TCP || !(c->dest->svc->flags & SVC_F_PROXY_PROTO) ||
	    !fnat_pp2_due(c, p))
		return 0;
	return PP2_HDR_V4_LEN;
}

static enum dpvs_verdict fnat_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct xmit_tuple t = { c->laddr.in4, c->daddr.in4, c->lport, c->dport };

	if (!xmit_mtu_ok(m, c->daddr.in4, fnat_in_overhead(c, p)) || !xmit_forward_ttl(m))
		return VERDICT_DROP;
	if (p->proto == IPPROTO_TCP && fnat_tcp_in(c, m, p) != 0)
		return VERDICT_DROP;
	xmit_set_tuple(m, p, &t);
	return xmit_output_csum_ok(m);	/* header checksum kept right */
}

/* Server -> client TCP: MSS clamp on the SYN-ACK, PROXY v2 ack shift. */
static void fnat_tcp_out(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct ipvs_service *svc = c->dest->svc;
	const uint8_t synack = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	uint32_t rel;

	if ((p->tcp_flags & synack) == synack) {
		uint16_t growth = fnat_growth(svc);
		uint16_t mtu = xmit_path_mtu(c->daddr.in4);

		if (growth && mtu > TCPIP_HDR_LEN + growth &&
		    xmit_tcp_mss_clamp(m, p, (uint16_t)(mtu - TCPIP_HDR_LEN - growth)))
			xmit_stats_this()->mss_clamped++;
	}
	if (!(c->flags & FNAT_F_PP2_SENT) || !(p->tcp_flags & RTE_TCP_ACK_FLAG))
		return;
	rel = p->ack - c->xmit_priv32;
	if ((int32_t)rel >= (int32_t)PP2_HDR_V4_LEN) {
		c->flags |= FNAT_F_PP2_ACKED;
		xmit_tcp_seq_adjust(m, p, 0, (uint32_t)-PP2_HDR_V4_LEN);
	} else if ((int32_t)rel > 0)
		xmit_tcp_seq_adjust(m, p, 0, (uint32_t)-rel);	/* inside the header */
	xmit_tcp_sack_adjust(m, p, (uint32_t)-PP2_HDR_V4_LEN);
}

static enum dpvs_verdict fnat_out(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct xmit_tuple t = { c->vaddr.in4, c->caddr.in4, c->vport, c->cport };

	if (!xmit_mtu_ok(m, c->caddr.in4, 0) || !xmit_forward_ttl(m))
		return VERDICT_DROP;
	if (p->proto == IPPROTO_TCP)
		fnat_tcp_out(c, m, p);
	xmit_set_tuple(m, p, &t);
	return xmit_output_csum_ok(m);	/* header checksum kept right */
}

/* The client side reports on VIP -> client: make it about RS -> laddr. */
static enum dpvs_verdict fnat_icmp_in(struct ipvs_conn *c, struct rte_mbuf *m,
				      struct ipvs_pkt *p)
{
	const struct xmit_tuple inner = { c->daddr.in4, c->laddr.in4, c->dport, c->lport };

	if (!xmit_forward_ttl(m))
		return VERDICT_DROP;
	xmit_icmp_translate(m, p, c->laddr.in4, c->daddr.in4, &inner);
	return xmit_output(m);
}

/* The server side reports on laddr -> RS: make it client -> VIP, from the
 * VIP (the client cannot reach the server network). */
static enum dpvs_verdict fnat_icmp_out(struct ipvs_conn *c, struct rte_mbuf *m,
				       struct ipvs_pkt *p)
{
	const struct xmit_tuple inner = { c->caddr.in4, c->vaddr.in4, c->cport, c->vport };

	if (!xmit_forward_ttl(m))
		return VERDICT_DROP;
	xmit_icmp_translate(m, p, c->vaddr.in4, c->caddr.in4, &inner);
	return xmit_output(m);
}

const struct xmit_ops xmit_fnat_ops = {
	.name = "fnat",
	.fwd = IPVS_FWD_FNAT,
	.conn_flags = 0,
	.conn_prepare = fnat_conn_prepare,
	.conn_release = fnat_conn_release,
	.conn_unprepare = fnat_conn_unprepare,
	.in = fnat_in,
	.out = fnat_out,
	.icmp_in = fnat_icmp_in,
	.icmp_out = fnat_icmp_out,
};
