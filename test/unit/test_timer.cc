/*
 * test_timer.cc - the per-lcore timing wheel (src/timer.c): expiry order and
 * bounds (never early, at most a tick late), cancel, re-arm (also from the
 * callback), callbacks that free their object, long delays across every
 * level and the overflow list, 100k timers, the budget, errors, and the
 * timer_manage job on a running worker loop.  Most tests run on lcore 0
 * with a test clock (timer_set_clock) and drive timer_manage() directly.
 */
#include <gtest/gtest.h>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <vector>
#include <unistd.h>

#include "dpvs_err.h"
#include "job.h"
#include "msg.h"
#include "timer.h"
#include "test_eal.h"

namespace {

uint64_t g_now;	/* test clock, us */
uint64_t fake_clock(void) { return g_now; }

struct rec {
	struct timer_entry t;
	int id;
	unsigned fired;
	uint64_t deadline;	/* earliest allowed firing time */
	uint64_t fired_at;
};

std::vector<int> g_order;

void on_fire(struct timer_entry *t, void *arg)
{
	struct rec *r = static_cast<struct rec *>(arg);

	EXPECT_EQ(&r->t, t);
	EXPECT_FALSE(timer_pending(t));
	r->fired++;
	r->fired_at = g_now;
	g_order.push_back(r->id);
}

class TimerTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		ASSERT_EQ(0, job_init());
		timer_set_clock(nullptr);
		g_now = timer_now_us();
		timer_set_clock(fake_clock);
		ASSERT_EQ(0, timer_init());
		g_order.clear();
	}
	void TearDown() override
	{
		timer_term();
		timer_set_clock(nullptr);
	}
	/* Fire everything due now; returns the number fired. */
	static unsigned run()
	{
		unsigned n, total = 0;

		while ((n = timer_manage(0)) > 0)
			total += n;
		return total;
	}
	/* Advance the clock by us in steps of step_us, firing as we go. */
	static unsigned advance(uint64_t us, uint64_t step_us = TIMER_TICK_US)
	{
		unsigned total = 0;
		uint64_t end = g_now + us;

		while (g_now < end) {
			g_now = std::min(end, g_now + step_us);
			total += run();
		}
		return total;
	}
	void arm(struct rec *r, int id, uint64_t delay_us)
	{
		r->id = id;
		r->fired = 0;
		timer_entry_init(&r->t, on_fire, r);
		r->deadline = g_now + delay_us;
		ASSERT_EQ(0, timer_schedule(&r->t, delay_us));
		ASSERT_TRUE(timer_pending(&r->t));
	}
};

TEST_F(TimerTest, FiresInOrderNeverEarlyAtMostATickLate)
{
	struct rec r[4];
	uint64_t t0 = g_now;

	arm(&r[0], 0, 5000);
	arm(&r[1], 1, 1000);
	arm(&r[2], 2, 3000);
	arm(&r[3], 3, 4000);	/* ticks apart: same-tick order is unspecified */
	EXPECT_EQ(4u, timer_count(0));
	g_now = t0 + 999;
	EXPECT_EQ(0u, run());
	advance(10000 - 999, 100);
	EXPECT_EQ((std::vector<int>{1, 2, 3, 0}), g_order);
	for (auto &x : r) {
		EXPECT_EQ(1u, x.fired);
		EXPECT_GE(x.fired_at, x.deadline);
		EXPECT_LE(x.fired_at, x.deadline + TIMER_TICK_US + 100);
	}
	EXPECT_EQ(0u, timer_count(0));
}

TEST_F(TimerTest, ZeroDelayFiresOnNextManage)
{
	struct rec r;

	arm(&r, 7, 0);
	g_now += TIMER_TICK_US;
	EXPECT_EQ(1u, run());
	EXPECT_EQ(1u, r.fired);
}

void rearm_now_cb(struct timer_entry *t, void *arg)
{
	(*static_cast<unsigned *>(arg))++;
	EXPECT_EQ(0, timer_schedule(t, 0));
}

TEST_F(TimerTest, ZeroDelayRearmFromCallbackDoesNotSpin)
{
	struct timer_entry t;
	unsigned fired = 0;

	timer_entry_init(&t, rearm_now_cb, &fired);
	ASSERT_EQ(0, timer_schedule(&t, 0));
	g_now += TIMER_TICK_US;
	EXPECT_LE(run(), 2u);		/* at most once per elapsed tick */
	g_now += 10 * TIMER_TICK_US;
	EXPECT_LE(run(), 11u);
	EXPECT_GE(fired, 2u);
	EXPECT_TRUE(timer_pending(&t));
	EXPECT_EQ(0, timer_cancel(&t));
}

TEST_F(TimerTest, CancelAndNoOpCancel)
{
	struct rec a, b;

	arm(&a, 1, 2000);
	arm(&b, 2, 2000);
	EXPECT_EQ(0, timer_cancel(&a.t));
	EXPECT_FALSE(timer_pending(&a.t));
	EXPECT_EQ(0, timer_cancel(&a.t));	/* not pending: no-op */
	EXPECT_EQ(1u, timer_count(0));
	advance(5000);
	EXPECT_EQ(0u, a.fired);
	EXPECT_EQ(1u, b.fired);
	EXPECT_EQ(0, timer_cancel(&b.t));	/* after firing: no-op */
	EXPECT_EQ(EDPVS_INVAL, timer_cancel(nullptr));
}

TEST_F(TimerTest, RearmMovesThePendingTimer)
{
	struct rec a;

	arm(&a, 1, 10000);
	advance(5000);
	ASSERT_EQ(0, timer_schedule(&a.t, 50000));	/* now due at +55 ms */
	EXPECT_EQ(1u, timer_count(0));
	advance(45000);
	EXPECT_EQ(0u, a.fired);
	advance(6000);
	EXPECT_EQ(1u, a.fired);
	advance(100000, 10000);
	EXPECT_EQ(1u, a.fired);	/* once */
}

/* Re-arms that land in the slot the timer already sits in (the per-packet
 * conn_touch case, updated in place) must still fire at the last expiry:
 * not at the first one, not early, at most a tick late. */
TEST_F(TimerTest, RearmInTheSameSlotFiresAtTheLastExpiry)
{
	struct rec a, b;

	arm(&a, 1, 100000000);		/* 100 s: level 2 (slots of 65.5 s) */
	arm(&b, 2, 2000000);		/* 2 s: level 1 (slots of 256 ms) */
	for (int i = 0; i < 20; i++) {
		advance(10000);		/* 10 ms between packets */
		ASSERT_EQ(0, timer_schedule(&a.t, 100000000));
		ASSERT_EQ(0, timer_schedule(&b.t, 2000000));
	}
	EXPECT_EQ(2u, timer_count(0));
	a.deadline = g_now + 100000000;
	b.deadline = g_now + 2000000;
	advance(2000000 - 1000, 1000);
	EXPECT_EQ(0u, b.fired);		/* the first expiry has passed: not fired */
	advance(2000, 1000);
	EXPECT_EQ(1u, b.fired);
	EXPECT_GE(b.fired_at, b.deadline);
	advance(100000000 - 2001000 - 1000, 100000);
	EXPECT_EQ(0u, a.fired);
	advance(2000, 1000);
	EXPECT_EQ(1u, a.fired);
	EXPECT_GE(a.fired_at, a.deadline);
	EXPECT_LE(a.fired_at, a.deadline + TIMER_TICK_US);
}

struct periodic {
	struct timer_entry t;
	unsigned left, fired;
};

void periodic_cb(struct timer_entry *t, void *arg)
{
	struct periodic *p = static_cast<struct periodic *>(arg);

	p->fired++;
	if (--p->left > 0) {
		EXPECT_EQ(0, timer_schedule(t, 10000));
	}
}

TEST_F(TimerTest, CallbackRearmsItself)
{
	struct periodic p = {};

	p.left = 5;
	timer_entry_init(&p.t, periodic_cb, &p);
	ASSERT_EQ(0, timer_schedule(&p.t, 10000));
	advance(35000);
	EXPECT_EQ(3u, p.fired);
	advance(100000);
	EXPECT_EQ(5u, p.fired);
	EXPECT_FALSE(timer_pending(&p.t));
}

struct owned {
	struct timer_entry t;
	int payload[16];
};

std::atomic<unsigned> g_freed;

void free_cb(struct timer_entry *t, void *arg)
{
	struct owned *o = static_cast<struct owned *>(arg);

	EXPECT_EQ(&o->t, t);
	o->payload[0] = 1;
	free(o);	/* ASan would catch any later touch of t */
	g_freed++;
}

TEST_F(TimerTest, CallbackMayFreeItsObject)
{
	g_freed = 0;
	for (int i = 0; i < 1000; i++) {
		struct owned *o = static_cast<struct owned *>(calloc(1, sizeof(*o)));

		ASSERT_NE(nullptr, o);
		timer_entry_init(&o->t, free_cb, o);
		ASSERT_EQ(0, timer_schedule(&o->t, 2000 + (i % 3) * 1000));	/* same slots */
	}
	advance(10000);
	EXPECT_EQ(1000u, g_freed.load());
	EXPECT_EQ(0u, timer_count(0));
}

TEST_F(TimerTest, LongDelaysAcrossLevelsAndOverflow)
{
	/* 1: level 0; 2: level 1; 3: level 2; 4: level 3; 5, 6: overflow. */
	const uint64_t s = 1000000, h = 3600 * s, d = 24 * h;
	const uint64_t delays[] = { 200000, 30 * s, 2 * h, 3 * d, 60 * d, 120 * d };
	struct rec r[6];
	uint64_t t0 = g_now;

	for (int i = 0; i < 6; i++)
		arm(&r[i], i, delays[i]);
	/* Jump straight to each deadline minus 1 us and plus a tick. */
	for (int i = 0; i < 6; i++) {
		g_now = t0 + delays[i] - 1;
		run();
		EXPECT_EQ(0u, r[i].fired) << "timer " << i << " fired early";
		g_now = t0 + delays[i] + TIMER_TICK_US;
		run();
		EXPECT_EQ(1u, r[i].fired) << "timer " << i << " late";
		if (i + 1 < 6) {
			EXPECT_EQ(0u, r[i + 1].fired);
		}
	}
	EXPECT_EQ((std::vector<int>{0, 1, 2, 3, 4, 5}), g_order);
	EXPECT_EQ(0u, timer_count(0));
}

TEST_F(TimerTest, LongDelayFiresWhenTheClockMovesSteadily)
{
	struct rec r;

	arm(&r, 1, 70 * 1000000ull);	/* past two level-1 turns */
	advance(69999000, 7000);
	EXPECT_EQ(0u, r.fired);
	advance(8000, 1000);
	EXPECT_EQ(1u, r.fired);
	EXPECT_LE(r.fired_at, r.deadline + TIMER_TICK_US + 1000);
}

TEST_F(TimerTest, HundredThousandTimers)
{
	const unsigned n = 100000;
	std::vector<struct rec> r(n);
	uint32_t seed = 12345;
	unsigned fired;

	for (unsigned i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		arm(&r[i], (int)i, (seed >> 8) % 10000000);	/* up to 10 s */
	}
	/* A few cancelled, a few re-armed. */
	for (unsigned i = 0; i < n; i += 1000)
		ASSERT_EQ(0, timer_cancel(&r[i].t));
	for (unsigned i = 1; i < n; i += 1000) {
		r[i].deadline = g_now + 500000;
		ASSERT_EQ(0, timer_schedule(&r[i].t, 500000));
	}
	EXPECT_EQ(n - n / 1000, timer_count(0));
	fired = advance(11000000, 3000);
	EXPECT_EQ(n - n / 1000, fired);
	for (unsigned i = 0; i < n; i++) {
		if (i % 1000 == 0) {
			ASSERT_EQ(0u, r[i].fired);
			continue;
		}
		ASSERT_EQ(1u, r[i].fired) << i;
		ASSERT_GE(r[i].fired_at, r[i].deadline) << i;
		ASSERT_LE(r[i].fired_at, r[i].deadline + TIMER_TICK_US + 3000) << i;
	}
	EXPECT_EQ(0u, timer_count(0));
}

TEST_F(TimerTest, BudgetBoundsOneCall)
{
	std::vector<struct rec> r(3000);

	for (unsigned i = 0; i < r.size(); i++)
		arm(&r[i], (int)i, 1000);
	g_now += 2 * TIMER_TICK_US;
	EXPECT_EQ(100u, timer_manage(100));
	EXPECT_EQ(2900u, timer_count(0));
	/* The rest stay cancellable while waiting on the due list. */
	unsigned victim = 0;
	while (r[victim].fired)
		victim++;
	EXPECT_TRUE(timer_pending(&r[victim].t));
	EXPECT_EQ(0, timer_cancel(&r[victim].t));
	EXPECT_EQ((unsigned)TIMER_BUDGET, timer_manage(0));
	EXPECT_EQ(2899u - TIMER_BUDGET, run());
	EXPECT_EQ(0u, r[victim].fired);
}

TEST_F(TimerTest, Errors)
{
	struct timer_entry t;

	timer_entry_init(&t, nullptr, nullptr);
	EXPECT_EQ(EDPVS_INVAL, timer_schedule(&t, 10));	/* no callback */
	EXPECT_EQ(EDPVS_INVAL, timer_schedule(nullptr, 10));
	EXPECT_FALSE(timer_pending(&t));
	EXPECT_FALSE(timer_pending(nullptr));
	EXPECT_EQ(0u, timer_count(RTE_MAX_LCORE));

	struct rec r;
	arm(&r, 1, 1000);
	timer_term();	/* pending timers become not pending */
	EXPECT_FALSE(timer_pending(&r.t));
	EXPECT_EQ(EDPVS_NOTREADY, timer_schedule(&r.t, 10));
	EXPECT_EQ(0u, run());
	ASSERT_EQ(0, timer_init());
}

/* ---- on a running worker loop, real clock ---- */

std::atomic<unsigned> g_worker_fired;
std::atomic<int> g_worker_rc{1};
struct timer_entry g_worker_timer;

void worker_cb(struct timer_entry *, void *) { g_worker_fired++; }

int h_arm(unsigned lcore, const void *, size_t, struct msg_reply *)
{
	if (lcore != rte_lcore_id())
		return EDPVS_INVAL;
	timer_entry_init(&g_worker_timer, worker_cb, nullptr);
	return timer_schedule(&g_worker_timer, 20000);
}

TEST_F(TimerTest, ManageJobFiresOnTheWorkerLoop)
{
	static const uint32_t T_ARM = 0x7e5700a1;
	struct msg_result res;

	timer_set_clock(nullptr);	/* real time for the loop */
	ASSERT_EQ(0, job_set_role(0, JOB_ROLE_MASTER));
	ASSERT_EQ(0, job_set_role(1, JOB_ROLE_FWD_WORKER));
	ASSERT_EQ(0, msg_init());
	ASSERT_EQ(0, msg_type_register(T_ARM, h_arm));
	g_worker_fired = 0;
	ASSERT_EQ(0, job_launch_workers());
	ASSERT_EQ(0, msg_send_sync(1, T_ARM, nullptr, 0, 2000000, &res));
	EXPECT_EQ(0, res.status);
	/* Pending on lcore 1's wheel: lcore 0 may not cancel or move it. */
	EXPECT_EQ(EDPVS_INVAL, timer_schedule(&g_worker_timer, 10));
	for (int i = 0; i < 3000 && g_worker_fired.load() == 0; i++)
		usleep(1000);
	EXPECT_EQ(1u, g_worker_fired.load());
	EXPECT_EQ(0u, timer_count(1));
	ASSERT_EQ(0, job_join_workers());
	EXPECT_EQ(0, msg_type_unregister(T_ARM));
	msg_term();
}

int h_arm_long(unsigned lcore, const void *, size_t, struct msg_reply *)
{
	if (lcore != rte_lcore_id())
		return EDPVS_INVAL;
	timer_entry_init(&g_worker_timer, worker_cb, nullptr);
	return timer_schedule(&g_worker_timer, 60000000);
}

/* Teardown (conn tables at stop) unlinks a worker's timer from the master
 * once the loops have stopped, and is refused while they run. */
TEST_F(TimerTest, CancelStoppedOnlyAfterTheLoops)
{
	static const uint32_t T_ARM = 0x7e5700a2;
	struct msg_result res;

	timer_set_clock(nullptr);
	ASSERT_EQ(0, job_set_role(0, JOB_ROLE_MASTER));
	ASSERT_EQ(0, job_set_role(1, JOB_ROLE_FWD_WORKER));
	ASSERT_EQ(0, msg_init());
	ASSERT_EQ(0, msg_type_register(T_ARM, h_arm_long));
	ASSERT_EQ(0, job_launch_workers());
	ASSERT_EQ(0, msg_send_sync(1, T_ARM, nullptr, 0, 2000000, &res));
	EXPECT_EQ(0, res.status);
	EXPECT_EQ(EDPVS_INVAL, timer_cancel(&g_worker_timer));
	EXPECT_EQ(EDPVS_BUSY, timer_cancel_stopped(&g_worker_timer));
	EXPECT_TRUE(timer_pending(&g_worker_timer));
	ASSERT_EQ(0, job_join_workers());
	EXPECT_EQ(1u, timer_count(1));
	EXPECT_EQ(0, timer_cancel_stopped(&g_worker_timer));
	EXPECT_FALSE(timer_pending(&g_worker_timer));
	EXPECT_EQ(0u, timer_count(1));
	EXPECT_EQ(0, timer_cancel_stopped(&g_worker_timer));	/* no-op now */
	EXPECT_EQ(EDPVS_INVAL, timer_cancel_stopped(nullptr));
	EXPECT_EQ(0, msg_type_unregister(T_ARM));
	msg_term();
}

} /* namespace */

TEST_F(TimerTest, ExpiresUsAccessor)
{
	struct rec a;
	uint64_t t0 = timer_now_us();

	EXPECT_EQ(0u, timer_expires_us(nullptr));
	arm(&a, 1, 2500);
	/* the end of the tick that holds now + 2500 us: never early, < 1 tick late */
	EXPECT_GE(timer_expires_us(&a.t), t0 + 2500);
	EXPECT_LT(timer_expires_us(&a.t), t0 + 2500 + TIMER_TICK_US);
	ASSERT_EQ(0, timer_schedule(&a.t, 10000));	/* re-arm moves it */
	EXPECT_GE(timer_expires_us(&a.t), t0 + 10000);
	EXPECT_EQ(0, timer_cancel(&a.t));
	EXPECT_EQ(0u, timer_expires_us(&a.t));
}
