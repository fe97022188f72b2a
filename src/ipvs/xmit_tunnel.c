/*
 * xmit_tunnel.c - TUNNEL forwarding: the client's packet, unchanged, inside
 * an outer header from dpvsd's address toward the real server, which
 * decapsulates it (it holds the VIP) and answers the client directly (no
 * out direction).  Owner lcore of the conn.
 *
 * The encapsulation is a const struct tun_encap: the bytes it adds and the
 * function that adds them (IPIP today), so the MTU rule below holds for
 * any encapsulation:
 *   - inner packet + overhead within the path MTU toward the server: sent;
 *   - larger with DF set: dropped, ICMP fragmentation needed with
 *     next-hop MTU = path MTU - overhead sent to the client about its
 *     packet (frag_needed);
 *   - larger without DF: encapsulated anyway with DF clear on the outer
 *     header (it is copied from the inner one), and ipv4_output()
 *     fragments the outer packet; the server reassembles before it
 *     decapsulates (as Linux IPVS does);
 *   - no headroom for the outer header: dropped, counted no_headroom.
 */
#include <rte_ip.h>
#include "inet_addr.h"
#include "route.h"
#include "ipvs/xmit.h"

/* One encapsulation: the header bytes it adds, and how. */
struct tun_encap {
	const char *name;
	uint16_t overhead;
	/* Prepend the outer headers saddr -> daddr; max_len as for
	 * xmit_ipip_encap().  0 or EDPVS_NOROOM. */
	int (*encap)(struct rte_mbuf *m, uint32_t saddr, uint32_t daddr, uint16_t max_len);
};

static const struct tun_encap tun_ipip = {
	.name = "ipip",
	.overhead = sizeof(struct rte_ipv4_hdr),
	.encap = xmit_ipip_encap,
};

static enum dpvs_verdict tun_xmit(const struct tun_encap *e, struct ipvs_conn *c,
				  struct rte_mbuf *m)
{
	const struct route_entry *r = route_lookup(c->daddr.in4);
	struct xmit_lcore_stats *st = xmit_stats_this();
	uint32_t src;

	if (unlikely(!r)) {
		st->no_route++;
		return VERDICT_DROP;
	}
	if (!xmit_mtu_ok(m, c->daddr.in4, e->overhead))
		return VERDICT_DROP;
	src = r->src ? r->src : inet_addr_select_src(r->port, c->daddr.in4);
	if (unlikely(e->encap(m, src, c->daddr.in4, 0) != 0)) {
		st->no_headroom++;	/* (or past 65535 bytes) */
		return VERDICT_DROP;
	}
	return xmit_output(m);
}

static enum dpvs_verdict tun_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	(void)p;
	return tun_xmit(&tun_ipip, c, m);
}

const struct xmit_ops xmit_tunnel_ops = {
	.name = "tunnel",
	.fwd = IPVS_FWD_TUNNEL,
	.conn_flags = CONN_F_IN_ONLY,
	.conn_prepare = NULL,
	.conn_release = NULL,
	.in = tun_in,
	.out = NULL,
	/* An error about what the server sent the client reached the VIP:
	 * tunnel it to the server like the client's packets. */
	.icmp_in = tun_in,
	.icmp_out = NULL,
};
