/*
 * svc_model.c - the IPVS data model helpers declared in ipvs/service.h:
 * allocation and reference counting of services and dests, the dest array
 * of a service (attach, detach, find, edit) and address masking.
 *
 * Everything here runs on the lcore that owns the objects, on the control
 * path (H7's config message handlers), except dest_put() which may also run
 * when a conn expires.  Plain calloc/free: no per-packet allocation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dpvs_err.h"
#include "ipvs/service.h"
#include "ipvs/sched.h"

static const char *const fwd_mode_names[IPVS_FWD_MAX] = {
	[IPVS_FWD_FNAT] = "fnat",
	[IPVS_FWD_NAT] = "nat",
	[IPVS_FWD_DR] = "dr",
	[IPVS_FWD_TUNNEL] = "tunnel",
};

const char *ipvs_fwd_mode_name(enum ipvs_fwd_mode m)
{
	if ((unsigned int)m >= IPVS_FWD_MAX)
		return "?";
	return fwd_mode_names[m];
}

void inet_addr_mask(int af, const union inet_addr *in, uint32_t netmask4, uint8_t plen6,
		    union inet_addr *out)
{
	union inet_addr r;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	if (af == AF_INET) {
		r.in4 = in->in4 & netmask4;
		*out = r;
		return;
	}
	if (plen6 > 128)
		plen6 = 128;
	for (i = 0; i < 16; i++) {
		unsigned int bits = plen6 > i * 8 ? plen6 - i * 8 : 0;

		if (bits >= 8)
			r.in6[i] = in->in6[i];
		else if (bits > 0)
			r.in6[i] = in->in6[i] & (uint8_t)(0xffu << (8 - bits));
	}
	*out = r;
}

/* ---- dests ---- */

struct ipvs_dest *dest_alloc(int af, const union inet_addr *addr, uint16_t port,
			     enum ipvs_fwd_mode fwd, int32_t weight)
{
	struct ipvs_dest *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->af = (uint8_t)af;
	if (af == AF_INET)
		d->addr.in4 = addr->in4;
	else
		d->addr = *addr;
	d->port = port;
	d->fwd = (uint8_t)fwd;
	d->weight = weight;
	return d;
}

void dest_put(struct ipvs_dest *d)
{
	struct ipvs_service *svc;

	if (!d || d->refcnt == 0 || --d->refcnt > 0)
		return;
	svc = d->svc;
	if (d->fwd_priv && d->fwd_priv_free)
		d->fwd_priv_free(d->fwd_priv);
	free(d);
	if (svc)
		svc_put(svc);
}

/* ---- services ---- */

struct ipvs_service *svc_alloc(int af, uint8_t proto, const union inet_addr *vaddr,
			       uint16_t vport, uint32_t fwmark)
{
	struct ipvs_service *svc = calloc(1, sizeof(*svc));

	if (!svc)
		return NULL;
	svc->af = (uint8_t)af;
	svc->proto = proto;
	if (vaddr && af == AF_INET)
		svc->vaddr.in4 = vaddr->in4;
	else if (vaddr)
		svc->vaddr = *vaddr;
	svc->vport = vport;
	svc->fwmark = fwmark;
	svc->netmask = 0xffffffffu;
	svc->plen6 = 128;
	svc->refcnt = 1;
	return svc;
}

void svc_put(struct ipvs_service *svc)
{
	if (!svc || svc->refcnt == 0 || --svc->refcnt > 0)
		return;
	sched_unbind(svc);
	free(svc->dests);
	free(svc->laddrs);
	free(svc);
}

int svc_sched_update(struct ipvs_service *svc)
{
	if (svc->sched && svc->sched->update_service)
		return svc->sched->update_service(svc);
	return 0;
}

struct ipvs_dest *svc_dest_find(const struct ipvs_service *svc, const union inet_addr *addr,
				uint16_t port)
{
	uint32_t i;

	for (i = 0; i < svc->n_dests; i++) {
		struct ipvs_dest *d = svc->dests[i];

		if (d->port == port && inet_addr_equal(d->af, &d->addr, addr))
			return d;
	}
	return NULL;
}

static int dests_reserve(struct ipvs_service *svc, uint32_t n)
{
	struct ipvs_dest **a;
	uint32_t cap;

	if (n <= svc->cap_dests)
		return 0;
	cap = svc->cap_dests ? svc->cap_dests * 2 : 8;
	while (cap < n)
		cap *= 2;
	a = realloc(svc->dests, cap * sizeof(struct ipvs_dest *));
	if (!a)
		return EDPVS_NOMEM;
	svc->dests = a;
	svc->cap_dests = cap;
	return 0;
}

int svc_dest_attach(struct ipvs_service *svc, struct ipvs_dest *d)
{
	int rc;

	if (!svc || !d || (d->flags & DEST_F_AVAILABLE) || (d->svc && d->svc != svc))
		return EDPVS_INVAL;
	if (svc_dest_find(svc, &d->addr, d->port))
		return EDPVS_EXIST;
	rc = dests_reserve(svc, svc->n_dests + 1);
	if (rc)
		return rc;
	svc->dests[svc->n_dests++] = d;
	d->flags |= DEST_F_AVAILABLE;
	rc = svc_sched_update(svc);
	if (rc) {
		svc->n_dests--;
		d->flags &= ~DEST_F_AVAILABLE;
		svc_sched_update(svc);
		return rc;
	}
	if (!d->svc) {
		d->svc = svc;
		svc_hold(svc);
	}
	dest_hold(d);
	return 0;
}

int svc_dest_detach(struct ipvs_service *svc, struct ipvs_dest *d)
{
	uint32_t i;

	for (i = 0; i < svc->n_dests; i++)
		if (svc->dests[i] == d)
			break;
	if (i == svc->n_dests)
		return EDPVS_NOTEXIST;
	memmove(&svc->dests[i], &svc->dests[i + 1], (svc->n_dests - i - 1) * sizeof(struct ipvs_dest *));
	svc->n_dests--;
	d->flags &= ~DEST_F_AVAILABLE;
	/* A failed rebuild leaves a state with current dests only (sched.h). */
	(void)svc_sched_update(svc);
	dest_put(d);
	return 0;
}

void svc_flush_dests(struct ipvs_service *svc)
{
	uint32_t i, n = svc->n_dests;
	struct ipvs_dest **gone = svc->dests;

	/* Empty the array, rebuild once, then drop the attach references. */
	svc->dests = NULL;
	svc->n_dests = 0;
	svc->cap_dests = 0;
	for (i = 0; i < n; i++)
		gone[i]->flags &= ~DEST_F_AVAILABLE;
	(void)svc_sched_update(svc);
	for (i = 0; i < n; i++)
		dest_put(gone[i]);
	free(gone);
}

int svc_dest_edit(struct ipvs_service *svc, struct ipvs_dest *d, int32_t weight,
		  uint32_t u_threshold, uint32_t l_threshold)
{
	d->weight = weight;
	d->u_threshold = u_threshold;
	d->l_threshold = l_threshold;
	dest_update_overload(d);
	return svc_sched_update(svc);
}
