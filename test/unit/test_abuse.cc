// test_abuse.cc - regression tests for bugs found by the fuzz targets
// (test/fuzz/) and the abuse tests (test/integration/5x_*.sh).  Each test
// names the finding it pins.  Suite: AbuseRegress.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <cstring>

#include <rte_mbuf.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "test_eal.h"
#include "dpvs_err.h"
#include "ipvs/ipvs.h"
#include "neigh.h"
#include "netif.h"

namespace {

rte_mempool *abuse_pool()
{
	static rte_mempool *mp;

	if (!mp)
		mp = rte_pktmbuf_pool_create("test_abuse", 255, 0, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return mp;
}

// An IPv4 packet of protocol proto with a 20-byte TCP or 8-byte UDP header.
rte_mbuf *l4_packet(uint8_t proto, uint16_t sport, uint16_t dport)
{
	uint16_t l4 = proto == IPPROTO_TCP ? 20 : 8;
	rte_mbuf *m = rte_pktmbuf_alloc(abuse_pool());
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)(20 + l4));

	memset(ip, 0, 20u + l4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons((uint16_t)(20 + l4));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = htonl(0x0a000002);
	ip->dst_addr = htonl(0x0a000064);
	if (proto == IPPROTO_TCP) {
		auto *th = (rte_tcp_hdr *)(ip + 1);
		th->src_port = htons(sport);
		th->dst_port = htons(dport);
		th->data_off = 5 << 4;
		th->tcp_flags = RTE_TCP_SYN_FLAG;
	} else {
		auto *uh = (rte_udp_hdr *)(ip + 1);
		uh->src_port = htons(sport);
		uh->dst_port = htons(dport);
		uh->dgram_len = htons(8);
	}
	m->l3_len = 20;
	return m;
}

}  // namespace

// Found by 51_malformed_l4.sh: a UDP datagram from source port 0 was
// forwarded by NAT to the real server, whose own stack cannot answer port
// 0 (the test's server died on EINVAL).  Port 0 is reserved for TCP and
// UDP: the L4 parse now rejects it (counted `malformed`).
TEST(AbuseRegress, ZeroPortsAreMalformed)
{
	ASSERT_EQ(0, test_eal_up());
	ASSERT_NE(nullptr, abuse_pool());
	const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	for (uint8_t proto : protos) {
		ipvs_pkt p;
		rte_mbuf *ok = l4_packet(proto, 40000, 80);
		rte_mbuf *s0 = l4_packet(proto, 0, 80);
		rte_mbuf *d0 = l4_packet(proto, 40000, 0);
		rte_mbuf *hi = l4_packet(proto, 65535, 65535);

		EXPECT_EQ(0, ipvs_pkt_parse(ok, &p)) << (int)proto;
		EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(s0, &p)) << (int)proto;
		EXPECT_EQ(EDPVS_INVAL, ipvs_pkt_parse(d0, &p)) << (int)proto;
		EXPECT_EQ(0, ipvs_pkt_parse(hi, &p)) << (int)proto;
		rte_pktmbuf_free(ok);
		rte_pktmbuf_free(s0);
		rte_pktmbuf_free(d0);
		rte_pktmbuf_free(hi);
	}
}

// Found by 53_arp_flood.sh: 5000 ARP requests from made-up senders filled
// the 1024-entry neighbour table with REACHABLE junk, after which a new
// client could not be resolved (its SYN-ACK was dropped, table_full) until
// the junk aged out.  A full table now evicts a dynamic entry (FAILED or
// STALE first), never a static one.
namespace {
void nop_req(void *, netif_port *, uint32_t, const rte_ether_addr *) {}
int free_xmit(void *, rte_mbuf *m, netif_port *, const rte_ether_addr *)
{
	rte_pktmbuf_free(m);
	return 0;
}
const neigh_table_ops abuse_neigh_ops = { nop_req, free_xmit };
}  // namespace

TEST(AbuseRegress, NeighFullTableEvictsDynamicNotStatic)
{
	ASSERT_EQ(0, test_eal_up());
	netif_port port{};
	rte_ether_addr mac = { { 0x02, 0, 0, 0, 0, 9 } };
	neigh_table *t = neigh_table_create(0, &abuse_neigh_ops, nullptr);
	ASSERT_NE(nullptr, t);
	const uint32_t junk = 0x0a000000u, real = htonl(0xc0a80102u);

	for (uint32_t i = 0; i < 2 * NEIGH_TABLE_SIZE; i++)
		neigh_table_confirm(t, &port, htonl(junk + i), &mac, true, 0);
	EXPECT_EQ(NEIGH_TABLE_SIZE, neigh_table_count(t));
	// a new neighbour still gets an entry (learned from its ARP)
	EXPECT_TRUE(neigh_table_confirm(t, &port, real, &mac, true, 1));
	EXPECT_EQ(NEIGH_S_REACHABLE, neigh_table_state(t, &port, real, nullptr));
	EXPECT_EQ(NEIGH_TABLE_SIZE, neigh_table_count(t));
	EXPECT_GE(neigh_table_counter(t, NEIGH_C_TABLE_FULL), (uint64_t)NEIGH_TABLE_SIZE);
	neigh_table_free(t);

	// a table of static entries only: nothing to evict, refused
	t = neigh_table_create(0, &abuse_neigh_ops, nullptr);
	ASSERT_NE(nullptr, t);
	for (uint32_t i = 0; i < NEIGH_TABLE_SIZE; i++)
		ASSERT_EQ(0, neigh_table_set_static(t, &port, htonl(junk + i), &mac));
	EXPECT_FALSE(neigh_table_confirm(t, &port, real, &mac, true, 1));
	EXPECT_EQ(EDPVS_NOROOM, neigh_table_set_static(t, &port, real, &mac));
	EXPECT_EQ(NEIGH_S_STATIC, neigh_table_state(t, &port, htonl(junk), nullptr));
	neigh_table_free(t);
}
