/*
 * sched_wrr.c - weighted round robin.  Each dest receives new connections
 * in proportion to its weight, interleaved rather than in runs (smooth
 * weighted round robin: every pick adds each usable dest's weight to its
 * credit, takes the dest with the largest credit and charges it the total).
 * O(number of dests) per pick, no allocation; weight 0 and overloaded dests
 * are skipped and the rest keep their proportions.
 */
#include <stdlib.h>
#include <string.h>
#include "dpvs_err.h"
#include <rte_branch_prediction.h>
#include "ipvs/sched.h"
#include "sched_int.h"

struct wrr_state {
	uint32_t cap;
	uint32_t skip;		/* picks to discard first (rotation start) */
	int64_t *cur;		/* credit per dest, parallel to svc->dests */
};

static void wrr_done(struct ipvs_service *svc)
{
	struct wrr_state *st = svc->sched_data;

	if (st)
		free(st->cur);
	free(st);
	svc->sched_data = NULL;
}

static int wrr_update(struct ipvs_service *svc)
{
	struct wrr_state *st = svc->sched_data;
	uint32_t cap = svc->n_dests ? svc->n_dests : 1;
	int64_t *cur;

	if (!st)
		return EDPVS_INVAL;
	cur = calloc(cap, sizeof(*cur));
	if (!cur) {
		/* keep the old array (parallel indices stay valid if it is big enough) */
		if (st->cap >= svc->n_dests) {
			memset(st->cur, 0, st->cap * sizeof(*st->cur));
			return 0;
		}
		return EDPVS_NOMEM;
	}
	free(st->cur);
	st->cur = cur;
	st->cap = cap;
	st->skip = sched_rotation_start();	/* credits restart: so does the offset */
	return 0;
}

static int wrr_init(struct ipvs_service *svc)
{
	svc->sched_data = calloc(1, sizeof(struct wrr_state));
	if (!svc->sched_data)
		return EDPVS_NOMEM;
	return wrr_update(svc);
}

static struct ipvs_dest *wrr_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct wrr_state *st = svc->sched_data;
	int i;

	(void)key;
	if (!st || !st->cur || st->cap < svc->n_dests)
		return NULL;
	for (; unlikely(st->skip > 0); st->skip--)
		(void)sched_swrr_pick(svc->dests, st->cur, svc->n_dests);
	i = sched_swrr_pick(svc->dests, st->cur, svc->n_dests);
	return i < 0 ? NULL : svc->dests[i];
}

const struct sched_ops sched_wrr_ops = {
	.name = "wrr",
	.init_service = wrr_init,
	.done_service = wrr_done,
	.update_service = wrr_update,
	.schedule = wrr_schedule,
};
