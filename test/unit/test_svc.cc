// test_svc.cc - virtual service management: the master's validation and
// table operations (run without forwarding workers: publication is then a
// no-op), and the per-lcore side (messages applied to lcore 0's own table,
// then ipvs_svc_lookup() on it), as a worker would do.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <string>
#include <rte_lcore.h>
#include "test_eal.h"
#include "dpvs_err.h"
#include "inet_addr.h"
#include "job.h"
#include "netif.h"
#include "msg.h"
#include "ipvs/sched.h"
#include "ipvs/svc.h"
#include "../../src/ipvs/svc_int.h"

namespace {

uint32_t ip4(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

ipvs_wire_svc_key key(const char *addr, uint16_t port, uint8_t proto = IPPROTO_TCP)
{
	ipvs_wire_svc_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.proto = proto;
	k.port = port;
	k.addr.in4 = ip4(addr);
	return k;
}

ipvs_wire_svc_key fwmark_key(uint32_t mark)
{
	ipvs_wire_svc_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.fwmark = mark;
	return k;
}

ipvs_wire_svc_conf conf(const ipvs_wire_svc_key &k, const char *sched = "rr")
{
	ipvs_wire_svc_conf c;

	memset(&c, 0, sizeof(c));
	c.key = k;
	snprintf(c.sched, sizeof(c.sched), "%s", sched);
	return c;
}

ipvs_wire_dest_conf dest(const char *addr, uint16_t port, uint8_t fwd = IPVS_WIRE_FWD_MASQ,
			 uint32_t weight = 1)
{
	ipvs_wire_dest_conf d;

	memset(&d, 0, sizeof(d));
	d.af = AF_INET;
	d.addr.in4 = ip4(addr);
	d.port = port;
	d.fwd = fwd;
	d.weight = weight;
	return d;
}

ipvs_wire_laddr_req laddr(const ipvs_wire_svc_key &k, const char *addr, const char *ifname = "")
{
	ipvs_wire_laddr_req r;

	memset(&r, 0, sizeof(r));
	r.svc = k;
	r.af = AF_INET;
	r.addr.in4 = ip4(addr);
	snprintf(r.ifname, sizeof(r.ifname), "%s", ifname);
	return r;
}

int check(const ipvs_wire_svc_conf &c)
{
	char err[IPVS_SVC_ERRLEN] = "";

	return ipvs_svc_conf_check(&c, err);
}

// Runs without forwarding workers so that publication is a no-op.
class IpvsSvc : public ::testing::Test {
protected:
	char err[IPVS_SVC_ERRLEN];

	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		if (job_role_count(JOB_ROLE_FWD_WORKER) > 0) {
			ASSERT_EQ(0, job_set_role(1, JOB_ROLE_IDLE));
		}
		ASSERT_EQ(0u, job_role_count(JOB_ROLE_FWD_WORKER));
		ipvs_svc_flush(err);
		err[0] = '\0';
	}
	void TearDown() override
	{
		ipvs_svc_flush(err);
		svc_lcore_free_all();
		ipvs_laddr_set_release_hook(nullptr);
	}
};

}  // namespace

TEST(IpvsSvcCheck, ServiceFields)
{
	ipvs_wire_svc_conf c = conf(key("10.0.0.1", 80));
	char err[IPVS_SVC_ERRLEN] = "";

	EXPECT_EQ(0, check(c));
	c.key.af = 7;
	EXPECT_EQ(EDPVS_INVAL, check(c));
	c = conf(key("10.0.0.1", 80, IPPROTO_ICMP));
	EXPECT_EQ(EDPVS_INVAL, check(c));
	EXPECT_EQ(EDPVS_INVAL, check(conf(key("0.0.0.0", 80))));
	EXPECT_EQ(EDPVS_INVAL, check(conf(key("224.0.0.1", 80))));
	EXPECT_EQ(EDPVS_INVAL, check(conf(key("255.255.255.255", 80))));
	c = conf(key("10.0.0.1", 80));
	c.key.af = AF_INET6;
	EXPECT_EQ(EDPVS_NOTSUPP, check(c));
	c = conf(fwmark_key(3));
	EXPECT_EQ(0, check(c));
	c.key.addr.in4 = ip4("10.0.0.1");
	EXPECT_EQ(EDPVS_INVAL, check(c));

	c = conf(key("10.0.0.1", 80), "nosuch");
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_svc_conf_check(&c, err));
	EXPECT_STREQ("Scheduler not found: nosuch", err);
	memset(c.sched, 'a', sizeof(c.sched));	// not terminated
	EXPECT_EQ(EDPVS_INVAL, check(c));

	c = conf(key("10.0.0.1", 80));
	c.flags = 0x80;
	EXPECT_EQ(EDPVS_INVAL, check(c));
	c = conf(key("10.0.0.1", 80));
	c.flags = IPVS_WIRE_SVC_F_PERSISTENT;
	EXPECT_EQ(EDPVS_RANGE, check(c));	// timeout 0
	c.timeout = 300;
	EXPECT_EQ(0, check(c));
	c.netmask = htonl(0xff00ff00u);
	EXPECT_EQ(EDPVS_INVAL, check(c));
	c = conf(key("10.0.0.1", 80));
	c.flags = IPVS_WIRE_SVC_F_ONEPACKET;
	EXPECT_EQ(EDPVS_INVAL, check(c));	// TCP
	c = conf(key("10.0.0.1", 80));
	c.proxy_protocol = 3;
	EXPECT_EQ(EDPVS_INVAL, check(c));
	c = conf(key("10.0.0.1", 80));
	c.sched_flags = 5u << IPVS_WIRE_SCHED_F_KEY_SHIFT;
	EXPECT_EQ(EDPVS_INVAL, check(c));
	c = conf(key("10.0.0.1", 0));
	EXPECT_EQ(EDPVS_INVAL, ipvs_svc_conf_check(&c, err));
	EXPECT_STREQ("Zero port specified for non-persistent service", err);
	c.pad[3] = 1;
	c.key.port = 80;
	EXPECT_EQ(EDPVS_INVAL, check(c));
}

// A scheduler flag the scheduler does not honour is refused, not ignored.
TEST(IpvsSvcCheck, SchedFlagsMustFitTheScheduler)
{
	static const struct {
		const char *sched;
		uint32_t flags;
		int rc;
	} cases[] = {
		{ "sh", IPVS_WIRE_SCHED_F_FALLBACK | IPVS_WIRE_SCHED_F_PORT, 0 },
		{ "mh", IPVS_WIRE_SCHED_F_FALLBACK | IPVS_WIRE_SCHED_F_PORT, 0 },
		{ "dh", IPVS_WIRE_SCHED_F_FALLBACK, 0 },
		{ "dh", IPVS_WIRE_SCHED_F_PORT, EDPVS_INVAL },
		{ "rr", IPVS_WIRE_SCHED_F_FALLBACK, EDPVS_INVAL },
		{ "wlc", IPVS_WIRE_SCHED_F_PORT, EDPVS_INVAL },
		{ "conhash", IPVS_WIRE_HASH_QUIC_CID << IPVS_WIRE_SCHED_F_KEY_SHIFT, 0 },
		{ "conhash", IPVS_WIRE_SCHED_F_PORT, EDPVS_INVAL },
		{ "sh", IPVS_WIRE_HASH_SIP_SPORT << IPVS_WIRE_SCHED_F_KEY_SHIFT, EDPVS_INVAL },
	};
	char err[IPVS_SVC_ERRLEN] = "";

	for (auto &c : cases) {
		ipvs_wire_svc_conf cf = conf(key("10.0.0.1", 80), c.sched);

		cf.sched_flags = c.flags;
		EXPECT_EQ(c.rc, ipvs_svc_conf_check(&cf, err)) << c.sched << " " << c.flags;
	}
	ipvs_wire_svc_conf cf = conf(key("10.0.0.1", 80), "rr");
	cf.sched_flags = IPVS_WIRE_SCHED_F_PORT;
	ASSERT_EQ(EDPVS_INVAL, ipvs_svc_conf_check(&cf, err));
	EXPECT_STREQ("scheduler flag 'port' does not apply to scheduler 'rr'", err);
}

TEST(IpvsSvcCheck, DestThresholdsAreAtMost65535)
{
	ipvs_wire_svc_key k = key("10.0.0.1", 80);
	ipvs_wire_dest_conf d = dest("192.168.1.2", 8080);
	char err[IPVS_SVC_ERRLEN] = "";

	d.u_threshold = 65535;
	EXPECT_EQ(0, ipvs_dest_conf_check(&k, &d, err));
	d.u_threshold = 65536;
	EXPECT_EQ(EDPVS_RANGE, ipvs_dest_conf_check(&k, &d, err));
	d.u_threshold = 0;
	d.l_threshold = 70000;
	EXPECT_EQ(EDPVS_RANGE, ipvs_dest_conf_check(&k, &d, err));
}

TEST(IpvsSvcCheck, EverySchedulerNameIsAccepted)
{
	static const char *const names[] = { "rr", "wrr", "lc", "wlc", "sh", "dh", "sed",
					     "nq", "mh", "conhash", "fo", "lblc", "lblcr",
					     "ovf", "twos" };

	for (const char *n : names)
		EXPECT_EQ(0, check(conf(key("10.0.0.1", 80), n))) << n;
}

TEST(IpvsSvcCheck, DestFields)
{
	ipvs_wire_svc_key k = key("10.0.0.1", 80);
	ipvs_wire_dest_conf d = dest("192.168.1.2", 8080);
	char err[IPVS_SVC_ERRLEN] = "";

	EXPECT_EQ(0, ipvs_dest_conf_check(&k, &d, err));
	EXPECT_EQ(8080, d.port);	// NAT keeps its port
	d = dest("192.168.1.2", 0);
	EXPECT_EQ(0, ipvs_dest_conf_check(&k, &d, err));
	EXPECT_EQ(80, d.port);		// no port: the service's
	d = dest("192.168.1.2", 8080, IPVS_WIRE_FWD_DR);
	EXPECT_EQ(0, ipvs_dest_conf_check(&k, &d, err));
	EXPECT_EQ(80, d.port);		// DR cannot change the port
	d = dest("192.168.1.2", 80, IPVS_WIRE_FWD_LOCAL);
	EXPECT_EQ(EDPVS_NOTSUPP, ipvs_dest_conf_check(&k, &d, err));
	d = dest("192.168.1.2", 80, 9);
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	d = dest("192.168.1.2", 80, IPVS_WIRE_FWD_MASQ, 65536);
	EXPECT_EQ(EDPVS_RANGE, ipvs_dest_conf_check(&k, &d, err));
	d = dest("192.168.1.2", 80);
	d.u_threshold = 10;
	d.l_threshold = 20;
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	d = dest("0.0.0.0", 80);
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	d = dest("192.168.1.2", 80);
	d.af = AF_INET6;
	EXPECT_EQ(EDPVS_NOTSUPP, ipvs_dest_conf_check(&k, &d, err));
}

TEST(IpvsSvcCheck, DestTunnelFields)
{
	ipvs_wire_svc_key k = key("10.0.0.1", 80);
	char err[IPVS_SVC_ERRLEN] = "";
	ipvs_wire_dest_conf d = dest("192.168.1.2", 80, IPVS_WIRE_FWD_TUNNEL);

	EXPECT_EQ(0, ipvs_dest_conf_check(&k, &d, err)) << "ipip";
	d.tun_type = IPVS_WIRE_TUN_GUE;
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	EXPECT_STREQ("a gue tunnel needs its UDP port (--tun-port)", err);
	d.tun_port = 6080;
	d.tun_flags = IPVS_WIRE_TUN_F_CSUM;
	EXPECT_EQ(0, ipvs_dest_conf_check(&k, &d, err)) << err;
	d.tun_flags = 0x2;	/* remote checksum offload: not supported */
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	d.tun_flags = 0;
	d.tun_type = IPVS_WIRE_TUN_GRE;
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	EXPECT_STREQ("--tun-port is only for the gue tunnel type", err);
	d.tun_port = 0;
	d.tun_flags = IPVS_WIRE_TUN_F_CSUM;
	EXPECT_EQ(0, ipvs_dest_conf_check(&k, &d, err)) << err;
	d.tun_type = IPVS_WIRE_TUN_IPIP;
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	EXPECT_STREQ("an ipip tunnel has no checksum option", err);
	d.tun_flags = 0;
	d.tun_type = IPVS_WIRE_TUN_MAX;
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	d = dest("192.168.1.2", 80, IPVS_WIRE_FWD_MASQ);
	d.tun_type = IPVS_WIRE_TUN_GRE;
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
	EXPECT_STREQ("Tunnel options conflict with forward method", err);
	d = dest("192.168.1.2", 80, IPVS_WIRE_FWD_TUNNEL);
	d.pad = 1;
	EXPECT_EQ(EDPVS_INVAL, ipvs_dest_conf_check(&k, &d, err));
}

TEST_F(IpvsSvc, AddEditDeleteService)
{
	ipvs_wire_svc_key k = key("10.0.0.1", 80);
	ipvs_wire_svc_conf c = conf(k), got;

	ASSERT_EQ(0, ipvs_svc_add(&c, err)) << err;
	EXPECT_EQ(1u, ipvs_svc_count());
	EXPECT_EQ(EDPVS_EXIST, ipvs_svc_add(&c, err));
	EXPECT_STREQ("Service already exists", err);
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, &got, nullptr, 0, nullptr, nullptr));
	EXPECT_STREQ("rr", got.sched);
	EXPECT_EQ(0xffffffffu, got.netmask);	// normalised

	c = conf(k, "wlc");
	c.flags = IPVS_WIRE_SVC_F_PERSISTENT;
	c.timeout = 60;
	c.netmask = htonl(0xffffff00u);
	ASSERT_EQ(0, ipvs_svc_edit(&c, err)) << err;
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, &got, nullptr, 0, nullptr, nullptr));
	EXPECT_STREQ("wlc", got.sched);
	EXPECT_EQ(60u, got.timeout);
	EXPECT_EQ(htonl(0xffffff00u), got.netmask);

	ipvs_wire_svc_conf other = conf(key("10.0.0.2", 80));
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_svc_edit(&other, err));
	EXPECT_STREQ("No such service", err);
	other = conf(k, "nosuch");
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_svc_edit(&other, err));
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, &got, nullptr, 0, nullptr, nullptr));
	EXPECT_STREQ("wlc", got.sched);		// a failed edit changes nothing

	ASSERT_EQ(0, ipvs_svc_del(&k, err));
	EXPECT_EQ(0u, ipvs_svc_count());
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_svc_del(&k, err));
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_svc_get_conf(&k, &got, nullptr, 0, nullptr, nullptr));
}

TEST_F(IpvsSvc, RealServers)
{
	ipvs_wire_svc_key k = key("10.0.0.1", 80);
	ipvs_wire_svc_conf c = conf(k);
	ipvs_wire_dest_conf d1 = dest("192.168.1.2", 8080), d2 = dest("192.168.1.3", 8080);
	ipvs_wire_dest_conf got[4];
	unsigned int n = 0;

	ASSERT_EQ(0, ipvs_svc_add(&c, err));
	ipvs_wire_svc_key missing = key("10.0.0.9", 80);
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_dest_add(&missing, &d1, err));
	EXPECT_STREQ("Service not defined", err);
	ASSERT_EQ(0, ipvs_dest_add(&k, &d1, err)) << err;
	ASSERT_EQ(0, ipvs_dest_add(&k, &d2, err)) << err;
	EXPECT_EQ(EDPVS_EXIST, ipvs_dest_add(&k, &d1, err));
	EXPECT_STREQ("Destination already exists", err);

	d1.weight = 0;	// quiesce
	d1.fwd = IPVS_WIRE_FWD_FNAT;
	ASSERT_EQ(0, ipvs_dest_edit(&k, &d1, err)) << err;
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, nullptr, got, 4, &n, nullptr));
	ASSERT_EQ(2u, n);
	EXPECT_EQ(ip4("192.168.1.2"), got[0].addr.in4);	// order kept
	EXPECT_EQ(0u, got[0].weight);
	EXPECT_EQ(IPVS_WIRE_FWD_FNAT, got[0].fwd);
	EXPECT_EQ(1u, got[1].weight);

	ipvs_wire_dest_conf d3 = dest("192.168.1.4", 80);
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_dest_edit(&k, &d3, err));
	EXPECT_STREQ("No such destination", err);
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_dest_del(&k, &d3, err));
	ASSERT_EQ(0, ipvs_dest_del(&k, &d1, err));
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, nullptr, got, 4, &n, nullptr));
	ASSERT_EQ(1u, n);
	EXPECT_EQ(ip4("192.168.1.3"), got[0].addr.in4);
}

TEST_F(IpvsSvc, LocalAddresses)
{
	ipvs_wire_svc_key k = key("10.0.0.1", 80);
	ipvs_wire_svc_conf c = conf(k);
	unsigned int nl = 0;
	char a[32];

	ASSERT_EQ(0, ipvs_svc_add(&c, err));
	ipvs_wire_laddr_req r = laddr(k, "192.168.5.1");
	ASSERT_EQ(0, ipvs_laddr_add(&r, err)) << err;
	EXPECT_EQ(EDPVS_EXIST, ipvs_laddr_add(&r, err));
	EXPECT_STREQ("Local address already exists", err);
	ipvs_wire_laddr_req bad = laddr(k, "0.0.0.0");
	EXPECT_EQ(EDPVS_INVAL, ipvs_laddr_add(&bad, err));
	bad = laddr(k, "192.168.5.2", "nosuchport0");
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_laddr_add(&bad, err));
	bad = laddr(key("10.0.0.9", 80), "192.168.5.2");
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_laddr_add(&bad, err));
	EXPECT_STREQ("Service not defined", err);
	for (unsigned int i = 2; i <= IPVS_LADDR_MAX; i++) {
		snprintf(a, sizeof(a), "192.168.6.%u", i);
		ipvs_wire_laddr_req x = laddr(k, a);
		ASSERT_EQ(0, ipvs_laddr_add(&x, err)) << i;
	}
	ipvs_wire_laddr_req over = laddr(k, "192.168.7.1");
	EXPECT_EQ(EDPVS_NOROOM, ipvs_laddr_add(&over, err));
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, nullptr, nullptr, 0, nullptr, &nl));
	EXPECT_EQ(IPVS_LADDR_MAX, nl);
	ASSERT_EQ(0, ipvs_laddr_del(&r, err));
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_laddr_del(&r, err));
	EXPECT_STREQ("No such local address", err);
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, nullptr, nullptr, 0, nullptr, &nl));
	EXPECT_EQ(IPVS_LADDR_MAX - 1, nl);
}

// -P with an address that no port has is accepted (dpip addr may come
// later) but warned about; once a port has it, no warning.
TEST_F(IpvsSvc, LocalAddressNotConfiguredIsWarned)
{
	ipvs_wire_svc_key k = key("10.0.0.1", 80);
	ipvs_wire_svc_conf c = conf(k);
	netif_port port;

	memset(&port, 0, sizeof(port));
	snprintf(port.name, sizeof(port.name), "ut0");
	ASSERT_EQ(0, ipvs_svc_add(&c, err));
	ipvs_wire_laddr_req r = laddr(k, "192.168.5.1");
	ASSERT_EQ(0, ipvs_laddr_add(&r, err)) << err;
	EXPECT_EQ(IPVS_WIRE_LADDR_W_NOT_LOCAL, ipvs_laddr_warnings(&r));
	ASSERT_EQ(0, inet_addr_add(&port, ip4("192.168.5.1"), 24, 0));
	EXPECT_EQ(0u, ipvs_laddr_warnings(&r));
	EXPECT_EQ(0, inet_addr_del(nullptr, ip4("192.168.5.1"), 0));
	EXPECT_EQ(IPVS_WIRE_LADDR_W_NOT_LOCAL, ipvs_laddr_warnings(&r));
}

TEST_F(IpvsSvc, FlushAndZero)
{
	for (uint16_t p = 1; p <= 3; p++) {
		ipvs_wire_svc_conf c = conf(key("10.0.0.1", p));
		ASSERT_EQ(0, ipvs_svc_add(&c, err));
	}
	ipvs_wire_svc_key k = key("10.0.0.1", 2), missing = key("10.0.0.1", 9);
	EXPECT_EQ(0, ipvs_svc_zero(&k, err));
	EXPECT_EQ(0, ipvs_svc_zero(nullptr, err));
	EXPECT_EQ(EDPVS_NOTEXIST, ipvs_svc_zero(&missing, err));
	EXPECT_EQ(3u, ipvs_svc_count());
	EXPECT_EQ(0, ipvs_svc_flush(err));
	EXPECT_EQ(0u, ipvs_svc_count());
}

// ---- the per-lcore side, on lcore 0 ----

namespace {

svc_msg msg(uint32_t op, const ipvs_wire_svc_conf &c, uint32_t id = 1)
{
	svc_msg m;

	memset(&m, 0, sizeof(m));
	m.op = op;
	m.svc_id = id;
	m.svc = c;
	return m;
}

ipvs_service *lookup(const char *addr, uint16_t port, uint8_t proto = IPPROTO_TCP,
		     uint32_t mark = 0)
{
	union inet_addr a;

	memset(&a, 0, sizeof(a));
	a.in4 = ip4(addr);
	return ipvs_svc_lookup(AF_INET, proto, &a, htons(port), mark);
}

int released;
void count_release(ipvs_service *, ipvs_laddr *)
{
	released++;
}

}  // namespace

TEST_F(IpvsSvc, LcoreApplyAndLookup)
{
	ipvs_wire_svc_conf c = conf(key("10.0.0.1", 80));
	svc_msg m = msg(SVC_OP_SVC_ADD, c);
	ipvs_service *s;

	ASSERT_EQ(0u, rte_lcore_id());
	EXPECT_EQ(nullptr, lookup("10.0.0.1", 80));
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(EDPVS_EXIST, svc_lcore_apply(0, &m));
	s = lookup("10.0.0.1", 80);
	ASSERT_NE(nullptr, s);
	ASSERT_NE(nullptr, s->sched);
	EXPECT_STREQ("rr", s->sched->name);
	EXPECT_TRUE(s->flags & SVC_F_TOA);	// FNAT TCP default
	EXPECT_EQ(nullptr, lookup("10.0.0.1", 81));
	EXPECT_EQ(nullptr, lookup("10.0.0.1", 80, IPPROTO_UDP));
	EXPECT_EQ(nullptr, lookup("10.0.0.2", 80));

	// Real servers: add two, quiesce one, the scheduler skips it.
	m = msg(SVC_OP_DEST_ADD, c);
	m.dest = dest("192.168.1.2", 8080);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(EDPVS_EXIST, svc_lcore_apply(0, &m));
	m.dest = dest("192.168.1.3", 8080);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	ASSERT_EQ(2u, s->n_dests);
	EXPECT_EQ(IPVS_FWD_NAT, s->dests[0]->fwd);
	EXPECT_EQ(htons(8080), s->dests[0]->port);
	m.op = SVC_OP_DEST_EDIT;
	m.dest = dest("192.168.1.2", 8080, IPVS_WIRE_FWD_MASQ, 0);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_FALSE(dest_usable(s->dests[0]));
	union inet_addr caddr;
	memset(&caddr, 0, sizeof(caddr));
	caddr.in4 = ip4("1.1.1.1");
	struct sched_key sk;
	memset(&sk, 0, sizeof(sk));
	sk.af = AF_INET;
	sk.proto = IPPROTO_TCP;
	sk.saddr = &caddr;
	sk.daddr = &s->vaddr;
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(s->dests[1], sched_schedule(s, &sk));

	// Edit the service: the same object, new scheduler and flags.
	c.flags = IPVS_WIRE_SVC_F_PERSISTENT | IPVS_WIRE_SVC_F_NOTOA;
	c.timeout = 60;
	c.netmask = 0xffffffffu;
	snprintf(c.sched, sizeof(c.sched), "wlc");
	m = msg(SVC_OP_SVC_EDIT, c);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(s, lookup("10.0.0.1", 80));
	EXPECT_STREQ("wlc", s->sched->name);
	EXPECT_TRUE(s->flags & SVC_F_PERSISTENT);
	EXPECT_FALSE(s->flags & SVC_F_TOA);
	EXPECT_EQ(60u, s->timeout);
	EXPECT_EQ(2u, s->n_dests);

	m = msg(SVC_OP_DEST_DEL, c);
	m.dest = dest("192.168.1.2", 8080);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(EDPVS_NOTEXIST, svc_lcore_apply(0, &m));
	EXPECT_EQ(1u, s->n_dests);

	// Counters are zeroed on request.
	s->stats.conns = 5;
	s->dests[0]->stats.inpkts = 7;
	m = msg(SVC_OP_ZERO, c);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(0u, s->stats.conns);
	EXPECT_EQ(0u, s->dests[0]->stats.inpkts);

	m = msg(SVC_OP_SVC_DEL, c);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(nullptr, lookup("10.0.0.1", 80));
	EXPECT_EQ(EDPVS_NOTEXIST, svc_lcore_apply(0, &m));
}

TEST_F(IpvsSvc, LcorePortZeroAndFwmark)
{
	ipvs_wire_svc_conf any = conf(key("10.0.0.2", 0));
	ipvs_wire_svc_conf exact = conf(key("10.0.0.2", 443));
	ipvs_wire_svc_conf mark = conf(fwmark_key(7));
	svc_msg m;

	any.flags = IPVS_WIRE_SVC_F_PERSISTENT;
	any.timeout = 300;
	m = msg(SVC_OP_SVC_ADD, any, 1);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	m = msg(SVC_OP_SVC_ADD, exact, 2);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	m = msg(SVC_OP_SVC_ADD, mark, 3);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));

	ipvs_service *s_any = lookup("10.0.0.2", 8443), *s_exact = lookup("10.0.0.2", 443);
	ASSERT_NE(nullptr, s_any);
	ASSERT_NE(nullptr, s_exact);
	EXPECT_EQ(0, s_any->vport);
	EXPECT_EQ(htons(443), s_exact->vport);
	ipvs_service *s_mark = lookup("10.9.9.9", 80, IPPROTO_TCP, 7);
	ASSERT_NE(nullptr, s_mark);
	EXPECT_EQ(7u, s_mark->fwmark);
	EXPECT_EQ(s_exact, lookup("10.0.0.2", 443, IPPROTO_TCP, 8));	// unknown mark
	EXPECT_EQ(nullptr, lookup("10.9.9.9", 80, IPPROTO_TCP, 8));

	m = msg(SVC_OP_FLUSH, any);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(nullptr, lookup("10.0.0.2", 443));
	EXPECT_EQ(nullptr, lookup("10.9.9.9", 80, IPPROTO_TCP, 7));
}

TEST_F(IpvsSvc, LcoreLocalAddressesAndReleaseHook)
{
	ipvs_wire_svc_conf c = conf(key("10.0.0.3", 80));
	svc_msg m = msg(SVC_OP_SVC_ADD, c);
	ipvs_service *s;

	released = 0;
	ipvs_laddr_set_release_hook(count_release);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	s = lookup("10.0.0.3", 80);
	ASSERT_NE(nullptr, s);
	m = msg(SVC_OP_LADDR_ADD, c);
	m.laddr_af = AF_INET;
	for (const char *a : { "192.168.5.1", "192.168.5.2", "192.168.5.3" }) {
		m.laddr.in4 = ip4(a);
		ASSERT_EQ(0, svc_lcore_apply(0, &m));
	}
	EXPECT_EQ(EDPVS_EXIST, svc_lcore_apply(0, &m));
	ASSERT_EQ(3u, s->n_laddrs);
	s->laddr_next = 2;
	m.op = SVC_OP_LADDR_DEL;
	m.laddr.in4 = ip4("192.168.5.1");
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(1, released);
	ASSERT_EQ(2u, s->n_laddrs);
	EXPECT_EQ(ip4("192.168.5.2"), s->laddrs[0].addr.in4);
	EXPECT_EQ(0u, s->laddr_next);	// cursor kept in range
	EXPECT_EQ(EDPVS_NOTEXIST, svc_lcore_apply(0, &m));
	m = msg(SVC_OP_SVC_DEL, c);
	ASSERT_EQ(0, svc_lcore_apply(0, &m));
	EXPECT_EQ(3, released);		// the other two with the service
}

// ---- publication to a real forwarding lcore (lcore 1 runs its loop) ----

namespace {

enum : uint32_t {
	T_PEEK = 0x7e5a0001,	// worker: look the service up, describe it
	T_BUMP,			// worker: add to its counters
	T_STALE,		// worker: apply an svc_msg to its own table directly
};

struct peek {
	int found;
	uint32_t n_dests, n_laddrs, flags;
	int32_t weight0;
	char sched[SCHED_NAME_LEN];
	uint8_t tun_type0, tun_flags0;
	uint16_t tun_port0;	/* network order */
};

ipvs_service *worker_lookup(const void *req, size_t len)
{
	ipvs_wire_svc_key k;
	union inet_addr a;

	if (len != sizeof(k))
		return nullptr;
	memcpy(&k, req, sizeof(k));
	memset(&a, 0, sizeof(a));
	a.in4 = k.addr.in4;
	return ipvs_svc_lookup(k.af, k.proto, &a, htons(k.port), k.fwmark);
}

int h_peek(unsigned, const void *req, size_t len, msg_reply *rep)
{
	ipvs_service *s = worker_lookup(req, len);
	peek p;

	memset(&p, 0, sizeof(p));
	if (s != nullptr) {
		p.found = 1;
		p.n_dests = s->n_dests;
		p.n_laddrs = s->n_laddrs;
		p.flags = s->flags;
		p.weight0 = s->n_dests ? s->dests[0]->weight : -1;
		if (s->n_dests) {
			p.tun_type0 = s->dests[0]->tun_type;
			p.tun_flags0 = s->dests[0]->tun_flags;
			p.tun_port0 = s->dests[0]->tun_port;
		}
		snprintf(p.sched, sizeof(p.sched), "%s", s->sched ? s->sched->name : "");
	}
	return msg_reply_set(rep, &p, sizeof(p));
}

int h_bump(unsigned, const void *req, size_t len, msg_reply *)
{
	ipvs_service *s = worker_lookup(req, len);

	if (s == nullptr || s->n_dests == 0)
		return EDPVS_NOTEXIST;
	s->stats.conns += 5;
	s->dests[0]->stats.inpkts += 7;
	s->dests[0]->active_conns = 3;
	return 0;
}

int h_stale(unsigned lcore, const void *req, size_t len, msg_reply *)
{
	svc_msg m;

	if (len != sizeof(m))
		return EDPVS_INVAL;
	memcpy(&m, req, sizeof(m));
	return svc_lcore_apply(lcore, &m);
}

class IpvsSvcWorker : public ::testing::Test {
protected:
	char err[IPVS_SVC_ERRLEN];

	void SetUp() override
	{
		static const struct job_idle_policy p = { JOB_IDLE_SLEEP, 100, 10, 200 };

		ASSERT_EQ(0, test_eal_up());
		ASSERT_EQ(0, job_set_role(0, JOB_ROLE_MASTER));
		ASSERT_EQ(0, job_set_role(1, JOB_ROLE_FWD_WORKER));
		ASSERT_EQ(0, job_init());
		ASSERT_EQ(0, msg_init());
		ASSERT_EQ(0, job_set_idle_policy(&p));
		ASSERT_EQ(0, svc_lcore_register_msgs());
		ASSERT_EQ(0, msg_type_register(T_PEEK, h_peek));
		ASSERT_EQ(0, msg_type_register(T_BUMP, h_bump));
		ASSERT_EQ(0, msg_type_register(T_STALE, h_stale));
		ASSERT_EQ(0, job_launch_workers());
	}
	void TearDown() override
	{
		EXPECT_EQ(0, ipvs_svc_flush(err));	// also empties the worker's table
		EXPECT_EQ(0, job_join_workers());
		svc_lcore_free_all();
		svc_lcore_unregister_msgs();
		msg_type_unregister(T_PEEK);
		msg_type_unregister(T_BUMP);
		msg_type_unregister(T_STALE);
		msg_term();
	}
	peek peek_at(const ipvs_wire_svc_key &k)
	{
		msg_result r;
		peek p;

		memset(&p, 0, sizeof(p));
		EXPECT_EQ(0, msg_send_sync(1, T_PEEK, &k, sizeof(k), 2000000, &r));
		EXPECT_EQ(sizeof(p), r.len);
		if (r.len == sizeof(p))
			memcpy(&p, r.data, sizeof(p));
		msg_result_free(&r, 1);
		return p;
	}
};

}  // namespace

TEST_F(IpvsSvcWorker, ChangesReachTheWorkerCopy)
{
	ipvs_wire_svc_key k = key("10.0.1.1", 80);
	ipvs_wire_svc_conf c = conf(k);
	ipvs_wire_dest_conf d1 = dest("192.168.1.2", 80), d2 = dest("192.168.1.3", 80);

	ASSERT_EQ(1u, job_role_count(JOB_ROLE_FWD_WORKER));
	EXPECT_EQ(0, peek_at(k).found);
	ASSERT_EQ(0, ipvs_svc_add(&c, err)) << err;
	peek p = peek_at(k);
	EXPECT_EQ(1, p.found);
	EXPECT_STREQ("rr", p.sched);
	ASSERT_EQ(0, ipvs_dest_add(&k, &d1, err)) << err;
	ASSERT_EQ(0, ipvs_dest_add(&k, &d2, err)) << err;
	EXPECT_EQ(2u, peek_at(k).n_dests);

	d1.weight = 0;
	ASSERT_EQ(0, ipvs_dest_edit(&k, &d1, err)) << err;
	EXPECT_EQ(0, peek_at(k).weight0);
	c = conf(k, "wlc");
	ASSERT_EQ(0, ipvs_svc_edit(&c, err)) << err;
	p = peek_at(k);
	EXPECT_STREQ("wlc", p.sched);
	EXPECT_EQ(2u, p.n_dests);	// the edit kept the real servers
	ipvs_wire_laddr_req l = laddr(k, "192.168.5.1");
	ASSERT_EQ(0, ipvs_laddr_add(&l, err)) << err;
	EXPECT_EQ(1u, peek_at(k).n_laddrs);
	ASSERT_EQ(0, ipvs_laddr_del(&l, err)) << err;
	EXPECT_EQ(0u, peek_at(k).n_laddrs);
	ASSERT_EQ(0, ipvs_dest_del(&k, &d1, err)) << err;
	EXPECT_EQ(1u, peek_at(k).n_dests);
	ASSERT_EQ(0, ipvs_svc_del(&k, err)) << err;
	EXPECT_EQ(0, peek_at(k).found);
}

TEST_F(IpvsSvcWorker, TunnelTypeReachesTheWorkerCopy)
{
	ipvs_wire_svc_key k = key("10.0.1.2", 80);
	ipvs_wire_svc_conf c = conf(k);
	ipvs_wire_dest_conf d = dest("192.168.1.2", 80, IPVS_WIRE_FWD_TUNNEL);

	d.tun_type = IPVS_WIRE_TUN_GUE;
	d.tun_port = 6080;
	d.tun_flags = IPVS_WIRE_TUN_F_CSUM;
	ASSERT_EQ(0, ipvs_svc_add(&c, err)) << err;
	ASSERT_EQ(0, ipvs_dest_add(&k, &d, err)) << err;
	peek p = peek_at(k);
	EXPECT_EQ(IPVS_WIRE_TUN_GUE, p.tun_type0);
	EXPECT_EQ(IPVS_WIRE_TUN_F_CSUM, p.tun_flags0);
	EXPECT_EQ(htons(6080), p.tun_port0);
	d.tun_type = IPVS_WIRE_TUN_GRE;
	d.tun_port = 0;
	d.tun_flags = 0;
	ASSERT_EQ(0, ipvs_dest_edit(&k, &d, err)) << err;
	p = peek_at(k);
	EXPECT_EQ(IPVS_WIRE_TUN_GRE, p.tun_type0);
	EXPECT_EQ(0, p.tun_flags0);
	EXPECT_EQ(0, p.tun_port0);
	ipvs_wire_dest_conf got[2];
	unsigned int n = 0;
	ASSERT_EQ(0, ipvs_svc_get_conf(&k, nullptr, got, 2, &n, nullptr));
	ASSERT_EQ(1u, n);
	EXPECT_EQ(IPVS_WIRE_TUN_GRE, got[0].tun_type) << "the list reply carries it";
	ASSERT_EQ(0, ipvs_svc_del(&k, err)) << err;
}

TEST_F(IpvsSvcWorker, CountersAreCollected)
{
	ipvs_wire_svc_key k = key("10.0.1.2", 80);
	ipvs_wire_svc_conf c = conf(k);
	ipvs_wire_dest_conf d = dest("192.168.1.2", 80);
	msg_result r;
	svc_agg *a = nullptr;
	uint32_t n = 0;

	ASSERT_EQ(0, ipvs_svc_add(&c, err));
	ASSERT_EQ(0, ipvs_dest_add(&k, &d, err));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, msg_send_sync(1, T_BUMP, &k, sizeof(k), 2000000, &r));
		EXPECT_EQ(0, r.status);
		msg_result_free(&r, 1);
	}
	ASSERT_EQ(0, svc_collect(nullptr, &a, &n));
	ASSERT_EQ(1u, n);
	EXPECT_EQ(10u, a[0].c[0]);		// conns
	EXPECT_EQ(14u, a[0].dests[0].c[1]);	// inpkts
	EXPECT_EQ(3u, a[0].dests[0].active);
	svc_agg_free(a, n);

	EXPECT_EQ(0, ipvs_svc_zero(&k, err));
	ASSERT_EQ(0, svc_collect(svc_master_find(&k), &a, &n));
	ASSERT_EQ(1u, n);
	EXPECT_EQ(0u, a[0].c[0]);
	EXPECT_EQ(0u, a[0].dests[0].c[1]);
	EXPECT_EQ(3u, a[0].dests[0].active);	// a gauge, not a counter
	svc_agg_free(a, n);
}

TEST_F(IpvsSvcWorker, FailedWorkerIsUndone)
{
	ipvs_wire_svc_key k = key("10.0.1.3", 80);
	ipvs_wire_svc_conf c = conf(k);
	svc_msg m;
	msg_result r;

	// The worker already has this service (stale): its add fails with EXIST.
	memset(&m, 0, sizeof(m));
	m.op = SVC_OP_SVC_ADD;
	m.svc_id = 999;
	m.svc = c;
	ASSERT_EQ(0, msg_send_sync(1, T_STALE, &m, sizeof(m), 2000000, &r));
	ASSERT_EQ(0, r.status);
	msg_result_free(&r, 1);
	EXPECT_EQ(EDPVS_EXIST, ipvs_svc_add(&c, err));
	EXPECT_EQ(0u, ipvs_svc_count());	// not recorded on the master
	EXPECT_EQ(0, peek_at(k).found);		// and undone on the worker
	ASSERT_EQ(0, ipvs_svc_add(&c, err)) << err;	// now both agree
	EXPECT_EQ(1, peek_at(k).found);
}

// ---- rate estimator (review issue 8: integer smoothing read a steady 10/s
// as 7, 3/s as 0, and stayed at 3 after traffic stopped) ----

namespace {

// Feed e n samples 2 s apart, each adding per_s[i] * 2 to counter i.
void est_feed(svc_est *e, uint64_t *c, uint64_t *now, const uint64_t *per_s, int n,
	      uint64_t period_us = 2000000)
{
	for (int k = 0; k < n; k++) {
		*now += period_us;
		for (int i = 0; i < SVC_N_COUNTERS; i++)
			c[i] += per_s[i] * period_us / 1000000;
		svc_est_update(e, c, *now);
	}
}

}  // namespace

TEST(IpvsSvcEst, SteadyRatesReadExactly)
{
	svc_est e;
	memset(&e, 0, sizeof(e));
	uint64_t c[SVC_N_COUNTERS] = {100, 1000, 1000, 50000, 50000}, now = 1000000;
	svc_est_update(&e, c, now);	// primes only
	for (int i = 0; i < SVC_N_COUNTERS; i++)
		EXPECT_EQ(0u, svc_est_rate(&e, i));
	const uint64_t rates[SVC_N_COUNTERS] = {10, 3, 1, 1500, 7};
	est_feed(&e, c, &now, rates, 30);	// a minute
	for (int i = 0; i < SVC_N_COUNTERS; i++)
		EXPECT_EQ(rates[i], svc_est_rate(&e, i)) << "counter " << i;
	// it keeps reading the same while the rate holds
	est_feed(&e, c, &now, rates, 10);
	for (int i = 0; i < SVC_N_COUNTERS; i++)
		EXPECT_EQ(rates[i], svc_est_rate(&e, i)) << "counter " << i;
	EXPECT_EQ(0u, svc_est_rate(&e, SVC_N_COUNTERS));
}

TEST(IpvsSvcEst, ConvergesLikeIpvsAndSurvivesJitter)
{
	svc_est e;
	memset(&e, 0, sizeof(e));
	uint64_t c[SVC_N_COUNTERS] = {0, 0, 0, 0, 0}, now = 0;
	svc_est_update(&e, c, now);
	const uint64_t rates[SVC_N_COUNTERS] = {10, 100000, 20, 1250000, 3};
	// weight 1/4 per 2 s: after one sample a quarter of the way
	est_feed(&e, c, &now, rates, 1);
	EXPECT_EQ(2u, svc_est_rate(&e, 0));	// 2.5: IPVS rounds a half down
	est_feed(&e, c, &now, rates, 59, 2010000);	// 10 ms late each time, 2 min
	for (int i = 0; i < SVC_N_COUNTERS; i++)
		EXPECT_EQ(rates[i], svc_est_rate(&e, i)) << "counter " << i;
}

TEST(IpvsSvcEst, DecaysToZeroAfterTrafficStops)
{
	svc_est e;
	memset(&e, 0, sizeof(e));
	uint64_t c[SVC_N_COUNTERS] = {0, 0, 0, 0, 0}, now = 0;
	svc_est_update(&e, c, now);
	const uint64_t rates[SVC_N_COUNTERS] = {10, 3, 3, 1000, 3}, none[SVC_N_COUNTERS] = {};
	est_feed(&e, c, &now, rates, 30);
	EXPECT_EQ(10u, svc_est_rate(&e, 0));
	est_feed(&e, c, &now, none, 15);	// 30 s without traffic
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(0u, svc_est_rate(&e, i)) << "counter " << i;
	est_feed(&e, c, &now, none, 15);	// a minute: bytes too (finer scale)
	for (int i = 0; i < SVC_N_COUNTERS; i++)
		EXPECT_EQ(0u, svc_est_rate(&e, i)) << "counter " << i;
	est_feed(&e, c, &now, none, 30);
	for (int i = 0; i < SVC_N_COUNTERS; i++)
		EXPECT_EQ(0u, e.rate[i]) << "the scaled rate reaches 0 too, counter " << i;
	// a counter that goes backwards (a dest re-added) reads as no traffic
	c[0] = 0;
	est_feed(&e, c, &now, none, 1);
	EXPECT_EQ(0u, svc_est_rate(&e, 0));
}
