/*
 * sched_wlc.c - weighted least connection: the usable dest with the
 * smallest overhead / weight (overhead = active * 256 + inactive), compared
 * by cross-multiplying so no division is needed.  Ties go to the earlier
 * dest in the list.
 */
#include "ipvs/sched.h"

static inline uint64_t wlc_overhead(const struct ipvs_dest *d)
{
	return (uint64_t)d->active_conns * 256u + d->inactive_conns;
}

static struct ipvs_dest *wlc_schedule(struct ipvs_service *svc, const struct sched_key *key)
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
		oh = wlc_overhead(d);
		/* oh / w < best_oh / best_w  <=>  oh * best_w < best_oh * w */
		if (!best || oh * (uint64_t)best->weight < best_oh * (uint64_t)d->weight) {
			best = d;
			best_oh = oh;
		}
	}
	return best;
}

const struct sched_ops sched_wlc_ops = {
	.name = "wlc",
	.schedule = wlc_schedule,
};
