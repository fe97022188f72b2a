/*
 * test_job.cc - the job table and the lcore loop (src/job.c): registration
 * errors, INIT once per loop start, LOOP and SLOW counts, stop and re-run,
 * the idle policy, roles.  Loops run on lcore 1 (job_launch_workers) or on
 * both lcores (job_run); every test stops them before it ends.
 */
#include <gtest/gtest.h>
#include <atomic>
#include <string>
#include <vector>
#include <unistd.h>
#include <sys/resource.h>

#include "dpvs_err.h"
#include "job.h"
#include "test_eal.h"

namespace {

std::atomic<unsigned> g_init_calls, g_loop_calls, g_slow_calls, g_master_calls;
unsigned g_stop_after;

unsigned count_init(void *) { g_init_calls++; return 0; }
unsigned count_slow(void *) { g_slow_calls++; return 0; }
unsigned nothing(void *) { return 0; }
unsigned busy(void *) { return 1; }

/* Counts and stops every loop after g_stop_after calls; reports work. */
unsigned count_loop(void *)
{
	if (++g_loop_calls == g_stop_after)
		job_request_stop();
	return 1;
}

/* Master job for job_run(): stop once the worker has looped enough. */
unsigned master_watch(void *)
{
	g_master_calls++;
	if (g_loop_calls.load() >= 100)
		job_request_stop();
	return 0;
}

struct job make_job(const char *name, enum job_type type, job_fn_t fn, unsigned skip = 0)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	snprintf(j.name, sizeof(j.name), "%s", name);
	j.type = type;
	j.fn = fn;
	j.skip_loops = skip;
	return j;
}

class JobTest : public ::testing::Test {
protected:
	std::vector<struct job *> registered;
	struct job_idle_policy saved, saved_master;

	void SetUp() override
	{
		ASSERT_EQ(0, test_eal_up());
		ASSERT_EQ(0, job_init());
		ASSERT_EQ(0, job_set_role(0, JOB_ROLE_MASTER));
		ASSERT_EQ(0, job_set_role(1, JOB_ROLE_FWD_WORKER));
		job_get_idle_policy(&saved);
		job_get_role_idle_policy(JOB_ROLE_MASTER, &saved_master);
		g_init_calls = g_loop_calls = g_slow_calls = g_master_calls = 0;
		g_stop_after = 0;
	}
	void TearDown() override
	{
		EXPECT_EQ(0, job_join_workers());
		for (struct job *j : registered)
			job_unregister(j);
		job_set_idle_policy(&saved);
		job_set_role_idle_policy(JOB_ROLE_MASTER, &saved_master);
		job_set_role_idle_policy(JOB_ROLE_KNI_WORKER, &saved_master);
		EXPECT_FALSE(job_running());
		EXPECT_FALSE(job_stopping());
	}
	void add(struct job *j, enum job_role role)
	{
		ASSERT_EQ(0, job_register(j, role));
		registered.push_back(j);
	}
	/* Wait (bounded) until the launched worker loops stop by themselves. */
	void wait_worker_stopped()
	{
		for (int i = 0; i < 5000 && job_lcore_running(1); i++)
			usleep(1000);
		EXPECT_FALSE(job_lcore_running(1));
	}
};

TEST_F(JobTest, RegisterErrors)
{
	static struct job no_fn = make_job("no_fn", JOB_LOOP, nullptr);
	static struct job slow0 = make_job("slow0", JOB_SLOW, nothing, 0);
	static struct job badtype = make_job("badtype", (enum job_type)7, nothing);
	static struct job noname = make_job("", JOB_LOOP, nothing);
	static struct job a = make_job("job_t_a", JOB_LOOP, nothing);
	static struct job a2 = make_job("job_t_a", JOB_SLOW, nothing, 3);
	static struct job b = make_job("job_t_b", JOB_LOOP, nothing);

	EXPECT_EQ(EDPVS_INVAL, job_register(nullptr, JOB_ROLE_MASTER));
	EXPECT_EQ(EDPVS_INVAL, job_register(&no_fn, JOB_ROLE_MASTER));
	EXPECT_EQ(EDPVS_INVAL, job_register(&slow0, JOB_ROLE_MASTER));
	EXPECT_EQ(EDPVS_INVAL, job_register(&badtype, JOB_ROLE_MASTER));
	EXPECT_EQ(EDPVS_INVAL, job_register(&noname, JOB_ROLE_MASTER));
	EXPECT_EQ(EDPVS_INVAL, job_register(&b, JOB_ROLE_IDLE));
	EXPECT_EQ(EDPVS_INVAL, job_register(&b, JOB_ROLE_MAX));

	add(&a, JOB_ROLE_MASTER);
	EXPECT_EQ(EDPVS_EXIST, job_register(&a, JOB_ROLE_MASTER));	/* same struct */
	EXPECT_EQ(EDPVS_EXIST, job_register(&a, JOB_ROLE_FWD_WORKER));
	EXPECT_EQ(EDPVS_EXIST, job_register(&a2, JOB_ROLE_MASTER));	/* same name */
	add(&a2, JOB_ROLE_FWD_WORKER);	/* same name, other role: fine */

	EXPECT_EQ(EDPVS_NOTEXIST, job_unregister(&b));
	ASSERT_EQ(0, job_launch_workers());
	EXPECT_TRUE(job_running());
	EXPECT_EQ(EDPVS_BUSY, job_register(&b, JOB_ROLE_MASTER));
	EXPECT_EQ(EDPVS_BUSY, job_unregister(&a));
	EXPECT_EQ(EDPVS_BUSY, job_set_role(1, JOB_ROLE_FWD_WORKER));
	EXPECT_EQ(EDPVS_BUSY, job_launch_workers());
	ASSERT_EQ(0, job_join_workers());
	EXPECT_EQ(0, job_unregister(&a));
	EXPECT_EQ(EDPVS_NOTEXIST, job_unregister(&a));
}

TEST_F(JobTest, Roles)
{
	EXPECT_EQ(EDPVS_INVAL, job_set_role(1, JOB_ROLE_MASTER));	/* not the main lcore */
	EXPECT_EQ(EDPVS_INVAL, job_set_role(0, JOB_ROLE_FWD_WORKER));
	EXPECT_EQ(EDPVS_INVAL, job_set_role(5, JOB_ROLE_FWD_WORKER));	/* not enabled */
	EXPECT_EQ(EDPVS_INVAL, job_set_role(RTE_MAX_LCORE, JOB_ROLE_IDLE));
	EXPECT_EQ(EDPVS_INVAL, job_set_role(1, JOB_ROLE_MAX));
	EXPECT_EQ(JOB_ROLE_MASTER, job_lcore_role(0));
	EXPECT_EQ(JOB_ROLE_FWD_WORKER, job_lcore_role(1));
	EXPECT_EQ(JOB_ROLE_IDLE, job_lcore_role(7));
	EXPECT_EQ(1u, job_role_count(JOB_ROLE_FWD_WORKER));
	EXPECT_EQ(1u, job_role_lcore(JOB_ROLE_FWD_WORKER, 0));
	EXPECT_EQ((unsigned)RTE_MAX_LCORE, job_role_lcore(JOB_ROLE_FWD_WORKER, 1));
	EXPECT_EQ(0u, job_role_count(JOB_ROLE_KNI_WORKER));
	EXPECT_STREQ("fwd_worker", job_role_name(JOB_ROLE_FWD_WORKER));
	EXPECT_STREQ("master", job_role_name(JOB_ROLE_MASTER));
	EXPECT_STREQ("unknown", job_role_name(JOB_ROLE_MAX));
}

TEST_F(JobTest, ForeachInOrderAndStops)
{
	static struct job i1 = make_job("job_t_i1", JOB_INIT, nothing);
	static struct job l1 = make_job("job_t_l1", JOB_LOOP, nothing);
	static struct job l2 = make_job("job_t_l2", JOB_LOOP, nothing);
	static struct job s1 = make_job("job_t_s1", JOB_SLOW, nothing, 5);
	std::vector<std::string> names;

	add(&l1, JOB_ROLE_KNI_WORKER);
	add(&s1, JOB_ROLE_KNI_WORKER);
	add(&i1, JOB_ROLE_KNI_WORKER);
	add(&l2, JOB_ROLE_KNI_WORKER);
	ASSERT_EQ(0, job_foreach(JOB_ROLE_KNI_WORKER, [](const struct job *j, void *arg) {
		static_cast<std::vector<std::string> *>(arg)->push_back(j->name);
		return 0;
	}, &names));
	EXPECT_EQ((std::vector<std::string>{"job_t_i1", "job_t_l1", "job_t_l2", "job_t_s1"}),
		  names);
	EXPECT_EQ(42, job_foreach(JOB_ROLE_KNI_WORKER,
				  [](const struct job *, void *) { return 42; }, nullptr));
	EXPECT_EQ(EDPVS_INVAL, job_foreach(JOB_ROLE_MAX, nullptr, nullptr));
}

TEST_F(JobTest, InitOnceLoopAndSlowCounts)
{
	static struct job ini = make_job("job_t_init", JOB_INIT, count_init);
	static struct job loop = make_job("job_t_loop", JOB_LOOP, count_loop);
	static struct job slow = make_job("job_t_slow", JOB_SLOW, count_slow, 10);

	add(&ini, JOB_ROLE_FWD_WORKER);
	add(&loop, JOB_ROLE_FWD_WORKER);
	add(&slow, JOB_ROLE_FWD_WORKER);
	g_stop_after = 1000;
	ASSERT_EQ(0, job_launch_workers());
	wait_worker_stopped();
	ASSERT_EQ(0, job_join_workers());

	EXPECT_EQ(1u, g_init_calls.load());
	EXPECT_EQ(1000u, g_loop_calls.load());
	EXPECT_EQ(100u, g_slow_calls.load());
	EXPECT_EQ(1000u, loop.stats[1].calls);
	EXPECT_EQ(1000u, loop.stats[1].work);
	EXPECT_GT(loop.stats[1].cycles, 0u);
	EXPECT_EQ(100u, slow.stats[1].calls);
	EXPECT_EQ(1u, ini.stats[1].calls);
	EXPECT_EQ(0u, loop.stats[0].calls);	/* only lcore 1 ran it */
	EXPECT_FALSE(job_stopping());		/* cleared by the join */

	/* Re-runnable: a second run starts with INIT again. */
	g_loop_calls = 0;
	ASSERT_EQ(0, job_launch_workers());
	wait_worker_stopped();
	ASSERT_EQ(0, job_join_workers());
	EXPECT_EQ(2u, g_init_calls.load());
	EXPECT_EQ(1000u, g_loop_calls.load());
	EXPECT_EQ(2000u, loop.stats[1].calls);
}

TEST_F(JobTest, JobRunRunsMasterAndWorkers)
{
	static struct job mini = make_job("job_t_minit", JOB_INIT, count_init);
	static struct job mloop = make_job("job_t_mwatch", JOB_LOOP, master_watch);
	static struct job wloop = make_job("job_t_wloop", JOB_LOOP, count_loop);

	add(&mini, JOB_ROLE_MASTER);
	add(&mloop, JOB_ROLE_MASTER);
	add(&wloop, JOB_ROLE_FWD_WORKER);
	g_stop_after = ~0u;
	ASSERT_EQ(0, job_run());
	EXPECT_FALSE(job_running());
	EXPECT_FALSE(job_lcore_running(0));
	EXPECT_FALSE(job_lcore_running(1));
	EXPECT_EQ(1u, g_init_calls.load());
	EXPECT_GE(g_loop_calls.load(), 100u);
	EXPECT_GT(g_master_calls.load(), 0u);
	EXPECT_EQ(g_master_calls.load(), mloop.stats[0].calls);
}

TEST_F(JobTest, StopBeforeRunIsKept)
{
	static struct job mini = make_job("job_t_minit", JOB_INIT, count_init);
	static struct job mloop = make_job("job_t_mwatch", JOB_LOOP, master_watch);

	add(&mini, JOB_ROLE_MASTER);
	add(&mloop, JOB_ROLE_MASTER);
	job_request_stop();
	EXPECT_TRUE(job_stopping());
	ASSERT_EQ(0, job_run());	/* returns without looping */
	EXPECT_EQ(1u, g_init_calls.load());
	EXPECT_EQ(0u, g_master_calls.load());
	EXPECT_FALSE(job_stopping());
}

TEST_F(JobTest, IdlePolicyValidation)
{
	struct job_idle_policy p = { JOB_IDLE_SLEEP, 10, 0, 100 };

	EXPECT_EQ(EDPVS_INVAL, job_set_idle_policy(&p));	/* min 0 */
	p.sleep_min_us = 200;
	EXPECT_EQ(EDPVS_INVAL, job_set_idle_policy(&p));	/* max < min */
	p.sleep_min_us = 10;
	p.sleep_max_us = 2000000;
	EXPECT_EQ(EDPVS_INVAL, job_set_idle_policy(&p));	/* over 1 s */
	p.mode = (enum job_idle_mode)9;
	EXPECT_EQ(EDPVS_INVAL, job_set_idle_policy(&p));
	EXPECT_EQ(EDPVS_INVAL, job_set_idle_policy(nullptr));
	p = { JOB_IDLE_SLEEP, 7, 11, 222 };
	ASSERT_EQ(0, job_set_idle_policy(&p));
	struct job_idle_policy got;
	job_get_idle_policy(&got);
	EXPECT_EQ(JOB_IDLE_SLEEP, got.mode);
	EXPECT_EQ(7u, got.pause_loops);
	EXPECT_EQ(11u, got.sleep_min_us);
	EXPECT_EQ(222u, got.sleep_max_us);
}

/* Run lcore 1 for ~50 ms with one job returning work_fn's value; report
 * the loop counters accumulated meanwhile. */
static struct job_lcore_stats run_idle(job_fn_t fn, const struct job_idle_policy *p)
{
	static struct job j;
	struct job_lcore_stats before, after, d;

	j = make_job("job_t_idle", JOB_LOOP, fn);
	EXPECT_EQ(0, job_set_idle_policy(p));
	EXPECT_EQ(0, job_register(&j, JOB_ROLE_FWD_WORKER));
	job_lcore_stats_get(1, &before);
	EXPECT_EQ(0, job_launch_workers());
	usleep(50000);
	EXPECT_EQ(0, job_join_workers());
	job_lcore_stats_get(1, &after);
	EXPECT_EQ(0, job_unregister(&j));
	d.loops = after.loops - before.loops;
	d.idle_loops = after.idle_loops - before.idle_loops;
	d.sleeps = after.sleeps - before.sleeps;
	d.sleep_us = after.sleep_us - before.sleep_us;
	return d;
}

/* Sleeps of lcore 1 (FWD_WORKER) idling ~50 ms under the policies as set. */
static uint64_t worker_sleeps(void)
{
	static struct job j;
	struct job_lcore_stats before, after;

	j = make_job("job_t_role", JOB_LOOP, nothing);
	EXPECT_EQ(0, job_register(&j, JOB_ROLE_FWD_WORKER));
	job_lcore_stats_get(1, &before);
	EXPECT_EQ(0, job_launch_workers());
	usleep(50000);
	EXPECT_EQ(0, job_join_workers());
	job_lcore_stats_get(1, &after);
	EXPECT_EQ(0, job_unregister(&j));
	return after.sleeps - before.sleeps;
}

/* A role's own policy (global.idle_master): the worker follows its role's
 * policy whatever the master's is, and job_set_idle_policy() sets all. */
TEST_F(JobTest, IdlePolicyPerRole)
{
	struct job_idle_policy sleep = { JOB_IDLE_SLEEP, 10, 10, 400 };
	struct job_idle_policy poll = { JOB_IDLE_BUSY_POLL, 0, 10, 400 };
	struct job_idle_policy got, bad = { JOB_IDLE_SLEEP, 1, 0, 10 };

	ASSERT_EQ(0, job_set_idle_policy(&sleep));
	ASSERT_EQ(0, job_set_role_idle_policy(JOB_ROLE_FWD_WORKER, &poll));
	job_get_role_idle_policy(JOB_ROLE_MASTER, &got);
	EXPECT_EQ(JOB_IDLE_SLEEP, got.mode);
	job_get_idle_policy(&got);	/* the workers' */
	EXPECT_EQ(JOB_IDLE_BUSY_POLL, got.mode);
	EXPECT_EQ(0u, worker_sleeps());

	ASSERT_EQ(0, job_set_idle_policy(&poll));
	ASSERT_EQ(0, job_set_role_idle_policy(JOB_ROLE_FWD_WORKER, &sleep));
	job_get_role_idle_policy(JOB_ROLE_MASTER, &got);
	EXPECT_EQ(JOB_IDLE_BUSY_POLL, got.mode);
	EXPECT_GT(worker_sleeps(), 0u);

	EXPECT_EQ(EDPVS_INVAL, job_set_role_idle_policy(JOB_ROLE_MAX, &sleep));
	EXPECT_EQ(EDPVS_INVAL, job_set_role_idle_policy(JOB_ROLE_MASTER, &bad));
	EXPECT_EQ(EDPVS_INVAL, job_set_role_idle_policy(JOB_ROLE_MASTER, nullptr));
	job_get_role_idle_policy(JOB_ROLE_MASTER, &got);
	EXPECT_EQ(JOB_IDLE_BUSY_POLL, got.mode);	/* unchanged by the refusals */
	ASSERT_EQ(0, job_set_idle_policy(&sleep));
	job_get_role_idle_policy(JOB_ROLE_KNI_WORKER, &got);
	EXPECT_EQ(JOB_IDLE_SLEEP, got.mode);
	EXPECT_EQ(400u, got.sleep_max_us);
}

TEST_F(JobTest, IdleSleepBacksOffAndWorkResetsIt)
{
	struct job_idle_policy sleep = { JOB_IDLE_SLEEP, 10, 10, 400 };
	struct job_idle_policy poll = { JOB_IDLE_BUSY_POLL, 10, 10, 400 };
	struct job_lcore_stats d;

	d = run_idle(nothing, &sleep);
	EXPECT_GT(d.loops, 10u);
	EXPECT_EQ(d.loops, d.idle_loops);
	EXPECT_GT(d.sleeps, 0u);
	/* The sleeps escalate: after the first few every one is 400 us, so
	 * they average well above the first (10 us). */
	EXPECT_GT(d.sleep_us / d.sleeps, 100u);
	/* Busy-poll, fewer iterations are slept: none. */
	d = run_idle(nothing, &poll);
	EXPECT_GT(d.loops, 0u);
	EXPECT_EQ(0u, d.sleeps);
	/* Work on every iteration: never idle, never sleeps. */
	d = run_idle(busy, &sleep);
	EXPECT_GT(d.loops, 0u);
	EXPECT_EQ(0u, d.idle_loops);
	EXPECT_EQ(0u, d.sleeps);
	EXPECT_EQ(EDPVS_INVAL, job_lcore_stats_get(RTE_MAX_LCORE, &d));
}

/* CPU time of the calling thread, us. */
std::atomic<uint64_t> g_cpu_first, g_cpu_last;

unsigned sample_cpu(void *)
{
	struct rusage ru;
	uint64_t us;

	getrusage(RUSAGE_THREAD, &ru);
	us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	     (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	if (g_cpu_first.load() == 0)
		g_cpu_first = us + 1;
	g_cpu_last = us + 1;
	return 0;
}

TEST_F(JobTest, IdleSleepKeepsTheWorkerMostlyOffCpu)
{
	struct job_idle_policy p = { JOB_IDLE_SLEEP, 10, 50, 1000 };
	static struct job j;

	j = make_job("job_t_cpu", JOB_LOOP, sample_cpu);
	ASSERT_EQ(0, job_set_idle_policy(&p));
	add(&j, JOB_ROLE_FWD_WORKER);
	g_cpu_first = g_cpu_last = 0;
	ASSERT_EQ(0, job_launch_workers());
	usleep(300000);
	ASSERT_EQ(0, job_join_workers());
	ASSERT_GT(g_cpu_first.load(), 0u);
	/* A busy-polling loop would burn ~300 ms of CPU here (one-sided bound:
	 * contention on the machine only lowers it). */
	EXPECT_LT(g_cpu_last.load() - g_cpu_first.load(), 100000u);
}

/* Work on every 4th call only. */
unsigned every_fourth(void *)
{
	static unsigned n;

	return ++n % 4 == 0;
}

TEST_F(JobTest, WorkResetsTheSleepBackOff)
{
	struct job_idle_policy p = { JOB_IDLE_SLEEP, 0, 10, 100000 };
	struct job_lcore_stats d = run_idle(every_fourth, &p);

	/* Between two busy iterations there are three idle ones sleeping
	 * 10, 20, 40 us; without the reset they would climb to 100 ms. */
	ASSERT_GT(d.sleeps, 0u);
	EXPECT_LT(d.sleep_us / d.sleeps, 100u);
	EXPECT_GT(d.loops, d.idle_loops);
}

} /* namespace */
