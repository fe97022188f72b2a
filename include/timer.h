/*
 * timer.h - per-lcore hierarchical timing wheels.
 *
 * Each enabled lcore owns one wheel.  A timer (struct timer_entry) is
 * embedded in its owner's object (a connection, a neighbour entry...) and
 * lives on the wheel of the lcore that scheduled it; only that lcore may
 * schedule, re-arm or cancel it.  Nothing is allocated per timer.
 *
 * Resolution: one tick is TIMER_TICK_US (1 ms).  A timer never fires
 * before its delay has elapsed and normally fires within one tick (plus one
 * loop iteration) after it.  Timers due in the same tick fire in no
 * particular order; timers due in different ticks fire in tick order.
 * Schedule, cancel and each expiry are O(1): the wheel has TIMER_LEVELS
 * levels of TIMER_SLOTS slots (1 ms x 256^4 = ~49.7 days); a longer delay
 * waits on an overflow list that is re-examined once per wheel turn.
 *
 * Expiry is driven by the "timer_manage" LOOP job (registered by
 * timer_init() for MASTER and FWD_WORKER lcores), which fires at most
 * TIMER_BUDGET callbacks per call and continues on the next iteration.
 * A callback runs on the wheel's lcore, with the timer already not
 * pending; it may re-arm the timer, cancel or schedule others, or free the
 * object that embeds the timer.
 */
#ifndef DPVS_TIMER_H
#define DPVS_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TIMER_TICK_US  1000u	/* wheel resolution */
#define TIMER_LEVELS   4u	/* wheel levels */
#define TIMER_SLOT_BITS 8u
#define TIMER_SLOTS    (1u << TIMER_SLOT_BITS)	/* slots per level */
#define TIMER_BUDGET   1024u	/* callbacks per timer_manage() call */

struct timer_entry;
typedef void (*timer_cb_t)(struct timer_entry *t, void *arg);

/* Embed in the owner's object.  Fields are private to timer.c. */
struct timer_entry {
	struct timer_entry *next;
	struct timer_entry **pprev;	/* NULL: not pending */
	uint64_t expires;		/* absolute tick */
	timer_cb_t cb;
	void *arg;
	uint16_t lcore_id;		/* wheel holding it (when pending) */
	uint8_t where;			/* list it is on (level, overflow, due) */
};

/* Prepare a timer (not pending) with its callback and argument.  Must be
 * called once before the first timer_schedule(); may be called again only
 * while the timer is not pending.  Any thread. */
void timer_entry_init(struct timer_entry *t, timer_cb_t cb, void *arg);

/* Arm t on the calling lcore's wheel to fire delay_us from now (rounded up
 * to a tick).  A pending timer is re-armed (moved).  Returns 0,
 * EDPVS_INVAL (t NULL or without callback, or pending on another lcore's
 * wheel, or the caller is not an EAL lcore), EDPVS_NOTREADY (timer_init()
 * not done).  Calling lcore only; never blocks. */
int timer_schedule(struct timer_entry *t, uint64_t delay_us);

/* Disarm t.  A no-op (0) if t is not pending.  EDPVS_INVAL if t is pending
 * on another lcore's wheel.  Calling lcore only; never blocks. */
int timer_cancel(struct timer_entry *t);

/* Disarm t on whichever lcore's wheel holds it, for teardown after
 * job_run() has returned (no loop touches any wheel then).  A no-op (0) if
 * t is not pending; EDPVS_BUSY while loops run (use timer_cancel() from the
 * owner lcore then).  Any thread, but only with the loops stopped. */
int timer_cancel_stopped(struct timer_entry *t);

/* True while t is armed (scheduled and its callback not started). */
bool timer_pending(const struct timer_entry *t);

/* When a pending t expires, in microseconds on the timer_now_us() clock
 * (the end of its expiry tick; it fires at the first timer_manage() after
 * that).  0 if t is not pending.  The owner lcore, or any thread that
 * tolerates a stale value (listings). */
uint64_t timer_expires_us(const struct timer_entry *t);

/* Monotonic microseconds since an arbitrary start, from
 * rte_get_timer_cycles() (or the test clock, see timer_set_clock()).
 * Any thread. */
uint64_t timer_now_us(void);

/* Fire the due timers of the calling lcore's wheel, at most budget
 * callbacks (0: TIMER_BUDGET).  Returns the number fired.  What the
 * timer_manage job runs; also for tests and for lcores without the job. */
unsigned int timer_manage(unsigned int budget);

/* Timers pending on an lcore's wheel (0 for a bad lcore).  Any thread;
 * a reader on another lcore may see a slightly stale value. */
uint64_t timer_count(unsigned int lcore_id);

/* Tests only: make timer_now_us() return now_us() (NULL: the real clock).
 * Set it only while no loop is running timers. */
void timer_set_clock(uint64_t (*now_us)(void));

/* Allocate a wheel per enabled lcore and register the timer_manage jobs
 * (after job_init(), before job_run()).  Idempotent.  EDPVS_NOMEM,
 * or the error of job_register(). */
int timer_init(void);

/* Unregister the jobs and free the wheels; timers still pending become not
 * pending without firing.  Not while loops run. */
void timer_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_TIMER_H */
