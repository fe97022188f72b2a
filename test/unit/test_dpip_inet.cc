// test_dpip_inet.cc - the grammar of dpip addr/route/neigh/ip: bad
// arguments exit 2 (usage) before any request; good ones reach the
// request stage (exit 1 here: no daemon listens on the test socket).
#include <gtest/gtest.h>
#include <string>
#include <vector>
extern "C" {
#include "../../tools/dpip/dpip.h"
extern const struct dpip_cmd dpip_cmd_addr, dpip_cmd_route, dpip_cmd_neigh, dpip_cmd_ip,
	dpip_cmd_link;
}

namespace {

int run(const dpip_cmd &cmd, std::vector<std::string> args, std::string *err = nullptr,
	const dpip_opts *opts = nullptr)
{
	dpip_opts o{};
	if (opts)
		o = *opts;
	o.sock = "/nonexistent/dpvsd-unit-test.sock";
	std::vector<char *> argv;
	for (std::string &a : args)
		argv.push_back(&a[0]);
	argv.push_back(nullptr);
	testing::internal::CaptureStderr();
	int rc = cmd.run(&o, (int)args.size(), argv.data());
	std::string e = testing::internal::GetCapturedStderr();
	if (err)
		*err = e;
	return rc;
}

TEST(DpipInet, AddrGrammar)
{
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "add", "10.0.0.1/24", "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "del", "10.0.0.1" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "show", "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, {}));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "add", "10.0.0.1/24" }));	// no dev
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "add", "10.0.0.256/24", "dev", "d" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "add", "10.0.0.1/33", "dev", "d" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "add", "10.0.0.1/24", "dev" }));
	EXPECT_EQ(DPIP_EXIT_USAGE,
		  run(dpip_cmd_addr, { "add", "10.0.0.1/24", "dev", "a-very-long-devname" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "add", "1.2.3.4/8", "1.2.3.5/8", "dev", "d" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "frob" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "add", "10.0.0.1/0", "dev", "d" }))
		<< "/0..32 as ip(8)";
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "flush", "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "flush", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "flush" })) << "ip: Flush requires arguments";
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "flush", "dev" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "flush", "dev", "d", "e" }));
}

// One message and range for prefixes, addresses and routes alike.
TEST(DpipInet, PrefixLengthMessage)
{
	std::string err;
	EXPECT_EQ(DPIP_EXIT_USAGE,
		  run(dpip_cmd_addr, { "add", "10.0.0.1/33", "dev", "d" }, &err));
	EXPECT_NE(std::string::npos,
		  err.find("any valid prefix is expected rather than \"10.0.0.1/33\""))
		<< err;
	EXPECT_NE(std::string::npos, err.find("LEN 0..32")) << err;
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "add", "10.0.0.0/33", "dev", "d" }, &err));
	EXPECT_NE(std::string::npos,
		  err.find("any valid prefix is expected rather than \"10.0.0.0/33\""))
		<< err;
	EXPECT_NE(std::string::npos, err.find("LEN 0..32, or default")) << err;
}

// -br: link show and addr show only (ip -br link / ip -br addr).
TEST(DpipInet, BriefOnlyForLinkAndAddrShow)
{
	dpip_opts o{};
	o.brief = true;
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_link, {}, nullptr, &o));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_link, { "show" }, nullptr, &o));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "show", "dev", "dpdk0" }, nullptr, &o));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_addr, { "list" }, nullptr, &o));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_addr, { "add", "10.0.0.1/24", "dev", "d" },
					nullptr, &o));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "show" }, nullptr, &o));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_neigh, {}, nullptr, &o));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_link, { "set", "d", "up" }, nullptr, &o));
}

TEST(DpipInet, RouteGrammar)
{
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "add", "default", "via", "10.0.0.254",
							 "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "add", "192.168.1.0/24", "dev", "dpdk0",
							 "src", "10.0.0.1", "mtu", "1400",
							 "metric", "5" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "del", "192.168.1.0/24", "metric", "5" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "show" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "add", "10.0.0.0/8" }));	// no dev
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "add", "dev", "dpdk0" }));	// no dst
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "add", "10.0.0.0/8", "via", "x",
							  "dev", "d" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "add", "10.0.0.0/8", "dev", "d",
							  "mtu", "10" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "add", "10.0.0.0/8", "dev", "d",
							  "dev", "e" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "del", "10.0.0.0/8", "src", "1.1.1.1" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "show", "all" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "get", "10.1.2.3" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "get", "to", "10.1.2.3" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "get" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "get", "10.1.2.0/24" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "get", "10.1.2.3", "10.1.2.4" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "flush" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_route, { "flush", "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "flush", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "flush", "dev" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_route, { "flush", "dev", "a-very-long-devname" }));
}

TEST(DpipInet, NeighAndIpGrammar)
{
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_neigh, { "add", "10.0.0.2", "lladdr",
							 "02:00:00:00:00:02", "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_neigh, { "del", "10.0.0.2", "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_neigh, { "flush" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_neigh, { "show", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_neigh, { "add", "10.0.0.2", "dev", "dpdk0" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_neigh, { "add", "10.0.0.2", "lladdr",
							  "02:00:00:00:00", "dev", "d" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_neigh, { "add", "10.0.0.2", "lladdr",
							  "02:00:00:00:00:0g", "dev", "d" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_neigh, { "del", "10.0.0.2" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_neigh, { "show", "dev" }));
	EXPECT_EQ(DPIP_EXIT_FAIL, run(dpip_cmd_ip, { "stats", "icmp" }));
	EXPECT_EQ(DPIP_EXIT_USAGE, run(dpip_cmd_ip, { "stats", "tcp" }));
}

}  // namespace
