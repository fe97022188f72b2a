/*
 * sched_sed.c - shortest expected delay: the usable dest with the smallest
 * (active + 1) / weight, i.e. the expected delay if the new connection were
 * added to it.  Inactive conns are not counted.  Ties go to the earlier
 * dest in the list.
 */
#include "ipvs/sched.h"

static struct ipvs_dest *sed_schedule(struct ipvs_service *svc, const struct sched_key *key)
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
		oh = (uint64_t)d->active_conns + 1u;
		if (!best || oh * (uint64_t)best->weight < best_oh * (uint64_t)d->weight) {
			best = d;
			best_oh = oh;
		}
	}
	return best;
}

const struct sched_ops sched_sed_ops = {
	.name = "sed",
	.schedule = sed_schedule,
};
