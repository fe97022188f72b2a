/*
 * xmit_nat.c - NAT (masquerading) forwarding: DNAT on the way in (client
 * -> real server), the reverse on the way out (the real servers route
 * their replies back through dpvsd), and ICMP errors translated the same
 * way.  The path MTU is checked before the rewrite (xmit_mtu_ok()), so a
 * DF packet too big for the next hop gets its ICMP fragmentation needed
 * about the packet its sender sent (client -> VIP on the way in, RS ->
 * client on the way out), from dpvsd's address on that side.  Owner lcore
 * of the conn; see include/ipvs/xmit.h.
 */
#include "ipvs/xmit.h"

static enum dpvs_verdict nat_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct xmit_tuple t = { p->saddr, c->daddr.in4, p->sport, c->dport };

	if (!xmit_mtu_ok(m, c->daddr.in4, 0) || !xmit_forward_ttl(m))
		return VERDICT_DROP;
	xmit_set_tuple(m, p, &t);
	return xmit_output_csum_ok(m);	/* header checksum kept right */
}

static enum dpvs_verdict nat_out(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct xmit_tuple t = { c->vaddr.in4, p->daddr, c->vport, p->dport };

	if (!xmit_mtu_ok(m, p->daddr, 0) || !xmit_forward_ttl(m))
		return VERDICT_DROP;
	xmit_set_tuple(m, p, &t);
	return xmit_output_csum_ok(m);	/* header checksum kept right */
}

/* The client side reports on what we sent it (VIP -> client): make it
 * about what the real server sent (RS -> client) and send it there. */
static enum dpvs_verdict nat_icmp_in(struct ipvs_conn *c, struct rte_mbuf *m,
				     struct ipvs_pkt *p)
{
	const struct xmit_tuple inner = { c->daddr.in4, p->inner_daddr, c->dport,
					  p->inner_dport };

	if (!xmit_forward_ttl(m))
		return VERDICT_DROP;
	xmit_icmp_translate(m, p, p->saddr, c->daddr.in4, &inner);
	return xmit_output(m);
}

/* The server side reports on client -> RS: make it client -> VIP, from the
 * VIP when the real server itself sent it. */
static enum dpvs_verdict nat_icmp_out(struct ipvs_conn *c, struct rte_mbuf *m,
				      struct ipvs_pkt *p)
{
	const struct xmit_tuple inner = { p->inner_saddr, c->vaddr.in4, p->inner_sport,
					  c->vport };
	uint32_t src = p->saddr == c->daddr.in4 ? c->vaddr.in4 : p->saddr;

	if (!xmit_forward_ttl(m))
		return VERDICT_DROP;
	xmit_icmp_translate(m, p, src, p->daddr, &inner);
	return xmit_output(m);
}

const struct xmit_ops xmit_nat_ops = {
	.name = "nat",
	.fwd = IPVS_FWD_NAT,
	.conn_flags = 0,
	.conn_prepare = NULL,
	.conn_release = NULL,
	.in = nat_in,
	.out = nat_out,
	.icmp_in = nat_icmp_in,
	.icmp_out = nat_icmp_out,
};
