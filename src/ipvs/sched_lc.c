/*
 * sched_lc.c - least connection: the usable dest with the smallest
 * overhead, where overhead = active * 256 + inactive (an active conn costs
 * far more than one in TIME_WAIT).  Ties go to the earlier dest in the list.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

static struct ipvs_dest *lc_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	(void)key;
	return sched_least_loaded(svc, sched_lc_overhead, false);
}

const struct sched_ops sched_lc_ops = {
	.name = "lc",
	.schedule = lc_schedule,
};
