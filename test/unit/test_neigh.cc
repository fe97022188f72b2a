// test_neigh.cc - the neighbour state machine table and the per-lcore
// table object (src/neigh.c): transitions, the bounded resolution queue,
// ageing, probes, FAILED hold, static entries, flush.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <vector>
#include "test_eal.h"
extern "C" {
#include <rte_mbuf.h>
#include "neigh.h"
#include "netif.h"
}

namespace {

uint32_t ip(const char *s)
{
	in_addr a{};
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

TEST(NeighFsm, TransitionsFollowTheTable)
{
	struct Row { neigh_state s; neigh_event ev; neigh_state next; uint16_t must; };
	const Row rows[] = {
		{ NEIGH_S_NONE, NEIGH_EV_RESOLVE, NEIGH_S_INCOMPLETE,
		  NEIGH_A_QUEUE | NEIGH_A_SEND_BCAST },
		{ NEIGH_S_INCOMPLETE, NEIGH_EV_RESOLVE, NEIGH_S_INCOMPLETE, NEIGH_A_QUEUE },
		{ NEIGH_S_INCOMPLETE, NEIGH_EV_CONFIRM, NEIGH_S_REACHABLE, NEIGH_A_FLUSH_Q },
		{ NEIGH_S_INCOMPLETE, NEIGH_EV_TIMEOUT, NEIGH_S_INCOMPLETE, NEIGH_A_SEND_BCAST },
		{ NEIGH_S_INCOMPLETE, NEIGH_EV_EXHAUSTED, NEIGH_S_FAILED, NEIGH_A_DROP_Q },
		{ NEIGH_S_REACHABLE, NEIGH_EV_RESOLVE, NEIGH_S_REACHABLE, NEIGH_A_XMIT },
		{ NEIGH_S_REACHABLE, NEIGH_EV_TIMEOUT, NEIGH_S_STALE, 0 },
		{ NEIGH_S_STALE, NEIGH_EV_RESOLVE, NEIGH_S_PROBE, NEIGH_A_XMIT | NEIGH_A_SEND_UCAST },
		{ NEIGH_S_STALE, NEIGH_EV_TIMEOUT, NEIGH_S_NONE, NEIGH_A_DELETE },
		{ NEIGH_S_PROBE, NEIGH_EV_CONFIRM, NEIGH_S_REACHABLE, 0 },
		{ NEIGH_S_PROBE, NEIGH_EV_TIMEOUT, NEIGH_S_PROBE, NEIGH_A_SEND_UCAST },
		{ NEIGH_S_PROBE, NEIGH_EV_EXHAUSTED, NEIGH_S_FAILED, 0 },
		{ NEIGH_S_FAILED, NEIGH_EV_RESOLVE, NEIGH_S_FAILED, NEIGH_A_DROP_PKT },
		{ NEIGH_S_FAILED, NEIGH_EV_CONFIRM, NEIGH_S_REACHABLE, 0 },
		{ NEIGH_S_FAILED, NEIGH_EV_TIMEOUT, NEIGH_S_NONE, NEIGH_A_DELETE },
		{ NEIGH_S_STATIC, NEIGH_EV_RESOLVE, NEIGH_S_STATIC, NEIGH_A_XMIT },
		{ NEIGH_S_STATIC, NEIGH_EV_CONFIRM, NEIGH_S_STATIC, 0 },
		{ NEIGH_S_STATIC, NEIGH_EV_EXHAUSTED, NEIGH_S_STATIC, 0 },
	};
	for (const Row &r : rows) {
		neigh_transition t = neigh_fsm_next(r.s, r.ev);
		EXPECT_EQ(r.next, t.next) << neigh_state_name(r.s) << " ev " << r.ev;
		EXPECT_EQ(r.must, t.actions & r.must) << neigh_state_name(r.s) << " ev " << r.ev;
	}
	EXPECT_EQ(NEIGH_S_NONE, neigh_fsm_next(NEIGH_S_MAX, NEIGH_EV_RESOLVE).next);
	EXPECT_EQ(0, neigh_fsm_next(NEIGH_S_REACHABLE, NEIGH_EV_MAX).actions);
	// Every state x event is defined: nothing but STATIC keeps XMIT on FAILED etc.
	for (int s = 0; s < NEIGH_S_MAX; s++)
		for (int e = 0; e < NEIGH_EV_MAX; e++)
			EXPECT_LT(neigh_fsm_next((neigh_state)s, (neigh_event)e).next, NEIGH_S_MAX);
}

struct Sent {
	uint32_t addr;
	bool ucast;
};

struct Fake {
	std::vector<Sent> reqs;
	std::vector<rte_ether_addr> xmit_macs;
};

void fake_send_req(void *ctx, netif_port *, uint32_t addr, const rte_ether_addr *mac)
{
	static_cast<Fake *>(ctx)->reqs.push_back({ addr, mac != nullptr });
}

int fake_xmit(void *ctx, rte_mbuf *m, netif_port *, const rte_ether_addr *mac)
{
	static_cast<Fake *>(ctx)->xmit_macs.push_back(*mac);
	rte_pktmbuf_free(m);
	return 0;
}

const neigh_table_ops fake_ops = { fake_send_req, fake_xmit };

class NeighTable : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		if (mp == nullptr)
			mp = rte_pktmbuf_pool_create("ut_neigh", 511, 0, 0, 512, SOCKET_ID_ANY);
		ASSERT_NE(nullptr, mp);
		neigh_get_params(&saved);
		neigh_params p = { 1000, 100, 3, 5000, 300, 4 };
		neigh_set_params(&p);
		t = neigh_table_create(0, &fake_ops, &fake);
		ASSERT_NE(nullptr, t);
		memset(&port, 0, sizeof(port));
		avail0 = rte_mempool_avail_count(mp);
	}
	void TearDown() override
	{
		neigh_table_free(t);
		neigh_set_params(&saved);
		EXPECT_EQ(avail0, rte_mempool_avail_count(mp)) << "mbuf leak";
	}
	int resolve(uint32_t a, uint64_t now)
	{
		rte_mbuf *m = rte_pktmbuf_alloc(mp);
		EXPECT_NE(nullptr, m);
		return neigh_table_resolve(t, m, &port, a, now);
	}
	neigh_state state(uint32_t a, unsigned *q = nullptr)
	{
		return neigh_table_state(t, &port, a, q);
	}

	static rte_mempool *mp;
	neigh_params saved{};
	neigh_table *t = nullptr;
	netif_port port;
	Fake fake;
	unsigned avail0 = 0;
	rte_ether_addr mac1 = { { 0x02, 0, 0, 0, 0, 1 } };
	rte_ether_addr mac2 = { { 0x02, 0, 0, 0, 0, 2 } };
};
rte_mempool *NeighTable::mp = nullptr;

TEST_F(NeighTable, ResolveQueuesUpToTheBoundThenFlushesOnReply)
{
	uint32_t a = ip("10.0.0.2");
	unsigned q = 0;

	for (int i = 0; i < 6; i++)
		resolve(a, 10);
	EXPECT_EQ(NEIGH_S_INCOMPLETE, state(a, &q));
	EXPECT_EQ(4u, q);
	EXPECT_EQ(2u, neigh_table_counter(t, NEIGH_C_QUEUE_FULL));
	ASSERT_EQ(1u, fake.reqs.size());	// one broadcast, not one per packet
	EXPECT_FALSE(fake.reqs[0].ucast);
	EXPECT_EQ(a, fake.reqs[0].addr);

	EXPECT_TRUE(neigh_table_confirm(t, &port, a, &mac1, false, 20));
	EXPECT_EQ(NEIGH_S_REACHABLE, state(a, &q));
	EXPECT_EQ(0u, q);
	ASSERT_EQ(4u, fake.xmit_macs.size());
	EXPECT_TRUE(rte_is_same_ether_addr(&mac1, &fake.xmit_macs[3]));
	EXPECT_EQ(0, resolve(a, 30));		// known: sent at once
	EXPECT_EQ(5u, fake.xmit_macs.size());
}

TEST_F(NeighTable, QueuedPacketsAreBoundedPerTable)
{
	// queue_len 4 per entry: 80 entries could hold 320 > NEIGH_QUEUE_TOTAL.
	for (uint32_t i = 0; i < 80; i++)
		for (int k = 0; k < 4; k++)
			resolve(htonl(0x0a010000u + i), 0);
	unsigned total = 0, q;
	for (uint32_t i = 0; i < 80; i++) {
		neigh_table_state(t, &port, htonl(0x0a010000u + i), &q);
		total += q;
	}
	EXPECT_EQ(NEIGH_QUEUE_TOTAL, total);
	EXPECT_EQ(320u - NEIGH_QUEUE_TOTAL, neigh_table_counter(t, NEIGH_C_QUEUE_FULL));
	// A reply frees room again.
	neigh_table_confirm(t, &port, htonl(0x0a010000u), &mac1, false, 1);
	EXPECT_EQ(0, resolve(htonl(0x0a01004fu), 2));
}

TEST_F(NeighTable, IncompleteRetriesThenFailsAndDropsItsQueue)
{
	uint32_t a = ip("10.0.0.3");
	resolve(a, 0);
	resolve(a, 0);
	neigh_table_age(t, 50, NEIGH_TABLE_SIZE);	// not yet due
	EXPECT_EQ(1u, fake.reqs.size());
	neigh_table_age(t, 100, NEIGH_TABLE_SIZE);
	neigh_table_age(t, 200, NEIGH_TABLE_SIZE);
	EXPECT_EQ(3u, fake.reqs.size());
	EXPECT_EQ(NEIGH_S_INCOMPLETE, state(a));
	neigh_table_age(t, 300, NEIGH_TABLE_SIZE);	// 3 probes done
	EXPECT_EQ(NEIGH_S_FAILED, state(a));
	EXPECT_EQ(2u, neigh_table_counter(t, NEIGH_C_UNRESOLVED));
	EXPECT_EQ(EDPVS_NOTEXIST, resolve(a, 310));	// FAILED holds: dropped
	EXPECT_EQ(3u, fake.reqs.size());
	neigh_table_age(t, 600, NEIGH_TABLE_SIZE);	// failed_hold over
	EXPECT_EQ(NEIGH_S_NONE, state(a));
	EXPECT_EQ(0u, neigh_table_count(t));
}

TEST_F(NeighTable, ReachableAgesToStaleThenProbes)
{
	uint32_t a = ip("10.0.0.4");
	EXPECT_FALSE(neigh_table_confirm(t, &port, a, &mac1, false, 0));	// no entry, no create
	EXPECT_EQ(NEIGH_S_NONE, state(a));
	EXPECT_TRUE(neigh_table_confirm(t, &port, a, &mac1, true, 0));
	EXPECT_EQ(NEIGH_S_REACHABLE, state(a));
	neigh_table_age(t, 999, NEIGH_TABLE_SIZE);
	EXPECT_EQ(NEIGH_S_REACHABLE, state(a));
	neigh_table_age(t, 1000, NEIGH_TABLE_SIZE);
	EXPECT_EQ(NEIGH_S_STALE, state(a));
	EXPECT_EQ(0, resolve(a, 1001));		// STALE still sends, and probes
	EXPECT_EQ(NEIGH_S_PROBE, state(a));
	ASSERT_EQ(1u, fake.reqs.size());
	EXPECT_TRUE(fake.reqs[0].ucast);
	EXPECT_EQ(1u, fake.xmit_macs.size());
	// A reply with a new lladdr: REACHABLE again, and the lladdr changes.
	EXPECT_TRUE(neigh_table_confirm(t, &port, a, &mac2, false, 1050));
	EXPECT_EQ(NEIGH_S_REACHABLE, state(a));
	resolve(a, 1060);
	EXPECT_TRUE(rte_is_same_ether_addr(&mac2, &fake.xmit_macs.back()));
	// No reply to the probes: FAILED.
	neigh_table_age(t, 3000, NEIGH_TABLE_SIZE);
	resolve(a, 3001);
	for (uint64_t now = 3101; now < 3500; now += 100)
		neigh_table_age(t, now, NEIGH_TABLE_SIZE);
	EXPECT_EQ(NEIGH_S_FAILED, state(a));
}

TEST_F(NeighTable, ConfirmTellsOthersOnlyOnChangeOrOncePerSecond)
{
	uint32_t a = ip("10.0.0.5");
	EXPECT_TRUE(neigh_table_confirm(t, &port, a, &mac1, true, 100));
	EXPECT_FALSE(neigh_table_confirm(t, &port, a, &mac1, true, 200));
	EXPECT_TRUE(neigh_table_confirm(t, &port, a, &mac2, true, 300));
	EXPECT_TRUE(neigh_table_confirm(t, &port, a, &mac2, true, 1400));
}

// neigh_output's fast path: only REACHABLE and STATIC entries send without
// the state machine; anything else is left to neigh_table_resolve().
TEST_F(NeighTable, XmitResolvedOnlyForReachableAndStatic)
{
	uint32_t a = ip("10.0.0.8"), b = ip("10.0.0.9"), c = ip("10.0.0.10");
	rte_mbuf *m = rte_pktmbuf_alloc(mp);
	int rc = 1;

	ASSERT_NE(nullptr, m);
	EXPECT_FALSE(neigh_table_xmit_resolved(t, m, &port, a, &rc));	// no entry
	EXPECT_EQ(NEIGH_S_NONE, state(a));
	resolve(b, 0);							// INCOMPLETE, queued
	EXPECT_FALSE(neigh_table_xmit_resolved(t, m, &port, b, &rc));
	EXPECT_EQ(0u, fake.xmit_macs.size());
	EXPECT_EQ(1, rc);						// untouched
	neigh_table_confirm(t, &port, a, &mac1, true, 0);		// REACHABLE
	EXPECT_TRUE(neigh_table_xmit_resolved(t, m, &port, a, &rc));	// consumed
	EXPECT_EQ(0, rc);
	ASSERT_EQ(1u, fake.xmit_macs.size());
	EXPECT_TRUE(rte_is_same_ether_addr(&mac1, &fake.xmit_macs.back()));
	ASSERT_EQ(0, neigh_table_set_static(t, &port, c, &mac2));
	m = rte_pktmbuf_alloc(mp);
	EXPECT_TRUE(neigh_table_xmit_resolved(t, m, &port, c, &rc));
	EXPECT_TRUE(rte_is_same_ether_addr(&mac2, &fake.xmit_macs.back()));
	neigh_table_age(t, 1000, NEIGH_TABLE_SIZE);			// a: STALE
	EXPECT_EQ(NEIGH_S_STALE, state(a));
	m = rte_pktmbuf_alloc(mp);
	EXPECT_FALSE(neigh_table_xmit_resolved(t, m, &port, a, &rc));	// probe needed
	rte_pktmbuf_free(m);
	neigh_table_flush(t, nullptr, true);
}

TEST_F(NeighTable, StaticEntriesIgnoreArpAndAgeing)
{
	uint32_t a = ip("10.0.0.6");
	resolve(a, 0);
	ASSERT_EQ(0, neigh_table_set_static(t, &port, a, &mac1));
	EXPECT_EQ(NEIGH_S_STATIC, state(a));
	EXPECT_EQ(1u, fake.xmit_macs.size());	// the queued packet left
	EXPECT_FALSE(neigh_table_confirm(t, &port, a, &mac2, true, 10));
	neigh_table_age(t, 1000000, NEIGH_TABLE_SIZE);
	EXPECT_EQ(NEIGH_S_STATIC, state(a));
	resolve(a, 1000001);
	EXPECT_TRUE(rte_is_same_ether_addr(&mac1, &fake.xmit_macs.back()));

	uint32_t b = ip("10.0.0.7");
	neigh_table_confirm(t, &port, b, &mac2, true, 0);
	EXPECT_EQ(1u, neigh_table_flush(t, nullptr, false));
	EXPECT_EQ(NEIGH_S_NONE, state(b));
	EXPECT_EQ(NEIGH_S_STATIC, state(a));
	EXPECT_EQ(0, neigh_table_delete(t, &port, a));
	EXPECT_EQ(EDPVS_NOTEXIST, neigh_table_delete(t, &port, a));
	EXPECT_EQ(0u, neigh_table_count(t));
}

TEST_F(NeighTable, PortsAreSeparateAndTheTableIsBounded)
{
	netif_port other{};
	uint32_t a = ip("10.0.0.8");
	neigh_table_set_static(t, &port, a, &mac1);	/* never evicted */
	EXPECT_EQ(NEIGH_S_NONE, neigh_table_state(t, &other, a, nullptr));
	for (uint32_t i = 0; i < NEIGH_TABLE_SIZE + 5; i++)
		neigh_table_confirm(t, &other, htonl(0x0b000000u + i), &mac2, true, 0);
	EXPECT_EQ(NEIGH_TABLE_SIZE, neigh_table_count(t));
	EXPECT_EQ(6u, neigh_table_counter(t, NEIGH_C_TABLE_FULL));
	/* a full table evicts a dynamic entry (AbuseRegress has the details) */
	EXPECT_EQ(0, resolve(ip("10.9.9.9"), 1));
	EXPECT_EQ(NEIGH_TABLE_SIZE - 2, neigh_table_flush(t, &other, true));
	EXPECT_EQ(NEIGH_S_STATIC, state(a));
}

}  // namespace
