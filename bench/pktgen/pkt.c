/*
 * pkt.c - dpvs-pktgen's packet builder: one IPv4/UDP or IPv4/TCP frame per
 * flow with complete, valid checksums, built once before the run.
 */
#include <string.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include "pktgen.h"

#define PG_MIN_FRAME 60u

void pg_flow_tuple(const struct pg_flowspec *fs, uint32_t i, uint32_t *sip,
		   uint16_t *sport)
{
	*sip = fs->src_ip + (i & 0xff);
	*sport = (uint16_t)(fs->src_port + (i >> 8));
}

static void pg_fill_ip(struct rte_ipv4_hdr *ip, uint32_t sip, uint32_t dip,
		       uint8_t proto, uint16_t l3_len, uint32_t i)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3_len);
	ip->packet_id = rte_cpu_to_be_16((uint16_t)i);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void pg_fill_l4(const struct pg_flowspec *fs, struct rte_ipv4_hdr *ip,
		       uint16_t sport, uint16_t l4_len, uint8_t tcp_flags, uint32_t i)
{
	if (fs->proto == PG_UDP) {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

		uh->src_port = rte_cpu_to_be_16(sport);
		uh->dst_port = rte_cpu_to_be_16(fs->dst_port);
		uh->dgram_len = rte_cpu_to_be_16(l4_len);
		uh->dgram_cksum = 0;
		uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
		return;
	}
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(fs->dst_port);
	th->sent_seq = rte_cpu_to_be_32(0x10000000u + i * 7919u +
					((tcp_flags & RTE_TCP_SYN_FLAG) ? 0 : 1));
	th->recv_ack = (tcp_flags & RTE_TCP_ACK_FLAG) ? rte_cpu_to_be_32(0x20000001u) : 0;
	th->data_off = (sizeof(*th) / 4) << 4;
	th->tcp_flags = tcp_flags;
	th->rx_win = rte_cpu_to_be_16(65535);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

struct rte_mbuf *pg_build(const struct pg_flowspec *fs, struct rte_mempool *mp,
			  uint32_t i, uint8_t tcp_flags)
{
	const uint16_t l4_hdr = fs->proto == PG_UDP ? sizeof(struct rte_udp_hdr)
						     : sizeof(struct rte_tcp_hdr);
	const uint16_t hdrs = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + l4_hdr;
	bool syn = fs->proto == PG_TCP && (tcp_flags & RTE_TCP_SYN_FLAG);
	uint32_t frame = fs->size < PG_MIN_FRAME ? PG_MIN_FRAME : fs->size;
	uint16_t payload = (syn || frame <= hdrs) ? 0 : (uint16_t)(frame - hdrs);
	struct rte_mbuf *m;
	uint32_t sip;
	uint16_t sport;

	if (frame > UINT16_MAX || (m = rte_pktmbuf_alloc(mp)) == NULL)
		return NULL;
	if (frame > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	char *p = rte_pktmbuf_append(m, (uint16_t)frame);

	memset(p, 0, frame);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

	rte_ether_addr_copy(&fs->dst_mac, &eh->dst_addr);
	rte_ether_addr_copy(&fs->src_mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	pg_flow_tuple(fs, i, &sip, &sport);
	/* payload bytes: a recognisable pattern, already zeroed padding after */
	for (uint16_t k = 0; k < payload; k++)
		p[hdrs + k] = (char)('a' + k % 26);
	pg_fill_ip(ip, sip, fs->dst_ip,
		   fs->proto == PG_UDP ? IPPROTO_UDP : IPPROTO_TCP,
		   (uint16_t)(sizeof(*ip) + l4_hdr + payload), i);
	pg_fill_l4(fs, ip, sport, (uint16_t)(l4_hdr + payload), tcp_flags, i);
	return m;
}

/* The ones' complement sum of pseudo header and segment is 0xffff. */
static bool pg_l4_ok(const struct rte_ipv4_hdr *ip, const void *l4, uint32_t len)
{
	uint32_t sum = (uint32_t)rte_raw_cksum(l4, len) + rte_ipv4_phdr_cksum(ip, 0);

	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

bool pg_check(const struct rte_mbuf *m, uint32_t expect_dst)
{
	const uint32_t min = RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr);
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
	uint32_t ihl, tot;

	if (m->nb_segs != 1 || m->data_len < min ||
	    eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
	    RTE_ETHER_HDR_LEN + tot > m->data_len || tot < ihl)
		return false;
	if (expect_dst && rte_be_to_cpu_32(ip->dst_addr) != expect_dst)
		return false;
	if (rte_raw_cksum(ip, ihl) != 0xffff)
		return false;
	if (ip->next_proto_id == IPPROTO_UDP && tot >= ihl + sizeof(struct rte_udp_hdr)) {
		const struct rte_udp_hdr *uh = (const void *)((const char *)ip + ihl);

		return uh->dgram_cksum == 0 || pg_l4_ok(ip, uh, tot - ihl);
	}
	if (ip->next_proto_id == IPPROTO_TCP && tot >= ihl + sizeof(struct rte_tcp_hdr))
		return pg_l4_ok(ip, (const char *)ip + ihl, tot - ihl);
	return true;
}
