// test_ipvsadm.cc - ipvsadm's parser (real command lines -> request structs,
// and the errors), its output formats (-L, --stats, --rate, --thresholds,
// --persistent-conn, -c, --timeout, -S) and the -S | -R round trip of the
// text format.  No daemon needed.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string>
#include <vector>
#include "dpvs_err.h"
#include "../../tools/ipvsadm/ipvsadm.h"

namespace {

struct Parsed {
	int rc;
	ipvsadm_req req;
	std::string err;
};

Parsed parse(std::vector<const char *> args)
{
	Parsed p;
	char err[IPVSADM_ERR_LEN];

	args.insert(args.begin(), "ipvsadm");
	p.rc = ipvsadm_parse((int)args.size(), args.data(), &p.req, err, sizeof(err));
	p.err = err;
	return p;
}

uint32_t ip4(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

std::string capture(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	std::string s(buf, len);
	free(buf);
	return s;
}

}  // namespace

TEST(IpvsadmParse, AddServiceDefaults)
{
	Parsed p = parse({ "-A", "-t", "10.0.0.1:80" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_ADD_SVC, p.req.cmd);
	EXPECT_EQ(AF_INET, p.req.svc.key.af);
	EXPECT_EQ(IPPROTO_TCP, p.req.svc.key.proto);
	EXPECT_EQ(80, p.req.svc.key.port);
	EXPECT_EQ(ip4("10.0.0.1"), p.req.svc.key.addr.in4);
	EXPECT_STREQ("wlc", p.req.svc.sched);
	EXPECT_EQ(0u, p.req.svc.flags);
	EXPECT_EQ(0xffffffffu, p.req.svc.netmask);
}

TEST(IpvsadmParse, AddServiceLongOptionsAndScheduler)
{
	Parsed p = parse({ "--add-service", "--udp-service", "10.0.0.2:53", "--scheduler", "sh",
			   "--sched-flags", "sh-fallback,sh-port" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPPROTO_UDP, p.req.svc.key.proto);
	EXPECT_EQ(53, p.req.svc.key.port);
	EXPECT_STREQ("sh", p.req.svc.sched);
	EXPECT_EQ(IPVS_WIRE_SCHED_F_FALLBACK | IPVS_WIRE_SCHED_F_PORT, p.req.svc.sched_flags);
}

TEST(IpvsadmParse, Persistence)
{
	Parsed p = parse({ "-A", "-u", "10.0.0.1:53", "-s", "wlc", "-p", "-M", "255.255.255.0" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_TRUE(p.req.svc.flags & IPVS_WIRE_SVC_F_PERSISTENT);
	EXPECT_EQ(IPVSADM_DEF_PERSIST_TIMEOUT, p.req.svc.timeout);
	EXPECT_EQ(htonl(0xffffff00u), p.req.svc.netmask);

	p = parse({ "-A", "-t", "10.0.0.1:443", "-p", "60", "-M", "16" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(60u, p.req.svc.timeout);
	EXPECT_EQ(htonl(0xffff0000u), p.req.svc.netmask);

	// -p takes an optional value: none when an option follows.
	p = parse({ "-A", "-p", "-t", "10.0.0.1:80" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_DEF_PERSIST_TIMEOUT, p.req.svc.timeout);
	p = parse({ "-A", "-t", "10.0.0.1:80", "--persistent=70" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(70u, p.req.svc.timeout);

	// Port 0 is fine for a persistent service only.
	p = parse({ "-A", "-t", "10.0.0.1", "-p", "120" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(0, p.req.svc.key.port);
	p = parse({ "-A", "-t", "10.0.0.1" });
	EXPECT_EQ(-1, p.rc);
	EXPECT_EQ("Zero port specified for non-persistent service", p.err);
}

TEST(IpvsadmParse, FwmarkAndIpv6)
{
	Parsed p = parse({ "-A", "-f", "7", "-s", "mh" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(7u, p.req.svc.key.fwmark);
	EXPECT_EQ(0, p.req.svc.key.proto);
	EXPECT_EQ(AF_INET, p.req.svc.key.af);
	p = parse({ "-A", "-6", "-f", "9" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(AF_INET6, p.req.svc.key.af);

	p = parse({ "-A", "-t", "[2001:db8::1]:8080", "-s", "rr" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(AF_INET6, p.req.svc.key.af);
	EXPECT_EQ(8080, p.req.svc.key.port);
	EXPECT_EQ(0x20, p.req.svc.key.addr.in6[0]);
	EXPECT_EQ(0x01, p.req.svc.key.addr.in6[15]);
	EXPECT_EQ(128u, p.req.svc.netmask);
}

TEST(IpvsadmParse, ServiceNames)
{
	if (getservbyname("http", "tcp") == nullptr)
		GTEST_SKIP() << "no services database";
	Parsed p = parse({ "-A", "-t", "10.0.0.1:http" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(80, p.req.svc.key.port);
}

TEST(IpvsadmParse, RealServers)
{
	Parsed p = parse({ "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2:8080", "-m", "-w", "3" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_ADD_DEST, p.req.cmd);
	EXPECT_EQ(IPVS_WIRE_FWD_MASQ, p.req.dest.fwd);
	EXPECT_EQ(8080, p.req.dest.port);
	EXPECT_EQ(3u, p.req.dest.weight);
	EXPECT_EQ(ip4("192.168.1.2"), p.req.dest.addr.in4);

	// Defaults: gatewaying, weight 1, the service's port.
	p = parse({ "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.3" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_FWD_DR, p.req.dest.fwd);
	EXPECT_EQ(1u, p.req.dest.weight);
	EXPECT_EQ(80, p.req.dest.port);

	// DR and TUNNEL cannot change the port.
	p = parse({ "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.3:8080", "-i" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_FWD_TUNNEL, p.req.dest.fwd);
	EXPECT_EQ(80, p.req.dest.port);

	p = parse({ "--add-server", "--tcp-service", "10.0.0.1:80", "--real-server", "192.168.1.4",
		    "--fullnat", "--u-threshold", "100", "--l-threshold", "50" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_FWD_FNAT, p.req.dest.fwd);
	EXPECT_EQ(100u, p.req.dest.u_threshold);
	EXPECT_EQ(50u, p.req.dest.l_threshold);

	p = parse({ "-e", "-t", "10.0.0.1:80", "-r", "192.168.1.4", "-b", "-w", "0" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_EDIT_DEST, p.req.cmd);
	EXPECT_EQ(0u, p.req.dest.weight);

	// A delete names the server by address:port; no DR port rewrite.
	p = parse({ "-d", "-t", "10.0.0.1:80", "-r", "192.168.1.4:8080" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_DEL_DEST, p.req.cmd);
	EXPECT_EQ(8080, p.req.dest.port);
}

// ipvsadm 1.31: -b on -A/-E is --sched-flags; DPVS: -b on -a/-e is FNAT.
TEST(IpvsadmParse, DashBIsSchedFlagsOnServicesAndFnatOnServers)
{
	Parsed p = parse({ "-A", "-t", "10.0.0.1:80", "-s", "sh", "-b", "sh-fallback,sh-port" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_SCHED_F_FALLBACK | IPVS_WIRE_SCHED_F_PORT, p.req.svc.sched_flags);
	EXPECT_TRUE(p.req.opts & IPVSADM_OPT_BIT(IPVSADM_OPT_SCHED_FLAGS));
	EXPECT_FALSE(p.req.opts & IPVSADM_OPT_BIT(IPVSADM_OPT_FWD));
	// Order does not matter: -s after -b.
	p = parse({ "-E", "-t", "10.0.0.1:80", "-b", "mh-port", "-s", "mh" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_SCHED_F_PORT, p.req.svc.sched_flags);
	p = parse({ "-A", "-t", "10.0.0.1:80", "-s", "conhash", "-b", "hash-sip-sport" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_HASH_SIP_SPORT << IPVS_WIRE_SCHED_F_KEY_SHIFT, p.req.svc.sched_flags);

	p = parse({ "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.4", "-b" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_FWD_FNAT, p.req.dest.fwd);
	p = parse({ "-a", "-b", "-t", "10.0.0.1:80", "-r", "192.168.1.4" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_FWD_FNAT, p.req.dest.fwd);

	struct {
		std::vector<const char *> args;
		const char *msg;
	} bad[] = {
		{ { "-A", "-t", "10.0.0.1:80", "-s", "sh", "-b" },
		  "-b needs scheduler flags with -A/-E (-b is FNAT only with -a/-e)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "sh", "-b", "sh-port", "--sched-flags",
		    "sh-port" }, "multiple 'sched-flags' options specified" },
		{ { "-A", "-t", "10.0.0.1:80", "--fullnat" },
		  "Illegal 'forwarding-method' option with the 'add-service' command" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.4", "-b", "sh-port" },
		  "unexpected argument 'sh-port'" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.4", "-b", "-m" },
		  "multiple 'forwarding-method' options specified" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.4", "-b", "-b" },
		  "multiple '-b' options specified" },
	};
	for (auto &c : bad) {
		p = parse(c.args);
		EXPECT_EQ(-1, p.rc) << c.msg;
		EXPECT_EQ(std::string(c.msg), p.err);
	}
}

// Values ipvsadm refuses: thresholds above 65535, -M without -p, scheduler
// flags of another scheduler.
TEST(IpvsadmParse, RangeAndCompatibilityChecks)
{
	Parsed p = parse({ "-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-x", "65535", "-y", "65535" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(65535u, p.req.dest.u_threshold);
	p = parse({ "-A", "-t", "10.0.0.1:80", "-s", "dh", "--sched-flags", "fallback" });
	ASSERT_EQ(0, p.rc) << p.err;
	p = parse({ "-A", "-t", "10.0.0.1:80", "-s", "conhash", "--sched-flags", "hash-sip" });
	ASSERT_EQ(0, p.rc) << p.err;
	// IPVS's generic names: flag-1 is the fallback, flag-2 the port.
	p = parse({ "-A", "-t", "10.0.0.1:80", "-s", "mh", "-b", "flag-1,flag-2" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_SCHED_F_FALLBACK | IPVS_WIRE_SCHED_F_PORT, p.req.svc.sched_flags);

	struct {
		std::vector<const char *> args;
		const char *msg;
	} bad[] = {
		{ { "-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-x", "65536" },
		  "illegal u_threshold specified (0..65535)" },
		{ { "-e", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-y", "100000" },
		  "illegal l_threshold specified (0..65535)" },
		{ { "-A", "-t", "10.0.0.1:80", "-M", "255.255.255.0" },
		  "-M (netmask) only makes sense with -p (persistent)" },
		{ { "-E", "-t", "10.0.0.1:80", "-s", "rr", "-M", "24" },
		  "-M (netmask) only makes sense with -p (persistent)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "rr", "--sched-flags", "sh-port" },
		  "scheduler flag 'sh-port' does not apply to scheduler 'rr' (only sh)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "mh", "-b", "sh-fallback" },
		  "scheduler flag 'sh-fallback' does not apply to scheduler 'mh' (only sh)" },
		{ { "-A", "-t", "10.0.0.1:80", "--sched-flags", "fallback" },
		  "scheduler flag 'fallback' does not apply to scheduler 'wlc' (only sh dh mh)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "dh", "--sched-flags", "port" },
		  "scheduler flag 'port' does not apply to scheduler 'dh' (only sh mh)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "sh", "--sched-flags", "hash-sip" },
		  "scheduler flag 'hash-sip' does not apply to scheduler 'sh' (only conhash)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "sh", "--sched-flags", "bogus" },
		  "illegal scheduler flags specified (fallback, port, sh-fallback, sh-port, "
		  "mh-fallback, mh-port, flag-1, flag-2, hash-sip, hash-sip-sport, hash-quic-cid)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "rr", "-b", "flag-1" },
		  "scheduler flag 'flag-1' does not apply to scheduler 'rr' (only sh dh mh)" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "sh", "-b", "flag-3" },
		  "scheduler flag 'flag-3' is used by no scheduler" },
	};
	for (auto &c : bad) {
		p = parse(c.args);
		EXPECT_EQ(-1, p.rc) << c.msg;
		EXPECT_EQ(std::string(c.msg), p.err);
	}
}

TEST(IpvsadmParse, OtherCommands)
{
	Parsed p = parse({ "-D", "-t", "10.0.0.1:80" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_DEL_SVC, p.req.cmd);
	EXPECT_EQ(IPVSADM_CMD_FLUSH, parse({ "-C" }).req.cmd);
	EXPECT_EQ(IPVSADM_CMD_RESTORE, parse({ "-R" }).req.cmd);
	EXPECT_EQ(IPVSADM_CMD_ZERO, parse({ "-Z" }).req.cmd);
	p = parse({ "-Z", "-u", "10.0.0.1:53" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_TRUE(p.req.opts & IPVSADM_OPT_BIT(IPVSADM_OPT_SERVICE));
	p = parse({ "-S", "-n" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_SAVE, p.req.cmd);
	EXPECT_TRUE(p.req.fmt & IPVSADM_FMT_RULE);
	EXPECT_TRUE(p.req.fmt & IPVSADM_FMT_NUMERIC);
	EXPECT_EQ(IPVSADM_CMD_HELP, parse({ "-h" }).req.cmd);
	EXPECT_EQ(IPVSADM_CMD_VERSION, parse({ "--version" }).req.cmd);
}

TEST(IpvsadmParse, ListFormats)
{
	Parsed p = parse({});

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_LIST, p.req.cmd);
	p = parse({ "-Ln" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_FMT_NUMERIC, p.req.fmt);
	p = parse({ "-lnc" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_CONN, p.req.fmt);
	p = parse({ "-L", "-n", "--stats", "--exact" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_STATS | IPVSADM_FMT_EXACT, p.req.fmt);
	p = parse({ "-Ln", "--rate", "--nosort" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_RATE | IPVSADM_FMT_NOSORT, p.req.fmt);
	p = parse({ "-Ln", "--thresholds" });
	EXPECT_TRUE(p.req.fmt & IPVSADM_FMT_THRESHOLDS);
	p = parse({ "-Ln", "--persistent-conn", "--sort" });
	EXPECT_TRUE(p.req.fmt & IPVSADM_FMT_PERSISTCONN);
	p = parse({ "--timeout" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_LIST, p.req.cmd);
	EXPECT_TRUE(p.req.fmt & IPVSADM_FMT_TIMEOUT);
	p = parse({ "-Ln", "-t", "10.0.0.1:80" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_TRUE(p.req.opts & IPVSADM_OPT_BIT(IPVSADM_OPT_SERVICE));
}

TEST(IpvsadmParse, SetTimeouts)
{
	Parsed p = parse({ "--set", "900", "120", "300" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_SET, p.req.cmd);
	EXPECT_EQ(900u, p.req.timeout.tcp);
	EXPECT_EQ(120u, p.req.timeout.tcp_fin);
	EXPECT_EQ(300u, p.req.timeout.udp);
	EXPECT_EQ(-1, parse({ "--set", "1", "2" }).rc);
	EXPECT_EQ(-1, parse({ "--set", "1", "2", "3", "4" }).rc);
	p = parse({ "--set", "x", "2", "3" });
	EXPECT_EQ(-1, p.rc);
	EXPECT_NE(std::string::npos, p.err.find("illegal timeout 'x'"));
}

TEST(IpvsadmParse, LocalAddresses)
{
	Parsed p = parse({ "-P", "-t", "10.0.0.1:80", "-z", "192.168.5.1", "-F", "dpdk0" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_ADD_LADDR, p.req.cmd);
	EXPECT_EQ(AF_INET, p.req.laddr_af);
	EXPECT_EQ(ip4("192.168.5.1"), p.req.laddr.in4);
	EXPECT_STREQ("dpdk0", p.req.ifname);
	p = parse({ "--del-laddr", "-t", "10.0.0.1:80", "--laddr", "192.168.5.1" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVSADM_CMD_DEL_LADDR, p.req.cmd);
	EXPECT_EQ(IPVSADM_CMD_GET_LADDR, parse({ "-G" }).req.cmd);
	EXPECT_EQ(IPVSADM_CMD_GET_LADDR, parse({ "--get-laddr", "-t", "10.0.0.1:80" }).req.cmd);
}

TEST(IpvsadmParse, Socket)
{
	Parsed p = parse({ "--socket", "/tmp/x.sock", "-Ln" });

	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_STREQ("/tmp/x.sock", p.req.socket);
}

TEST(IpvsadmParse, Errors)
{
	struct {
		std::vector<const char *> args;
		const char *msg;
	} cases[] = {
		{ { "-A", "-s", "rr" },
		  "You need to supply the 'service-address' option for the 'add-service' command" },
		{ { "-a", "-t", "10.0.0.1:80" },
		  "You need to supply the 'real-server' option for the 'add-server' command" },
		{ { "-A", "-t", "10.0.0.1:80", "-w", "2" },
		  "Illegal 'weight' option with the 'add-service' command" },
		{ { "-S", "-t", "10.0.0.1:80" },
		  "Illegal 'service-address' option with the 'save' command" },
		{ { "-A", "-t", "10.0.0.1:99999" }, "illegal virtual server address[:port] specified" },
		{ { "-A", "-t", "10.0.0.999:80" }, "illegal virtual server address[:port] specified" },
		{ { "-A", "-t", "10.0.0.1:nosuchservicename" },
		  "illegal virtual server address[:port] specified" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "1.2.3:80" },
		  "illegal real server address[:port] specified" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "r r" }, "illegal scheduler name specified" },
		{ { "-A", "-t", "10.0.0.1:80", "-s", "averyveryverylongname" },
		  "illegal scheduler name specified" },
		{ { "-A", "-D", "-t", "10.0.0.1:80" }, "multiple commands specified" },
		{ { "-A", "-t", "10.0.0.1:80", "-u", "10.0.0.1:53" },
		  "multiple 'service-address' options specified" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-g", "-m" },
		  "multiple 'forwarding-method' options specified" },
		{ { "-Ln", "--stats", "--rate" }, "options '--stats' and '--rate' cannot be combined" },
		{ { "-Ln", "-c", "--timeout" },
		  "options '--connection' and '--timeout' cannot be combined" },
		{ { "-Ln", "--sort", "--nosort" }, "options '--sort' and '--nosort' cannot be combined" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-w", "70000" },
		  "illegal weight specified (0..65535)" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-w", "-1" },
		  "illegal weight specified (0..65535)" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-x", "10", "-y", "20" },
		  "l_threshold must not exceed u_threshold" },
		{ { "-A", "-t", "10.0.0.1:80", "-o" },
		  "One-Packet Scheduling is only for UDP virtual services" },
		{ { "-A", "-t", "10.0.0.1:80", "-p", "0" }, "illegal timeout for persistent service" },
		{ { "-A", "-t", "10.0.0.1:80", "-p", "-M", "255.0.255.0" },
		  "illegal netmask specified (not contiguous)" },
		{ { "-A", "-f", "0" }, "illegal fwmark specified" },
		{ { "-P", "-t", "10.0.0.1:80", "-z", "300.1.1.1" }, "illegal local address specified" },
		{ { "-P", "-t", "10.0.0.1:80" },
		  "You need to supply the 'laddr' option for the 'add-laddr' command" },
		{ { "-A", "-t", "10.0.0.1:80", "--proxy-protocol", "v3" },
		  "illegal proxy protocol version (expected v2 or off)" },
		{ { "-A", "-t", "10.0.0.1:80", "extra" }, "unexpected argument 'extra'" },
		{ { "--bogus" }, "--bogus: unknown option" },
		{ { "-A", "-t" }, "-t: missing argument" },
	};

	for (auto &c : cases) {
		Parsed p = parse(c.args);
		std::string line;

		for (auto a : c.args)
			line += std::string(a) + " ";
		EXPECT_EQ(-1, p.rc) << line;
		EXPECT_EQ(std::string(c.msg), p.err) << line;
	}
}

TEST(IpvsadmParse, SplitLine)
{
	char buf[128] = "-A -t 10.0.0.1:80  -s 'rr'\t\"-p\" 60\n";
	const char *argv[16];

	ASSERT_EQ(8, ipvsadm_split_line(buf, argv, 16));
	EXPECT_STREQ("ipvsadm", argv[0]);
	EXPECT_STREQ("-A", argv[1]);
	EXPECT_STREQ("10.0.0.1:80", argv[3]);
	EXPECT_STREQ("rr", argv[5]);
	EXPECT_STREQ("-p", argv[6]);
	EXPECT_STREQ("60", argv[7]);
	EXPECT_EQ(nullptr, argv[8]);
	char empty[] = "   # a comment\n";
	EXPECT_EQ(1, ipvsadm_split_line(empty, argv, 16));
	char open_quote[] = "-A 'x";
	EXPECT_EQ(-1, ipvsadm_split_line(open_quote, argv, 16));
	char many[] = "a b c d e";
	EXPECT_EQ(-1, ipvsadm_split_line(many, argv, 4));
}

// ipvsadm(8): lines read by -R may begin with "ipvsadm"; the word is dropped
// and the rest parses as the same command.  Only a first word is dropped.
TEST(IpvsadmParse, SplitLineDropsLeadingProgramName)
{
	char buf[128] = "  ipvsadm -A -t 10.0.0.1:80 -s rr\n";
	const char *argv[16];
	ipvsadm_req req;
	char err[IPVSADM_ERR_LEN];

	ASSERT_EQ(6, ipvsadm_split_line(buf, argv, 16));
	EXPECT_STREQ("ipvsadm", argv[0]);
	EXPECT_STREQ("-A", argv[1]);
	EXPECT_EQ(nullptr, argv[6]);
	ASSERT_EQ(0, ipvsadm_parse(6, argv, &req, err, sizeof(err))) << err;
	EXPECT_EQ(IPVSADM_CMD_ADD_SVC, req.cmd);
	EXPECT_STREQ("rr", req.svc.sched);

	char alone[] = "ipvsadm\n";
	EXPECT_EQ(1, ipvsadm_split_line(alone, argv, 16));
	char later[] = "-A ipvsadm";
	ASSERT_EQ(3, ipvsadm_split_line(later, argv, 16));
	EXPECT_STREQ("ipvsadm", argv[2]);
	char other[] = "ipvsadmx -C";
	ASSERT_EQ(3, ipvsadm_split_line(other, argv, 16));
	EXPECT_STREQ("ipvsadmx", argv[1]);
}

// ---- output formats ----

namespace {

// A list reply as the daemon sends it.
struct ListBuf {
	std::vector<uint8_t> b;

	ListBuf() { b.resize(sizeof(ipvs_wire_list)); }
	void svc(const ipvs_wire_svc_entry &e)
	{
		const uint8_t *p = (const uint8_t *)&e;

		b.insert(b.end(), p, p + sizeof(e));
		((ipvs_wire_list *)b.data())->n_svcs++;
	}
	void dest(const ipvs_wire_dest_entry &e)
	{
		const uint8_t *p = (const uint8_t *)&e;

		b.insert(b.end(), p, p + sizeof(e));
	}
};

ipvs_wire_svc_entry svc_entry(uint8_t proto, const char *addr, uint16_t port, const char *sched,
			      uint32_t n_dests)
{
	ipvs_wire_svc_entry e;

	memset(&e, 0, sizeof(e));
	e.conf.key.af = AF_INET;
	e.conf.key.proto = proto;
	e.conf.key.port = port;
	e.conf.key.addr.in4 = ip4(addr);
	snprintf(e.conf.sched, sizeof(e.conf.sched), "%s", sched);
	e.conf.netmask = 0xffffffffu;
	e.n_dests = n_dests;
	return e;
}

ipvs_wire_dest_entry dest_entry(const char *addr, uint16_t port, uint8_t fwd, uint32_t weight)
{
	ipvs_wire_dest_entry e;

	memset(&e, 0, sizeof(e));
	e.conf.af = AF_INET;
	e.conf.addr.in4 = ip4(addr);
	e.conf.port = port;
	e.conf.fwd = fwd;
	e.conf.weight = weight;
	return e;
}

// Two services given in unsorted order: a fwmark service and a TCP one.
ListBuf sample()
{
	ListBuf lb;
	ipvs_wire_svc_entry fw = svc_entry(0, "0.0.0.0", 0, "mh", 1);
	ipvs_wire_svc_entry tcp = svc_entry(IPPROTO_TCP, "10.0.0.1", 80, "rr", 2);
	ipvs_wire_dest_entry d;

	fw.conf.key.fwmark = 7;
	fw.conf.key.addr.in4 = 0;
	lb.svc(fw);
	lb.dest(dest_entry("192.168.1.9", 0, IPVS_WIRE_FWD_FNAT, 1));
	tcp.stats.conns = 123;
	tcp.stats.inpkts = 100000000;	// 10^8 -> "100000K"
	tcp.stats.inbytes = 2500000000ull;	// -> "2500M"
	tcp.stats.cps = 5;
	tcp.stats.inbps = 1234;
	tcp.conf.flags = IPVS_WIRE_SVC_F_PERSISTENT;
	tcp.conf.timeout = 300;
	tcp.conf.netmask = htonl(0xffffff00u);
	lb.svc(tcp);
	d = dest_entry("192.168.1.3", 80, IPVS_WIRE_FWD_DR, 1);
	d.activeconns = 4;
	d.inactconns = 2;
	d.persistconns = 3;
	d.conf.u_threshold = 100;
	d.conf.l_threshold = 10;
	lb.dest(d);
	d = dest_entry("192.168.1.2", 8080, IPVS_WIRE_FWD_MASQ, 3);
	d.stats.conns = 7;
	lb.dest(d);
	return lb;
}

struct PrintArgs {
	ipvsadm_list *l;
	uint32_t fmt;
};

void print_list_cb(FILE *f, void *arg)
{
	PrintArgs *a = (PrintArgs *)arg;
	ipvs_wire_info info = { IPVS_WIRE_VERSION, 4096, 2, 1 };

	ipvsadm_print_list(f, &info, a->l, a->fmt);
}

void print_rules_cb(FILE *f, void *arg)
{
	PrintArgs *a = (PrintArgs *)arg;

	ipvsadm_print_rules(f, a->l, a->fmt);
}

std::string list_text(uint32_t fmt)
{
	ListBuf lb = sample();
	ipvsadm_list l;

	EXPECT_EQ(0, ipvsadm_list_decode(lb.b.data(), lb.b.size(), &l));
	ipvsadm_list_sort(&l);
	PrintArgs a = { &l, fmt };
	std::string s = capture(print_list_cb, &a);
	ipvsadm_list_free(&l);
	return s;
}

}  // namespace

TEST(IpvsadmPrint, ListNumeric)
{
	EXPECT_EQ("IP Virtual Server version 1.0.0 (size=4096)\n"
		  "Prot LocalAddress:Port Scheduler Flags\n"
		  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		  "TCP  10.0.0.1:80 rr persistent 300 mask 255.255.255.0\n"
		  "  -> 192.168.1.2:8080             Masq    3      0          0         \n"
		  "  -> 192.168.1.3:80               Route   1      4          2         \n"
		  "FWM  7 mh\n"
		  "  -> 192.168.1.9:0                FullNat 1      0          0         \n",
		  list_text(IPVSADM_FMT_NUMERIC));
}

TEST(IpvsadmPrint, ListStats)
{
	EXPECT_EQ("IP Virtual Server version 1.0.0 (size=4096)\n"
		  "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
		  "  -> RemoteAddress:Port\n"
		  "TCP  10.0.0.1:80                       123  100000K        0    2500M        0\n"
		  "  -> 192.168.1.2:8080                    7        0        0        0        0\n"
		  "  -> 192.168.1.3:80                      0        0        0        0        0\n"
		  "FWM  7                                   0        0        0        0        0\n"
		  "  -> 192.168.1.9:0                       0        0        0        0        0\n",
		  list_text(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_STATS));
	std::string exact = list_text(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_STATS | IPVSADM_FMT_EXACT);
	EXPECT_NE(std::string::npos,
		  exact.find("TCP  10.0.0.1:80                       123 100000000        0 2500000000        0\n"))
		<< exact;
}

TEST(IpvsadmPrint, ListRateThresholdsPersist)
{
	std::string rate = list_text(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_RATE);
	std::string thr = list_text(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_THRESHOLDS);
	std::string pc = list_text(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_PERSISTCONN);

	EXPECT_NE(std::string::npos,
		  rate.find("Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"));
	EXPECT_NE(std::string::npos,
		  rate.find("TCP  10.0.0.1:80                         5        0        0     1234        0\n"))
		<< rate;
	EXPECT_NE(std::string::npos,
		  thr.find("Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\n"));
	EXPECT_NE(std::string::npos,
		  thr.find("  -> 192.168.1.3:80               100        10         4          2         \n"))
		<< thr;
	EXPECT_NE(std::string::npos,
		  pc.find("Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn\n"));
	EXPECT_NE(std::string::npos,
		  pc.find("  -> 192.168.1.3:80               1         3           4          2         \n"))
		<< pc;
}

TEST(IpvsadmPrint, NoSortKeepsDaemonOrder)
{
	ListBuf lb = sample();
	ipvsadm_list l;

	ASSERT_EQ(0, ipvsadm_list_decode(lb.b.data(), lb.b.size(), &l));
	PrintArgs a = { &l, IPVSADM_FMT_NUMERIC | IPVSADM_FMT_NOSORT };
	std::string s = capture(print_list_cb, &a);
	ipvsadm_list_free(&l);
	EXPECT_LT(s.find("FWM  7"), s.find("TCP  10.0.0.1:80"));
	EXPECT_LT(s.find("192.168.1.3:80"), s.find("192.168.1.2:8080"));
}

TEST(IpvsadmPrint, DecodeRejectsMalformed)
{
	ListBuf lb = sample();
	ipvsadm_list l;

	EXPECT_EQ(-1, ipvsadm_list_decode(lb.b.data(), lb.b.size() - 1, &l));
	EXPECT_EQ(-1, ipvsadm_list_decode(lb.b.data(), 4, &l));
	lb.b.push_back(0);
	EXPECT_EQ(-1, ipvsadm_list_decode(lb.b.data(), lb.b.size(), &l));
	lb.b.pop_back();
	((ipvs_wire_list *)lb.b.data())->n_svcs = 1000;
	EXPECT_EQ(-1, ipvsadm_list_decode(lb.b.data(), lb.b.size(), &l));
	ListBuf one;
	ipvs_wire_svc_entry e = svc_entry(IPPROTO_TCP, "10.0.0.1", 80, "rr", 5);
	one.svc(e);	// claims 5 dests, carries none
	EXPECT_EQ(-1, ipvsadm_list_decode(one.b.data(), one.b.size(), &l));
}

TEST(IpvsadmPrint, LargeNumbers)
{
	struct {
		uint64_t v;
		uint32_t fmt;
		const char *out;
	} cases[] = {
		{ 0, 0, "        0" },
		{ 99999999, 0, " 99999999" },
		{ 100000000, 0, "  100000K" },
		{ 999999999, 0, "  999999K" },
		{ 1000000000, 0, "    1000M" },
		{ 100000000000ull, 0, "     100G" },
		{ 100000000000000ull, 0, "     100T" },
		{ 123456789012ull, IPVSADM_FMT_EXACT, " 123456789012" },
		{ 42, IPVSADM_FMT_EXACT, "       42" },
	};

	for (auto &c : cases) {
		char *buf = nullptr;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ipvsadm_print_largenum(f, c.v, c.fmt);
		fclose(f);
		EXPECT_EQ(std::string(c.out), std::string(buf, len)) << c.v;
		free(buf);
	}
}

TEST(IpvsadmPrint, ConnAndTimeout)
{
	ipvs_wire_conn_entry c;
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ipvs_wire_timeout t = { 900, 120, 300, 0 };

	memset(&c, 0, sizeof(c));
	c.af = AF_INET;
	c.proto = IPPROTO_TCP;
	c.caddr.in4 = ip4("10.1.0.2");
	c.cport = 51234;
	c.vaddr.in4 = ip4("10.0.0.1");
	c.vport = 80;
	c.daddr.in4 = ip4("192.168.1.2");
	c.dport = 8080;
	c.expire_ms = 896500;
	snprintf(c.state, sizeof(c.state), "ESTABLISHED");
	c.fwd = IPVS_WIRE_FWD_MASQ;
	ipvsadm_print_conn_title(f);
	ipvsadm_print_conn(f, &c, IPVSADM_FMT_NUMERIC);
	// FNAT: the local address and port are shown.
	c.fwd = IPVS_WIRE_FWD_FNAT;
	c.laddr.in4 = ip4("192.168.20.1");
	c.lport = 1031;
	c.proto = IPPROTO_UDP;
	c.expire_ms = 299999;
	snprintf(c.state, sizeof(c.state), "UDP");
	ipvsadm_print_conn(f, &c, IPVSADM_FMT_NUMERIC);
	// A DR conn with a wide client address.
	c.fwd = IPVS_WIRE_FWD_DR;
	c.caddr.in4 = ip4("192.168.100.200");
	c.cport = 65535;
	c.proto = IPPROTO_TCP;
	c.expire_ms = 59000;
	snprintf(c.state, sizeof(c.state), "SYN_RECV");
	ipvsadm_print_conn(f, &c, IPVSADM_FMT_NUMERIC);
	ipvsadm_print_timeout(f, &t);
	fclose(f);
	EXPECT_EQ("IPVS connection entries\n"
		  "pro expire state       source             virtual            local              "
		  "destination\n"
		  "TCP 14:56  ESTABLISHED 10.1.0.2:51234     10.0.0.1:80        -                  "
		  "192.168.1.2:8080\n"
		  "UDP 04:59  UDP         10.1.0.2:51234     10.0.0.1:80        192.168.20.1:1031  "
		  "192.168.1.2:8080\n"
		  "TCP 00:59  SYN_RECV    192.168.100.200:65535 10.0.0.1:80        -                  "
		  "192.168.1.2:8080\n"
		  "Timeout (tcp tcpfin udp): 900 120 300\n",
		  std::string(buf, len));
	free(buf);
}

TEST(IpvsadmPrint, LocalAddressWarnings)
{
	Parsed p = parse({ "-P", "-t", "10.0.0.1:80", "-z", "192.168.20.1", "-F", "dpdk1" });
	char *buf = nullptr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_EQ(0, p.rc) << p.err;
	ipvsadm_print_laddr_warnings(f, &p.req, 0);
	ipvsadm_print_laddr_warnings(f, &p.req, IPVS_WIRE_LADDR_W_NOT_LOCAL);
	ipvsadm_print_laddr_warnings(f, &p.req, IPVS_WIRE_LADDR_W_OTHER_PORT);
	fclose(f);
	EXPECT_EQ("Warning: local address 192.168.20.1 is not configured on any port "
		  "(dpip addr add 192.168.20.1/LEN dev PORT): FNAT connections given it get no "
		  "replies until it is\n"
		  "Warning: local address 192.168.20.1 is configured on another port than dpdk1\n",
		  std::string(buf, len));
	free(buf);
}

TEST(IpvsadmPrint, ErrorTexts)
{
	EXPECT_STREQ("Service already exists",
		     ipvsadm_strerror(IPVSADM_CMD_ADD_SVC, EDPVS_EXIST, "already exists"));
	EXPECT_STREQ("Destination already exists",
		     ipvsadm_strerror(IPVSADM_CMD_ADD_DEST, EDPVS_EXIST, ""));
	EXPECT_STREQ("Service not defined",
		     ipvsadm_strerror(IPVSADM_CMD_ADD_DEST, EDPVS_NOTEXIST, nullptr));
	EXPECT_STREQ("No such destination",
		     ipvsadm_strerror(IPVSADM_CMD_DEL_DEST, EDPVS_NOTEXIST, "does not exist"));
	EXPECT_STREQ("Memory allocation problem",
		     ipvsadm_strerror(IPVSADM_CMD_ADD_SVC, EDPVS_NOMEM, "out of memory"));
	// The daemon's own specific text wins over the generic one.
	EXPECT_STREQ("Scheduler not found: foo",
		     ipvsadm_strerror(IPVSADM_CMD_ADD_SVC, EDPVS_NOTEXIST, "Scheduler not found: foo"));
}

// -S output, read back line by line as -R does, rebuilds the same table
// and so prints the same rules again.
TEST(IpvsadmRestore, SaveRestoreRoundTrip)
{
	ListBuf lb = sample();
	ipvsadm_list l;

	ASSERT_EQ(0, ipvsadm_list_decode(lb.b.data(), lb.b.size(), &l));
	ipvsadm_list_sort(&l);
	PrintArgs a = { &l, IPVSADM_FMT_NUMERIC };
	std::string saved = capture(print_rules_cb, &a);
	ipvsadm_list_free(&l);
	EXPECT_NE(std::string::npos, saved.find("-A -t 10.0.0.1:80 -s rr -p 300 -M 255.255.255.0\n"))
		<< saved;
	EXPECT_NE(std::string::npos,
		  saved.find("-a -t 10.0.0.1:80 -r 192.168.1.3:80 -g -w 1 -x 100 -y 10\n"));
	EXPECT_NE(std::string::npos, saved.find("-a -f 7 -r 192.168.1.9:0 -b -w 1\n"));

	// "Restore": parse every line, rebuild a list reply from the requests.
	ListBuf rebuilt;
	std::vector<std::pair<ipvs_wire_svc_entry, std::vector<ipvs_wire_dest_entry>>> svcs;
	char *text = strdup(saved.c_str()), *save = nullptr;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(nullptr, "\n", &save)) {
		const char *argv[64];
		char err[IPVSADM_ERR_LEN];
		ipvsadm_req r;
		int argc = ipvsadm_split_line(line, argv, 64);

		ASSERT_GT(argc, 1);
		ASSERT_EQ(0, ipvsadm_parse(argc, argv, &r, err, sizeof(err))) << line << ": " << err;
		if (r.cmd == IPVSADM_CMD_ADD_SVC) {
			ipvs_wire_svc_entry e;

			memset(&e, 0, sizeof(e));
			e.conf = r.svc;
			svcs.push_back({ e, {} });
		} else {
			ASSERT_EQ(IPVSADM_CMD_ADD_DEST, r.cmd);
			ASSERT_FALSE(svcs.empty());
			ipvs_wire_dest_entry d;

			memset(&d, 0, sizeof(d));
			d.conf = r.dest;
			svcs.back().second.push_back(d);
		}
	}
	free(text);
	for (auto &s : svcs) {
		s.first.n_dests = (uint32_t)s.second.size();
		rebuilt.svc(s.first);
		for (auto &d : s.second)
			rebuilt.dest(d);
	}
	ASSERT_EQ(0, ipvsadm_list_decode(rebuilt.b.data(), rebuilt.b.size(), &l));
	ipvsadm_list_sort(&l);
	a.l = &l;
	EXPECT_EQ(saved, capture(print_rules_cb, &a));
	ipvsadm_list_free(&l);
}

// ---- --tun-type/--tun-port/--tun-csum (ipvsadm 1.31) and --sctp-service ----

TEST(IpvsadmParse, TunnelTypes)
{
	Parsed p = parse({ "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_TUN_IPIP, p.req.dest.tun_type) << "ipip is the default";
	EXPECT_EQ(0, p.req.dest.tun_port);
	p = parse({ "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "gue",
		    "--tun-port", "6080", "--tun-csum" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_FWD_TUNNEL, p.req.dest.fwd);
	EXPECT_EQ(IPVS_WIRE_TUN_GUE, p.req.dest.tun_type);
	EXPECT_EQ(6080, p.req.dest.tun_port) << "host order on the wire";
	EXPECT_EQ(IPVS_WIRE_TUN_F_CSUM, p.req.dest.tun_flags);
	p = parse({ "-e", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "gre",
		    "--tun-nocsum" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPVS_WIRE_TUN_GRE, p.req.dest.tun_type);
	EXPECT_EQ(0, p.req.dest.tun_flags);
	p = parse({ "-l", "-n", "--tun-info" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_TRUE(p.req.fmt & IPVSADM_FMT_TUN_INFO);
}

TEST(IpvsadmParse, TunnelErrors)
{
	struct {
		std::vector<const char *> args;
		const char *msg;
	} cases[] = {
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-m", "--tun-type", "gre" },
		  "Tunnel options conflict with forward method" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "--tun-csum" },
		  "Tunnel options conflict with forward method" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "gue" },
		  "You need to supply the 'tun-port' option for the 'gue' tunnel type" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-port", "6080" },
		  "Illegal 'tun-port' option with the 'ipip' tunnel type" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "gre",
		    "--tun-port", "6080" },
		  "Illegal 'tun-port' option with the 'gre' tunnel type" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-nocsum" },
		  "Illegal 'tun-nocsum' option with the 'ipip' tunnel type" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "gre",
		    "--tun-csum", "--tun-nocsum" },
		  "The option 'tun-nocsum' conflicts with the 'tun-csum' option" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "vxlan" },
		  "illegal tunnel type specified (ipip, gue or gre)" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "gue",
		    "--tun-port", "0" },
		  "illegal tunnel port specified" },
		{ { "-a", "-t", "10.0.0.1:80", "-r", "192.168.1.2", "-i", "--tun-type", "gue",
		    "--tun-port", "6080", "--tun-remcsum" },
		  "--tun-remcsum is not supported: dpvsd has no remote checksum offload (use "
		  "--tun-csum or --tun-nocsum)" },
		{ { "-A", "-t", "10.0.0.1:80", "--tun-type", "gre" },
		  "Illegal 'tun-type' option with the 'add-service' command" },
		{ { "-L", "--tun-info", "--stats" },
		  "options '--stats' and '--tun-info' cannot be combined" },
	};

	for (const auto &c : cases) {
		Parsed p = parse(c.args);
		EXPECT_EQ(-1, p.rc) << c.msg;
		EXPECT_EQ(c.msg, p.err);
	}
}

TEST(IpvsadmParse, SctpService)
{
	Parsed p = parse({ "-A", "--sctp-service", "10.0.0.1:3868", "-s", "rr" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(IPPROTO_SCTP, p.req.svc.key.proto);
	EXPECT_EQ(3868, p.req.svc.key.port);
	p = parse({ "-a", "--sctp-service", "10.0.0.1:3868", "-r", "192.168.1.2:3869", "-m" });
	ASSERT_EQ(0, p.rc) << p.err;
	EXPECT_EQ(3869, p.req.dest.port);
	p = parse({ "-A", "--sctp-service", "10.0.0.1:3868", "-t", "10.0.0.1:80" });
	EXPECT_EQ(-1, p.rc);
	EXPECT_EQ("multiple 'service-address' options specified", p.err);
	p = parse({ "-A", "--sctp-service", "10.0.0.1:53", "-o" });
	EXPECT_EQ(-1, p.rc);
	EXPECT_EQ("One-Packet Scheduling is only for UDP virtual services", p.err);
}

namespace {

std::string tun_text(uint32_t fmt, bool rules)
{
	ListBuf lb;
	ipvs_wire_dest_entry d;

	lb.svc(svc_entry(IPPROTO_SCTP, "10.0.0.1", 3868, "rr", 4));
	d = dest_entry("192.168.1.2", 3868, IPVS_WIRE_FWD_TUNNEL, 1);
	lb.dest(d);
	d = dest_entry("192.168.1.3", 3868, IPVS_WIRE_FWD_TUNNEL, 2);
	d.conf.tun_type = IPVS_WIRE_TUN_GUE;
	d.conf.tun_port = 6080;
	d.conf.tun_flags = IPVS_WIRE_TUN_F_CSUM;
	lb.dest(d);
	d = dest_entry("192.168.1.4", 3868, IPVS_WIRE_FWD_TUNNEL, 3);
	d.conf.tun_type = IPVS_WIRE_TUN_GRE;
	lb.dest(d);
	lb.dest(dest_entry("192.168.1.5", 3868, IPVS_WIRE_FWD_MASQ, 4));
	ipvsadm_list l;
	EXPECT_EQ(0, ipvsadm_list_decode(lb.b.data(), lb.b.size(), &l));
	PrintArgs a = { &l, fmt };
	std::string s = capture(rules ? print_rules_cb : print_list_cb, &a);
	ipvsadm_list_free(&l);
	return s;
}

}  // namespace

TEST(IpvsadmPrint, TunnelInfoAndSctp)
{
	EXPECT_EQ("IP Virtual Server version 1.0.0 (size=4096)\n"
		  "Prot LocalAddress:Port Scheduler Flags\n"
		  "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn "
		  "InActConn\n"
		  "SCTP  10.0.0.1:3868 rr\n"
		  "  -> 192.168.1.2:3868             Tunnel  ipip          1      0          0         \n"
		  "  -> 192.168.1.3:3868             Tunnel  gue:6080:+c   2      0          0         \n"
		  "  -> 192.168.1.4:3868             Tunnel  gre:-c        3      0          0         \n"
		  "  -> 192.168.1.5:3868             Masq    n/a           4      0          0         \n",
		  tun_text(IPVSADM_FMT_NUMERIC | IPVSADM_FMT_TUN_INFO, false));
	EXPECT_EQ("IP Virtual Server version 1.0.0 (size=4096)\n"
		  "Prot LocalAddress:Port Scheduler Flags\n"
		  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		  "SCTP  10.0.0.1:3868 rr\n"
		  "  -> 192.168.1.2:3868             Tunnel  1      0          0         \n"
		  "  -> 192.168.1.3:3868             Tunnel  2      0          0         \n"
		  "  -> 192.168.1.4:3868             Tunnel  3      0          0         \n"
		  "  -> 192.168.1.5:3868             Masq    4      0          0         \n",
		  tun_text(IPVSADM_FMT_NUMERIC, false)) << "tunnel info only with --tun-info";
	EXPECT_EQ("-A --sctp-service 10.0.0.1:3868 -s rr\n"
		  "-a --sctp-service 10.0.0.1:3868 -r 192.168.1.2:3868 -i -w 1 --tun-type ipip\n"
		  "-a --sctp-service 10.0.0.1:3868 -r 192.168.1.3:3868 -i -w 2 --tun-type gue "
		  "--tun-port 6080 --tun-csum\n"
		  "-a --sctp-service 10.0.0.1:3868 -r 192.168.1.4:3868 -i -w 3 --tun-type gre "
		  "--tun-nocsum\n"
		  "-a --sctp-service 10.0.0.1:3868 -r 192.168.1.5:3868 -m -w 4\n",
		  tun_text(IPVSADM_FMT_NUMERIC, true));
}
