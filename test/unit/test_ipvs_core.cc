// test_ipvs_core.cc - the IPVS PRE_ROUTING hook on lcore 0 acting as a
// forwarding worker: a service and real servers applied to lcore 0's own
// table (as H7's config message would), a real conn table, the IPv4 output
// replaced by a capture.  Covers: new conns for SYNs, both directions of a
// conn, TCP without conn dropped, packets for no service passed on, port
// reuse after close, ICMP errors translated, malformed headers, the FNAT
// local-port set of a worker, redirection to the owner lcore, and UDP
// one-packet scheduling (NAT conns wait for their reply, DR ones do not).
// Suite: IpvsCore.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <cstring>
#include <unistd.h>
#include <vector>

#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ip.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "test_eal.h"
#include "dpvs_err.h"
#include "job.h"
#include "timer.h"
#include "ipvs/ipvs.h"
#include "ipvs/xmit.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "ipvs/svc.h"
#include "ipvs/fwmark.h"
#include "../../src/ipvs/svc_int.h"

namespace {

uint32_t ip4(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

const char *const VIP = "10.0.0.100";
const char *const CLI = "192.168.7.2";
const char *const RS1 = "172.16.0.11";
const char *const RS2 = "172.16.0.12";
const char *const LADDR = "172.16.0.1";

std::vector<rte_mbuf *> g_out;

int capture(rte_mbuf *m, netif_port *, uint32_t)
{
	g_out.push_back(m);
	return 0;
}

rte_mempool *pool()
{
	static rte_mempool *mp;

	if (!mp)
		mp = rte_pktmbuf_pool_create("test_ipvs_core", 511, 0, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return mp;
}

struct tcp_pkt {
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq = 1000, ack = 0;
};

rte_mbuf *make_tcp(const tcp_pkt &t)
{
	rte_mbuf *m = rte_pktmbuf_alloc(pool());
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, 40);

	memset(ip, 0, 40);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons(40);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = ip4(t.src);
	ip->dst_addr = ip4(t.dst);
	auto *th = (rte_tcp_hdr *)(ip + 1);
	th->src_port = htons(t.sport);
	th->dst_port = htons(t.dport);
	th->sent_seq = htonl(t.seq);
	th->recv_ack = htonl(t.ack);
	th->data_off = 5 << 4;
	th->tcp_flags = t.flags;
	th->rx_win = htons(1000);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	m->l3_len = 20;
	return m;
}

rte_ipv4_hdr *iph(rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, rte_ipv4_hdr *);
}

rte_tcp_hdr *tcph(rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, rte_tcp_hdr *, 20);
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

svc_msg msg(uint32_t op, const ipvs_wire_svc_key &k)
{
	svc_msg m;

	memset(&m, 0, sizeof(m));
	m.op = op;
	m.svc_id = 1;
	m.svc.key = k;
	snprintf(m.svc.sched, sizeof(m.svc.sched), "rr");
	return m;
}

class IpvsCore : public ::testing::Test {
protected:
	conn_table *t = nullptr;
	unsigned int lcore = 0;

	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		lcore = rte_lcore_id();
		ASSERT_EQ(0u, lcore);
		ASSERT_EQ(0, job_init());
		ASSERT_EQ(0, timer_init());
		proto_timeout_reset();
		ASSERT_NE(nullptr, pool());
		conn_table_params p = {1024, 0};
		ASSERT_EQ(0, conn_table_create(&p, &t));
		ASSERT_EQ(0, conn_table_set(lcore, t));
		ASSERT_EQ(0, ipvs_init());
		ASSERT_EQ(0, ipvs_set_workers(&lcore, 1));
		xmit_set_send_hook(capture);
		g_out.clear();
	}
	void TearDown() override
	{
		for (auto *m : g_out)
			rte_pktmbuf_free(m);
		g_out.clear();
		xmit_set_send_hook(nullptr);
		ipvs_set_workers(nullptr, 0);
		ipvs_term();
		conn_table_set(lcore, nullptr);
		conn_table_destroy(t);
		svc_lcore_free_all();
		timer_term();
	}
	// A TCP service VIP:80 with RS1 and RS2 in mode fwd (wire value).
	void add_service(uint8_t fwd, uint16_t rport = 8080, uint32_t persist = 0)
	{
		ipvs_wire_svc_key k = key(VIP, 80);
		svc_msg m = msg(SVC_OP_SVC_ADD, k);
		if (persist) {
			m.svc.flags = IPVS_WIRE_SVC_F_PERSISTENT;
			m.svc.timeout = persist;
			m.svc.netmask = 0xffffffffu;
		}
		ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
		for (const char *rs : {RS1, RS2}) {
			m = msg(SVC_OP_DEST_ADD, k);
			m.dest.af = AF_INET;
			m.dest.addr.in4 = ip4(rs);
			m.dest.port = rport;
			m.dest.fwd = fwd;
			m.dest.weight = 1;
			ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
		}
		if (fwd == IPVS_WIRE_FWD_FNAT) {
			m = msg(SVC_OP_LADDR_ADD, k);
			m.laddr_af = AF_INET;
			m.laddr.in4 = ip4(LADDR);
			ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
		}
	}
	// Run the hook; the packet is freed here unless it was consumed.
	dpvs_verdict hook(rte_mbuf *m)
	{
		dpvs_verdict v = ipvs_pre_routing(nullptr, m, nullptr);
		if (v != VERDICT_STOLEN)
			rte_pktmbuf_free(m);
		return v;
	}
	const ipvs_lcore_stats &st() { return *ipvs_lcore_stats_get(lcore); }
	uint32_t conns()
	{
		conn_stats s;
		conn_table_stats(t, &s);
		return s.count;
	}
};

}  // namespace

TEST_F(IpvsCore, NatConnBothWays)
{
	add_service(IPVS_WIRE_FWD_MASQ);
	uint64_t new0 = st().conn_new, hit0 = st().conn_hit;

	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG})));
	ASSERT_EQ(1u, g_out.size());
	EXPECT_EQ(ip4(RS1), iph(g_out[0])->dst_addr);
	EXPECT_EQ(htons(8080), tcph(g_out[0])->dst_port);
	EXPECT_EQ(ip4(CLI), iph(g_out[0])->src_addr);
	EXPECT_EQ(1u, conns());
	EXPECT_EQ(new0 + 1, st().conn_new);

	// the server's SYN-ACK goes back from the VIP
	tcp_pkt back = {RS1, CLI, 8080, 40000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001};
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp(back)));
	ASSERT_EQ(2u, g_out.size());
	EXPECT_EQ(ip4(VIP), iph(g_out[1])->src_addr);
	EXPECT_EQ(htons(80), tcph(g_out[1])->src_port);
	EXPECT_EQ(hit0 + 1, st().conn_hit);

	// the next client gets the other server (rr)
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40001, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(ip4(RS2), iph(g_out[2])->dst_addr);
	EXPECT_EQ(2u, conns());

	// counters of the service
	union inet_addr va;
	memset(&va, 0, sizeof(va));
	va.in4 = ip4(VIP);
	ipvs_service *svc = ipvs_svc_lookup(AF_INET, IPPROTO_TCP, &va, htons(80), 0);
	ASSERT_NE(nullptr, svc);
	EXPECT_EQ(2u, svc->stats.conns);
	EXPECT_EQ(2u, svc->stats.inpkts);
	EXPECT_EQ(1u, svc->stats.outpkts);
	EXPECT_EQ(80u, svc->stats.inbytes);
}

// Review issue 8: InPkts/InBytes counted packets the mode then dropped.
TEST_F(IpvsCore, DroppedPacketsAreNotCounted)
{
	add_service(IPVS_WIRE_FWD_MASQ);
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG})));
	union inet_addr va;
	memset(&va, 0, sizeof(va));
	va.in4 = ip4(VIP);
	ipvs_service *svc = ipvs_svc_lookup(AF_INET, IPPROTO_TCP, &va, htons(80), 0);
	ASSERT_NE(nullptr, svc);
	ASSERT_EQ(1u, svc->stats.inpkts);
	uint64_t fail = st().xmit_fail;
	// TTL 1: NAT must drop it (time exceeded) instead of forwarding it
	rte_mbuf *m = make_tcp({CLI, VIP, 40000, 80, RTE_TCP_ACK_FLAG, 1001});
	iph(m)->time_to_live = 1;
	iph(m)->hdr_checksum = 0;
	iph(m)->hdr_checksum = rte_ipv4_cksum(iph(m));
	EXPECT_EQ(VERDICT_DROP, hook(m));
	EXPECT_EQ(fail + 1, st().xmit_fail) << "the drop is counted on its own";
	EXPECT_EQ(1u, svc->stats.inpkts) << "a dropped packet is not an InPkt";
	EXPECT_EQ(40u, svc->stats.inbytes);
	uint64_t dest_in = 0;
	for (uint32_t i = 0; i < svc->n_dests; i++)
		dest_in += svc->dests[i]->stats.inpkts;
	EXPECT_EQ(1u, dest_in);
	// a forwarded one is
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_ACK_FLAG, 1001})));
	EXPECT_EQ(2u, svc->stats.inpkts);
	EXPECT_EQ(80u, svc->stats.inbytes);
}

TEST_F(IpvsCore, NoServiceNoSynMalformed)
{
	add_service(IPVS_WIRE_FWD_MASQ);
	uint64_t nosyn = st().tcp_no_syn, bad = st().malformed;

	// another port of the VIP, another address: not ours
	EXPECT_EQ(VERDICT_ACCEPT, hook(make_tcp({CLI, VIP, 40000, 81, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(VERDICT_ACCEPT, hook(make_tcp({CLI, "10.0.0.101", 40000, 80, RTE_TCP_SYN_FLAG})));
	// a TCP segment without conn that is not a SYN
	EXPECT_EQ(VERDICT_DROP, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_ACK_FLAG})));
	EXPECT_EQ(nosyn + 1, st().tcp_no_syn);
	// a truncated TCP header
	rte_mbuf *m = make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG});
	tcph(m)->data_off = 0xf0;
	EXPECT_EQ(VERDICT_DROP, hook(m));
	EXPECT_EQ(bad + 1, st().malformed);
	EXPECT_TRUE(g_out.empty());
	EXPECT_EQ(0u, conns());
}

TEST_F(IpvsCore, SynAfterCloseIsANewConn)
{
	add_service(IPVS_WIRE_FWD_MASQ);
	uint64_t reused = st().conn_reused;

	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(ip4(RS1), iph(g_out.back())->dst_addr);
	// the handshake ends, the client resets, then reuses its port
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_ACK_FLAG, 1001})));
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_RST_FLAG, 1001})));
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG, 5000})));
	EXPECT_EQ(reused + 1, st().conn_reused);
	EXPECT_EQ(ip4(RS2), iph(g_out.back())->dst_addr) << "rescheduled";
	EXPECT_EQ(1u, conns());
	// a retransmitted SYN of a live conn stays on it
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG, 5000})));
	EXPECT_EQ(ip4(RS2), iph(g_out.back())->dst_addr);
	EXPECT_EQ(reused + 1, st().conn_reused);
}

// Review issue 8: every SYN-ACK the server retransmitted re-armed a SYN_RECV
// conn.  Server-side packets that leave a half-open conn in its state no
// longer extend it; the client's packets still do.
TEST_F(IpvsCore, ServerRetransmissionsDoNotExtendHalfOpen)
{
	add_service(IPVS_WIRE_FWD_MASQ);
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG})));
	union inet_addr s, d;
	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.in4 = ip4(CLI);
	d.in4 = ip4(VIP);
	ipvs_conn *c = conn_lookup(t, AF_INET, IPPROTO_TCP, &s, htons(40000), &d, htons(80), nullptr);
	ASSERT_NE(nullptr, c);
	ASSERT_EQ(TCP_S_SYN_RECV, c->state);
	uint64_t exp = timer_expires_us(&c->timer);
	tcp_pkt back = {RS1, CLI, 8080, 40000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 7000, 1001};
	for (int i = 0; i < 3; i++) {
		usleep(5000);
		ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp(back)));
		EXPECT_EQ(TCP_S_SYN_RECV, c->state);
		EXPECT_EQ(exp, timer_expires_us(&c->timer)) << "SYN-ACK " << i << " re-armed";
	}
	usleep(5000);
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_GT(timer_expires_us(&c->timer), exp) << "the client's retransmission re-arms";
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_ACK_FLAG, 1001})));
	EXPECT_EQ(TCP_S_ESTABLISHED, c->state);
	EXPECT_GT(timer_expires_us(&c->timer), exp + 800u * 1000000u);
	// a stray client SYN neither reschedules nor shortens the established conn
	uint64_t reused = st().conn_reused;
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG, 9000})));
	EXPECT_EQ(TCP_S_ESTABLISHED, c->state);
	EXPECT_EQ(ip4(RS1), iph(g_out.back())->dst_addr);
	EXPECT_EQ(reused, st().conn_reused);
	EXPECT_GT(timer_expires_us(&c->timer), exp + 800u * 1000000u);
}

TEST_F(IpvsCore, IcmpErrorFromServerTranslated)
{
	add_service(IPVS_WIRE_FWD_MASQ);
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG})));
	rte_mbuf *sent = g_out.back();

	// RS1 answers with an ICMP error quoting what it received
	rte_mbuf *m = rte_pktmbuf_alloc(pool());
	size_t tot = 20 + 8 + 28;
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)tot);
	memset(ip, 0, tot);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons((uint16_t)tot);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = ip4(RS1);
	ip->dst_addr = ip4(CLI);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	auto *ic = (rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = 3;
	ic->icmp_code = 1;
	memcpy(ic + 1, rte_pktmbuf_mtod(sent, void *), 28);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 36);
	m->l3_len = 20;
	uint64_t fwd = st().icmp_fwd;

	ASSERT_EQ(VERDICT_STOLEN, hook(m));
	EXPECT_EQ(fwd + 1, st().icmp_fwd);
	rte_mbuf *out = g_out.back();
	EXPECT_EQ(ip4(VIP), iph(out)->src_addr) << "from the VIP";
	EXPECT_EQ(ip4(CLI), iph(out)->dst_addr);
	auto *q = rte_pktmbuf_mtod_offset(out, rte_ipv4_hdr *, 28);
	EXPECT_EQ(ip4(CLI), q->src_addr);
	EXPECT_EQ(ip4(VIP), q->dst_addr) << "about client -> VIP";
	uint16_t ports[2];
	memcpy(ports, (uint8_t *)q + 20, 4);
	EXPECT_EQ(htons(80), ports[1]);
	EXPECT_EQ(0xffff, rte_raw_cksum(rte_pktmbuf_mtod_offset(out, void *, 20), 36));

	// an error about no conn is not ours
	m = rte_pktmbuf_copy(out, pool(), 0, UINT32_MAX);
	auto *q2 = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr *, 28);
	q2->dst_addr = ip4("10.9.9.9");
	EXPECT_EQ(VERDICT_ACCEPT, hook(m));
}

TEST_F(IpvsCore, FnatPortsOfThisWorker)
{
	// two workers: this lcore is index 1 of {5, 0}
	unsigned int ids[2] = {5, lcore};
	ASSERT_EQ(0, ipvs_set_workers(ids, 2));
	EXPECT_EQ(1, ipvs_worker_index(lcore));
	EXPECT_EQ(2u, ipvs_n_workers());
	add_service(IPVS_WIRE_FWD_FNAT);

	unsigned int made = 0;
	for (uint16_t cport = 1024; made < 8 && cport < 1200; cport++) {
		if (ipvs_owner_index(ip4(CLI), htons(cport), 2) != 1)
			continue;	// would be redirected to lcore 5
		ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, cport, 80, RTE_TCP_SYN_FLAG})));
		rte_mbuf *o = g_out.back();
		EXPECT_EQ(ip4(LADDR), iph(o)->src_addr);
		EXPECT_EQ(1u, ipvs_lport_owner_index(tcph(o)->src_port, 2))
			<< "local port " << ntohs(tcph(o)->src_port) << " names this worker";
		// the server's reply finds the conn by the local address and port
		tcp_pkt back = {iph(o)->dst_addr == ip4(RS1) ? RS1 : RS2, LADDR, 8080,
				ntohs(tcph(o)->src_port), RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG};
		ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp(back)));
		EXPECT_EQ(ip4(VIP), iph(g_out.back())->src_addr);
		EXPECT_EQ(htons(cport), tcph(g_out.back())->dst_port);
		made++;
	}
	EXPECT_EQ(8u, made);
}

TEST_F(IpvsCore, RedirectToOwnerOnce)
{
	unsigned int ids[2] = {5, lcore};	// lcore 5 has no redirect ring here
	ASSERT_EQ(0, ipvs_set_workers(ids, 2));
	add_service(IPVS_WIRE_FWD_MASQ);
	uint16_t cport = 1024;
	while (ipvs_owner_index(ip4(CLI), htons(cport), 2) != 0)
		cport++;
	uint64_t fail = st().redirect_fail;

	// owned by lcore 5: handed to netif_redirect (which has no ring: freed)
	EXPECT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, cport, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(fail + 1, st().redirect_fail);
	EXPECT_TRUE(g_out.empty());
	EXPECT_EQ(0u, conns());

	// a packet that was redirected already is never sent on again: the
	// lcore that got it handles it
	int bit = rte_mbuf_dynflag_lookup("dpvsd_ipvs_final", nullptr);
	ASSERT_GE(bit, 0);
	rte_mbuf *m = make_tcp({CLI, VIP, cport, 80, RTE_TCP_SYN_FLAG});
	m->ol_flags |= 1ULL << bit;
	EXPECT_EQ(VERDICT_STOLEN, hook(m));
	EXPECT_EQ(fail + 1, st().redirect_fail);
	ASSERT_EQ(1u, g_out.size());
	// rr on worker index 1 starts at the second dest (rotation offset)
	EXPECT_EQ(ip4(RS2), iph(g_out[0])->dst_addr);
	EXPECT_EQ(1u, conns());
}

TEST_F(IpvsCore, PersistentClientStaysOnOneWorkerAndServer)
{
	unsigned int ids[2] = {5, lcore};
	ASSERT_EQ(0, ipvs_set_workers(ids, 2));
	add_service(IPVS_WIRE_FWD_MASQ, 8080, 60);
	// the owner of a persistent client ignores its port
	const char *cli = nullptr;
	static const char *const cands[] = {"192.168.7.2", "192.168.7.3", "192.168.7.4",
					    "192.168.7.5", "192.168.7.6", "192.168.7.7"};
	for (const char *c : cands)
		if (ipvs_owner_index(ip4(c), 0, 2) == 1) {
			cli = c;
			break;
		}
	ASSERT_NE(nullptr, cli);
	uint64_t fail = st().redirect_fail;
	for (uint16_t cport = 2000; cport < 2010; cport++)
		ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({cli, VIP, cport, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(fail, st().redirect_fail) << "no conn of a persistent client left this worker";
	ASSERT_EQ(10u, g_out.size());
	for (auto *o : g_out)
		EXPECT_EQ(iph(g_out[0])->dst_addr, iph(o)->dst_addr) << "one server for the client";

	// a server's reply that is not here goes first to hash(client, port),
	// then to hash(client): marked final on the second hop
	uint16_t cport = 3000;
	while (ipvs_owner_index(ip4(cli), htons(cport), 2) != 0)
		cport++;
	EXPECT_EQ(VERDICT_STOLEN, hook(make_tcp({RS1, cli, 8080, cport, RTE_TCP_ACK_FLAG})));
	EXPECT_EQ(fail + 1, st().redirect_fail) << "first hop toward lcore 5";
	int hop1 = rte_mbuf_dynflag_lookup("dpvsd_ipvs_hop1", nullptr);
	ASSERT_GE(hop1, 0);
	rte_mbuf *m = make_tcp({RS1, cli, 8080, cport, RTE_TCP_ACK_FLAG});
	m->ol_flags |= 1ULL << hop1;
	EXPECT_EQ(VERDICT_ACCEPT, hook(m)) << "second hop is this lcore: no conn, not ours";
	EXPECT_EQ(fail + 1, st().redirect_fail);
}

// A fwmark service (ipvsadm -f 5) reached through the fwmark classifier:
// two ports of the VIP marked 5 both go to its real servers; a port with
// its own (af, proto, vip, vport) service keeps it; unmarked ports are not
// ours.
TEST_F(IpvsCore, FwmarkServiceThroughClassifier)
{
	ipvs_wire_svc_key k;
	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.fwmark = 5;
	svc_msg m = msg(SVC_OP_SVC_ADD, k);
	m.svc_id = 2;
	ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
	m = msg(SVC_OP_DEST_ADD, k);
	m.svc_id = 2;
	m.dest.af = AF_INET;
	m.dest.addr.in4 = ip4(RS1);
	m.dest.port = 9090;
	m.dest.fwd = IPVS_WIRE_FWD_MASQ;
	m.dest.weight = 1;
	ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
	add_service(IPVS_WIRE_FWD_MASQ);	// VIP:80 -> RS1/RS2:8080

	fwmark_wire_rule r;
	memset(&r, 0, sizeof(r));
	r.mark = 5;
	r.proto = IPPROTO_TCP;
	r.dst = ip4(VIP);
	r.dst_plen = 32;
	r.dport_lo = 80;
	r.dport_hi = 444;
	ASSERT_EQ(0, fwmark_flush());
	EXPECT_EQ(VERDICT_ACCEPT, hook(make_tcp({CLI, VIP, 40000, 443, RTE_TCP_SYN_FLAG})));
	ASSERT_EQ(0, fwmark_add(&r));

	for (uint16_t port : {443, 444}) {
		ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, port, RTE_TCP_SYN_FLAG})));
		ASSERT_FALSE(g_out.empty());
		EXPECT_EQ(ip4(RS1), iph(g_out.back())->dst_addr);
		EXPECT_EQ(htons(9090), tcph(g_out.back())->dst_port);
	}
	// port 80 has its own service: the exact match wins over the mark
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40002, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(htons(8080), tcph(g_out.back())->dst_port);
	EXPECT_EQ(VERDICT_ACCEPT, hook(make_tcp({CLI, VIP, 40000, 445, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(3u, conns());
	ASSERT_EQ(0, fwmark_flush());
}

// A full conn table refuses an FNAT SYN after the local address was picked:
// the address's conn count must not keep the refused conn.
TEST_F(IpvsCore, FnatRefusedConnGivesItsLocalAddressBack)
{
	conn_table_set(lcore, nullptr);
	conn_table_destroy(t);
	conn_table_params p = {64, 0};
	ASSERT_EQ(0, conn_table_create(&p, &t));
	ASSERT_EQ(0, conn_table_set(lcore, t));
	add_service(IPVS_WIRE_FWD_FNAT);
	union inet_addr va;
	memset(&va, 0, sizeof(va));
	va.in4 = ip4(VIP);
	ipvs_service *svc = ipvs_svc_lookup(AF_INET, IPPROTO_TCP, &va, htons(80), 0);
	ASSERT_NE(nullptr, svc);
	ASSERT_EQ(1u, svc->n_laddrs);

	uint64_t fail0 = st().conn_fail;
	uint16_t cport = 2000;
	while (st().conn_fail == fail0 && cport < 2200) {
		// established conns: a half-open one would give way (early drop)
		hook(make_tcp({CLI, VIP, cport, 80, RTE_TCP_SYN_FLAG}));
		hook(make_tcp({CLI, VIP, cport++, 80, RTE_TCP_ACK_FLAG, 1001}));
		for (auto *m : g_out)
			rte_pktmbuf_free(m);
		g_out.clear();
	}
	ASSERT_EQ(fail0 + 1, st().conn_fail) << "the table never filled up";
	EXPECT_EQ(conns(), svc->laddrs[0].conns);
	hook(make_tcp({CLI, VIP, cport++, 80, RTE_TCP_SYN_FLAG}));
	EXPECT_EQ(fail0 + 2, st().conn_fail);
	EXPECT_EQ(conns(), svc->laddrs[0].conns);
}

// Review issue 8: a FNAT conn was refused when the local address it took had
// no free port toward the server, although another address of the pool had.
TEST_F(IpvsCore, FnatTriesTheNextLocalAddress)
{
	struct RangeGuard {
		~RangeGuard() { xmit_fnat_set_port_range(1024, 65535); }
	} guard;
	ASSERT_EQ(0, xmit_fnat_set_port_range(2000, 2015));	// 16 ports
	add_service(IPVS_WIRE_FWD_FNAT);
	ipvs_wire_svc_key k = key(VIP, 80);
	svc_msg lm = msg(SVC_OP_LADDR_ADD, k);
	lm.laddr_af = AF_INET;
	lm.laddr.in4 = ip4("172.16.0.2");
	ASSERT_EQ(0, svc_lcore_apply(lcore, &lm));
	union inet_addr va;
	memset(&va, 0, sizeof(va));
	va.in4 = ip4(VIP);
	ipvs_service *svc = ipvs_svc_lookup(AF_INET, IPPROTO_TCP, &va, htons(80), 0);
	ASSERT_NE(nullptr, svc);
	ASSERT_EQ(2u, svc->n_laddrs);
	ASSERT_EQ(ip4(LADDR), svc->laddrs[0].addr.in4);
	// every port of the first local address is in use toward both servers
	for (uint32_t i = 0; i < svc->n_dests; i++)
		for (uint16_t port = 2000; port <= 2015; port++) {
			conn_param cp;
			memset(&cp, 0, sizeof(cp));
			cp.af = AF_INET;
			cp.proto = IPPROTO_TCP;
			cp.fwd = IPVS_FWD_FNAT;
			cp.caddr.in4 = ip4("192.168.9.9");
			cp.vaddr.in4 = ip4(VIP);
			cp.laddr.in4 = ip4(LADDR);
			cp.daddr = svc->dests[i]->addr;
			cp.cport = htons(port);
			cp.vport = htons(80);
			cp.lport = htons(port);
			cp.dport = svc->dests[i]->port;
			int err = 0;
			ASSERT_NE(nullptr, conn_new(t, &cp, svc->dests[i], nullptr, &err)) << err;
		}
	svc->laddr_next = 0;	// the next conn takes the first address first
	uint64_t fail0 = st().conn_fail;
	ASSERT_EQ(VERDICT_STOLEN, hook(make_tcp({CLI, VIP, 40000, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(fail0, st().conn_fail);
	ASSERT_EQ(1u, g_out.size());
	EXPECT_EQ(ip4("172.16.0.2"), iph(g_out[0])->src_addr) << "the second address";
	EXPECT_EQ(1u, svc->laddrs[0].conflicts);
	EXPECT_EQ(0u, svc->laddrs[1].conflicts);
	EXPECT_EQ(1u, svc->laddrs[1].conns);
	// with the second address full as well, the conn is refused
	for (uint32_t i = 0; i < svc->n_dests; i++)
		for (uint16_t port = 2000; port <= 2015; port++) {
			conn_param cp;
			memset(&cp, 0, sizeof(cp));
			cp.af = AF_INET;
			cp.proto = IPPROTO_TCP;
			cp.fwd = IPVS_FWD_FNAT;
			cp.caddr.in4 = ip4("192.168.9.10");
			cp.vaddr.in4 = ip4(VIP);
			cp.laddr.in4 = ip4("172.16.0.2");
			cp.daddr = svc->dests[i]->addr;
			cp.cport = htons(port);
			cp.vport = htons(80);
			cp.lport = htons(port);
			cp.dport = svc->dests[i]->port;
			int err = 0;
			if (port == ntohs(tcph(g_out[0])->src_port) &&
			    iph(g_out[0])->dst_addr == svc->dests[i]->addr.in4)
				continue;	// the conn made above holds it
			ASSERT_NE(nullptr, conn_new(t, &cp, svc->dests[i], nullptr, &err)) << err;
		}
	EXPECT_EQ(VERDICT_DROP, hook(make_tcp({CLI, VIP, 40001, 80, RTE_TCP_SYN_FLAG})));
	EXPECT_EQ(fail0 + 1, st().conn_fail);
	EXPECT_EQ(2u, svc->laddrs[0].conflicts);
	EXPECT_EQ(1u, svc->laddrs[1].conflicts);
}

namespace {

rte_mbuf *make_udp(const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	rte_mbuf *m = rte_pktmbuf_alloc(pool());
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, 32);

	memset(ip, 0, 32);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons(32);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = ip4(src);
	ip->dst_addr = ip4(dst);
	auto *uh = (rte_udp_hdr *)(ip + 1);
	uh->src_port = htons(sport);
	uh->dst_port = htons(dport);
	uh->dgram_len = htons(12);
	memcpy(uh + 1, "dnsq", 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	m->l3_len = 20;
	return m;
}

rte_udp_hdr *udph(rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, rte_udp_hdr *, 20);
}

}  // namespace

// One-packet scheduling (-o) in NAT: each client datagram is scheduled
// afresh even from one client port, each conn lives until its reply has
// been translated back; in DR the conn goes at once (replies bypass us).
TEST_F(IpvsCore, OnePacketNatKeepsConnUntilReply)
{
	for (uint8_t fwd : {(uint8_t)IPVS_WIRE_FWD_MASQ, (uint8_t)IPVS_WIRE_FWD_DR}) {
		ipvs_wire_svc_key k = key(VIP, 53, IPPROTO_UDP);
		svc_msg m = msg(SVC_OP_SVC_ADD, k);
		m.svc.flags = IPVS_WIRE_SVC_F_ONEPACKET;
		ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
		for (const char *rs : {RS1, RS2}) {
			m = msg(SVC_OP_DEST_ADD, k);
			m.dest.af = AF_INET;
			m.dest.addr.in4 = ip4(rs);
			m.dest.port = 53;
			m.dest.fwd = fwd;
			m.dest.weight = 1;
			ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
		}
		SCOPED_TRACE(fwd == IPVS_WIRE_FWD_DR ? "DR" : "NAT");
		size_t out0 = g_out.size();

		if (fwd == IPVS_WIRE_FWD_DR) {
			// no route to the servers here: dropped, but the conn goes all the same
			hook(make_udp(CLI, VIP, 40000, 53));
			EXPECT_EQ(0u, conns()) << "DR: OPS conn deleted after the packet";
		} else {
			ASSERT_EQ(VERDICT_STOLEN, hook(make_udp(CLI, VIP, 40000, 53)));
			ASSERT_EQ(VERDICT_STOLEN, hook(make_udp(CLI, VIP, 40000, 53)));
			ASSERT_EQ(out0 + 2, g_out.size());
			EXPECT_EQ(ip4(RS1), iph(g_out[out0])->dst_addr);
			EXPECT_EQ(ip4(RS2), iph(g_out[out0 + 1])->dst_addr) << "scheduled afresh";
			EXPECT_EQ(2u, conns()) << "both wait for their reply";
			// each server's reply is translated back and ends its conn
			ASSERT_EQ(VERDICT_STOLEN, hook(make_udp(RS2, CLI, 53, 40000)));
			EXPECT_EQ(ip4(VIP), iph(g_out.back())->src_addr);
			EXPECT_EQ(1u, conns());
			ASSERT_EQ(VERDICT_STOLEN, hook(make_udp(RS1, CLI, 53, 40000)));
			EXPECT_EQ(ip4(VIP), iph(g_out.back())->src_addr);
			EXPECT_EQ(htons(53), udph(g_out.back())->src_port);
			EXPECT_EQ(0u, conns());
		}
		m = msg(SVC_OP_SVC_DEL, k);
		ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
	}
}

namespace {

// A UDP datagram src:sport -> dst:443 carrying payload.
rte_mbuf *make_udp_payload(const char *src, uint16_t sport, const char *dst,
			   const std::vector<uint8_t> &payload)
{
	rte_mbuf *m = rte_pktmbuf_alloc(pool());
	uint16_t tot = (uint16_t)(28 + payload.size());
	auto *ip = (rte_ipv4_hdr *)rte_pktmbuf_append(m, tot);

	memset(ip, 0, tot);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = htons(tot);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = ip4(src);
	ip->dst_addr = ip4(dst);
	auto *uh = (rte_udp_hdr *)(ip + 1);
	uh->src_port = htons(sport);
	uh->dst_port = htons(443);
	uh->dgram_len = htons((uint16_t)(8 + payload.size()));
	memcpy(uh + 1, payload.data(), payload.size());
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uh->dgram_cksum = rte_ipv4_udptcp_cksum(ip, uh);
	m->l3_len = 20;
	return m;
}

}  // namespace

// conhash with --sched-flags hash-quic-cid: the datapath reads the DCID out
// of the packet, so one connection id reaches one server whatever the
// client address, and different ids from one address spread.
TEST_F(IpvsCore, ConhashQuicCidFromThePacket)
{
	ipvs_wire_svc_key k = key(VIP, 443, IPPROTO_UDP);
	svc_msg m = msg(SVC_OP_SVC_ADD, k);
	snprintf(m.svc.sched, sizeof(m.svc.sched), "conhash");
	m.svc.sched_flags = IPVS_WIRE_HASH_QUIC_CID << IPVS_WIRE_SCHED_F_KEY_SHIFT;
	ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
	for (const char *rs : {RS1, RS2}) {
		m = msg(SVC_OP_DEST_ADD, k);
		m.dest.af = AF_INET;
		m.dest.addr.in4 = ip4(rs);
		m.dest.port = 443;
		m.dest.fwd = IPVS_WIRE_FWD_MASQ;
		m.dest.weight = 1;
		ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
	}
	// short header, 8-byte DCID 0x5a..., from 16 client addresses
	std::vector<uint8_t> short_hdr = {0x41, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61,
					  0x00, 0x01, 0xde, 0xad};
	uint32_t first = 0;
	for (int i = 0; i < 16; i++) {
		char src[32];
		snprintf(src, sizeof(src), "192.168.%d.%d", 7 + i, 2 + 3 * i);
		size_t out0 = g_out.size();
		ASSERT_EQ(VERDICT_STOLEN, hook(make_udp_payload(src, 40000, VIP, short_hdr))) << src;
		ASSERT_EQ(out0 + 1, g_out.size());
		uint32_t d = iph(g_out.back())->dst_addr;
		if (i == 0)
			first = d;
		EXPECT_EQ(first, d) << "the same connection id from " << src;
	}
	// an Initial with the same 8 bytes as its DCID: the same server
	std::vector<uint8_t> initial = {0xc0, 0, 0, 0, 1, 8, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
					0x60, 0x61, 0, 0, 0x41, 0x00};
	ASSERT_EQ(VERDICT_STOLEN, hook(make_udp_payload("192.168.99.9", 1234, VIP, initial)));
	EXPECT_EQ(first, iph(g_out.back())->dst_addr) << "long header, same DCID";
	// 16 ids from one address (one port each): both servers get some
	bool seen[2] = {false, false};
	for (int i = 0; i < 16; i++) {
		short_hdr[1] = (uint8_t)(0x10 + 17 * i);
		short_hdr[4] = (uint8_t)(0x99 ^ (31 * i));
		ASSERT_EQ(VERDICT_STOLEN,
			  hook(make_udp_payload(CLI, (uint16_t)(41000 + i), VIP, short_hdr)));
		seen[iph(g_out.back())->dst_addr == ip4(RS1) ? 0 : 1] = true;
	}
	EXPECT_TRUE(seen[0] && seen[1]) << "ids, not the source address, decide";
	m = msg(SVC_OP_SVC_DEL, k);
	ASSERT_EQ(0, svc_lcore_apply(lcore, &m));
}
