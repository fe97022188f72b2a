// test_icmp.cc - ICMP error policy (src/icmp.c): which packets never get an
// error, and the per-lcore token bucket of the rate limit.  Without a
// packet pool (no netif in unit tests) an allowed error ends as "nomem",
// which tells "sent" apart from "suppressed" and "rate limited".
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <vector>
#include "test_eal.h"
extern "C" {
#include <rte_ip.h>
#include <rte_mbuf.h>
#include "icmp.h"
}

namespace {

class IcmpError : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		if (mp == nullptr)
			mp = rte_pktmbuf_pool_create("ut_icmp", 63, 0, 0, 2048, SOCKET_ID_ANY);
		ASSERT_NE(nullptr, mp);
	}
	void TearDown() override
	{
		for (rte_mbuf *m : bufs)
			rte_pktmbuf_free(m);
		bufs.clear();
		icmp_set_ratelimit(100, 50);
	}
	rte_mbuf *pkt(const char *src, const char *dst, uint8_t proto, uint8_t icmp_type = 8,
		      uint16_t frag = 0)
	{
		rte_mbuf *m = rte_pktmbuf_alloc(mp);
		bufs.push_back(m);
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 28);
		memset(p, 0, 28);
		rte_ipv4_hdr *ip = (rte_ipv4_hdr *)p;
		ip->version_ihl = 0x45;
		ip->total_length = htons(28);
		ip->time_to_live = 5;
		ip->next_proto_id = proto;
		ip->fragment_offset = htons(frag);
		inet_pton(AF_INET, src, &ip->src_addr);
		inet_pton(AF_INET, dst, &ip->dst_addr);
		p[20] = icmp_type;
		m->l3_len = 20;
		return m;
	}
	struct Snap {
		uint64_t nomem, limited, suppressed;
	};
	Snap snap()
	{
		return { icmp_counter_sum(ICMP_C_ERR_NOMEM), icmp_counter_sum(ICMP_C_ERR_RATELIMITED),
			 icmp_counter_sum(ICMP_C_ERR_SUPPRESSED) };
	}

	static rte_mempool *mp;
	std::vector<rte_mbuf *> bufs;
};
rte_mempool *IcmpError::mp = nullptr;

TEST_F(IcmpError, NeverAboutErrorsFragmentsOrSpecialAddresses)
{
	icmp_set_ratelimit(0, 1);	// no limit: only the policy decides
	Snap s0 = snap();
	icmp_send_error(pkt("10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 3), 3, 1, 0);	// an error
	icmp_send_error(pkt("10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 11), 3, 1, 0);
	icmp_send_error(pkt("10.0.0.2", "224.0.0.9", IPPROTO_UDP), 3, 3, 0);	// multicast
	icmp_send_error(pkt("10.0.0.2", "255.255.255.255", IPPROTO_UDP), 3, 3, 0);
	icmp_send_error(pkt("0.0.0.0", "10.0.0.1", IPPROTO_UDP), 3, 3, 0);
	icmp_send_error(pkt("10.0.0.2", "10.0.0.1", IPPROTO_UDP, 0, 20), 3, 3, 0);	// later fragment
	Snap s1 = snap();
	EXPECT_EQ(6u, s1.suppressed - s0.suppressed);
	EXPECT_EQ(0u, s1.nomem - s0.nomem);
	// Allowed: about an echo request, UDP, a first fragment.
	icmp_send_error(pkt("10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 8), 11, 0, 0);
	icmp_send_error(pkt("10.0.0.2", "10.0.0.1", IPPROTO_UDP), 3, 3, 0);
	icmp_send_error(pkt("10.0.0.2", "10.0.0.1", IPPROTO_UDP, 0, RTE_IPV4_HDR_MF_FLAG), 3, 3, 0);
	Snap s2 = snap();
	EXPECT_EQ(3u, s2.nomem - s1.nomem);
	EXPECT_EQ(s1.suppressed, s2.suppressed);
	EXPECT_EQ(s1.limited, s2.limited);
}

TEST_F(IcmpError, TokenBucketLimitsBursts)
{
	icmp_set_ratelimit(1, 3);	// 1 per second, burst 3
	rte_mbuf *m = pkt("10.0.0.2", "10.0.0.1", IPPROTO_UDP);
	Snap s0 = snap();
	for (int i = 0; i < 20; i++)
		icmp_send_error(m, 3, 3, 0);
	Snap s1 = snap();
	// At most the burst (plus what one second would refill) gets through.
	EXPECT_LE(s1.nomem - s0.nomem, 4u);
	EXPECT_GE(s1.limited - s0.limited, 16u);
	EXPECT_EQ(20u, (s1.nomem - s0.nomem) + (s1.limited - s0.limited));
	icmp_set_ratelimit(0, 1);	// unlimited
	for (int i = 0; i < 5; i++)
		icmp_send_error(m, 3, 3, 0);
	EXPECT_EQ(5u, snap().nomem - s1.nomem);
}

}  // namespace
