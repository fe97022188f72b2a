/*
 * test_xmit.cc - header rewrites of the IPVS forwarding helpers on crafted
 * mbufs: every address, port, length and sequence number checked, every
 * checksum verified by recomputing it from scratch; TOA option bytes, PROXY
 * protocol v2 header bytes, packet parsing and the owner-lcore hash.
 * TUNNEL encapsulations (IPIP, GUE, GRE with and without checksums).
 * Suites: XmitCsum, XmitPkt, XmitRewrite, XmitToa, XmitPp2, XmitTun, XmitIcmp.
 */
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <cstring>
#include <vector>

#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_icmp.h>

extern "C" {
#include "dpvs_err.h"
#include "ipvs/ipvs.h"
#include "ipvs/ipvs_wire.h"
#include "ipvs/xmit.h"
#include "ipvs/toa.h"
#include "ipvs/proxy_proto.h"
}
#include "test_eal.h"

namespace {

uint32_t ip4(const char *s)
{
	in_addr a{};
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

struct rte_mempool *pool()
{
	static struct rte_mempool *mp;

	if (!mp)
		mp = rte_pktmbuf_pool_create("test_xmit", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     SOCKET_ID_ANY);
	return mp;
}

/* What a test packet is made of. */
struct spec {
	uint8_t proto = IPPROTO_TCP;
	uint32_t saddr = ip4("10.0.0.1"), daddr = ip4("192.168.1.100");
	uint16_t sport = htons(40000), dport = htons(80);
	uint8_t flags = RTE_TCP_ACK_FLAG;
	uint32_t seq = 1000, ack = 5000;
	std::vector<uint8_t> opts;	/* TCP options, multiple of 4 */
	std::vector<uint8_t> payload;
	bool udp_nocsum = false;
};

/* Build IPv4 + TCP/UDP with valid checksums at the mbuf's data. */
struct rte_mbuf *build(const spec &s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool());
	size_t l4 = s.proto == IPPROTO_TCP ? sizeof(rte_tcp_hdr) + s.opts.size()
					   : sizeof(rte_udp_hdr);
	size_t tot = sizeof(rte_ipv4_hdr) + l4 + s.payload.size();
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)tot);

	memset(ip, 0, tot);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons((uint16_t)tot);
	ip->packet_id = htons(0x1234);
	ip->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = s.proto;
	ip->src_addr = s.saddr;
	ip->dst_addr = s.daddr;
	uint8_t *l4p = (uint8_t *)(ip + 1);
	if (s.proto == IPPROTO_TCP) {
		auto *th = (rte_tcp_hdr *)l4p;
		th->src_port = s.sport;
		th->dst_port = s.dport;
		th->sent_seq = htonl(s.seq);
		th->recv_ack = htonl(s.ack);
		th->data_off = (uint8_t)((l4 / 4) << 4);
		th->tcp_flags = s.flags;
		th->rx_win = htons(65535);
		if (!s.opts.empty())
			memcpy(th + 1, s.opts.data(), s.opts.size());
	} else {
		auto *uh = (rte_udp_hdr *)l4p;
		uh->src_port = s.sport;
		uh->dst_port = s.dport;
		uh->dgram_len = htons((uint16_t)(l4 + s.payload.size()));
	}
	if (!s.payload.empty())
		memcpy(l4p + l4, s.payload.data(), s.payload.size());
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (s.proto == IPPROTO_TCP)
		((rte_tcp_hdr *)l4p)->cksum = rte_ipv4_udptcp_cksum(ip, l4p);
	else if (!s.udp_nocsum)
		((rte_udp_hdr *)l4p)->dgram_cksum = rte_ipv4_udptcp_cksum(ip, l4p);
	m->l3_len = sizeof(*ip);
	return m;
}

rte_ipv4_hdr *iph(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, rte_ipv4_hdr *);
}

template <typename T> T *l4h(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, T *, (iph(m)->version_ihl & 0xf) * 4);
}

/* Checksums recomputed from scratch: IPv4 header, then TCP/UDP. */
void expect_csums_ok(struct rte_mbuf *m)
{
	rte_ipv4_hdr *ip = iph(m);
	void *l4 = l4h<uint8_t>(m);

	EXPECT_EQ(0xffff, rte_raw_cksum(ip, (ip->version_ihl & 0xf) * 4)) << "IPv4 header csum";
	ASSERT_EQ(ntohs(ip->total_length), rte_pktmbuf_pkt_len(m));
	if (ip->next_proto_id == IPPROTO_UDP && ((rte_udp_hdr *)l4)->dgram_cksum == 0)
		return;
	size_t l4len = ntohs(ip->total_length) - (ip->version_ihl & 0xf) * 4;
	uint32_t sum = (uint32_t)rte_raw_cksum(l4, l4len) + rte_ipv4_phdr_cksum(ip, 0);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	EXPECT_EQ(0xffffu, sum) << "L4 csum";
}

std::vector<uint8_t> bytes(struct rte_mbuf *m, size_t off, size_t n)
{
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	return std::vector<uint8_t>(p, p + n);
}

/* Typical Linux SYN options: MSS 1460, SACK permitted, timestamps, NOP, wscale 7. */
const std::vector<uint8_t> syn_opts = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1,
				       0, 0, 0, 0, 1, 3, 3, 7};

class XmitTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		ASSERT_NE(nullptr, pool());
	}
	void TearDown() override
	{
		for (auto *m : mbufs)
			rte_pktmbuf_free(m);
	}
	struct rte_mbuf *mk(const spec &s, ipvs_pkt *p)
	{
		struct rte_mbuf *m = build(s);
		mbufs.push_back(m);
		EXPECT_EQ(0, ipvs_pkt_parse(m, p));
		return m;
	}
	std::vector<struct rte_mbuf *> mbufs;
};

} // namespace

/* ---- checksum arithmetic ---- */

TEST(XmitCsum, ReplaceMatchesRecompute)
{
	uint16_t buf[16];
	for (unsigned i = 0; i < 16; i++)
		buf[i] = (uint16_t)(i * 7919u + 13u);
	for (unsigned trial = 0; trial < 200; trial++) {
		uint16_t csum = (uint16_t)~rte_raw_cksum(buf, sizeof(buf));
		unsigned w = trial % 15;
		uint32_t old32, new32 = trial * 2654435761u;
		memcpy(&old32, &buf[w], 4);
		memcpy(&buf[w], &new32, 4);
		csum = xmit_csum_replace4(csum, old32, new32);
		EXPECT_EQ((uint16_t)~rte_raw_cksum(buf, sizeof(buf)) ?: 0xffff, csum ?: 0xffff);
		uint16_t o = buf[trial % 16], n = (uint16_t)(trial * 40503u);
		buf[trial % 16] = n;
		csum = xmit_csum_replace2(csum, o, n);
		EXPECT_EQ((uint16_t)~rte_raw_cksum(buf, sizeof(buf)) ?: 0xffff, csum ?: 0xffff);
	}
}

/* ---- parsing ---- */

TEST_F(XmitTest, XmitPktParseTcpUdp)
{
	ipvs_pkt p;
	spec s;
	s.opts = syn_opts;
	s.flags = RTE_TCP_SYN_FLAG;
	s.payload = {1, 2, 3};
	mk(s, &p);
	EXPECT_EQ(IPPROTO_TCP, p.proto);
	EXPECT_EQ(20, p.l3_len);
	EXPECT_EQ(40, p.l4_len);
	EXPECT_EQ(3, p.payload_len);
	EXPECT_EQ(s.saddr, p.saddr);
	EXPECT_EQ(s.dport, p.dport);
	EXPECT_EQ(1000u, p.seq);
	EXPECT_EQ(RTE_TCP_SYN_FLAG, p.tcp_flags);
	EXPECT_FALSE(p.icmp_err);

	spec u;
	u.proto = IPPROTO_UDP;
	u.payload = {9, 9, 9, 9, 9};
	mk(u, &p);
	EXPECT_EQ(IPPROTO_UDP, p.proto);
	EXPECT_EQ(8, p.l4_len);
	EXPECT_EQ(5, p.payload_len);
	EXPECT_EQ(u.sport, p.sport);
}

TEST_F(XmitTest, XmitPktParseRejects)
{
	ipvs_pkt p;
	spec s;
	struct rte_mbuf *m = build(s);
	mbufs.push_back(m);
	/* bad data offset (< 5 words) */
	l4h<rte_tcp_hdr>(m)->data_off = 0x40;
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(m, &p));
	/* data offset past the packet */
	l4h<rte_tcp_hdr>(m)->data_off = 0xf0;
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(m, &p));
	l4h<rte_tcp_hdr>(m)->data_off = 0x50;
	EXPECT_EQ(0, ipvs_pkt_parse(m, &p));
	/* total length beyond the frame */
	iph(m)->total_length = htons(200);
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(m, &p));
	iph(m)->total_length = htons(40);
	/* other protocol */
	iph(m)->next_proto_id = 47;
	EXPECT_EQ(EDPVS_NOTSUPP, ipvs_pkt_parse(m, &p));
	/* UDP length larger than the IP payload */
	spec u;
	u.proto = IPPROTO_UDP;
	struct rte_mbuf *mu = build(u);
	mbufs.push_back(mu);
	l4h<rte_udp_hdr>(mu)->dgram_len = htons(100);
	EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(mu, &p));
}

TEST(XmitPkt, OwnerIndex)
{
	unsigned hits[2] = {0, 0};
	for (uint32_t i = 0; i < 2000; i++) {
		unsigned a = ipvs_owner_index(htonl(0x0a000001 + i), htons((uint16_t)(1024 + i)), 2);
		ASSERT_LT(a, 2u);
		EXPECT_EQ(a, ipvs_owner_index(htonl(0x0a000001 + i), htons((uint16_t)(1024 + i)), 2));
		hits[a]++;
	}
	EXPECT_GT(hits[0], 800u);
	EXPECT_GT(hits[1], 800u);
	EXPECT_EQ(0u, ipvs_lport_owner_index(htons(1024), 2));
	EXPECT_EQ(1u, ipvs_lport_owner_index(htons(1025), 2));
	EXPECT_EQ(2u, ipvs_lport_owner_index(htons(1025), 3));
}

/* ---- QUIC destination connection ids ---- */

namespace {

/* RFC 9001 A.2: the start of the client Initial (header protection applied,
 * so byte 0 is 0xc0): version 1, DCID 8394c8f03e515708, SCID empty, token
 * length 0, length 0x449e, then protected bytes. */
const std::vector<uint8_t> rfc9001_client_initial = {
	0xc0, 0x00, 0x00, 0x00, 0x01, 0x08, 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08,
	0x00, 0x00, 0x44, 0x9e, 0x7b, 0x9a, 0xec, 0x34, 0xd1, 0xb1, 0xc9, 0x8d, 0xd7, 0x68,
	0x9f, 0xb8, 0xec, 0x11, 0xd2, 0x42, 0xb1, 0x23, 0xdc, 0x9b, 0xd8, 0xba, 0xb9, 0x36,
	0xb4, 0x7d, 0x92, 0xec, 0x35, 0x6c, 0x0b, 0xab, 0x7d, 0xf5, 0x97, 0x6d, 0x27, 0xcd};
/* RFC 9001 A.3: the server Initial: DCID empty, SCID f067a5502a4262b5. */
const std::vector<uint8_t> rfc9001_server_initial = {
	0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62,
	0xb5, 0x00, 0x40, 0x75, 0xc0, 0xd9, 0x5a, 0x48, 0x2c, 0xd0, 0x99, 0x1c, 0xd2, 0x5b};
/* A 1-RTT packet: 0x40 | key phase/PN length bits, 8-byte DCID, PN, payload. */
const std::vector<uint8_t> short_hdr = {0x43, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
					0x00, 0x00, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

std::vector<uint8_t> dcid_of(const std::vector<uint8_t> &b, size_t len)
{
	size_t off = 999;
	uint8_t n = ipvs_quic_dcid(b.data(), len, &off);

	if (n == 0)
		return {};
	EXPECT_LE(off + n, len);
	return std::vector<uint8_t>(b.begin() + (long)off, b.begin() + (long)(off + n));
}

} // namespace

TEST(XmitPkt, QuicLongHeaderDcid)
{
	const std::vector<uint8_t> want = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
	const auto &ci = rfc9001_client_initial;
	EXPECT_EQ(want, dcid_of(ci, ci.size()));
	/* every truncation before the SCID length byte: no id */
	for (size_t len = 0; len < 15; len++)
		EXPECT_TRUE(dcid_of(ci, len).empty()) << "truncated to " << len;
	EXPECT_EQ(want, dcid_of(ci, 15)) << "DCID and the (empty) SCID's length byte suffice";
	/* the server's Initial has an empty DCID: no id (fall back) */
	EXPECT_TRUE(dcid_of(rfc9001_server_initial, rfc9001_server_initial.size()).empty());

	std::vector<uint8_t> b = ci;
	b[1] = b[2] = b[3] = b[4] = 0;	/* version negotiation */
	EXPECT_TRUE(dcid_of(b, b.size()).empty());
	b = ci;
	b[2] = 0x42;			/* another version: same invariant layout */
	EXPECT_EQ(want, dcid_of(b, b.size()));
	b = ci;
	b[5] = 21;			/* DCID longer than 20 */
	EXPECT_TRUE(dcid_of(b, b.size()).empty());
	b = ci;
	b[5] = 20;			/* 20 bytes, then "SCID length" 0xd7 > 20 */
	EXPECT_TRUE(dcid_of(b, b.size()).empty());
	b = ci;
	b[14] = 20;			/* SCID of 20: needs 35 bytes */
	EXPECT_EQ(want, dcid_of(b, 35));
	EXPECT_TRUE(dcid_of(b, 34).empty()) << "SCID past the datagram";
	b[14] = 21;
	EXPECT_TRUE(dcid_of(b, b.size()).empty());
}

TEST(XmitPkt, QuicShortHeaderDcid)
{
	const std::vector<uint8_t> want = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	EXPECT_EQ(IPVS_QUIC_SHORT_CID_LEN, 8);
	EXPECT_EQ(want, dcid_of(short_hdr, short_hdr.size()));
	EXPECT_EQ(want, dcid_of(short_hdr, 9)) << "first byte + 8";
	for (size_t len = 0; len < 9; len++)
		EXPECT_TRUE(dcid_of(short_hdr, len).empty()) << "truncated to " << len;
	std::vector<uint8_t> b = short_hdr;
	b[0] = 0x03;			/* fixed bit clear: not QUIC v1 */
	EXPECT_TRUE(dcid_of(b, b.size()).empty());
}

TEST_F(XmitTest, XmitPktQuicDcidFromTheMbuf)
{
	ipvs_pkt p;
	spec s;
	s.proto = IPPROTO_UDP;
	s.payload = rfc9001_client_initial;
	struct rte_mbuf *m = mk(s, &p);
	alignas(4) uint8_t buf[IPVS_QUIC_PEEK];
	const uint8_t *cid = nullptr;
	ASSERT_EQ(8, ipvs_pkt_quic_dcid(m, &p, buf, &cid));
	ASSERT_NE(nullptr, cid);
	EXPECT_EQ(buf, cid) << "copied to the (aligned) buffer for the hash";
	EXPECT_EQ(0, memcmp(cid, rfc9001_client_initial.data() + 6, 8));

	/* the payload split over two segments: read through buf */
	struct rte_mbuf *m2 = build(s);
	struct rte_mbuf *tail = rte_pktmbuf_alloc(pool());
	ASSERT_NE(nullptr, tail);
	uint16_t keep = 28 + 3;	/* IPv4 + UDP + 3 payload bytes in the first segment */
	uint16_t rest = (uint16_t)(rte_pktmbuf_pkt_len(m2) - keep);
	memcpy(rte_pktmbuf_append(tail, rest), rte_pktmbuf_mtod_offset(m2, uint8_t *, keep), rest);
	rte_pktmbuf_trim(m2, rest);
	ASSERT_EQ(0, rte_pktmbuf_chain(m2, tail));
	mbufs.push_back(m2);
	ASSERT_EQ(0, ipvs_pkt_parse(m2, &p));
	cid = nullptr;
	ASSERT_EQ(8, ipvs_pkt_quic_dcid(m2, &p, buf, &cid));
	EXPECT_EQ(0, memcmp(cid, rfc9001_client_initial.data() + 6, 8));

	/* TCP, or a UDP payload too short for an id: none */
	spec t;
	m = mk(t, &p);
	EXPECT_EQ(0, ipvs_pkt_quic_dcid(m, &p, buf, &cid));
	EXPECT_EQ(nullptr, cid);
	s.payload = {0x43, 1, 2, 3};
	m = mk(s, &p);
	EXPECT_EQ(0, ipvs_pkt_quic_dcid(m, &p, buf, &cid));
}

/* ---- tuple rewrite (FNAT / NAT) ---- */

TEST_F(XmitTest, XmitRewriteTcpTuple)
{
	ipvs_pkt p;
	spec s;
	s.payload = {'G', 'E', 'T', ' ', '/'};
	struct rte_mbuf *m = mk(s, &p);
	xmit_tuple t = {ip4("10.9.0.1"), ip4("172.16.0.11"), htons(1030), htons(8080)};
	xmit_set_tuple(m, &p, &t);
	EXPECT_EQ(t.saddr, iph(m)->src_addr);
	EXPECT_EQ(t.daddr, iph(m)->dst_addr);
	EXPECT_EQ(t.sport, l4h<rte_tcp_hdr>(m)->src_port);
	EXPECT_EQ(t.dport, l4h<rte_tcp_hdr>(m)->dst_port);
	EXPECT_EQ(t.saddr, p.saddr);
	EXPECT_EQ(t.dport, p.dport);
	expect_csums_ok(m);
	/* only the destination (NAT) */
	xmit_tuple t2 = t;
	t2.daddr = ip4("172.16.0.12");
	xmit_set_tuple(m, &p, &t2);
	EXPECT_EQ(t2.daddr, iph(m)->dst_addr);
	expect_csums_ok(m);
}

TEST_F(XmitTest, XmitRewriteUdp)
{
	ipvs_pkt p;
	spec s;
	s.proto = IPPROTO_UDP;
	s.payload = {1, 2, 3, 4, 5, 6, 7};
	struct rte_mbuf *m = mk(s, &p);
	xmit_tuple t = {ip4("10.9.0.1"), ip4("172.16.0.11"), htons(1030), htons(53)};
	xmit_set_tuple(m, &p, &t);
	EXPECT_EQ(t.dport, l4h<rte_udp_hdr>(m)->dst_port);
	EXPECT_NE(0, l4h<rte_udp_hdr>(m)->dgram_cksum);
	expect_csums_ok(m);

	s.udp_nocsum = true;
	m = mk(s, &p);
	xmit_set_tuple(m, &p, &t);
	EXPECT_EQ(0, l4h<rte_udp_hdr>(m)->dgram_cksum) << "no checksum stays none";
	expect_csums_ok(m);
}

TEST_F(XmitTest, XmitRewriteTtl)
{
	ipvs_pkt p;
	spec s;
	struct rte_mbuf *m = mk(s, &p);
	EXPECT_TRUE(xmit_ttl_dec(m));
	EXPECT_EQ(63, iph(m)->time_to_live);
	expect_csums_ok(m);
	iph(m)->time_to_live = 1;
	EXPECT_FALSE(xmit_ttl_dec(m));
	EXPECT_EQ(1, iph(m)->time_to_live);
}

TEST_F(XmitTest, XmitRewriteSeqSackMss)
{
	ipvs_pkt p;
	spec s;
	s.seq = 0xfffffff0u;	/* wraps */
	s.ack = 100;
	/* NOP NOP SACK with two blocks */
	s.opts = {1, 1, 5, 18, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0, 0x40, 0};
	struct rte_mbuf *m = mk(s, &p);
	xmit_tcp_seq_adjust(m, &p, 28, (uint32_t)-28);
	EXPECT_EQ(0x0000000cu, ntohl(l4h<rte_tcp_hdr>(m)->sent_seq));
	EXPECT_EQ((uint32_t)(100 - 28), ntohl(l4h<rte_tcp_hdr>(m)->recv_ack));
	expect_csums_ok(m);
	EXPECT_EQ(2u, xmit_tcp_sack_adjust(m, &p, (uint32_t)-28));
	uint8_t *o = (uint8_t *)(l4h<rte_tcp_hdr>(m) + 1);
	uint32_t e;
	memcpy(&e, o + 4, 4);
	EXPECT_EQ(0x1000u - 28, ntohl(e));
	memcpy(&e, o + 16, 4);
	EXPECT_EQ(0x4000u - 28, ntohl(e));
	expect_csums_ok(m);

	spec syn;
	syn.flags = RTE_TCP_SYN_FLAG;
	syn.opts = syn_opts;
	m = mk(syn, &p);
	EXPECT_FALSE(xmit_tcp_mss_clamp(m, &p, 1500));
	EXPECT_TRUE(xmit_tcp_mss_clamp(m, &p, 1424));
	uint16_t mss;
	memcpy(&mss, (uint8_t *)(l4h<rte_tcp_hdr>(m) + 1) + 2, 2);
	EXPECT_EQ(1424, ntohs(mss));
	expect_csums_ok(m);
}

/* ---- TOA ---- */

TEST(XmitToa, EncodeBytes)
{
	uint8_t o[TOA_OPT_LEN];
	toa_encode(o, ip4("10.0.0.1"), htons(40000));
	const uint8_t want[] = {254, 8, 0x9c, 0x40, 10, 0, 0, 1};
	EXPECT_EQ(0, memcmp(want, o, sizeof(want)));
}

TEST_F(XmitTest, XmitToaInsertSyn)
{
	ipvs_pkt p;
	spec s;
	s.flags = RTE_TCP_SYN_FLAG;
	s.opts = syn_opts;
	struct rte_mbuf *m = mk(s, &p);
	ASSERT_EQ(0, toa_insert(m, &p, ip4("10.0.0.1"), htons(40000), 0));
	EXPECT_EQ(48, p.l4_len);
	EXPECT_EQ(48 / 4, l4h<rte_tcp_hdr>(m)->data_off >> 4);
	EXPECT_EQ(20 + 48, ntohs(iph(m)->total_length));
	const std::vector<uint8_t> want = {254, 8, 0x9c, 0x40, 10, 0, 0, 1};
	EXPECT_EQ(want, bytes(m, 40, 8));
	EXPECT_EQ(syn_opts, bytes(m, 48, syn_opts.size())) << "old options follow";
	EXPECT_EQ(s.sport, l4h<rte_tcp_hdr>(m)->src_port);
	EXPECT_EQ(s.saddr, iph(m)->src_addr);
	expect_csums_ok(m);
	/* the packet parses again the same way */
	ipvs_pkt p2;
	ASSERT_EQ(0, ipvs_pkt_parse(m, &p2));
	EXPECT_EQ(48, p2.l4_len);
	EXPECT_EQ(0, p2.payload_len);
	/* a second insertion is refused */
	EXPECT_EQ(EDPVS_EXIST, toa_insert(m, &p, ip4("10.0.0.1"), htons(40000), 0));
	/* then FNAT rewrites the tuple: still consistent */
	xmit_tuple t = {ip4("10.9.0.1"), ip4("172.16.0.11"), htons(1030), htons(8080)};
	xmit_set_tuple(m, &p, &t);
	expect_csums_ok(m);
}

TEST_F(XmitTest, XmitToaInsertAckWithPayloadAndLimits)
{
	ipvs_pkt p;
	spec s;
	s.opts = {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 7};	/* NOP NOP TS */
	s.payload = {'h', 'e', 'l', 'l', 'o'};
	struct rte_mbuf *m = mk(s, &p);
	EXPECT_EQ(EDPVS_NOROOM, toa_insert(m, &p, ip4("10.0.0.2"), htons(1), 20 + 32 + 5 + 7));
	ASSERT_EQ(0, toa_insert(m, &p, ip4("10.0.0.2"), htons(1), 0));
	EXPECT_EQ(5, p.payload_len);
	EXPECT_EQ(s.payload, bytes(m, 20 + 40, 5));
	expect_csums_ok(m);

	spec full;	/* 40 bytes of options: header is 60 already */
	full.opts.assign(40, 1);
	m = mk(full, &p);
	EXPECT_EQ(EDPVS_NOROOM, toa_insert(m, &p, ip4("10.0.0.2"), htons(1), 0));
	expect_csums_ok(m);
}

/* ---- PROXY protocol v2 ---- */

TEST(XmitPp2, EncodeGolden)
{
	uint8_t b[64];
	ASSERT_EQ(PP2_HDR_V4_LEN, pp2_encode_v4(b, sizeof(b), IPPROTO_TCP, ip4("10.0.0.1"),
					      htons(40000), ip4("192.168.1.100"), htons(80)));
	const uint8_t want[28] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
				  0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c, 10, 0, 0, 1,
				  192, 168, 1, 100, 0x9c, 0x40, 0x00, 0x50};
	EXPECT_EQ(0, memcmp(want, b, sizeof(want)));
	EXPECT_EQ(PP2_HDR_V4_LEN, pp2_encode_v4(b, sizeof(b), IPPROTO_UDP, 0, 0, 0, 0));
	EXPECT_EQ(0x12, b[13]);
	EXPECT_EQ(EDPVS_NOROOM, pp2_encode_v4(b, 27, IPPROTO_TCP, 0, 0, 0, 0));
	EXPECT_EQ(EDPVS_INVAL, pp2_encode_v4(b, sizeof(b), IPPROTO_ICMP, 0, 0, 0, 0));
}

TEST_F(XmitTest, XmitPp2InsertAndSeqShift)
{
	ipvs_pkt p;
	spec s;
	s.seq = 1001;	/* ISN 1000 + 1: first data */
	s.opts = {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 7};
	s.payload = {'G', 'E', 'T', ' ', '/', ' ', 'H'};
	struct rte_mbuf *m = mk(s, &p);
	ASSERT_EQ(0, pp2_insert(m, &p, s.saddr, s.sport, s.daddr, s.dport, 0));
	EXPECT_EQ(7 + 28, p.payload_len);
	EXPECT_EQ(20 + 32 + 35, ntohs(iph(m)->total_length));
	EXPECT_EQ(1001u, ntohl(l4h<rte_tcp_hdr>(m)->sent_seq)) << "first segment keeps its seq";
	std::vector<uint8_t> sig(pp2_signature, pp2_signature + PP2_SIG_LEN);
	EXPECT_EQ(sig, bytes(m, 52, 12));
	EXPECT_EQ(s.payload, bytes(m, 52 + 28, 7));
	expect_csums_ok(m);
	/* the next client segment moves up by 28, the server's ack back down */
	spec next = s;
	next.seq = 1008;
	m = mk(next, &p);
	xmit_tcp_seq_adjust(m, &p, 28, 0);
	EXPECT_EQ(1036u, ntohl(l4h<rte_tcp_hdr>(m)->sent_seq));
	expect_csums_ok(m);
	spec back;
	back.ack = 1036;
	m = mk(back, &p);
	xmit_tcp_seq_adjust(m, &p, 0, (uint32_t)-28);
	EXPECT_EQ(1008u, ntohl(l4h<rte_tcp_hdr>(m)->recv_ack));
	expect_csums_ok(m);
	/* MTU bound */
	m = mk(s, &p);
	EXPECT_EQ(EDPVS_NOROOM, pp2_insert(m, &p, 0, 0, 0, 0, 20 + 32 + 7 + 27));
}

/* ---- IPIP ---- */

TEST_F(XmitTest, XmitRewriteIpipEncap)
{
	ipvs_pkt p;
	spec s;
	s.payload = {1, 2, 3, 4};
	struct rte_mbuf *m = mk(s, &p);
	std::vector<uint8_t> inner = bytes(m, 0, rte_pktmbuf_pkt_len(m));
	xmit_tun t{};
	t.saddr = ip4("10.9.0.1");
	t.daddr = ip4("172.16.0.11");
	t.type = IPVS_WIRE_TUN_IPIP;
	ASSERT_EQ(0, xmit_tun_encap(m, &t, 0));
	rte_ipv4_hdr *o = iph(m);
	EXPECT_EQ(IPPROTO_IPIP, o->next_proto_id);
	EXPECT_EQ(ip4("10.9.0.1"), o->src_addr);
	EXPECT_EQ(ip4("172.16.0.11"), o->dst_addr);
	EXPECT_EQ(inner.size() + 20, ntohs(o->total_length));
	EXPECT_EQ(htons(RTE_IPV4_HDR_DF_FLAG), o->fragment_offset);
	EXPECT_EQ(0xffff, rte_raw_cksum(o, 20));
	EXPECT_EQ(inner, bytes(m, 20, inner.size()));
	EXPECT_EQ(EDPVS_NOROOM, xmit_tun_encap(m, &t, (uint16_t)(inner.size() + 39)));
}

/* ---- TUNNEL encapsulations: GUE, GRE (bytes checked from scratch) ---- */

namespace {

/* RFC 1071 sum of bytes, folded, not complemented. */
uint16_t sum16(const std::vector<uint8_t> &b, uint32_t add = 0)
{
	uint32_t s = add;

	for (size_t i = 0; i < b.size(); i += 2)
		s += (uint32_t)(b[i] << 8) + (i + 1 < b.size() ? b[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* All bytes of a (possibly chained) mbuf. */
std::vector<uint8_t> all_bytes(struct rte_mbuf *m)
{
	std::vector<uint8_t> v;

	for (struct rte_mbuf *s = m; s; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);
		v.insert(v.end(), p, p + rte_pktmbuf_data_len(s));
	}
	return v;
}

/* The outer IPv4 header the encapsulations must write, from scratch. */
std::vector<uint8_t> outer_ip(uint16_t tot, uint8_t proto, const char *src, const char *dst)
{
	std::vector<uint8_t> h = {0x45, 0x00, (uint8_t)(tot >> 8), (uint8_t)tot,
				  0x12, 0x34, 0x40, 0x00, 64, proto, 0, 0};
	uint32_t a = ntohl(ip4(src)), b = ntohl(ip4(dst));
	for (int i = 3; i >= 0; i--)
		h.push_back((uint8_t)(a >> (8 * i)));
	for (int i = 3; i >= 0; i--)
		h.push_back((uint8_t)(b >> (8 * i)));
	uint16_t c = (uint16_t)~sum16(h);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
	return h;
}

xmit_tun tun(uint8_t type, uint8_t flags)
{
	xmit_tun t{};
	t.saddr = ip4("10.9.0.1");
	t.daddr = ip4("172.16.0.11");
	t.type = type;
	t.flags = flags;
	if (type == IPVS_WIRE_TUN_GUE) {
		t.sport = htons(50001);
		t.dport = htons(6080);
	}
	return t;
}

} // namespace

TEST(XmitTun, Overheads)
{
	EXPECT_EQ(20, xmit_tun_overhead(IPVS_WIRE_TUN_IPIP, 0));
	EXPECT_EQ(32, xmit_tun_overhead(IPVS_WIRE_TUN_GUE, 0));
	EXPECT_EQ(32, xmit_tun_overhead(IPVS_WIRE_TUN_GUE, IPVS_WIRE_TUN_F_CSUM));
	EXPECT_EQ(24, xmit_tun_overhead(IPVS_WIRE_TUN_GRE, 0));
	EXPECT_EQ(28, xmit_tun_overhead(IPVS_WIRE_TUN_GRE, IPVS_WIRE_TUN_F_CSUM));
	for (uint32_t a = 1; a < 200; a++) {
		uint16_t sp = ntohs(xmit_gue_sport(htonl(0x0a000000 + a), htons((uint16_t)a)));
		EXPECT_GE(sp, 49152);
		EXPECT_EQ(xmit_gue_sport(htonl(0x0a000000 + a), htons((uint16_t)a)),
			  xmit_gue_sport(htonl(0x0a000000 + a), htons((uint16_t)a)));
	}
}

TEST_F(XmitTest, XmitTunGueNoCsumBytes)
{
	ipvs_pkt p;
	spec s;
	s.payload = {1, 2, 3, 4, 5};
	struct rte_mbuf *m = mk(s, &p);
	std::vector<uint8_t> inner = all_bytes(m);
	xmit_tun t = tun(IPVS_WIRE_TUN_GUE, 0);
	ASSERT_EQ(0, xmit_tun_encap(m, &t, 0));
	uint16_t tot = (uint16_t)(inner.size() + 32), ulen = (uint16_t)(inner.size() + 12);
	std::vector<uint8_t> want = outer_ip(tot, IPPROTO_UDP, "10.9.0.1", "172.16.0.11");
	std::vector<uint8_t> udp = {0xc3, 0x51, 0x17, 0xc0, (uint8_t)(ulen >> 8), (uint8_t)ulen,
				    0, 0,	/* --tun-nocsum: no UDP checksum */
				    0x00, 0x04, 0x00, 0x00};	/* GUE v0, proto 4 (IPv4) */
	want.insert(want.end(), udp.begin(), udp.end());
	want.insert(want.end(), inner.begin(), inner.end());
	EXPECT_EQ(want, all_bytes(m));
	EXPECT_EQ(p.l3_len, 20) << "p still describes the inner packet";
	EXPECT_EQ(EDPVS_NOROOM, xmit_tun_encap(m, &t, (uint16_t)(tot + 31)));
}

TEST_F(XmitTest, XmitTunGueCsumMultiSegment)
{
	ipvs_pkt p;
	spec s;
	s.payload.assign(101, 'g');	/* odd length */
	struct rte_mbuf *m = mk(s, &p);
	/* move the last 40 bytes into a second segment */
	struct rte_mbuf *tail = rte_pktmbuf_alloc(pool());
	ASSERT_NE(nullptr, tail);
	uint16_t len = rte_pktmbuf_data_len(m);
	memcpy(rte_pktmbuf_append(tail, 40), rte_pktmbuf_mtod_offset(m, uint8_t *, len - 40), 40);
	rte_pktmbuf_trim(m, 40);
	ASSERT_EQ(0, rte_pktmbuf_chain(m, tail));
	std::vector<uint8_t> inner = all_bytes(m);
	xmit_tun t = tun(IPVS_WIRE_TUN_GUE, IPVS_WIRE_TUN_F_CSUM);
	ASSERT_EQ(0, xmit_tun_encap(m, &t, 0));
	std::vector<uint8_t> out = all_bytes(m);
	ASSERT_EQ(inner.size() + 32, out.size());
	EXPECT_EQ(outer_ip((uint16_t)out.size(), IPPROTO_UDP, "10.9.0.1", "172.16.0.11"),
		  std::vector<uint8_t>(out.begin(), out.begin() + 20));
	EXPECT_NE(0, out[26] | out[27]) << "--tun-csum: a UDP checksum";
	/* pseudo header: src, dst, 0, 17, UDP length */
	std::vector<uint8_t> ph(out.begin() + 12, out.begin() + 20);
	ph.push_back(0);
	ph.push_back(IPPROTO_UDP);
	ph.push_back(out[24]);
	ph.push_back(out[25]);
	std::vector<uint8_t> dgram(out.begin() + 20, out.end());
	EXPECT_EQ(0xffff, sum16(dgram, sum16(ph))) << "UDP checksum verifies";
	EXPECT_EQ(std::vector<uint8_t>({0x00, 0x04, 0x00, 0x00}),
		  std::vector<uint8_t>(out.begin() + 28, out.begin() + 32));
	EXPECT_EQ(inner, std::vector<uint8_t>(out.begin() + 32, out.end()));
}

TEST_F(XmitTest, XmitTunGreBytes)
{
	ipvs_pkt p;
	spec s;
	s.proto = IPPROTO_UDP;
	s.payload = {9, 8, 7};
	struct rte_mbuf *m = mk(s, &p);
	std::vector<uint8_t> inner = all_bytes(m);
	xmit_tun t = tun(IPVS_WIRE_TUN_GRE, 0);
	ASSERT_EQ(0, xmit_tun_encap(m, &t, 0));
	std::vector<uint8_t> want = outer_ip((uint16_t)(inner.size() + 24), IPPROTO_GRE,
					     "10.9.0.1", "172.16.0.11");
	std::vector<uint8_t> gre = {0x00, 0x00, 0x08, 0x00};	/* no C bit, IPv4 */
	want.insert(want.end(), gre.begin(), gre.end());
	want.insert(want.end(), inner.begin(), inner.end());
	EXPECT_EQ(want, all_bytes(m));
}

TEST_F(XmitTest, XmitTunGreCsumBytes)
{
	ipvs_pkt p;
	spec s;
	s.payload = {1, 2, 3};
	struct rte_mbuf *m = mk(s, &p);
	std::vector<uint8_t> inner = all_bytes(m);
	xmit_tun t = tun(IPVS_WIRE_TUN_GRE, IPVS_WIRE_TUN_F_CSUM);
	ASSERT_EQ(0, xmit_tun_encap(m, &t, 0));
	std::vector<uint8_t> out = all_bytes(m);
	ASSERT_EQ(inner.size() + 28, out.size());
	EXPECT_EQ(outer_ip((uint16_t)out.size(), IPPROTO_GRE, "10.9.0.1", "172.16.0.11"),
		  std::vector<uint8_t>(out.begin(), out.begin() + 20));
	EXPECT_EQ(std::vector<uint8_t>({0x80, 0x00, 0x08, 0x00}),
		  std::vector<uint8_t>(out.begin() + 20, out.begin() + 24)) << "C bit, IPv4";
	EXPECT_EQ(0, out[26] | out[27]) << "reserved1";
	/* the checksum field: complement of the sum of GRE header + payload
	 * with the field zero */
	std::vector<uint8_t> z(out.begin() + 20, out.end());
	z[4] = z[5] = 0;
	uint16_t want = (uint16_t)~sum16(z);
	EXPECT_EQ(want, (uint16_t)((out[24] << 8) | out[25]));
	EXPECT_EQ(inner, std::vector<uint8_t>(out.begin() + 28, out.end()));
}

TEST_F(XmitTest, XmitTunEncapRejects)
{
	ipvs_pkt p;
	spec s;
	struct rte_mbuf *m = mk(s, &p);
	std::vector<uint8_t> before = all_bytes(m);
	xmit_tun t = tun(IPVS_WIRE_TUN_MAX, 0);
	EXPECT_EQ(EDPVS_INVAL, xmit_tun_encap(m, &t, 0));
	t = tun(IPVS_WIRE_TUN_GRE, 0);
	EXPECT_EQ(EDPVS_NOROOM, xmit_tun_encap(m, &t, (uint16_t)(before.size() + 23)));
	EXPECT_EQ(before, all_bytes(m)) << "nothing written on failure";
	t = tun(IPVS_WIRE_TUN_IPIP, 0);
	ASSERT_EQ(0, xmit_tun_encap(m, &t, 0));
	EXPECT_EQ(IPPROTO_IPIP, iph(m)->next_proto_id);
	EXPECT_EQ(before.size() + 20, rte_pktmbuf_pkt_len(m));
}

/* ---- ICMP errors ---- */

TEST_F(XmitTest, XmitIcmpTranslate)
{
	/* the RS answers port unreachable about what FNAT sent it:
	 * 10.9.0.1:1030 -> 172.16.0.11:8080 */
	spec q;
	q.saddr = ip4("10.9.0.1");
	q.daddr = ip4("172.16.0.11");
	q.sport = htons(1030);
	q.dport = htons(8080);
	struct rte_mbuf *quoted = build(q);
	mbufs.push_back(quoted);
	size_t qlen = 20 + 8;
	size_t tot = 20 + 8 + qlen;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool());
	mbufs.push_back(m);
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)tot);
	memset(ip, 0, tot);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons((uint16_t)tot);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = q.daddr;
	ip->dst_addr = q.saddr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	auto *ic = (rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = 3;
	ic->icmp_code = 3;
	memcpy(ic + 1, rte_pktmbuf_mtod(quoted, void *), qlen);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8 + qlen);

	ipvs_pkt p;
	ASSERT_EQ(0, ipvs_pkt_parse(m, &p));
	ASSERT_TRUE(p.icmp_err);
	EXPECT_EQ(IPPROTO_TCP, p.inner_proto);
	EXPECT_EQ(q.saddr, p.inner_saddr);
	EXPECT_EQ(q.dport, p.inner_dport);
	EXPECT_EQ(28, p.inner_off);

	/* toward the client: VIP -> client outside, client -> VIP inside */
	xmit_tuple in = {ip4("10.0.0.1"), ip4("192.168.1.100"), htons(40000), htons(80)};
	xmit_icmp_translate(m, &p, ip4("192.168.1.100"), ip4("10.0.0.1"), &in);
	EXPECT_EQ(ip4("192.168.1.100"), iph(m)->src_addr);
	EXPECT_EQ(ip4("10.0.0.1"), iph(m)->dst_addr);
	auto *qi = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr *, 28);
	EXPECT_EQ(in.saddr, qi->src_addr);
	EXPECT_EQ(in.daddr, qi->dst_addr);
	uint16_t ports[2];
	memcpy(ports, (uint8_t *)qi + 20, 4);
	EXPECT_EQ(in.sport, ports[0]);
	EXPECT_EQ(in.dport, ports[1]);
	EXPECT_EQ(0xffff, rte_raw_cksum(iph(m), 20)) << "outer header csum";
	EXPECT_EQ(0xffff, rte_raw_cksum(qi, 20)) << "quoted header csum";
	EXPECT_EQ(0xffff, rte_raw_cksum(rte_pktmbuf_mtod_offset(m, void *, 20), 8 + qlen))
		<< "ICMP csum";
}

/* ---- forwarding modes on a conn (the IPv4 stack replaced by a capture) ---- */

extern "C" {
#include "ipvs/conn.h"
#include "ipvs/service.h"
}

namespace {

std::vector<struct rte_mbuf *> g_sent;

int capture(struct rte_mbuf *m, struct netif_port *port, uint32_t nexthop)
{
	(void)port;
	(void)nexthop;
	g_sent.push_back(m);
	return 0;
}

class XmitMode : public XmitTest {
protected:
	void SetUp() override
	{
		XmitTest::SetUp();
		xmit_set_send_hook(capture);
		g_sent.clear();
		union inet_addr vip{}, rip{};
		vip.in4 = ip4("192.168.1.100");
		rip.in4 = ip4("172.16.0.11");
		svc = svc_alloc(AF_INET, IPPROTO_TCP, &vip, htons(80), 0);
		ASSERT_NE(nullptr, svc);
		dest = dest_alloc(AF_INET, &rip, htons(8080), IPVS_FWD_FNAT, 1);
		ASSERT_NE(nullptr, dest);
		svc_hold(svc);
		dest->svc = svc;
		dest_hold(dest);
		memset(&c, 0, sizeof(c));
		c.af = AF_INET;
		c.proto = IPPROTO_TCP;
		c.caddr.in4 = ip4("10.0.0.1");
		c.cport = htons(40000);
		c.vaddr = vip;
		c.vport = htons(80);
		c.laddr.in4 = ip4("172.16.0.1");
		c.lport = htons(1031);
		c.daddr = rip;
		c.dport = htons(8080);
		c.dest = dest;
	}
	void TearDown() override
	{
		for (auto *m : g_sent)
			mbufs.push_back(m);
		g_sent.clear();
		xmit_set_send_hook(nullptr);
		dest_put(dest);
		svc_put(svc);
		XmitTest::TearDown();
	}
	/* client -> VIP segment */
	spec from_client(uint8_t flags, uint32_t seq, uint32_t ack, size_t payload = 0)
	{
		spec s;
		s.saddr = c.caddr.in4;
		s.sport = c.cport;
		s.daddr = c.vaddr.in4;
		s.dport = c.vport;
		s.flags = flags;
		s.seq = seq;
		s.ack = ack;
		s.opts = {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 7};
		s.payload.assign(payload, 'x');
		return s;
	}
	/* RS -> local address segment (FNAT) */
	spec from_server(uint8_t flags, uint32_t seq, uint32_t ack, size_t payload = 0)
	{
		spec s;
		s.saddr = c.daddr.in4;
		s.sport = c.dport;
		s.daddr = c.laddr.in4;
		s.dport = c.lport;
		s.flags = flags;
		s.seq = seq;
		s.ack = ack;
		s.payload.assign(payload, 'y');
		return s;
	}
	/* Run one op and return the packet it sent. */
	struct rte_mbuf *run(enum dpvs_verdict (*op)(ipvs_conn *, rte_mbuf *, ipvs_pkt *),
			     const spec &s)
	{
		ipvs_pkt p;
		struct rte_mbuf *m = build(s);
		EXPECT_EQ(0, ipvs_pkt_parse(m, &p));
		size_t before = g_sent.size();
		enum dpvs_verdict v = op(&c, m, &p);
		EXPECT_EQ(VERDICT_STOLEN, v);
		if (v != VERDICT_STOLEN) {
			mbufs.push_back(m);
			return nullptr;
		}
		EXPECT_EQ(before + 1, g_sent.size());
		return g_sent.back();
	}
	uint32_t seq_of(struct rte_mbuf *m) { return ntohl(l4h<rte_tcp_hdr>(m)->sent_seq); }
	uint32_t ack_of(struct rte_mbuf *m) { return ntohl(l4h<rte_tcp_hdr>(m)->recv_ack); }
	uint16_t payload_of(struct rte_mbuf *m)
	{
		return (uint16_t)(ntohs(iph(m)->total_length) - 20 - (l4h<rte_tcp_hdr>(m)->data_off >> 4) * 4);
	}

	ipvs_service *svc = nullptr;
	ipvs_dest *dest = nullptr;
	ipvs_conn c;
};

} // namespace

TEST_F(XmitMode, XmitFnatTupleAndToa)
{
	const auto &ops = xmit_fnat_ops;
	svc->flags |= SVC_F_TOA;
	struct rte_mbuf *m = run(ops.in, from_client(RTE_TCP_SYN_FLAG, 1000, 0));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(c.laddr.in4, iph(m)->src_addr);
	EXPECT_EQ(c.daddr.in4, iph(m)->dst_addr);
	EXPECT_EQ(c.lport, l4h<rte_tcp_hdr>(m)->src_port);
	EXPECT_EQ(c.dport, l4h<rte_tcp_hdr>(m)->dst_port);
	EXPECT_EQ(63, iph(m)->time_to_live);
	const std::vector<uint8_t> toa = {254, 8, 0x9c, 0x40, 10, 0, 0, 1};
	EXPECT_EQ(toa, bytes(m, 40, 8)) << "TOA first in the SYN";
	expect_csums_ok(m);

	/* SYN-ACK back: VIP -> client, MSS clamped for the 8 TOA bytes */
	spec sa = from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001);
	sa.opts = syn_opts;
	m = run(ops.out, sa);
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(c.vaddr.in4, iph(m)->src_addr);
	EXPECT_EQ(c.caddr.in4, iph(m)->dst_addr);
	EXPECT_EQ(c.vport, l4h<rte_tcp_hdr>(m)->src_port);
	EXPECT_EQ(c.cport, l4h<rte_tcp_hdr>(m)->dst_port);
	uint16_t mss;
	memcpy(&mss, (uint8_t *)(l4h<rte_tcp_hdr>(m) + 1) + 2, 2);
	EXPECT_EQ(1500 - 40 - 8, ntohs(mss));
	expect_csums_ok(m);

	/* handshake ACK carries TOA once, later data does not */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(toa, bytes(m, 40, 8));
	expect_csums_ok(m);
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 10));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(32, (l4h<rte_tcp_hdr>(m)->data_off >> 4) * 4) << "no TOA after the handshake";
	EXPECT_EQ(1001u, seq_of(m));
	expect_csums_ok(m);
}

TEST_F(XmitMode, XmitFnatProxyProtocolStream)
{
	const auto &ops = xmit_fnat_ops;
	svc->flags |= SVC_F_PROXY_PROTO;
	struct rte_mbuf *m = run(ops.in, from_client(RTE_TCP_SYN_FLAG, 1000, 0));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(32, (l4h<rte_tcp_hdr>(m)->data_off >> 4) * 4) << "no TOA without SVC_F_TOA";
	spec sa = from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001);
	sa.opts = syn_opts;
	m = run(ops.out, sa);
	uint16_t mss;
	memcpy(&mss, (uint8_t *)(l4h<rte_tcp_hdr>(m) + 1) + 2, 2);
	EXPECT_EQ(1500 - 40 - 28, ntohs(mss));
	EXPECT_EQ(1001u, ack_of(m)) << "nothing to shift before the header";
	uint8_t want[PP2_HDR_V4_LEN];
	pp2_encode_v4(want, sizeof(want), IPPROTO_TCP, c.caddr.in4, c.cport, c.vaddr.in4, c.vport);
	/* the handshake ACK carries the header (28 bytes at ISN + 1) */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(1001u, seq_of(m));
	EXPECT_EQ(28, payload_of(m));
	EXPECT_EQ(std::vector<uint8_t>(want, want + 28), bytes(m, 52, 28));
	expect_csums_ok(m);

	/* first data before the server acked the header: header again, seq kept */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 1001, 7001, 100));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(1001u, seq_of(m));
	EXPECT_EQ(128, payload_of(m));
	EXPECT_EQ(std::vector<uint8_t>(want, want + 28), bytes(m, 52, 28));
	expect_csums_ok(m);

	/* server acks header + data: client sees only its data */
	m = run(ops.out, from_server(RTE_TCP_ACK_FLAG, 7001, 1001 + 128, 50));
	EXPECT_EQ(1101u, ack_of(m));
	EXPECT_EQ(7001u, seq_of(m)) << "server's own sequence untouched";
	expect_csums_ok(m);
	/* partial ack inside the header maps to the start */
	m = run(ops.out, from_server(RTE_TCP_ACK_FLAG, 7051, 1011));
	EXPECT_EQ(1001u, ack_of(m));
	expect_csums_ok(m);

	/* next client segment moves up by 28 */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1101, 7051, 20));
	EXPECT_EQ(1129u, seq_of(m));
	EXPECT_EQ(20, payload_of(m));
	expect_csums_ok(m);
	/* a retransmission of the first segment once the header was acked:
	 * shifted like the rest, no second header */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7051, 100));
	EXPECT_EQ(1029u, seq_of(m));
	EXPECT_EQ(100, payload_of(m));
	expect_csums_ok(m);
	/* FIN from the client after its data */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, 1121, 7051));
	EXPECT_EQ(1149u, seq_of(m));
	expect_csums_ok(m);
}

/* SMTP-like: the server waits for the PROXY header, then sends its banner;
 * the client says nothing until it has read the banner. */
TEST_F(XmitMode, XmitFnatProxyProtocolServerSpeaksFirst)
{
	const auto &ops = xmit_fnat_ops;
	svc->flags |= SVC_F_PROXY_PROTO;
	ASSERT_NE(nullptr, run(ops.in, from_client(RTE_TCP_SYN_FLAG, 1000, 0)));
	ASSERT_NE(nullptr, run(ops.out, from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001)));
	uint8_t want[PP2_HDR_V4_LEN];
	pp2_encode_v4(want, sizeof(want), IPPROTO_TCP, c.caddr.in4, c.cport, c.vaddr.in4, c.vport);
	struct rte_mbuf *m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(28, payload_of(m)) << "the header without any client data";
	EXPECT_EQ(std::vector<uint8_t>(want, want + 28), bytes(m, 52, 28));
	uint64_t added = xmit_stats_this()->pp2_added;

	/* it was lost: the server retransmits its SYN-ACK, the client answers
	 * with the same ACK, which carries the header again */
	m = run(ops.out, from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001));
	EXPECT_EQ(1001u, ack_of(m));
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001));
	EXPECT_EQ(1001u, seq_of(m));
	EXPECT_EQ(28, payload_of(m));
	EXPECT_EQ(added + 1, xmit_stats_this()->pp2_added);
	expect_csums_ok(m);

	/* the server acks the header and sends its banner */
	m = run(ops.out, from_server(RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 7001, 1029, 40));
	EXPECT_EQ(1001u, ack_of(m)) << "the client sent nothing yet";
	EXPECT_EQ(7001u, seq_of(m));
	expect_csums_ok(m);
	/* the client acks the banner (a pure ACK at ISN + 1): shifted, no header */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7041));
	EXPECT_EQ(1029u, seq_of(m));
	EXPECT_EQ(0, payload_of(m));
	expect_csums_ok(m);
	/* its first command follows the header in the server's stream */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, 1001, 7041, 10));
	EXPECT_EQ(1029u, seq_of(m));
	EXPECT_EQ(10, payload_of(m));
	expect_csums_ok(m);
	m = run(ops.out, from_server(RTE_TCP_ACK_FLAG, 7041, 1039));
	EXPECT_EQ(1011u, ack_of(m));
	EXPECT_EQ(added + 1, xmit_stats_this()->pp2_added);
}

TEST_F(XmitMode, XmitFnatSackShift)
{
	const auto &ops = xmit_fnat_ops;
	svc->flags |= SVC_F_PROXY_PROTO;
	run(ops.in, from_client(RTE_TCP_SYN_FLAG, 1000, 0));
	run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 10));
	spec s = from_server(RTE_TCP_ACK_FLAG, 7001, 1039);
	uint32_t l = htonl(2000 + 28), r = htonl(3000 + 28);
	s.opts = {1, 1, 5, 10, 0, 0, 0, 0, 0, 0, 0, 0};
	memcpy(&s.opts[4], &l, 4);
	memcpy(&s.opts[8], &r, 4);
	struct rte_mbuf *m = run(ops.out, s);
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(1011u, ack_of(m));
	uint32_t e;
	memcpy(&e, (uint8_t *)(l4h<rte_tcp_hdr>(m) + 1) + 4, 4);
	EXPECT_EQ(2000u, ntohl(e));
	memcpy(&e, (uint8_t *)(l4h<rte_tcp_hdr>(m) + 1) + 8, 4);
	EXPECT_EQ(3000u, ntohl(e));
	expect_csums_ok(m);
}

TEST_F(XmitMode, XmitNatBothWays)
{
	const auto &ops = xmit_nat_ops;
	c.laddr = c.caddr;
	c.lport = c.cport;
	struct rte_mbuf *m = run(ops.in, from_client(RTE_TCP_SYN_FLAG, 1000, 0));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(c.caddr.in4, iph(m)->src_addr) << "NAT keeps the client address";
	EXPECT_EQ(c.cport, l4h<rte_tcp_hdr>(m)->src_port);
	EXPECT_EQ(c.daddr.in4, iph(m)->dst_addr);
	EXPECT_EQ(c.dport, l4h<rte_tcp_hdr>(m)->dst_port);
	EXPECT_EQ(32, (l4h<rte_tcp_hdr>(m)->data_off >> 4) * 4) << "no TOA in NAT";
	expect_csums_ok(m);
	spec back = from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001);
	back.daddr = c.caddr.in4;
	back.dport = c.cport;
	m = run(ops.out, back);
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(c.vaddr.in4, iph(m)->src_addr);
	EXPECT_EQ(c.vport, l4h<rte_tcp_hdr>(m)->src_port);
	EXPECT_EQ(c.caddr.in4, iph(m)->dst_addr);
	expect_csums_ok(m);
	EXPECT_EQ(nullptr, xmit_dr_ops.out) << "DR replies bypass dpvsd";
	EXPECT_EQ(nullptr, xmit_tunnel_ops.out);
	EXPECT_EQ(&xmit_fnat_ops, xmit_ops_get(IPVS_FWD_FNAT));
	EXPECT_EQ(&xmit_tunnel_ops, xmit_ops_get(IPVS_FWD_TUNNEL));
	EXPECT_EQ(nullptr, xmit_ops_get(IPVS_FWD_MAX));
}

TEST_F(XmitMode, XmitNatUdp)
{
	spec s;
	s.proto = IPPROTO_UDP;
	s.saddr = c.caddr.in4;
	s.sport = c.cport;
	s.daddr = c.vaddr.in4;
	s.dport = htons(53);
	s.payload = {1, 2, 3};
	c.proto = IPPROTO_UDP;
	struct rte_mbuf *m = run(xmit_nat_ops.in, s);
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(c.daddr.in4, iph(m)->dst_addr);
	EXPECT_EQ(c.dport, l4h<rte_udp_hdr>(m)->dst_port);
	expect_csums_ok(m);
}

namespace {

/* An ICMP error (type 3 code 3) from src to dst quoting the first 28 bytes
 * of q. */
struct rte_mbuf *icmp_about(struct rte_mbuf *q, uint32_t src, uint32_t dst)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool());
	size_t tot = 20 + 8 + 28;
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)tot);

	memset(ip, 0, tot);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons((uint16_t)tot);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	auto *ic = (rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = 3;
	ic->icmp_code = 3;
	memcpy(ic + 1, rte_pktmbuf_mtod(q, void *), 28);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8 + 28);
	return m;
}

void expect_icmp_ok(struct rte_mbuf *m)
{
	EXPECT_EQ(0xffff, rte_raw_cksum(iph(m), 20)) << "outer header csum";
	EXPECT_EQ(0xffff, rte_raw_cksum(rte_pktmbuf_mtod_offset(m, void *, 28), 20))
		<< "quoted header csum";
	EXPECT_EQ(0xffff, rte_raw_cksum(rte_pktmbuf_mtod_offset(m, void *, 20), 36))
		<< "ICMP csum";
}

}  // namespace

TEST_F(XmitMode, XmitFnatIcmpBothSides)
{
	const auto &ops = xmit_fnat_ops;
	struct rte_mbuf *to_rs = run(ops.in, from_client(RTE_TCP_SYN_FLAG, 1000, 0));
	ASSERT_NE(nullptr, to_rs);

	/* the server side reports on laddr -> RS: the client must see an
	 * error from the VIP about client -> VIP */
	ipvs_pkt p;
	struct rte_mbuf *e = icmp_about(to_rs, c.daddr.in4, c.laddr.in4);
	ASSERT_EQ(0, ipvs_pkt_parse(e, &p));
	ASSERT_TRUE(p.icmp_err);
	ASSERT_EQ(VERDICT_STOLEN, ops.icmp_out(&c, e, &p));
	struct rte_mbuf *m = g_sent.back();
	EXPECT_EQ(c.vaddr.in4, iph(m)->src_addr);
	EXPECT_EQ(c.caddr.in4, iph(m)->dst_addr);
	auto *q = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr *, 28);
	EXPECT_EQ(c.caddr.in4, q->src_addr);
	EXPECT_EQ(c.vaddr.in4, q->dst_addr);
	uint16_t ports[2];
	memcpy(ports, (uint8_t *)q + 20, 4);
	EXPECT_EQ(c.cport, ports[0]);
	EXPECT_EQ(c.vport, ports[1]);
	expect_icmp_ok(m);

	/* the client side reports on VIP -> client: the server must see an
	 * error from the local address about RS -> local address */
	struct rte_mbuf *to_cli = run(ops.out, from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
							   7000, 1001));
	ASSERT_NE(nullptr, to_cli);
	e = icmp_about(to_cli, c.caddr.in4, c.vaddr.in4);
	ASSERT_EQ(0, ipvs_pkt_parse(e, &p));
	ASSERT_EQ(VERDICT_STOLEN, ops.icmp_in(&c, e, &p));
	m = g_sent.back();
	EXPECT_EQ(c.laddr.in4, iph(m)->src_addr);
	EXPECT_EQ(c.daddr.in4, iph(m)->dst_addr);
	q = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr *, 28);
	EXPECT_EQ(c.daddr.in4, q->src_addr);
	EXPECT_EQ(c.laddr.in4, q->dst_addr);
	memcpy(ports, (uint8_t *)q + 20, 4);
	EXPECT_EQ(c.dport, ports[0]);
	EXPECT_EQ(c.lport, ports[1]);
	expect_icmp_ok(m);
}

TEST_F(XmitMode, XmitNatIcmpClientSide)
{
	const auto &ops = xmit_nat_ops;
	c.laddr = c.caddr;
	c.lport = c.cport;
	spec back = from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001);
	back.daddr = c.caddr.in4;
	back.dport = c.cport;
	struct rte_mbuf *to_cli = run(ops.out, back);
	ASSERT_NE(nullptr, to_cli);
	/* a router on the client's side reports on VIP -> client */
	uint32_t router = ip4("10.0.0.254");
	ipvs_pkt p;
	struct rte_mbuf *e = icmp_about(to_cli, router, c.vaddr.in4);
	ASSERT_EQ(0, ipvs_pkt_parse(e, &p));
	ASSERT_EQ(VERDICT_STOLEN, ops.icmp_in(&c, e, &p));
	struct rte_mbuf *m = g_sent.back();
	EXPECT_EQ(router, iph(m)->src_addr) << "NAT keeps who sent it";
	EXPECT_EQ(c.daddr.in4, iph(m)->dst_addr);
	auto *q = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr *, 28);
	EXPECT_EQ(c.daddr.in4, q->src_addr) << "about RS -> client";
	EXPECT_EQ(c.caddr.in4, q->dst_addr);
	expect_icmp_ok(m);
}

/* ---- path MTU: checked before the rewrite, errors about what the sender sent ---- */

extern "C" {
#include "icmp.h"
#include "netif.h"
#include "route.h"
}

namespace {

/* The modes against a 1500-byte path (the default without a route) and, for
 * TUNNEL, a route table whose route to the real servers has MTU 1400.  No
 * packet pool in unit tests: an error that icmp.c builds ends as "nomem",
 * so "an error was attempted" = out_errors + nomem grew by one. */
class XmitMtu : public XmitMode {
protected:
	void SetUp() override
	{
		XmitMode::SetUp();
		icmp_set_ratelimit(0, 1);	/* no token bucket in the way */
	}
	void TearDown() override
	{
		icmp_set_ratelimit(100, 50);
		if (routes)
			route_term();
		XmitMode::TearDown();
	}
	void with_route_mtu(uint16_t mtu)
	{
		memset(&port, 0, sizeof(port));
		snprintf(port.name, sizeof(port.name), "utx");
		port.mtu = 1500;
		ASSERT_EQ(0, route_init());
		routes = true;
		route_entry e{};
		e.dst = ip4("172.16.0.0");
		e.plen = 16;
		e.port = &port;
		e.mtu = mtu;
		ASSERT_EQ(0, route_add(&e));
	}
	static uint64_t errors() {
		return icmp_counter_sum(ICMP_C_OUT_ERRORS) + icmp_counter_sum(ICMP_C_ERR_NOMEM);
	}
	/* Run op on s, expecting a drop that leaves the packet exactly as it
	 * came and attempts one error. */
	void expect_frag_needed(enum dpvs_verdict (*op)(ipvs_conn *, rte_mbuf *, ipvs_pkt *),
				const spec &s, const char *what)
	{
		ipvs_pkt p;
		struct rte_mbuf *m = build(s);
		mbufs.push_back(m);
		ASSERT_EQ(0, ipvs_pkt_parse(m, &p));
		std::vector<uint8_t> before = bytes(m, 0, rte_pktmbuf_pkt_len(m));
		uint64_t fn = xmit_stats_this()->frag_needed, err = errors();
		size_t sent = g_sent.size();
		EXPECT_EQ(VERDICT_DROP, op(&c, m, &p)) << what;
		EXPECT_EQ(sent, g_sent.size()) << what << ": nothing sent";
		EXPECT_EQ(before, bytes(m, 0, rte_pktmbuf_pkt_len(m)))
			<< what << ": the error must quote the packet as its sender sent it";
		EXPECT_EQ(fn + 1, xmit_stats_this()->frag_needed) << what;
		EXPECT_EQ(err + 1, errors()) << what << ": ICMP fragmentation needed attempted";
	}
	netif_port port;
	bool routes = false;
};

/* Build s, then clear DF (checksum fixed). */
struct rte_mbuf *build_no_df(const spec &s)
{
	struct rte_mbuf *m = build(s);
	iph(m)->fragment_offset = 0;
	iph(m)->hdr_checksum = 0;
	iph(m)->hdr_checksum = rte_ipv4_cksum(iph(m));
	return m;
}

} // namespace

TEST_F(XmitMtu, XmitMtuNatBothWays)
{
	const auto &ops = xmit_nat_ops;
	c.laddr = c.caddr;
	c.lport = c.cport;
	/* 52 bytes of headers (TCP with 12 option bytes) */
	expect_frag_needed(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1600 - 52),
			   "NAT in, 1600 DF");
	struct rte_mbuf *m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1500 - 52));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(1500, ntohs(iph(m)->total_length)) << "exactly the MTU passes";

	ipvs_pkt p;
	struct rte_mbuf *nd = build_no_df(from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1600 - 52));
	mbufs.push_back(nd);
	ASSERT_EQ(0, ipvs_pkt_parse(nd, &p));
	EXPECT_EQ(VERDICT_STOLEN, ops.in(&c, nd, &p)) << "no DF: rewritten, ipv4 fragments it";
	mbufs.pop_back();
	EXPECT_EQ(c.daddr.in4, iph(g_sent.back())->dst_addr);

	spec back = from_server(RTE_TCP_ACK_FLAG, 7001, 1001, 1600 - 40);
	back.daddr = c.caddr.in4;
	back.dport = c.cport;
	expect_frag_needed(ops.out, back, "NAT out, 1600 DF");
}

TEST_F(XmitMtu, XmitMtuFnatCountsTheProxyHeader)
{
	const auto &ops = xmit_fnat_ops;
	svc->flags |= SVC_F_PROXY_PROTO;
	ASSERT_NE(nullptr, run(ops.in, from_client(RTE_TCP_SYN_FLAG, 1000, 0)));
	spec sa = from_server(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001);
	ASSERT_NE(nullptr, run(ops.out, sa));
	/* the first data segment gets 28 bytes: 1490 + 28 > 1500 */
	expect_frag_needed(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1490 - 52),
			   "FNAT in, first segment + PROXY header");
	struct rte_mbuf *m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1472 - 52));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(1500, ntohs(iph(m)->total_length));
	/* no DF: the header goes in anyway (1518 bytes, ipv4 fragments it) */
	ipvs_pkt p;
	struct rte_mbuf *nd = build_no_df(from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1490 - 52));
	mbufs.push_back(nd);
	ASSERT_EQ(0, ipvs_pkt_parse(nd, &p));
	uint64_t fail = xmit_stats_this()->pp2_fail;
	ASSERT_EQ(VERDICT_STOLEN, ops.in(&c, nd, &p));
	mbufs.pop_back();
	EXPECT_EQ(1518, ntohs(iph(g_sent.back())->total_length));
	EXPECT_EQ(fail, xmit_stats_this()->pp2_fail);
	/* later segments get nothing added: 1500 fits */
	m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001 + 1420, 7001, 1500 - 52));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(c.laddr.in4, iph(m)->src_addr);
	expect_frag_needed(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001 + 2840, 7001, 1501 - 52),
			   "FNAT in, 1501 DF");
	expect_frag_needed(ops.out, from_server(RTE_TCP_ACK_FLAG, 7001, 1001 + 1448, 1600 - 40),
			   "FNAT out, 1600 DF");
}

TEST_F(XmitMtu, XmitMtuTunnelOverheadHeadroomAndNoDf)
{
	const auto &ops = xmit_tunnel_ops;
	with_route_mtu(1400);
	EXPECT_EQ(1400, xmit_path_mtu(c.daddr.in4));
	struct rte_mbuf *m = run(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1380 - 52));
	ASSERT_NE(nullptr, m);
	EXPECT_EQ(1400, ntohs(iph(m)->total_length)) << "inner 1380 + 20 fits";
	EXPECT_EQ(IPPROTO_IPIP, iph(m)->next_proto_id);
	expect_frag_needed(ops.in, from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1381 - 52),
			   "TUNNEL, inner 1381 DF");

	/* no DF: encapsulated with DF clear on the outer header, for ipv4 to fragment */
	ipvs_pkt p;
	struct rte_mbuf *nd = build_no_df(from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 1381 - 52));
	mbufs.push_back(nd);
	ASSERT_EQ(0, ipvs_pkt_parse(nd, &p));
	ASSERT_EQ(VERDICT_STOLEN, ops.in(&c, nd, &p));
	mbufs.pop_back();
	EXPECT_EQ(1401, ntohs(iph(g_sent.back())->total_length));
	EXPECT_EQ(0, iph(g_sent.back())->fragment_offset);

	/* no headroom: its own counter, no ICMP */
	struct rte_mbuf *h = build(from_client(RTE_TCP_ACK_FLAG, 1001, 7001, 100));
	mbufs.push_back(h);
	uint16_t len = rte_pktmbuf_data_len(h);
	memmove(h->buf_addr, rte_pktmbuf_mtod(h, void *), len);
	h->data_off = 0;
	ASSERT_EQ(0, ipvs_pkt_parse(h, &p));
	uint64_t nh = xmit_stats_this()->no_headroom, fn = xmit_stats_this()->frag_needed;
	uint64_t err = errors();
	EXPECT_EQ(VERDICT_DROP, ops.in(&c, h, &p));
	EXPECT_EQ(nh + 1, xmit_stats_this()->no_headroom);
	EXPECT_EQ(fn, xmit_stats_this()->frag_needed);
	EXPECT_EQ(err, errors()) << "a headroom failure is not 'fragmentation needed'";
}
