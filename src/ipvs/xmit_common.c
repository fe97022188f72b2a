/*
 * xmit_common.c - what the IPVS forwarding modes share beyond header
 * rewriting: the mode registry (enum ipvs_fwd_mode -> const struct
 * xmit_ops), per-lcore forwarding counters, output through the IPv4 stack,
 * TTL handling and the path MTU toward an address.  Any FWD_WORKER.
 */
#include <rte_ip.h>
#include <rte_lcore.h>
#include "dpvs_err.h"
#include "ipv4.h"
#include "icmp.h"
#include "netif.h"
#include "route.h"
#include "ipvs/xmit.h"

#define ICMP_TIME_EXCEEDED 11
#define ICMP_DEST_UNREACH  3
#define ICMP_FRAG_NEEDED   4
#define XMIT_DEFAULT_MTU   1500
#define IPV4_MIN_MTU       68	/* RFC 791: every host takes 68 bytes unfragmented */

static struct xmit_lcore_stats xmit_stats[RTE_MAX_LCORE];

static const struct xmit_ops *const xmit_modes[IPVS_FWD_MAX] = {
	[IPVS_FWD_FNAT] = &xmit_fnat_ops,
	[IPVS_FWD_NAT] = &xmit_nat_ops,
	[IPVS_FWD_DR] = &xmit_dr_ops,
	[IPVS_FWD_TUNNEL] = &xmit_tunnel_ops,
};

const struct xmit_ops *xmit_ops_get(unsigned int fwd)
{
	return fwd < IPVS_FWD_MAX ? xmit_modes[fwd] : NULL;
}

const struct xmit_lcore_stats *xmit_lcore_stats_get(unsigned int lcore_id)
{
	return lcore_id < RTE_MAX_LCORE ? &xmit_stats[lcore_id] : NULL;
}

struct xmit_lcore_stats *xmit_stats_this(void)
{
	unsigned int id = rte_lcore_id();

	/* Non-EAL threads (tests) share slot 0. */
	return &xmit_stats[id < RTE_MAX_LCORE ? id : 0];
}

static xmit_send_fn xmit_send_hook;	/* tests only; NULL: the IPv4 stack */

void xmit_set_send_hook(xmit_send_fn fn)
{
	xmit_send_hook = fn;
}

static inline enum dpvs_verdict xmit_count(int rc)
{
	struct xmit_lcore_stats *st = xmit_stats_this();

	if (likely(rc == 0))
		st->sent++;
	else if (rc == EDPVS_NOTEXIST)
		st->no_route++;
	else
		st->out_err++;
	return VERDICT_STOLEN;
}

enum dpvs_verdict xmit_send(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop)
{
	int rc;

	if (unlikely(xmit_send_hook != NULL))
		rc = xmit_send_hook(m, port, nexthop);
	else if (port)
		rc = ipv4_xmit_nexthop(m, port, nexthop);
	else
		rc = ipv4_output(m);
	return xmit_count(rc);
}

enum dpvs_verdict xmit_output_csum_ok(struct rte_mbuf *m)
{
	if (unlikely(xmit_send_hook != NULL))
		return xmit_count(xmit_send_hook(m, NULL, 0));
	return xmit_count(ipv4_output_csum_ok(m));
}

bool xmit_forward_ttl(struct rte_mbuf *m)
{
	if (likely(xmit_ttl_dec(m)))
		return true;
	xmit_stats_this()->ttl_expired++;
	icmp_send_error(m, ICMP_TIME_EXCEEDED, 0, 0);
	return false;
}

uint16_t xmit_path_mtu(uint32_t daddr)
{
	const struct route_entry *r = route_lookup(daddr);
	uint16_t port_mtu = r && r->port && r->port->mtu ? r->port->mtu : XMIT_DEFAULT_MTU;

	if (r && r->mtu && r->mtu < port_mtu)
		return r->mtu;
	return port_mtu;
}

bool xmit_mtu_ok(struct rte_mbuf *m, uint32_t daddr, uint16_t overhead)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t tot = rte_be_to_cpu_16(ip->total_length);
	uint16_t mtu = xmit_path_mtu(daddr);
	uint32_t next_hop_mtu;

	if (likely(tot + overhead <= mtu))
		return true;
	if (!(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)))
		return true;	/* ipv4_output() fragments it */
	next_hop_mtu = mtu > overhead + IPV4_MIN_MTU ? (uint32_t)(mtu - overhead) : IPV4_MIN_MTU;
	icmp_send_error(m, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, next_hop_mtu);
	xmit_stats_this()->frag_needed++;
	return false;
}
