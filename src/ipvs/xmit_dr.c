/*
 * xmit_dr.c - direct routing: the packet is not changed at L3; it goes to
 * the real server's MAC on the connected network (ipv4_xmit_nexthop with
 * the real server as next hop).  The real server holds the VIP on lo
 * (arp_ignore/arp_announce) and answers the client directly, so there is
 * no out direction.  Owner lcore of the conn.
 */
#include "route.h"
#include "ipvs/xmit.h"

static enum dpvs_verdict dr_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct route_entry *r = route_lookup(c->daddr.in4);
	struct xmit_lcore_stats *st = xmit_stats_this();

	(void)p;
	if (unlikely(!r || !r->port)) {
		st->no_route++;
		return VERDICT_DROP;
	}
	return xmit_send(m, r->port, c->daddr.in4);
}

const struct xmit_ops xmit_dr_ops = {
	.name = "dr",
	.fwd = IPVS_FWD_DR,
	.conn_flags = CONN_F_IN_ONLY,
	.conn_prepare = NULL,
	.conn_release = NULL,
	.in = dr_in,
	.out = NULL,
	/* An error about what the server sent the client (VIP -> client)
	 * came to the VIP: the server holds the VIP too, pass it on as is. */
	.icmp_in = dr_in,
	.icmp_out = NULL,
};
