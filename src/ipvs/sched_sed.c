/*
 * sched_sed.c - shortest expected delay: the usable dest with the smallest
 * (active + 1) / weight, i.e. the expected delay if the new connection were
 * added to it.  Inactive conns are not counted.  Ties go to the earlier
 * dest in the list.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

static struct ipvs_dest *sed_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	(void)key;
	return sched_least_loaded(svc, sched_sed_overhead, true);
}

const struct sched_ops sched_sed_ops = {
	.name = "sed",
	.schedule = sed_schedule,
};
