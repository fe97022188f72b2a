/*
 * sched_sh.c - source hashing: the client address (and port with
 * SVC_F_SCHED_PORT) hashed into a table of SCHED_BUCKETS buckets shared
 * among the dests in proportion to their weights (built from the dests
 * sorted by address, so every lcore and every run agrees).  If the hashed
 * dest is unusable: with SVC_F_SCHED_FALLBACK the next usable bucket,
 * otherwise no dest.
 */
#include "ipvs/sched.h"
#include "sched_int.h"

#define SH_SEED 0x5348u

static int sh_init(struct ipvs_service *svc)
{
	return sched_buckets_update(svc);
}

static struct ipvs_dest *sh_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	uint32_t h = sched_hash_addr(key->af, key->saddr, key->sport,
				     (svc->flags & SVC_F_SCHED_PORT) != 0, SH_SEED);

	return sched_buckets_pick(svc, h);
}

const struct sched_ops sched_sh_ops = {
	.name = "sh",
	.flags = SCHED_OPT_FALLBACK | SCHED_OPT_PORT,
	.init_service = sh_init,
	.done_service = sched_buckets_done,
	.update_service = sched_buckets_update,
	.schedule = sh_schedule,
};
