/*
 * xmit_tunnel.c - TUNNEL forwarding: the client's packet, unchanged, inside
 * an outer IPv4 header from dpvsd's address toward the real server, which
 * decapsulates it (it holds the VIP) and answers the client directly (no
 * out direction).  Owner lcore of the conn; the encapsulation helpers are
 * pure (any lcore).
 *
 * The encapsulation is the dest's --tun-type, a const struct tun_encap:
 * the protocol of the outer header, the bytes it adds after it, and the
 * function that fills them - IPIP (protocol 4, nothing more), GUE (UDP to
 * the dest's --tun-port + a 4-byte GUE header of version 0 carrying IPv4)
 * or GRE (RFC 2784, protocol type 0x0800, 4 more bytes with --tun-csum).
 * The MTU rule holds for any of them, with its overhead:
 *   - inner packet + overhead within the path MTU toward the server: sent;
 *   - larger with DF set: dropped, ICMP fragmentation needed with
 *     next-hop MTU = path MTU - overhead sent to the client about its
 *     packet (frag_needed);
 *   - larger without DF: encapsulated anyway with DF clear on the outer
 *     header (it is copied from the inner one), and ipv4_output()
 *     fragments the outer packet; the server reassembles before it
 *     decapsulates (as Linux IPVS does);
 *   - no headroom for the outer headers: dropped, counted no_headroom.
 */
#include <string.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_jhash.h>
#include "inet_addr.h"
#include "route.h"
#include "ipvs/ipvs_wire.h"
#include "ipvs/xmit.h"

#define TUN_IPV4_LEN       20
#define TUN_UDP_LEN        8
#define TUN_GUE_LEN        4	/* version 0, no options */
#define TUN_GRE_LEN        4	/* flags/version, protocol type */
#define TUN_GRE_CSUM_LEN   4	/* checksum, reserved1 */
#define TUN_GRE_F_CSUM     0x8000u	/* C bit */
#define TUN_GRE_PROTO_IPV4 0x0800u
#define TUN_GUE_SPORT_BASE 49152u
#define TUN_GUE_SPORT_SEED 0x9e3779b9u

/* One encapsulation: outer protocol, bytes after the outer IPv4 header
 * (and with F_CSUM), and how they are filled (NULL: none). */
struct tun_encap {
	const char *name;
	uint8_t proto;
	uint8_t hdr_len;
	uint8_t csum_len;
	void (*fill)(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint16_t len,
		     const struct xmit_tun *t);
};

static void tun_gue_fill(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint16_t len,
			 const struct xmit_tun *t);
static void tun_gre_fill(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint16_t len,
			 const struct xmit_tun *t);

static const struct tun_encap tun_encaps[IPVS_WIRE_TUN_MAX] = {
	[IPVS_WIRE_TUN_IPIP] = { "ipip", IPPROTO_IPIP, 0, 0, NULL },
	[IPVS_WIRE_TUN_GUE] = { "gue", IPPROTO_UDP, TUN_UDP_LEN + TUN_GUE_LEN, 0, tun_gue_fill },
	[IPVS_WIRE_TUN_GRE] = { "gre", IPPROTO_GRE, TUN_GRE_LEN, TUN_GRE_CSUM_LEN, tun_gre_fill },
};

uint16_t xmit_tun_overhead(uint8_t type, uint8_t flags)
{
	const struct tun_encap *e = &tun_encaps[type < IPVS_WIRE_TUN_MAX ? type : 0];

	return (uint16_t)(TUN_IPV4_LEN + e->hdr_len +
			  ((flags & IPVS_WIRE_TUN_F_CSUM) ? e->csum_len : 0));
}

uint16_t xmit_gue_sport(uint32_t caddr, uint16_t cport)
{
	uint32_t h = rte_jhash_2words(caddr, cport, TUN_GUE_SPORT_SEED);

	return rte_cpu_to_be_16((uint16_t)(TUN_GUE_SPORT_BASE + h % (65536u - TUN_GUE_SPORT_BASE)));
}

/* Ones' complement sum (folded, not complemented) of len bytes from off,
 * across segments.  DPDK 22.11's rte_raw_cksum_mbuf() truncates a
 * segment's sum before swapping it after an odd-length segment, so the
 * sum is taken here: each segment's folded sum, byte-swapped when it
 * starts at an odd offset of the region. */
static uint16_t tun_sum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0;
	const struct rte_mbuf *s;

	for (s = m; s != NULL && done < len; s = s->next) {
		uint32_t dl = rte_pktmbuf_data_len(s), n;
		uint16_t part;

		if (off >= dl) {
			off -= dl;
			continue;
		}
		n = RTE_MIN(dl - off, len - done);
		part = rte_raw_cksum(rte_pktmbuf_mtod_offset(s, const uint8_t *, off), n);
		sum += (done & 1) ? rte_bswap16(part) : part;
		done += n;
		off = 0;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The UDP checksum of the datagram of ulen bytes after the outer header
 * (pseudo header included; a computed 0 goes out as 0xffff). */
static uint16_t tun_udp_cksum(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
			      uint16_t ulen)
{
	uint32_t sum = rte_ipv4_phdr_cksum(ip, 0);

	sum += tun_sum_mbuf(m, TUN_IPV4_LEN, ulen);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff ? (uint16_t)0xffff : (uint16_t)~sum;
}

/* UDP + GUE after the outer header at ip; len = whole outer packet. */
static void tun_gue_fill(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint16_t len,
			 const struct xmit_tun *t)
{
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *gue = (uint8_t *)(uh + 1);

	uh->src_port = t->sport;
	uh->dst_port = t->dport;
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)(len - TUN_IPV4_LEN));
	uh->dgram_cksum = 0;
	gue[0] = 0;		/* version 0, C 0, no optional fields */
	gue[1] = IPPROTO_IPIP;	/* the payload is an IPv4 packet */
	gue[2] = 0;
	gue[3] = 0;
	if (t->flags & IPVS_WIRE_TUN_F_CSUM)
		uh->dgram_cksum = tun_udp_cksum(m, ip, (uint16_t)(len - TUN_IPV4_LEN));
}

/* GRE header (and checksum) after the outer header at ip. */
static void tun_gre_fill(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint16_t len,
			 const struct xmit_tun *t)
{
	uint16_t *gre = (uint16_t *)(ip + 1);
	bool csum = t->flags & IPVS_WIRE_TUN_F_CSUM;

	gre[0] = rte_cpu_to_be_16(csum ? TUN_GRE_F_CSUM : 0);
	gre[1] = rte_cpu_to_be_16(TUN_GRE_PROTO_IPV4);
	if (!csum)
		return;
	gre[2] = 0;
	gre[3] = 0;
	gre[2] = (uint16_t)~tun_sum_mbuf(m, TUN_IPV4_LEN, (uint32_t)len - TUN_IPV4_LEN);
}

int xmit_tun_encap(struct rte_mbuf *m, const struct xmit_tun *t, uint16_t max_len)
{
	const struct rte_ipv4_hdr *in = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint32_t limit = max_len ? max_len : UINT16_MAX;
	uint16_t tot = rte_be_to_cpu_16(in->total_length), oh;
	const struct tun_encap *e;
	struct rte_ipv4_hdr *out;

	if (t->type >= IPVS_WIRE_TUN_MAX)
		return EDPVS_INVAL;
	e = &tun_encaps[t->type];
	oh = xmit_tun_overhead(t->type, t->flags);
	if ((uint32_t)tot + oh > limit || rte_pktmbuf_headroom(m) < oh)
		return EDPVS_NOROOM;
	out = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, oh);
	if (!out)
		return EDPVS_NOROOM;
	in = (const struct rte_ipv4_hdr *)((const uint8_t *)out + oh);
	out->version_ihl = RTE_IPV4_VHL_DEF;
	out->type_of_service = in->type_of_service;
	out->total_length = rte_cpu_to_be_16((uint16_t)(tot + oh));
	out->packet_id = in->packet_id;
	out->fragment_offset = in->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	out->time_to_live = 64;
	out->next_proto_id = e->proto;
	out->src_addr = t->saddr;
	out->dst_addr = t->daddr;
	out->hdr_checksum = 0;
	out->hdr_checksum = rte_ipv4_cksum(out);
	if (e->fill)
		e->fill(m, out, (uint16_t)(tot + oh), t);
	return 0;
}

static enum dpvs_verdict tun_in(struct ipvs_conn *c, struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct route_entry *r = route_lookup(c->daddr.in4);
	struct xmit_lcore_stats *st = xmit_stats_this();
	const struct ipvs_dest *d = c->dest;
	struct xmit_tun t;

	(void)p;
	if (unlikely(!r)) {
		st->no_route++;
		return VERDICT_DROP;
	}
	memset(&t, 0, sizeof(t));
	t.type = d ? d->tun_type : IPVS_WIRE_TUN_IPIP;
	t.flags = d ? d->tun_flags : 0;
	if (!xmit_mtu_ok(m, c->daddr.in4, xmit_tun_overhead(t.type, t.flags)))
		return VERDICT_DROP;
	t.saddr = r->src ? r->src : inet_addr_select_src(r->port, c->daddr.in4);
	t.daddr = c->daddr.in4;
	t.dport = d ? d->tun_port : 0;
	t.sport = xmit_gue_sport(c->caddr.in4, c->cport);
	if (unlikely(xmit_tun_encap(m, &t, 0) != 0)) {
		st->no_headroom++;	/* (or past 65535 bytes, or a bad type) */
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
