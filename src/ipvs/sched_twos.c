/*
 * sched_twos.c - weighted random two choices (IPVS twos): two usable dests
 * are drawn at random, each with probability proportional to its weight
 * (they may be the same), and the one with fewer active connections per
 * unit of weight takes the connection (the first drawn on a tie).  The
 * random numbers come from a xorshift64* generator in the service copy,
 * so each worker draws its own sequence with no shared state or lock;
 * its seed depends on the worker's index.  O(number of dests) per pick.
 */
#include <stdlib.h>
#include "dpvs_err.h"
#include "ipvs/sched.h"
#include "sched_int.h"

#define TWOS_SEED 0x9e3779b97f4a7c15ull

struct twos_state {
	uint64_t rng;			/* xorshift64* state, never 0 */
};

static uint64_t twos_next(struct twos_state *st)
{
	uint64_t x = st->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	st->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static int twos_init(struct ipvs_service *svc)
{
	struct twos_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return EDPVS_NOMEM;
	st->rng = TWOS_SEED ^ (((uint64_t)sched_rotation_start() << 32) | svc->vport);
	if (st->rng == 0)
		st->rng = TWOS_SEED;
	svc->sched_data = st;
	return 0;
}

static void twos_done(struct ipvs_service *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

/* The usable dest at cumulative weight r (0 <= r < total). */
static struct ipvs_dest *twos_at(const struct ipvs_service *svc, uint64_t r)
{
	uint32_t i;

	for (i = 0; i < svc->n_dests; i++) {
		struct ipvs_dest *d = svc->dests[i];

		if (!dest_usable(d))
			continue;
		if (r < (uint64_t)d->weight)
			return d;
		r -= (uint64_t)d->weight;
	}
	return NULL;
}

static struct ipvs_dest *twos_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct twos_state *st = svc->sched_data;
	struct ipvs_dest *a, *b;
	uint64_t total = 0;
	uint32_t i;

	(void)key;
	if (st == NULL)
		return NULL;
	for (i = 0; i < svc->n_dests; i++)
		if (dest_usable(svc->dests[i]))
			total += (uint64_t)svc->dests[i]->weight;
	if (total == 0)
		return NULL;
	a = twos_at(svc, twos_next(st) % total);
	b = twos_at(svc, twos_next(st) % total);
	/* b.active / b.weight < a.active / a.weight, cross-multiplied */
	if ((uint64_t)b->active_conns * (uint64_t)a->weight <
	    (uint64_t)a->active_conns * (uint64_t)b->weight)
		return b;
	return a;
}

const struct sched_ops sched_twos_ops = {
	.name = "twos",
	.init_service = twos_init,
	.done_service = twos_done,
	.schedule = twos_schedule,
};
