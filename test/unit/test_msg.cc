/*
 * test_msg.cc - messages between lcores (src/msg.c): argument errors,
 * fail-fast before the loops run, unicast sync round-trips with reply data,
 * handler status, multicast, async (also queued before the loop starts),
 * timeout with a late reply that neither leaks nor double-frees, and a
 * worker sending to the master while the master waits on the worker.
 * The test thread is the master (lcore 0); lcore 1 runs a FWD_WORKER loop.
 */
#include <gtest/gtest.h>
#include <atomic>
#include <cstring>
#include <functional>
#include <string>
#include <unistd.h>
#include <rte_cycles.h>

#include "dpvs_err.h"
#include "job.h"
#include "msg.h"
#include "test_eal.h"

namespace {

enum : uint32_t {
	T_ECHO = 0x7e570001,	/* reply "<lcore>:<payload>" */
	T_STATUS,		/* return the int in the payload */
	T_COUNT,		/* count, no reply */
	T_SLOW,			/* sleep the us in the payload, then reply */
	T_NESTED,		/* try a sync send from inside a handler */
	T_UNKNOWN,		/* never registered */
	T_POST_MARK,		/* post T_MARK to lcore 0, sleep, reply */
	T_MARK,			/* record whether lcore 0 is inside a send */
};

std::atomic<unsigned> g_count, g_slow_done;
std::atomic<int> g_nested_rc;

int h_echo(unsigned lcore, const void *req, size_t len, struct msg_reply *rep)
{
	std::string s = std::to_string(lcore) + ":" + std::string((const char *)req, len);

	return msg_reply_set(rep, s.data(), s.size());
}

int h_status(unsigned, const void *req, size_t len, struct msg_reply *)
{
	int v;

	if (len != sizeof(v))
		return EDPVS_INVAL;
	memcpy(&v, req, sizeof(v));
	return v;
}

int h_count(unsigned, const void *, size_t, struct msg_reply *rep)
{
	g_count++;
	return msg_reply_set(rep, "x", 1);	/* ignored for async */
}

int h_slow(unsigned, const void *req, size_t len, struct msg_reply *rep)
{
	unsigned us = 0;

	if (len == sizeof(us))
		memcpy(&us, req, sizeof(us));
	usleep(us);
	int rc = msg_reply_set(rep, "late reply", 10);
	g_slow_done++;
	return rc;
}

int h_nested(unsigned, const void *, size_t, struct msg_reply *)
{
	struct msg_result r;

	g_nested_rc = msg_send_sync(0, T_ECHO, "n", 1, 1000, &r);
	return 0;
}

std::atomic<bool> g_in_send;
std::atomic<int> g_mark;

int h_post_mark(unsigned, const void *req, size_t len, struct msg_reply *)
{
	unsigned us = 0;

	if (len == sizeof(us))
		memcpy(&us, req, sizeof(us));
	int rc = msg_send_async(0, T_MARK, nullptr, 0);
	usleep(us);
	return rc;
}

int h_mark(unsigned lcore, const void *, size_t, struct msg_reply *)
{
	if (lcore == 0 && g_in_send.load())
		g_mark++;
	return 0;
}

/* Worker job: once asked, send a sync message to the master. */
std::atomic<bool> g_ping_master;
std::atomic<int> g_ping_rc{1};
std::string g_ping_reply;

unsigned worker_pinger(void *)
{
	struct msg_result r;

	if (!g_ping_master.exchange(false))
		return 0;
	int rc = msg_send_sync(0, T_ECHO, "ping", 4, 2000000, &r);
	if (rc == EDPVS_NOTREADY) {	/* master not waiting right now: retry */
		g_ping_master = true;
		return 0;
	}
	if (rc == 0 && r.data)
		g_ping_reply.assign((const char *)r.data, r.len);
	msg_result_free(&r, 1);
	g_ping_rc = rc;
	return 1;
}

bool wait_until(const std::function<bool()> &cond, int ms = 3000)
{
	for (int i = 0; i < ms; i++) {
		if (cond())
			return true;
		usleep(1000);
	}
	return cond();
}

class MsgTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		static const struct job_idle_policy p = { JOB_IDLE_SLEEP, 100, 10, 200 };

		ASSERT_EQ(0, test_eal_up());
		ASSERT_EQ(0, job_set_role(0, JOB_ROLE_MASTER));
		ASSERT_EQ(0, job_set_role(1, JOB_ROLE_FWD_WORKER));
		ASSERT_EQ(0, job_init());
		ASSERT_EQ(0, msg_init());
		ASSERT_EQ(0, job_set_idle_policy(&p));
		ASSERT_EQ(0, msg_type_register(T_ECHO, h_echo));
		ASSERT_EQ(0, msg_type_register(T_STATUS, h_status));
		ASSERT_EQ(0, msg_type_register(T_COUNT, h_count));
		ASSERT_EQ(0, msg_type_register(T_SLOW, h_slow));
		ASSERT_EQ(0, msg_type_register(T_NESTED, h_nested));
		g_count = 0;
		g_slow_done = 0;
	}
	void TearDown() override
	{
		EXPECT_EQ(0, job_join_workers());
		/* Anything a test left in flight must be gone. */
		EXPECT_TRUE(wait_until([] { return msg_live_count() == 0; }));
		for (uint32_t t = T_ECHO; t < T_UNKNOWN; t++)
			EXPECT_EQ(0, msg_type_unregister(t));
		msg_term();
	}
};

TEST_F(MsgTest, ArgumentErrors)
{
	struct msg_result r;
	char big[MSG_MAX_DATA + 1] = {};

	EXPECT_EQ(EDPVS_EXIST, msg_type_register(T_ECHO, h_echo));
	EXPECT_EQ(EDPVS_INVAL, msg_type_register(0, h_echo));
	EXPECT_EQ(EDPVS_INVAL, msg_type_register(T_UNKNOWN, nullptr));
	EXPECT_EQ(EDPVS_NOTEXIST, msg_type_unregister(T_UNKNOWN));

	EXPECT_EQ(EDPVS_NOTEXIST, msg_send_sync(0, T_UNKNOWN, "a", 1, 1000, &r));
	EXPECT_EQ(EDPVS_NOTEXIST, r.status);
	EXPECT_EQ(EDPVS_INVAL, msg_send_sync(0, T_ECHO, big, sizeof(big), 1000, &r));
	EXPECT_EQ(EDPVS_INVAL, msg_send_sync(0, T_ECHO, nullptr, 3, 1000, &r));
	EXPECT_EQ(EDPVS_INVAL, msg_send_sync(0, T_ECHO, "a", 1, 0, &r));
	EXPECT_EQ(EDPVS_INVAL, msg_send_sync(0, T_ECHO, "a", 1, 1000, nullptr));
	EXPECT_EQ(EDPVS_INVAL, msg_send_sync(RTE_MAX_LCORE, T_ECHO, "a", 1, 1000, &r));
	EXPECT_EQ(EDPVS_NOTEXIST, msg_send_sync(5, T_ECHO, "a", 1, 1000, &r));	/* no lcore 5 */
	EXPECT_EQ(EDPVS_NOTEXIST, msg_send_async(1, T_UNKNOWN, "a", 1));
	EXPECT_EQ(EDPVS_INVAL, msg_send_async(1, T_ECHO, big, sizeof(big)));
	EXPECT_EQ(EDPVS_NOTEXIST, msg_multicast_async(T_UNKNOWN, nullptr, 0));
	EXPECT_EQ(0, msg_process(1));	/* not the calling lcore */
	EXPECT_EQ(0u, msg_live_count());
}

TEST_F(MsgTest, SyncBeforeRunFailsFastButSelfWorks)
{
	struct msg_result r;
	uint64_t t0 = rte_get_timer_cycles();

	EXPECT_EQ(EDPVS_NOTREADY, msg_send_sync(1, T_ECHO, "a", 1, 5000000, &r));
	EXPECT_EQ(EDPVS_NOTREADY, r.status);
	/* fail fast: well under the 5 s timeout */
	EXPECT_LT(rte_get_timer_cycles() - t0, rte_get_timer_hz());

	/* To ourselves: handled while we wait, no loop needed. */
	ASSERT_EQ(0, msg_send_sync(0, T_ECHO, "self", 4, 1000000, &r));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(0u, r.lcore_id);
	ASSERT_NE(nullptr, r.data);
	EXPECT_EQ("0:self", std::string((const char *)r.data, r.len));
	msg_result_free(&r, 1);
	EXPECT_EQ(nullptr, r.data);
}

TEST_F(MsgTest, UnicastSyncRoundTrip)
{
	struct msg_result r;
	int v = EDPVS_RANGE;

	ASSERT_EQ(0, job_launch_workers());
	for (int i = 0; i < 100; i++) {
		std::string p = "hello" + std::to_string(i);

		ASSERT_EQ(0, msg_send_sync(1, T_ECHO, p.data(), p.size(), 2000000, &r));
		EXPECT_EQ(0, r.status);
		EXPECT_EQ(1u, r.lcore_id);
		EXPECT_EQ("1:" + p, std::string((const char *)r.data, r.len));
		msg_result_free(&r, 1);
	}
	/* The handler's error is the status, delivery succeeded. */
	ASSERT_EQ(0, msg_send_sync(1, T_STATUS, &v, sizeof(v), 2000000, &r));
	EXPECT_EQ(EDPVS_RANGE, r.status);
	EXPECT_EQ(nullptr, r.data);
	/* A handler may not send synchronously (it would deadlock). */
	ASSERT_EQ(0, msg_send_sync(1, T_NESTED, nullptr, 0, 2000000, &r));
	EXPECT_EQ(EDPVS_BUSY, g_nested_rc.load());

	struct msg_lcore_stats st;
	ASSERT_EQ(0, msg_lcore_stats_get(1, &st));
	EXPECT_GE(st.handled, 102u);
	EXPECT_GE(st.enqueued, 102u);
}

TEST_F(MsgTest, MulticastSync)
{
	struct msg_result res[RTE_MAX_LCORE];
	unsigned n = 99;

	ASSERT_EQ(0, job_launch_workers());
	ASSERT_EQ(0, msg_multicast_sync(T_ECHO, "all", 3, 2000000, res, &n));
	ASSERT_EQ(job_role_count(JOB_ROLE_FWD_WORKER), n);
	ASSERT_EQ(1u, n);
	EXPECT_EQ(1u, res[0].lcore_id);
	EXPECT_EQ(0, res[0].status);
	EXPECT_EQ("1:all", std::string((const char *)res[0].data, res[0].len));
	msg_result_free(res, n);
	EXPECT_EQ(EDPVS_INVAL, msg_multicast_sync(T_ECHO, "a", 1, 1000, res, nullptr));
}

TEST_F(MsgTest, AsyncUnicastAndMulticast)
{
	ASSERT_EQ(0, job_launch_workers());
	for (int i = 0; i < 500; i++)
		ASSERT_EQ(0, msg_send_async(1, T_COUNT, &i, sizeof(i)));
	for (int i = 0; i < 500; i++)
		ASSERT_EQ(0, msg_multicast_async(T_COUNT, nullptr, 0));
	EXPECT_TRUE(wait_until([] { return g_count.load() == 1000; }));
	EXPECT_EQ(1000u, g_count.load());
}

TEST_F(MsgTest, AsyncQueuedBeforeRunIsHandledWhenItStarts)
{
	ASSERT_EQ(0, msg_send_async(1, T_COUNT, nullptr, 0));
	ASSERT_EQ(0, msg_multicast_async(T_COUNT, nullptr, 0));
	usleep(10000);
	EXPECT_EQ(0u, g_count.load());
	EXPECT_EQ(2u, msg_live_count());
	ASSERT_EQ(0, job_launch_workers());
	EXPECT_TRUE(wait_until([] { return g_count.load() == 2; }));
	EXPECT_TRUE(wait_until([] { return msg_live_count() == 0; }));
}

TEST_F(MsgTest, FullRingIsRefusedAndCounted)
{
	struct msg_lcore_stats before, after;
	unsigned sent = 0;
	int rc = 0;

	ASSERT_EQ(0, msg_lcore_stats_get(1, &before));
	for (unsigned i = 0; i < 5000 && rc == 0; i++) {
		rc = msg_send_async(1, T_COUNT, &i, sizeof(i));
		sent += rc == 0;
	}
	EXPECT_EQ(EDPVS_NOROOM, rc);
	EXPECT_GE(sent, 1000u);
	EXPECT_EQ(sent, msg_live_count());	/* the refused one was freed */
	ASSERT_EQ(0, msg_lcore_stats_get(1, &after));
	EXPECT_EQ(1u, after.ring_full - before.ring_full);
	ASSERT_EQ(0, job_launch_workers());
	EXPECT_TRUE(wait_until([&] { return g_count.load() == sent; }));
	EXPECT_TRUE(wait_until([] { return msg_live_count() == 0; }));
}

TEST_F(MsgTest, TimeoutThenLateReplyIsFreedOnce)
{
	struct msg_result r;
	unsigned us = 300000;	/* handler takes 300 ms */

	ASSERT_EQ(0, job_launch_workers());
	EXPECT_EQ(EDPVS_TIMEOUT, msg_send_sync(1, T_SLOW, &us, sizeof(us), 20000, &r));
	EXPECT_EQ(EDPVS_TIMEOUT, r.status);
	EXPECT_EQ(nullptr, r.data);
	EXPECT_EQ(0u, g_slow_done.load());
	EXPECT_EQ(1u, msg_live_count());	/* the receiver still holds it */
	EXPECT_TRUE(wait_until([] { return g_slow_done.load() == 1; }));
	EXPECT_TRUE(wait_until([] { return msg_live_count() == 0; }));

	struct msg_lcore_stats st;
	ASSERT_EQ(0, msg_lcore_stats_get(1, &st));
	EXPECT_GE(st.timeouts, 1u);

	/* The worker still answers afterwards. */
	ASSERT_EQ(0, msg_send_sync(1, T_ECHO, "after", 5, 2000000, &r));
	EXPECT_EQ("1:after", std::string((const char *)r.data, r.len));
	msg_result_free(&r, 1);
}

TEST_F(MsgTest, RacingTimeoutsAndRepliesNeverLeakOrDoubleFree)
{
	struct msg_result r;
	uint32_t seed = 7;
	unsigned ok = 0, timeouts = 0;

	ASSERT_EQ(0, job_launch_workers());
	for (int i = 0; i < 2000; i++) {
		unsigned us, timeout;

		seed = seed * 1103515245u + 12345u;
		us = (seed >> 8) % 200;			/* handler takes 0..199 us */
		timeout = 50 + (seed >> 20) % 250;	/* sender waits 50..299 us */
		int rc = msg_send_sync(1, T_SLOW, &us, sizeof(us), timeout, &r);
		if (rc == 0) {
			ok++;
			EXPECT_EQ("late reply", std::string((const char *)r.data, r.len));
		} else {
			timeouts++;
			EXPECT_EQ(EDPVS_TIMEOUT, rc);
			EXPECT_EQ(nullptr, r.data);
		}
		msg_result_free(&r, 1);
	}
	EXPECT_EQ(2000u, ok + timeouts);
	RecordProperty("ok", (int)ok);
	RecordProperty("timeouts", (int)timeouts);
	EXPECT_TRUE(wait_until([] { return g_slow_done.load() == 2000; }));
	EXPECT_TRUE(wait_until([] { return msg_live_count() == 0; }));
}

TEST_F(MsgTest, MessageLeftOnStoppedLcoreIsFreedByTerm)
{
	struct msg_result r;
	unsigned us = 200000;

	ASSERT_EQ(0, job_launch_workers());
	/* Keep lcore 1 busy, queue a sync message behind, then stop. */
	ASSERT_EQ(0, msg_send_async(1, T_SLOW, &us, sizeof(us)));
	usleep(20000);
	EXPECT_EQ(EDPVS_TIMEOUT, msg_send_sync(1, T_ECHO, "q", 1, 10000, &r));
	ASSERT_EQ(0, job_join_workers());
	EXPECT_EQ(EDPVS_NOTREADY, msg_send_sync(1, T_ECHO, "q", 1, 10000, &r));
	EXPECT_EQ(1u, msg_live_count());	/* still on lcore 1's ring */
	msg_term();
	EXPECT_EQ(0u, msg_live_count());
	ASSERT_EQ(0, msg_init());
}

TEST_F(MsgTest, MasterHandlesItsRingWhileWaiting)
{
	struct msg_result r;
	unsigned us = 50000;

	ASSERT_EQ(0, msg_type_register(T_POST_MARK, h_post_mark));
	ASSERT_EQ(0, msg_type_register(T_MARK, h_mark));
	g_mark = 0;
	ASSERT_EQ(0, job_launch_workers());
	g_in_send = true;
	ASSERT_EQ(0, msg_send_sync(1, T_POST_MARK, &us, sizeof(us), 2000000, &r));
	g_in_send = false;
	EXPECT_EQ(0, r.status);
	/* The worker's async message to lcore 0 was handled inside the wait. */
	EXPECT_EQ(1, g_mark.load());
	ASSERT_EQ(0, job_join_workers());
	EXPECT_EQ(0, msg_type_unregister(T_POST_MARK));
	EXPECT_EQ(0, msg_type_unregister(T_MARK));
}

/* Master job for job_run(): keep exchanging with the worker until the
 * worker's own sync message to the master came back, then stop. */
unsigned g_exchanges;

unsigned master_exchanger(void *)
{
	struct msg_result r;

	if (g_ping_rc.load() != 1 || ++g_exchanges > 20000) {
		job_request_stop();
		return 0;
	}
	if (msg_send_sync(1, T_ECHO, "m", 1, 2000000, &r) == 0)
		msg_result_free(&r, 1);
	return 1;
}

TEST_F(MsgTest, WorkerAndMasterSyncToEachOtherUnderJobRun)
{
	static struct job pinger, exchanger;

	memset(&pinger, 0, sizeof(pinger));
	snprintf(pinger.name, sizeof(pinger.name), "msg_t_pinger");
	pinger.type = JOB_LOOP;
	pinger.fn = worker_pinger;
	exchanger = pinger;
	snprintf(exchanger.name, sizeof(exchanger.name), "msg_t_exchanger");
	exchanger.fn = master_exchanger;
	ASSERT_EQ(0, job_register(&pinger, JOB_ROLE_FWD_WORKER));
	ASSERT_EQ(0, job_register(&exchanger, JOB_ROLE_MASTER));
	g_ping_rc = 1;
	g_ping_master = true;
	g_exchanges = 0;
	ASSERT_EQ(0, job_run());
	EXPECT_EQ(0, g_ping_rc.load());
	EXPECT_EQ("0:ping", g_ping_reply);
	EXPECT_EQ(0, job_unregister(&pinger));
	EXPECT_EQ(0, job_unregister(&exchanger));
}

} /* namespace */
