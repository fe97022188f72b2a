/*
 * sched.c - the IPVS scheduler registry (by name), binding a scheduler to a
 * service, the Maglev size setting, and the helpers the scheduler files
 * share (seedless hashes, sorted dest snapshots, weighted hash buckets).
 * The algorithms themselves live one per file in sched_<name>.c.
 */
#include <stdlib.h>
#include <string.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "timer.h"
#include "ipvs/ipvs.h"
#include "ipvs/sched.h"
#include "sched_int.h"

DPVS_LOG_REGISTER(sched);

extern const struct sched_ops sched_rr_ops, sched_wrr_ops, sched_lc_ops, sched_wlc_ops,
	sched_sh_ops, sched_dh_ops, sched_sed_ops, sched_nq_ops, sched_mh_ops,
	sched_conhash_ops, sched_fo_ops, sched_lblc_ops, sched_lblcr_ops, sched_ovf_ops,
	sched_twos_ops;

/* The registry: fixed, const, in the order `ipvsadm --help` lists them. */
static const struct sched_ops *const sched_table[] = {
	&sched_rr_ops, &sched_wrr_ops, &sched_lc_ops, &sched_wlc_ops, &sched_sh_ops,
	&sched_dh_ops, &sched_sed_ops, &sched_nq_ops, &sched_mh_ops, &sched_conhash_ops,
	&sched_fo_ops, &sched_lblc_ops, &sched_lblcr_ops, &sched_ovf_ops, &sched_twos_ops,
};

/* Default Maglev table size: written by config apply on the master (also on
 * reload, while workers run), read by workers when they bind mh: relaxed
 * atomic accesses. */
static uint32_t mh_default_size = SCHED_MH_DEFAULT_SIZE;

const struct sched_ops *sched_lookup(const char *name)
{
	unsigned int i;

	if (!name)
		return NULL;
	for (i = 0; i < DPVS_ARRAY_SIZE(sched_table); i++)
		if (strcmp(sched_table[i]->name, name) == 0)
			return sched_table[i];
	return NULL;
}

int sched_foreach(int (*fn)(const struct sched_ops *ops, void *arg), void *arg)
{
	unsigned int i;
	int rc;

	for (i = 0; i < DPVS_ARRAY_SIZE(sched_table); i++) {
		rc = fn(sched_table[i], arg);
		if (rc)
			return rc;
	}
	return 0;
}

int sched_bind(struct ipvs_service *svc, const struct sched_ops *ops)
{
	const struct sched_ops *old_ops = svc->sched;
	void *old_data = svc->sched_data;
	int rc;

	if (!ops)
		return EDPVS_INVAL;
	svc->sched = ops;
	svc->sched_data = NULL;
	rc = ops->init_service ? ops->init_service(svc) : 0;
	if (rc) {
		if (ops->done_service)
			ops->done_service(svc);
		svc->sched = old_ops;
		svc->sched_data = old_data;
		return rc;
	}
	if (old_ops && old_ops->done_service) {
		void *new_data = svc->sched_data;

		svc->sched_data = old_data;
		old_ops->done_service(svc);
		svc->sched_data = new_data;
	}
	return 0;
}

void sched_unbind(struct ipvs_service *svc)
{
	if (svc->sched && svc->sched->done_service)
		svc->sched->done_service(svc);
	svc->sched = NULL;
	svc->sched_data = NULL;
}

/* ---- Maglev size ---- */

bool sched_mh_size_valid(uint32_t n)
{
	uint32_t d;

	if (n < 251 || n > SCHED_MH_MAX_SIZE || n % 2 == 0)
		return false;
	for (d = 3; d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

int sched_mh_set_default_size(uint32_t n)
{
	if (!sched_mh_size_valid(n))
		return EDPVS_INVAL;
	__atomic_store_n(&mh_default_size, n, __ATOMIC_RELAXED);
	return 0;
}

uint32_t sched_mh_default_size(void)
{
	return __atomic_load_n(&mh_default_size, __ATOMIC_RELAXED);
}

/* ---- hashes ---- */

uint32_t sched_hash_addr(int af, const union inet_addr *a, uint16_t port, bool with_port,
			 uint32_t seed)
{
	uint32_t p = with_port ? port : 0;

	if (af == AF_INET)
		return rte_jhash_3words(a->in4, p, (uint32_t)af, seed);
	return rte_jhash_3words(rte_jhash_32b(a->in6_32, 4, seed), p, (uint32_t)af, seed);
}

uint32_t sched_hash_bytes(const void *p, size_t len, uint32_t seed)
{
	return rte_jhash(p, (uint32_t)len, seed);
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint32_t sched_weight_gcd(const struct ipvs_service *svc)
{
	uint32_t g = 0, i;

	for (i = 0; i < svc->n_dests; i++)
		if (svc->dests[i]->weight > 0)
			g = gcd32((uint32_t)svc->dests[i]->weight, g);
	return g ? g : 1;
}

/* ---- sorted snapshots ---- */

int sched_dest_cmp(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	int c;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	c = inet_addr_cmp(a->af, &a->addr, &b->addr);
	if (c)
		return c;
	if (a->port != b->port)
		return memcmp(&a->port, &b->port, sizeof(a->port));
	return 0;
}

static int dest_ptr_cmp(const void *x, const void *y)
{
	return sched_dest_cmp(*(struct ipvs_dest *const *)x, *(struct ipvs_dest *const *)y);
}

struct ipvs_dest **sched_sorted_dests(const struct ipvs_service *svc, uint32_t *n)
{
	struct ipvs_dest **a;
	uint32_t i, k = 0;

	*n = 0;
	for (i = 0; i < svc->n_dests; i++)
		if (svc->dests[i]->weight > 0)
			k++;
	if (k == 0)
		return NULL;
	a = malloc(k * sizeof(struct ipvs_dest *));
	if (!a) {
		*n = UINT32_MAX;
		return NULL;
	}
	for (i = 0, k = 0; i < svc->n_dests; i++)
		if (svc->dests[i]->weight > 0)
			a[k++] = svc->dests[i];
	qsort(a, k, sizeof(struct ipvs_dest *), dest_ptr_cmp);
	*n = k;
	return a;
}

/* ---- smooth weighted round robin ---- */

struct ipvs_dest *sched_least_loaded(const struct ipvs_service *svc,
				     uint64_t (*overhead)(const struct ipvs_dest *d),
				     bool weighted)
{
	struct ipvs_dest *best = NULL;
	uint64_t best_oh = 0;
	uint32_t i;

	for (i = 0; i < svc->n_dests; i++) {
		struct ipvs_dest *d = svc->dests[i];
		uint64_t oh;

		if (!dest_usable(d))
			continue;
		oh = overhead(d);
		/* oh / w < best_oh / best_w  <=>  oh * best_w < best_oh * w */
		if (!best || (weighted ? oh * (uint64_t)best->weight < best_oh * (uint64_t)d->weight
				       : oh < best_oh)) {
			best = d;
			best_oh = oh;
		}
	}
	return best;
}

uint32_t sched_rotation_start(void)
{
	int idx = ipvs_worker_index(rte_lcore_id());

	return idx > 0 ? (uint32_t)idx : 0;
}

int sched_swrr_pick(struct ipvs_dest *const *dests, int64_t *cur, uint32_t n)
{
	int64_t total = 0;
	int best = -1;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (!dest_usable(dests[i]))
			continue;
		cur[i] += dests[i]->weight;
		total += dests[i]->weight;
		if (best < 0 || cur[i] > cur[best])
			best = (int)i;
	}
	if (best >= 0)
		cur[best] -= total;
	return best;
}

/* ---- weighted hash buckets (sh, dh) ---- */

/* Fill b[] by smooth WRR over the sorted weighted dests (ignoring overload:
 * the table follows weights; overload is checked at pick time). */
static void buckets_fill(struct sched_buckets *t, struct ipvs_dest **s, uint32_t n, int64_t *cur)
{
	uint32_t i, k;
	int64_t total = 0;

	for (k = 0; k < n; k++) {
		cur[k] = 0;
		total += s[k]->weight;
	}
	for (i = 0; i < SCHED_BUCKETS; i++) {
		uint32_t best = 0;

		for (k = 0; k < n; k++) {
			cur[k] += s[k]->weight;
			if (cur[k] > cur[best])
				best = k;
		}
		cur[best] -= total;
		t->b[i] = s[best];
	}
}

int sched_buckets_update(struct ipvs_service *svc)
{
	struct sched_buckets *t = svc->sched_data;
	struct ipvs_dest **s;
	int64_t *cur;
	uint32_t n;

	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return EDPVS_NOMEM;
		svc->sched_data = t;
	}
	s = sched_sorted_dests(svc, &n);
	cur = (n && n != UINT32_MAX) ? malloc(n * sizeof(*cur)) : NULL;
	if (n == UINT32_MAX || (n && !cur)) {
		free(s);
		memset(t, 0, sizeof(*t));
		return EDPVS_NOMEM;
	}
	memset(t, 0, sizeof(*t));
	if (n) {
		buckets_fill(t, s, n, cur);
		t->n_dests = n;
	}
	free(cur);
	free(s);
	return 0;
}

void sched_buckets_done(struct ipvs_service *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

struct ipvs_dest *sched_buckets_pick(const struct ipvs_service *svc, uint32_t hash)
{
	const struct sched_buckets *t = svc->sched_data;
	uint32_t i, idx;

	if (!t || t->n_dests == 0)
		return NULL;
	idx = hash & (SCHED_BUCKETS - 1);
	if (dest_usable(t->b[idx]))
		return t->b[idx];
	if (!(svc->flags & SVC_F_SCHED_FALLBACK))
		return NULL;
	for (i = 1; i < SCHED_BUCKETS; i++) {
		struct ipvs_dest *d = t->b[(idx + i) & (SCHED_BUCKETS - 1)];

		if (dest_usable(d))
			return d;
	}
	return NULL;
}

/* ---- locality table (lblc, lblcr) ---- */

#define LOC_SEED 0x6c626c63u

_Static_assert((SCHED_LOC_SLOTS & (SCHED_LOC_SLOTS - 1)) == 0, "slots are a power of 2");
_Static_assert(sizeof(struct sched_loc_entry) == 72, "doc/architecture.md: 72-byte entries");
_Static_assert(SCHED_LOC_SET_MAX < 256, "set size fits uint8_t n");

int sched_loc_init(struct ipvs_service *svc)
{
	svc->sched_data = calloc(1, sizeof(struct sched_loc_table));
	return svc->sched_data ? 0 : EDPVS_NOMEM;
}

void sched_loc_done(struct ipvs_service *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

static void loc_free(struct sched_loc_table *t, struct sched_loc_entry *e)
{
	memset(e, 0, sizeof(*e));
	t->n_used--;
}

int sched_loc_update(struct ipvs_service *svc)
{
	struct sched_loc_table *t = svc->sched_data;
	uint32_t i, j, k;

	for (i = 0; t != NULL && i < SCHED_LOC_SLOTS; i++) {
		struct sched_loc_entry *e = &t->e[i];

		if (e->used_us == 0)
			continue;
		for (j = 0, k = 0; j < e->n; j++)
			if (e->set[j]->flags & DEST_F_AVAILABLE)
				e->set[k++] = e->set[j];
		for (j = k; j < e->n; j++)
			e->set[j] = NULL;
		e->n = (uint8_t)k;
		if (k == 0)
			loc_free(t, e);
	}
	return 0;
}

static inline uint32_t loc_slot(int af, const union inet_addr *addr)
{
	return sched_hash_addr(af, addr, 0, false, LOC_SEED) & (SCHED_LOC_SLOTS - 1);
}

/* A time stamp for used_us/mod_us: never 0, which marks a free slot. */
static inline uint64_t loc_stamp(uint64_t now)
{
	return now ? now : 1;
}

static inline bool loc_expired(const struct sched_loc_entry *e, uint64_t now)
{
	return now - e->used_us >= SCHED_LOC_EXPIRE_US;
}

struct sched_loc_entry *sched_loc_find(struct sched_loc_table *t, int af,
				       const union inet_addr *addr, uint64_t now)
{
	uint32_t h = loc_slot(af, addr), i;

	for (i = 0; i < SCHED_LOC_PROBE; i++) {
		struct sched_loc_entry *e = &t->e[(h + i) & (SCHED_LOC_SLOTS - 1)];

		if (e->used_us == 0 || e->af != af || !inet_addr_equal(af, &e->addr, addr))
			continue;
		if (loc_expired(e, now)) {
			loc_free(t, e);
			return NULL;
		}
		e->used_us = loc_stamp(now);
		return e;
	}
	return NULL;
}

struct sched_loc_entry *sched_loc_insert(struct sched_loc_table *t, int af,
					 const union inet_addr *addr, uint64_t now)
{
	uint32_t h = loc_slot(af, addr), i;
	struct sched_loc_entry *lru = NULL;

	for (i = 0; i < SCHED_LOC_PROBE; i++) {
		struct sched_loc_entry *e = &t->e[(h + i) & (SCHED_LOC_SLOTS - 1)];

		if (e->used_us != 0 && loc_expired(e, now))
			loc_free(t, e);
		if (e->used_us == 0) {
			lru = e;
			break;
		}
		if (lru == NULL || e->used_us < lru->used_us)
			lru = e;
	}
	if (lru->used_us != 0)
		loc_free(t, lru);
	lru->af = (uint8_t)af;
	lru->addr = *addr;
	lru->used_us = loc_stamp(now);
	lru->mod_us = lru->used_us;
	t->n_used++;
	return lru;
}

void sched_loc_sweep(struct sched_loc_table *t, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < SCHED_LOC_SWEEP; i++) {
		struct sched_loc_entry *e = &t->e[t->sweep];

		t->sweep = (t->sweep + 1) & (SCHED_LOC_SLOTS - 1);
		if (e->used_us != 0 && loc_expired(e, now))
			loc_free(t, e);
	}
}

bool sched_loc_overloaded(const struct ipvs_service *svc, const struct ipvs_dest *d)
{
	uint32_t i;

	if (d->active_conns <= (uint32_t)d->weight)
		return false;
	for (i = 0; i < svc->n_dests; i++) {
		const struct ipvs_dest *o = svc->dests[i];

		if (dest_usable(o) && (uint64_t)o->active_conns * 2 < (uint64_t)o->weight)
			return true;
	}
	return false;
}
