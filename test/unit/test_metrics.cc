// test_metrics.cc - the /metrics endpoint's pieces that run without a
// daemon: the text exposition format (src/metrics_text.c: HELP/TYPE,
// samples, escaping, exact text for a known set of counters), the listen
// address parser and the "metrics" config section (src/metrics.c).
#include <gtest/gtest.h>
#include "cfg_text.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
extern "C" {
#include "cfg.h"
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "metrics.h"
#include "ipvs/ipvs_wire.h"
#include "test_eal.h"
}

namespace {

struct Text {
	metrics_text t;
	Text() { metrics_text_init(&t); }
	~Text() { metrics_text_free(&t); }
	std::string str() const { return t.buf ? std::string(t.buf, t.len) : std::string(); }
};

TEST(MetricsText, KnownCountersGiveExactText)
{
	Text x;
	const metrics_label a[] = { { "port", "dpdk0" } };
	const metrics_label b[] = { { "port", "dpdk1" } };

	metrics_family(&x.t, "dpvsd_port_receive_packets_total", METRICS_COUNTER,
		       "Packets received by the device.");
	metrics_sample_u64(&x.t, "dpvsd_port_receive_packets_total", a, 1, 42);
	metrics_sample_u64(&x.t, "dpvsd_port_receive_packets_total", b, 1, 18446744073709551615ull);
	metrics_family(&x.t, "dpvsd_mbuf_pool_in_use", METRICS_GAUGE, "Mbufs in use.");
	metrics_sample_u64(&x.t, "dpvsd_mbuf_pool_in_use", nullptr, 0, 0);
	metrics_family(&x.t, "dpvsd_lcore_busy_ratio", METRICS_GAUGE, "Busy share.");
	metrics_sample_f64(&x.t, "dpvsd_lcore_busy_ratio", a, 1, 0.25);
	EXPECT_EQ("# HELP dpvsd_port_receive_packets_total Packets received by the device.\n"
		  "# TYPE dpvsd_port_receive_packets_total counter\n"
		  "dpvsd_port_receive_packets_total{port=\"dpdk0\"} 42\n"
		  "dpvsd_port_receive_packets_total{port=\"dpdk1\"} 18446744073709551615\n"
		  "# HELP dpvsd_mbuf_pool_in_use Mbufs in use.\n"
		  "# TYPE dpvsd_mbuf_pool_in_use gauge\n"
		  "dpvsd_mbuf_pool_in_use 0\n"
		  "# HELP dpvsd_lcore_busy_ratio Busy share.\n"
		  "# TYPE dpvsd_lcore_busy_ratio gauge\n"
		  "dpvsd_lcore_busy_ratio{port=\"dpdk0\"} 0.25\n",
		  x.str());
	EXPECT_FALSE(x.t.nomem);
}

TEST(MetricsText, SeveralLabelsInOrderAndEmptyValue)
{
	Text x;
	const metrics_label l[] = {
		{ "local_address", "10.0.0.1" }, { "local_port", "80" },
		{ "remote_address", "192.168.1.2" }, { "remote_port", "8080" },
		{ "proto", "TCP" }, { "local_mark", "" },
	};

	metrics_sample_u64(&x.t, "node_ipvs_backend_weight", l, 6, 3);
	EXPECT_EQ("node_ipvs_backend_weight{local_address=\"10.0.0.1\",local_port=\"80\","
		  "remote_address=\"192.168.1.2\",remote_port=\"8080\",proto=\"TCP\","
		  "local_mark=\"\"} 3\n",
		  x.str());
}

TEST(MetricsText, LabelValuesAreEscaped)
{
	Text x;
	const metrics_label l[] = { { "job", "a\\b\"c\nd" } };

	metrics_sample_u64(&x.t, "m", l, 1, 1);
	EXPECT_EQ("m{job=\"a\\\\b\\\"c\\nd\"} 1\n", x.str());
}

TEST(MetricsText, HelpEscapesBackslashAndNewlineButNotQuotes)
{
	Text x;

	metrics_family(&x.t, "m_total", METRICS_COUNTER, "say \"hi\"\\ now\nplease");
	EXPECT_EQ("# HELP m_total say \"hi\"\\\\ now\\nplease\n# TYPE m_total counter\n", x.str());
}

TEST(MetricsText, SpecialFloats)
{
	Text x;

	metrics_sample_f64(&x.t, "a", nullptr, 0, 1.0 / 0.0);
	metrics_sample_f64(&x.t, "b", nullptr, 0, -1.0 / 0.0);
	metrics_sample_f64(&x.t, "c", nullptr, 0, 0.0 / 0.0);
	metrics_sample_f64(&x.t, "d", nullptr, 0, 1e-12);
	EXPECT_EQ("a +Inf\nb -Inf\nc NaN\nd 1e-12\n", x.str());
}

TEST(MetricsText, GrowsPastFirstBlockAndStopsAtTheBound)
{
	Text x;
	std::string want;
	std::string big(1000, 'v');
	const metrics_label l[] = { { "k", big.c_str() } };

	for (int i = 0; i < 20; i++) {
		metrics_sample_u64(&x.t, "m", l, 1, (uint64_t)i);
		want += "m{k=\"" + big + "\"} " + std::to_string(i) + "\n";
	}
	EXPECT_EQ(want, x.str());
	for (unsigned i = 0; i < METRICS_TEXT_MAX / 1000 + 2 && !x.t.nomem; i++)
		metrics_sample_u64(&x.t, "m", l, 1, 0);
	EXPECT_TRUE(x.t.nomem);
	EXPECT_LT(x.t.len, (size_t)METRICS_TEXT_MAX);
	size_t len = x.t.len;
	metrics_sample_u64(&x.t, "m", nullptr, 0, 1);	/* no-op once out of room */
	EXPECT_EQ(len, x.t.len);
}

// ---- listen address ----

TEST(MetricsListen, Ipv4AndIpv6)
{
	sockaddr_storage ss;
	unsigned int len = sizeof(ss);

	ASSERT_EQ(0, metrics_parse_listen("127.0.0.1:9512", (sockaddr *)&ss, &len));
	auto *a4 = (sockaddr_in *)&ss;
	EXPECT_EQ(AF_INET, a4->sin_family);
	EXPECT_EQ(9512, ntohs(a4->sin_port));
	EXPECT_EQ(htonl(INADDR_LOOPBACK), a4->sin_addr.s_addr);
	EXPECT_EQ(sizeof(sockaddr_in), len);

	len = sizeof(ss);
	ASSERT_EQ(0, metrics_parse_listen("[::1]:80", (sockaddr *)&ss, &len));
	auto *a6 = (sockaddr_in6 *)&ss;
	EXPECT_EQ(AF_INET6, a6->sin6_family);
	EXPECT_EQ(80, ntohs(a6->sin6_port));
	EXPECT_EQ(sizeof(sockaddr_in6), len);
}

TEST(MetricsListen, BadOnesAreRefused)
{
	const char *bad[] = { "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
			      "127.0.0.1:+80", "127.0.0.1:80x", ":80", "localhost:80",
			      "1.2.3.4.5:80", "[::1:80", "::1:80", "[zz]:80", "1.2.3.4:-1" };

	for (const char *s : bad) {
		sockaddr_storage ss;
		unsigned int len = sizeof(ss);

		EXPECT_EQ(EDPVS_INVAL, metrics_parse_listen(s, (sockaddr *)&ss, &len)) << s;
	}
}

// ---- config section ----

using cfgtext::Loaded;
using cfgtext::load;

TEST(MetricsCfg, SectionParsesAndAbsentIsOff)
{
	Loaded a, b, c;

	load("metrics = { listen = \"127.0.0.1:9512\"; };\n", &a);
	EXPECT_EQ(0, a.rc) << a.text;
	load("# none\n", &b);
	EXPECT_EQ(0, b.rc) << b.text;
	load("metrics = { listen = \"\"; };\n", &c);
	EXPECT_EQ(0, c.rc) << c.text;
}

TEST(MetricsCfg, BadListenNamesFileLineAndKey)
{
	Loaded l;

	load("# line 1\nmetrics = {\n  listen = \"127.0.0.1:99999\";\n};\n", &l);
	EXPECT_EQ(EDPVS_CONFIG, l.rc);
	EXPECT_NE(std::string::npos, l.text.find(l.path + ":3: metrics.listen: expected"))
		<< l.text;
	EXPECT_NE(std::string::npos, l.text.find("127.0.0.1:99999")) << l.text;
}

TEST(MetricsCfg, UnknownKeyAndWrongTypeAreErrors)
{
	Loaded a, b, c;

	load("metrics = {\n  listen = \"127.0.0.1:9512\";\n  port = 9;\n};\n", &a);
	EXPECT_EQ(EDPVS_CONFIG, a.rc);
	EXPECT_NE(std::string::npos, a.text.find(":3: metrics.port")) << a.text;
	load("metrics = {\n  listen = 9512;\n};\n", &b);
	EXPECT_EQ(EDPVS_CONFIG, b.rc);
	EXPECT_NE(std::string::npos, b.text.find(":2: metrics.listen")) << b.text;
	load("metrics = 1;\n", &c);
	EXPECT_EQ(EDPVS_CONFIG, c.rc);
	EXPECT_NE(std::string::npos, c.text.find(":1: metrics")) << c.text;
}

// ---- ctl_call_local(): how the collectors run the tools' requests ----

enum {
	M_OP_GET = CTL_OP_CORE_BASE + 0xd0,	/* read-only: echoes "ab" + request */
	M_OP_SET = CTL_OP_CORE_BASE + 0xd1,	/* changes state: refused in process */
	M_OP_FAIL = CTL_OP_CORE_BASE + 0xd2,	/* read-only, fails */
	M_OP_NONE = CTL_OP_CORE_BASE + 0xd3,	/* never registered */
};

int m_get(uint16_t, const void *req, uint32_t len, ctl_reply *rep)
{
	int rc = ctl_reply_append(rep, "ab", 2);
	return rc ? rc : ctl_reply_append(rep, req, len);
}

int m_fail(uint16_t, const void *, uint32_t, ctl_reply *rep)
{
	ctl_reply_append(rep, "junk", 4);
	return EDPVS_BUSY;
}

const ctl_op m_ops[] = {
	{ M_OP_GET, "m.get", 0, 8, m_get, CTL_OP_F_GET },
	{ M_OP_SET, "m.set", 0, 0, m_get, 0 },
	{ M_OP_FAIL, "m.fail", 0, 0, m_fail, CTL_OP_F_GET },
};

TEST(MetricsCtlCall, RunsReadOnlyHandlersInProcess)
{
	void *out = nullptr;
	size_t len = 0;
	ctl_op_stats st;

	ASSERT_EQ(0, test_eal_up());
	ASSERT_EQ(0, ctl_register(m_ops, DPVS_ARRAY_SIZE(m_ops)));
	ASSERT_EQ(0, ctl_call_local(M_OP_GET, "xyz", 3, &out, &len));
	ASSERT_EQ(5u, len);
	EXPECT_EQ(0, memcmp(out, "abxyz", 5));
	free(out);
	ASSERT_EQ(0, ctl_op_stats_get(M_OP_GET, &st));
	EXPECT_EQ(1u, st.calls);

	out = (void *)1;
	EXPECT_EQ(EDPVS_BUSY, ctl_call_local(M_OP_FAIL, nullptr, 0, &out, &len));
	EXPECT_EQ(nullptr, out);
	EXPECT_EQ(0u, len);
	EXPECT_EQ(EDPVS_PERM, ctl_call_local(M_OP_SET, nullptr, 0, &out, &len));
	EXPECT_EQ(EDPVS_NOTSUPP, ctl_call_local(M_OP_NONE, nullptr, 0, &out, &len));
	EXPECT_EQ(EDPVS_INVAL, ctl_call_local(M_OP_GET, "123456789", 9, &out, &len));
	ASSERT_EQ(0, ctl_op_stats_get(M_OP_GET, &st));
	EXPECT_EQ(1u, st.calls) << "a request out of bounds must not reach the handler";
	EXPECT_EQ(0, ctl_unregister(m_ops, DPVS_ARRAY_SIZE(m_ops)));
}

// ---- the IPVS collector, on a fake IPVS_OP_SVC_LIST reply ----

std::string fake_list;	/* the reply the fake handler gives */

int fake_svc_list(uint16_t, const void *, uint32_t, ctl_reply *rep)
{
	return ctl_reply_append(rep, fake_list.data(), fake_list.size());
}

const ctl_op fake_ipvs_ops[] = {
	{ IPVS_OP_SVC_LIST, "fake.svc_list", 0, 0, fake_svc_list, CTL_OP_F_GET },
};

template <typename T> void put(std::string *s, const T &v)
{
	s->append(reinterpret_cast<const char *>(&v), sizeof(v));
}

std::string two_services(uint32_t n_svcs_claimed)
{
	std::string s;
	ipvs_wire_list h{};
	ipvs_wire_svc_entry tcp{}, fwm{};
	ipvs_wire_dest_entry d1{}, d2{};

	h.n_svcs = n_svcs_claimed;
	tcp.conf.key.af = AF_INET;
	tcp.conf.key.proto = IPPROTO_TCP;
	tcp.conf.key.port = 80;
	inet_pton(AF_INET, "10.0.0.1", &tcp.conf.key.addr.in4);
	tcp.n_dests = 1;
	tcp.stats.conns = 3;
	tcp.stats.inpkts = 10;
	tcp.stats.outpkts = 9;
	tcp.stats.inbytes = 1000;
	tcp.stats.outbytes = 900;
	d1.conf.af = AF_INET;
	inet_pton(AF_INET, "192.168.1.2", &d1.conf.addr.in4);
	d1.conf.port = 8080;
	d1.conf.weight = 2;
	d1.activeconns = 1;
	d1.inactconns = 4;
	fwm.conf.key.af = AF_INET;
	fwm.conf.key.fwmark = 7;
	fwm.n_dests = 1;
	fwm.stats.conns = 5;
	fwm.stats.inpkts = 1;
	fwm.stats.outpkts = 2;
	fwm.stats.inbytes = 3;
	fwm.stats.outbytes = 4;
	d2.conf.af = AF_INET;
	inet_pton(AF_INET, "192.168.1.3", &d2.conf.addr.in4);
	d2.conf.weight = 1;
	put(&s, h);
	put(&s, tcp);
	put(&s, d1);
	put(&s, fwm);
	put(&s, d2);
	return s;
}

TEST(MetricsCollect, IpvsFamiliesWithNodeExporterNamesAndLabels)
{
	Text x;
	metrics_stats before, after;

	ASSERT_EQ(0, test_eal_up());
	ASSERT_EQ(0, ctl_register(fake_ipvs_ops, 1));
	fake_list = two_services(2);
	metrics_stats_get(&before);
	EXPECT_EQ(0, metrics_collect(&x.t));
	metrics_stats_get(&after);
	EXPECT_EQ(before.collect_errors, after.collect_errors);
	std::string t = x.str();
	const char *want[] = {
		"# TYPE node_ipvs_connections_total counter\nnode_ipvs_connections_total 8\n",
		"# HELP node_ipvs_incoming_packets_total The total number of incoming packets.\n",
		"\nnode_ipvs_incoming_packets_total 11\n",
		"\nnode_ipvs_outgoing_packets_total 11\n",
		"\nnode_ipvs_incoming_bytes_total 1003\n",
		"\nnode_ipvs_outgoing_bytes_total 904\n",
		"# TYPE node_ipvs_backend_connections_active gauge\n"
		"node_ipvs_backend_connections_active{local_address=\"10.0.0.1\",local_port=\"80\","
		"remote_address=\"192.168.1.2\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\"} 1\n"
		"node_ipvs_backend_connections_active{local_address=\"\",local_port=\"0\","
		"remote_address=\"192.168.1.3\",remote_port=\"0\",proto=\"FWM\","
		"local_mark=\"00000007\"} 0\n",
		"\nnode_ipvs_backend_connections_inactive{local_address=\"10.0.0.1\",local_port=\"80\","
		"remote_address=\"192.168.1.2\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\"} 4\n",
		"\nnode_ipvs_backend_weight{local_address=\"10.0.0.1\",local_port=\"80\","
		"remote_address=\"192.168.1.2\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\"} 2\n",
		"\ndpvsd_build_info{version=\"" DPVSD_VERSION "\"} 1\n",
	};
	for (const char *w : want)
		EXPECT_NE(std::string::npos, t.find(w)) << "missing:\n" << w << "\nin:\n" << t;

	// A reply whose header claims more services than it holds: no IPVS
	// family at all (never a partial one), and a collect error counted.
	Text y;
	fake_list = two_services(3);
	EXPECT_EQ(0, metrics_collect(&y.t));
	metrics_stats_get(&after);
	EXPECT_EQ(before.collect_errors + 1, after.collect_errors);
	EXPECT_EQ(std::string::npos, y.str().find("node_ipvs_")) << y.str();
	EXPECT_EQ(0, ctl_unregister(fake_ipvs_ops, 1));
}

} // namespace
