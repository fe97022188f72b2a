/*
 * ipvs/sched.h - IPVS schedulers: one const ops table per algorithm, one
 * file each (src/ipvs/sched_<name>.c), found by name in a registry
 * (src/ipvs/sched.c).  Owner: H6.
 *
 * Schedulers: rr, wrr, lc, wlc, sh, dh, sed, nq, mh (Maglev), conhash
 * (consistent hashing with virtual nodes), fo (weighted fail-over), lblc
 * and lblcr (locality-based least connection, without and with
 * replication), ovf (weighted overflow), twos (weighted random two choices).
 *
 * Contract for every scheduler:
 *   - init_service/update_service/done_service run on the lcore that owns
 *     the service copy, on the control path (they may allocate with
 *     malloc/free); update_service is called after dests were attached,
 *     detached or re-weighted, and rebuilds whatever tables the algorithm
 *     needs from svc->dests[0..n_dests).
 *   - schedule() runs per new connection on the owner lcore: it never
 *     allocates, locks or makes a system call, and returns only a dest for
 *     which dest_usable() is true (attached, weight > 0, not overloaded), or
 *     NULL when there is none.
 *   - Hash-based schedulers (sh, dh, mh, conhash) depend only on the key and
 *     on the set of dests (addresses, ports, weights), never on the order the
 *     dests were added nor on a random seed, so every lcore and every run
 *     picks the same dest for the same key.
 *   - lblc/lblcr (a bounded locality table) and twos (a random generator)
 *     keep state in their service copy, so each worker decides alone.
 *
 * The schedulers need no EAL: unit tests build services with svc_alloc()
 * and call them directly.
 */
#ifndef DPVS_IPVS_SCHED_H
#define DPVS_IPVS_SCHED_H

#include <stdint.h>
#include "ipvs/service.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SCHED_NAME_LEN 16

/* What a scheduler may look at in the packet that opens a connection. */
struct sched_key {
	uint8_t af;
	uint8_t proto;
	uint16_t sport;			/* network order */
	uint16_t dport;			/* network order */
	uint8_t quic_cid_len;		/* 0 if none */
	const union inet_addr *saddr;	/* client address */
	const union inet_addr *daddr;	/* destination (VIP) address */
	const uint8_t *quic_cid;	/* QUIC DCID bytes, or NULL */
};

/* What a scheduler makes of the service's --sched-flags (sched_ops.flags):
 * a service may only set the flags its scheduler declares. */
#define SCHED_OPT_FALLBACK 0x1u	/* honours SVC_F_SCHED_FALLBACK */
#define SCHED_OPT_PORT     0x2u	/* honours SVC_F_SCHED_PORT */
#define SCHED_OPT_HASH_KEY 0x4u	/* honours svc->conhash_key */

struct sched_ops {
	const char *name;		/* "rr", "wlc", ... (< SCHED_NAME_LEN) */
	uint32_t flags;			/* SCHED_OPT_* it honours */
	/* Allocate svc->sched_data and build state for the current dests.
	 * 0, EDPVS_NOMEM, EDPVS_INVAL (bad parameters, e.g. mh table size). */
	int (*init_service)(struct ipvs_service *svc);
	/* Free svc->sched_data (set it to NULL).  May be NULL. */
	void (*done_service)(struct ipvs_service *svc);
	/* Dests or weights changed: rebuild.  0 or EDPVS_NOMEM (then the old
	 * state stays valid for the old dest set... except that pointers to
	 * detached dests are not kept: on failure the scheduler must fall back
	 * to a state that only references current dests).  May be NULL. */
	int (*update_service)(struct ipvs_service *svc);
	/* Pick a dest for a new connection; NULL if none usable.  Per packet:
	 * no allocation. */
	struct ipvs_dest *(*schedule)(struct ipvs_service *svc, const struct sched_key *key);
};

/* The scheduler named name, or NULL. */
const struct sched_ops *sched_lookup(const char *name);

/* Call fn for each registered scheduler, in a fixed order; stops at the
 * first non-zero return and returns it. */
int sched_foreach(int (*fn)(const struct sched_ops *ops, void *arg), void *arg);

/* Bind ops to svc (calls init_service), replacing a previous scheduler
 * (whose done_service runs after the new one initialised).  0, or the new
 * scheduler's error with the old one left in place.  Owner lcore. */
int sched_bind(struct ipvs_service *svc, const struct sched_ops *ops);

/* Unbind the scheduler (done_service) and clear svc->sched. */
void sched_unbind(struct ipvs_service *svc);

/* Schedule through svc's scheduler; NULL if none bound or none usable. */
static inline struct ipvs_dest *sched_schedule(struct ipvs_service *svc,
					       const struct sched_key *key)
{
	return svc->sched ? svc->sched->schedule(svc, key) : (struct ipvs_dest *)0;
}

/* ---- Maglev table size ---- */

#define SCHED_MH_DEFAULT_SIZE 65537u
#define SCHED_MH_MAX_SIZE     1048573u	/* largest accepted (prime) */

/* True if n is a prime accepted as a Maglev table size (251..SCHED_MH_MAX_SIZE). */
bool sched_mh_size_valid(uint32_t n);

/* Default Maglev table size for services with mh_table_size 0 (set from the
 * "ipvs" config section before the workers start).  EDPVS_INVAL if not
 * sched_mh_size_valid(). */
int sched_mh_set_default_size(uint32_t n);
uint32_t sched_mh_default_size(void);

/* Tests and `ipvsadm` diagnostics: how many Maglev table entries dest d owns
 * in svc (0 if svc is not bound to mh or d is not in its table). */
uint32_t sched_mh_entries(const struct ipvs_service *svc, const struct ipvs_dest *d);

/* ---- conhash ---- */

#define SCHED_CONHASH_DEFAULT_VNODES 160u	/* ring points of the lightest dest (others in proportion to weight; see sched_conhash.c) */

/* ---- helpers shared by the scheduler files (not for other modules) ---- */

/* 32-bit hash of the key's address (and port when with_port), independent of
 * any seed.  Used by sh/dh/mh/conhash. */
uint32_t sched_hash_addr(int af, const union inet_addr *a, uint16_t port, bool with_port,
			 uint32_t seed);

/* 32-bit hash of a byte string. */
uint32_t sched_hash_bytes(const void *p, size_t len, uint32_t seed);

/* Greatest common divisor of the positive weights of svc's dests (1 if none). */
uint32_t sched_weight_gcd(const struct ipvs_service *svc);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVS_SCHED_H */
