/*
 * sched_conhash.c - consistent hashing on a ring of virtual nodes.  Each
 * dest with weight > 0 places V * weight / lightest-weight points (scaled
 * down when that exceeds a budget, see ch_scale()) on a 32-bit ring (V = svc->conhash_vnodes, default SCHED_CONHASH_DEFAULT_VNODES),
 * each the hash of (address, port, replica number), so the ring depends
 * only on the dest set.  A connection's key (svc->conhash_key: source
 * address, source address and port, or the QUIC destination connection id
 * that the hook read out of the packet, ipvs_pkt_quic_dcid() - falling
 * back to the source address when the packet has none) is hashed and the
 * first point clockwise names its dest; an unusable dest passes the key on
 * to the next point clockwise.  Adding or removing a dest moves only the
 * keys of its own arcs.  Lookup is a binary search; no allocation.
 */
#include <stdlib.h>
#include "dpvs_err.h"
#include "ipvs/sched.h"
#include "sched_int.h"

#define CH_SEED_KEY    0x63686b79u
#define CH_MAX_POINTS  (1u << 22)	/* hard bound (32 MiB) */
#define CH_POINT_BUDGET 65536u		/* soft bound on ring points (512 KiB) */

struct ch_point {
	uint32_t hash;
	uint32_t idx;		/* into dests */
};

struct ch_state {
	uint32_t n;			/* dests */
	uint32_t n_points;
	struct ipvs_dest **dests;	/* sorted snapshot */
	struct ch_point *points;	/* sorted by hash, then idx */
};

static int ch_point_cmp(const void *x, const void *y)
{
	const struct ch_point *a = x, *b = y;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static void ch_clear(struct ch_state *st)
{
	free(st->dests);
	free(st->points);
	st->dests = NULL;
	st->points = NULL;
	st->n = st->n_points = 0;
}

/* Points per unit of weight: V per weight of the lightest dest, so every
 * dest has at least V points, unless that exceeds the budget (the larger of
 * CH_POINT_BUDGET and V per dest); then scaled down to the budget. */
static double ch_scale(uint64_t v, struct ipvs_dest *const *s, uint32_t n)
{
	uint64_t sum = 0, wmin = UINT64_MAX, budget = v * n;
	uint32_t i;

	for (i = 0; i < n; i++) {
		sum += (uint64_t)s[i]->weight;
		if ((uint64_t)s[i]->weight < wmin)
			wmin = (uint64_t)s[i]->weight;
	}
	if (budget < CH_POINT_BUDGET)
		budget = CH_POINT_BUDGET;
	if ((double)v * (double)sum / (double)wmin <= (double)budget)
		return (double)v / (double)wmin;
	return (double)budget / (double)sum;
}

static uint32_t ch_vnodes(double scale, int32_t w)
{
	double k = scale * (double)w + 0.5;

	if (k < 1.0)
		return 1;
	return k > (double)CH_MAX_POINTS ? CH_MAX_POINTS : (uint32_t)k;
}

static int ch_build(struct ch_state *st, const struct ipvs_service *svc)
{
	uint64_t v = svc->conhash_vnodes ? svc->conhash_vnodes : SCHED_CONHASH_DEFAULT_VNODES;
	uint64_t total = 0;
	double scale;
	struct ipvs_dest **s;
	struct ch_point *pts = NULL;
	uint32_t n, i, j, k = 0;

	s = sched_sorted_dests(svc, &n);
	if (n == UINT32_MAX)
		return EDPVS_NOMEM;
	scale = n ? ch_scale(v, s, n) : 0.0;
	for (i = 0; i < n; i++)
		total += ch_vnodes(scale, s[i]->weight);
	if (total > CH_MAX_POINTS) {
		free(s);
		return EDPVS_RANGE;
	}
	if (n) {
		pts = malloc(total * sizeof(*pts));
		if (!pts) {
			free(s);
			return EDPVS_NOMEM;
		}
	}
	for (i = 0; i < n; i++) {
		uint32_t cnt = ch_vnodes(scale, s[i]->weight);

		for (j = 0; j < cnt; j++, k++) {
			pts[k].hash = sched_hash_addr(s[i]->af, &s[i]->addr, s[i]->port, true, j);
			pts[k].idx = i;
		}
	}
	if (n)
		qsort(pts, total, sizeof(*pts), ch_point_cmp);
	ch_clear(st);
	st->dests = s;
	st->points = pts;
	st->n = n;
	st->n_points = (uint32_t)total;
	return 0;
}

static int ch_update(struct ipvs_service *svc)
{
	struct ch_state *st = svc->sched_data;
	int rc;

	if (!st)
		return EDPVS_INVAL;
	rc = ch_build(st, svc);
	if (rc)
		ch_clear(st);
	return rc;
}

static void ch_done(struct ipvs_service *svc)
{
	struct ch_state *st = svc->sched_data;

	if (st)
		ch_clear(st);
	free(st);
	svc->sched_data = NULL;
}

static int ch_init(struct ipvs_service *svc)
{
	if (svc->conhash_key >= SCHED_KEY_MAX)
		return EDPVS_INVAL;
	svc->sched_data = calloc(1, sizeof(struct ch_state));
	if (!svc->sched_data)
		return EDPVS_NOMEM;
	return ch_update(svc);
}

static uint32_t ch_key_hash(const struct ipvs_service *svc, const struct sched_key *key)
{
	switch (svc->conhash_key) {
	case SCHED_KEY_SIP_SPORT:
		return sched_hash_addr(key->af, key->saddr, key->sport, true, CH_SEED_KEY);
	case SCHED_KEY_QUIC_CID:
		if (key->quic_cid && key->quic_cid_len)
			return sched_hash_bytes(key->quic_cid, key->quic_cid_len, CH_SEED_KEY);
		/* fall through */
	default:
		return sched_hash_addr(key->af, key->saddr, 0, false, CH_SEED_KEY);
	}
}

/* Index of the first point with hash >= h (n_points if none). */
static uint32_t ch_search(const struct ch_state *st, uint32_t h)
{
	uint32_t lo = 0, hi = st->n_points;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (st->points[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct ipvs_dest *ch_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	const struct ch_state *st = svc->sched_data;
	uint32_t p, i;

	if (!st || st->n_points == 0)
		return NULL;
	p = ch_search(st, ch_key_hash(svc, key));
	for (i = 0; i < st->n_points; i++) {
		struct ipvs_dest *d = st->dests[st->points[(p + i) % st->n_points].idx];

		if (dest_usable(d))
			return d;
	}
	return NULL;
}

const struct sched_ops sched_conhash_ops = {
	.name = "conhash",
	.flags = SCHED_OPT_HASH_KEY,
	.init_service = ch_init,
	.done_service = ch_done,
	.update_service = ch_update,
	.schedule = ch_schedule,
};
