// test_inet_addr.cc - dpvsd's addresses (src/inet_addr.c): add/del/list,
// duplicates and bad addresses, is_local, source selection.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include "test_eal.h"
extern "C" {
#include "inet_addr.h"
#include "netif.h"
}

namespace {

uint32_t ip(const char *s)
{
	in_addr a{};
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

class InetAddr : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		memset(ports, 0, sizeof(ports));
		snprintf(ports[0].name, sizeof(ports[0].name), "ut0");
		snprintf(ports[1].name, sizeof(ports[1].name), "ut1");
		ports[1].port_id = 1;
	}
	void TearDown() override
	{
		inet_ifaddr all[INET_ADDR_MAX];
		unsigned n = inet_addr_list(nullptr, all, INET_ADDR_MAX);
		for (unsigned i = 0; i < n; i++)
			inet_addr_del(nullptr, all[i].addr, 0);
	}
	netif_port ports[2];
};

TEST_F(InetAddr, AddListDelAndLocality)
{
	ASSERT_EQ(0, inet_addr_add(&ports[0], ip("10.0.0.1"), 24, 0));
	ASSERT_EQ(0, inet_addr_add(&ports[0], ip("10.0.1.1"), 24, INET_ADDR_F_STATIC));
	ASSERT_EQ(0, inet_addr_add(&ports[1], ip("192.168.1.1"), 24, 0));
	EXPECT_EQ(EDPVS_EXIST, inet_addr_add(&ports[1], ip("10.0.0.1"), 16, 0));

	EXPECT_TRUE(inet_addr_is_local(ip("10.0.0.1")));
	EXPECT_TRUE(inet_addr_is_local(ip("192.168.1.1")));
	EXPECT_FALSE(inet_addr_is_local(ip("10.0.0.2")));
	EXPECT_TRUE(inet_addr_is_local_on(&ports[1], ip("192.168.1.1")));
	EXPECT_FALSE(inet_addr_is_local_on(&ports[0], ip("192.168.1.1")));

	inet_ifaddr out[4];
	ASSERT_EQ(2u, inet_addr_list(&ports[0], out, 4));
	EXPECT_EQ(ip("10.0.1.1"), out[1].addr);
	EXPECT_EQ(INET_ADDR_F_STATIC, out[1].flags);
	EXPECT_EQ(3u, inet_addr_list(nullptr, out, 4));

	EXPECT_EQ(EDPVS_NOTEXIST, inet_addr_del(&ports[1], ip("10.0.0.1"), 0));
	EXPECT_EQ(EDPVS_NOTEXIST, inet_addr_del(&ports[0], ip("10.0.0.1"), 16));
	EXPECT_EQ(0, inet_addr_del(&ports[0], ip("10.0.0.1"), 24));
	EXPECT_FALSE(inet_addr_is_local(ip("10.0.0.1")));
	EXPECT_EQ(2u, inet_addr_list(nullptr, out, 4));
}

TEST_F(InetAddr, RefusesBadAddresses)
{
	EXPECT_EQ(EDPVS_INVAL, inet_addr_add(&ports[0], ip("0.0.0.0"), 24, 0));
	EXPECT_EQ(EDPVS_INVAL, inet_addr_add(&ports[0], ip("224.0.0.1"), 24, 0));
	EXPECT_EQ(EDPVS_INVAL, inet_addr_add(&ports[0], ip("255.255.255.255"), 32, 0));
	EXPECT_EQ(EDPVS_INVAL, inet_addr_add(&ports[0], ip("127.0.0.1"), 8, 0));
	EXPECT_EQ(EDPVS_INVAL, inet_addr_add(&ports[0], ip("10.0.0.1"), 33, 0));
	EXPECT_EQ(EDPVS_INVAL, inet_addr_add(nullptr, ip("10.0.0.1"), 24, 0));
	EXPECT_EQ(0u, inet_addr_list(nullptr, nullptr, 0));
}

// Prefix lengths 0..32 as ip(8) (Linux takes 10.0.0.1/0 too).
TEST_F(InetAddr, PrefixLengthZeroToThirtyTwo)
{
	EXPECT_EQ(0, inet_addr_add(&ports[0], ip("10.0.0.1"), 0, 0));
	EXPECT_EQ(0, inet_addr_add(&ports[0], ip("10.0.0.2"), 32, 0));
	EXPECT_EQ(EDPVS_INVAL, inet_addr_add(&ports[0], ip("10.0.0.3"), 33, 0));
	inet_ifaddr out[4];
	ASSERT_EQ(2u, inet_addr_list(&ports[0], out, 4));
	EXPECT_EQ(0, out[0].plen);
	EXPECT_EQ(0, inet_addr_del(&ports[0], ip("10.0.0.1"), 0));
}

// addr flush dev X: every address of that port, none of another's.
TEST_F(InetAddr, FlushTakesOnePortsAddresses)
{
	ASSERT_EQ(0, inet_addr_add(&ports[0], ip("10.0.0.1"), 24, 0));
	ASSERT_EQ(0, inet_addr_add(&ports[1], ip("192.168.1.1"), 24, 0));
	ASSERT_EQ(0, inet_addr_add(&ports[0], ip("10.0.1.1"), 24, INET_ADDR_F_STATIC));
	EXPECT_EQ(0, inet_addr_flush(&ports[0]));
	EXPECT_EQ(0u, inet_addr_list(&ports[0], nullptr, 0));
	EXPECT_FALSE(inet_addr_is_local(ip("10.0.0.1")));
	EXPECT_TRUE(inet_addr_is_local(ip("192.168.1.1")));
	EXPECT_EQ(1u, inet_addr_list(nullptr, nullptr, 0));
	EXPECT_EQ(0, inet_addr_flush(&ports[0])) << "nothing to flush";
}

TEST_F(InetAddr, SourceSelectionPrefersTheCoveringPrefixOnThePort)
{
	EXPECT_EQ(0u, inet_addr_select_src(&ports[0], ip("10.0.0.9")));
	ASSERT_EQ(0, inet_addr_add(&ports[0], ip("10.0.0.1"), 24, 0));
	ASSERT_EQ(0, inet_addr_add(&ports[0], ip("10.0.1.1"), 24, 0));
	ASSERT_EQ(0, inet_addr_add(&ports[1], ip("192.168.1.1"), 24, 0));
	EXPECT_EQ(ip("10.0.1.1"), inet_addr_select_src(&ports[0], ip("10.0.1.77")));
	EXPECT_EQ(ip("10.0.0.1"), inet_addr_select_src(&ports[0], ip("10.0.0.77")));
	EXPECT_EQ(ip("10.0.0.1"), inet_addr_select_src(&ports[0], ip("8.8.8.8")));
	EXPECT_EQ(ip("192.168.1.1"), inet_addr_select_src(&ports[1], ip("10.0.0.77")));
	EXPECT_EQ(ip("10.0.0.1"), inet_addr_select_src(nullptr, ip("8.8.8.8")));
}

TEST_F(InetAddr, TableIsBounded)
{
	unsigned i;
	for (i = 0; i < INET_ADDR_MAX; i++)
		ASSERT_EQ(0, inet_addr_add(&ports[0], htonl(0x0a000001u + i), 32, 0)) << i;
	EXPECT_EQ(EDPVS_NOROOM, inet_addr_add(&ports[0], ip("10.9.9.9"), 32, 0));
	for (i = 0; i < INET_ADDR_MAX; i++)
		ASSERT_TRUE(inet_addr_is_local(htonl(0x0a000001u + i))) << i;
	EXPECT_FALSE(inet_addr_is_local(ip("10.9.9.9")));
}

}  // namespace
