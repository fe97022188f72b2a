// test_proto_tcp.cc - the IPVS TCP/UDP state tables (src/ipvs/proto*.c):
// walks of normal open/close, RST, simultaneous close, DR (in-only) flows,
// dest active/inactive accounting, and run-time timeouts.  No EAL needed.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dpvs_err.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "ipvs/service.h"

namespace {

const uint8_t SYN = PROTO_TCP_SYN, ACK = PROTO_TCP_ACK, FIN = PROTO_TCP_FIN | PROTO_TCP_ACK,
	      RST = PROTO_TCP_RST, SYNACK = PROTO_TCP_SYN | PROTO_TCP_ACK;
const enum proto_dir IN = PROTO_DIR_IN, OUT = PROTO_DIR_OUT;

struct Step {
	enum proto_dir dir;
	uint8_t flags;
	enum tcp_state want;
};

// A bare conn bound to a dest, as conn_new would leave it (inactive).
struct Conn {
	struct ipvs_dest *d;
	struct ipvs_conn c;
	Conn(uint16_t flags = 0)
	{
		union inet_addr a;
		memset(&a, 0, sizeof(a));
		d = dest_alloc(AF_INET, &a, htons(80), IPVS_FWD_NAT, 1);
		memset(&c, 0, sizeof(c));
		c.af = AF_INET;
		c.proto = IPPROTO_TCP;
		c.flags = CONN_F_INUSE | flags;
		c.state = TCP_S_NONE;
		c.dest = d;
		d->inactive_conns = 1;
	}
	~Conn() { free(d); }
	void walk(const std::vector<Step> &steps)
	{
		for (size_t i = 0; i < steps.size(); i++) {
			unsigned int s = proto_conn_update(&c, steps[i].dir, steps[i].flags);
			ASSERT_EQ((unsigned)steps[i].want, s)
				<< "step " << i << ": got " << proto_state_name(IPPROTO_TCP, s)
				<< ", want " << proto_state_name(IPPROTO_TCP, steps[i].want);
			ASSERT_EQ(s, c.state);
			bool active = s == TCP_S_ESTABLISHED;
			ASSERT_EQ(active ? 1u : 0u, d->active_conns) << "step " << i;
			ASSERT_EQ(active ? 0u : 1u, d->inactive_conns) << "step " << i;
		}
	}
};

} // namespace

TEST(ProtoTcp, EventsFromFlags)
{
	EXPECT_EQ(TCP_E_SYN, proto_tcp_event(SYN));
	EXPECT_EQ(TCP_E_SYN, proto_tcp_event(SYNACK));	// as IPVS: a SYN-ACK is a SYN
	EXPECT_EQ(TCP_E_ACK, proto_tcp_event(ACK));
	EXPECT_EQ(TCP_E_NONE, proto_tcp_event(0));
	EXPECT_EQ(TCP_E_NONE, proto_tcp_event(0x08));	// PSH alone
	EXPECT_EQ(TCP_E_FIN, proto_tcp_event(FIN));
	EXPECT_EQ(TCP_E_RST, proto_tcp_event(RST | ACK));
	EXPECT_EQ(TCP_E_RST, proto_tcp_event(RST | SYN));
}

TEST(ProtoTcp, NormalOpenClientCloses)
{
	Conn k;
	// IPVS's names: the client's FIN first is CLOSE_WAIT, both FINs TIME_WAIT
	k.walk({
		{IN, SYN, TCP_S_SYN_RECV},
		{OUT, SYNACK, TCP_S_SYN_RECV},
		{IN, ACK, TCP_S_ESTABLISHED},
		{IN, ACK, TCP_S_ESTABLISHED},
		{OUT, ACK, TCP_S_ESTABLISHED},
		{IN, FIN, TCP_S_CLOSE_WAIT},
		{OUT, ACK, TCP_S_CLOSE_WAIT},
		{OUT, FIN, TCP_S_TIME_WAIT},
		{IN, ACK, TCP_S_TIME_WAIT},
	});
}

TEST(ProtoTcp, ServerClosesFirst)
{
	Conn k;
	k.walk({
		{IN, SYN, TCP_S_SYN_RECV},
		{OUT, SYNACK, TCP_S_SYN_RECV},
		{IN, ACK, TCP_S_ESTABLISHED},
		{OUT, FIN, TCP_S_FIN_WAIT},
		{IN, ACK, TCP_S_FIN_WAIT},
		{IN, FIN, TCP_S_TIME_WAIT},
		{OUT, ACK, TCP_S_TIME_WAIT},
	});
}

TEST(ProtoTcp, SimultaneousClose)
{
	Conn k;
	k.walk({
		{IN, SYN, TCP_S_SYN_RECV},
		{OUT, SYNACK, TCP_S_SYN_RECV},
		{IN, ACK, TCP_S_ESTABLISHED},
		{IN, FIN, TCP_S_CLOSE_WAIT},
		{OUT, FIN, TCP_S_TIME_WAIT},
		{OUT, ACK, TCP_S_TIME_WAIT},
		{IN, ACK, TCP_S_TIME_WAIT},
	});
}

TEST(ProtoTcp, ResetFromEitherSide)
{
	Conn a, b, c;
	a.walk({{IN, SYN, TCP_S_SYN_RECV}, {OUT, RST, TCP_S_CLOSE}});	// port closed
	b.walk({{IN, SYN, TCP_S_SYN_RECV}, {OUT, SYNACK, TCP_S_SYN_RECV},
		{IN, ACK, TCP_S_ESTABLISHED}, {IN, RST, TCP_S_CLOSE}});
	// a new SYN on the closed tuple starts over
	c.walk({{IN, SYN, TCP_S_SYN_RECV}, {OUT, SYNACK, TCP_S_SYN_RECV},
		{IN, ACK, TCP_S_ESTABLISHED}, {OUT, RST | ACK, TCP_S_CLOSE},
		{IN, SYN, TCP_S_SYN_RECV}});
}

// Review issue 8: a client SYN on an established conn moved it to SYN_RECV
// (30 s, inactive).  IPVS keeps it ESTABLISHED, with its 900 s timeout.
TEST(ProtoTcp, ClientSynKeepsEstablished)
{
	proto_timeout_reset();
	Conn k;
	k.walk({{IN, SYN, TCP_S_SYN_RECV}, {OUT, SYNACK, TCP_S_SYN_RECV},
		{IN, ACK, TCP_S_ESTABLISHED}, {IN, SYN, TCP_S_ESTABLISHED},
		{IN, SYNACK, TCP_S_ESTABLISHED}, {OUT, SYN, TCP_S_ESTABLISHED},
		{IN, ACK, TCP_S_ESTABLISHED}});
	EXPECT_EQ(900u, proto_timeout_get(IPPROTO_TCP, k.c.state));
	Conn dr(CONN_F_IN_ONLY);
	dr.walk({{IN, SYN, TCP_S_SYN_RECV}, {IN, ACK, TCP_S_ESTABLISHED},
		 {IN, SYN, TCP_S_ESTABLISHED}});
}

// Review issue 8: a client RST in SYN_RECV closed the conn; in IPVS only the
// server's RST closes a half-open conn.
TEST(ProtoTcp, ClientRstKeepsSynRecv)
{
	Conn k, dr(CONN_F_IN_ONLY);
	k.walk({{IN, SYN, TCP_S_SYN_RECV}, {IN, RST, TCP_S_SYN_RECV},
		{OUT, SYNACK, TCP_S_SYN_RECV}, {IN, RST | ACK, TCP_S_SYN_RECV},
		{OUT, RST, TCP_S_CLOSE}});
	dr.walk({{IN, SYN, TCP_S_SYN_RECV}, {IN, RST, TCP_S_SYN_RECV},
		 {IN, ACK, TCP_S_ESTABLISHED}, {IN, RST, TCP_S_CLOSE}});
}

TEST(ProtoTcp, SegmentWithoutFlagsMovesNothing)
{
	Conn k;
	k.walk({{IN, SYN, TCP_S_SYN_RECV}, {IN, 0, TCP_S_SYN_RECV}, {OUT, 0, TCP_S_SYN_RECV},
		{IN, ACK, TCP_S_ESTABLISHED}, {OUT, 0x08, TCP_S_ESTABLISHED}});
}

TEST(ProtoTcp, RetransmittedSynKeepsHandshake)
{
	Conn k;
	k.walk({{IN, SYN, TCP_S_SYN_RECV}, {IN, SYN, TCP_S_SYN_RECV},
		{OUT, SYNACK, TCP_S_SYN_RECV}, {OUT, SYNACK, TCP_S_SYN_RECV},
		{IN, SYN, TCP_S_SYN_RECV}, {IN, ACK, TCP_S_ESTABLISHED}});
}

TEST(ProtoTcp, InOnlyForDirectRouting)
{
	Conn k(CONN_F_IN_ONLY);
	// proto_conn_update turns IN into IN_ONLY for DR/TUNNEL conns
	k.walk({{IN, SYN, TCP_S_SYN_RECV}, {IN, ACK, TCP_S_ESTABLISHED},
		{IN, ACK, TCP_S_ESTABLISHED}, {IN, FIN, TCP_S_FIN_WAIT},
		{IN, ACK, TCP_S_FIN_WAIT}, {IN, RST, TCP_S_CLOSE}});
	EXPECT_EQ(TCP_S_ESTABLISHED, proto_tcp_next(PROTO_DIR_IN_ONLY, TCP_E_ACK, TCP_S_SYN_RECV));
}

TEST(ProtoTcp, EveryCellIsAState)
{
	for (int d = 0; d < PROTO_DIR_MAX; d++)
		for (int e = 0; e < TCP_E_MAX; e++)
			for (int s = 0; s < TCP_S_MAX; s++) {
				enum tcp_state n = proto_tcp_next((enum proto_dir)d, (enum tcp_event)e,
								  (enum tcp_state)s);
				ASSERT_LT((int)n, TCP_S_MAX);
				if (e == TCP_E_NONE) {
					ASSERT_EQ(s, (int)n);
				}
			}
	// cells that differ from our old table, as IPVS has them
	EXPECT_EQ(TCP_S_ESTABLISHED, proto_tcp_next(IN, TCP_E_SYN, TCP_S_ESTABLISHED));
	EXPECT_EQ(TCP_S_SYN_RECV, proto_tcp_next(IN, TCP_E_RST, TCP_S_SYN_RECV));
	EXPECT_EQ(TCP_S_CLOSE, proto_tcp_next(OUT, TCP_E_RST, TCP_S_SYN_RECV));
	EXPECT_EQ(TCP_S_SYN_RECV, proto_tcp_next(OUT, TCP_E_SYN, TCP_S_SYN_RECV));
	EXPECT_EQ(TCP_S_CLOSE, proto_tcp_next(PROTO_DIR_MAX, TCP_E_ACK, TCP_S_NONE));
	EXPECT_EQ(TCP_S_CLOSE, proto_tcp_next(PROTO_DIR_IN, TCP_E_MAX, TCP_S_NONE));
}

TEST(ProtoTcp, NamesAndRegistry)
{
	EXPECT_STREQ("ESTABLISHED", proto_state_name(IPPROTO_TCP, TCP_S_ESTABLISHED));
	EXPECT_STREQ("TIME_WAIT", proto_state_name(IPPROTO_TCP, TCP_S_TIME_WAIT));
	EXPECT_STREQ("SYNACK", proto_state_name(IPPROTO_TCP, TCP_S_SYNACK));
	EXPECT_STREQ("?", proto_state_name(IPPROTO_TCP, TCP_S_MAX));
	EXPECT_STREQ("UDP", proto_state_name(IPPROTO_UDP, UDP_S_NORMAL));
	EXPECT_STREQ("?", proto_state_name(IPPROTO_ICMP, 0));
	ASSERT_NE(nullptr, proto_get(IPPROTO_TCP));
	EXPECT_EQ(IPPROTO_TCP, proto_get(IPPROTO_TCP)->proto);
	EXPECT_EQ(nullptr, proto_get(IPPROTO_ICMP));	/* SCTP: test_proto_sctp.cc */
}

TEST(ProtoTcp, DefaultTimeouts)
{
	proto_timeout_reset();
	EXPECT_EQ(900u, proto_timeout_get(IPPROTO_TCP, TCP_S_ESTABLISHED));
	EXPECT_EQ(120u, proto_timeout_get(IPPROTO_TCP, TCP_S_FIN_WAIT));
	EXPECT_EQ(30u, proto_timeout_get(IPPROTO_TCP, TCP_S_SYN_RECV));
	EXPECT_EQ(10u, proto_timeout_get(IPPROTO_TCP, TCP_S_CLOSE));
	EXPECT_EQ(120u, proto_timeout_get(IPPROTO_TCP, TCP_S_TIME_WAIT));
	EXPECT_EQ(300u, proto_timeout_get(IPPROTO_UDP, UDP_S_NORMAL));
	for (int s = 0; s < TCP_S_MAX; s++)
		EXPECT_GT(proto_timeout_get(IPPROTO_TCP, s), 0u) << s;
	EXPECT_EQ(0u, proto_timeout_get(IPPROTO_TCP, TCP_S_MAX));
	EXPECT_EQ(0u, proto_timeout_get(IPPROTO_ICMP, 0));
}

TEST(ProtoTcp, SetTimeoutsLikeIpvsadm)
{
	proto_timeout_reset();
	ASSERT_EQ(0, proto_timeout_set_ipvsadm(3600, 0, 60));	// 0: unchanged
	uint32_t tcp, fin, udp;
	proto_timeout_get_ipvsadm(&tcp, &fin, &udp);
	EXPECT_EQ(3600u, tcp);
	EXPECT_EQ(120u, fin);
	EXPECT_EQ(60u, udp);
	EXPECT_EQ(EDPVS_RANGE, proto_timeout_set_ipvsadm(PROTO_TIMEOUT_MAX + 1, 5, 5));
	proto_timeout_get_ipvsadm(&tcp, &fin, &udp);
	EXPECT_EQ(120u, fin);	// nothing changed on error
	EXPECT_EQ(0, proto_timeout_set(IPPROTO_TCP, TCP_S_CLOSE, 3));
	EXPECT_EQ(3u, proto_timeout_get(IPPROTO_TCP, TCP_S_CLOSE));
	EXPECT_EQ(EDPVS_RANGE, proto_timeout_set(IPPROTO_TCP, TCP_S_CLOSE, 0));
	EXPECT_EQ(EDPVS_INVAL, proto_timeout_set(IPPROTO_TCP, TCP_S_MAX, 5));
	EXPECT_EQ(EDPVS_INVAL, proto_timeout_set(IPPROTO_ICMP, 0, 5));
	proto_timeout_reset();
	EXPECT_EQ(900u, proto_timeout_get(IPPROTO_TCP, TCP_S_ESTABLISHED));
	EXPECT_EQ(10u, proto_timeout_get(IPPROTO_TCP, TCP_S_CLOSE));
}

TEST(ProtoUdp, OneStateInactive)
{
	Conn k;
	k.c.proto = IPPROTO_UDP;
	k.c.state = UDP_S_NORMAL;
	EXPECT_EQ((unsigned)UDP_S_NORMAL, proto_conn_update(&k.c, PROTO_DIR_IN, 0));
	EXPECT_EQ((unsigned)UDP_S_NORMAL, proto_conn_update(&k.c, PROTO_DIR_OUT, 0xff));
	EXPECT_EQ(0u, k.d->active_conns);
	EXPECT_EQ(1u, k.d->inactive_conns);
	EXPECT_FALSE(proto_get(IPPROTO_UDP)->state_active(UDP_S_NORMAL));
}

TEST(ProtoTcp, AccountingDrivesOverload)
{
	Conn k;
	k.d->flags |= DEST_F_AVAILABLE;
	k.d->u_threshold = 1;
	dest_update_overload(k.d);
	EXPECT_FALSE(dest_usable(k.d));	// 1 inactive conn >= 1
	k.walk({{IN, SYN, TCP_S_SYN_RECV}, {OUT, SYNACK, TCP_S_SYN_RECV}, {IN, ACK, TCP_S_ESTABLISHED}});
	EXPECT_FALSE(dest_usable(k.d));	// still 1 conn
	k.d->u_threshold = 2;	// 1 conn is not below 3/4 of 2: hysteresis keeps it
	dest_update_overload(k.d);
	EXPECT_FALSE(dest_usable(k.d));
	k.d->u_threshold = 4;
	dest_update_overload(k.d);
	EXPECT_TRUE(dest_usable(k.d));
}
