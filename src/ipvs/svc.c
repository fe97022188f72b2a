/*
 * svc.c - the master's authoritative table of virtual services and real
 * servers: validation of every field, add/edit/delete, publication of each
 * change to the per-lcore copies (svc_lcore.c) with msg_multicast_sync()
 * and undo when a worker fails, counter collection from the workers, and
 * the rate estimator (a 2-second timer on the master, IPVS-style smoothed
 * rates for ipvsadm --rate).  Module init/term of "ipvs_svc".
 *
 * Ownership: everything here is the master's (ctl handlers and the
 * estimator timer both run on the master lcore); workers never read it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_lcore.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "msg.h"
#include "timer.h"
#include "ipvs/sched.h"
#include "svc_int.h"

DPVS_LOG_REGISTER(ipvs_svc);

#define SVC_EST_PERIOD_US 2000000u
#define SVC_PERSIST_TIMEOUT_MAX (UINT32_MAX / 1000u)

static struct {
	struct msvc_list list;		/* ascending id */
	uint32_t n;
	uint32_t next_id;
	struct timer_entry est_timer;
	bool est_ready;			/* est_timer initialised */
} svcm = {
	.list = TAILQ_HEAD_INITIALIZER(svcm.list),
	.next_id = 1,
};

void svc_errmsg(char *errmsg, const char *fmt, ...)
{
	va_list ap;

	if (errmsg == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(errmsg, IPVS_SVC_ERRLEN, fmt, ap);
	va_end(ap);
}

struct msvc_list *svc_master_list(void)
{
	return &svcm.list;
}

unsigned int ipvs_svc_count(void)
{
	return svcm.n;
}

int svc_key_equal(const struct ipvs_wire_svc_key *a, const struct ipvs_wire_svc_key *b)
{
	return a->af == b->af && a->proto == b->proto && a->port == b->port &&
	       a->fwmark == b->fwmark && memcmp(a->addr.in6, b->addr.in6, sizeof(a->addr.in6)) == 0;
}

struct msvc *svc_master_find(const struct ipvs_wire_svc_key *k)
{
	struct msvc *m;

	TAILQ_FOREACH(m, &svcm.list, link)
		if (svc_key_equal(&m->conf.key, k))
			return m;
	return NULL;
}

struct msvc *svc_master_find_id(uint32_t id)
{
	struct msvc *m;

	TAILQ_FOREACH(m, &svcm.list, link)
		if (m->id == id)
			return m;
	return NULL;
}

/* ---- forwarding methods ---- */

int svc_fwd_from_wire(uint8_t wire)
{
	switch (wire) {
	case IPVS_WIRE_FWD_MASQ: return IPVS_FWD_NAT;
	case IPVS_WIRE_FWD_TUNNEL: return IPVS_FWD_TUNNEL;
	case IPVS_WIRE_FWD_DR: return IPVS_FWD_DR;
	case IPVS_WIRE_FWD_FNAT: return IPVS_FWD_FNAT;
	default: return -1;
	}
}

uint8_t svc_fwd_to_wire(uint8_t fwd)
{
	switch (fwd) {
	case IPVS_FWD_NAT: return IPVS_WIRE_FWD_MASQ;
	case IPVS_FWD_TUNNEL: return IPVS_WIRE_FWD_TUNNEL;
	case IPVS_FWD_DR: return IPVS_WIRE_FWD_DR;
	default: return IPVS_WIRE_FWD_FNAT;
	}
}

/* ---- validation ---- */

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static int addr_check(uint8_t af, const union ipvs_wire_addr *a, const char *what,
		      char *errmsg)
{
	uint32_t h;

	if (af == AF_INET6) {
		svc_errmsg(errmsg, "IPv6 %s addresses are not supported", what);
		return EDPVS_NOTSUPP;
	}
	if (af != AF_INET) {
		svc_errmsg(errmsg, "bad address family %u", af);
		return EDPVS_INVAL;
	}
	h = ntohl(a->in4);
	if (h == 0 || h == 0xffffffffu || (h >> 28) == 0xe || !all_zero(a->in6 + 4, 12)) {
		svc_errmsg(errmsg, "illegal %s address (not unicast)", what);
		return EDPVS_INVAL;
	}
	return 0;
}

int ipvs_svc_key_check(const struct ipvs_wire_svc_key *k, char *errmsg)
{
	if (k->fwmark != 0) {
		if (k->af != AF_INET && k->af != AF_INET6) {
			svc_errmsg(errmsg, "bad address family %u", k->af);
			return EDPVS_INVAL;
		}
		if (k->proto != 0 || k->port != 0 || !all_zero(&k->addr, sizeof(k->addr))) {
			svc_errmsg(errmsg, "a fwmark service has no address, port or protocol");
			return EDPVS_INVAL;
		}
		if (k->af == AF_INET6) {
			svc_errmsg(errmsg, "IPv6 services are not supported");
			return EDPVS_NOTSUPP;
		}
		return 0;
	}
	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP && k->proto != IPPROTO_SCTP) {
		svc_errmsg(errmsg, "protocol must be TCP, UDP or SCTP");
		return EDPVS_INVAL;
	}
	return addr_check(k->af, &k->addr, "virtual", errmsg);
}

static bool mask4_ok(uint32_t be)
{
	uint32_t m = ntohl(be);

	return m != 0 && (~m & (~m + 1)) == 0;
}

static int conf_check_persist(const struct ipvs_wire_svc_conf *c, char *errmsg)
{
	bool persist = c->flags & IPVS_WIRE_SVC_F_PERSISTENT;

	if (persist && (c->timeout == 0 || c->timeout > SVC_PERSIST_TIMEOUT_MAX)) {
		svc_errmsg(errmsg, "persistence timeout must be 1..%u seconds",
			   SVC_PERSIST_TIMEOUT_MAX);
		return EDPVS_RANGE;
	}
	if (c->key.af == AF_INET && c->netmask != 0 && !mask4_ok(c->netmask)) {
		svc_errmsg(errmsg, "illegal netmask (not contiguous)");
		return EDPVS_INVAL;
	}
	if (c->key.af == AF_INET6 && c->netmask > 128) {
		svc_errmsg(errmsg, "illegal IPv6 prefix length");
		return EDPVS_RANGE;
	}
	if (!persist && c->key.fwmark == 0 && c->key.port == 0) {
		svc_errmsg(errmsg, "Zero port specified for non-persistent service");
		return EDPVS_INVAL;
	}
	return 0;
}

/* Scheduler flags the service's scheduler does not honour are refused
 * (accepting and ignoring them would hide a mistake). */
static int conf_check_sched_flags(const struct ipvs_wire_svc_conf *c, const struct sched_ops *ops,
				  char *errmsg)
{
	static const struct {
		uint32_t wire, need;
		const char *name;
	} words[] = {
		{ IPVS_WIRE_SCHED_F_FALLBACK, SCHED_OPT_FALLBACK, "fallback" },
		{ IPVS_WIRE_SCHED_F_PORT, SCHED_OPT_PORT, "port" },
		{ IPVS_WIRE_SCHED_F_KEY_MASK, SCHED_OPT_HASH_KEY, "hash-*" },
	};
	size_t i;

	for (i = 0; i < DPVS_ARRAY_SIZE(words); i++) {
		if ((c->sched_flags & words[i].wire) && !(ops->flags & words[i].need)) {
			svc_errmsg(errmsg, "scheduler flag '%s' does not apply to scheduler '%s'",
				   words[i].name, ops->name);
			return EDPVS_INVAL;
		}
	}
	return 0;
}

int ipvs_svc_conf_check(const struct ipvs_wire_svc_conf *c, char *errmsg)
{
	const struct sched_ops *ops;
	int rc = ipvs_svc_key_check(&c->key, errmsg);

	if (rc != 0)
		return rc;
	if (memchr(c->sched, '\0', sizeof(c->sched)) == NULL || c->sched[0] == '\0') {
		svc_errmsg(errmsg, "illegal scheduler name");
		return EDPVS_INVAL;
	}
	ops = sched_lookup(c->sched);
	if (ops == NULL) {
		svc_errmsg(errmsg, "Scheduler not found: %s", c->sched);
		return EDPVS_NOTEXIST;
	}
	if ((c->flags & ~IPVS_WIRE_SVC_F_MASK) || !all_zero(c->pad, sizeof(c->pad)) ||
	    (c->sched_flags & ~IPVS_WIRE_SCHED_F_MASK) ||
	    ((c->sched_flags & IPVS_WIRE_SCHED_F_KEY_MASK) >> IPVS_WIRE_SCHED_F_KEY_SHIFT) >=
	    IPVS_WIRE_HASH_MAX) {
		svc_errmsg(errmsg, "unknown service or scheduler flags");
		return EDPVS_INVAL;
	}
	rc = conf_check_sched_flags(c, ops, errmsg);
	if (rc != 0)
		return rc;
	if ((c->flags & IPVS_WIRE_SVC_F_ONEPACKET) && c->key.proto != IPPROTO_UDP) {
		svc_errmsg(errmsg, "One-Packet Scheduling is only for UDP virtual services");
		return EDPVS_INVAL;
	}
	if (c->proxy_protocol != IPVS_WIRE_PP_OFF && c->proxy_protocol != IPVS_WIRE_PP_V2) {
		svc_errmsg(errmsg, "proxy protocol version must be 2 or off");
		return EDPVS_INVAL;
	}
	return conf_check_persist(c, errmsg);
}

/* Defaults for fields that do not apply (so -S/-L show what is used). */
void ipvs_svc_conf_normalise(struct ipvs_wire_svc_conf *c)
{
	if (!(c->flags & IPVS_WIRE_SVC_F_PERSISTENT)) {
		c->timeout = 0;
		c->netmask = 0;
	}
	if (c->netmask == 0)
		c->netmask = c->key.af == AF_INET ? 0xffffffffu : 128;
}

/* --tun-type and its options (ipvsadm's rules): only a TUNNEL real server
 * has them; GUE needs its UDP port; IPIP has no port and no checksum; GRE
 * has no port. */
static int dest_tun_check(const struct ipvs_wire_dest_conf *d, char *errmsg)
{
	if (d->pad != 0 || (d->tun_flags & ~IPVS_WIRE_TUN_F_MASK) ||
	    d->tun_type >= IPVS_WIRE_TUN_MAX) {
		svc_errmsg(errmsg, "unknown tunnel type or flags");
		return EDPVS_INVAL;
	}
	if (d->fwd != IPVS_WIRE_FWD_TUNNEL &&
	    (d->tun_type != IPVS_WIRE_TUN_IPIP || d->tun_flags || d->tun_port)) {
		svc_errmsg(errmsg, "Tunnel options conflict with forward method");
		return EDPVS_INVAL;
	}
	if (d->tun_type == IPVS_WIRE_TUN_GUE && d->tun_port == 0) {
		svc_errmsg(errmsg, "a gue tunnel needs its UDP port (--tun-port)");
		return EDPVS_INVAL;
	}
	if (d->tun_type != IPVS_WIRE_TUN_GUE && d->tun_port != 0) {
		svc_errmsg(errmsg, "--tun-port is only for the gue tunnel type");
		return EDPVS_INVAL;
	}
	if (d->tun_type == IPVS_WIRE_TUN_IPIP && d->tun_flags != 0) {
		svc_errmsg(errmsg, "an ipip tunnel has no checksum option");
		return EDPVS_INVAL;
	}
	return 0;
}

int ipvs_dest_conf_check(const struct ipvs_wire_svc_key *svc, struct ipvs_wire_dest_conf *d,
			 char *errmsg)
{
	int rc = addr_check(d->af, &d->addr, "real server", errmsg);

	if (rc != 0)
		return rc;
	if (d->af != svc->af) {
		svc_errmsg(errmsg, "real server address family differs from the service's");
		return EDPVS_INVAL;
	}
	if (d->fwd == IPVS_WIRE_FWD_LOCAL || d->fwd >= IPVS_WIRE_FWD_MAX) {
		svc_errmsg(errmsg, "unsupported forwarding method");
		return d->fwd == IPVS_WIRE_FWD_LOCAL ? EDPVS_NOTSUPP : EDPVS_INVAL;
	}
	if (d->weight > IPVS_WIRE_WEIGHT_MAX || d->u_threshold > IPVS_WIRE_THRESHOLD_MAX ||
	    d->l_threshold > IPVS_WIRE_THRESHOLD_MAX) {
		svc_errmsg(errmsg, "weight (0..%u) or threshold out of range",
			   IPVS_WIRE_WEIGHT_MAX);
		return EDPVS_RANGE;
	}
	if (d->u_threshold != 0 && d->l_threshold > d->u_threshold) {
		svc_errmsg(errmsg, "lower threshold above the upper threshold");
		return EDPVS_INVAL;
	}
	rc = dest_tun_check(d, errmsg);
	if (rc != 0)
		return rc;
	/* DR and TUNNEL cannot change the port; NAT without a port keeps it. */
	if (svc->fwmark == 0 &&
	    (d->fwd == IPVS_WIRE_FWD_DR || d->fwd == IPVS_WIRE_FWD_TUNNEL || d->port == 0))
		d->port = svc->port;
	return 0;
}

/* ---- publication ---- */

/* Before the loops run (the services of the config file at start-up) a
 * sync message cannot be answered: apply m to every FWD_WORKER's table from
 * here, as the worker itself would, undoing nothing (the caller undoes). */
static int publish_direct(const struct svc_msg *m)
{
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);
	int rc;

	for (i = 0; i < n; i++) {
		rc = svc_lcore_apply(job_role_lcore(JOB_ROLE_FWD_WORKER, i), m);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int svc_publish(const struct svc_msg *m)
{
	static struct msg_result res[RTE_MAX_LCORE];
	unsigned int i, nres = 0;
	int rc, first = 0;

	if (job_role_count(JOB_ROLE_FWD_WORKER) == 0)
		return 0;
	if (!job_running())	/* start-up (config file): no loop reads the tables yet */
		return publish_direct(m);
	rc = msg_multicast_sync(SVC_MSG_CONF, m, sizeof(*m), SVC_MSG_TIMEOUT_US, res, &nres);
	for (i = 0; i < nres; i++)
		if (res[i].status != 0 && first == 0)
			first = res[i].status;
	msg_result_free(res, nres);
	if (first != 0 || rc != 0)
		DPVS_LOG(ipvs_svc, WARNING, "config op %u not applied by every worker: %s", m->op,
			 dpvs_strerror(first ? first : rc));
	return first != 0 ? first : rc;
}

static void msg_init_svc(struct svc_msg *msg, uint32_t op, const struct msvc *m,
			 const struct ipvs_wire_svc_conf *conf)
{
	memset(msg, 0, sizeof(*msg));
	msg->op = op;
	msg->svc_id = m ? m->id : 0;
	if (conf != NULL)
		msg->svc = *conf;
}

static int publish_failed(int rc, char *errmsg)
{
	svc_errmsg(errmsg, rc == EDPVS_NOMEM ? "Memory allocation problem" :
		   "a forwarding lcore failed: %s", dpvs_strerror(rc));
	return rc;
}

static void est_arm(void);

int ipvs_svc_add(const struct ipvs_wire_svc_conf *conf, char *errmsg)
{
	struct ipvs_wire_svc_conf c = *conf;
	struct svc_msg msg;
	struct msvc *m;
	int rc = ipvs_svc_conf_check(&c, errmsg);

	if (rc != 0)
		return rc;
	ipvs_svc_conf_normalise(&c);
	if (svc_master_find(&c.key) != NULL) {
		svc_errmsg(errmsg, "Service already exists");
		return EDPVS_EXIST;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return publish_failed(EDPVS_NOMEM, errmsg);
	m->id = svcm.next_id++;
	m->conf = c;
	msg_init_svc(&msg, SVC_OP_SVC_ADD, m, &c);
	rc = svc_publish(&msg);
	if (rc != 0) {
		msg.op = SVC_OP_SVC_DEL;
		(void)svc_publish(&msg);
		free(m);
		return publish_failed(rc, errmsg);
	}
	TAILQ_INSERT_TAIL(&svcm.list, m, link);
	svcm.n++;
	est_arm();
	return 0;
}

int ipvs_svc_edit(const struct ipvs_wire_svc_conf *conf, char *errmsg)
{
	struct ipvs_wire_svc_conf c = *conf;
	struct svc_msg msg;
	struct msvc *m;
	int rc = ipvs_svc_conf_check(&c, errmsg);

	if (rc != 0)
		return rc;
	ipvs_svc_conf_normalise(&c);
	m = svc_master_find(&c.key);
	if (m == NULL) {
		svc_errmsg(errmsg, "No such service");
		return EDPVS_NOTEXIST;
	}
	msg_init_svc(&msg, SVC_OP_SVC_EDIT, m, &c);
	rc = svc_publish(&msg);
	if (rc != 0) {
		msg.svc = m->conf;	/* undo on the workers that applied it */
		(void)svc_publish(&msg);
		return publish_failed(rc, errmsg);
	}
	m->conf = c;
	return 0;
}

static void msvc_free(struct msvc *m)
{
	free(m->dests);
	free(m->laddrs);
	free(m);
}

int ipvs_svc_del(const struct ipvs_wire_svc_key *k, char *errmsg)
{
	struct svc_msg msg;
	struct msvc *m = svc_master_find(k);
	int rc;

	if (m == NULL) {
		svc_errmsg(errmsg, "No such service");
		return EDPVS_NOTEXIST;
	}
	msg_init_svc(&msg, SVC_OP_SVC_DEL, m, &m->conf);
	TAILQ_REMOVE(&svcm.list, m, link);
	svcm.n--;
	msvc_free(m);
	/* A slow worker still applies the queued delete later. */
	rc = svc_publish(&msg);
	return rc != 0 ? publish_failed(rc, errmsg) : 0;
}

int ipvs_svc_flush(char *errmsg)
{
	struct svc_msg msg;
	struct msvc *m;
	int rc;

	while ((m = TAILQ_FIRST(&svcm.list)) != NULL) {
		TAILQ_REMOVE(&svcm.list, m, link);
		msvc_free(m);
	}
	svcm.n = 0;
	msg_init_svc(&msg, SVC_OP_FLUSH, NULL, NULL);
	rc = svc_publish(&msg);
	return rc != 0 ? publish_failed(rc, errmsg) : 0;
}

int ipvs_svc_zero(const struct ipvs_wire_svc_key *k, char *errmsg)
{
	struct svc_msg msg;
	struct msvc *m = NULL;
	int rc;

	if (k != NULL && (m = svc_master_find(k)) == NULL) {
		svc_errmsg(errmsg, "No such service");
		return EDPVS_NOTEXIST;
	}
	msg_init_svc(&msg, SVC_OP_ZERO, m, m ? &m->conf : NULL);
	if (m == NULL)
		msg.flags = SVC_MSG_F_ALL;
	rc = svc_publish(&msg);
	if (rc != 0)
		return publish_failed(rc, errmsg);
	TAILQ_FOREACH(m, &svcm.list, link) {
		uint32_t i;

		if (k != NULL && !svc_key_equal(&m->conf.key, k))
			continue;
		memset(&m->est, 0, sizeof(m->est));
		for (i = 0; i < m->n_dests; i++)
			memset(&m->dests[i].est, 0, sizeof(m->dests[i].est));
	}
	return 0;
}

/* ---- real servers ---- */

static int msvc_dest_find(const struct msvc *m, const struct ipvs_wire_dest_conf *d)
{
	uint32_t i;

	for (i = 0; i < m->n_dests; i++) {
		const struct ipvs_wire_dest_conf *x = &m->dests[i].conf;

		if (x->af == d->af && x->port == d->port &&
		    memcmp(x->addr.in6, d->addr.in6, sizeof(x->addr.in6)) == 0)
			return (int)i;
	}
	return -1;
}

/* Common start of the dest ops: checks, the service, the dest's index.
 * A delete names the dest by address and port only. */
static int dest_prepare(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_dest_conf *in,
			struct ipvs_wire_dest_conf *d, struct msvc **m, int *idx, char *errmsg)
{
	int rc = ipvs_svc_key_check(k, errmsg);

	if (rc != 0)
		return rc;
	*d = *in;
	if (idx != NULL) {
		rc = ipvs_dest_conf_check(k, d, errmsg);
	} else {
		rc = addr_check(d->af, &d->addr, "real server", errmsg);
		if (rc == 0 && d->port == 0)
			d->port = k->port;
	}
	if (rc != 0)
		return rc;
	*m = svc_master_find(k);
	if (*m == NULL) {
		svc_errmsg(errmsg, "Service not defined");
		return EDPVS_NOTEXIST;
	}
	if (idx != NULL)
		*idx = msvc_dest_find(*m, d);
	return 0;
}

static int msvc_dest_reserve(struct msvc *m)
{
	struct msvc_dest *a;
	uint32_t cap;

	if (m->n_dests < m->cap_dests)
		return 0;
	cap = m->cap_dests ? m->cap_dests * 2 : 8;
	a = realloc(m->dests, cap * sizeof(*a));
	if (a == NULL)
		return EDPVS_NOMEM;
	m->dests = a;
	m->cap_dests = cap;
	return 0;
}

int ipvs_dest_add(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_dest_conf *in,
		  char *errmsg)
{
	struct ipvs_wire_dest_conf d;
	struct svc_msg msg;
	struct msvc *m;
	int idx, rc = dest_prepare(k, in, &d, &m, &idx, errmsg);

	if (rc != 0)
		return rc;
	if (idx >= 0) {
		svc_errmsg(errmsg, "Destination already exists");
		return EDPVS_EXIST;
	}
	if (msvc_dest_reserve(m) != 0)
		return publish_failed(EDPVS_NOMEM, errmsg);
	msg_init_svc(&msg, SVC_OP_DEST_ADD, m, &m->conf);
	msg.dest = d;
	rc = svc_publish(&msg);
	if (rc != 0) {
		msg.op = SVC_OP_DEST_DEL;
		(void)svc_publish(&msg);
		return publish_failed(rc, errmsg);
	}
	memset(&m->dests[m->n_dests], 0, sizeof(m->dests[0]));
	m->dests[m->n_dests++].conf = d;
	return 0;
}

int ipvs_dest_edit(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_dest_conf *in,
		   char *errmsg)
{
	struct ipvs_wire_dest_conf d;
	struct svc_msg msg;
	struct msvc *m;
	int idx, rc = dest_prepare(k, in, &d, &m, &idx, errmsg);

	if (rc != 0)
		return rc;
	if (idx < 0) {
		svc_errmsg(errmsg, "No such destination");
		return EDPVS_NOTEXIST;
	}
	msg_init_svc(&msg, SVC_OP_DEST_EDIT, m, &m->conf);
	msg.dest = d;
	rc = svc_publish(&msg);
	if (rc != 0) {
		msg.dest = m->dests[idx].conf;
		(void)svc_publish(&msg);
		return publish_failed(rc, errmsg);
	}
	m->dests[idx].conf = d;
	return 0;
}

int ipvs_dest_del(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_dest_conf *in,
		  char *errmsg)
{
	struct ipvs_wire_dest_conf d;
	struct svc_msg msg;
	struct msvc *m;
	int idx, rc = dest_prepare(k, in, &d, &m, NULL, errmsg);

	if (rc != 0)
		return rc;
	idx = msvc_dest_find(m, &d);
	if (idx < 0) {
		svc_errmsg(errmsg, "No such destination");
		return EDPVS_NOTEXIST;
	}
	msg_init_svc(&msg, SVC_OP_DEST_DEL, m, &m->conf);
	msg.dest = m->dests[idx].conf;
	memmove(&m->dests[idx], &m->dests[idx + 1],
		(m->n_dests - (uint32_t)idx - 1) * sizeof(m->dests[0]));
	m->n_dests--;
	rc = svc_publish(&msg);
	return rc != 0 ? publish_failed(rc, errmsg) : 0;
}

int ipvs_svc_get_conf(const struct ipvs_wire_svc_key *k, struct ipvs_wire_svc_conf *conf,
		      struct ipvs_wire_dest_conf *dests, unsigned int max, unsigned int *n_dests,
		      unsigned int *n_laddrs)
{
	const struct msvc *m = svc_master_find(k);
	unsigned int i;

	if (m == NULL)
		return EDPVS_NOTEXIST;
	if (conf != NULL)
		*conf = m->conf;
	for (i = 0; dests != NULL && i < m->n_dests && i < max; i++)
		dests[i] = m->dests[i].conf;
	if (n_dests != NULL)
		*n_dests = m->n_dests;
	if (n_laddrs != NULL)
		*n_laddrs = m->n_laddrs;
	return 0;
}

/* ---- counter collection ---- */

void svc_agg_free(struct svc_agg *a, uint32_t n)
{
	uint32_t i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(a[i].dests);
		free(a[i].laddr_conns);
		free(a[i].laddr_conflicts);
	}
	free(a);
}

static struct svc_agg *agg_find(struct svc_agg *a, uint32_t n, uint32_t id)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {	/* a[] is in ascending id order */
		uint32_t mid = lo + (hi - lo) / 2;

		if (a[mid].m->id == id)
			return &a[mid];
		if (a[mid].m->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void agg_add_rec(struct svc_agg *a, const struct svc_stat_rec *r)
{
	const struct msvc *m = a->m;
	uint64_t *c = a->c;
	uint32_t i;

	if (r->kind == SVC_STAT_DEST) {
		for (i = 0; i < m->n_dests; i++)
			if (m->dests[i].conf.port == r->port && m->dests[i].conf.af == r->af &&
			    memcmp(m->dests[i].conf.addr.in6, r->addr.in6, sizeof(r->addr.in6)) == 0)
				break;
		if (i == m->n_dests)
			return;
		a->dests[i].active += r->active;
		a->dests[i].inactive += r->inactive;
		a->dests[i].persist += r->persist;
		c = a->dests[i].c;
	} else if (r->kind == SVC_STAT_LADDR) {
		for (i = 0; i < m->n_laddrs; i++) {
			if (m->laddrs[i].af == r->af && m->laddrs[i].addr.in4 == r->addr.in4) {
				a->laddr_conns[i] += r->laddr_conns;
				a->laddr_conflicts[i] += r->laddr_conflicts;
			}
		}
		return;
	}
	for (i = 0; i < SVC_N_COUNTERS; i++)
		c[i] += r->c[i];
}

/* Ask one worker for its records (several rounds if they do not fit). */
static int collect_worker(unsigned int lcore, struct msvc *only, struct svc_agg *a, uint32_t n)
{
	struct svc_stats_req q = { only ? only->id : 0, only ? only->id : 0 };
	struct svc_stats_rep hdr;
	struct msg_result res;
	int rc;

	do {
		const struct svc_stat_rec *r;
		uint32_t i;

		rc = msg_send_sync(lcore, SVC_MSG_STATS, &q, sizeof(q), SVC_MSG_TIMEOUT_US, &res);
		if (rc != 0 || res.status != 0) {
			rc = rc ? rc : res.status;
			msg_result_free(&res, 1);
			return rc;
		}
		if (res.len < sizeof(hdr))
			goto bad;
		memcpy(&hdr, res.data, sizeof(hdr));
		if (res.len != sizeof(hdr) + (size_t)hdr.n * sizeof(*r) ||
		    (hdr.next_id != 0 && hdr.next_id <= q.min_id))
			goto bad;
		r = (const struct svc_stat_rec *)(const void *)((const uint8_t *)res.data +
								 sizeof(hdr));
		for (i = 0; i < hdr.n; i++) {
			struct svc_agg *x = agg_find(a, n, r[i].svc_id);

			if (x != NULL)
				agg_add_rec(x, &r[i]);
		}
		q.min_id = hdr.next_id;
		msg_result_free(&res, 1);
	} while (hdr.next_id != 0);
	return 0;
bad:
	msg_result_free(&res, 1);
	return EDPVS_PROTO;
}

static struct svc_agg *agg_alloc(struct msvc *only, uint32_t *n)
{
	struct svc_agg *a;
	struct msvc *m;
	uint32_t i = 0;

	*n = only ? 1 : svcm.n;
	a = calloc(*n ? *n : 1, sizeof(*a));
	if (a == NULL)
		return NULL;
	TAILQ_FOREACH(m, &svcm.list, link) {
		if (only != NULL && m != only)
			continue;
		a[i].m = m;
		a[i].dests = calloc(m->n_dests ? m->n_dests : 1, sizeof(*a[i].dests));
		a[i].laddr_conns = calloc(m->n_laddrs ? m->n_laddrs : 1, sizeof(uint64_t));
		a[i].laddr_conflicts = calloc(m->n_laddrs ? m->n_laddrs : 1, sizeof(uint64_t));
		if (a[i].dests == NULL || a[i].laddr_conns == NULL || a[i].laddr_conflicts == NULL) {
			svc_agg_free(a, i + 1);
			return NULL;
		}
		i++;
	}
	*n = i;
	return a;
}

int svc_collect(struct msvc *only, struct svc_agg **out, uint32_t *n)
{
	unsigned int w, nw = job_role_count(JOB_ROLE_FWD_WORKER);
	struct svc_agg *a = agg_alloc(only, n);
	int rc;

	if (a == NULL)
		return EDPVS_NOMEM;
	for (w = 0; w < nw && *n > 0; w++) {
		rc = collect_worker(job_role_lcore(JOB_ROLE_FWD_WORKER, w), only, a, *n);
		if (rc != 0) {
			svc_agg_free(a, *n);
			return rc;
		}
	}
	*out = a;
	return 0;
}

/* ---- rate estimator ---- */

static unsigned int est_shift(unsigned int i)
{
	return i >= 3 ? SVC_EST_SHIFT_BYTES : SVC_EST_SHIFT_COUNT;	/* 3, 4: bytes */
}

/* rate += (sample - rate) / 4 in fixed point; a fall rounds up so that a
 * stopped counter reaches 0. */
static uint64_t est_smooth(uint64_t rate, uint64_t sample)
{
	if (sample >= rate)
		return rate + ((sample - rate) >> 2);
	return rate - ((rate - sample + 3) >> 2);
}

void svc_est_update(struct svc_est *e, const uint64_t *c, uint64_t now_us)
{
	uint64_t dt = now_us - e->last_us;
	unsigned int i;

	if (!e->primed || now_us <= e->last_us) {
		memcpy(e->last, c, sizeof(e->last));
		e->last_us = now_us;
		e->primed = true;
		return;
	}
	for (i = 0; i < SVC_N_COUNTERS; i++) {
		uint64_t delta = c[i] >= e->last[i] ? c[i] - e->last[i] : 0;
		unsigned __int128 x = ((unsigned __int128)delta << est_shift(i)) * 1000000u / dt;
		uint64_t sample = x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;

		e->rate[i] = est_smooth(e->rate[i], sample);
		e->last[i] = c[i];
	}
	e->last_us = now_us;
}

uint64_t svc_est_rate(const struct svc_est *e, unsigned int i)
{
	unsigned int sh;

	if (i >= SVC_N_COUNTERS)
		return 0;
	sh = est_shift(i);
	/* round half down, as IPVS reads its rates */
	return (e->rate[i] + (1ull << (sh - 1)) - 1) >> sh;
}

static void est_timer_cb(struct timer_entry *t, void *arg)
{
	struct svc_agg *a = NULL;
	uint64_t now = timer_now_us();
	uint32_t n = 0, i, j;

	(void)arg;
	if (svcm.n > 0 && svc_collect(NULL, &a, &n) == 0) {
		for (i = 0; i < n; i++) {
			svc_est_update(&a[i].m->est, a[i].c, now);
			for (j = 0; j < a[i].m->n_dests; j++)
				svc_est_update(&a[i].m->dests[j].est, a[i].dests[j].c, now);
		}
		svc_agg_free(a, n);
	}
	if (timer_schedule(t, SVC_EST_PERIOD_US) != 0)
		DPVS_LOG(ipvs_svc, WARNING, "rate estimator stopped (timer)");
}

/* Start the estimator if it is not running (it needs the master's timer
 * wheel; retried on every service add until it works). */
static void est_arm(void)
{
	if (!svcm.est_ready || rte_lcore_id() != rte_get_main_lcore() ||
	    timer_pending(&svcm.est_timer))
		return;
	if (timer_schedule(&svcm.est_timer, SVC_EST_PERIOD_US) != 0)
		DPVS_LOG(ipvs_svc, DEBUG, "rate estimator not armed yet");
}

/* ---- module ---- */

int ipvs_svc_init(void)
{
	int rc = svc_lcore_register_msgs();

	if (rc != 0)
		goto err;
	rc = svc_ctl_register();
	if (rc != 0)
		goto err_msgs;
	timer_entry_init(&svcm.est_timer, est_timer_cb, NULL);
	svcm.est_ready = true;
	est_arm();
	return 0;
err_msgs:
	svc_lcore_unregister_msgs();
err:
	DPVS_LOG(ipvs_svc, ERR, "init failed: %s", dpvs_strerror(rc));
	return rc;
}

void ipvs_svc_term(void)
{
	struct msvc *m;

	if (svcm.est_ready && timer_pending(&svcm.est_timer))
		timer_cancel(&svcm.est_timer);
	svcm.est_ready = false;
	svc_ctl_unregister();
	svc_lcore_unregister_msgs();
	while ((m = TAILQ_FIRST(&svcm.list)) != NULL) {
		TAILQ_REMOVE(&svcm.list, m, link);
		msvc_free(m);
	}
	svcm.n = 0;
	svc_lcore_free_all();
}
