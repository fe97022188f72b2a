// test_sched.cc - unit tests of the IPVS schedulers (src/ipvs/sched*.c) and
// of the service/dest model helpers they use.  No EAL needed.
//
// Tolerances stated per test: exact-proportion schedulers (wrr, wlc/sed/nq
// under simulated load) within 1 %; hash schedulers over 100k random keys
// within 5 % (sh/dh/mh) or 25 % (conhash, 160 virtual nodes per dest).
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <cstdlib>
#include <vector>

#include "dpvs_err.h"
#include "ipvs/service.h"
#include "ipvs/sched.h"
#include "ipvs/ipvs.h"
#include "timer.h"
#include "test_eal.h"
#include "../../src/ipvs/sched_int.h"

namespace {

union inet_addr v4(uint32_t host)
{
	union inet_addr a;
	memset(&a, 0, sizeof(a));
	a.in4 = htonl(host);
	return a;
}

// A service with dests 10.0.0.<i+1>:80 weighted w[i], added in the order
// given by `order` (indices into w; identity if empty).
struct Svc {
	struct ipvs_service *svc = nullptr;
	std::vector<struct ipvs_dest *> d;	// d[i] has weight w[i]

	Svc(const char *sched, const std::vector<int> &w, const std::vector<size_t> &order = {},
	    uint32_t flags = 0, uint32_t mh_size = 0)
	{
		union inet_addr vip = v4(0xc0a80001);
		svc = svc_alloc(AF_INET, IPPROTO_TCP, &vip, htons(80), 0);
		svc->flags = flags;
		svc->mh_table_size = mh_size;
		for (size_t i = 0; i < w.size(); i++) {
			union inet_addr a = v4(0x0a000001 + (uint32_t)i);
			d.push_back(dest_alloc(AF_INET, &a, htons(80), IPVS_FWD_NAT, w[i]));
		}
		bind_rc = sched_bind(svc, sched_lookup(sched));
		std::vector<size_t> ord = order;
		if (ord.empty())
			for (size_t i = 0; i < w.size(); i++)
				ord.push_back(i);
		for (size_t i : ord)
			attach_rc |= svc_dest_attach(svc, d[i]);
	}
	~Svc()
	{
		svc_flush_dests(svc);
		svc_put(svc);
	}
	int index(const struct ipvs_dest *x) const
	{
		for (size_t i = 0; i < d.size(); i++)
			if (d[i] == x)
				return (int)i;
		return -1;
	}
	int bind_rc = 0;
	int attach_rc = 0;
};

struct sched_key key_of(const union inet_addr *s, uint16_t sport, const union inet_addr *dst)
{
	struct sched_key k;
	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.proto = IPPROTO_TCP;
	k.saddr = s;
	k.daddr = dst;
	k.sport = sport;
	k.dport = htons(80);
	return k;
}

// Pick n times with random client address/port; counts per dest index
// (index == d.size() counts NULL).  `load` simulates each pick opening an
// active conn on the chosen dest.
std::vector<uint64_t> pick_many(Svc &s, int n, bool load = false, uint32_t seed = 1)
{
	std::mt19937 rng(seed);
	std::vector<uint64_t> cnt(s.d.size() + 1, 0);
	union inet_addr vip = v4(0xc0a80001);
	for (int i = 0; i < n; i++) {
		union inet_addr c = v4(rng());
		struct sched_key k = key_of(&c, (uint16_t)rng(), &vip);
		struct ipvs_dest *d = sched_schedule(s.svc, &k);
		int idx = d ? s.index(d) : (int)s.d.size();
		EXPECT_GE(idx, 0);
		cnt[idx]++;
		if (load && d)
			d->active_conns++;
	}
	return cnt;
}

// Expect counts proportional to weights within tol (relative).
void expect_proportional(const std::vector<uint64_t> &cnt, const std::vector<int> &w, double tol)
{
	double total = 0, wsum = 0;
	for (size_t i = 0; i < w.size(); i++) {
		total += (double)cnt[i];
		wsum += w[i] > 0 ? w[i] : 0;
	}
	ASSERT_GT(total, 0);
	for (size_t i = 0; i < w.size(); i++) {
		if (w[i] <= 0) {
			EXPECT_EQ(0u, cnt[i]) << "weight 0 dest " << i << " was chosen";
			continue;
		}
		double want = total * w[i] / wsum;
		EXPECT_NEAR((double)cnt[i], want, want * tol) << "dest " << i;
	}
}

void overload(struct ipvs_dest *d)
{
	d->u_threshold = 10;
	d->active_conns = 10;
	dest_update_overload(d);
	ASSERT_TRUE(d->flags & DEST_F_OVERLOAD);
}

const std::vector<int> W = {1, 2, 3, 0, 4};

} // namespace

TEST(SchedRegistry, LookupAllNames)
{
	const char *names[] = {"rr", "wrr", "lc", "wlc", "sh", "dh", "sed", "nq", "mh", "conhash", "fo",
			       "lblc", "lblcr", "ovf", "twos"};
	for (const char *n : names) {
		const struct sched_ops *ops = sched_lookup(n);
		ASSERT_NE(nullptr, ops) << n;
		EXPECT_STREQ(n, ops->name);
		EXPECT_NE(nullptr, ops->schedule);
	}
	EXPECT_EQ(nullptr, sched_lookup("nosuch"));
	EXPECT_EQ(nullptr, sched_lookup(nullptr));
	int count = 0;
	sched_foreach([](const struct sched_ops *, void *arg) { ++*(int *)arg; return 0; }, &count);
	EXPECT_EQ(15, count);
}

TEST(SchedRegistry, RebindKeepsDests)
{
	Svc s("rr", {1, 1});
	ASSERT_EQ(0, s.bind_rc);
	ASSERT_EQ(0, sched_bind(s.svc, sched_lookup("mh")));
	EXPECT_EQ(std::string("mh"), s.svc->sched->name);
	auto cnt = pick_many(s, 1000);
	EXPECT_EQ(0u, cnt[2]);
	// a bad mh size is refused and the old scheduler stays
	s.svc->mh_table_size = 1000;
	EXPECT_EQ(EDPVS_INVAL, sched_bind(s.svc, sched_lookup("mh")));
	EXPECT_EQ(std::string("mh"), s.svc->sched->name);
	EXPECT_EQ(EDPVS_INVAL, sched_bind(s.svc, nullptr));
}

TEST(SchedModel, AttachDetachRefcounts)
{
	Svc s("rr", {1, 1});
	ASSERT_EQ(0, s.attach_rc);
	EXPECT_EQ(2u, s.svc->n_dests);
	EXPECT_EQ(3u, s.svc->refcnt);	// table + 2 dests
	EXPECT_EQ(EDPVS_INVAL, svc_dest_attach(s.svc, s.d[0]));	// already attached
	union inet_addr a = v4(0x0a000001);
	struct ipvs_dest *dup = dest_alloc(AF_INET, &a, htons(80), IPVS_FWD_NAT, 1);
	EXPECT_EQ(EDPVS_EXIST, svc_dest_attach(s.svc, dup));
	dest_hold(dup);
	dest_put(dup);	// frees (never attached)
	EXPECT_EQ(s.d[0], svc_dest_find(s.svc, &a, htons(80)));
	EXPECT_EQ(nullptr, svc_dest_find(s.svc, &a, htons(81)));
	// a conn holds d[1]; detaching keeps it alive but unavailable
	dest_hold(s.d[1]);
	EXPECT_EQ(0, svc_dest_detach(s.svc, s.d[1]));
	EXPECT_EQ(1u, s.svc->n_dests);
	EXPECT_FALSE(s.d[1]->flags & DEST_F_AVAILABLE);
	EXPECT_FALSE(dest_usable(s.d[1]));
	EXPECT_EQ(1u, s.d[1]->refcnt);
	EXPECT_EQ(EDPVS_NOTEXIST, svc_dest_detach(s.svc, s.d[1]));
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(s.d[0], sched_schedule(s.svc, nullptr));
	dest_put(s.d[1]);	// last conn gone: freed, svc ref dropped
	EXPECT_EQ(2u, s.svc->refcnt);
	s.d.pop_back();
}

TEST(SchedModel, OverloadThresholds)
{
	union inet_addr a = v4(1);
	struct ipvs_dest *d = dest_alloc(AF_INET, &a, 0, IPVS_FWD_DR, 1);
	d->flags |= DEST_F_AVAILABLE;
	d->u_threshold = 8;
	d->active_conns = 7;
	dest_update_overload(d);
	EXPECT_TRUE(dest_usable(d));
	d->inactive_conns = 1;
	dest_update_overload(d);
	EXPECT_FALSE(dest_usable(d));
	d->inactive_conns = 0;	// 7 >= 3/4*8=6: stays overloaded (hysteresis)
	dest_update_overload(d);
	EXPECT_FALSE(dest_usable(d));
	d->active_conns = 5;
	dest_update_overload(d);
	EXPECT_TRUE(dest_usable(d));
	d->l_threshold = 2;
	d->active_conns = 8;
	dest_update_overload(d);
	d->active_conns = 2;
	dest_update_overload(d);
	EXPECT_FALSE(dest_usable(d));
	d->active_conns = 1;
	dest_update_overload(d);
	EXPECT_TRUE(dest_usable(d));
	free(d);
}

TEST(SchedModel, MaskAddr)
{
	union inet_addr a = v4(0x0a0b0c0d), out;
	inet_addr_mask(AF_INET, &a, htonl(0xffffff00), 0, &out);
	EXPECT_EQ(htonl(0x0a0b0c00), out.in4);
	union inet_addr b;
	memset(&b, 0xff, sizeof(b));
	inet_addr_mask(AF_INET6, &b, 0, 60, &out);
	EXPECT_EQ(0xff, out.in6[6]);
	EXPECT_EQ(0xf0, out.in6[7]);
	EXPECT_EQ(0, out.in6[8]);
}

TEST(SchedRr, CyclesInOrderSkippingUnusable)
{
	Svc s("rr", {1, 5, 0, 1});
	std::vector<int> seq;
	for (int i = 0; i < 6; i++)
		seq.push_back(s.index(sched_schedule(s.svc, nullptr)));
	EXPECT_EQ((std::vector<int>{0, 1, 3, 0, 1, 3}), seq);
	overload(s.d[1]);
	for (int i = 0; i < 4; i++)
		EXPECT_NE(1, s.index(sched_schedule(s.svc, nullptr)));
	s.d[0]->weight = 0;
	s.d[3]->weight = 0;
	EXPECT_EQ(nullptr, sched_schedule(s.svc, nullptr));
}

TEST(SchedRr, EmptyService)
{
	Svc s("rr", {});
	EXPECT_EQ(nullptr, sched_schedule(s.svc, nullptr));
}

TEST(SchedWrr, ProportionalToWeights)
{
	Svc s("wrr", W);
	auto cnt = pick_many(s, 100000);
	expect_proportional(cnt, W, 0.01);
	EXPECT_EQ(0u, cnt[W.size()]);
}

TEST(SchedWrr, Interleaves)
{
	Svc s("wrr", {5, 1});
	int run = 0, maxrun = 0;
	for (int i = 0; i < 60; i++) {
		if (s.index(sched_schedule(s.svc, nullptr)) == 0)
			maxrun = std::max(maxrun, ++run);
		else
			run = 0;
	}
	EXPECT_LE(maxrun, 5);
	EXPECT_GE(maxrun, 3);
}

TEST(SchedWrr, OverloadedExcludedOthersKeepRatio)
{
	Svc s("wrr", {1, 2, 3});
	overload(s.d[2]);
	auto cnt = pick_many(s, 30000);
	expect_proportional(cnt, {1, 2, 0}, 0.01);
	// weight change through svc_dest_edit
	EXPECT_EQ(0, svc_dest_edit(s.svc, s.d[2], 3, 0, 0));
	cnt = pick_many(s, 60000);
	expect_proportional(cnt, {1, 2, 3}, 0.01);
}

TEST(SchedLc, PicksLeastOverhead)
{
	Svc s("lc", {1, 1, 1});
	s.d[0]->active_conns = 1;		// 256
	s.d[1]->inactive_conns = 300;		// 300
	s.d[2]->active_conns = 1;
	s.d[2]->inactive_conns = 1;		// 257
	EXPECT_EQ(s.d[0], sched_schedule(s.svc, nullptr));
	s.d[0]->weight = 0;
	EXPECT_EQ(s.d[2], sched_schedule(s.svc, nullptr));
	auto cnt = pick_many(s, 30000, true);	// equalises under load
	EXPECT_EQ(0u, cnt[0]);
	EXPECT_NEAR((double)cnt[1], (double)cnt[2], 2);
}

TEST(SchedWlc, ProportionalUnderLoad)
{
	Svc s("wlc", W);
	auto cnt = pick_many(s, 100000, true);
	expect_proportional(cnt, W, 0.01);
	overload(s.d[4]);
	EXPECT_NE(s.d[4], sched_schedule(s.svc, nullptr));
}

TEST(SchedSed, ProportionalUnderLoad)
{
	Svc s("sed", W);
	auto cnt = pick_many(s, 100000, true);
	expect_proportional(cnt, W, 0.01);
}

TEST(SchedSed, PrefersHighWeightWhenIdle)
{
	Svc s("sed", {1, 4});
	s.d[1]->active_conns = 2;	// (2+1)/4 < (0+1)/1
	EXPECT_EQ(s.d[1], sched_schedule(s.svc, nullptr));
}

TEST(SchedNq, IdleFirstThenSed)
{
	Svc s("nq", {1, 4});
	s.d[1]->active_conns = 2;
	EXPECT_EQ(s.d[0], sched_schedule(s.svc, nullptr));	// idle wins (sed would pick d1)
	s.d[0]->active_conns = 1;
	EXPECT_EQ(s.d[1], sched_schedule(s.svc, nullptr));
	auto cnt = pick_many(s, 100000, true);
	expect_proportional(cnt, {1, 4}, 0.01);
}

TEST(SchedFo, HighestWeightAndFailover)
{
	Svc s("fo", {5, 10, 10, 1}, {3, 2, 1, 0});
	// d1 and d2 tie at 10: the lower address (d1) wins whatever the add order
	EXPECT_EQ(s.d[1], sched_schedule(s.svc, nullptr));
	overload(s.d[1]);
	EXPECT_EQ(s.d[2], sched_schedule(s.svc, nullptr));
	s.d[2]->weight = 0;
	EXPECT_EQ(s.d[0], sched_schedule(s.svc, nullptr));
	EXPECT_EQ(0, svc_dest_detach(s.svc, s.d[0]));
	EXPECT_EQ(s.d[3], sched_schedule(s.svc, nullptr));
	s.d[1]->active_conns = 0;
	dest_update_overload(s.d[1]);
	EXPECT_EQ(s.d[1], sched_schedule(s.svc, nullptr));	// back when restored
	s.d.erase(s.d.begin());
}

// ---- hash schedulers ----

static void expect_same_choices(Svc &a, Svc &b, bool by_daddr = false)
{
	std::mt19937 rng(7);
	union inet_addr vip = v4(0xc0a80001);
	for (int i = 0; i < 20000; i++) {
		union inet_addr c = v4(rng());
		struct sched_key k = by_daddr ? key_of(&vip, (uint16_t)rng(), &c)
					      : key_of(&c, (uint16_t)rng(), &vip);
		struct ipvs_dest *x = sched_schedule(a.svc, &k), *y = sched_schedule(b.svc, &k);
		ASSERT_EQ(a.index(x), b.index(y)) << "key " << i;
	}
}

TEST(SchedSh, WeightedAndStableAcrossAddOrder)
{
	Svc a("sh", W), b("sh", W, {4, 3, 2, 1, 0});
	expect_proportional(pick_many(a, 100000), W, 0.05);
	expect_same_choices(a, b);
	// same client -> same dest; port ignored unless SVC_F_SCHED_PORT
	union inet_addr c = v4(0x01020304), vip = v4(0xc0a80001);
	struct sched_key k1 = key_of(&c, 1000, &vip), k2 = key_of(&c, 2000, &vip);
	EXPECT_EQ(sched_schedule(a.svc, &k1), sched_schedule(a.svc, &k2));
}

// Pin the hashes: a changed hash would silently remap every client after an
// upgrade (and differ between builds).  Values computed once from this
// implementation: 4 dests 10.0.0.1-4:80 weight 1, clients 11.0.0.0 + i*7919
// port 1000; the same key is used as the destination for dh.
TEST(SchedHash, PinnedAcrossRuns)
{
	const std::map<std::string, std::vector<int>> want = {
		{"sh", {1, 2, 3, 2, 0, 2, 2, 2, 3, 2, 2, 2, 3, 3, 2, 2}},
		{"dh", {1, 1, 0, 3, 0, 1, 0, 3, 1, 2, 1, 3, 0, 1, 3, 2}},
		{"mh", {2, 3, 2, 0, 0, 1, 2, 3, 3, 3, 0, 1, 0, 2, 1, 0}},
		{"conhash", {1, 2, 1, 2, 1, 2, 2, 3, 2, 3, 1, 2, 0, 0, 2, 1}},
	};
	for (const auto &w : want) {
		Svc a(w.first.c_str(), {1, 1, 1, 1}, {2, 0, 3, 1});
		std::vector<int> got;
		for (uint32_t i = 0; i < 16; i++) {
			union inet_addr c = v4(0x0b000000 + i * 7919);
			struct sched_key k = key_of(&c, htons(1000), &c);
			got.push_back(a.index(sched_schedule(a.svc, &k)));
		}
		EXPECT_EQ(w.second, got) << w.first;
	}
}

TEST(SchedSh, UnusableWithAndWithoutFallback)
{
	Svc a("sh", {1, 1, 1}), b("sh", {1, 1, 1}, {}, SVC_F_SCHED_FALLBACK);
	overload(a.d[1]);
	overload(b.d[1]);
	auto ca = pick_many(a, 30000), cb = pick_many(b, 30000);
	EXPECT_EQ(0u, ca[1]);
	EXPECT_NEAR((double)ca[3], 10000, 1000);	// a third get no dest
	EXPECT_EQ(0u, cb[1]);
	EXPECT_EQ(0u, cb[3]);
}

TEST(SchedSh, PortFlagSpreadsOneClient)
{
	Svc a("sh", {1, 1, 1, 1}, {}, SVC_F_SCHED_PORT);
	union inet_addr c = v4(0x01020304), vip = v4(0xc0a80001);
	std::set<int> seen;
	for (uint16_t p = 1; p < 200; p++) {
		struct sched_key k = key_of(&c, htons(p), &vip);
		seen.insert(a.index(sched_schedule(a.svc, &k)));
	}
	EXPECT_EQ(4u, seen.size());
}

TEST(SchedDh, HashesDestination)
{
	Svc a("dh", W), b("dh", W, {2, 4, 0, 3, 1});
	expect_same_choices(a, b, true);
	std::mt19937 rng(3);
	std::vector<uint64_t> cnt(W.size() + 1, 0);
	union inet_addr c = v4(0x01020304);
	for (int i = 0; i < 100000; i++) {
		union inet_addr dst = v4(rng());
		struct sched_key k = key_of(&c, 1, &dst);
		struct ipvs_dest *d = sched_schedule(a.svc, &k);
		cnt[d ? a.index(d) : W.size()]++;
	}
	expect_proportional(cnt, W, 0.05);
}

TEST(SchedMh, TableBalanceEqualWeights)
{
	Svc s("mh", std::vector<int>(7, 1));
	uint32_t mn = UINT32_MAX, mx = 0, sum = 0;
	for (auto *d : s.d) {
		uint32_t e = sched_mh_entries(s.svc, d);
		mn = std::min(mn, e);
		mx = std::max(mx, e);
		sum += e;
	}
	EXPECT_EQ(65537u, sum);
	EXPECT_LE(mx - mn, 1u);	// Maglev: each round every backend takes one slot
}

TEST(SchedMh, WeightedEntriesAndPicks)
{
	Svc s("mh", W);
	double wsum = 10;
	for (size_t i = 0; i < W.size(); i++) {
		double want = 65537.0 * W[i] / wsum;
		EXPECT_NEAR((double)sched_mh_entries(s.svc, s.d[i]), want, want * 0.01 + 1) << i;
	}
	expect_proportional(pick_many(s, 100000), W, 0.05);
}

TEST(SchedMh, IndependentOfAddOrder)
{
	Svc a("mh", W), b("mh", W, {4, 0, 3, 1, 2});
	expect_same_choices(a, b);
}

TEST(SchedMh, DisruptionOnRemoveNearOneOverN)
{
	const int N = 10;
	Svc s("mh", std::vector<int>(N, 1));
	std::mt19937 rng(11);
	union inet_addr vip = v4(0xc0a80001);
	std::vector<union inet_addr> keys;
	std::vector<int> before;
	for (int i = 0; i < 100000; i++) {
		keys.push_back(v4(rng()));
		struct sched_key k = key_of(&keys.back(), 0, &vip);
		before.push_back(s.index(sched_schedule(s.svc, &k)));
	}
	ASSERT_EQ(0, svc_dest_detach(s.svc, s.d[3]));
	int moved = 0, moved_other = 0;
	for (size_t i = 0; i < keys.size(); i++) {
		struct sched_key k = key_of(&keys[i], 0, &vip);
		int now = s.index(sched_schedule(s.svc, &k));
		ASSERT_NE(3, now);
		if (now != before[i]) {
			moved++;
			if (before[i] != 3)
				moved_other++;
		}
	}
	double frac = (double)moved / keys.size();
	EXPECT_GT(frac, 0.08);
	EXPECT_LT(frac, 0.13);	// ideal 1/N = 0.10, plus Maglev's small extra churn
	EXPECT_LT((double)moved_other / keys.size(), 0.03);
	s.d.erase(s.d.begin() + 3);
}

TEST(SchedMh, TableSizeSettings)
{
	EXPECT_TRUE(sched_mh_size_valid(65537));
	EXPECT_TRUE(sched_mh_size_valid(251));
	EXPECT_FALSE(sched_mh_size_valid(65536));
	EXPECT_FALSE(sched_mh_size_valid(65535));
	EXPECT_FALSE(sched_mh_size_valid(7));
	EXPECT_EQ(EDPVS_INVAL, sched_mh_set_default_size(1000));
	EXPECT_EQ(65537u, sched_mh_default_size());
	Svc s("mh", {1, 1, 1}, {}, 0, 251);
	ASSERT_EQ(0, s.bind_rc);
	uint32_t sum = 0;
	for (auto *d : s.d)
		sum += sched_mh_entries(s.svc, d);
	EXPECT_EQ(251u, sum);
	Svc bad("mh", {1}, {}, 0, 1000);
	EXPECT_EQ(EDPVS_INVAL, bad.bind_rc);
}

TEST(SchedMh, FallbackAndWeightZero)
{
	Svc a("mh", {1, 1, 0}), b("mh", {1, 1}, {}, SVC_F_SCHED_FALLBACK);
	auto ca = pick_many(a, 20000);
	EXPECT_EQ(0u, ca[2]);
	EXPECT_EQ(0u, ca[3]);
	EXPECT_EQ(0u, sched_mh_entries(a.svc, a.d[2]));
	overload(a.d[0]);
	ca = pick_many(a, 20000);
	EXPECT_EQ(0u, ca[0]);
	EXPECT_NEAR((double)ca[3], 10000, 1000);
	overload(b.d[0]);
	auto cb = pick_many(b, 20000);
	EXPECT_EQ(0u, cb[0]);
	EXPECT_EQ(20000u, cb[1]);
}

TEST(SchedConhash, WeightedDistribution)
{
	Svc s("conhash", W);
	expect_proportional(pick_many(s, 100000), W, 0.25);
}

TEST(SchedConhash, OnlyRemovedDestsKeysMove)
{
	Svc s("conhash", std::vector<int>(8, 1)), t("conhash", std::vector<int>(8, 1),
						    {7, 6, 5, 4, 3, 2, 1, 0});
	expect_same_choices(s, t);
	std::mt19937 rng(5);
	union inet_addr vip = v4(0xc0a80001);
	std::vector<union inet_addr> keys;
	std::vector<int> before;
	for (int i = 0; i < 50000; i++) {
		keys.push_back(v4(rng()));
		struct sched_key k = key_of(&keys.back(), 0, &vip);
		before.push_back(s.index(sched_schedule(s.svc, &k)));
	}
	ASSERT_EQ(0, svc_dest_detach(s.svc, s.d[2]));
	for (size_t i = 0; i < keys.size(); i++) {
		struct sched_key k = key_of(&keys[i], 0, &vip);
		int now = s.index(sched_schedule(s.svc, &k));
		if (before[i] != 2)
			ASSERT_EQ(before[i], now);
		else
			ASSERT_NE(2, now);
	}
	s.d.erase(s.d.begin() + 2);
}

TEST(SchedConhash, KeyChoice)
{
	Svc ip("conhash", {1, 1, 1, 1}), port("conhash", {1, 1, 1, 1});
	port.svc->conhash_key = SCHED_KEY_SIP_SPORT;
	union inet_addr c = v4(0x01020304), vip = v4(0xc0a80001);
	std::set<int> by_ip, by_port;
	for (uint16_t p = 1; p < 200; p++) {
		struct sched_key k = key_of(&c, htons(p), &vip);
		by_ip.insert(ip.index(sched_schedule(ip.svc, &k)));
		by_port.insert(port.index(sched_schedule(port.svc, &k)));
	}
	EXPECT_EQ(1u, by_ip.size());
	EXPECT_EQ(4u, by_port.size());
	// QUIC cid: same cid from different addresses -> same dest
	Svc q("conhash", {1, 1, 1, 1});
	q.svc->conhash_key = SCHED_KEY_QUIC_CID;
	const uint8_t cid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	std::set<int> by_cid;
	for (uint32_t i = 0; i < 50; i++) {
		union inet_addr a = v4(0x0a000000 + i * 7919);
		struct sched_key k = key_of(&a, htons(443), &vip);
		k.quic_cid = cid;
		k.quic_cid_len = sizeof(cid);
		by_cid.insert(q.index(sched_schedule(q.svc, &k)));
	}
	EXPECT_EQ(1u, by_cid.size());
	// an unusable dest passes its keys on
	overload(ip.d[*by_ip.begin()]);
	struct sched_key k = key_of(&c, 1, &vip);
	struct ipvs_dest *d = sched_schedule(ip.svc, &k);
	ASSERT_NE(nullptr, d);
	EXPECT_NE(*by_ip.begin(), ip.index(d));
}

// Each worker keeps its own rr/wrr rotation; worker i starts i places in,
// so workers interleave.  Lcore 0 (this thread) as worker index 1 of 2.
TEST(SchedRr, WorkerStartsAtItsIndex)
{
	ASSERT_EQ(0, test_eal_up());
	unsigned int ids[2] = {5, 0};
	ASSERT_EQ(0, ipvs_set_workers(ids, 2));
	{
		Svc rr("rr", {1, 1, 1});
		Svc wrr("wrr", {1, 1, 1});
		std::vector<int> a, b;
		for (int i = 0; i < 4; i++) {
			a.push_back(rr.index(sched_schedule(rr.svc, nullptr)));
			b.push_back(wrr.index(sched_schedule(wrr.svc, nullptr)));
		}
		EXPECT_EQ((std::vector<int>{1, 2, 0, 1}), a);
		EXPECT_EQ((std::vector<int>{1, 2, 0, 1}), b);
	}
	unsigned int self = 0;
	ASSERT_EQ(0, ipvs_set_workers(&self, 1));	// index 0: from the first dest
	{
		Svc rr("rr", {1, 1, 1});
		EXPECT_EQ(0, rr.index(sched_schedule(rr.svc, nullptr)));
	}
	ipvs_set_workers(nullptr, 0);
}

// ---- locality-based (lblc, lblcr), ovf, twos ----

namespace {

uint64_t fake_now_us = 1;
uint64_t fake_clock() { return fake_now_us; }

// The test clock for timer_now_us() while it lives.
struct FakeClock {
	FakeClock() { fake_now_us = 1000000; timer_set_clock(fake_clock); }
	~FakeClock() { timer_set_clock(nullptr); }
	void advance_s(uint64_t s) { fake_now_us += s * 1000000ull; }
};

struct ipvs_dest *pick_dst(Svc &s, uint32_t daddr_host)
{
	union inet_addr c = v4(0x0b000001), dst = v4(daddr_host);
	struct sched_key k = key_of(&c, htons(1234), &dst);
	return sched_schedule(s.svc, &k);
}

// n picks with random destination addresses, each opening an active conn.
std::vector<uint64_t> pick_daddrs(Svc &s, int n, uint32_t seed = 3)
{
	std::mt19937 rng(seed);
	std::vector<uint64_t> cnt(s.d.size() + 1, 0);
	for (int i = 0; i < n; i++) {
		struct ipvs_dest *d = pick_dst(s, rng());
		cnt[d ? s.index(d) : (int)s.d.size()]++;
		if (d)
			d->active_conns++;
	}
	return cnt;
}

const struct sched_loc_table *loc_table(const Svc &s)
{
	return (const struct sched_loc_table *)s.svc->sched_data;
}

} // namespace

TEST(SchedLblc, OneDestinationAddressStaysOnOneServer)
{
	FakeClock clk;
	Svc s("lblc", {1, 3, 2});
	ASSERT_EQ(0, s.bind_rc);
	struct ipvs_dest *first = pick_dst(s, 0x08080808);
	ASSERT_NE(nullptr, first);
	for (int i = 0; i < 100; i++) {
		first->active_conns = (uint32_t)(i % 2);	// below its weight: not overloaded
		EXPECT_EQ(first, pick_dst(s, 0x08080808)) << i;
	}
	EXPECT_EQ(1u, loc_table(s)->n_used);
}

// New destination addresses go to the weighted least-connection server, so
// under load the assignments follow the weights.
TEST(SchedLblc, NewAddressesFollowWeightedLeastConnection)
{
	FakeClock clk;
	Svc s("lblc", W);
	auto cnt = pick_daddrs(s, 900);
	expect_proportional(cnt, W, 0.02);
	EXPECT_EQ(0u, cnt[W.size()]);
}

// IPVS's rule: reassign when the server has more active conns than its
// weight and another has fewer than half of its own; then stay there.
TEST(SchedLblc, OverloadedServerIsReplaced)
{
	FakeClock clk;
	Svc s("lblc", {2, 10});
	ASSERT_EQ(s.d[0], pick_dst(s, 0x08080808));	// tie: the first in the list
	s.d[0]->active_conns = 3;
	s.d[1]->active_conns = 5;			// not below half its weight
	EXPECT_EQ(s.d[0], pick_dst(s, 0x08080808));
	s.d[1]->active_conns = 4;			// now below half
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));
	s.d[0]->active_conns = 0;
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));	// sticky after the move
}

TEST(SchedLblc, UnusableOrRemovedServerIsReplaced)
{
	FakeClock clk;
	Svc s("lblc", {1, 1, 1});
	ASSERT_EQ(s.d[0], pick_dst(s, 0x08080808));
	overload(s.d[0]);
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));
	s.d[1]->active_conns = 1;
	ASSERT_EQ(0, svc_dest_edit(s.svc, s.d[1], 0, 0, 0));	// quiesced
	EXPECT_EQ(s.d[2], pick_dst(s, 0x08080808));
	// A removed server leaves no pointer behind in the table.
	ASSERT_EQ(0, svc_dest_detach(s.svc, s.d[2]));
	for (uint32_t i = 0; i < SCHED_LOC_SLOTS; i++)
		for (uint32_t j = 0; j < loc_table(s)->e[i].n; j++)
			EXPECT_NE(s.d[2], loc_table(s)->e[i].set[j]);
	EXPECT_EQ(0u, loc_table(s)->n_used);
	s.d.pop_back();
	EXPECT_EQ(nullptr, pick_dst(s, 0x08080808));	// d0 overloaded, d1 weight 0
}

TEST(SchedLblc, EntriesExpire)
{
	FakeClock clk;
	Svc s("lblc", {2, 2});
	ASSERT_EQ(s.d[0], pick_dst(s, 0x08080808));
	s.d[0]->active_conns = 2;			// busier, but not overloaded
	clk.advance_s(SCHED_LOC_EXPIRE_US / 1000000 - 1);
	EXPECT_EQ(s.d[0], pick_dst(s, 0x08080808));	// used again: kept
	clk.advance_s(SCHED_LOC_EXPIRE_US / 1000000);
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));	// expired: least connection again
}

// The table never grows: more addresses than slots replace the least
// recently used; the sweep frees expired entries a few slots per pick.
TEST(SchedLblc, TableIsBoundedAndSweptWithABudget)
{
	FakeClock clk;
	Svc s("lblc", {1000000, 1000000});
	for (uint32_t i = 0; i < 3 * SCHED_LOC_SLOTS; i++)
		ASSERT_NE(nullptr, pick_dst(s, 0x0c000000 + i));
	EXPECT_LE(loc_table(s)->n_used, SCHED_LOC_SLOTS);
	EXPECT_GT(loc_table(s)->n_used, SCHED_LOC_SLOTS / 2);
	uint32_t before = loc_table(s)->n_used;
	clk.advance_s(SCHED_LOC_EXPIRE_US / 1000000);
	ASSERT_NE(nullptr, pick_dst(s, 0x0d000000));
	// One pick frees at most the sweep's budget plus its probe window.
	EXPECT_GE(loc_table(s)->n_used + SCHED_LOC_SWEEP + SCHED_LOC_PROBE, before);
	for (uint32_t i = 0; i < SCHED_LOC_SLOTS / SCHED_LOC_SWEEP; i++)
		pick_dst(s, 0x0d000000);
	EXPECT_EQ(1u, loc_table(s)->n_used);		// everything else swept
}

TEST(SchedLblcr, SetGrowsWhenOverloadedAndShrinksLater)
{
	FakeClock clk;
	Svc s("lblcr", {4, 4, 4});
	ASSERT_EQ(s.d[0], pick_dst(s, 0x08080808));
	s.d[0]->active_conns = 5;			// > weight, and d1/d2 are below half
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));	// joins the set
	const struct sched_loc_entry *e = nullptr;
	for (uint32_t i = 0; i < SCHED_LOC_SLOTS; i++)
		if (loc_table(s)->e[i].n)
			e = &loc_table(s)->e[i];
	ASSERT_NE(nullptr, e);
	EXPECT_EQ(2u, e->n);
	// Within the set: the least loaded member.
	s.d[0]->active_conns = 1;
	s.d[1]->active_conns = 3;
	EXPECT_EQ(s.d[0], pick_dst(s, 0x08080808));
	s.d[0]->active_conns = 4;
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));
	EXPECT_EQ(2u, e->n);
	// Used regularly but unchanged for the expiry time: the most loaded
	// member (d0) leaves.
	clk.advance_s(200);
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));
	clk.advance_s(200);
	EXPECT_EQ(s.d[1], pick_dst(s, 0x08080808));
	EXPECT_EQ(1u, e->n);
	EXPECT_EQ(s.d[1], e->set[0]);
}

TEST(SchedLblcr, SetIsBoundedAndDropsRemovedServers)
{
	FakeClock clk;
	Svc s("lblcr", {1, 1, 1, 1, 1, 1});
	for (size_t i = 0; i < s.d.size(); i++) {
		struct ipvs_dest *d = pick_dst(s, 0x08080808);
		ASSERT_EQ(s.d[i], d) << i;
		d->active_conns = 2;			// overloaded while others are idle
	}
	const struct sched_loc_entry *e = nullptr;
	for (uint32_t i = 0; i < SCHED_LOC_SLOTS; i++)
		if (loc_table(s)->e[i].n)
			e = &loc_table(s)->e[i];
	ASSERT_NE(nullptr, e);
	EXPECT_EQ(SCHED_LOC_SET_MAX, e->n);
	struct ipvs_dest *gone = e->set[0];
	ASSERT_EQ(0, svc_dest_detach(s.svc, gone));
	EXPECT_EQ(SCHED_LOC_SET_MAX - 1, e->n);
	for (uint32_t j = 0; j < e->n; j++)
		EXPECT_NE(gone, e->set[j]);
	s.d.erase(std::find(s.d.begin(), s.d.end(), gone));
}

TEST(SchedOvf, HighestWeightUntilFullThenOverflow)
{
	Svc s("ovf", {2, 5, 3, 0}, {3, 2, 1, 0});
	std::vector<int> got;
	for (int i = 0; i < 11; i++) {
		struct ipvs_dest *d = sched_schedule(s.svc, nullptr);
		got.push_back(d ? s.index(d) : -1);
		if (d)
			d->active_conns++;
	}
	EXPECT_EQ((std::vector<int>{1, 1, 1, 1, 1, 2, 2, 2, 0, 0, -1}), got);
	s.d[1]->active_conns = 4;			// one conn of d1 ended
	EXPECT_EQ(s.d[1], sched_schedule(s.svc, nullptr));
}

TEST(SchedOvf, TiesByAddressAndUnusableSkipped)
{
	Svc s("ovf", {3, 3, 1}, {1, 0, 2});
	EXPECT_EQ(s.d[0], sched_schedule(s.svc, nullptr));	// lower address, whatever the order
	overload(s.d[0]);
	EXPECT_EQ(s.d[1], sched_schedule(s.svc, nullptr));
	ASSERT_EQ(0, svc_dest_edit(s.svc, s.d[1], 0, 0, 0));
	EXPECT_EQ(s.d[2], sched_schedule(s.svc, nullptr));
}

TEST(SchedTwos, ProportionalToWeights)
{
	Svc idle("twos", W);
	auto cnt = pick_many(idle, 100000);		// no load: the first draw, weighted
	expect_proportional(cnt, W, 0.05);
	Svc loaded("twos", W);
	cnt = pick_many(loaded, 100000, true);		// load: the less loaded per weight
	expect_proportional(cnt, W, 0.02);
	EXPECT_EQ(0u, cnt[W.size()]);
}

TEST(SchedTwos, TakesTheLessLoadedOfTwoAndSkipsUnusable)
{
	Svc s("twos", {1, 1});
	s.d[0]->active_conns = 100;
	int to0 = 0;
	for (int i = 0; i < 4000; i++)
		to0 += sched_schedule(s.svc, nullptr) == s.d[0];
	// d0 wins only when both draws are d0: about 1/4
	EXPECT_NEAR(to0, 1000, 150);
	overload(s.d[1]);
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(s.d[0], sched_schedule(s.svc, nullptr));
	ASSERT_EQ(0, svc_dest_edit(s.svc, s.d[0], 0, 0, 0));
	EXPECT_EQ(nullptr, sched_schedule(s.svc, nullptr));
}
