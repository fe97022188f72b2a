/*
 * sched_int.h - private helpers shared by the scheduler files
 * (src/ipvs/sched_*.c), implemented in sched.c.  Not for other modules.
 */
#ifndef DPVS_IPVS_SCHED_INT_H
#define DPVS_IPVS_SCHED_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "ipvs/sched.h"

/* Copy the dests of svc with weight > 0 into a new malloc'd array sorted by
 * (af, address, port), so tables built from it do not depend on the order
 * dests were added.  *n gets the count; returns NULL with *n = 0 when there
 * is none, and NULL with *n = UINT32_MAX on ENOMEM. */
struct ipvs_dest **sched_sorted_dests(const struct ipvs_service *svc, uint32_t *n);

/* Order of two dests by (af, address, port): <0, 0, >0. */
int sched_dest_cmp(const struct ipvs_dest *a, const struct ipvs_dest *b);

/*
 * Hash-bucket table used by sh and dh: SCHED_BUCKETS entries, each pointing
 * at a dest; dests get a share of buckets proportional to their weight,
 * interleaved (smooth weighted round robin over the sorted dests).
 */
#define SCHED_BUCKET_BITS 10u
#define SCHED_BUCKETS     (1u << SCHED_BUCKET_BITS)

struct sched_buckets {
	uint32_t n_dests;		/* dests with weight > 0 */
	struct ipvs_dest *b[SCHED_BUCKETS];
};

/* Build or rebuild svc->sched_data as a struct sched_buckets.  0 or
 * EDPVS_NOMEM (then sched_data is an empty table or NULL). */
int sched_buckets_update(struct ipvs_service *svc);
void sched_buckets_done(struct ipvs_service *svc);

/* Pick through the table: the bucket of hash; if that dest is unusable and
 * svc has SVC_F_SCHED_FALLBACK, the next usable bucket; else NULL. */
struct ipvs_dest *sched_buckets_pick(const struct ipvs_service *svc, uint32_t hash);

/* Smooth weighted round robin step over dests[0..n) with per-dest current
 * weights cur[] (same indices); considers only usable dests.  Returns the
 * index picked or -1. */
int sched_swrr_pick(struct ipvs_dest *const *dests, int64_t *cur, uint32_t n);

/*
 * The least-loaded walk shared by lc, wlc, sed and nq: the usable dest of
 * svc with the smallest overhead(d), or with `weighted` the smallest
 * overhead(d) / weight(d) (compared cross-multiplied, no division).  Ties
 * go to the earlier dest in the list.  NULL if none is usable.
 */
struct ipvs_dest *sched_least_loaded(const struct ipvs_service *svc,
				     uint64_t (*overhead)(const struct ipvs_dest *d),
				     bool weighted);

/* lc/wlc overhead: an active conn costs far more than an inactive one. */
static inline uint64_t sched_lc_overhead(const struct ipvs_dest *d)
{
	return (uint64_t)d->active_conns * 256u + d->inactive_conns;
}

/* sed/nq overhead: the conns the dest would have with this one. */
static inline uint64_t sched_sed_overhead(const struct ipvs_dest *d)
{
	return (uint64_t)d->active_conns + 1u;
}

/* Where the calling lcore starts a rotation (rr, wrr): its index among the
 * forwarding workers (ipvs_worker_index()), 0 on any other thread.  Every
 * worker keeps its own rotation; starting them at different places makes
 * short runs over several workers interleave instead of repeating the
 * first dests once per worker. */
uint32_t sched_rotation_start(void);

#endif /* DPVS_IPVS_SCHED_INT_H */
