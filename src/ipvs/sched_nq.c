/*
 * sched_nq.c - never queue: an idle usable dest (no active conns) is taken
 * at once (the first one in the list); when none is idle, behave like sed:
 * the smallest (active + 1) / weight.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

static struct ipvs_dest *nq_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->n_dests; i++)
		if (dest_usable(svc->dests[i]) && svc->dests[i]->active_conns == 0)
			return svc->dests[i];
	return sched_least_loaded(svc, sched_sed_overhead, true);
}

const struct sched_ops sched_nq_ops = {
	.name = "nq",
	.schedule = nq_schedule,
};
