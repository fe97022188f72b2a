/*
 * laddr.c - FNAT local address pools, one per service: the master's list
 * (validation, add, delete, publication like every other service change)
 * and, on each FWD_WORKER, the svc->laddrs array of its own service copy
 * that the datapath allocates local ports from.
 *
 * Ownership: msvc->laddrs is the master's; svc->laddrs of a worker's copy
 * is written only by that worker (in its SVC_MSG_CONF handler).  Entries
 * keep their priv pointer when the array grows; the datapath's release
 * hook is called before an entry goes away.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "inet_addr.h"
#include "netif.h"
#include "svc_int.h"

DPVS_LOG_DECLARE(ipvs_svc);

static ipvs_laddr_release_fn laddr_release_hook;	/* set by the master before the loops */

void ipvs_laddr_set_release_hook(ipvs_laddr_release_fn fn)
{
	laddr_release_hook = fn;
}

/* ---- worker side ---- */

static int laddr_index(const struct ipvs_service *svc, uint8_t af, const union ipvs_wire_addr *a)
{
	uint32_t i;

	for (i = 0; i < svc->n_laddrs; i++)
		if (svc->laddrs[i].af == af &&
		    memcmp(&svc->laddrs[i].addr, a, af == AF_INET ? 4 : 16) == 0)
			return (int)i;
	return -1;
}

static int laddr_append(struct ipvs_service *svc, const struct svc_msg *m)
{
	struct ipvs_laddr *a = realloc(svc->laddrs, (svc->n_laddrs + 1) * sizeof(*a));

	if (a == NULL)
		return EDPVS_NOMEM;
	svc->laddrs = a;
	a += svc->n_laddrs;
	memset(a, 0, sizeof(*a));
	a->af = m->laddr_af;
	if (m->laddr_af == AF_INET)
		a->addr.in4 = m->laddr.in4;
	else
		memcpy(a->addr.in6, m->laddr.in6, 16);
	svc->n_laddrs++;
	return 0;
}

int svc_lcore_laddr_apply(struct ipvs_service *svc, const struct svc_msg *m)
{
	int i = laddr_index(svc, m->laddr_af, &m->laddr);

	if (m->op == SVC_OP_LADDR_ADD)
		return i >= 0 ? EDPVS_EXIST : laddr_append(svc, m);
	if (i < 0)
		return EDPVS_NOTEXIST;
	if (laddr_release_hook != NULL)
		laddr_release_hook(svc, &svc->laddrs[i]);
	memmove(&svc->laddrs[i], &svc->laddrs[i + 1],
		(svc->n_laddrs - (uint32_t)i - 1) * sizeof(svc->laddrs[0]));
	svc->n_laddrs--;
	if (svc->laddr_next >= svc->n_laddrs)
		svc->laddr_next = 0;
	return 0;
}

void svc_lcore_laddr_release_all(struct ipvs_service *svc)
{
	uint32_t i;

	if (laddr_release_hook == NULL)
		return;
	for (i = 0; i < svc->n_laddrs; i++)
		laddr_release_hook(svc, &svc->laddrs[i]);
}

/* ---- master side ---- */

int ipvs_laddr_req_check(const struct ipvs_wire_laddr_req *r, char *errmsg)
{
	uint32_t h;
	int rc = ipvs_svc_key_check(&r->svc, errmsg);

	if (rc != 0)
		return rc;
	if (r->af == AF_INET6) {
		svc_errmsg(errmsg, "IPv6 local addresses are not supported");
		return EDPVS_NOTSUPP;
	}
	h = ntohl(r->addr.in4);
	if (r->af != AF_INET || h == 0 || h == 0xffffffffu || (h >> 28) == 0xe) {
		svc_errmsg(errmsg, "illegal local address");
		return EDPVS_INVAL;
	}
	if (r->svc.af != r->af) {
		svc_errmsg(errmsg, "local address family differs from the service's");
		return EDPVS_INVAL;
	}
	if (memchr(r->ifname, '\0', sizeof(r->ifname)) == NULL) {
		svc_errmsg(errmsg, "interface name is not terminated");
		return EDPVS_INVAL;
	}
	return 0;
}

static int laddr_req_check(const struct ipvs_wire_laddr_req *r, char *errmsg)
{
	int rc = ipvs_laddr_req_check(r, errmsg);

	if (rc != 0)
		return rc;
	if (r->ifname[0] != '\0' && netif_port_get_by_name(r->ifname) == NULL) {
		svc_errmsg(errmsg, "No such interface: %s", r->ifname);
		return EDPVS_NOTEXIST;
	}
	return 0;
}

static int msvc_laddr_find(const struct msvc *m, const struct ipvs_wire_laddr_req *r)
{
	uint32_t i;

	for (i = 0; i < m->n_laddrs; i++)
		if (m->laddrs[i].af == r->af && m->laddrs[i].addr.in4 == r->addr.in4)
			return (int)i;
	return -1;
}

static void laddr_msg(struct svc_msg *msg, const struct msvc *m, uint32_t op,
		      const struct ipvs_wire_laddr_req *r)
{
	memset(msg, 0, sizeof(*msg));
	msg->op = op;
	msg->svc_id = m->id;
	msg->svc.key = m->conf.key;
	msg->laddr_af = r->af;
	msg->laddr.in4 = r->addr.in4;
}

static int msvc_laddr_append(struct msvc *m, const struct ipvs_wire_laddr_req *r)
{
	struct msvc_laddr *l;

	if (m->n_laddrs == m->cap_laddrs) {
		uint32_t cap = m->cap_laddrs ? m->cap_laddrs * 2 : 4;

		l = realloc(m->laddrs, cap * sizeof(*l));
		if (l == NULL)
			return EDPVS_NOMEM;
		m->laddrs = l;
		m->cap_laddrs = cap;
	}
	l = &m->laddrs[m->n_laddrs++];
	memset(l, 0, sizeof(*l));
	l->af = r->af;
	l->addr.in4 = r->addr.in4;
	memcpy(l->ifname, r->ifname, sizeof(l->ifname));
	return 0;
}

int ipvs_laddr_add(const struct ipvs_wire_laddr_req *r, char *errmsg)
{
	struct svc_msg msg;
	struct msvc *m;
	int rc = laddr_req_check(r, errmsg);

	if (rc != 0)
		return rc;
	m = svc_master_find(&r->svc);
	if (m == NULL) {
		svc_errmsg(errmsg, "Service not defined");
		return EDPVS_NOTEXIST;
	}
	if (msvc_laddr_find(m, r) >= 0) {
		svc_errmsg(errmsg, "Local address already exists");
		return EDPVS_EXIST;
	}
	if (m->n_laddrs >= IPVS_LADDR_MAX) {
		svc_errmsg(errmsg, "Too many local addresses (at most %u per service)",
			   IPVS_LADDR_MAX);
		return EDPVS_NOROOM;
	}
	if (msvc_laddr_append(m, r) != 0) {
		svc_errmsg(errmsg, "Memory allocation problem");
		return EDPVS_NOMEM;
	}
	laddr_msg(&msg, m, SVC_OP_LADDR_ADD, r);
	rc = svc_publish(&msg);
	if (rc != 0) {
		m->n_laddrs--;
		msg.op = SVC_OP_LADDR_DEL;
		(void)svc_publish(&msg);
		svc_errmsg(errmsg, "a forwarding lcore failed: %s", dpvs_strerror(rc));
	}
	return rc;
}

uint32_t ipvs_laddr_warnings(const struct ipvs_wire_laddr_req *r)
{
	const struct netif_port *port;
	char a[INET_ADDRSTRLEN] = "?";

	if (r->af != AF_INET)
		return 0;
	inet_ntop(AF_INET, &r->addr.in4, a, sizeof(a));
	if (!inet_addr_is_local(r->addr.in4)) {
		DPVS_LOG(ipvs_svc, WARNING, "local address %s is not configured on any port: "
			 "FNAT connections given it get no replies until it is", a);
		return IPVS_WIRE_LADDR_W_NOT_LOCAL;
	}
	port = r->ifname[0] != '\0' ? netif_port_get_by_name(r->ifname) : NULL;
	if (port != NULL && !inet_addr_is_local_on(port, r->addr.in4)) {
		DPVS_LOG(ipvs_svc, WARNING, "local address %s is not on %s", a, r->ifname);
		return IPVS_WIRE_LADDR_W_OTHER_PORT;
	}
	return 0;
}

int ipvs_laddr_del(const struct ipvs_wire_laddr_req *r, char *errmsg)
{
	struct svc_msg msg;
	struct msvc *m;
	int i, rc = laddr_req_check(r, errmsg);

	if (rc != 0)
		return rc;
	m = svc_master_find(&r->svc);
	if (m == NULL) {
		svc_errmsg(errmsg, "Service not defined");
		return EDPVS_NOTEXIST;
	}
	i = msvc_laddr_find(m, r);
	if (i < 0) {
		svc_errmsg(errmsg, "No such local address");
		return EDPVS_NOTEXIST;
	}
	laddr_msg(&msg, m, SVC_OP_LADDR_DEL, r);
	memmove(&m->laddrs[i], &m->laddrs[i + 1],
		(m->n_laddrs - (uint32_t)i - 1) * sizeof(m->laddrs[0]));
	m->n_laddrs--;
	rc = svc_publish(&msg);
	if (rc != 0)	/* queued on a slow lcore: it still applies it later */
		svc_errmsg(errmsg, "a forwarding lcore failed: %s", dpvs_strerror(rc));
	return rc;
}
