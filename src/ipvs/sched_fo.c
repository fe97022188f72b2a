/*
 * sched_fo.c - weighted fail-over: every new connection goes to the usable
 * dest with the highest weight; when it becomes unusable (weight 0,
 * overloaded, deleted) the next highest takes over.  Equal weights are
 * broken by the lowest (address, port), so the choice does not depend on
 * the order dests were added.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

static struct ipvs_dest *fo_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct ipvs_dest *best = NULL;
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->n_dests; i++) {
		struct ipvs_dest *d = svc->dests[i];

		if (!dest_usable(d))
			continue;
		if (!best || d->weight > best->weight ||
		    (d->weight == best->weight && sched_dest_cmp(d, best) < 0))
			best = d;
	}
	return best;
}

const struct sched_ops sched_fo_ops = {
	.name = "fo",
	.schedule = fo_schedule,
};
