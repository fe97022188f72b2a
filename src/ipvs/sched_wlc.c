/*
 * sched_wlc.c - weighted least connection: the usable dest with the
 * smallest overhead / weight (overhead = active * 256 + inactive), compared
 * by cross-multiplying so no division is needed.  Ties go to the earlier
 * dest in the list.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

static struct ipvs_dest *wlc_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	(void)key;
	return sched_least_loaded(svc, sched_lc_overhead, true);
}

const struct sched_ops sched_wlc_ops = {
	.name = "wlc",
	.schedule = wlc_schedule,
};
