// test_netif.cc - unit tests of netif: parsing of the "netif" config
// section, the rx queue -> lcore map and tx queue assignment, queue counts,
// and, on a net_ring port in the unit-test EAL, the tx buffer flush logic,
// the rx dispatch by ethertype and the redirect rings.
#include <gtest/gtest.h>
#include <libconfig.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <string.h>
#include <string>
#include <unistd.h>
#include "test_eal.h"
#include "cfg.h"
#include "dpvs_err.h"
#include "netif.h"
#include "../../src/netif_priv.h"

namespace {

// Parse "netif = { ... };" text; returns the staged conf or NULL with errs.
struct netif_conf *parse(const char *text, struct cfg_errors *errs)
{
	config_t c;
	config_init(&c);
	memset(errs, 0, sizeof(*errs));
	if (!config_read_string(&c, text)) {
		ADD_FAILURE() << "libconfig: " << config_error_text(&c);
		config_destroy(&c);
		return nullptr;
	}
	struct netif_conf *nc = netif_conf_parse(config_lookup(&c, "netif"), errs);
	config_destroy(&c);
	return nc;
}

std::string first_error(const struct cfg_errors &e)
{
	return e.count ? std::string(e.err[0].key) + ": " + e.err[0].msg : std::string();
}

}  // namespace

TEST(NetifCfg, DefaultsWithoutSection)
{
	struct cfg_errors errs;
	struct netif_conf *c = parse("global = {};", &errs);
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(0u, c->n_ports);
	EXPECT_EQ(8191u, c->pool_mbufs);
	EXPECT_EQ(256u, c->pool_cache);
	netif_conf_free(c);
}

TEST(NetifCfg, PortsWithDefaultsAndExplicitValues)
{
	struct cfg_errors errs;
	struct netif_conf *c = parse(
		"netif = { pool = { mbufs = 4095; cache = 64; };\n"
		"  ports = ( { vdev = \"net_af_packet0,iface=veth0\"; },\n"
		"            { name = \"wan\"; pci = \"0000:00:08.0\"; mtu = 9000; promisc = true;\n"
		"              rx_queues = 2; rx_lcores = [1, 2]; tx_queues = 3;\n"
		"              kni = { enabled = true; ifname = \"kwan\"; }; } ); };",
		&errs);
	ASSERT_NE(nullptr, c) << first_error(errs);
	ASSERT_EQ(2u, c->n_ports);
	EXPECT_EQ(4095u, c->pool_mbufs);
	EXPECT_STREQ("dpdk0", c->ports[0].name);
	EXPECT_EQ(1500, c->ports[0].mtu);
	EXPECT_FALSE(c->ports[0].kni);
	EXPECT_STREQ("dpdk0", c->ports[0].kni_ifname);	// default: the port's name
	EXPECT_EQ(1024, c->ports[0].rx_desc);
	EXPECT_STREQ("wan", c->ports[1].name);
	EXPECT_EQ(9000, c->ports[1].mtu);
	EXPECT_TRUE(c->ports[1].promisc);
	EXPECT_EQ(2u, c->ports[1].n_rx_lcores);
	EXPECT_EQ(2, c->ports[1].rx_lcores[1]);
	EXPECT_TRUE(c->ports[1].kni);
	EXPECT_STREQ("kwan", c->ports[1].kni_ifname);
	char dev[NETIF_DEV_NAME_LEN];
	netif_conf_dev_name(&c->ports[0], dev, sizeof(dev));
	EXPECT_STREQ("net_af_packet0", dev);
	// 9000-byte MTU needs bigger mbufs than the default 2048 of room.
	EXPECT_GT(netif_conf_data_room(c), RTE_PKTMBUF_HEADROOM + 9000);
	EXPECT_GT(netif_conf_mem_bytes(c), (size_t)4095 * 9000);
	netif_conf_free(c);
}

TEST(NetifCfg, RejectsBadInput)
{
	static const struct {
		const char *text;
		const char *key_part;
	} cases[] = {
		{ "netif = { bogus = 1; };", "bogus" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; color = 1; } ); };", "color" },
		{ "netif = { ports = ( { } ); };", "ports" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; pci = \"0000:00:01.0\"; } ); };",
		  "ports" },
		{ "netif = { ports = ( { pci = \"zz:1\"; } ); };", "pci" },
		{ "netif = { ports = ( { vdev = \"eth_bad\"; } ); };", "vdev" },
		{ "netif = { ports = ( { vdev = \"net_tap_kni0\"; } ); };", "vdev" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; mtu = 20; } ); };", "mtu" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; mtu = \"big\"; } ); };", "mtu" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; rx_queues = 2; rx_lcores = [1]; } ); };",
		  "rx_lcores" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; rx_lcores = [\"a\"]; } ); };",
		  "rx_lcores" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; name = \"9bad name\"; } ); };", "name" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; }, { vdev = \"net_ring0,x=1\"; } ); };",
		  "ports" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; name = \"a\"; },"
		  " { vdev = \"net_ring1\"; name = \"a\"; } ); };", "name" },
		{ "netif = { pool = { mbufs = 4095; cache = 600; }; };", "cache" },
		{ "netif = { pool = { mbufs = 10; }; };", "mbufs" },
		{ "netif = { ports = ( { vdev = \"net_ring0\"; kni = { enabled = 1; }; } ); };",
		  "enabled" },
	};
	for (const auto &tc : cases) {
		struct cfg_errors errs;
		struct netif_conf *c = parse(tc.text, &errs);
		EXPECT_EQ(nullptr, c) << tc.text;
		netif_conf_free(c);
		ASSERT_GE(errs.count, 1u) << tc.text;
		EXPECT_NE(std::string::npos, first_error(errs).find(tc.key_part))
			<< tc.text << " -> " << first_error(errs);
	}
}

// What netif_port_open() refused at start-up (with `dpvsd -t` passing the
// file) is refused by cfg_load() now: the queue counts and the rx queue
// map are checked with the same functions against the file's lcores.
TEST(NetifCfg, QueuesAreCheckedAgainstTheLcoresOfTheFile)
{
	static const char two_lcores[] = "lcores = ( { id = 0; role = \"master\"; },\n"
					 "  { id = 1; role = \"fwd_worker\"; } );\n";
	static const struct {
		const char *text;
		const char *want;	// substring of the formatted error, "" = valid
	} cases[] = {
		{ "netif = {\n ports = ( { vdev = \"net_ring0\"; rx_lcores = [0]; } ); };",
		  ":2: netif.ports.[0].rx_lcores: rx_lcores: lcore 0 is not a fwd_worker" },
		{ "netif = {\n ports = ( { vdev = \"net_tap0\"; rx_queues = 2; tx_queues = 3; } ); };",
		  ":2: netif.ports.[0]: rx_queues, tx_queues and rx_lcores do not fit the device "
		  "(at most 16 queues, as many rx as tx)" },
		{ "netif = {\n ports = ( { vdev = \"net_af_packet0,iface=x,qpairs=2\"; "
		  "rx_lcores = [1]; } ); };",
		  ":2: netif.ports.[0].rx_lcores: rx_lcores has 1 entries for 2 rx queues" },
		{ "netif = {\n ports = ( { vdev = \"net_af_packet0,iface=x\"; rx_lcores = [1]; } ); };",
		  "" },
		{ "netif = {\n ports = ( { vdev = \"net_tap0\"; rx_queues = 2; } ); };", "" },
	};
	for (const auto &tc : cases) {
		char path[] = "/tmp/ut_netif_cfg_XXXXXX";
		// The netif text first (the port on line 2), then the lcores.
		const std::string text = std::string(tc.text) + "\n" + two_lcores;
		int fd = mkstemp(path);
		ASSERT_GE(fd, 0);
		ASSERT_EQ((ssize_t)text.size(), write(fd, text.data(), text.size()));
		close(fd);
		struct cfg_tree *t = nullptr;
		struct cfg_errors errs;
		int rc = cfg_load(path, &t, &errs);
		unlink(path);
		cfg_free(t);
		if (!tc.want[0]) {
			EXPECT_EQ(0, rc) << tc.text;
			continue;
		}
		EXPECT_EQ(EDPVS_CONFIG, rc) << tc.text;
		ASSERT_EQ(1u, errs.count) << tc.text;
		char buf[512];
		cfg_error_format(&errs.err[0], buf, sizeof(buf));
		EXPECT_NE(nullptr, strstr(buf, tc.want)) << buf;
	}
}

TEST(NetifCfg, PortsNeedAFwdWorker)
{
	char path[] = "/tmp/ut_netif_cfg_XXXXXX";
	const std::string text = "lcores = ( { id = 0; role = \"master\"; } );\n"
				 "netif = { ports = ( { vdev = \"net_ring0\"; } ); };\n";
	int fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)text.size(), write(fd, text.data(), text.size()));
	close(fd);
	struct cfg_tree *t = nullptr;
	struct cfg_errors errs;
	EXPECT_EQ(EDPVS_CONFIG, cfg_load(path, &t, &errs));
	unlink(path);
	ASSERT_EQ(1u, errs.count);
	EXPECT_STREQ("netif.ports.[0]", errs.err[0].key);
	EXPECT_STREQ("no fwd_worker lcore to poll the rx queues", errs.err[0].msg);
	EXPECT_EQ(2, errs.err[0].line);
}

// The default MAC of a KNI port whose device has none of its own: the same
// for the same host and device, unicast and locally administered.
TEST(NetifCfg, DerivedMacIsStableUnicastLocal)
{
	struct rte_ether_addr a, b, c;
	netif_mac_derive("0123456789abcdef", "net_tap0", &a);
	netif_mac_derive("0123456789abcdef", "net_tap0", &b);
	netif_mac_derive("0123456789abcdef", "net_tap1", &c);
	EXPECT_TRUE(rte_is_same_ether_addr(&a, &b));
	EXPECT_FALSE(rte_is_same_ether_addr(&a, &c));
	EXPECT_TRUE(rte_is_unicast_ether_addr(&a));
	EXPECT_TRUE(rte_is_local_admin_ether_addr(&a));
	netif_mac_derive("another host", "net_tap0", &c);
	EXPECT_FALSE(rte_is_same_ether_addr(&a, &c));
}

TEST(NetifCfg, MacKey)
{
	struct cfg_errors errs;
	struct netif_conf *c = parse(
		"netif = { ports = ( { vdev = \"net_ring0\"; mac = \"02:11:22:33:44:55\"; } ); };",
		&errs);
	ASSERT_NE(nullptr, c) << first_error(errs);
	EXPECT_TRUE(c->ports[0].has_mac);
	EXPECT_EQ(0x55, c->ports[0].mac.addr_bytes[5]);
	netif_conf_free(c);
	c = parse("netif = { ports = ( { vdev = \"net_ring0\"; mac = \"01:00:5e:00:00:01\"; } ); };",
		  &errs);
	EXPECT_EQ(nullptr, c);
	EXPECT_NE(std::string::npos, first_error(errs).find("mac")) << first_error(errs);
}

TEST(NetifQueueMap, DefaultRoundRobinOverWorkers)
{
	const unsigned int workers[] = { 2, 5 };
	uint16_t out[4];
	char err[128];
	ASSERT_EQ(0, netif_queue_map(4, workers, 2, nullptr, 0, out, err, sizeof(err)));
	EXPECT_EQ(2, out[0]);
	EXPECT_EQ(5, out[1]);
	EXPECT_EQ(2, out[2]);
	EXPECT_EQ(5, out[3]);
}

TEST(NetifQueueMap, ExplicitMapMustNameWorkers)
{
	const unsigned int workers[] = { 1, 2 };
	const uint16_t good[] = { 2, 2, 1 };
	const uint16_t bad[] = { 1, 3, 2 };
	uint16_t out[3];
	char err[128];
	ASSERT_EQ(0, netif_queue_map(3, workers, 2, good, 3, out, err, sizeof(err)));
	EXPECT_EQ(2, out[0]);
	EXPECT_EQ(1, out[2]);
	EXPECT_EQ(EDPVS_CONFIG, netif_queue_map(3, workers, 2, bad, 3, out, err, sizeof(err)));
	EXPECT_NE(nullptr, strstr(err, "lcore 3"));
	EXPECT_EQ(EDPVS_CONFIG, netif_queue_map(3, workers, 2, good, 2, out, err, sizeof(err)));
	EXPECT_EQ(EDPVS_CONFIG, netif_queue_map(1, workers, 0, nullptr, 0, out, err, sizeof(err)));
}

TEST(NetifQueueMap, TxQueuesOwnedOrShared)
{
	uint16_t wq[3], cq[2];
	uint8_t users[4];
	// 4 queues, 3 workers, 2 control lcores: workers alone on 0..2, control share 3.
	netif_txq_assign(4, 3, 2, wq, cq, users);
	EXPECT_EQ(0, wq[0]);
	EXPECT_EQ(2, wq[2]);
	EXPECT_EQ(3, cq[0]);
	EXPECT_EQ(3, cq[1]);
	EXPECT_EQ(1, users[0]);
	EXPECT_EQ(2, users[3]);
	// One queue (af_packet without qpairs): everybody shares it.
	netif_txq_assign(1, 2, 1, wq, cq, users);
	EXPECT_EQ(0, wq[1]);
	EXPECT_EQ(0, cq[0]);
	EXPECT_EQ(3, users[0]);
}

TEST(NetifQueueMap, QueueCounts)
{
	struct netif_port_conf pc;
	uint16_t rx = 0, tx = 0;
	memset(&pc, 0, sizeof(pc));
	ASSERT_EQ(0, netif_queue_counts(&pc, "net_ring", 16, 16, 2, &rx, &tx));
	EXPECT_EQ(2, rx);	// one per worker
	EXPECT_EQ(3, tx);	// one per worker + the control lcores
	ASSERT_EQ(0, netif_queue_counts(&pc, "net_af_packet", 4, 4, 1, &rx, &tx));
	EXPECT_EQ(4, rx);	// every fanout socket must be polled
	ASSERT_EQ(0, netif_queue_counts(&pc, "net_memif", 1, 1, 2, &rx, &tx));
	EXPECT_EQ(1, rx);
	EXPECT_EQ(1, tx);
	ASSERT_EQ(0, netif_queue_counts(&pc, "net_tap", 16, 16, 1, &rx, &tx));
	EXPECT_EQ(2, rx);	// tap wants rx == tx
	EXPECT_EQ(2, tx);
	pc.rx_queues = 3;
	EXPECT_EQ(EDPVS_RANGE, netif_queue_counts(&pc, "net_ring", 2, 2, 1, &rx, &tx));
	ASSERT_EQ(0, netif_queue_counts(&pc, "net_tap", 16, 16, 1, &rx, &tx));
	EXPECT_EQ(3, tx);
	pc.tx_queues = 2;
	EXPECT_EQ(EDPVS_RANGE, netif_queue_counts(&pc, "net_tap", 16, 16, 1, &rx, &tx));
}

// ---- on a net_ring port (tx queue i loops back to rx queue i) ----

namespace {

unsigned int g_handled;
uint16_t g_l2_len;
uint8_t g_first_l3_byte;

enum dpvs_verdict test_handler(struct rte_mbuf *m, struct netif_port *)
{
	g_handled++;
	g_l2_len = m->l2_len;
	g_first_l3_byte = *rte_pktmbuf_mtod(m, uint8_t *);
	return g_first_l3_byte == 0xdd ? VERDICT_DROP : (rte_pktmbuf_free(m), VERDICT_STOLEN);
}

}  // namespace

class NetifRing : public ::testing::Test {
protected:
	void SetUp() override
	{
		static unsigned int seq;
		struct netif_conf c;
		char err[256] = "";
		const unsigned int workers[] = { 1 };
		const unsigned int ctl[] = { 0 };

		ASSERT_EQ(0, test_eal_up());
		memset(&c, 0, sizeof(c));
		c.pool_mbufs = 2047;
		c.pool_cache = 0;
		ASSERT_EQ(0, netif_pool_create(&c));
		snprintf(name_, sizeof(name_), "net_ring_nt%u", seq++);
		ASSERT_EQ(0, rte_dev_probe(name_));
		ASSERT_EQ(0, rte_eth_dev_get_port_by_name(name_, &pid_));
		memset(&pc_, 0, sizeof(pc_));
		snprintf(pc_.name, sizeof(pc_.name), "dpdk0");
		snprintf(pc_.vdev, sizeof(pc_.vdev), "%s", name_);
		pc_.mtu = 1500;
		pc_.tx_queues = 1;	// worker and control lcore share queue 0
		pc_.rx_desc = pc_.tx_desc = 512;
		ASSERT_EQ(0, netif_port_open(0, &pc_, pid_, workers, 1, ctl, 1, err, sizeof(err)))
			<< err;
		port_ = netif_port_get(pid_);
		ASSERT_NE(nullptr, port_);
		memset(&netif_lcores[0].st[0], 0, sizeof(netif_lcores[0].st[0]));
		memset(&netif_lcores[1].st[0], 0, sizeof(netif_lcores[1].st[0]));
	}

	void TearDown() override
	{
		netif_unregister_ethertype(0x88b5);
		netif_port_close(0);
		netif_ctx.n_ports = 0;
		rte_eal_hotplug_remove("vdev", name_);
		netif_pool_free();
	}

	struct rte_mbuf *frame(uint16_t type, uint8_t first, const struct rte_ether_addr *dst)
	{
		struct rte_mbuf *m = rte_pktmbuf_alloc(netif_pktmbuf_pool());
		struct rte_ether_hdr *eh;
		uint8_t *l3;

		if (!m)
			return nullptr;
		eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + 46);
		eh->dst_addr = dst ? *dst : port_->mac;
		eh->src_addr = port_->mac;
		eh->ether_type = rte_cpu_to_be_16(type);
		l3 = (uint8_t *)(eh + 1);
		memset(l3, 0, 46);
		l3[0] = first;
		return m;
	}

	uint16_t drain(uint16_t q)
	{
		struct rte_mbuf *pkts[64];
		uint16_t n, total = 0;

		while ((n = rte_eth_rx_burst(pid_, q, pkts, 64)) > 0) {
			total += n;
			rte_pktmbuf_free_bulk(pkts, n);
		}
		return total;
	}

	char name_[32];
	uint16_t pid_ = 0;
	struct netif_port_conf pc_;
	struct netif_port *port_ = nullptr;
};

TEST_F(NetifRing, OpenedPortHasQueuesAndMap)
{
	EXPECT_STREQ("dpdk0", port_->name);
	EXPECT_EQ(port_, netif_port_get_by_name("dpdk0"));
	EXPECT_EQ(1u, netif_port_count());
	EXPECT_TRUE(port_->up);
	EXPECT_EQ(1, port_->n_rxq);	// one per worker
	EXPECT_EQ(1, port_->rxq_lcore[0]);
	EXPECT_EQ(1, netif_lcores[1].n_rxq);
	EXPECT_EQ(0, netif_lcores[0].n_rxq);
	EXPECT_EQ(0, netif_lcores[0].tx[0].txq);
	EXPECT_TRUE(netif_lcores[0].tx[0].locked);	// shared with the worker
}

TEST_F(NetifRing, XmitBuffersUntilFlush)
{
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(0, netif_xmit(frame(0x88b5, 1, nullptr), port_));
	EXPECT_EQ(0, drain(0));		// still in the lcore's tx buffer
	EXPECT_EQ(5u, netif_tx_flush());
	EXPECT_EQ(5, drain(0));
	EXPECT_EQ(5u, netif_lcores[0].st[0].tx_packets);
	EXPECT_EQ(5u * 60, netif_lcores[0].st[0].tx_bytes);
}

TEST_F(NetifRing, FullBurstFlushesAtOnce)
{
	for (int i = 0; i < NETIF_TX_BURST; i++)
		ASSERT_EQ(0, netif_xmit(frame(0x88b5, 1, nullptr), port_));
	EXPECT_EQ(NETIF_TX_BURST, drain(0));
	EXPECT_EQ(0u, netif_tx_flush());
}

TEST_F(NetifRing, UnsentFramesAreFreedAndCounted)
{
	unsigned int before = rte_mempool_avail_count(netif_pktmbuf_pool());
	const int n = 1100;	// the ring holds 1023

	for (int i = 0; i < n; i++)
		ASSERT_EQ(0, netif_xmit(frame(0x88b5, 1, nullptr), port_));
	netif_tx_flush();
	uint64_t sent = netif_lcores[0].st[0].tx_packets;
	uint64_t dropped = netif_lcores[0].st[0].tx_dropped;
	EXPECT_EQ((uint64_t)n, sent + dropped);
	EXPECT_GT(dropped, 0u);
	EXPECT_EQ(sent, drain(0));
	EXPECT_EQ(before, rte_mempool_avail_count(netif_pktmbuf_pool()));	// no leak
}

TEST_F(NetifRing, XmitOnDownPortDropsAndCounts)
{
	port_->up = false;
	EXPECT_EQ(EDPVS_DISABLED, netif_xmit(frame(0x88b5, 1, nullptr), port_));
	port_->up = true;
	EXPECT_EQ(1u, netif_lcores[0].st[0].tx_down);
	EXPECT_EQ(EDPVS_INVAL, netif_xmit(nullptr, port_));
}

TEST_F(NetifRing, RxDispatchByEthertype)
{
	struct rte_ether_addr other = { { 0x02, 0, 0, 0, 0, 0x77 } };
	struct rte_mbuf *runt;

	ASSERT_EQ(0, netif_register_ethertype(0x88b5, test_handler));
	EXPECT_EQ(EDPVS_EXIST, netif_register_ethertype(0x88b5, test_handler));
	g_handled = 0;
	netif_xmit(frame(0x88b5, 0x45, nullptr), port_);	// handled, stolen
	netif_xmit(frame(0x88b5, 0xdd, nullptr), port_);	// handled, dropped
	netif_xmit(frame(0x88b6, 0x45, nullptr), port_);	// unknown -> kni (none)
	netif_xmit(frame(0x88b5, 0x45, &other), port_);	// another host's frame
	runt = frame(0x88b5, 0, nullptr);
	rte_pktmbuf_trim(runt, runt->pkt_len - 10);
	netif_xmit(runt, port_);
	netif_tx_flush();
	EXPECT_EQ(5u, netif_rx_poll(1));	// lcore 1 polls rx queue 0
	EXPECT_EQ(2u, g_handled);
	EXPECT_EQ(RTE_ETHER_HDR_LEN, g_l2_len);
	const struct netif_port_stats &st = netif_lcores[1].st[0];
	EXPECT_EQ(5u, st.rx_packets);
	EXPECT_EQ(1u, st.rx_dropped);
	EXPECT_EQ(1u, st.rx_unhandled);
	// No exception path on this port: dropped, counted on the calling lcore
	// (this thread is lcore 0, polling on behalf of lcore 1).
	EXPECT_EQ(1u, netif_lcores[0].st[0].kni_dropped);
	EXPECT_EQ(1u, st.rx_otherhost);
	EXPECT_EQ(1u, st.rx_runt);
}

TEST_F(NetifRing, RedirectRunsHandlerOnTargetLcore)
{
	unsigned int before = rte_mempool_avail_count(netif_pktmbuf_pool());
	struct rte_ring *r = rte_ring_create("nt_redir", 64, 0, RING_F_SC_DEQ);
	ASSERT_NE(nullptr, r);
	netif_lcores[1].redirect = r;
	ASSERT_EQ(0, netif_register_ethertype(0x88b5, test_handler));
	g_handled = 0;

	uint64_t out0 = netif_lcores[0].redirect_out, drop0 = netif_lcores[0].redirect_dropped;
	int ok = 0, full = 0;
	for (int i = 0; i < 70; i++) {
		struct rte_mbuf *m = frame(0x88b5, 0x45, nullptr);
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->port = pid_;
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);	// as an L3 handler sees it
		int rc = netif_redirect(m, 1);
		ok += rc == 0;
		full += rc == EDPVS_NOROOM;
	}
	EXPECT_EQ(63, ok);	// ring of 64 holds 63
	EXPECT_EQ(7, full);
	EXPECT_EQ(EDPVS_INVAL, netif_redirect(frame(0x88b5, 1, nullptr), 7));	// no ring
	EXPECT_EQ(out0 + 63, netif_lcores[0].redirect_out);
	EXPECT_EQ(drop0 + 8, netif_lcores[0].redirect_dropped);
	unsigned int got = 0, n;
	while ((n = netif_redirect_drain(1)) > 0)
		got += n;
	EXPECT_EQ(63u, got);
	EXPECT_EQ(63u, g_handled);
	netif_lcores[1].redirect = nullptr;
	rte_ring_free(r);
	EXPECT_EQ(before, rte_mempool_avail_count(netif_pktmbuf_pool()));
}

// The --vdev argument: af_packet gets qpairs from the rx queues and its ring
// (framecnt) from rx_desc unless the user's string sets them; others as is.
TEST(NetifCfg, VdevArgSizesAfPacketRing)
{
	struct cfg_errors errs;
	struct netif_conf *c = parse(
		"netif = { ports = ( { vdev = \"net_af_packet0,iface=veth0\"; },\n"
		"  { vdev = \"net_af_packet1,iface=veth1\"; rx_queues = 2; rx_desc = 3000; },\n"
		"  { vdev = \"net_af_packet2,iface=veth2,qpairs=3,framecnt=256\"; rx_queues = 2;"
		"    rx_desc = 4096; },\n"
		"  { vdev = \"net_ring0\"; rx_desc = 4096; } ); };",
		&errs);
	ASSERT_NE(nullptr, c) << first_error(errs);
	char arg[NETIF_VDEV_LEN + 64];
	ASSERT_EQ(0, netif_conf_vdev_arg(&c->ports[0], arg, sizeof(arg)));
	EXPECT_STREQ("--vdev=net_af_packet0,iface=veth0,framecnt=1024", arg);
	ASSERT_EQ(0, netif_conf_vdev_arg(&c->ports[1], arg, sizeof(arg)));
	EXPECT_STREQ("--vdev=net_af_packet1,iface=veth1,qpairs=2,framecnt=4096", arg);
	ASSERT_EQ(0, netif_conf_vdev_arg(&c->ports[2], arg, sizeof(arg)));
	EXPECT_STREQ("--vdev=net_af_packet2,iface=veth2,qpairs=3,framecnt=256", arg);
	ASSERT_EQ(0, netif_conf_vdev_arg(&c->ports[3], arg, sizeof(arg)));
	EXPECT_STREQ("--vdev=net_ring0", arg);
	EXPECT_EQ(EDPVS_RANGE, netif_conf_vdev_arg(&c->ports[1], arg, 20));
	netif_conf_free(c);
}
