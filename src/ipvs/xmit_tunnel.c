/*
 * xmit_tunnel.c - TUNNEL forwarding: the client's packet, unchanged, inside
 * an IPIP header from dpvsd's address toward the real server, which
 * decapsulates it (it holds the VIP) and answers the client directly (no
 * out direction).  A packet that would exceed the path MTU once
 * encapsulated is dropped with ICMP fragmentation-needed (inner MTU) when
 * it has DF set.  Owner lcore of the conn.
 */
#include <rte_ip.h>
#include "icmp.h"
#include "inet_addr.h"
#include "route.h"
#include "ipvs/xmit.h"

#define ICMP_DEST_UNREACH  3
#define ICMP_FRAG_NEEDED   4
#define IPIP_OVERHEAD      20

static enum dpvs_verdict tun_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct route_entry *r = route_lookup(c->daddr.in4);
	struct xmit_lcore_stats *st = xmit_stats_this();
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t mtu = xmit_path_mtu(c->daddr.in4);
	uint32_t src;
	int rc;

	(void)p;
	if (unlikely(!r)) {
		st->no_route++;
		return VERDICT_DROP;
	}
	src = r->src ? r->src : inet_addr_select_src(r->port, c->daddr.in4);
	rc = xmit_ipip_encap(m, src, c->daddr.in4, mtu);
	if (unlikely(rc != 0)) {
		if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))
			icmp_send_error(m, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
					(uint32_t)(mtu - IPIP_OVERHEAD));
		st->out_err++;
		return VERDICT_DROP;
	}
	return xmit_output(m);
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
