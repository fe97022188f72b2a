/*
 * sched_lblcr.c - locality-based least connection with replication (IPVS
 * lblcr): each destination address maps to a set of up to
 * SCHED_LOC_SET_MAX real servers.  A new connection goes to the set's
 * usable member with the least (active * 256 + inactive) / weight; when
 * there is none, or it is overloaded (more active conns than its weight
 * while another usable server has fewer than half of its own), the
 * service's weighted least-connection server joins the set (replacing the
 * most loaded member when the set is full) and takes the connection.  A
 * set of several that has not changed for SCHED_LOC_EXPIRE_US drops its
 * most loaded member, so replication shrinks back when the load goes.
 * Same bounded per-worker table as lblc (sched_int.h).
 */
#include <stddef.h>
#include "timer.h"
#include "ipvs/sched.h"
#include "sched_int.h"

/* The member with the smallest (with max: largest) overhead / weight;
 * usable members only when usable_only.  Index or -1. */
static int set_pick(const struct sched_loc_entry *e, bool max, bool usable_only)
{
	uint64_t best_oh = 0, oh;
	int best = -1;
	uint32_t i;

	for (i = 0; i < e->n; i++) {
		const struct ipvs_dest *d = e->set[i];
		uint64_t w, bw;

		if (usable_only && !dest_usable(d))
			continue;
		oh = sched_lc_overhead(d);
		w = d->weight > 0 ? (uint64_t)d->weight : 1;
		bw = best >= 0 && e->set[best]->weight > 0 ? (uint64_t)e->set[best]->weight : 1;
		if (best < 0 || (max ? oh * bw > best_oh * w : oh * bw < best_oh * w)) {
			best = (int)i;
			best_oh = oh;
		}
	}
	return best;
}

static void set_remove(struct sched_loc_entry *e, int i)
{
	e->set[i] = e->set[e->n - 1];
	e->set[--e->n] = NULL;
}

/* Put d in the set (replacing the most loaded member when full). */
static void set_add(struct sched_loc_entry *e, struct ipvs_dest *d, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < e->n; i++)
		if (e->set[i] == d)
			return;
	if (e->n == SCHED_LOC_SET_MAX)
		set_remove(e, set_pick(e, true, false));
	e->set[e->n++] = d;
	e->mod_us = now ? now : 1;
}

/* The set's choice; a set of several unchanged for SCHED_LOC_EXPIRE_US
 * then drops its most loaded member (the choice stays valid for this
 * connection even if it was that member: it is still attached). */
static struct ipvs_dest *set_choose(struct sched_loc_entry *e, uint64_t now)
{
	int i = set_pick(e, false, true);
	struct ipvs_dest *d = i >= 0 ? e->set[i] : NULL;

	if (e->n > 1 && now - e->mod_us >= SCHED_LOC_EXPIRE_US) {
		set_remove(e, set_pick(e, true, false));
		e->mod_us = now ? now : 1;
	}
	return d;
}

static struct ipvs_dest *lblcr_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct sched_loc_table *t = svc->sched_data;
	struct sched_loc_entry *e;
	struct ipvs_dest *d = NULL;
	uint64_t now;

	if (t == NULL)
		return NULL;
	now = timer_now_us();
	sched_loc_sweep(t, now);
	e = sched_loc_find(t, key->af, key->daddr, now);
	if (e != NULL)
		d = set_choose(e, now);
	if (d != NULL && !sched_loc_overloaded(svc, d))
		return d;
	d = sched_least_loaded(svc, sched_lc_overhead, true);
	if (d == NULL)
		return NULL;
	if (e == NULL)
		e = sched_loc_insert(t, key->af, key->daddr, now);
	set_add(e, d, now);
	return d;
}

const struct sched_ops sched_lblcr_ops = {
	.name = "lblcr",
	.init_service = sched_loc_init,
	.done_service = sched_loc_done,
	.update_service = sched_loc_update,
	.schedule = lblcr_schedule,
};
