/*
 * timer.c - per-lcore hierarchical timing wheels (see include/timer.h).
 *
 * Owns: one struct timer_wheel per enabled lcore, and the timer_manage
 * jobs (MASTER, FWD_WORKER) that fire due timers.
 *
 * A wheel counts time in ticks of TIMER_TICK_US.  It has TIMER_LEVELS
 * levels of TIMER_SLOTS slots; level L holds timers due between 256^L and
 * 256^(L+1) ticks after the wheel's current tick `cur`, in the slot named by
 * bits 8L..8L+7 of their absolute expiry tick.  When `cur` crosses a
 * multiple of 256^L, the level-L slot for the new period is emptied and its
 * timers re-placed lower ("cascade"); timers beyond the top level wait on
 * an overflow list re-placed once per full turn (2^32 ticks).  Each slot is
 * an intrusive doubly linked list (next + pprev), so schedule and cancel
 * are O(1) and a timer is cascaded at most TIMER_LEVELS times.
 *
 * Expiry: the slot of tick `cur` is moved to the wheel's `due` list and
 * `cur` advances; due timers are unlinked one by one and their callbacks run
 * (at most `budget` per timer_manage() call; the rest stay on `due`,
 * still cancellable, for the next call).  A step goes straight to the next
 * event: the next non-empty level-0 slot of the turn, or, when the lower
 * levels are empty, the next cascade of the lowest non-empty one; an empty
 * wheel jumps to now.  So an lcore that did not run timer_manage() for a
 * while catches up in a few steps (at most TIMER_MAX_STEPS per call).
 *
 * Threads: a wheel is read and written only by its own lcore (schedule,
 * cancel and timer_manage check the caller); timer_count() from another
 * lcore is a plain, possibly stale load.
 */
#include <inttypes.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "timer.h"

DPVS_LOG_REGISTER(timer);

#define TIMER_MASK        (TIMER_SLOTS - 1)
#define TIMER_ON_OVERFLOW TIMER_LEVELS		/* timer_entry.where values */
#define TIMER_ON_DUE      (TIMER_LEVELS + 1)
#define TIMER_MAX_STEPS   65536u		/* wheel steps per timer_manage() */
#define TIMER_MAX_DELAY_US (UINT64_C(1) << 62)	/* longer delays are clamped */

_Static_assert(TIMER_LEVELS * TIMER_SLOT_BITS <= 32, "top level fits in 2^32 ticks");

struct timer_wheel {
	uint64_t cur;				/* next tick to process */
	uint64_t count;				/* pending timers (incl. due) */
	uint64_t level_count[TIMER_LEVELS];
	uint64_t fired;
	struct timer_entry *due;
	struct timer_entry *overflow;
	struct timer_entry *slot[TIMER_LEVELS][TIMER_SLOTS];
} __rte_cache_aligned;

static struct {
	bool up;
	struct timer_wheel *wheel[RTE_MAX_LCORE];
	uint64_t (*clock)(void);		/* tests only */
} timer_ctx;

static unsigned int timer_job_fn(void *arg);

static struct job timer_jobs[] = {
	{ .name = "timer_manage", .type = JOB_LOOP, .fn = timer_job_fn },
	{ .name = "timer_manage", .type = JOB_LOOP, .fn = timer_job_fn },
};
static const enum job_role timer_job_roles[] = { JOB_ROLE_MASTER, JOB_ROLE_FWD_WORKER };
_Static_assert(DPVS_ARRAY_SIZE(timer_jobs) == DPVS_ARRAY_SIZE(timer_job_roles),
	       "one role per timer job");

/* ---- clock ---- */

/* 2^64 * 1e6 / hz: cycles to microseconds by one multiplication (per
 * packet: conn timers), at most 1 us below the exact quotient.  Set by
 * timer_init() on the master before the loops; 0 = not yet (tests that
 * use timers without the module fall back to the divisions). */
static uint64_t timer_us_mult;

static uint64_t timer_us_mult_of(uint64_t hz)
{
	return hz > 1000000u ? (uint64_t)(((unsigned __int128)1000000u << 64) / hz) : 0;
}

uint64_t timer_now_us(void)
{
	uint64_t c, hz;

	if (unlikely(timer_ctx.clock != NULL))
		return timer_ctx.clock();
	c = rte_get_timer_cycles();
	if (likely(timer_us_mult != 0))
		return (uint64_t)(((unsigned __int128)c * timer_us_mult) >> 64);
	hz = rte_get_timer_hz();
	return c / hz * 1000000u + c % hz * 1000000u / hz;
}

void timer_set_clock(uint64_t (*now_us)(void))
{
	timer_ctx.clock = now_us;
}

static uint64_t timer_now_tick(void)
{
	return timer_now_us() / TIMER_TICK_US;
}

/* ---- lists ---- */

static void timer_list_add(struct timer_entry **head, struct timer_entry *t)
{
	t->next = *head;
	if (t->next)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static void timer_list_del(struct timer_entry *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

/* Detach a whole list, returning its first entry (pprev of it is stale). */
static struct timer_entry *timer_list_take(struct timer_entry **head)
{
	struct timer_entry *first = *head;

	*head = NULL;
	return first;
}

/* ---- the wheel ---- */

/* Put t (t->expires >= w->cur) on the level its distance from cur needs. */
static void wheel_place(struct timer_wheel *w, struct timer_entry *t)
{
	uint64_t delta = t->expires - w->cur;
	unsigned int level;

	for (level = 0; level < TIMER_LEVELS; level++) {
		if (delta < (UINT64_C(1) << (TIMER_SLOT_BITS * (level + 1)))) {
			unsigned int idx = (t->expires >> (TIMER_SLOT_BITS * level)) & TIMER_MASK;

			t->where = (uint8_t)level;
			w->level_count[level]++;
			timer_list_add(&w->slot[level][idx], t);
			return;
		}
	}
	t->where = TIMER_ON_OVERFLOW;
	timer_list_add(&w->overflow, t);
}

/*
 * Re-arm of a pending timer whose new expiry falls in the very slot (same
 * level, same index) it sits in: wheel_place() would put it back on the
 * same list, so only its expiry changes.  This is the per-packet case
 * (a conn touched again well before its timeout), which then costs no
 * unlink/relink.  True if done.
 */
static bool wheel_rearm_in_place(struct timer_wheel *w, struct timer_entry *t,
				 uint64_t now_us, uint64_t delay_us)
{
	uint64_t exp = (now_us + delay_us + TIMER_TICK_US - 1) / TIMER_TICK_US;
	unsigned int level = t->where, shift;

	if (level >= TIMER_LEVELS || exp < w->cur)
		return false;
	shift = TIMER_SLOT_BITS * level;
	if (exp - w->cur >= (UINT64_C(1) << (shift + TIMER_SLOT_BITS)) ||
	    (level > 0 && exp - w->cur < (UINT64_C(1) << shift)) ||
	    ((exp ^ t->expires) >> shift) & TIMER_MASK)
		return false;
	t->expires = exp;
	return true;
}

static void wheel_unlink(struct timer_wheel *w, struct timer_entry *t)
{
	if (t->where < TIMER_LEVELS)
		w->level_count[t->where]--;
	timer_list_del(t);
	w->count--;
}

/* Re-place every timer of a list (a slot of level, or the overflow list). */
static void wheel_replace_list(struct timer_wheel *w, struct timer_entry **head,
			       unsigned int level)
{
	struct timer_entry *t = timer_list_take(head);

	while (t) {
		struct timer_entry *next = t->next;

		if (level < TIMER_LEVELS)
			w->level_count[level]--;
		wheel_place(w, t);
		t = next;
	}
}

/* cur just became a multiple of 256: bring the timers of the new period
 * down from the higher levels (the highest first). */
static void wheel_cascade(struct timer_wheel *w)
{
	unsigned int level;

	if ((w->cur & ((UINT64_C(1) << (TIMER_SLOT_BITS * TIMER_LEVELS)) - 1)) == 0)
		wheel_replace_list(w, &w->overflow, TIMER_LEVELS);
	for (level = TIMER_LEVELS - 1; level >= 1; level--) {
		uint64_t period = UINT64_C(1) << (TIMER_SLOT_BITS * level);

		if ((w->cur & (period - 1)) == 0) {
			unsigned int idx = (w->cur >> (TIMER_SLOT_BITS * level)) & TIMER_MASK;

			wheel_replace_list(w, &w->slot[level][idx], level);
		}
	}
}

/* Move the level-0 slot of tick cur to the due list (which is empty). */
static void wheel_expire_slot(struct timer_wheel *w)
{
	struct timer_entry *t = timer_list_take(&w->slot[0][w->cur & TIMER_MASK]);

	w->due = t;
	if (t)
		t->pprev = &w->due;
	for (; t; t = t->next) {
		t->where = TIMER_ON_DUE;
		w->level_count[0]--;
	}
}

/* Lowest level holding timers (TIMER_LEVELS: only the overflow list). */
static unsigned int wheel_lowest_level(const struct timer_wheel *w)
{
	unsigned int level = 0;

	while (level < TIMER_LEVELS && w->level_count[level] == 0)
		level++;
	return level;
}

/* Advance cur towards now_tick + 1 to the next event: the next non-empty
 * level-0 slot of this turn (moved to due), or -- when the lower levels are
 * empty -- the next cascade of the lowest non-empty level.  Cascades when
 * cur lands on a turn boundary. */
static void wheel_step(struct timer_wheel *w, uint64_t now_tick)
{
	unsigned int level;

	if (w->count == 0) {
		w->cur = now_tick + 1;
		return;
	}
	level = wheel_lowest_level(w);
	if (level == 0) {
		uint64_t end = RTE_MIN(w->cur | TIMER_MASK, now_tick);

		while (w->cur <= end && !w->slot[0][w->cur & TIMER_MASK])
			w->cur++;
		if (w->cur <= end) {
			wheel_expire_slot(w);
			w->cur++;
		}
	} else {
		uint64_t period = UINT64_C(1) << (TIMER_SLOT_BITS * level);
		uint64_t boundary = (w->cur | (period - 1)) + 1;

		if (boundary > now_tick + 1) {
			w->cur = now_tick + 1;
			return;
		}
		w->cur = boundary;
	}
	if ((w->cur & TIMER_MASK) == 0)
		wheel_cascade(w);
}

static unsigned int wheel_fire_due(struct timer_wheel *w, unsigned int budget)
{
	unsigned int n = 0;

	while (w->due && n < budget) {
		struct timer_entry *t = w->due;

		wheel_unlink(w, t);
		n++;
		t->cb(t, t->arg);	/* may free t */
	}
	w->fired += n;
	return n;
}

static struct timer_wheel *timer_own_wheel(void)
{
	unsigned int self = rte_lcore_id();

	return self < RTE_MAX_LCORE ? timer_ctx.wheel[self] : NULL;
}

unsigned int timer_manage(unsigned int budget)
{
	struct timer_wheel *w = timer_own_wheel();
	unsigned int fired, steps = 0;
	uint64_t now_tick;

	if (!w || w->count == 0)
		return 0;
	if (budget == 0)
		budget = TIMER_BUDGET;
	now_tick = timer_now_tick();
	fired = wheel_fire_due(w, budget);
	while (!w->due && w->cur <= now_tick && steps++ < TIMER_MAX_STEPS) {
		wheel_step(w, now_tick);
		fired += wheel_fire_due(w, budget - fired);
	}
	return fired;
}

static unsigned int timer_job_fn(void *arg)
{
	(void)arg;
	return timer_manage(TIMER_BUDGET);
}

/* ---- timers ---- */

void timer_entry_init(struct timer_entry *t, timer_cb_t cb, void *arg)
{
	if (!t)
		return;
	t->next = NULL;
	t->pprev = NULL;
	t->expires = 0;
	t->cb = cb;
	t->arg = arg;
	t->lcore_id = 0;
	t->where = 0;
}

int timer_schedule(struct timer_entry *t, uint64_t delay_us)
{
	unsigned int self = rte_lcore_id();
	struct timer_wheel *w;
	uint64_t now_us;

	if (!t || !t->cb || self >= RTE_MAX_LCORE)
		return EDPVS_INVAL;
	if (t->pprev && t->lcore_id != self)
		return EDPVS_INVAL;
	w = timer_ctx.wheel[self];
	if (!w)
		return EDPVS_NOTREADY;
	now_us = timer_now_us();
	delay_us = RTE_MIN(delay_us, TIMER_MAX_DELAY_US);
	if (t->pprev && wheel_rearm_in_place(w, t, now_us, delay_us))
		return 0;
	if (t->pprev)
		wheel_unlink(w, t);
	if (w->count == 0 && w->cur < now_us / TIMER_TICK_US)
		w->cur = now_us / TIMER_TICK_US;	/* idle wheel: catch up at once */
	t->expires = (now_us + delay_us + TIMER_TICK_US - 1) / TIMER_TICK_US;
	if (t->expires < w->cur)
		t->expires = w->cur;
	t->lcore_id = (uint16_t)self;
	wheel_place(w, t);
	w->count++;
	return 0;
}

int timer_cancel(struct timer_entry *t)
{
	if (!t)
		return EDPVS_INVAL;
	if (!t->pprev)
		return 0;
	if (t->lcore_id != rte_lcore_id() || !timer_ctx.wheel[t->lcore_id])
		return EDPVS_INVAL;
	wheel_unlink(timer_ctx.wheel[t->lcore_id], t);
	return 0;
}

int timer_cancel_stopped(struct timer_entry *t)
{
	if (!t)
		return EDPVS_INVAL;
	if (!t->pprev)
		return 0;
	if (job_running())
		return EDPVS_BUSY;
	if (t->lcore_id >= RTE_MAX_LCORE || !timer_ctx.wheel[t->lcore_id])
		return EDPVS_INVAL;
	wheel_unlink(timer_ctx.wheel[t->lcore_id], t);
	return 0;
}

bool timer_pending(const struct timer_entry *t)
{
	return t && t->pprev != NULL;
}

uint64_t timer_expires_us(const struct timer_entry *t)
{
	return timer_pending(t) ? t->expires * TIMER_TICK_US : 0;
}

uint64_t timer_count(unsigned int lcore_id)
{
	if (lcore_id >= RTE_MAX_LCORE || !timer_ctx.wheel[lcore_id])
		return 0;
	return timer_ctx.wheel[lcore_id]->count;
}

/* ---- init / term ---- */

/* Make every timer of a list not pending (the wheel is going away). */
static void timer_list_orphan(struct timer_entry **head)
{
	struct timer_entry *t = timer_list_take(head);

	while (t) {
		struct timer_entry *next = t->next;

		t->next = NULL;
		t->pprev = NULL;
		t = next;
	}
}

static void timer_wheel_free(unsigned int lcore)
{
	struct timer_wheel *w = timer_ctx.wheel[lcore];
	unsigned int level, idx;

	if (!w)
		return;
	if (w->count)
		DPVS_LOG(timer, DEBUG, "lcore %u: dropping %" PRIu64 " pending timers", lcore,
			 w->count);
	timer_list_orphan(&w->due);
	timer_list_orphan(&w->overflow);
	for (level = 0; level < TIMER_LEVELS; level++) {
		for (idx = 0; idx < TIMER_SLOTS; idx++)
			timer_list_orphan(&w->slot[level][idx]);
	}
	rte_free(w);
	timer_ctx.wheel[lcore] = NULL;
}

static int timer_wheels_alloc(void)
{
	unsigned int lcore;

	RTE_LCORE_FOREACH(lcore) {
		struct timer_wheel *w = rte_zmalloc_socket("timer_wheel", sizeof(*w),
							   RTE_CACHE_LINE_SIZE,
							   (int)rte_lcore_to_socket_id(lcore));

		if (!w) {
			DPVS_LOG(timer, ERR, "no memory for the wheel of lcore %u", lcore);
			return EDPVS_NOMEM;
		}
		w->cur = timer_now_tick();
		timer_ctx.wheel[lcore] = w;
	}
	return 0;
}

static void timer_jobs_unregister(void)
{
	unsigned int i;

	for (i = 0; i < DPVS_ARRAY_SIZE(timer_jobs); i++)
		job_unregister(&timer_jobs[i]);
}

int timer_init(void)
{
	unsigned int i, lcore;
	int rc;

	if (timer_ctx.up)
		return 0;
	timer_us_mult = timer_us_mult_of(rte_get_timer_hz());
	rc = timer_wheels_alloc();
	if (rc != 0)
		goto err_wheels;
	for (i = 0; i < DPVS_ARRAY_SIZE(timer_jobs); i++) {
		rc = job_register(&timer_jobs[i], timer_job_roles[i]);
		if (rc != 0) {
			DPVS_LOG(timer, ERR, "cannot register timer_manage for %s: %s",
				 job_role_name(timer_job_roles[i]), dpvs_strerror(rc));
			goto err_jobs;
		}
	}
	timer_ctx.up = true;
	return 0;

err_jobs:
	timer_jobs_unregister();
err_wheels:
	RTE_LCORE_FOREACH(lcore)
		timer_wheel_free(lcore);
	return rc;
}

void timer_term(void)
{
	unsigned int lcore;

	if (!timer_ctx.up)
		return;
	if (job_running()) {
		DPVS_LOG(timer, ERR, "timer_term while loops run: refused");
		return;
	}
	timer_ctx.up = false;
	timer_jobs_unregister();
	for (lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
		timer_wheel_free(lcore);
}
