// test_route.cc - the routing table object (src/route.c): longest-prefix
// match, default route, metrics, deletion, validation, bounds and listing.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include "test_eal.h"
extern "C" {
#include "netif.h"
#include "route.h"
}

namespace {

uint32_t ip(const char *s)
{
	in_addr a{};
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

class RouteTable : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		t = route_table_create("ut_route", 16, nullptr);
		ASSERT_NE(nullptr, t);
		memset(ports, 0, sizeof(ports));
		for (unsigned i = 0; i < 3; i++) {
			ports[i].port_id = (uint16_t)i;
			ports[i].mtu = 1500;
		}
	}
	void TearDown() override { route_table_free(t); }

	int add(const char *dst, uint8_t plen, const char *gw, int port, uint32_t metric = 0)
	{
		route_entry e{};
		e.dst = ip(dst);
		e.plen = plen;
		e.gw = gw ? ip(gw) : 0;
		e.port = port >= 0 ? &ports[port] : nullptr;
		e.metric = metric;
		return route_table_add(t, &e);
	}
	const route_entry *look(const char *a) { return route_table_lookup(t, ip(a)); }

	route_table *t = nullptr;
	netif_port ports[3];
};

TEST_F(RouteTable, LongestPrefixWins)
{
	ASSERT_EQ(0, add("10.0.0.0", 8, nullptr, 0));
	ASSERT_EQ(0, add("10.1.0.0", 16, nullptr, 1));
	ASSERT_EQ(0, add("10.1.2.0", 24, "10.1.0.254", 2));
	ASSERT_EQ(0, add("10.1.2.3", 32, nullptr, 0));

	const route_entry *r = look("10.1.2.9");
	ASSERT_NE(nullptr, r);
	EXPECT_EQ(&ports[2], r->port);
	EXPECT_EQ(ip("10.1.0.254"), r->gw);
	EXPECT_EQ(24, r->plen);
	EXPECT_EQ(&ports[1], look("10.1.3.3")->port);
	EXPECT_EQ(&ports[0], look("10.200.0.1")->port);
	EXPECT_EQ(32, look("10.1.2.3")->plen);
	EXPECT_EQ(nullptr, look("11.0.0.1"));
	EXPECT_EQ(4u, route_table_count(t));
}

TEST_F(RouteTable, DefaultRouteIsTheFallback)
{
	EXPECT_EQ(nullptr, look("192.0.2.1"));
	ASSERT_EQ(0, add("0.0.0.0", 0, "10.0.0.254", 0));
	ASSERT_EQ(0, add("192.0.2.0", 24, nullptr, 1));
	const route_entry *r = look("198.51.100.7");
	ASSERT_NE(nullptr, r);
	EXPECT_EQ(0, r->plen);
	EXPECT_EQ(ip("10.0.0.254"), r->gw);
	EXPECT_EQ(&ports[1], look("192.0.2.1")->port);

	route_match m{};
	m.dst = 0;
	m.plen = 0;
	ASSERT_EQ(0, route_table_del(t, &m));
	EXPECT_EQ(nullptr, look("198.51.100.7"));
}

TEST_F(RouteTable, LowestMetricWinsAndTakesOverOnDelete)
{
	ASSERT_EQ(0, add("172.16.0.0", 12, "10.0.0.1", 0, 20));
	ASSERT_EQ(0, add("172.16.0.0", 12, "10.0.0.2", 1, 5));
	EXPECT_EQ(EDPVS_EXIST, add("172.16.0.0", 12, "10.0.0.3", 2, 5));
	EXPECT_EQ(ip("10.0.0.2"), look("172.16.1.1")->gw);

	route_match m{};
	m.dst = ip("172.16.0.0");
	m.plen = 12;
	m.has_metric = true;
	m.metric = 5;
	ASSERT_EQ(0, route_table_del(t, &m));
	EXPECT_EQ(ip("10.0.0.1"), look("172.16.1.1")->gw);
	ASSERT_EQ(0, add("172.16.0.0", 12, "10.0.0.9", 2, 1));
	EXPECT_EQ(ip("10.0.0.9"), look("172.16.1.1")->gw);
	// Without a metric, del removes the best one.
	m.has_metric = false;
	ASSERT_EQ(0, route_table_del(t, &m));
	EXPECT_EQ(ip("10.0.0.1"), look("172.16.1.1")->gw);
}

TEST_F(RouteTable, DeleteMatchesGatewayAndPort)
{
	ASSERT_EQ(0, add("10.9.0.0", 16, "10.0.0.1", 0));
	route_match m{};
	m.dst = ip("10.9.0.0");
	m.plen = 16;
	m.has_gw = true;
	m.gw = ip("10.0.0.2");
	EXPECT_EQ(EDPVS_NOTEXIST, route_table_del(t, &m));
	m.gw = ip("10.0.0.1");
	m.has_port = true;
	m.port = &ports[1];
	EXPECT_EQ(EDPVS_NOTEXIST, route_table_del(t, &m));
	m.port = &ports[0];
	EXPECT_EQ(0, route_table_del(t, &m));
	EXPECT_EQ(nullptr, look("10.9.1.1"));
	EXPECT_EQ(0u, route_table_count(t));
	EXPECT_EQ(EDPVS_NOTEXIST, route_table_del(t, &m));
}

TEST_F(RouteTable, RejectsBadRoutes)
{
	EXPECT_EQ(EDPVS_INVAL, add("10.1.2.3", 24, nullptr, 0));	// host bits
	EXPECT_EQ(EDPVS_INVAL, add("10.0.0.0", 33, nullptr, 0));
	EXPECT_EQ(EDPVS_INVAL, add("10.0.0.0", 8, nullptr, -1));	// no port
	EXPECT_EQ(0u, route_table_count(t));
}

TEST_F(RouteTable, FullTableRefusesAndSlotsAreReused)
{
	char buf[32];
	for (int i = 0; i < 16; i++) {
		snprintf(buf, sizeof(buf), "10.%d.0.0", i);
		ASSERT_EQ(0, add(buf, 16, nullptr, 0)) << i;
	}
	EXPECT_EQ(EDPVS_NOROOM, add("10.99.0.0", 16, nullptr, 0));
	route_match m{};
	m.dst = ip("10.3.0.0");
	m.plen = 16;
	ASSERT_EQ(0, route_table_del(t, &m));
	EXPECT_EQ(0, add("10.99.0.0", 16, nullptr, 1));
	EXPECT_EQ(&ports[1], look("10.99.1.1")->port);
	EXPECT_EQ(nullptr, look("10.3.1.1"));
}

TEST_F(RouteTable, ListIsSortedAndFlushByPort)
{
	ASSERT_EQ(0, add("0.0.0.0", 0, "10.0.0.1", 0));
	ASSERT_EQ(0, add("10.2.0.0", 16, nullptr, 1));
	ASSERT_EQ(0, add("10.1.0.0", 16, nullptr, 0, 7));
	ASSERT_EQ(0, add("10.1.1.0", 24, nullptr, 1));
	route_entry out[8];
	ASSERT_EQ(4u, route_table_list(t, out, 8));
	EXPECT_EQ(24, out[0].plen);
	EXPECT_EQ(ip("10.1.0.0"), out[1].dst);
	EXPECT_EQ(7u, out[1].metric);
	EXPECT_EQ(ip("10.2.0.0"), out[2].dst);
	EXPECT_EQ(0, out[3].plen);
	EXPECT_EQ(2u, route_table_flush(t, &ports[1], 0));
	EXPECT_EQ(2u, route_table_count(t));
	EXPECT_EQ(ip("10.1.0.0"), look("10.1.1.1")->dst);
}

// ip(8)'s "Nexthop has invalid gateway": a gateway must be covered by a
// route without a gateway (a connected network) on the route's port.
TEST_F(RouteTable, GatewayMustBeOnAConnectedNetworkOfThePort)
{
	ASSERT_EQ(0, add("10.0.0.0", 24, nullptr, 0));
	ASSERT_EQ(0, add("10.8.0.0", 16, "10.0.0.5", 0));
	EXPECT_EQ(0, route_table_gw_check(t, &ports[0], ip("10.0.0.254"), nullptr, 0));
	EXPECT_EQ(0, route_table_gw_check(t, &ports[0], 0, nullptr, 0)) << "no gateway";
	EXPECT_EQ(EDPVS_INVAL, route_table_gw_check(t, &ports[1], ip("10.0.0.254"), nullptr, 0))
		<< "connected on another port";
	EXPECT_EQ(EDPVS_INVAL, route_table_gw_check(t, &ports[0], ip("192.168.5.1"), nullptr, 0));
	EXPECT_EQ(EDPVS_INVAL, route_table_gw_check(t, &ports[0], ip("10.8.0.5"), nullptr, 0))
		<< "covered only by a gateway route";
	EXPECT_EQ(EDPVS_INVAL, route_table_gw_check(t, nullptr, ip("10.0.0.254"), nullptr, 0));
	ASSERT_EQ(0, add("0.0.0.0", 0, nullptr, 2));	// default dev-only route
	EXPECT_EQ(0, route_table_gw_check(t, &ports[2], ip("172.16.9.9"), nullptr, 0));
	route_match m{};
	m.dst = ip("10.0.0.0");
	m.plen = 24;
	ASSERT_EQ(0, route_table_del(t, &m));
	EXPECT_EQ(EDPVS_INVAL, route_table_gw_check(t, &ports[0], ip("10.0.0.254"), nullptr, 0));
	// A config being validated: the connected route of an address it will add.
	route_entry planned{};
	planned.dst = ip("10.0.0.0");
	planned.plen = 24;
	planned.port = &ports[0];
	EXPECT_EQ(0, route_table_gw_check(t, &ports[0], ip("10.0.0.254"), &planned, 1));
	EXPECT_EQ(EDPVS_INVAL, route_table_gw_check(t, &ports[1], ip("10.0.0.254"), &planned, 1));
	EXPECT_EQ(0, route_table_gw_check(nullptr, &ports[0], ip("10.0.0.254"), &planned, 1));
	planned.gw = ip("10.0.0.1");
	EXPECT_EQ(EDPVS_INVAL, route_table_gw_check(t, &ports[0], ip("10.0.0.254"), &planned, 1))
		<< "a planned gateway route does not count";
}

// route flush: every route but those with a kept flag (the connected ones).
TEST_F(RouteTable, FlushKeepsTheFlaggedRoutes)
{
	route_entry e{};
	e.dst = ip("10.0.0.0");
	e.plen = 24;
	e.port = &ports[0];
	e.flags = ROUTE_F_CONNECTED;
	ASSERT_EQ(0, route_table_add(t, &e));
	e.dst = ip("10.5.0.0");
	e.plen = 16;
	e.gw = ip("10.0.0.1");
	e.flags = ROUTE_F_STATIC;
	ASSERT_EQ(0, route_table_add(t, &e));
	ASSERT_EQ(0, add("10.6.0.0", 16, "10.0.0.1", 0));
	ASSERT_EQ(0, add("10.7.0.0", 16, "10.0.0.1", 1));
	EXPECT_EQ(1u, route_table_flush(t, &ports[1], ROUTE_F_CONNECTED));
	EXPECT_EQ(2u, route_table_flush(t, nullptr, ROUTE_F_CONNECTED));
	EXPECT_EQ(1u, route_table_count(t));
	EXPECT_EQ(ip("10.0.0.0"), look("10.0.0.9")->dst);
	EXPECT_EQ(nullptr, look("10.5.0.1"));
}

TEST_F(RouteTable, PathMtuIsTheLowerOfRouteAndPort)
{
	route_entry e{};
	e.port = &ports[0];
	EXPECT_EQ(1500, route_path_mtu(&e));
	e.mtu = 1400;
	EXPECT_EQ(1400, route_path_mtu(&e));
	e.mtu = 9000;
	EXPECT_EQ(1500, route_path_mtu(&e));
}

}  // namespace
