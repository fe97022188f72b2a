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

/*
 * Locality table shared by lblc and lblcr: destination address -> a small
 * set of dests (lblc keeps one).  One table per service copy, so per
 * worker; allocated whole in init_service, never resized: a lookup or an
 * insert looks at SCHED_LOC_PROBE slots from the address's hash, an insert
 * with no free slot there replaces the least recently used one, entries
 * unused for SCHED_LOC_EXPIRE_US are dropped (when met, and by a sweep of
 * SCHED_LOC_SWEEP slots per schedule() call).  So memory is bounded and the
 * per-packet path allocates nothing and does O(1) work.  Times come from
 * timer_now_us().
 */
#define SCHED_LOC_SLOTS     1024u
#define SCHED_LOC_PROBE     8u
#define SCHED_LOC_SWEEP     2u
#define SCHED_LOC_SET_MAX   4u
#define SCHED_LOC_EXPIRE_US (360ull * 1000000ull)	/* IPVS's 6-minute entry timeout */

struct sched_loc_entry {
	union inet_addr addr;
	uint64_t used_us;		/* last lookup that returned it; 0: free slot */
	uint64_t mod_us;		/* last change of set[] (lblcr shrinks on it) */
	uint8_t af;
	uint8_t n;			/* dests in set[] */
	struct ipvs_dest *set[SCHED_LOC_SET_MAX];
};

struct sched_loc_table {
	uint32_t sweep;			/* next slot the sweep visits */
	uint32_t n_used;
	struct sched_loc_entry e[SCHED_LOC_SLOTS];
};

/* Allocate svc->sched_data as an empty table: 0 or EDPVS_NOMEM. */
int sched_loc_init(struct ipvs_service *svc);
void sched_loc_done(struct ipvs_service *svc);
/* update_service: drop detached dests (DEST_F_AVAILABLE clear; they are
 * still alive then, see svc_dest_detach) from every set, and entries left
 * empty.  Always 0. */
int sched_loc_update(struct ipvs_service *svc);

/* The live entry of (af, addr), its used_us set to now; NULL if none
 * (an expired one found on the way is freed). */
struct sched_loc_entry *sched_loc_find(struct sched_loc_table *t, int af,
				       const union inet_addr *addr, uint64_t now);
/* A fresh entry for (af, addr) with an empty set (a free, expired or the
 * least recently used slot of its probe window). */
struct sched_loc_entry *sched_loc_insert(struct sched_loc_table *t, int af,
					 const union inet_addr *addr, uint64_t now);
/* Free the expired entries among the next SCHED_LOC_SWEEP slots. */
void sched_loc_sweep(struct sched_loc_table *t, uint64_t now);

/* IPVS's lblc/lblcr overload rule: d has more active conns than its weight
 * and some usable dest of svc has fewer than half of its own. */
bool sched_loc_overloaded(const struct ipvs_service *svc, const struct ipvs_dest *d);

/* Where the calling lcore starts a rotation (rr, wrr): its index among the
 * forwarding workers (ipvs_worker_index()), 0 on any other thread.  Every
 * worker keeps its own rotation; starting them at different places makes
 * short runs over several workers interleave instead of repeating the
 * first dests once per worker. */
uint32_t sched_rotation_start(void);

#endif /* DPVS_IPVS_SCHED_INT_H */
