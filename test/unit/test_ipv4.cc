// test_ipv4.cc - IPv4 header validation on crafted mbufs (one case per
// drop reason) and the per-reason counters of the receive path.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <algorithm>
#include <vector>
#include "test_eal.h"
extern "C" {
#include <rte_ip.h>
#include <rte_mbuf.h>
#include "icmp.h"
#include "inet_addr.h"
#include "ipv4.h"
#include "netif.h"
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

// ---- fragmentation on output ----

// A 1000-byte UDP payload behind a header with two options: record route
// (type 7, not copied) and router alert (type 148, copied).
TEST_F(Ipv4Validate, FragmentSplitsOnEightByteBoundaries)
{
	rte_mbuf *m = pkt(8, 1000);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	const uint8_t opts[12] = {7, 7, 4, 0, 0, 0, 0, 148, 4, 0, 0, 0};
	memcpy(p + 20, opts, sizeof(opts));
	for (unsigned i = 0; i < 1000; i++)
		p[32 + i] = (uint8_t)(i * 7);
	hdr(m)->packet_id = htons(0x4242);
	fix(m);

	rte_mbuf *f[IPV4_FRAG_MAX];
	int n = ipv4_fragment(m, 300, mp, f, IPV4_FRAG_MAX);
	ASSERT_EQ(4, n);	// (300 - 32) & ~7 = 264: 264 + 264 + 264 + 208
	std::vector<uint8_t> joined;
	for (int i = 0; i < n; i++) {
		bufs.push_back(f[i]);
		rte_ipv4_hdr *ip = hdr(f[i]);
		uint16_t len = ntohs(ip->total_length), fo = ntohs(ip->fragment_offset);
		EXPECT_EQ(len, rte_pktmbuf_pkt_len(f[i]));
		EXPECT_LE(len, 300);
		EXPECT_EQ(0x48, ip->version_ihl);
		EXPECT_EQ(htons(0x4242), ip->packet_id);
		EXPECT_EQ(0xffff, rte_raw_cksum(ip, 32)) << "header checksum of fragment " << i;
		EXPECT_EQ((unsigned)i * 264 / 8, fo & RTE_IPV4_HDR_OFFSET_MASK);
		EXPECT_EQ(i < n - 1, (fo & RTE_IPV4_HDR_MF_FLAG) != 0) << "MF on fragment " << i;
		EXPECT_EQ(0, fo & RTE_IPV4_HDR_DF_FLAG);
		EXPECT_EQ(IPV4_OK, ipv4_validate(f[i]));
		uint8_t *fp = rte_pktmbuf_mtod(f[i], uint8_t *);
		if (i == 0) {
			EXPECT_EQ(0, memcmp(fp + 20, opts, sizeof(opts))) << "first keeps every option";
		} else {
			const uint8_t later[12] = {1, 1, 1, 1, 1, 1, 1, 148, 4, 0, 0, 0};
			EXPECT_EQ(0, memcmp(fp + 20, later, sizeof(later)))
				<< "non-copied record route NOPed, router alert kept";
		}
		joined.insert(joined.end(), fp + 32, fp + len);
	}
	ASSERT_EQ(1000u, joined.size());
	EXPECT_EQ(0, memcmp(joined.data(), p + 32, 1000));
}

TEST_F(Ipv4Validate, FragmentRefusals)
{
	rte_mbuf *f[IPV4_FRAG_MAX];
	rte_mbuf *m = pkt(5, 1000);

	EXPECT_EQ(EDPVS_NOROOM, ipv4_fragment(m, 100, mp, f, 4));	// 13 needed
	EXPECT_EQ(EDPVS_INVAL, ipv4_fragment(m, 27, mp, f, IPV4_FRAG_MAX));	// < 20 + 8
	EXPECT_EQ(EDPVS_NOMEM, ipv4_fragment(m, 576, nullptr, f, IPV4_FRAG_MAX));
	hdr(m)->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	fix(m);
	EXPECT_EQ(EDPVS_INVAL, ipv4_fragment(m, 576, mp, f, IPV4_FRAG_MAX));

	// A non-last fragment split again: every piece keeps MF, offsets add up.
	hdr(m)->fragment_offset = htons(RTE_IPV4_HDR_MF_FLAG | 100);
	fix(m);
	int n = ipv4_fragment(m, 576, mp, f, IPV4_FRAG_MAX);
	ASSERT_EQ(2, n);
	for (int i = 0; i < n; i++) {
		bufs.push_back(f[i]);
		uint16_t fo = ntohs(hdr(f[i])->fragment_offset);
		EXPECT_NE(0, fo & RTE_IPV4_HDR_MF_FLAG);
		EXPECT_EQ(100 + i * 552 / 8, fo & RTE_IPV4_HDR_OFFSET_MASK);
	}
}

// The receive path's decisions (no netif, no route table: what leaves
// dpvsd ends as a counted no_route drop in ipv4_output).
class Ipv4Rcv : public Ipv4Validate {
protected:
	void SetUp() override
	{
		Ipv4Validate::SetUp();
		memset(&port, 0, sizeof(port));
		snprintf(port.name, sizeof(port.name), "ut4");
		port.mtu = 1500;
		in_addr a{};
		inet_pton(AF_INET, "10.0.0.1", &a);
		local = a.s_addr;
		ASSERT_EQ(0, inet_addr_add(&port, local, 24, 0));
	}
	void TearDown() override
	{
		inet_addr_del(&port, local, 0);
		ipv4_set_forward(false);
		Ipv4Validate::TearDown();
	}
	// m as netif gives it; ipv4_rcv may consume it (then forget it).
	enum dpvs_verdict rcv(rte_mbuf *m)
	{
		enum dpvs_verdict v = ipv4_rcv(m, &port);
		if (v == VERDICT_STOLEN)
			bufs.erase(std::find(bufs.begin(), bufs.end(), m));
		return v;
	}
	rte_mbuf *to(const char *dst, uint8_t proto, uint8_t ttl = 64)
	{
		rte_mbuf *m = pkt();
		inet_pton(AF_INET, dst, &hdr(m)->dst_addr);
		hdr(m)->next_proto_id = proto;
		hdr(m)->time_to_live = ttl;
		fix(m);
		return m;
	}
	netif_port port;
	uint32_t local = 0;
};

TEST_F(Ipv4Rcv, LocalDelivery)
{
	uint64_t unk = ipv4_drop_sum(IPV4_DROP_UNKNOWN_PROTO), loc = ipv4_counter_sum(IPV4_C_IN_LOCAL);
	uint64_t kern = ipv4_counter_sum(IPV4_C_TO_KERNEL);

	EXPECT_EQ(VERDICT_DROP, rcv(to("10.0.0.1", 253)));
	EXPECT_EQ(unk + 1, ipv4_drop_sum(IPV4_DROP_UNKNOWN_PROTO));
	EXPECT_EQ(VERDICT_ACCEPT, rcv(to("10.0.0.1", IPPROTO_TCP)));	// kernel path
	EXPECT_EQ(VERDICT_ACCEPT, rcv(to("10.0.0.1", IPPROTO_UDP)));
	EXPECT_EQ(loc + 3, ipv4_counter_sum(IPV4_C_IN_LOCAL));
	EXPECT_EQ(kern + 2, ipv4_counter_sum(IPV4_C_TO_KERNEL));
}

TEST_F(Ipv4Rcv, EchoRequestIsAnswered)
{
	uint64_t rep = icmp_counter_sum(ICMP_C_OUT_ECHO_REPLY);
	uint64_t nr = ipv4_drop_sum(IPV4_DROP_NO_ROUTE);
	rte_mbuf *m = to("10.0.0.1", IPPROTO_ICMP);
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, 20);
	icmp[0] = 8;	// echo request, code 0, id/seq 0
	uint16_t ck = (uint16_t)~rte_raw_cksum(icmp, 8);
	memcpy(icmp + 2, &ck, 2);
	EXPECT_EQ(VERDICT_STOLEN, rcv(m));
	EXPECT_EQ(rep + 1, icmp_counter_sum(ICMP_C_OUT_ECHO_REPLY));
	EXPECT_EQ(nr + 1, ipv4_drop_sum(IPV4_DROP_NO_ROUTE));	// no route table here
}

TEST_F(Ipv4Rcv, NotLocalGoesToTheKernelUnlessForwarding)
{
	uint64_t kern = ipv4_counter_sum(IPV4_C_TO_KERNEL);
	uint64_t ttl = ipv4_drop_sum(IPV4_DROP_TTL_EXCEEDED);
	uint64_t nr = ipv4_drop_sum(IPV4_DROP_NO_ROUTE);

	EXPECT_EQ(VERDICT_ACCEPT, rcv(to("10.0.0.9", IPPROTO_UDP)));
	EXPECT_EQ(kern + 1, ipv4_counter_sum(IPV4_C_TO_KERNEL));
	ipv4_set_forward(true);
	EXPECT_EQ(VERDICT_DROP, rcv(to("10.0.0.9", IPPROTO_UDP, 1)));
	EXPECT_EQ(ttl + 1, ipv4_drop_sum(IPV4_DROP_TTL_EXCEEDED));
	EXPECT_EQ(VERDICT_DROP, rcv(to("10.0.0.9", IPPROTO_UDP)));
	EXPECT_EQ(nr + 1, ipv4_drop_sum(IPV4_DROP_NO_ROUTE));
	EXPECT_EQ(VERDICT_ACCEPT, rcv(to("224.0.0.5", IPPROTO_UDP)));	// multicast: kernel
}

int hook_calls;
enum dpvs_verdict test_hook(void *, rte_mbuf *m, netif_port *)
{
	hook_calls++;
	uint8_t proto = rte_pktmbuf_mtod(m, rte_ipv4_hdr *)->next_proto_id;
	if (proto == 99) {
		rte_pktmbuf_free(m);
		return VERDICT_STOLEN;
	}
	return proto == 98 ? VERDICT_DROP : VERDICT_ACCEPT;
}

TEST_F(Ipv4Rcv, PreRoutingHookRunsFirst)
{
	ASSERT_EQ(0, ipv4_hook_register(IPV4_HOOK_PRE_ROUTING, -1000, test_hook, nullptr));
	EXPECT_EQ(EDPVS_INVAL, ipv4_hook_register(IPV4_HOOK_MAX, 0, test_hook, nullptr));
	uint64_t hd = ipv4_drop_sum(IPV4_DROP_HOOK);
	hook_calls = 0;
	EXPECT_EQ(VERDICT_STOLEN, rcv(to("10.0.0.1", 99)));
	EXPECT_EQ(VERDICT_DROP, rcv(to("10.0.0.1", 98)));
	EXPECT_EQ(VERDICT_ACCEPT, rcv(to("10.0.0.1", IPPROTO_TCP)));
	EXPECT_EQ(3, hook_calls);
	EXPECT_EQ(hd + 1, ipv4_drop_sum(IPV4_DROP_HOOK));
	rte_mbuf *m = to("10.0.0.1", IPPROTO_TCP);
	hdr(m)->hdr_checksum ^= 1;	// invalid packets never reach the hooks
	EXPECT_EQ(VERDICT_DROP, rcv(m));
	EXPECT_EQ(3, hook_calls);
	EXPECT_EQ(0, ipv4_hook_unregister(IPV4_HOOK_PRE_ROUTING, test_hook, nullptr));
	EXPECT_EQ(EDPVS_NOTEXIST, ipv4_hook_unregister(IPV4_HOOK_PRE_ROUTING, test_hook, nullptr));
}

// Fragments are dropped (and counted) before PRE_ROUTING: IPVS, the hook
// there, never has to handle one (ipvs_pkt.c relies on it).
TEST_F(Ipv4Rcv, FragmentsNeverReachTheHooks)
{
	ASSERT_EQ(0, ipv4_hook_register(IPV4_HOOK_PRE_ROUTING, -1000, test_hook, nullptr));
	uint64_t frag = ipv4_drop_sum(IPV4_DROP_FRAG);
	hook_calls = 0;
	const uint16_t kinds[] = { RTE_IPV4_HDR_MF_FLAG, 185, RTE_IPV4_HDR_MF_FLAG | 1,
				   RTE_IPV4_HDR_DF_FLAG | RTE_IPV4_HDR_MF_FLAG };
	for (uint16_t fo : kinds) {
		rte_mbuf *m = to("10.0.0.9", IPPROTO_TCP);
		hdr(m)->fragment_offset = htons(fo);
		fix(m);
		EXPECT_EQ(VERDICT_DROP, rcv(m)) << fo;
	}
	EXPECT_EQ(0, hook_calls);
	EXPECT_EQ(frag + 4, ipv4_drop_sum(IPV4_DROP_FRAG));
	rte_mbuf *m = to("10.0.0.9", IPPROTO_TCP);
	hdr(m)->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	fix(m);
	rcv(m);
	EXPECT_EQ(1, hook_calls) << "DF alone is not a fragment";
	EXPECT_EQ(0, ipv4_hook_unregister(IPV4_HOOK_PRE_ROUTING, test_hook, nullptr));
}

}  // namespace
