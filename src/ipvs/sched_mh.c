/*
 * sched_mh.c - Maglev hashing.  A lookup table of a prime size M (default
 * 65537, per service svc->mh_table_size or the "ipvs" config default) maps
 * the client address (and port with SVC_F_SCHED_PORT) to a dest.  Each dest
 * (weight > 0) has a permutation of the table from two hashes of its
 * address:port (offset, skip); dests take turns claiming their next free
 * preferred slot, weight/gcd turns per round, until the table is full.  So
 * every dest owns a share of the table proportional to its weight (equal
 * weights differ by at most one entry) and removing one of N dests moves
 * about 1/N of the keys.  The table is built from the dests sorted by
 * address, so it is the same whatever order they were added in, on every
 * lcore and every run.  Entries are 16-bit indexes (128 KiB at 65537).
 * An unusable hashed dest: with SVC_F_SCHED_FALLBACK a few rehashes then a
 * scan; otherwise no dest.
 */
#include <stdlib.h>
#include <string.h>
#include "dpvs_err.h"
#include "ipvs/sched.h"
#include "sched_int.h"

#define MH_SEED_OFFSET 0x6d686f66u
#define MH_SEED_SKIP   0x6d68736bu
#define MH_SEED_KEY    0x6d686b79u
#define MH_EMPTY       0xffffu
#define MH_MAX_DESTS   0xfffeu
#define MH_REHASH      8u

const struct sched_ops sched_mh_ops;

struct mh_state {
	uint32_t size;			/* M, prime */
	uint32_t n;			/* dests in the table */
	struct ipvs_dest **dests;	/* sorted snapshot */
	uint16_t *table;		/* M entries: index into dests */
};

/* Per-dest permutation cursor while filling. */
struct mh_perm {
	uint32_t offset, skip, next, turns;
};

static void mh_clear(struct mh_state *st)
{
	free(st->dests);
	free(st->table);
	st->dests = NULL;
	st->table = NULL;
	st->n = 0;
}

static void mh_perm_init(struct mh_perm *p, const struct ipvs_dest *d, uint32_t m, uint32_t gcd)
{
	p->offset = sched_hash_addr(d->af, &d->addr, d->port, true, MH_SEED_OFFSET) % m;
	p->skip = sched_hash_addr(d->af, &d->addr, d->port, true, MH_SEED_SKIP) % (m - 1) + 1;
	p->next = 0;
	p->turns = (uint32_t)d->weight / gcd;
}

/* Claim the next free preferred slot of permutation p for dest i. */
static void mh_claim(uint16_t *table, uint32_t m, struct mh_perm *p, uint16_t i)
{
	uint32_t c;

	do {
		c = (uint32_t)(((uint64_t)p->offset + (uint64_t)p->next * p->skip) % m);
		p->next++;
	} while (table[c] != MH_EMPTY);
	table[c] = i;
}

static void mh_populate(uint16_t *table, uint32_t m, struct mh_perm *perm, uint32_t n)
{
	uint32_t filled = 0, i, t;

	memset(table, 0xff, m * sizeof(*table));
	for (;;) {
		for (i = 0; i < n; i++) {
			for (t = 0; t < perm[i].turns; t++) {
				mh_claim(table, m, &perm[i], (uint16_t)i);
				if (++filled == m)
					return;
			}
		}
	}
}

static int mh_build(struct mh_state *st, const struct ipvs_service *svc)
{
	struct ipvs_dest **s;
	struct mh_perm *perm = NULL;
	uint16_t *table = NULL;
	uint32_t n, i, gcd = sched_weight_gcd(svc);

	s = sched_sorted_dests(svc, &n);
	if (n == UINT32_MAX)
		return EDPVS_NOMEM;
	if (n > MH_MAX_DESTS)
		goto err_range;
	if (n) {
		perm = malloc(n * sizeof(*perm));
		table = malloc(st->size * sizeof(*table));
		if (!perm || !table)
			goto err_nomem;
		for (i = 0; i < n; i++)
			mh_perm_init(&perm[i], s[i], st->size, gcd);
		mh_populate(table, st->size, perm, n);
		free(perm);
	}
	mh_clear(st);
	st->dests = s;
	st->table = table;
	st->n = n;
	return 0;

err_nomem:
	free(table);
	free(perm);
	free(s);
	return EDPVS_NOMEM;
err_range:
	free(s);
	return EDPVS_RANGE;
}

static int mh_update(struct ipvs_service *svc)
{
	struct mh_state *st = svc->sched_data;
	int rc;

	if (!st)
		return EDPVS_INVAL;
	rc = mh_build(st, svc);
	if (rc)
		mh_clear(st);	/* never keep pointers to dests that may be gone */
	return rc;
}

static void mh_done(struct ipvs_service *svc)
{
	struct mh_state *st = svc->sched_data;

	if (st)
		mh_clear(st);
	free(st);
	svc->sched_data = NULL;
}

static int mh_init(struct ipvs_service *svc)
{
	struct mh_state *st;
	uint32_t size = svc->mh_table_size ? svc->mh_table_size : sched_mh_default_size();

	if (!sched_mh_size_valid(size))
		return EDPVS_INVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return EDPVS_NOMEM;
	st->size = size;
	svc->sched_data = st;
	return mh_update(svc);
}

static inline uint32_t mh_slot(uint32_t h, uint32_t m)
{
	return (uint32_t)(((uint64_t)h * m) >> 32);
}

static struct ipvs_dest *mh_fallback(const struct mh_state *st, const struct sched_key *key,
				     bool with_port, uint32_t h)
{
	uint32_t i;

	for (i = 1; i <= MH_REHASH; i++) {
		uint32_t h2 = sched_hash_addr(key->af, key->saddr, key->sport, with_port,
					      MH_SEED_KEY + i);
		struct ipvs_dest *d = st->dests[st->table[mh_slot(h2, st->size)]];

		if (dest_usable(d))
			return d;
	}
	for (i = 0; i < st->n; i++) {
		struct ipvs_dest *d = st->dests[(h + i) % st->n];

		if (dest_usable(d))
			return d;
	}
	return NULL;
}

static struct ipvs_dest *mh_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	const struct mh_state *st = svc->sched_data;
	bool with_port = (svc->flags & SVC_F_SCHED_PORT) != 0;
	struct ipvs_dest *d;
	uint32_t h;

	if (!st || st->n == 0)
		return NULL;
	h = sched_hash_addr(key->af, key->saddr, key->sport, with_port, MH_SEED_KEY);
	d = st->dests[st->table[mh_slot(h, st->size)]];
	if (dest_usable(d))
		return d;
	if (!(svc->flags & SVC_F_SCHED_FALLBACK))
		return NULL;
	return mh_fallback(st, key, with_port, h);
}

uint32_t sched_mh_entries(const struct ipvs_service *svc, const struct ipvs_dest *d)
{
	const struct mh_state *st = svc->sched_data;
	uint32_t i, cnt = 0;

	if (svc->sched != &sched_mh_ops || !st || st->n == 0)
		return 0;
	for (i = 0; i < st->size; i++)
		if (st->dests[st->table[i]] == d)
			cnt++;
	return cnt;
}

const struct sched_ops sched_mh_ops = {
	.name = "mh",
	.flags = SCHED_OPT_FALLBACK | SCHED_OPT_PORT,
	.init_service = mh_init,
	.done_service = mh_done,
	.update_service = mh_update,
	.schedule = mh_schedule,
};
