/*
 * sched_lblc.c - locality-based least connection (IPVS lblc): each
 * destination address of new connections (the packet's daddr: with a
 * fwmark service in front of a cache cluster, the origin server asked for)
 * is assigned a real server, chosen by weighted least connection, and keeps
 * it while that server is usable and not overloaded; an overloaded one
 * (more active conns than its weight while another usable server has fewer
 * than half of its own) or unusable one is replaced by a fresh weighted
 * least-connection pick.  The assignments live in the service copy's
 * bounded locality table (sched_int.h: per worker, preallocated, LRU
 * replacement, 6-minute idle expiry swept a few slots per pick).
 */
#include "timer.h"
#include "ipvs/sched.h"
#include "sched_int.h"

static struct ipvs_dest *lblc_schedule(struct ipvs_service *svc, const struct sched_key *key)
{
	struct sched_loc_table *t = svc->sched_data;
	struct sched_loc_entry *e;
	struct ipvs_dest *d;
	uint64_t now;

	if (t == NULL)
		return NULL;
	now = timer_now_us();
	sched_loc_sweep(t, now);
	e = sched_loc_find(t, key->af, key->daddr, now);
	if (e != NULL && dest_usable(e->set[0]) && !sched_loc_overloaded(svc, e->set[0]))
		return e->set[0];
	d = sched_least_loaded(svc, sched_lc_overhead, true);
	if (d == NULL)
		return NULL;
	if (e == NULL)
		e = sched_loc_insert(t, key->af, key->daddr, now);
	e->set[0] = d;
	e->n = 1;
	e->mod_us = e->used_us;
	return d;
}

const struct sched_ops sched_lblc_ops = {
	.name = "lblc",
	.init_service = sched_loc_init,
	.done_service = sched_loc_done,
	.update_service = sched_loc_update,
	.schedule = lblc_schedule,
};
