// test_conn.cc - the per-lcore IPVS connection table (src/ipvs/conn.c):
// both-direction lookup, expiry by timer (test clock), full table refused,
// flush, chunked iteration, persistence templates, dest lifetime, memory per
// conn, and a 1M-conn insert+lookup run (no timing asserts).  Runs on lcore
// 0 with the EAL up (the timer wheels need it).
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "cfg.h"
#include "dpvs_err.h"
#include "job.h"
#include "test_eal.h"
#include "timer.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "ipvs/sched.h"
#include "ipvs/service.h"

namespace {

uint64_t g_now;
uint64_t fake_clock(void) { return g_now; }

union inet_addr v4(uint32_t host)
{
	union inet_addr a;
	memset(&a, 0, sizeof(a));
	a.in4 = htonl(host);
	return a;
}

const uint32_t CLIENT = 0x01020304, VIP = 0xc0a80001, LIP = 0x0a0000fe, RS = 0x0a000001;

int g_released;
void count_release(struct ipvs_conn *) { g_released++; }

class ConnTest : public ::testing::Test {
protected:
	struct conn_table *t = nullptr;
	struct ipvs_service *svc = nullptr;
	struct ipvs_dest *d = nullptr;

	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		ASSERT_EQ(0, job_init());
		timer_set_clock(nullptr);
		g_now = timer_now_us();
		timer_set_clock(fake_clock);
		ASSERT_EQ(0, timer_init());
		proto_timeout_reset();
		make_table(1024);
		union inet_addr vip = v4(VIP), rs = v4(RS);
		svc = svc_alloc(AF_INET, IPPROTO_TCP, &vip, htons(80), 0);
		ASSERT_EQ(0, sched_bind(svc, sched_lookup("rr")));
		d = dest_alloc(AF_INET, &rs, htons(8080), IPVS_FWD_FNAT, 1);
		ASSERT_EQ(0, svc_dest_attach(svc, d));
		g_released = 0;
		conn_set_release_hook(count_release);
	}
	void TearDown() override
	{
		conn_set_release_hook(nullptr);
		conn_table_destroy(t);
		if (svc) {
			svc_flush_dests(svc);
			svc_put(svc);
		}
		timer_term();
		timer_set_clock(nullptr);
	}
	void make_table(uint32_t max, uint32_t buckets = 0)
	{
		conn_table_destroy(t);
		t = nullptr;
		struct conn_table_params p = {max, buckets};
		ASSERT_EQ(0, conn_table_create(&p, &t));
	}
	// Advance the test clock and fire what is due.
	static unsigned advance_s(double s)
	{
		g_now += (uint64_t)(s * 1e6);
		unsigned n, total = 0;
		while ((n = timer_manage(0)) > 0)
			total += n;
		return total;
	}
	struct conn_param fnat(uint32_t client, uint16_t cport, uint16_t lport)
	{
		struct conn_param p;
		memset(&p, 0, sizeof(p));
		p.af = AF_INET;
		p.proto = IPPROTO_TCP;
		p.fwd = IPVS_FWD_FNAT;
		p.caddr = v4(client);
		p.vaddr = v4(VIP);
		p.laddr = v4(LIP);
		p.daddr = v4(RS);
		p.cport = htons(cport);
		p.vport = htons(80);
		p.lport = htons(lport);
		p.dport = htons(8080);
		return p;
	}
	struct ipvs_conn *add(uint32_t client, uint16_t cport, uint16_t lport, int *err = nullptr)
	{
		int e = 0;
		struct conn_param p = fnat(client, cport, lport);
		struct ipvs_conn *c = conn_new(t, &p, d, nullptr, &e);
		if (err)
			*err = e;
		return c;
	}
	struct ipvs_conn *in(uint32_t client, uint16_t cport, enum conn_dir *dir = nullptr)
	{
		union inet_addr s = v4(client), dst = v4(VIP);
		return conn_lookup(t, AF_INET, IPPROTO_TCP, &s, htons(cport), &dst, htons(80), dir);
	}
	struct ipvs_conn *out(uint16_t lport, enum conn_dir *dir = nullptr)
	{
		union inet_addr s = v4(RS), dst = v4(LIP);
		return conn_lookup(t, AF_INET, IPPROTO_TCP, &s, htons(8080), &dst, htons(lport), dir);
	}
	// Walk c to ESTABLISHED / SYN_RECV as the datapath would, re-armed.
	void establish(struct ipvs_conn *c)
	{
		proto_conn_update(c, PROTO_DIR_IN, PROTO_TCP_SYN);
		proto_conn_update(c, PROTO_DIR_IN, PROTO_TCP_ACK);
		ASSERT_EQ(TCP_S_ESTABLISHED, c->state);
		ASSERT_EQ(0, conn_touch(t, c));
	}
	void half_open(struct ipvs_conn *c)
	{
		proto_conn_update(c, PROTO_DIR_IN, PROTO_TCP_SYN);
		ASSERT_EQ(TCP_S_SYN_RECV, c->state);
		ASSERT_EQ(0, conn_touch(t, c));
	}
	struct conn_stats stats()
	{
		struct conn_stats s;
		conn_table_stats(t, &s);
		return s;
	}
};

} // namespace

// The process's mapped memory (VmSize of /proc/self/status), in bytes.
static uint64_t vm_size_bytes()
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long kb = 0;

	if (f == nullptr)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

TEST_F(ConnTest, MemoryPerConnection)
{
	// the pool entry includes both hash nodes and the timer; buckets add 4
	// bytes each (one bucket per conn by default)
	EXPECT_EQ(sizeof(struct ipvs_conn) + 4, conn_table_bytes_per_conn(t));
	make_table(1024, 256);
	EXPECT_EQ(sizeof(struct ipvs_conn) + 1, conn_table_bytes_per_conn(t));

	// Against the kernel's count, not the table's own arithmetic: what
	// creating a table of 2^18 conns with 2^22 buckets maps (pool 38 MB,
	// buckets 16 MB, each rounded up to 2 MB) is bytes_per_conn * max_conns
	// plus less than the two roundings.  (Leaving the buckets out of
	// bytes_per_conn would be 16 MB off, a pool twice too big 38 MB.)
	const uint32_t n = 1u << 18;
	conn_table_destroy(t);
	t = nullptr;
	uint64_t before = vm_size_bytes();
	struct conn_table_params p = {n, 1u << 22};
	ASSERT_EQ(0, conn_table_create(&p, &t));
	uint64_t mapped = vm_size_bytes() - before;
	uint64_t claimed = (uint64_t)conn_table_bytes_per_conn(t) * n;
	ASSERT_NE(0u, before);
	EXPECT_GE(mapped, claimed);
	EXPECT_LT(mapped, claimed + (4u << 20));
	printf("[   INFO   ] sizeof(struct ipvs_conn) = %zu, bytes per conn = %u, "
	       "%u conns map %llu bytes\n", sizeof(struct ipvs_conn), conn_table_bytes_per_conn(t),
	       n, (unsigned long long)mapped);
}

TEST_F(ConnTest, BadParams)
{
	struct conn_table *x = nullptr;
	struct conn_table_params p = {0, 0};
	EXPECT_EQ(EDPVS_INVAL, conn_table_create(&p, &x));
	p = {100, 100};	// buckets not a power of two
	EXPECT_EQ(EDPVS_INVAL, conn_table_create(&p, &x));
	p = {CONN_MAX_CONNS + 1, 0};
	EXPECT_EQ(EDPVS_INVAL, conn_table_create(&p, &x));
	int err = 0;
	struct conn_param cp = fnat(CLIENT, 1000, 5000);
	cp.proto = IPPROTO_ICMP;
	EXPECT_EQ(nullptr, conn_new(t, &cp, d, nullptr, &err));
	EXPECT_EQ(EDPVS_INVAL, err);
	cp = fnat(CLIENT, 1000, 5000);
	EXPECT_EQ(nullptr, conn_new(t, &cp, nullptr, nullptr, &err));
	EXPECT_EQ(0u, stats().count);
}

TEST_F(ConnTest, LookupBothDirections)
{
	struct ipvs_conn *c = add(CLIENT, 40000, 5000);
	ASSERT_NE(nullptr, c);
	enum conn_dir dir = CONN_DIR_MAX;
	EXPECT_EQ(c, in(CLIENT, 40000, &dir));
	EXPECT_EQ(CONN_DIR_IN, dir);
	EXPECT_EQ(c, out(5000, &dir));
	EXPECT_EQ(CONN_DIR_OUT, dir);
	EXPECT_EQ(nullptr, in(CLIENT, 40001));
	EXPECT_EQ(nullptr, in(CLIENT + 1, 40000));
	EXPECT_EQ(nullptr, out(5001));
	union inet_addr s = v4(CLIENT), dst = v4(VIP);
	EXPECT_EQ(nullptr, conn_lookup(t, AF_INET, IPPROTO_UDP, &s, htons(40000), &dst, htons(80),
				       nullptr));
	// counters on the dest and service
	EXPECT_EQ(1u, d->inactive_conns);
	EXPECT_EQ(0u, d->active_conns);
	EXPECT_EQ(2u, d->refcnt);
	EXPECT_EQ(1u, d->stats.conns);
	EXPECT_EQ(1u, svc->stats.conns);
	EXPECT_EQ(TCP_S_NONE, c->state);
	EXPECT_EQ(1u, stats().count);
	EXPECT_EQ(1u, stats().created);
}

TEST_F(ConnTest, NatOutTupleIsTheClient)
{
	struct conn_param p = fnat(CLIENT, 40000, 0);
	p.fwd = IPVS_FWD_NAT;
	p.laddr = p.caddr;
	p.lport = p.cport;
	int err;
	struct ipvs_conn *c = conn_new(t, &p, d, nullptr, &err);
	ASSERT_NE(nullptr, c);
	union inet_addr rs = v4(RS), cl = v4(CLIENT);
	enum conn_dir dir;
	EXPECT_EQ(c, conn_lookup(t, AF_INET, IPPROTO_TCP, &rs, htons(8080), &cl, htons(40000), &dir));
	EXPECT_EQ(CONN_DIR_OUT, dir);
}

TEST_F(ConnTest, Ipv6)
{
	struct conn_param p;
	memset(&p, 0, sizeof(p));
	p.af = AF_INET6;
	p.proto = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::1", p.caddr.in6);
	inet_pton(AF_INET6, "2001:db8::100", p.vaddr.in6);
	inet_pton(AF_INET6, "2001:db8::fe", p.laddr.in6);
	inet_pton(AF_INET6, "2001:db8::a", p.daddr.in6);
	p.cport = htons(1);
	p.vport = htons(53);
	p.lport = htons(2);
	p.dport = htons(53);
	int err;
	struct ipvs_conn *c = conn_new(t, &p, d, nullptr, &err);
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(c, conn_lookup(t, AF_INET6, IPPROTO_UDP, &p.caddr, p.cport, &p.vaddr, p.vport, nullptr));
	EXPECT_EQ(c, conn_lookup(t, AF_INET6, IPPROTO_UDP, &p.daddr, p.dport, &p.laddr, p.lport, nullptr));
	union inet_addr other = p.caddr;
	other.in6[15] ^= 1;
	EXPECT_EQ(nullptr, conn_lookup(t, AF_INET6, IPPROTO_UDP, &other, p.cport, &p.vaddr, p.vport, nullptr));
	EXPECT_EQ(nullptr, conn_lookup(t, AF_INET, IPPROTO_UDP, &p.caddr, p.cport, &p.vaddr, p.vport, nullptr));
	EXPECT_EQ(300u, conn_timeout(c));
}

TEST_F(ConnTest, ExpiresByTimerWithStateTimeouts)
{
	struct ipvs_conn *c = add(CLIENT, 40000, 5000);
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(2u, conn_timeout(c));	// NONE
	advance_s(1.5);
	ASSERT_EQ(c, in(CLIENT, 40000));
	// handshake: the datapath moves the state and re-arms
	proto_conn_update(c, PROTO_DIR_IN, PROTO_TCP_SYN);
	proto_conn_update(c, PROTO_DIR_OUT, PROTO_TCP_SYN | PROTO_TCP_ACK);
	proto_conn_update(c, PROTO_DIR_IN, PROTO_TCP_ACK);
	ASSERT_EQ(0, conn_touch(t, c));
	EXPECT_EQ(1u, d->active_conns);
	EXPECT_EQ(0u, d->inactive_conns);
	EXPECT_EQ(900u, conn_timeout(c));
	advance_s(899);
	ASSERT_EQ(c, in(CLIENT, 40000));
	EXPECT_EQ(0, g_released);
	advance_s(2);
	EXPECT_EQ(nullptr, in(CLIENT, 40000));
	EXPECT_EQ(nullptr, out(5000));
	EXPECT_EQ(1u, stats().expired);
	EXPECT_EQ(0u, stats().count);
	EXPECT_EQ(0u, d->active_conns);
	EXPECT_EQ(1u, d->refcnt);
	EXPECT_EQ(1, g_released);
}

TEST_F(ConnTest, RuntimeTimeoutChangeAppliesOnNextTouch)
{
	struct ipvs_conn *c = add(CLIENT, 40000, 5000);
	proto_conn_update(c, PROTO_DIR_IN, PROTO_TCP_ACK);	// mid-stream: ESTABLISHED
	ASSERT_EQ(0, proto_timeout_set_ipvsadm(10, 0, 0));
	ASSERT_EQ(0, conn_touch(t, c));
	advance_s(9);
	EXPECT_NE(nullptr, in(CLIENT, 40000));
	advance_s(2);
	EXPECT_EQ(nullptr, in(CLIENT, 40000));
	proto_timeout_reset();
}

TEST_F(ConnTest, FullTableRefusedNeverCrashes)
{
	make_table(64);
	std::vector<struct ipvs_conn *> cs;
	for (int i = 0; i < 64; i++) {
		cs.push_back(add(CLIENT, (uint16_t)(1000 + i), (uint16_t)(5000 + i)));
		ASSERT_NE(nullptr, cs.back()) << i;
		establish(cs.back());	// nothing half-open can give way
	}
	int err = 0;
	EXPECT_EQ(nullptr, add(CLIENT, 2000, 6000, &err));
	EXPECT_EQ(EDPVS_NOROOM, err);
	EXPECT_EQ(nullptr, add(CLIENT, 2001, 6001, &err));
	EXPECT_EQ(2u, stats().full);
	EXPECT_EQ(0u, stats().early_drop);
	EXPECT_EQ(64u, stats().count);
	EXPECT_EQ(64u, d->active_conns);
	conn_del(t, cs[10]);
	EXPECT_EQ(nullptr, in(CLIENT, 1010));
	EXPECT_NE(nullptr, add(CLIENT, 2000, 6000, &err));
	EXPECT_NE(nullptr, in(CLIENT, 2000));
	EXPECT_EQ(1u, stats().deleted);
	// every other conn is still found after churn
	for (int i = 0; i < 64; i++) {
		if (i != 10) {
			EXPECT_EQ(cs[i], out((uint16_t)(5000 + i)));
		}
	}
}

// Review issue 8: a table full of half-open conns refused every new conn.
// Now the half-open conn that expires first among the next 32 slots gives
// way; established conns never do.
TEST_F(ConnTest, HalfOpenGiveWayWhenFull)
{
	make_table(64);
	std::vector<struct ipvs_conn *> cs;
	for (int i = 0; i < 64; i++) {
		advance_s(0.1);
		cs.push_back(add(CLIENT, (uint16_t)(1000 + i), (uint16_t)(5000 + i)));
		ASSERT_NE(nullptr, cs.back()) << i;
		if (i < 16)
			establish(cs.back());
		else
			half_open(cs.back());	// SYN_RECV, armed 30 s from now
	}
	EXPECT_EQ(16u, d->active_conns);
	EXPECT_EQ(48u, d->inactive_conns);
	int err = 0, released = g_released;
	// slots 0..31 are looked at: the oldest half-open one is slot 16
	struct ipvs_conn *n1 = add(CLIENT, 2000, 6000, &err);
	ASSERT_NE(nullptr, n1) << dpvs_strerror(err);
	EXPECT_EQ(1u, stats().early_drop);
	EXPECT_EQ(0u, stats().full);
	EXPECT_EQ(nullptr, in(CLIENT, 1016)) << "the oldest half-open conn went";
	EXPECT_EQ(nullptr, out(5016));
	EXPECT_EQ(released + 1, g_released) << "its release hook ran";
	half_open(n1);
	// the hand moved on: slots 32..63, the oldest there is slot 32
	struct ipvs_conn *n2 = add(CLIENT, 2001, 6001, &err);
	ASSERT_NE(nullptr, n2);
	EXPECT_EQ(nullptr, in(CLIENT, 1032));
	EXPECT_EQ(2u, stats().early_drop);
	EXPECT_EQ(64u, stats().count);
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(cs[i], in(CLIENT, (uint16_t)(1000 + i))) << "established conn " << i;
	EXPECT_EQ(16u, d->active_conns);
	EXPECT_EQ(48u, d->inactive_conns);
	// with only established conns left, new ones are refused (both windows)
	for (int i = 16; i < 64; i++)
		if (in(CLIENT, (uint16_t)(1000 + i)))
			establish(cs[i]);
	establish(n1);
	establish(n2);
	EXPECT_EQ(nullptr, add(CLIENT, 3000, 7000, &err));
	EXPECT_EQ(EDPVS_NOROOM, err);
	EXPECT_EQ(nullptr, add(CLIENT, 3001, 7001, &err));
	EXPECT_EQ(2u, stats().early_drop);
	EXPECT_EQ(2u, stats().full);
	EXPECT_EQ(64u, d->active_conns);
}

// Review issue 8: conn_free ignored timer_cancel's error, so a conn freed by
// a thread that does not own its timer went back to the pool while its
// wheel still linked it (the timer then freed it a second time).
TEST_F(ConnTest, DeleteFromAnotherThreadLeavesTheConnToItsTimer)
{
	struct ipvs_conn *c = add(CLIENT, 40000, 5000);
	ASSERT_NE(nullptr, c);
	int rc = 0;
	std::thread other([&] { rc = conn_del(t, c); });	// not an EAL lcore
	other.join();
	EXPECT_EQ(EDPVS_INVAL, rc);
	EXPECT_EQ(1u, stats().cancel_err);
	EXPECT_EQ(0u, stats().deleted);
	EXPECT_EQ(c, in(CLIENT, 40000)) << "left in place, still hashed";
	EXPECT_EQ(1u, stats().count);
	EXPECT_EQ(1u, d->inactive_conns);
	EXPECT_EQ(0, g_released);
	// its timer frees it, once, on its own lcore
	advance_s(proto_timeout_get(IPPROTO_TCP, TCP_S_NONE) + 1);
	EXPECT_EQ(1u, stats().expired);
	EXPECT_EQ(0u, stats().count);
	EXPECT_EQ(nullptr, in(CLIENT, 40000));
	EXPECT_EQ(1, g_released);
	EXPECT_EQ(0u, d->inactive_conns);
	advance_s(1000);
	EXPECT_EQ(1u, stats().expired);
	EXPECT_EQ(0u, stats().count);
	// the owner deletes normally
	c = add(CLIENT, 40001, 5001);
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(0, conn_del(t, c));
	EXPECT_EQ(1u, stats().deleted);
	EXPECT_EQ(0, conn_del(t, c)) << "a free conn is a no-op";
}

TEST_F(ConnTest, FlushAllAndByDest)
{
	union inet_addr rs2 = v4(RS + 1);
	struct ipvs_dest *d2 = dest_alloc(AF_INET, &rs2, htons(8080), IPVS_FWD_FNAT, 1);
	ASSERT_EQ(0, svc_dest_attach(svc, d2));
	for (int i = 0; i < 100; i++) {
		struct conn_param p = fnat(CLIENT, (uint16_t)(1000 + i), (uint16_t)(5000 + i));
		int err;
		ASSERT_NE(nullptr, conn_new(t, &p, i % 4 ? d : d2, nullptr, &err));
	}
	EXPECT_EQ(25u, d2->inactive_conns);
	uint32_t n = conn_flush(t, [](const struct ipvs_conn *c, void *arg) {
		return c->dest == (struct ipvs_dest *)arg; }, d2);
	EXPECT_EQ(25u, n);
	EXPECT_EQ(0u, d2->inactive_conns);
	EXPECT_EQ(75u, stats().count);
	EXPECT_EQ(75u, conn_flush(t, nullptr, nullptr));
	EXPECT_EQ(0u, stats().count);
	EXPECT_EQ(100, g_released);
	EXPECT_EQ(nullptr, in(CLIENT, 1001));
	EXPECT_EQ(0u, timer_count(0));
}

TEST_F(ConnTest, WalkInChunks)
{
	for (int i = 0; i < 1000; i++)
		ASSERT_NE(nullptr, add(CLIENT + (uint32_t)i, 1000, (uint16_t)(2000 + i)));
	for (int i = 0; i < 1000; i += 3)
		conn_del(t, in(CLIENT + (uint32_t)i, 1000));	// holes
	std::set<struct ipvs_conn *> seen;
	uint32_t cursor = 0, calls = 0;
	while (cursor != CONN_WALK_END) {
		conn_walk(t, &cursor, 100, [](struct ipvs_conn *c, void *arg) {
			static_cast<std::set<struct ipvs_conn *> *>(arg)->insert(c);
			return 0; }, &seen);
		ASSERT_LT(++calls, 100u);
	}
	EXPECT_EQ(666u, seen.size());
	EXPECT_GE(calls, 10u);
	// a callback that stops: the same conn comes first next time
	struct Stop { int n; struct ipvs_conn *last; } st = {0, nullptr};
	cursor = 0;
	uint32_t got = conn_walk(t, &cursor, 1000, [](struct ipvs_conn *c, void *arg) {
		auto *s = static_cast<Stop *>(arg);
		if (s->n == 5) { s->last = c; return 1; }
		s->n++;
		return 0; }, &st);
	EXPECT_EQ(5u, got);
	ASSERT_NE(nullptr, st.last);
	st.n = 0;
	struct ipvs_conn *first = nullptr;
	conn_walk(t, &cursor, 1, [](struct ipvs_conn *c, void *arg) {
		*static_cast<struct ipvs_conn **>(arg) = c; return 0; }, &first);
	EXPECT_EQ(st.last, first);
	// deleting from the callback is allowed
	cursor = 0;
	conn_walk(t, &cursor, UINT32_MAX, [](struct ipvs_conn *c, void *arg) {
		conn_del(static_cast<struct conn_table *>(arg), c); return 0; }, t);
	EXPECT_EQ(CONN_WALK_END, cursor);
	EXPECT_EQ(0u, stats().count);
}

TEST_F(ConnTest, PersistenceTemplates)
{
	svc->flags |= SVC_F_PERSISTENT;
	svc->timeout = 60;
	svc->netmask = htonl(0xffffff00);
	union inet_addr c1 = v4(0x01020304), c2 = v4(0x010203fe), c3 = v4(0x01020404);
	EXPECT_EQ(nullptr, conn_tmpl_lookup(t, svc, &c1));
	int err;
	struct ipvs_conn *tm = conn_tmpl_new(t, svc, &c1, d, &err);
	ASSERT_NE(nullptr, tm);
	EXPECT_TRUE(tm->flags & CONN_F_TEMPLATE);
	EXPECT_EQ(1u, d->persist_conns);
	EXPECT_EQ(0u, d->inactive_conns);	// templates are not conns
	EXPECT_EQ(tm, conn_tmpl_lookup(t, svc, &c2));	// same /24
	EXPECT_EQ(nullptr, conn_tmpl_lookup(t, svc, &c3));
	EXPECT_EQ(60u, conn_timeout(tm));
	// a template is never found as a conn
	union inet_addr vip = v4(VIP), masked = v4(0x01020300);
	EXPECT_EQ(nullptr, conn_lookup(t, AF_INET, IPPROTO_TCP, &masked, 0, &vip, htons(80), nullptr));
	// a conn controlled by it keeps it alive past its timeout
	struct conn_param p = fnat(0x01020304, 40000, 5000);
	struct ipvs_conn *c = conn_new(t, &p, tm->dest, tm, &err);
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(tm, conn_ctrl(t, c));
	EXPECT_EQ(1u, tm->n_control);
	proto_conn_update(c, PROTO_DIR_IN, PROTO_TCP_ACK);
	conn_touch(t, c);	// 900 s
	advance_s(61);
	EXPECT_EQ(tm, conn_tmpl_lookup(t, svc, &c1));
	conn_del(t, c);
	EXPECT_EQ(0u, tm->n_control);
	advance_s(61);
	EXPECT_EQ(nullptr, conn_tmpl_lookup(t, svc, &c1));
	EXPECT_EQ(0u, d->persist_conns);
	EXPECT_EQ(0u, stats().count);
	EXPECT_EQ(1u, stats().tmpl_created);
}

// Review issue 8: the doc said a template keeps sending its client to a
// drained (weight 0) server, as IPVS does by default, but the code deleted
// it.  Now the code does what IPVS does; expire_quiescent_template (IPVS's
// sysctl, config ipvs.expire_quiescent_template) deletes it instead.
TEST_F(ConnTest, TemplateOfDrainedDestKeptUnlessExpireQuiescent)
{
	svc->flags |= SVC_F_PERSISTENT;
	svc->timeout = 60;
	svc->netmask = htonl(0xffffffff);
	union inet_addr c1 = v4(CLIENT);
	int err;
	ASSERT_FALSE(conn_expire_quiescent_template());	// the default
	struct ipvs_conn *tm = conn_tmpl_new(t, svc, &c1, d, &err);
	ASSERT_NE(nullptr, tm);
	d->weight = 0;	// ipvsadm -e ... -w 0
	EXPECT_EQ(tm, conn_tmpl_lookup(t, svc, &c1)) << "the client stays on its server";
	EXPECT_EQ(d, conn_tmpl_lookup(t, svc, &c1)->dest);
	EXPECT_EQ(1u, stats().tmpl_count);
	conn_set_expire_quiescent_template(true);
	EXPECT_EQ(nullptr, conn_tmpl_lookup(t, svc, &c1)) << "expired: scheduled afresh";
	EXPECT_EQ(0u, stats().tmpl_count);
	EXPECT_EQ(0u, d->persist_conns);
	// with weight back, a template of that dest is used again
	d->weight = 1;
	tm = conn_tmpl_new(t, svc, &c1, d, &err);
	ASSERT_NE(nullptr, tm);
	EXPECT_EQ(tm, conn_tmpl_lookup(t, svc, &c1));
	conn_set_expire_quiescent_template(false);
	conn_flush(t, nullptr, nullptr);
}

TEST_F(ConnTest, TemplateOfDetachedDestIsDropped)
{
	svc->timeout = 60;
	union inet_addr c1 = v4(CLIENT);
	int err;
	struct ipvs_conn *tm = conn_tmpl_new(t, svc, &c1, d, &err);
	struct conn_param p = fnat(CLIENT, 40000, 5000);
	struct ipvs_conn *c = conn_new(t, &p, d, tm, &err);
	ASSERT_NE(nullptr, c);
	EXPECT_EQ(3u, d->refcnt);
	ASSERT_EQ(0, svc_dest_detach(svc, d));	// d stays alive for its conn + template
	EXPECT_EQ(nullptr, conn_tmpl_lookup(t, svc, &c1));	// dead: not found
	EXPECT_EQ(2u, stats().count);	// kept until its conn goes
	EXPECT_EQ(tm, conn_ctrl(t, c));
	EXPECT_EQ(c, in(CLIENT, 40000));	// the in-flight conn still works
	EXPECT_EQ(d, c->dest);
	uint32_t svc_ref = svc->refcnt;
	conn_del(t, c);	// frees conn, then the dead template, then the dest
	EXPECT_EQ(0u, stats().count);
	EXPECT_EQ(0u, stats().tmpl_count);
	EXPECT_EQ(svc_ref - 1, svc->refcnt);
	d = nullptr;
}

TEST_F(ConnTest, FwmarkTemplate)
{
	struct ipvs_service *fw = svc_alloc(AF_INET, 0, nullptr, 0, 42);
	fw->timeout = 10;
	union inet_addr c1 = v4(CLIENT);
	int err;
	ASSERT_NE(nullptr, conn_tmpl_new(t, fw, &c1, d, &err));
	EXPECT_NE(nullptr, conn_tmpl_lookup(t, fw, &c1));
	EXPECT_EQ(nullptr, conn_tmpl_lookup(t, svc, &c1));
	conn_flush(t, nullptr, nullptr);
	svc_put(fw);
}

TEST_F(ConnTest, ReleaseHookNotRunForFailedNew)
{
	make_table(1);
	struct ipvs_conn *c = add(CLIENT, 1, 1);
	ASSERT_NE(nullptr, c);
	establish(c);	// so it cannot give way
	int err;
	EXPECT_EQ(nullptr, add(CLIENT, 2, 2, &err));
	EXPECT_EQ(0, g_released);
	conn_flush(t, nullptr, nullptr);
	EXPECT_EQ(1, g_released);
}

TEST_F(ConnTest, RegistryPerLcore)
{
	EXPECT_EQ(0, conn_table_set(0, t));
	EXPECT_EQ(t, conn_table_get(0));
	EXPECT_EQ(t, conn_table_this());	// the test runs on lcore 0
	EXPECT_EQ(nullptr, conn_table_get(RTE_MAX_LCORE));
	EXPECT_EQ(EDPVS_INVAL, conn_table_set(RTE_MAX_LCORE, t));
	EXPECT_EQ(0, conn_table_set(0, nullptr));
}

TEST_F(ConnTest, OneMillionConns)
{
	const uint32_t N = 1u << 20;
	make_table(N);
	for (uint32_t i = 0; i < N; i++) {
		// 16 client ports per address, distinct local ports per conn
		struct ipvs_conn *c = add(0x0b000000 + (i >> 4), (uint16_t)(1024 + (i & 15)),
					  (uint16_t)(i & 0xffff), nullptr);
		ASSERT_NE(nullptr, c) << i;
	}
	EXPECT_EQ(N, stats().count);
	for (uint32_t i = 0; i < N; i++) {
		struct ipvs_conn *c = in(0x0b000000 + (i >> 4), (uint16_t)(1024 + (i & 15)));
		ASSERT_NE(nullptr, c) << i;
		ASSERT_EQ(htons((uint16_t)(i & 0xffff)), c->lport);
	}
	// all half-open (never moved from NONE): one gives way to a new conn
	int err;
	EXPECT_NE(nullptr, add(CLIENT, 1, 1, &err));
	EXPECT_EQ(1u, stats().early_drop);
	EXPECT_EQ(N, d->inactive_conns);
	EXPECT_EQ(N, conn_flush(t, nullptr, nullptr));
	EXPECT_EQ(0u, d->inactive_conns);
}

// ---- the "ipvs" config section (parse and validation only) ----

namespace {

// Load text as a config file; returns cfg_load's code and every error line.
int load_cfg(const std::string &text, std::string *errors)
{
	char path[] = "/tmp/dpvsd-ipvscfg-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -100;
	if (write(fd, text.data(), text.size()) != (ssize_t)text.size()) {
		close(fd);
		unlink(path);
		return -101;
	}
	close(fd);
	struct cfg_tree *t = nullptr;
	struct cfg_errors errs;
	memset(&errs, 0, sizeof(errs));
	int rc = cfg_load(path, &t, &errs);
	unlink(path);
	for (unsigned i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++) {
		char buf[512];
		cfg_error_format(&errs.err[i], buf, sizeof(buf));
		*errors += buf;
		*errors += "\n";
	}
	if (t)
		cfg_free(t);
	return rc;
}

} // namespace

TEST(IpvsCfg, GoodSectionLoads)
{
	std::string e;
	EXPECT_EQ(0, load_cfg("ipvs = { conn_max = 100000; conn_buckets = 131072;\n"
			      "  maglev_table_size = 4093;\n"
			      "  timeouts = { established = 3600; fin_wait = 60; udp = 30; }; };\n", &e))
		<< e;
	EXPECT_EQ(0, load_cfg("", &e)) << e;	// absent: defaults
}

TEST(IpvsCfg, BadValuesNameLineAndKey)
{
	std::string e;
	EXPECT_EQ(EDPVS_CONFIG, load_cfg("ipvs = {\n"
					 "  conn_max = 10;\n"
					 "  conn_buckets = 1000;\n"
					 "  maglev_table_size = 65536;\n"
					 "  colour = 1;\n"
					 "  timeouts = { established = 0; tcpfin = 5; };\n"
					 "};\n", &e));
	EXPECT_NE(std::string::npos, e.find(":2: ipvs.conn_max")) << e;
	EXPECT_NE(std::string::npos, e.find(":3: ipvs.conn_buckets: 1000 is not a power of two")) << e;
	EXPECT_NE(std::string::npos, e.find(":4: ipvs.maglev_table_size: 65536 is not a prime")) << e;
	EXPECT_NE(std::string::npos, e.find(":5: ipvs.colour: unknown key")) << e;
	EXPECT_NE(std::string::npos, e.find("ipvs.timeouts.established: 0 is out of range")) << e;
	EXPECT_NE(std::string::npos, e.find("ipvs.timeouts.tcpfin: unknown key")) << e;
	EXPECT_EQ(EDPVS_CONFIG, load_cfg("ipvs = { timeouts = 5; };\n", &e));
	EXPECT_NE(std::string::npos, e.find("expected a group")) << e;
}

TEST(IpvsCfg, ExpireQuiescentTemplate)
{
	std::string e;
	EXPECT_EQ(0, load_cfg("ipvs = { expire_quiescent_template = true; };\n", &e)) << e;
	EXPECT_EQ(0, load_cfg("ipvs = { expire_quiescent_template = false; };\n", &e)) << e;
	e.clear();
	EXPECT_EQ(EDPVS_CONFIG, load_cfg("ipvs = {\n  expire_quiescent_template = 1;\n};\n", &e));
	EXPECT_NE(std::string::npos,
		  e.find(":2: ipvs.expire_quiescent_template: expected true or false")) << e;
}

TEST(IpvsCfg, FnatLocalPortRange)
{
	std::string e;
	EXPECT_EQ(0, load_cfg("ipvs = { fnat_lport_min = 20000; fnat_lport_max = 29999; };\n", &e))
		<< e;
	EXPECT_EQ(0, load_cfg("ipvs = { fnat_lport_min = 5000; fnat_lport_max = 5000; };\n", &e))
		<< e;
	e.clear();
	EXPECT_EQ(EDPVS_CONFIG, load_cfg("ipvs = {\n"
					 "  fnat_lport_min = 40000;\n"
					 "  fnat_lport_max = 30000;\n"
					 "};\n", &e));
	EXPECT_NE(std::string::npos,
		  e.find(":2: ipvs.fnat_lport_min: 40000 is above fnat_lport_max (30000)")) << e;
	e.clear();
	EXPECT_EQ(EDPVS_CONFIG, load_cfg("ipvs = { fnat_lport_min = 0; fnat_lport_max = 70000; };\n",
					 &e));
	EXPECT_NE(std::string::npos, e.find("ipvs.fnat_lport_min: 0 is out of range")) << e;
	EXPECT_NE(std::string::npos, e.find("ipvs.fnat_lport_max: 70000 is out of range")) << e;
}
