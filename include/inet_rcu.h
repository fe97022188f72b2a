/*
 * inet_rcu.h - the quiescent-state (QSBR) variable that protects the L3
 * configuration published to forwarding lcores without locks: the route
 * table (one rte_lpm plus a slot array) and the address view.
 *
 * Ownership: the master is the only writer of routes and addresses.  Each
 * FWD_WORKER registers as a reader when its loop starts (JOB_INIT job
 * "inet_rcu_online") and reports a quiescent state once per loop iteration
 * ("inet_rcu_qs" LOOP job), so a pointer obtained from route_lookup() or an
 * address lookup stays valid until the end of the current burst.  Memory a
 * writer unpublishes is handed to inet_rcu_defer() and freed by the master
 * ("inet_rcu_reclaim" LOOP job) once every reader has gone through a
 * quiescent state.  Internal to the inet modules.
 */
#ifndef DPVS_INET_RCU_H
#define DPVS_INET_RCU_H

#include <stdbool.h>
#include <rte_rcu_qsbr.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INET_RCU_DEFER_MAX 1024u	/* deferred frees pending at most */

typedef void (*inet_rcu_free_fn)(void *arg);

/* The QSBR variable (NULL before inet_rcu_init()).  Any lcore. */
struct rte_rcu_qsbr *inet_rcu_qsbr(void);

/* Call fn(arg) once every reader has passed a quiescent state.  Without
 * inet_rcu_init() (unit tests) or with no reader online, fn runs at once.
 * When the queue is full the master waits for the oldest grace period
 * (bounded by one worker loop iteration).  Master only. */
void inet_rcu_defer(inet_rcu_free_fn fn, void *arg);

/* Run the frees whose grace period has ended; returns how many ran.
 * Master only (its LOOP job does it). */
unsigned int inet_rcu_reclaim(void);

/* The loops have stopped: take every reader offline and run every pending
 * free now.  Master only, at teardown (the terms of route and inet_addr
 * call it before freeing what pending frees point into). */
void inet_rcu_flush(void);

/* Module init/term: allocate the variable, register the jobs.  term runs
 * every pending free (the loops have stopped by then). */
int inet_rcu_init(void);
void inet_rcu_term(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_INET_RCU_H */
