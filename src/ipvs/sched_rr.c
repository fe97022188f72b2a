/*
 * sched_rr.c - round robin: each new connection goes to the next usable
 * dest in the service's list, weights ignored except that weight 0 (and
 * overloaded) dests are skipped.
 */
#include <stdlib.h>
#include "dpvs_err.h"
#include <stdbool.h>
#include <rte_branch_prediction.h>
#include "ipvs/sched.h"
#include "sched_int.h"

struct rr_state {
	uint32_t next;		/* index to try first */
	bool started;		/* next was set from sched_rotation_start() */
};

static int rr_init(struct ipvs_service *svc)
{
	svc->sched_data = calloc(1, sizeof(struct rr_state));
	return svc->sched_data ? 0 : EDPVS_NOMEM;
}

static void rr_done(struct ipvs_service *svc)
{
	free(svc->sched_data);
	svc->sched_data = NULL;
}

static int rr_update(struct ipvs_service *svc)
{
	struct rr_state *st = svc->sched_data;

	if (st && st->next >= svc->n_dests)
		st->next = 0;
	return 0;
}

static struct ipvs_dest *rr_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct rr_state *st = svc->sched_data;
	uint32_t i, n = svc->n_dests;

	(void)key;
	if (!st || n == 0)
		return NULL;
	if (unlikely(!st->started)) {
		st->next = sched_rotation_start() % n;
		st->started = true;
	}
	for (i = 0; i < n; i++) {
		uint32_t k = (st->next + i) % n;
		struct ipvs_dest *d = svc->dests[k];

		if (dest_usable(d)) {
			st->next = (k + 1) % n;
			return d;
		}
	}
	return NULL;
}

const struct sched_ops sched_rr_ops = {
	.name = "rr",
	.init_service = rr_init,
	.done_service = rr_done,
	.update_service = rr_update,
	.schedule = rr_schedule,
};
