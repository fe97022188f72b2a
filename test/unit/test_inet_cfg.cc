// test_inet_cfg.cc - the "inet" config section (src/inet_cfg.c): a full
// section parses; each bad value is an error naming file:line and the key,
// including what only start-up or reload used to refuse (a port that no
// netif port declares, an unusable address, more routes than max_routes).
#include <gtest/gtest.h>
#include "cfg_text.h"
#include <cstdio>
#include <string>
#include <unistd.h>
extern "C" {
#include "cfg.h"
#include "dpvs_err.h"
}

namespace {

// A netif section declaring port dpdk0 (on a net_ring vdev), after inet.
const std::string kNetif = "netif = { ports = ( { vdev = \"net_ring_ut0\"; } ); };\n";

using cfgtext::Loaded;
using cfgtext::load;

TEST(InetCfg, FullSectionParses)
{
	Loaded l;
	load("inet = {\n"
	     "  ipv4_forward = true; max_routes = 128; icmp_ratelimit = 0; icmp_burst = 5;\n"
	     "  ipv4_reasm_max = 0; ipv4_reasm_mbufs = 16; ipv4_reasm_timeout_ms = 60000;\n"
	     "  neigh = { reachable_ms = 5000; retrans_ms = 200; probes = 2; gc_stale_ms = 9000;\n"
	     "            failed_hold_ms = 500; queue_len = 16; };\n"
	     "  addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/24\"; },\n"
	     "                { dev = \"dpdk0\"; addr = \"10.0.0.9\"; } );\n"
	     "  routes = ( { dst = \"0.0.0.0/0\"; via = \"10.0.0.254\"; dev = \"dpdk0\"; },\n"
	     "             { dst = \"10.8.0.0/16\"; dev = \"dpdk0\"; src = \"10.0.0.1\"; mtu = 1400;\n"
	     "               metric = 7; } );\n"
	     "  neighbours = ( { dev = \"dpdk0\"; addr = \"10.0.0.254\"; lladdr = \"02:00:00:00:00:fe\"; } );\n"
	     "};\n" + kNetif, &l);
	EXPECT_EQ(0, l.rc) << l.text;
}

// Prefix lengths 0..32 as dpip addr add and ip(8) take them (a /0 address
// adds no connected route, so it does not count against max_routes).
TEST(InetCfg, AddressPrefixLengthsAsDpip)
{
	Loaded l;
	load("inet = {\n  addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/0\"; } );\n};\n" +
	     kNetif, &l);
	EXPECT_EQ(0, l.rc) << l.text;
	Loaded bad;
	load("inet = {\n  addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/33\"; } );\n};\n" +
	     kNetif, &bad);
	EXPECT_NE(std::string::npos, bad.text.find("LEN 0..32")) << bad.text;
}

// Without a netif section no port exists: every item naming one is refused
// (as start-up and reload refuse it), each at its own line.
TEST(InetCfg, PortsMustBeDeclaredInNetif)
{
	Loaded l;
	load("inet = {\n"
	     "  addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/24\"; } );\n"
	     "  routes = ( { dst = \"10.8.0.0/16\"; dev = \"dpdk0\"; } );\n"
	     "  neighbours = ( { dev = \"dpdk0\"; addr = \"10.0.0.2\"; lladdr = \"02:00:00:00:00:fe\"; } );\n"
	     "};\n", &l);
	EXPECT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_NE(std::string::npos, l.text.find(":2: inet.addresses.[0].dev: no port named 'dpdk0'"))
		<< l.text;
	EXPECT_NE(std::string::npos, l.text.find(":3: inet.routes.[0].dev: no port")) << l.text;
	EXPECT_NE(std::string::npos, l.text.find(":4: inet.neighbours.[0].dev: no port")) << l.text;
}

// Addresses and routes together must fit max_routes: a connected route
// per distinct prefix of the addresses (none for /32) plus the routes.
TEST(InetCfg, RoutesMustFitMaxRoutes)
{
	std::string routes;
	for (int i = 0; i < 15; i++)
		routes += std::string(i ? ", " : "") + "{ dst = \"10.9." + std::to_string(i) +
			  ".0/24\"; dev = \"dpdk0\"; }";
	const std::string addrs = "  addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/24\"; },\n"
				  "    { dev = \"dpdk0\"; addr = \"10.0.0.2/24\"; },\n"
				  "    { dev = \"dpdk0\"; addr = \"10.0.1.1/32\"; } );\n";
	Loaded fits;
	load("inet = {\n  max_routes = 16;\n" + addrs + "  routes = ( " + routes + " );\n};\n" +
	     kNetif, &fits);
	EXPECT_EQ(0, fits.rc) << fits.text;	// 15 + one connected /24
	Loaded over;
	load("inet = {\n  max_routes = 16;\n" + addrs + "  routes = ( " + routes +
	     ", { dst = \"10.10.0.0/16\"; dev = \"dpdk0\"; } );\n};\n" + kNetif, &over);
	EXPECT_EQ(EDPVS_CONFIG, over.rc);
	EXPECT_NE(std::string::npos,
		  over.text.find("inet.max_routes: 17 routes (with the connected ones of the "
				 "addresses) do not fit in max_routes = 16")) << over.text;
}

TEST(InetCfg, AbsentSectionIsFine)
{
	Loaded l;
	load("# nothing\n", &l);
	EXPECT_EQ(0, l.rc) << l.text;
}

struct Bad {
	const char *body;
	const char *want;	// substring of the formatted error
};

class InetCfgBad : public ::testing::TestWithParam<Bad> {};

TEST_P(InetCfgBad, NamesLineAndKey)
{
	Loaded l;
	load(std::string("inet = {\n") + GetParam().body + "\n};\n" + kNetif, &l);
	EXPECT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_NE(std::string::npos, l.text.find(GetParam().want)) << l.text;
	EXPECT_NE(std::string::npos, l.text.find(":2: ")) << l.text;	// the line
}

const Bad kBad[] = {
	{ "bogus = 1;", "inet.bogus: unknown key" },
	{ "ipv4_forward = 1;", "inet.ipv4_forward" },
	{ "max_routes = 8;", "inet.max_routes" },
	{ "icmp_burst = 0;", "inet.icmp_burst" },
	{ "ipv4_reasm_max = 16385;", "inet.ipv4_reasm_max" },
	{ "ipv4_reasm_mbufs = 15;", "inet.ipv4_reasm_mbufs" },
	{ "ipv4_reasm_timeout_ms = 99;", "inet.ipv4_reasm_timeout_ms" },
	{ "ipv4_reasm_timeout_ms = 60001;", "inet.ipv4_reasm_timeout_ms" },
	{ "neigh = { probes = 11; };", "inet.neigh.probes" },
	{ "neigh = { queue_len = 17; };", "inet.neigh.queue_len" },
	{ "neigh = { when = 1; };", "inet.neigh.when: unknown key" },
	{ "addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/33\"; } );", "addr: expected" },
	{ "addresses = ( { addr = \"10.0.0.1/24\"; } );", "dev: required" },
	{ "addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/24\"; x = 1; } );", "unknown key" },
	{ "addresses = 5;", "inet.addresses: expected a list" },
	{ "routes = ( { dst = \"10.0.0.1/24\"; dev = \"dpdk0\"; } );", "without host bits" },
	{ "routes = ( { dst = \"10.0.0.0/24\"; via = \"10.0.0\"; dev = \"dpdk0\"; } );", "via: expected" },
	{ "routes = ( { dst = \"10.0.0.0/24\"; src = \"x\"; dev = \"dpdk0\"; } );", "src: expected" },
	{ "routes = ( { dst = \"10.0.0.0/24\"; } );", "dev: required" },
	{ "routes = ( { dst = \"10.0.0.0/24\"; dev = \"dpdk0\"; mtu = 70000; } );", "mtu" },
	{ "neighbours = ( { dev = \"dpdk0\"; addr = \"10.0.0.2\"; lladdr = \"ff:ff:ff:ff:ff:ff\"; } );",
	  "lladdr: expected a unicast MAC" },
	{ "neighbours = ( { dev = \"dpdk0\"; addr = \"0.0.0.0\"; lladdr = \"02:00:00:00:00:01\"; } );",
	  "addr: expected" },
	// What inet_addr_add()/the start-up apply refused but parsing let through:
	{ "addresses = ( { dev = \"dpdk9\"; addr = \"10.0.0.1/24\"; } );",
	  "inet.addresses.[0].dev: no port named 'dpdk9' in netif.ports" },
	{ "routes = ( { dst = \"10.0.0.0/24\"; dev = \"dpdk9\"; } );",
	  "inet.routes.[0].dev: no port named 'dpdk9'" },
	{ "neighbours = ( { dev = \"dpdk9\"; addr = \"10.0.0.2\"; lladdr = \"02:00:00:00:00:01\"; } );",
	  "inet.neighbours.[0].dev: no port named 'dpdk9'" },
	{ "addresses = ( { dev = \"dpdk0\"; addr = \"127.0.0.1/8\"; } );",
	  "inet.addresses.[0].addr: not usable as a local address" },
	{ "addresses = ( { dev = \"dpdk0\"; addr = \"224.0.0.5/24\"; } );",
	  "inet.addresses.[0].addr: not usable" },
	{ "addresses = ( { dev = \"dpdk0\"; addr = \"10.0.0.1/24\"; }, { dev = \"dpdk0\"; addr = \"10.0.0.1/16\"; } );",
	  "inet.addresses.[1].addr: address listed twice" },
	// ip(8)'s gateway rule: the gateway must be on a network the file connects to the port.
	{ "routes = ( { dst = \"10.9.0.0/16\"; via = \"192.168.7.1\"; dev = \"dpdk0\"; } );",
	  "inet.routes.[0].via: Nexthop has invalid gateway: 192.168.7.1" },
	{ "addresses = ( { dev = \"dpdk0\"; addr = \"192.168.7.2/24\"; } ); "
	  "routes = ( { dst = \"10.9.0.0/16\"; via = \"192.168.8.1\"; dev = \"dpdk0\"; } );",
	  "inet.routes.[0].via: Nexthop has invalid gateway" },
};

INSTANTIATE_TEST_SUITE_P(InetCfg, InetCfgBad, ::testing::ValuesIn(kBad));

}  // namespace
