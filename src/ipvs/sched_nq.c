/*
 * sched_nq.c - never queue: an idle usable dest (no active conns) is taken
 * at once (the first one in the list); when none is idle, behave like sed:
 * the smallest (active + 1) / weight.
 */
#include "ipvs/sched.h"

static struct ipvs_dest *nq_schedule(struct ipvs_service *svc, const struct sched_key *key)
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
		if (d->active_conns == 0)
			return d;
		oh = (uint64_t)d->active_conns + 1u;
		if (!best || oh * (uint64_t)best->weight < best_oh * (uint64_t)d->weight) {
			best = d;
			best_oh = oh;
		}
	}
	return best;
}

const struct sched_ops sched_nq_ops = {
	.name = "nq",
	.schedule = nq_schedule,
};
