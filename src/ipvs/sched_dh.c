/*
 * sched_dh.c - destination hashing: like sh but on the packet's destination
 * address (useful for caches in front of many origin addresses, e.g. with
 * fwmark services).  Same weighted bucket table and fallback rule as sh.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

#define DH_SEED 0x4448u

static int dh_init(struct ipvs_service *svc)
{
	return sched_buckets_update(svc);
}

static struct ipvs_dest *dh_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	uint32_t h = sched_hash_addr(key->af, key->daddr, key->dport, false, DH_SEED);

	return sched_buckets_pick(svc, h);
}

const struct sched_ops sched_dh_ops = {
	.name = "dh",
	.flags = SCHED_OPT_FALLBACK,
	.init_service = dh_init,
	.done_service = sched_buckets_done,
	.update_service = sched_buckets_update,
	.schedule = dh_schedule,
};
