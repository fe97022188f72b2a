/*
 * sched_lc.c - least connection: the usable dest with the smallest
 * overhead, where overhead = active * 256 + inactive (an active conn costs
 * far more than one in TIME_WAIT).  Ties go to the earlier dest in the list.
 */
#include "ipvs/sched.h"

static inline uint64_t lc_overhead(const struct ipvs_dest *d)
{
	return (uint64_t)d->active_conns * 256u + d->inactive_conns;
}

static struct ipvs_dest *lc_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct ipvs_dest *best = NULL;
	uint64_t best_oh = 0;
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->n_dests; i++) {
		struct ipvs_dest *d = svc->dests[i];
		uint64_t oh;

		if (!dest_usable(d))
			continue;
		oh = lc_overhead(d);
		if (!best || oh < best_oh) {
			best = d;
			best_oh = oh;
		}
	}
	return best;
}

const struct sched_ops sched_lc_ops = {
	.name = "lc",
	.schedule = lc_schedule,
};
