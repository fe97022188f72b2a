// test_svc_cfg.cc - the "services" config section (src/ipvs/svc_cfg.c):
// parse and validation through cfg_load() (each bad value an error with
// file:line and key, all at once), and apply/diff/undo driven through the
// section's own ops on the master's table (without forwarding workers, so
// publication is a no-op): an unchanged service is not touched, a changed
// one is edited in place, a run-time service the file does not declare is
// left alone, and a failed apply leaves the table as it was.
#include <gtest/gtest.h>
#include "cfg_text.h"
#include <arpa/inet.h>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include "test_eal.h"
extern "C" {
#include "cfg.h"
#include "dpvs_err.h"
#include "job.h"
#include "ipvs/svc.h"
#include "ipvs/svc_cfg.h"
}
#include "../../src/ipvs/svc_int.h"

namespace {

const std::string kNetif = "netif = { ports = ( { vdev = \"net_ring_ut0\"; } ); };\n";

using cfgtext::Loaded;
using cfgtext::load;

const char *kFull =
	"services = (\n"
	"  { proto = \"tcp\"; vip = \"10.0.0.1\"; port = 80; scheduler = \"wrr\";\n"
	"    local_addresses = [ \"10.0.1.5\", \"10.0.1.6\" ]; local_dev = \"dpdk0\";\n"
	"    proxy_protocol = \"v2\"; toa = false;\n"
	"    real_servers = ( { addr = \"192.168.1.2\"; port = 8080; mode = \"fnat\"; weight = 3;\n"
	"                       u_threshold = 100; l_threshold = 10; },\n"
	"                     { addr = \"192.168.1.3\"; mode = \"fnat\"; } ); },\n"
	"  { proto = \"udp\"; vip = \"10.0.0.1\"; port = 53; scheduler = \"sh\";\n"
	"    sched_flags = [ \"fallback\", \"port\" ]; one_packet = true;\n"
	"    persistent = 300; netmask = \"255.255.255.0\";\n"
	"    real_servers = ( { addr = \"192.168.1.4\"; mode = \"dr\"; },\n"
	"                     { addr = \"192.168.1.5\"; mode = \"tunnel\"; tun_type = \"gue\";\n"
	"                       tun_port = 6080; tun_csum = true; } ); },\n"
	"  { fwmark = 7; scheduler = \"rr\"; real_servers = ( { addr = \"192.168.1.6\"; mode = \"nat\"; port = 80; } ); }\n"
	");\n";

TEST(SvcCfgParse, FullSectionParses)
{
	Loaded l;
	load(std::string(kFull) + kNetif, &l);
	ASSERT_EQ(0, l.rc) << l.text;
	auto *c = static_cast<const svc_cfg *>(cfg_tree_section(l.tree, "services"));
	ASSERT_NE(nullptr, c);
	ASSERT_EQ(3u, c->n);
	EXPECT_EQ(IPPROTO_TCP, c->svc[0].conf.key.proto);
	EXPECT_EQ(80, c->svc[0].conf.key.port);
	EXPECT_STREQ("wrr", c->svc[0].conf.sched);
	EXPECT_EQ(IPVS_WIRE_PP_V2, c->svc[0].conf.proxy_protocol);
	EXPECT_EQ(IPVS_WIRE_SVC_F_NOTOA, c->svc[0].conf.flags);
	ASSERT_EQ(2u, c->svc[0].n_laddrs);
	EXPECT_STREQ("dpdk0", c->svc[0].laddrs[1].ifname);
	ASSERT_EQ(2u, c->svc[0].n_dests);
	EXPECT_EQ(IPVS_WIRE_FWD_FNAT, c->svc[0].dests[0].fwd);
	EXPECT_EQ(3u, c->svc[0].dests[0].weight);
	EXPECT_EQ(100u, c->svc[0].dests[0].u_threshold);
	EXPECT_EQ(80, c->svc[0].dests[1].port);	// the service's port by default
	EXPECT_EQ(IPVS_WIRE_SVC_F_PERSISTENT | IPVS_WIRE_SVC_F_ONEPACKET, c->svc[1].conf.flags);
	EXPECT_EQ(300u, c->svc[1].conf.timeout);
	EXPECT_EQ(inet_addr("255.255.255.0"), c->svc[1].conf.netmask);
	EXPECT_EQ(IPVS_WIRE_SCHED_F_FALLBACK | IPVS_WIRE_SCHED_F_PORT, c->svc[1].conf.sched_flags);
	EXPECT_EQ(IPVS_WIRE_FWD_DR, c->svc[1].dests[0].fwd);
	EXPECT_EQ(IPVS_WIRE_TUN_GUE, c->svc[1].dests[1].tun_type);
	EXPECT_EQ(6080, c->svc[1].dests[1].tun_port);
	EXPECT_EQ(7u, c->svc[2].conf.key.fwmark);
	EXPECT_EQ(0xffffffffu, c->svc[2].conf.netmask);	// normalised as the table stores it
}

// The commented example of conf/dpvsd.conf.sample, uncommented, is valid.
TEST(SvcCfgParse, SampleExampleLoads)
{
	std::ifstream in("conf/dpvsd.conf.sample");
	if (!in)
		GTEST_SKIP() << "run from the source tree to check conf/dpvsd.conf.sample";
	std::stringstream ss;
	ss << in.rdbuf();
	std::string s = ss.str();
	size_t a = s.find("#services = (");
	ASSERT_NE(std::string::npos, a);
	size_t b = s.find("#);", a);
	ASSERT_NE(std::string::npos, b);
	std::string block, line;
	std::istringstream lines(s.substr(a, b + 3 - a));
	while (std::getline(lines, line))
		block += line.substr(1) + "\n";
	Loaded l;
	load(s.substr(0, a) + block + s.substr(b + 3), &l);
	ASSERT_EQ(0, l.rc) << l.text;
	auto *c = static_cast<const svc_cfg *>(cfg_tree_section(l.tree, "services"));
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(2u, c->n);
}

TEST(SvcCfgParse, AbsentSectionIsEmpty)
{
	Loaded l;
	load(kNetif, &l);
	ASSERT_EQ(0, l.rc) << l.text;
	auto *c = static_cast<const svc_cfg *>(cfg_tree_section(l.tree, "services"));
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(0u, c->n);
}

TEST(SvcCfgParse, AllErrorsAtOnce)
{
	Loaded l;
	load("services = (\n"
	     "  { proto = \"tcp\"; vip = \"10.0.0.300\"; port = 80; },\n"
	     "  { proto = \"tcp\"; vip = \"10.0.0.2\"; port = 80; scheduler = \"nosuch\"; }\n"
	     ");\n" + kNetif, &l);
	EXPECT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_EQ(2u, l.errs.count) << l.text;
	EXPECT_NE(std::string::npos, l.text.find(":2: services.[0].vip: expected an IPv4")) << l.text;
	EXPECT_NE(std::string::npos, l.text.find(":3: services.[1].scheduler: Scheduler not found: nosuch"))
		<< l.text;
}

struct Bad {
	const char *body;	// the service group's contents, on line 2
	const char *want;	// substring of the formatted error
};

class SvcCfgBad : public ::testing::TestWithParam<Bad> {};

TEST_P(SvcCfgBad, NamesLineAndKey)
{
	Loaded l;
	load(std::string("services = (\n{ ") + GetParam().body + " }\n);\n" + kNetif, &l);
	EXPECT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_NE(std::string::npos, l.text.find(GetParam().want)) << l.text;
	EXPECT_NE(std::string::npos, l.text.find(":2: ")) << l.text;	// the line
}

#define TCP80 "proto = \"tcp\"; vip = \"10.0.0.1\"; port = 80; "
const Bad kBad[] = {
	{ TCP80 "bogus = 1;", "services.[0].bogus: unknown key" },
	{ "vip = \"10.0.0.1\"; port = 80;", "services.[0].proto: required" },
	{ "proto = \"icmp\"; vip = \"10.0.0.1\"; port = 80;", "services.[0].proto" },
	{ "proto = \"tcp\"; vip = \"10.0.0\"; port = 80;", "services.[0].vip: expected an IPv4 address" },
	{ "proto = \"tcp\"; vip = \"224.0.0.1\"; port = 80;", "services.[0]: " },
	{ "proto = \"tcp\"; vip = \"10.0.0.1\";", "Zero port specified for non-persistent service" },
	{ TCP80 "scheduler = \"fastest\";", "services.[0].scheduler: Scheduler not found: fastest" },
	{ TCP80 "scheduler = \"rr\"; sched_flags = [ \"fallback\" ];",
	  "scheduler flag 'fallback' does not apply to scheduler 'rr'" },
	{ TCP80 "sched_flags = [ \"quick\" ];", "services.[0].sched_flags.[0]: unknown scheduler flag" },
	{ TCP80 "one_packet = true;", "One-Packet Scheduling is only for UDP" },
	{ TCP80 "netmask = \"255.0.255.0\";", "illegal netmask" },
	{ TCP80 "proxy_protocol = \"v1\";", "services.[0].proxy_protocol" },
	{ "fwmark = 3; port = 80;", "services.[0].fwmark: a fwmark service has no proto" },
	{ TCP80 "real_servers = ( { addr = \"192.168.1.2\"; }, { addr = \"192.168.1.2\"; port = 80; } );",
	  "services.[0].real_servers.[1].addr: real server listed twice" },
	{ TCP80 "real_servers = ( { addr = \"192.168.1.2\"; mode = \"fnat\"; } );",
	  "services.[0].real_servers.[0].mode: a FNAT real server needs local_addresses" },
	{ TCP80 "real_servers = ( { addr = \"192.168.1\"; } );",
	  "services.[0].real_servers.[0].addr: expected an IPv4 address" },
	{ TCP80 "real_servers = ( { addr = \"192.168.1.2\"; mode = \"local\"; } );",
	  "services.[0].real_servers.[0].mode" },
	{ TCP80 "real_servers = ( { addr = \"192.168.1.2\"; weight = 70000; } );",
	  "services.[0].real_servers.[0].weight" },
	{ TCP80 "real_servers = ( { addr = \"192.168.1.2\"; u_threshold = 5; l_threshold = 9; } );",
	  "services.[0].real_servers.[0]: lower threshold above the upper threshold" },
	{ TCP80 "real_servers = ( { addr = \"192.168.1.2\"; mode = \"tunnel\"; tun_type = \"gue\"; } );",
	  "services.[0].real_servers.[0]: " },
	{ TCP80 "real_servers = ( { addr = \"192.168.1.2\"; colour = 1; } );",
	  "services.[0].real_servers.[0].colour: unknown key" },
	{ TCP80 "local_addresses = [ \"10.0.1.5\", \"10.0.1.5\" ];",
	  "services.[0].local_addresses.[1]: local address listed twice" },
	{ TCP80 "local_addresses = [ \"255.255.255.255\" ];",
	  "services.[0].local_addresses.[0]: illegal local address" },
	{ TCP80 "local_dev = \"dpdk0\";", "services.[0].local_dev: given without local_addresses" },
	{ TCP80 "local_addresses = [ \"10.0.1.5\" ]; local_dev = \"dpdk9\";",
	  "services.[0].local_dev: no port named 'dpdk9' in netif.ports" },
};

INSTANTIATE_TEST_SUITE_P(SvcCfg, SvcCfgBad, ::testing::ValuesIn(kBad));

TEST(SvcCfgParse, DuplicateService)
{
	Loaded l;
	load("services = (\n{ " TCP80 "},\n{ " TCP80 "scheduler = \"rr\"; }\n);\n" + kNetif, &l);
	EXPECT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_NE(std::string::npos, l.text.find(":3: services.[1]: service declared twice"))
		<< l.text;
}

// ---- apply, diff, undo on the master's table (no workers) ----

class SvcCfgApply : public ::testing::Test {
protected:
	const cfg_section_ops *ops = svc_cfg_section();
	config_t cf;
	char err[IPVS_SVC_ERRLEN];

	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		if (job_role_count(JOB_ROLE_FWD_WORKER) > 0) {
			ASSERT_EQ(0, job_set_role(1, JOB_ROLE_IDLE));
		}
		ipvs_svc_flush(err);
		config_init(&cf);
		// Forget what an earlier test applied: an empty file owns nothing.
		apply("", true);
	}
	void TearDown() override
	{
		apply("", true);
		ipvs_svc_flush(err);
		svc_lcore_free_all();
		config_destroy(&cf);
	}
	// Parse text as the services list and apply it; the rc of apply.
	int apply(const std::string &text, bool reload)
	{
		cfg_errors errs{};
		std::string body = "services = (" + text + ");";
		config_destroy(&cf);
		config_init(&cf);
		EXPECT_EQ(CONFIG_TRUE, config_read_string(&cf, body.c_str())) << body;
		void *st = ops->parse(config_lookup(&cf, "services"), &errs);
		EXPECT_NE(nullptr, st);
		if (st == nullptr)
			return EDPVS_CONFIG;
		int rc = ops->apply(st, reload, &errs);
		if (rc != 0)
			ops->free(st);
		last_err = errs.count ? errs.err[0].msg : "";
		return rc;
	}
	std::string last_err;
	static ipvs_wire_svc_key key(const char *vip, uint16_t port, uint8_t proto = IPPROTO_TCP)
	{
		ipvs_wire_svc_key k;
		memset(&k, 0, sizeof(k));
		k.af = AF_INET;
		k.proto = proto;
		k.port = port;
		k.addr.in4 = inet_addr(vip);
		return k;
	}
	msvc *find(const char *vip, uint16_t port) { auto k = key(vip, port); return svc_master_find(&k); }
};

const char *kA = "{ proto = \"tcp\"; vip = \"10.0.0.1\"; port = 80; scheduler = \"rr\";"
		 "  real_servers = ( { addr = \"192.168.1.2\"; mode = \"nat\"; },"
		 "                   { addr = \"192.168.1.3\"; mode = \"nat\"; weight = 2; } ); }";
const char *kB = "{ proto = \"tcp\"; vip = \"10.0.0.2\"; port = 80; scheduler = \"wlc\";"
		 "  local_addresses = [ \"10.0.1.5\" ];"
		 "  real_servers = ( { addr = \"192.168.1.4\"; mode = \"fnat\"; } ); }";

TEST_F(SvcCfgApply, StartUpAddsEverything)
{
	ASSERT_EQ(0, apply(std::string(kA) + "," + kB, false)) << last_err;
	EXPECT_EQ(2u, ipvs_svc_count());
	msvc *a = find("10.0.0.1", 80), *b = find("10.0.0.2", 80);
	ASSERT_NE(nullptr, a);
	ASSERT_NE(nullptr, b);
	EXPECT_EQ(2u, a->n_dests);
	EXPECT_EQ(2u, a->dests[1].conf.weight);
	EXPECT_EQ(1u, b->n_laddrs);
	EXPECT_TRUE(svc_cfg_owns(&a->conf.key));
}

TEST_F(SvcCfgApply, ReloadEditsInPlaceAndKeepsUnchanged)
{
	ASSERT_EQ(0, apply(std::string(kA) + "," + kB, false)) << last_err;
	uint32_t id_a = find("10.0.0.1", 80)->id, id_b = find("10.0.0.2", 80)->id;
	// A: scheduler changed, one server re-weighted, one removed, one added; B unchanged.
	const char *a2 = "{ proto = \"tcp\"; vip = \"10.0.0.1\"; port = 80; scheduler = \"wrr\";"
			 "  real_servers = ( { addr = \"192.168.1.3\"; mode = \"nat\"; weight = 5; },"
			 "                   { addr = \"192.168.1.9\"; mode = \"nat\"; } ); }";
	ASSERT_EQ(0, apply(std::string(a2) + "," + kB, true)) << last_err;
	msvc *a = find("10.0.0.1", 80), *b = find("10.0.0.2", 80);
	ASSERT_NE(nullptr, a);
	ASSERT_NE(nullptr, b);
	EXPECT_EQ(id_a, a->id);		// edited, not deleted and re-added
	EXPECT_EQ(id_b, b->id);
	EXPECT_STREQ("wrr", a->conf.sched);
	ASSERT_EQ(2u, a->n_dests);
	EXPECT_EQ(inet_addr("192.168.1.3"), a->dests[0].conf.addr.in4);
	EXPECT_EQ(5u, a->dests[0].conf.weight);
	EXPECT_EQ(inet_addr("192.168.1.9"), a->dests[1].conf.addr.in4);
	// B dropped from the file: deleted.
	ASSERT_EQ(0, apply(a2, true)) << last_err;
	EXPECT_EQ(nullptr, find("10.0.0.2", 80));
	EXPECT_EQ(1u, ipvs_svc_count());
}

TEST_F(SvcCfgApply, RunTimeServicesAreLeftAloneFileOnesRestored)
{
	ASSERT_EQ(0, apply(kA, false)) << last_err;
	ipvs_wire_svc_conf c;
	memset(&c, 0, sizeof(c));
	c.key = key("10.0.0.7", 443);
	snprintf(c.sched, sizeof(c.sched), "rr");
	ASSERT_EQ(0, ipvs_svc_add(&c, err)) << err;		// as ipvsadm -A would
	ipvs_wire_dest_conf d;
	memset(&d, 0, sizeof(d));
	d.af = AF_INET;
	d.addr.in4 = inet_addr("192.168.1.2");
	d.port = 80;
	d.weight = 9;
	ASSERT_EQ(0, ipvs_dest_edit(&find("10.0.0.1", 80)->conf.key, &d, err)) << err;
	EXPECT_FALSE(svc_cfg_owns(&c.key));

	ASSERT_EQ(0, apply(kA, true)) << last_err;
	EXPECT_NE(nullptr, find("10.0.0.7", 443));		// not declared: left alone
	EXPECT_EQ(1u, find("10.0.0.1", 80)->dests[0].conf.weight);	// declared: as the file says
}

TEST_F(SvcCfgApply, FailedApplyChangesNothing)
{
	ASSERT_EQ(0, apply(std::string(kA) + "," + kB, false)) << last_err;
	// B's local address goes through a port that does not exist: only the
	// apply finds that (the parse has no ports); A is changed before it.
	// A: servers re-weighted, removed, added (its conf unchanged); B: scheduler
	// edited, then its new local address fails.
	const char *a2 = "{ proto = \"tcp\"; vip = \"10.0.0.1\"; port = 80; scheduler = \"rr\";"
			 "  real_servers = ( { addr = \"192.168.1.3\"; mode = \"nat\"; weight = 7; },"
			 "                   { addr = \"192.168.1.9\"; mode = \"nat\"; } ); }";
	const char *b2 = "{ proto = \"tcp\"; vip = \"10.0.0.2\"; port = 80; scheduler = \"rr\";"
			 "  local_addresses = [ \"10.0.1.5\", \"10.0.1.6\" ]; local_dev = \"nosuch0\";"
			 "  real_servers = ( { addr = \"192.168.1.4\"; mode = \"fnat\"; } ); }";
	EXPECT_NE(0, apply(std::string(a2) + "," + b2, true));
	EXPECT_NE(std::string::npos, last_err.find("No such interface: nosuch0")) << last_err;
	msvc *a = find("10.0.0.1", 80), *b = find("10.0.0.2", 80);
	ASSERT_NE(nullptr, a);
	ASSERT_NE(nullptr, b);
	EXPECT_STREQ("wlc", b->conf.sched);		// the edit undone
	ASSERT_EQ(2u, a->n_dests);			// .9 taken out, .2 put back
	for (uint32_t i = 0; i < a->n_dests; i++) {
		if (a->dests[i].conf.addr.in4 == inet_addr("192.168.1.3"))
			EXPECT_EQ(2u, a->dests[i].conf.weight);	// the re-weight undone
		else
			EXPECT_EQ(inet_addr("192.168.1.2"), a->dests[i].conf.addr.in4);
	}
	EXPECT_EQ(1u, b->n_laddrs);
	EXPECT_EQ(2u, ipvs_svc_count());
}

TEST_F(SvcCfgApply, SnapshotAppliedBackRestores)
{
	ASSERT_EQ(0, apply(kA, false)) << last_err;
	void *snap = ops->snapshot();
	ASSERT_NE(nullptr, snap);
	ASSERT_EQ(0, apply(kB, true)) << last_err;		// A deleted, B added
	EXPECT_EQ(nullptr, find("10.0.0.1", 80));
	cfg_errors errs{};
	ASSERT_EQ(0, ops->apply(snap, true, &errs));		// what cfg_apply does on a later failure
	EXPECT_NE(nullptr, find("10.0.0.1", 80));
	EXPECT_EQ(nullptr, find("10.0.0.2", 80));
	auto k = key("10.0.0.1", 80);
	EXPECT_TRUE(svc_cfg_owns(&k));
}

}  // namespace
