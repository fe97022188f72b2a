/*
 * ipvs_pkt.c - parse an IPv4 packet's L4 header (TCP, UDP, SCTP, ICMP)
 * once for the IPVS hook (struct ipvs_pkt), including the tuple quoted by
 * an ICMP error, and the owner-lcore hash of a client.  Pure functions: no
 * state, any lcore.  Fragments never get here: ipv4_rcv() drops them
 * before the PRE_ROUTING hooks (no reassembly), so the L4 header read here
 * is the packet's own.
 */
#include <string.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_sctp.h>
#include <rte_jhash.h>
#include "dpvs_err.h"
#include "ipvs/ipvs.h"
#include "ipvs/proto.h"

#define IPVS_OWNER_SEED 0x1e5b9c7du

/* ICMP error types (RFC 792) that quote the offending packet. */
enum {
	ICMP_T_DEST_UNREACH = 3,
	ICMP_T_SOURCE_QUENCH = 4,
	ICMP_T_TIME_EXCEEDED = 11,
	ICMP_T_PARAM_PROBLEM = 12,
};

#define QUIC_LONG_HEADER 0x80
#define QUIC_FIXED_BIT   0x40
#define QUIC_LONG_DCID_OFF 6	/* byte 0, version (4), DCID length */

uint8_t ipvs_quic_dcid(const uint8_t *b, size_t len, size_t *off)
{
	size_t dlen, slen;

	if (len < 1)
		return 0;
	if (!(b[0] & QUIC_LONG_HEADER)) {
		if (!(b[0] & QUIC_FIXED_BIT) || len < 1 + IPVS_QUIC_SHORT_CID_LEN)
			return 0;
		*off = 1;
		return IPVS_QUIC_SHORT_CID_LEN;
	}
	if (len < QUIC_LONG_DCID_OFF + 1 || (b[1] | b[2] | b[3] | b[4]) == 0)
		return 0;	/* truncated, or version negotiation */
	dlen = b[QUIC_LONG_DCID_OFF - 1];
	if (dlen == 0 || dlen > IPVS_QUIC_CID_MAX || len < QUIC_LONG_DCID_OFF + dlen + 1)
		return 0;
	slen = b[QUIC_LONG_DCID_OFF + dlen];
	if (slen > IPVS_QUIC_CID_MAX || len < QUIC_LONG_DCID_OFF + dlen + 1 + slen)
		return 0;
	*off = QUIC_LONG_DCID_OFF;
	return (uint8_t)dlen;
}

uint8_t ipvs_pkt_quic_dcid(const struct rte_mbuf *m, const struct ipvs_pkt *p,
			   uint8_t buf[IPVS_QUIC_PEEK], const uint8_t **cid)
{
	uint32_t n = RTE_MIN((uint32_t)p->payload_len, (uint32_t)IPVS_QUIC_PEEK);
	const uint8_t *b;
	size_t off = 0;
	uint8_t len;

	*cid = NULL;
	if (p->proto != IPPROTO_UDP || n == 0)
		return 0;
	b = rte_pktmbuf_read(m, (uint32_t)p->l3_len + p->l4_len, n, buf);
	if (b == NULL)
		return 0;
	len = ipvs_quic_dcid(b, n, &off);
	if (len) {
		memmove(buf, b + off, len);	/* aligned for the word-wise hash */
		*cid = buf;
	}
	return len;
}

unsigned int ipvs_owner_index(uint32_t caddr, uint16_t cport, unsigned int n)
{
	return rte_jhash_2words(caddr, cport, IPVS_OWNER_SEED) % n;
}

static bool icmp_is_error(uint8_t type)
{
	return type == ICMP_T_DEST_UNREACH || type == ICMP_T_SOURCE_QUENCH ||
	       type == ICMP_T_TIME_EXCEEDED || type == ICMP_T_PARAM_PROBLEM;
}

static int parse_tcp(const struct rte_mbuf *m, uint16_t tot, struct ipvs_pkt *p)
{
	const struct rte_tcp_hdr *th;

	if (p->l3_len + sizeof(*th) > rte_pktmbuf_data_len(m) ||
	    p->l3_len + sizeof(*th) > tot)
		return EDPVS_INVAL;
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, p->l3_len);
	p->l4_len = (uint16_t)((th->data_off >> 4) * 4);
	if (p->l4_len < sizeof(*th) || p->l3_len + p->l4_len > tot ||
	    p->l3_len + p->l4_len > rte_pktmbuf_data_len(m))
		return EDPVS_INVAL;
	p->sport = th->src_port;
	p->dport = th->dst_port;
	/* Port 0 is reserved: never forward it (a NAT server would answer to
	 * port 0, which its own stack refuses). */
	if (p->sport == 0 || p->dport == 0)
		return EDPVS_INVAL;
	p->tcp_flags = th->tcp_flags;
	p->seq = rte_be_to_cpu_32(th->sent_seq);
	p->ack = rte_be_to_cpu_32(th->recv_ack);
	p->payload_len = (uint16_t)(tot - p->l3_len - p->l4_len);
	return 0;
}

static int parse_udp(const struct rte_mbuf *m, uint16_t tot, struct ipvs_pkt *p)
{
	const struct rte_udp_hdr *uh;
	uint16_t ulen;

	if (p->l3_len + sizeof(*uh) > rte_pktmbuf_data_len(m) ||
	    p->l3_len + sizeof(*uh) > tot)
		return EDPVS_INVAL;
	uh = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, p->l3_len);
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (ulen < sizeof(*uh) || ulen > tot - p->l3_len)
		return EDPVS_INVAL;
	p->l4_len = sizeof(*uh);
	p->sport = uh->src_port;
	p->dport = uh->dst_port;
	if (p->sport == 0 || p->dport == 0)
		return EDPVS_INVAL;	/* reserved port, as for TCP */
	p->payload_len = (uint16_t)(ulen - sizeof(*uh));
	return 0;
}

/* SCTP: the common header (ports, verification tag) and the first chunk's
 * type; an ABORT bundled after a first COOKIE ECHO or COOKIE ACK (RFC 9260
 * section 6.10 allows control chunks before an ABORT) makes the chunk
 * ABORT.  Chunk lengths are checked against the packet; the checksum is
 * checked only where a rewrite needs it (xmit.c). */
static int parse_sctp(const struct rte_mbuf *m, uint16_t tot, struct ipvs_pkt *p)
{
	const uint32_t off = p->l3_len + PROTO_SCTP_HDR_LEN;
	const struct rte_sctp_hdr *sh;
	const uint8_t *ch;
	uint16_t clen;

	if (off + 4u > rte_pktmbuf_data_len(m) || off + 4u > tot)
		return EDPVS_INVAL;	/* no room for a chunk header */
	sh = rte_pktmbuf_mtod_offset(m, const struct rte_sctp_hdr *, p->l3_len);
	ch = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	clen = (uint16_t)((ch[2] << 8) | ch[3]);
	if (clen < 4 || off + clen > tot)
		return EDPVS_INVAL;
	p->l4_len = PROTO_SCTP_HDR_LEN;
	p->sport = sh->src_port;
	p->dport = sh->dst_port;
	if (p->sport == 0 || p->dport == 0)
		return EDPVS_INVAL;	/* reserved port, as for TCP */
	p->sctp_vtag = sh->tag;
	p->sctp_chunk = ch[0];
	p->payload_len = (uint16_t)(tot - off);
	if (ch[0] == PROTO_SCTP_CHUNK_COOKIE_ECHO || ch[0] == PROTO_SCTP_CHUNK_COOKIE_ACK) {
		uint32_t next = off + ((clen + 3u) & ~3u);

		if (next + 4u <= tot && next < rte_pktmbuf_data_len(m) &&
		    *rte_pktmbuf_mtod_offset(m, const uint8_t *, next) == PROTO_SCTP_CHUNK_ABORT)
			p->sctp_chunk = PROTO_SCTP_CHUNK_ABORT;
	}
	return 0;
}

/* The IPv4 header and 8 L4 bytes quoted by an ICMP error. */
static int parse_icmp_inner(const struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct rte_ipv4_hdr *in;
	const uint16_t *ports;
	uint16_t off = (uint16_t)(p->l3_len + 8);

	if (off + sizeof(*in) > rte_pktmbuf_data_len(m))
		return EDPVS_INVAL;
	in = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, off);
	p->inner_l3_len = (uint16_t)((in->version_ihl & 0x0f) * 4);
	if ((in->version_ihl >> 4) != 4 || p->inner_l3_len < sizeof(*in) ||
	    off + p->inner_l3_len + 8u > rte_pktmbuf_data_len(m))
		return EDPVS_INVAL;
	if (in->next_proto_id != IPPROTO_TCP && in->next_proto_id != IPPROTO_UDP &&
	    in->next_proto_id != IPPROTO_SCTP)
		return EDPVS_NOTSUPP;
	ports = rte_pktmbuf_mtod_offset(m, const uint16_t *, off + p->inner_l3_len);
	p->icmp_err = true;
	p->inner_off = off;
	p->inner_proto = in->next_proto_id;
	p->inner_saddr = in->src_addr;
	p->inner_daddr = in->dst_addr;
	p->inner_sport = ports[0];
	p->inner_dport = ports[1];
	return 0;
}

static int parse_icmp(const struct rte_mbuf *m, uint16_t tot, struct ipvs_pkt *p)
{
	const struct rte_icmp_hdr *ih;

	if (p->l3_len + 8u > rte_pktmbuf_data_len(m) || p->l3_len + 8u > tot)
		return EDPVS_INVAL;
	ih = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, p->l3_len);
	p->icmp_type = ih->icmp_type;
	p->icmp_code = ih->icmp_code;
	p->l4_len = 8;
	p->payload_len = (uint16_t)(tot - p->l3_len - 8);
	if (!icmp_is_error(ih->icmp_type))
		return EDPVS_NOTSUPP;
	return parse_icmp_inner(m, p);
}

int ipvs_pkt_parse(const struct rte_mbuf *m, struct ipvs_pkt *p)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint16_t tot;

	memset(p, 0, sizeof(*p));
	if (rte_pktmbuf_data_len(m) < sizeof(*ip))
		return EDPVS_INVAL;
	p->l3_len = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || p->l3_len < sizeof(*ip) || tot < p->l3_len ||
	    tot > rte_pktmbuf_pkt_len(m) || p->l3_len > rte_pktmbuf_data_len(m))
		return EDPVS_INVAL;
	p->proto = ip->next_proto_id;
	p->saddr = ip->src_addr;
	p->daddr = ip->dst_addr;
	switch (p->proto) {
	case IPPROTO_TCP:
		return parse_tcp(m, tot, p);
	case IPPROTO_UDP:
		return parse_udp(m, tot, p);
	case IPPROTO_SCTP:
		return parse_sctp(m, tot, p);
	case IPPROTO_ICMP:
		return parse_icmp(m, tot, p);
	default:
		return EDPVS_NOTSUPP;
	}
}
