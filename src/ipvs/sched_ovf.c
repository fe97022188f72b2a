/*
 * sched_ovf.c - weighted overflow (IPVS ovf): every new connection goes to
 * the usable dest with the highest weight whose active connections are
 * still below its weight; when it fills up, the next highest takes the
 * overflow, and so on.  None below its weight: no dest (the service is
 * full).  Equal weights are broken by the lowest (address, port), so the
 * choice does not depend on the order dests were added.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

static struct ipvs_dest *ovf_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct ipvs_dest *best = NULL;
	uint32_t i;

	(void)key;
	for (i = 0; i < svc->n_dests; i++) {
		struct ipvs_dest *d = svc->dests[i];

		if (!dest_usable(d) || d->active_conns >= (uint32_t)d->weight)
			continue;
		if (!best || d->weight > best->weight ||
		    (d->weight == best->weight && sched_dest_cmp(d, best) < 0))
			best = d;
	}
	return best;
}

const struct sched_ops sched_ovf_ops = {
	.name = "ovf",
	.schedule = ovf_schedule,
};
