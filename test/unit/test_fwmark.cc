// test_fwmark.cc - the fwmark classifier: rule validation, the master's
// list (add, duplicate, delete, flush, the rule limit) and classification
// on lcore 0's own copy, which the master writes directly while no loop
// runs (as at start-up).
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "test_eal.h"
#include "dpvs_err.h"
#include "ipvs/fwmark.h"

namespace {

uint32_t ip4(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

fwmark_wire_rule rule(uint32_t mark, uint8_t proto = 0, const char *dst = nullptr,
		      uint8_t dplen = 32, uint16_t lo = 0, uint16_t hi = 65535)
{
	fwmark_wire_rule r;

	memset(&r, 0, sizeof(r));
	r.mark = mark;
	r.proto = proto;
	if (dst) {
		r.dst = ip4(dst);
		r.dst_plen = dplen;
	}
	r.dport_lo = lo;
	r.dport_hi = hi;
	return r;
}

uint32_t classify(uint8_t proto, const char *src, const char *dst, uint16_t dport)
{
	return fwmark_classify(proto, ip4(src), ip4(dst), htons(dport));
}

class Fwmark : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		ASSERT_EQ(0, fwmark_flush());
	}
	void TearDown() override { fwmark_flush(); }
};

}  // namespace

TEST_F(Fwmark, RuleCheck)
{
	const char *why = nullptr;
	fwmark_wire_rule r = rule(1, IPPROTO_TCP, "10.0.0.0", 8, 80, 81);

	EXPECT_EQ(0, fwmark_rule_check(&r, &why));
	r.mark = 0;
	EXPECT_EQ(EDPVS_INVAL, fwmark_rule_check(&r, &why));
	EXPECT_NE(nullptr, why);
	r = rule(1, IPPROTO_ICMP);
	EXPECT_EQ(EDPVS_INVAL, fwmark_rule_check(&r, &why));
	r = rule(1, 0, "10.0.0.1", 8);	// host bits
	EXPECT_EQ(EDPVS_INVAL, fwmark_rule_check(&r, &why));
	EXPECT_STREQ("prefix has host bits set", why);
	r = rule(1, 0, "10.0.0.0", 33);
	EXPECT_EQ(EDPVS_INVAL, fwmark_rule_check(&r, &why));
	r = rule(1, 0, nullptr, 0, 90, 80);
	EXPECT_EQ(EDPVS_INVAL, fwmark_rule_check(&r, &why));
	r = rule(1);
	r.pad = 1;
	EXPECT_EQ(EDPVS_INVAL, fwmark_rule_check(&r, &why));
	EXPECT_EQ(EDPVS_INVAL, fwmark_add(&r));
}

TEST_F(Fwmark, AddDelList)
{
	fwmark_wire_rule a = rule(7, IPPROTO_TCP, "10.1.0.1", 32, 80, 80);
	fwmark_wire_rule b = rule(8, IPPROTO_UDP);
	fwmark_wire_rule out[4];

	ASSERT_EQ(0, fwmark_add(&a));
	EXPECT_EQ(EDPVS_EXIST, fwmark_add(&a));
	ASSERT_EQ(0, fwmark_add(&b));
	ASSERT_EQ(2u, fwmark_list(out, 4));
	EXPECT_EQ(0, memcmp(&out[0], &a, sizeof(a)));
	EXPECT_EQ(0, memcmp(&out[1], &b, sizeof(b)));
	EXPECT_EQ(2u, fwmark_list(out, 1));	// count beyond max
	ASSERT_EQ(0, fwmark_del(&a));
	EXPECT_EQ(EDPVS_NOTEXIST, fwmark_del(&a));
	ASSERT_EQ(1u, fwmark_list(out, 4));
	EXPECT_EQ(8u, out[0].mark);
	ASSERT_EQ(0, fwmark_flush());
	EXPECT_EQ(0u, fwmark_list(out, 4));
}

TEST_F(Fwmark, Limit)
{
	for (uint32_t i = 1; i <= FWMARK_MAX_RULES; i++) {
		fwmark_wire_rule r = rule(i);

		ASSERT_EQ(0, fwmark_add(&r)) << i;
	}
	fwmark_wire_rule r = rule(FWMARK_MAX_RULES + 1);
	EXPECT_EQ(EDPVS_NOROOM, fwmark_add(&r));
}

TEST_F(Fwmark, ClassifyFirstMatchWins)
{
	fwmark_wire_rule web = rule(1, IPPROTO_TCP, "10.77.100.1", 32, 8080, 8081);
	fwmark_wire_rule http = rule(1, IPPROTO_TCP, "10.77.100.1", 32, 80, 80);
	fwmark_wire_rule any_udp = rule(2, IPPROTO_UDP, "10.77.0.0", 16);
	fwmark_wire_rule from = rule(3);

	from.src = ip4("192.168.0.0");
	from.src_plen = 24;
	EXPECT_EQ(0u, classify(IPPROTO_TCP, "1.2.3.4", "10.77.100.1", 80));	// no rules
	ASSERT_EQ(0, fwmark_add(&web));
	ASSERT_EQ(0, fwmark_add(&http));
	ASSERT_EQ(0, fwmark_add(&any_udp));
	ASSERT_EQ(0, fwmark_add(&from));
	EXPECT_EQ(1u, classify(IPPROTO_TCP, "1.2.3.4", "10.77.100.1", 80));
	EXPECT_EQ(1u, classify(IPPROTO_TCP, "1.2.3.4", "10.77.100.1", 8081));
	EXPECT_EQ(0u, classify(IPPROTO_TCP, "1.2.3.4", "10.77.100.1", 8082));
	EXPECT_EQ(0u, classify(IPPROTO_TCP, "1.2.3.4", "10.77.100.2", 80));
	EXPECT_EQ(2u, classify(IPPROTO_UDP, "1.2.3.4", "10.77.5.5", 53));
	EXPECT_EQ(0u, classify(IPPROTO_UDP, "1.2.3.4", "10.78.5.5", 53));
	// The first matching rule decides: TCP to 80 from 192.168.0.9 is mark 1.
	EXPECT_EQ(1u, classify(IPPROTO_TCP, "192.168.0.9", "10.77.100.1", 80));
	EXPECT_EQ(3u, classify(IPPROTO_TCP, "192.168.0.9", "10.9.9.9", 22));
	EXPECT_EQ(0u, classify(IPPROTO_TCP, "192.168.1.9", "10.9.9.9", 22));
	// Deleting a rule keeps the others in order.
	ASSERT_EQ(0, fwmark_del(&web));
	EXPECT_EQ(0u, classify(IPPROTO_TCP, "1.2.3.4", "10.77.100.1", 8081));
	EXPECT_EQ(1u, classify(IPPROTO_TCP, "1.2.3.4", "10.77.100.1", 80));
	ASSERT_EQ(0, fwmark_flush());
	EXPECT_EQ(0u, classify(IPPROTO_UDP, "1.2.3.4", "10.77.5.5", 53));
}
