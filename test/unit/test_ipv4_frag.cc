// test_ipv4_frag.cc - IPv4 reassembly (ipv4_reasm.c) on crafted fragment
// mbufs: in order, out of order, overlaps and duplicates, tiny fragments,
// expiry with a test clock, the datagram and mbuf bounds, malformed ones;
// every test checks that each mbuf came back to the pool.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <algorithm>
#include <vector>
#include "test_eal.h"
extern "C" {
#include <rte_ip.h>
#include <rte_mbuf.h>
#include "ipv4_reasm.h"
}

namespace {

const unsigned kMtuPayload = 1480;	// payload of a fragment at MTU 1500

class Ipv4Reasm : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		if (mp == nullptr)
			mp = rte_pktmbuf_pool_create("ut_reasm", 511, 0, 0, 2048, SOCKET_ID_ANY);
		ASSERT_NE(nullptr, mp);
		avail = rte_mempool_avail_count(mp);
		t = ipv4_reasm_tbl_create(8, 256, 1000);
		ASSERT_NE(nullptr, t);
	}
	void TearDown() override
	{
		ipv4_reasm_tbl_free(t);
		EXPECT_EQ(avail, rte_mempool_avail_count(mp)) << "mbufs not returned";
	}

	// The payload byte i of datagram id.
	static uint8_t byte(uint16_t id, unsigned i) { return (uint8_t)(i * 7 + id + (i >> 8)); }

	// A fragment of datagram id: payload [off, off + len), MF as given.
	rte_mbuf *frag(uint16_t id, unsigned off, unsigned len, bool more,
		       uint8_t proto = IPPROTO_UDP, unsigned total = 0)
	{
		rte_mbuf *m = rte_pktmbuf_alloc(mp);
		EXPECT_NE(nullptr, m);
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(20 + len));
		EXPECT_NE(nullptr, p);
		rte_ipv4_hdr *ip = (rte_ipv4_hdr *)p;
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = 0x45;
		ip->total_length = htons((uint16_t)(total ? total : 20 + len));
		ip->packet_id = htons(id);
		ip->fragment_offset = htons((uint16_t)((off / 8) | (more ? RTE_IPV4_HDR_MF_FLAG : 0)));
		ip->time_to_live = 64;
		ip->next_proto_id = proto;
		inet_pton(AF_INET, "10.0.0.2", &ip->src_addr);
		inet_pton(AF_INET, "10.0.0.1", &ip->dst_addr);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		for (unsigned i = 0; i < len; i++)
			p[20 + i] = byte(id, off + i);
		m->l3_len = 20;
		return m;
	}
	enum ipv4_reasm_result add(rte_mbuf *m, uint64_t now = 0)
	{
		rte_mbuf *o = nullptr;
		enum ipv4_reasm_result r = ipv4_reasm_add(t, m, now, &o);
		if (r == IPV4_REASM_DONE) {
			EXPECT_NE(nullptr, o);
			out = o;
		} else {
			EXPECT_EQ(nullptr, o);
		}
		return r;
	}
	// The datagram in out is id's with plen payload bytes, right header.
	void check_datagram(uint16_t id, unsigned plen)
	{
		ASSERT_NE(nullptr, out);
		const rte_ipv4_hdr *ip = rte_pktmbuf_mtod(out, const rte_ipv4_hdr *);
		EXPECT_EQ(20 + plen, ntohs(ip->total_length));
		EXPECT_EQ(20 + plen, rte_pktmbuf_pkt_len(out));
		EXPECT_EQ(0, ip->fragment_offset);
		EXPECT_EQ(0xffff, rte_raw_cksum(ip, 20)) << "header checksum";
		std::vector<uint8_t> buf(plen);
		const uint8_t *d = (const uint8_t *)rte_pktmbuf_read(out, 20, plen, buf.data());
		ASSERT_NE(nullptr, d);
		unsigned bad = 0;
		for (unsigned i = 0; i < plen; i++)
			bad += d[i] != byte(id, i);
		EXPECT_EQ(0u, bad) << "payload bytes differ";
		rte_pktmbuf_free(out);
		out = nullptr;
	}
	uint64_t count(enum ipv4_reasm_counter c) { return ipv4_reasm_counter(t, c); }

	static rte_mempool *mp;
	unsigned avail = 0;
	ipv4_reasm_tbl *t = nullptr;
	rte_mbuf *out = nullptr;
};
rte_mempool *Ipv4Reasm::mp = nullptr;

TEST_F(Ipv4Reasm, InOrder)
{
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, 0, kMtuPayload, true)));
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, kMtuPayload, kMtuPayload, true)));
	EXPECT_EQ(1u, ipv4_reasm_dgrams(t));
	EXPECT_EQ(2u, ipv4_reasm_mbufs(t));
	EXPECT_EQ(IPV4_REASM_DONE, add(frag(1, 2 * kMtuPayload, 1040, false)));
	EXPECT_EQ(3, out->nb_segs);
	check_datagram(1, 2 * kMtuPayload + 1040);
	EXPECT_EQ(0u, ipv4_reasm_dgrams(t));
	EXPECT_EQ(0u, ipv4_reasm_mbufs(t));
	EXPECT_EQ(1u, count(IPV4_REASM_C_OK));
}

TEST_F(Ipv4Reasm, OutOfOrderAndInterleaved)
{
	// 60 kB in 41 fragments, last first, then odd ones, then even ones,
	// interleaved with a second datagram.
	const unsigned plen = 60000, n = (plen + kMtuPayload - 1) / kMtuPayload;
	std::vector<unsigned> order;
	order.push_back(n - 1);
	for (unsigned i = 1; i < n - 1; i += 2)
		order.push_back(i);
	for (unsigned i = 0; i < n - 1; i += 2)
		order.push_back(i);
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(2, kMtuPayload, kMtuPayload, true)));
	for (unsigned k = 0; k < order.size(); k++) {
		unsigned off = order[k] * kMtuPayload;
		unsigned len = std::min(kMtuPayload, plen - off);
		enum ipv4_reasm_result r = add(frag(1, off, len, order[k] != n - 1));
		EXPECT_EQ(k + 1 == order.size() ? IPV4_REASM_DONE : IPV4_REASM_HELD, r) << k;
	}
	EXPECT_EQ((int)n, out->nb_segs);
	check_datagram(1, plen);
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(2, 2 * kMtuPayload, 8, false)));
	EXPECT_EQ(IPV4_REASM_DONE, add(frag(2, 0, kMtuPayload, true)));
	check_datagram(2, 2 * kMtuPayload + 8);
	EXPECT_EQ(2u, count(IPV4_REASM_C_OK));
}

TEST_F(Ipv4Reasm, OverlapDropsTheDatagram)
{
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, 0, kMtuPayload, true)));
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, 2 * kMtuPayload, 400, false)));
	// starts 8 bytes inside the first fragment
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, kMtuPayload - 8, 512, true)));
	EXPECT_EQ(1u, count(IPV4_REASM_C_OVERLAP));
	EXPECT_EQ(0u, ipv4_reasm_dgrams(t));
	EXPECT_EQ(0u, ipv4_reasm_mbufs(t));
	// the rest of it now starts a new datagram that never completes
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, kMtuPayload, kMtuPayload, true)));
	// overlapping the next one's start from below
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, 512, kMtuPayload, true)));
	EXPECT_EQ(2u, count(IPV4_REASM_C_OVERLAP));
	// an exact duplicate is an overlap too
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(3, 0, kMtuPayload, true)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(3, 0, kMtuPayload, true)));
	// two different ends, and data after the end
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(4, 2048, 100, false)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(4, 4096, 100, false)));
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(5, 2048, 100, false)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(5, 4096, 512, true)));
	EXPECT_EQ(5u, count(IPV4_REASM_C_OVERLAP));
	EXPECT_EQ(0u, ipv4_reasm_dgrams(t));
	EXPECT_EQ(0u, count(IPV4_REASM_C_OK));
}

TEST_F(Ipv4Reasm, TinyFragmentsDropped)
{
	// a non-last fragment below the minimum, and any at offset 8 (RFC 1858)
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, 0, IPV4_REASM_MIN_FRAG - 8, true)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, 8, 600, false, IPPROTO_TCP)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, 8, 1000, true)));
	EXPECT_EQ(3u, count(IPV4_REASM_C_TINY));
	EXPECT_EQ(0u, ipv4_reasm_dgrams(t));
	// the minimum itself, and a short last fragment, are fine
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, 0, IPV4_REASM_MIN_FRAG, true)));
	EXPECT_EQ(IPV4_REASM_DONE, add(frag(1, IPV4_REASM_MIN_FRAG, 1, false)));
	check_datagram(1, IPV4_REASM_MIN_FRAG + 1);
}

TEST_F(Ipv4Reasm, TimeoutWithATestClock)
{
	ipv4_reasm_tbl_limits(t, 256, 500);
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, 0, kMtuPayload, true), 1000000));
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(2, 0, kMtuPayload, true), 1200000));
	EXPECT_EQ(0u, ipv4_reasm_expire(t, 1499999));
	EXPECT_EQ(2u, ipv4_reasm_mbufs(t));
	EXPECT_EQ(1u, ipv4_reasm_expire(t, 1500000));
	EXPECT_EQ(1u, count(IPV4_REASM_C_TIMEOUT));
	EXPECT_EQ(1u, ipv4_reasm_dgrams(t));
	// a late fragment of the expired one starts anew (and is held);
	// adding also expires what is due (id 2 at 1.7 s)
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(1, kMtuPayload, 100, false), 1700000));
	EXPECT_EQ(2u, count(IPV4_REASM_C_TIMEOUT));
	EXPECT_EQ(1u, ipv4_reasm_dgrams(t));
	EXPECT_EQ(1u, ipv4_reasm_mbufs(t));
	// a fragment in time completes its datagram
	EXPECT_EQ(IPV4_REASM_HELD, add(frag(3, 0, kMtuPayload, true), 1800000));
	EXPECT_EQ(IPV4_REASM_DONE, add(frag(3, kMtuPayload, 10, false), 2199999));
	check_datagram(3, kMtuPayload + 10);
	EXPECT_EQ(1u, ipv4_reasm_flush(t));
	EXPECT_EQ(2u, count(IPV4_REASM_C_TIMEOUT)) << "a flush is not a timeout";
}

TEST_F(Ipv4Reasm, DatagramAndMbufBounds)
{
	// 8 datagrams at most: a flood of first fragments keeps 8 mbufs
	for (uint16_t id = 0; id < 100; id++)
		add(frag(id, 0, kMtuPayload, true));
	EXPECT_EQ(8u, ipv4_reasm_dgrams(t));
	EXPECT_EQ(8u, ipv4_reasm_mbufs(t));
	EXPECT_EQ(92u, count(IPV4_REASM_C_FULL));
	// a datagram already in the table may still complete
	EXPECT_EQ(IPV4_REASM_DONE, add(frag(3, kMtuPayload, 64, false)));
	check_datagram(3, kMtuPayload + 64);
	EXPECT_EQ(7u, ipv4_reasm_flush(t));
	// the mbuf bound: 4 mbufs held at most
	ipv4_reasm_tbl_limits(t, 4, 1000);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_EQ(IPV4_REASM_HELD, add(frag(50, i * kMtuPayload, kMtuPayload, true)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(50, 4 * kMtuPayload, kMtuPayload, true)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(51, 0, kMtuPayload, true)));
	EXPECT_EQ(94u, count(IPV4_REASM_C_FULL));
	EXPECT_EQ(4u, ipv4_reasm_mbufs(t));
	EXPECT_EQ(1u, ipv4_reasm_expire(t, 1000000));
	EXPECT_EQ(0u, ipv4_reasm_mbufs(t));
}

TEST_F(Ipv4Reasm, MalformedAndTooManyFragments)
{
	// a non-last fragment not a multiple of 8, empty, beyond 65535 bytes
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, 0, 1001, true)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, 1000, 0, false)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(1, 65000, 600, false)));
	EXPECT_EQ(3u, count(IPV4_REASM_C_BAD));
	// one fragment more than IPV4_REASM_MAX_FRAGS drops the datagram
	ipv4_reasm_tbl_limits(t, 256, 1000);
	for (unsigned i = 0; i < IPV4_REASM_MAX_FRAGS; i++)
		EXPECT_EQ(IPV4_REASM_HELD, add(frag(2, i * 256, 256, true)));
	EXPECT_EQ(IPV4_REASM_DROPPED, add(frag(2, IPV4_REASM_MAX_FRAGS * 256, 8, false)));
	EXPECT_EQ(4u, count(IPV4_REASM_C_BAD));
	EXPECT_EQ(0u, ipv4_reasm_mbufs(t));
	// 64 fragments that make a whole datagram are fine
	for (unsigned i = 0; i + 1 < IPV4_REASM_MAX_FRAGS; i++)
		EXPECT_EQ(IPV4_REASM_HELD, add(frag(3, i * 256, 256, true)));
	EXPECT_EQ(IPV4_REASM_DONE, add(frag(3, (IPV4_REASM_MAX_FRAGS - 1) * 256, 8, false)));
	check_datagram(3, (IPV4_REASM_MAX_FRAGS - 1) * 256 + 8);
}

TEST_F(Ipv4Reasm, BadArgumentsAndOffState)
{
	EXPECT_EQ(nullptr, ipv4_reasm_tbl_create(0, 16, 1000));
	EXPECT_EQ(nullptr, ipv4_reasm_tbl_create(8, 0, 1000));
	EXPECT_EQ(nullptr, ipv4_reasm_tbl_create(8, 16, 0));
	EXPECT_EQ(nullptr, ipv4_reasm_tbl_create(65537, 16, 1000));
	ipv4_reasm_tbl_free(nullptr);
	EXPECT_EQ(0u, ipv4_reasm_flush(nullptr));
	// reassembly off: no owner, no table
	ASSERT_EQ(0, ipv4_reasm_setup(0, 64, 1000));
	EXPECT_EQ((unsigned)RTE_MAX_LCORE, ipv4_reasm_owner(1, 2, 3, IPPROTO_UDP));
	EXPECT_EQ(nullptr, ipv4_reasm_lcore_tbl(rte_lcore_id()));
	ipv4_reasm_teardown();
}

}  // namespace
