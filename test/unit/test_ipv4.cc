// test_ipv4.cc - IPv4 header validation on crafted mbufs (one case per
// drop reason) and the per-reason counters of the receive path.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include "test_eal.h"
extern "C" {
#include <rte_ip.h>
#include <rte_mbuf.h>
#include "ipv4.h"
}

namespace {

class Ipv4Validate : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		if (mp == nullptr)
			mp = rte_pktmbuf_pool_create("ut_ipv4", 127, 0, 0, 2048, SOCKET_ID_ANY);
		ASSERT_NE(nullptr, mp);
	}
	void TearDown() override
	{
		for (rte_mbuf *m : bufs)
			rte_pktmbuf_free(m);
		bufs.clear();
	}

	// A valid 20-byte header (+ optional options) and payload bytes of data;
	// frame bytes in total (>= header) so padding can be added.
	rte_mbuf *pkt(unsigned ihl = 5, unsigned payload = 8, unsigned extra = 0)
	{
		rte_mbuf *m = rte_pktmbuf_alloc(mp);
		EXPECT_NE(nullptr, m);
		bufs.push_back(m);
		unsigned hl = ihl * 4, len = hl + payload + extra;
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
		memset(p, 0, len);
		rte_ipv4_hdr *ip = (rte_ipv4_hdr *)p;
		ip->version_ihl = (uint8_t)(0x40 | ihl);
		ip->total_length = htons((uint16_t)(hl + payload));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		inet_pton(AF_INET, "10.0.0.2", &ip->src_addr);
		inet_pton(AF_INET, "10.0.0.1", &ip->dst_addr);
		fix(m);
		return m;
	}
	static rte_ipv4_hdr *hdr(rte_mbuf *m) { return rte_pktmbuf_mtod(m, rte_ipv4_hdr *); }
	static void fix(rte_mbuf *m)
	{
		rte_ipv4_hdr *ip = hdr(m);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}

	static rte_mempool *mp;
	std::vector<rte_mbuf *> bufs;
};
rte_mempool *Ipv4Validate::mp = nullptr;

TEST_F(Ipv4Validate, GoodHeaderWithAndWithoutOptions)
{
	rte_mbuf *m = pkt();
	EXPECT_EQ(IPV4_OK, ipv4_validate(m));
	EXPECT_EQ(20u, m->l3_len);
	m = pkt(6);
	EXPECT_EQ(IPV4_OK, ipv4_validate(m));
	EXPECT_EQ(24u, m->l3_len);
	m = pkt(5, 8, 18);	// Ethernet padding after the datagram
	EXPECT_EQ(IPV4_OK, ipv4_validate(m));
}

TEST_F(Ipv4Validate, EachBadHeaderHasItsReason)
{
	rte_mbuf *m = pkt();
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 12);
	EXPECT_EQ(IPV4_DROP_TRUNCATED, ipv4_validate(m));

	m = pkt();
	hdr(m)->version_ihl = 0x65;
	fix(m);
	EXPECT_EQ(IPV4_DROP_VERSION, ipv4_validate(m));

	m = pkt();
	hdr(m)->version_ihl = 0x44;
	EXPECT_EQ(IPV4_DROP_IHL, ipv4_validate(m));

	m = pkt(5, 0);
	hdr(m)->version_ihl = 0x4f;	// 60-byte header in a 20-byte frame
	EXPECT_EQ(IPV4_DROP_IHL, ipv4_validate(m));

	m = pkt();
	hdr(m)->total_length = htons(19);
	fix(m);
	EXPECT_EQ(IPV4_DROP_TOTLEN, ipv4_validate(m));

	m = pkt();
	hdr(m)->total_length = htons(29);	// one byte more than the frame
	fix(m);
	EXPECT_EQ(IPV4_DROP_TOTLEN, ipv4_validate(m));

	m = pkt();
	hdr(m)->hdr_checksum ^= htons(0x0100);
	EXPECT_EQ(IPV4_DROP_CSUM, ipv4_validate(m));

	m = pkt();
	hdr(m)->time_to_live = 0;
	fix(m);
	EXPECT_EQ(IPV4_DROP_TTL0, ipv4_validate(m));

	m = pkt();
	inet_pton(AF_INET, "224.0.0.5", &hdr(m)->src_addr);
	fix(m);
	EXPECT_EQ(IPV4_DROP_BAD_SRC, ipv4_validate(m));
	m = pkt();
	inet_pton(AF_INET, "127.0.0.1", &hdr(m)->src_addr);
	fix(m);
	EXPECT_EQ(IPV4_DROP_BAD_SRC, ipv4_validate(m));
}

TEST_F(Ipv4Validate, HardwareChecksumFlagsAreTrusted)
{
	rte_mbuf *m = pkt();
	hdr(m)->hdr_checksum = 0x1234;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	EXPECT_EQ(IPV4_OK, ipv4_validate(m));
	m = pkt();
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	EXPECT_EQ(IPV4_DROP_CSUM, ipv4_validate(m));
}

TEST_F(Ipv4Validate, ReceiveCountsDropsPerReasonIncludingFragments)
{
	uint64_t csum0 = ipv4_drop_sum(IPV4_DROP_CSUM);
	uint64_t frag0 = ipv4_drop_sum(IPV4_DROP_FRAG);
	uint64_t ttl0 = ipv4_drop_sum(IPV4_DROP_TTL0);
	uint64_t in0 = ipv4_counter_sum(IPV4_C_IN);

	rte_mbuf *m = pkt();
	hdr(m)->hdr_checksum ^= 1;
	EXPECT_EQ(VERDICT_DROP, ipv4_rcv(m, nullptr));

	m = pkt();
	hdr(m)->fragment_offset = htons(RTE_IPV4_HDR_MF_FLAG);	// first fragment
	fix(m);
	EXPECT_EQ(VERDICT_DROP, ipv4_rcv(m, nullptr));
	m = pkt();
	hdr(m)->fragment_offset = htons(3);			// a later fragment
	fix(m);
	EXPECT_EQ(VERDICT_DROP, ipv4_rcv(m, nullptr));

	m = pkt();
	hdr(m)->time_to_live = 0;
	fix(m);
	EXPECT_EQ(VERDICT_DROP, ipv4_rcv(m, nullptr));

	EXPECT_EQ(csum0 + 1, ipv4_drop_sum(IPV4_DROP_CSUM));
	EXPECT_EQ(frag0 + 2, ipv4_drop_sum(IPV4_DROP_FRAG));
	EXPECT_EQ(ttl0 + 1, ipv4_drop_sum(IPV4_DROP_TTL0));
	EXPECT_EQ(in0 + 4, ipv4_counter_sum(IPV4_C_IN));
	EXPECT_STREQ("bad_checksum", ipv4_drop_names[IPV4_DROP_CSUM]);
}

TEST_F(Ipv4Validate, DontFragmentAloneIsNotAFragment)
{
	rte_mbuf *m = pkt();
	hdr(m)->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	fix(m);
	EXPECT_EQ(IPV4_OK, ipv4_validate(m));
}

}  // namespace
