/*
 * test_cli_util.cc - the tools' shared parsers and JSON writer
 * (tools/common/cli_util.c): bounds, trailing garbage, hex, signs,
 * addresses, prefixes, address:port, formatting, JSON escaping and misuse;
 * and dpip's word matching and object table (tools/dpip/dpip_util.c).
 */
#include <gtest/gtest.h>
#include <string>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "cli_util.h"
#include "../../tools/dpip/dpip.h"

namespace {

TEST(CliUtilNumbers, U64Bounds)
{
	uint64_t v = 99;

	EXPECT_EQ(0, cli_parse_u64("0", 0, 10, &v));
	EXPECT_EQ(0u, v);
	EXPECT_EQ(0, cli_parse_u64("18446744073709551615", 0, UINT64_MAX, &v));
	EXPECT_EQ(UINT64_MAX, v);
	v = 7;
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u64("18446744073709551616", 0, UINT64_MAX, &v));
	EXPECT_EQ(7u, v) << "untouched on failure";
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u64("11", 0, 10, &v));
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u64("4", 5, 10, &v));
	EXPECT_EQ(0, cli_parse_u64("0x1F", 0, 100, &v));
	EXPECT_EQ(31u, v);
	EXPECT_EQ(0, cli_parse_u64("010", 0, 100, &v));
	EXPECT_EQ(10u, v) << "leading zero is decimal, not octal";
}

TEST(CliUtilNumbers, U64Malformed)
{
	uint64_t v = 5;

	for (const char *s : { "", " 1", "1 ", "-1", "+1", "1a", "0x", "0xg", "abc", "1.5",
			       "1e3", "\t2" })
		EXPECT_EQ(EDPVS_INVAL, cli_parse_u64(s, 0, UINT64_MAX, &v)) << "'" << s << "'";
	EXPECT_EQ(EDPVS_INVAL, cli_parse_u64(nullptr, 0, 1, &v));
	EXPECT_EQ(5u, v);
}

TEST(CliUtilNumbers, NarrowTypes)
{
	uint32_t u32;
	uint16_t u16;
	uint8_t u8;

	EXPECT_EQ(0, cli_parse_u32("4294967295", 0, UINT32_MAX, &u32));
	EXPECT_EQ(UINT32_MAX, u32);
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u32("4294967296", 0, UINT32_MAX, &u32));
	EXPECT_EQ(0, cli_parse_u16("65535", 0, UINT16_MAX, &u16));
	EXPECT_EQ(65535, u16);
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u16("65536", 0, UINT16_MAX, &u16));
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u16("0", 1, UINT16_MAX, &u16));
	EXPECT_EQ(0, cli_parse_u8("255", 0, 255, &u8));
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u8("256", 0, 255, &u8));
	EXPECT_EQ(EDPVS_RANGE, cli_parse_u8("33", 0, 32, &u8));
}

TEST(CliUtilNumbers, Signed)
{
	int64_t v = 0;

	EXPECT_EQ(0, cli_parse_i64("-5", -10, 10, &v));
	EXPECT_EQ(-5, v);
	EXPECT_EQ(0, cli_parse_i64("+7", -10, 10, &v));
	EXPECT_EQ(7, v);
	EXPECT_EQ(EDPVS_RANGE, cli_parse_i64("-11", -10, 10, &v));
	EXPECT_EQ(EDPVS_RANGE, cli_parse_i64("99999999999999999999", INT64_MIN, INT64_MAX, &v));
	EXPECT_EQ(EDPVS_INVAL, cli_parse_i64("-", -10, 10, &v));
	EXPECT_EQ(EDPVS_INVAL, cli_parse_i64("5x", -10, 10, &v));
	EXPECT_EQ(EDPVS_INVAL, cli_parse_i64(" 5", -10, 10, &v));
}

TEST(CliUtilNumbers, ArgMessageNamesWhatWasExpected)
{
	uint32_t v;
	char buf[512] = "";

	cli_set_progname("tester");
	fflush(stderr);
	FILE *saved = stderr;
	FILE *mem = fmemopen(buf, sizeof(buf) - 1, "w");
	ASSERT_NE(nullptr, mem);
	stderr = mem;
	int rc = cli_arg_u32("weight", "70000", 0, 65535, &v);
	stderr = saved;
	fclose(mem);
	EXPECT_EQ(EDPVS_RANGE, rc);
	EXPECT_STREQ("tester: bad weight '70000': expected an integer from 0 to 65535\n", buf);
	EXPECT_STREQ("tester", cli_progname());
}

TEST(CliUtilNumbers, Enum)
{
	static const char *const names[] = { "rr", "wrr", nullptr, "lc" };
	unsigned int i = 9;

	EXPECT_EQ(0, cli_parse_enum("wrr", names, 4, &i));
	EXPECT_EQ(1u, i);
	EXPECT_EQ(0, cli_parse_enum("lc", names, 4, &i));
	EXPECT_EQ(3u, i);
	EXPECT_EQ(EDPVS_INVAL, cli_parse_enum("w", names, 4, &i)) << "exact match only";
	EXPECT_EQ(EDPVS_INVAL, cli_parse_enum("", names, 4, &i));
	EXPECT_EQ(EDPVS_INVAL, cli_parse_enum(nullptr, names, 4, &i));
}

TEST(CliUtilAddr, Ipv4)
{
	uint32_t a = 0;

	EXPECT_EQ(0, cli_parse_ipv4("10.1.2.3", &a));
	EXPECT_EQ(htonl(0x0a010203), a) << "network byte order";
	for (const char *s : { "10.1", "256.1.1.1", "1.2.3.4 ", "1.2.3.4.5", "", "::1", "a.b.c.d" })
		EXPECT_EQ(EDPVS_INVAL, cli_parse_ipv4(s, &a)) << s;
}

TEST(CliUtilAddr, Ipv6AndEither)
{
	union cli_addr a;
	int af = 0;
	uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	EXPECT_EQ(0, cli_parse_ipv6("2001:db8::1", a.in6));
	EXPECT_EQ(0, memcmp(want, a.in6, 16));
	EXPECT_EQ(EDPVS_INVAL, cli_parse_ipv6("2001:db8::1::2", a.in6));
	EXPECT_EQ(0, cli_parse_addr("2001:db8::1", &af, &a));
	EXPECT_EQ(AF_INET6, af);
	EXPECT_EQ(0, cli_parse_addr("192.168.0.1", &af, &a));
	EXPECT_EQ(AF_INET, af);
	EXPECT_EQ(htonl(0xc0a80001), a.in4);
	EXPECT_EQ(EDPVS_INVAL, cli_parse_addr("localhost", &af, &a));
}

TEST(CliUtilAddr, Prefix)
{
	union cli_addr a;
	int af;
	uint8_t plen;

	EXPECT_EQ(0, cli_parse_prefix("10.0.0.0/8", &af, &a, &plen));
	EXPECT_EQ(AF_INET, af);
	EXPECT_EQ(8, plen);
	EXPECT_EQ(htonl(0x0a000000), a.in4);
	EXPECT_EQ(0, cli_parse_prefix("10.0.0.1", &af, &a, &plen));
	EXPECT_EQ(32, plen) << "bare address is a host prefix";
	EXPECT_EQ(0, cli_parse_prefix("0.0.0.0/0", &af, &a, &plen));
	EXPECT_EQ(0, plen);
	EXPECT_EQ(0, cli_parse_prefix("fd00::/64", &af, &a, &plen));
	EXPECT_EQ(AF_INET6, af);
	EXPECT_EQ(64, plen);
	EXPECT_EQ(0, cli_parse_prefix("::1", &af, &a, &plen));
	EXPECT_EQ(128, plen);
	EXPECT_EQ(EDPVS_RANGE, cli_parse_prefix("10.0.0.0/33", &af, &a, &plen));
	EXPECT_EQ(EDPVS_RANGE, cli_parse_prefix("fd00::/129", &af, &a, &plen));
	for (const char *s : { "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/9", "/8", "10.0.0/8",
			       "10.0.0.0/-1", "10.0.0.0/ 8" })
		EXPECT_NE(0, cli_parse_prefix(s, &af, &a, &plen)) << s;
	std::string longs(200, '1');
	EXPECT_EQ(EDPVS_INVAL, cli_parse_prefix(longs.c_str(), &af, &a, &plen));
}

TEST(CliUtilAddr, AddrPort)
{
	union cli_addr a;
	int af;
	uint16_t port = 1;

	EXPECT_EQ(0, cli_parse_addr_port("10.0.0.1:80", false, &af, &a, &port));
	EXPECT_EQ(AF_INET, af);
	EXPECT_EQ(80, port);
	EXPECT_EQ(0, cli_parse_addr_port("[2001:db8::1]:443", false, &af, &a, &port));
	EXPECT_EQ(AF_INET6, af);
	EXPECT_EQ(443, port);
	EXPECT_EQ(0, cli_parse_addr_port("10.0.0.1", true, &af, &a, &port));
	EXPECT_EQ(0, port);
	EXPECT_EQ(0, cli_parse_addr_port("2001:db8::1", true, &af, &a, &port));
	EXPECT_EQ(AF_INET6, af);
	EXPECT_EQ(0, cli_parse_addr_port("[::1]", true, &af, &a, &port));
	EXPECT_EQ(EDPVS_INVAL, cli_parse_addr_port("10.0.0.1", false, &af, &a, &port));
	EXPECT_EQ(EDPVS_RANGE, cli_parse_addr_port("10.0.0.1:65536", false, &af, &a, &port));
	for (const char *s : { "10.0.0.1:", "10.0.0.1:x", "[::1", "[::1]x", "[10.0.0.1:80",
			       ":80", "host:80", "10.0.0.1:80:1" })
		EXPECT_NE(0, cli_parse_addr_port(s, true, &af, &a, &port)) << s;
}

TEST(CliUtilAddr, Format)
{
	char buf[64];
	uint32_t a4 = htonl(0x7f000001);
	uint8_t a6[16] = { 0 };

	a6[15] = 1;
	EXPECT_STREQ("127.0.0.1", cli_fmt_addr(AF_INET, &a4, buf, sizeof(buf)));
	EXPECT_STREQ("::1", cli_fmt_addr(AF_INET6, a6, buf, sizeof(buf)));
	EXPECT_STREQ("?", cli_fmt_addr(12345, a6, buf, sizeof(buf)));
	EXPECT_STREQ("?", cli_fmt_addr(AF_INET, &a4, buf, 4)) << "buffer too small";
}

TEST(CliUtilAddr, Mac)
{
	uint8_t m[6] = { 9, 9, 9, 9, 9, 9 };
	const uint8_t want[6] = { 0x02, 0xab, 0xCD, 0x00, 0x10, 0xff };
	char buf[18];

	EXPECT_EQ(0, cli_parse_mac("02:ab:CD:00:10:ff", m));
	EXPECT_EQ(0, memcmp(want, m, 6));
	EXPECT_EQ(0, cli_parse_mac("02-ab-cd-00-10-ff", m));
	EXPECT_STREQ("02:ab:cd:00:10:ff", cli_fmt_mac(m, buf, sizeof(buf)));
	uint8_t keep[6];
	memcpy(keep, m, 6);
	for (const char *s : { "", "02:ab:cd:00:10", "02:ab:cd:00:10:ff:", "02:ab-cd:00:10:ff",
			       "2:ab:cd:00:10:ff0", "0g:ab:cd:00:10:ff", "02:ab:cd:00:10:f ",
			       "02.ab.cd.00.10.ff" })
		EXPECT_EQ(EDPVS_INVAL, cli_parse_mac(s, m)) << s;
	EXPECT_EQ(0, memcmp(keep, m, 6)) << "untouched on failure";
}

std::string json_of(void (*fill)(struct cli_json *), int *rc)
{
	char *text = nullptr;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct cli_json j;

	cli_json_init(&j, f);
	fill(&j);
	*rc = cli_json_end(&j);
	fclose(f);
	std::string s(text, size);
	free(text);
	return s;
}

TEST(CliUtilJson, NestedDocument)
{
	int rc;
	std::string s = json_of([](struct cli_json *j) {
		cli_json_obj_open(j, nullptr);
		cli_json_str(j, "name", "a\"b\\c\n\x01");
		cli_json_u64(j, "big", UINT64_MAX);
		cli_json_i64(j, "neg", -3);
		cli_json_bool(j, "t", true);
		cli_json_null(j, "n");
		cli_json_double(j, "d", 1.5);
		cli_json_double(j, "nan", 0.0 / 0.0);
		cli_json_arr_open(j, "list");
		cli_json_u64(j, nullptr, 1);
		cli_json_obj_open(j, nullptr);
		cli_json_obj_close(j);
		cli_json_arr_open(j, nullptr);
		cli_json_arr_close(j);
		cli_json_arr_close(j);
		cli_json_obj_close(j);
	}, &rc);
	EXPECT_EQ(0, rc);
	EXPECT_EQ("{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"big\":18446744073709551615,"
		  "\"neg\":-3,\"t\":true,\"n\":null,\"d\":1.5,\"nan\":null,"
		  "\"list\":[1,{},[]]}\n", s);
}

TEST(CliUtilJson, MisuseIsReported)
{
	int rc;

	json_of([](struct cli_json *j) { cli_json_obj_open(j, nullptr); }, &rc);
	EXPECT_EQ(EDPVS_INVAL, rc) << "unclosed";
	json_of([](struct cli_json *j) { cli_json_arr_close(j); }, &rc);
	EXPECT_EQ(EDPVS_INVAL, rc) << "closing nothing";
	json_of([](struct cli_json *j) {
		cli_json_obj_open(j, nullptr);
		cli_json_u64(j, nullptr, 1);	/* value without key in an object */
		cli_json_obj_close(j);
	}, &rc);
	EXPECT_EQ(EDPVS_INVAL, rc);
	json_of([](struct cli_json *j) {
		cli_json_arr_open(j, nullptr);
		cli_json_obj_close(j);		/* wrong kind */
		cli_json_arr_close(j);
	}, &rc);
	EXPECT_EQ(EDPVS_INVAL, rc);
	json_of([](struct cli_json *j) {
		for (int i = 0; i < CLI_JSON_MAX_DEPTH + 4; i++)
			cli_json_arr_open(j, nullptr);
		for (int i = 0; i < CLI_JSON_MAX_DEPTH + 4; i++)
			cli_json_arr_close(j);
	}, &rc);
	EXPECT_EQ(EDPVS_INVAL, rc) << "too deep, no crash";
	json_of([](struct cli_json *j) {
		cli_json_u64(j, nullptr, 1);
		cli_json_u64(j, nullptr, 2);	/* two top-level values */
	}, &rc);
	EXPECT_EQ(EDPVS_INVAL, rc);
}

TEST(CliUtilDpip, MatchingAndObjectTable)
{
	EXPECT_TRUE(dpip_matches("sh", "show"));
	EXPECT_TRUE(dpip_matches("show", "show"));
	EXPECT_FALSE(dpip_matches("", "show"));
	EXPECT_FALSE(dpip_matches("shows", "show"));
	EXPECT_FALSE(dpip_matches(nullptr, "show"));
	ASSERT_NE(nullptr, dpip_cmd_find("lcore"));
	EXPECT_STREQ("lcore", dpip_cmd_find("lc")->name);
	EXPECT_EQ(nullptr, dpip_cmd_find("nosuchobject"));
	for (unsigned int i = 0; dpip_cmds[i]; i++) {
		EXPECT_NE(nullptr, dpip_cmds[i]->run) << dpip_cmds[i]->name;
		EXPECT_NE(nullptr, strstr(dpip_cmds[i]->usage, dpip_cmds[i]->name));
		EXPECT_EQ(dpip_cmds[i], dpip_cmd_find(dpip_cmds[i]->name)) << "exact name wins";
	}
}

// ip(8)'s abbreviations and spellings of objects (dpip_words[]).
TEST(CliUtilDpip, ObjectSpellingsAsIp)
{
	const struct { const char *arg, *object; } cases[] = {
		{ "l", "link" }, { "li", "link" }, { "lin", "link" }, { "link", "link" },
		{ "lc", "lcore" }, { "lo", "log" }, { "a", "addr" }, { "addr", "addr" },
		{ "address", "addr" }, { "r", "route" }, { "ro", "route" },
		{ "n", "neigh" }, { "neigh", "neigh" }, { "neighbor", "neigh" },
		{ "neighbour", "neigh" }, { "s", "stats" }, { "ip", "ip" }, { "ipv", "ipvs" },
		{ "ct", "ctl" }, { "cf", "cfg" }, { "m", "mark" },
	};
	for (const auto &c : cases) {
		const struct dpip_cmd *cmd = dpip_cmd_find(c.arg);
		ASSERT_NE(nullptr, cmd) << c.arg;
		EXPECT_STREQ(c.object, cmd->name) << c.arg;
	}
	for (const char *bad : { "c", "i", "addresses", "neighbours", "linkx", "", "x" })
		EXPECT_EQ(nullptr, dpip_cmd_find(bad)) << bad;
	EXPECT_EQ(nullptr, dpip_cmd_find(nullptr));
}

// Every object has a rule, and no earlier rule shadows a later one: each
// accepted prefix of each spelling reaches that spelling's object.
TEST(CliUtilDpip, ObjectSpellingTableIsConsistent)
{
	for (unsigned int i = 0; dpip_cmds[i]; i++) {
		bool has_rule = false;
		for (unsigned int k = 0; dpip_words[k].word; k++)
			has_rule |= dpip_words[k].cmd == dpip_cmds[i];
		EXPECT_TRUE(has_rule) << dpip_cmds[i]->name;
	}
	for (unsigned int k = 0; dpip_words[k].word; k++) {
		std::string w = dpip_words[k].word;
		ASSERT_GE(dpip_words[k].min, 1u) << w;
		for (size_t n = dpip_words[k].min; n <= w.size(); n++)
			EXPECT_EQ(dpip_words[k].cmd, dpip_cmd_find(w.substr(0, n).c_str()))
				<< w.substr(0, n);
	}
}

} /* namespace */
