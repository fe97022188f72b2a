/*
 * svc_ctl.c - the control requests of the IPVS module (CTL_OP_IPVS_BASE,
 * payloads in include/ipvs/ipvs_wire.h): services, real servers, local
 * addresses, counters, timeouts, info and the chunked connection listing.
 *
 * Handlers run on the master, one at a time.  The framing layer has
 * checked each payload's size; here every other field is checked (strings
 * terminated, pads zero, enums in range) before the master table (svc.c,
 * laddr.c) is touched.  Counters are summed from every FWD_WORKER by
 * messages (svc_collect()); connections are listed from one worker per
 * chunk with its conn_walk() cursor.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "svc_int.h"

/* Reply with errmsg (when set) and return rc. */
static int fail(struct ctl_reply *rep, int rc, const char *errmsg)
{
	if (errmsg[0] != '\0')
		ctl_reply_errmsg(rep, "%s", errmsg);
	return rc;
}

static bool zeroed(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n-- > 0)
		if (*b++ != 0)
			return false;
	return true;
}

static int h_info(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct ipvs_wire_info info;
	struct conn_table *t;

	(void)op, (void)req, (void)len;
	memset(&info, 0, sizeof(info));
	info.version = IPVS_WIRE_VERSION;
	info.n_svcs = ipvs_svc_count();
	info.n_workers = job_role_count(JOB_ROLE_FWD_WORKER);
	t = info.n_workers ? conn_table_get(job_role_lcore(JOB_ROLE_FWD_WORKER, 0)) : NULL;
	if (t != NULL) {
		struct conn_stats st;

		conn_table_stats(t, &st);
		info.conn_tab_size = st.n_buckets;
	}
	return ctl_reply_append(rep, &info, sizeof(info));
}

/* The service a request names, for ctl's audit line ("tcp 10.0.0.1:80"). */
static void audit_key(struct ctl_reply *rep, const struct ipvs_wire_svc_key *k,
		      const char *sched)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (k->fwmark) {
		ctl_reply_audit(rep, "fwmark %u%s%.*s", k->fwmark, sched ? " scheduler " : "",
				IPVS_WIRE_SCHED_NAME_LEN, sched ? sched : "");
		return;
	}
	inet_ntop(k->af == AF_INET6 ? AF_INET6 : AF_INET, &k->addr, a, sizeof(a));
	ctl_reply_audit(rep, k->af == AF_INET6 ? "%s [%s]:%u%s%.*s" : "%s %s:%u%s%.*s",
			k->proto == IPPROTO_UDP ? "udp" : "tcp", a, k->port,
			sched ? " scheduler " : "", IPVS_WIRE_SCHED_NAME_LEN, sched ? sched : "");
}

static int h_svc_conf(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	struct ipvs_wire_svc_conf c;
	int rc;

	(void)len;
	memcpy(&c, req, sizeof(c));
	audit_key(rep, &c.key, c.sched);
	rc = op == IPVS_OP_SVC_ADD ? ipvs_svc_add(&c, err) : ipvs_svc_edit(&c, err);
	return rc ? fail(rep, rc, err) : 0;
}

static int h_svc_del(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	struct ipvs_wire_svc_key k;
	int rc;

	(void)op, (void)len;
	memcpy(&k, req, sizeof(k));
	audit_key(rep, &k, NULL);
	rc = ipvs_svc_key_check(&k, err);
	if (rc == 0)
		rc = ipvs_svc_del(&k, err);
	return rc ? fail(rep, rc, err) : 0;
}

static int h_svc_flush(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	int rc;

	(void)op, (void)req, (void)len;
	rc = ipvs_svc_flush(err);
	return rc ? fail(rep, rc, err) : 0;
}

static void fill_stats(struct ipvs_wire_stats *w, const uint64_t *c, const struct svc_est *e)
{
	w->conns = c[0];
	w->inpkts = c[1];
	w->outpkts = c[2];
	w->inbytes = c[3];
	w->outbytes = c[4];
	w->cps = svc_est_rate(e, 0);
	w->inpps = svc_est_rate(e, 1);
	w->outpps = svc_est_rate(e, 2);
	w->inbps = svc_est_rate(e, 3);
	w->outbps = svc_est_rate(e, 4);
}

static int append_svc(struct ctl_reply *rep, const struct svc_agg *a)
{
	const struct msvc *m = a->m;
	struct ipvs_wire_svc_entry se;
	struct ipvs_wire_dest_entry de;
	uint32_t i;
	int rc;

	memset(&se, 0, sizeof(se));
	se.conf = m->conf;
	se.n_dests = m->n_dests;
	se.n_laddrs = m->n_laddrs;
	fill_stats(&se.stats, a->c, &m->est);
	rc = ctl_reply_append(rep, &se, sizeof(se));
	for (i = 0; rc == 0 && i < m->n_dests; i++) {
		memset(&de, 0, sizeof(de));
		de.conf = m->dests[i].conf;
		de.activeconns = a->dests[i].active;
		de.inactconns = a->dests[i].inactive;
		de.persistconns = a->dests[i].persist;
		fill_stats(&de.stats, a->dests[i].c, &m->dests[i].est);
		rc = ctl_reply_append(rep, &de, sizeof(de));
	}
	return rc;
}

/* The list reply for one service (only) or all. */
static int reply_list(struct ctl_reply *rep, struct msvc *only)
{
	struct ipvs_wire_list hdr;
	struct svc_agg *a = NULL;
	uint32_t i, n = 0;
	int rc = svc_collect(only, &a, &n);

	if (rc != 0) {
		ctl_reply_errmsg(rep, "cannot collect counters from the forwarding lcores: %s",
				 dpvs_strerror(rc));
		return rc;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.n_svcs = n;
	rc = ctl_reply_append(rep, &hdr, sizeof(hdr));
	for (i = 0; rc == 0 && i < n; i++)
		rc = append_svc(rep, &a[i]);
	svc_agg_free(a, n);
	return rc;
}

static int h_svc_list(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	(void)op, (void)req, (void)len;
	return reply_list(rep, NULL);
}

/* SVC_GET and DEST_LIST: one service. */
static int h_svc_get(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	struct ipvs_wire_svc_key k;
	struct msvc *m;
	int rc;

	(void)op, (void)len;
	memcpy(&k, req, sizeof(k));
	audit_key(rep, &k, NULL);
	rc = ipvs_svc_key_check(&k, err);
	if (rc != 0)
		return fail(rep, rc, err);
	m = svc_master_find(&k);
	if (m == NULL)
		return fail(rep, EDPVS_NOTEXIST, "No such service");
	return reply_list(rep, m);
}

static int h_dest(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	struct ipvs_wire_dest_req r;
	int rc;

	(void)len;
	memcpy(&r, req, sizeof(r));
	if (op == IPVS_OP_DEST_ADD)
		rc = ipvs_dest_add(&r.svc, &r.dest, err);
	else if (op == IPVS_OP_DEST_EDIT)
		rc = ipvs_dest_edit(&r.svc, &r.dest, err);
	else
		rc = ipvs_dest_del(&r.svc, &r.dest, err);
	return rc ? fail(rep, rc, err) : 0;
}

static int h_laddr(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	struct ipvs_wire_laddr_add_reply w;
	struct ipvs_wire_laddr_req r;
	int rc;

	(void)len;
	memcpy(&r, req, sizeof(r));
	if (!zeroed(r.pad, sizeof(r.pad)))
		return fail(rep, EDPVS_INVAL, "non-zero padding");
	if (op == IPVS_OP_LADDR_DEL) {
		rc = ipvs_laddr_del(&r, err);
		return rc ? fail(rep, rc, err) : 0;
	}
	rc = ipvs_laddr_add(&r, err);
	if (rc != 0)
		return fail(rep, rc, err);
	memset(&w, 0, sizeof(w));
	w.warnings = ipvs_laddr_warnings(&r);
	return ctl_reply_append(rep, &w, sizeof(w));
}

static int append_laddrs(struct ctl_reply *rep, const struct svc_agg *a)
{
	struct ipvs_wire_laddr_entry e;
	uint32_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < a->m->n_laddrs; i++) {
		memset(&e, 0, sizeof(e));
		e.svc = a->m->conf.key;
		e.af = a->m->laddrs[i].af;
		e.addr = a->m->laddrs[i].addr;
		memcpy(e.ifname, a->m->laddrs[i].ifname, sizeof(e.ifname));
		e.conns = a->laddr_conns[i];
		e.port_conflicts = a->laddr_conflicts[i];
		rc = ctl_reply_append(rep, &e, sizeof(e));
	}
	return rc;
}

static int h_laddr_list(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	struct ipvs_wire_laddr_list_req q;
	struct ipvs_wire_laddr_list hdr;
	struct svc_agg *a = NULL;
	struct msvc *m = NULL;
	uint32_t i, n = 0;
	int rc;

	(void)op, (void)len;
	memcpy(&q, req, sizeof(q));
	if ((q.flags & ~IPVS_WIRE_LADDR_F_ALL) || q.pad != 0)
		return fail(rep, EDPVS_INVAL, "bad flags or padding");
	if (!(q.flags & IPVS_WIRE_LADDR_F_ALL)) {
		rc = ipvs_svc_key_check(&q.svc, err);
		if (rc != 0)
			return fail(rep, rc, err);
		m = svc_master_find(&q.svc);
		if (m == NULL)
			return fail(rep, EDPVS_NOTEXIST, "No such service");
	}
	rc = svc_collect(m, &a, &n);
	if (rc != 0)
		return rc;
	memset(&hdr, 0, sizeof(hdr));
	for (i = 0; i < n; i++)
		hdr.n += a[i].m->n_laddrs;
	rc = ctl_reply_append(rep, &hdr, sizeof(hdr));
	for (i = 0; rc == 0 && i < n; i++)
		rc = append_laddrs(rep, &a[i]);
	svc_agg_free(a, n);
	return rc;
}

static int h_zero(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	char err[IPVS_SVC_ERRLEN] = "";
	struct ipvs_wire_zero_req q;
	int rc;

	(void)op, (void)len;
	memcpy(&q, req, sizeof(q));
	if ((q.flags & ~IPVS_WIRE_ZERO_F_ALL) || q.pad != 0)
		return fail(rep, EDPVS_INVAL, "bad flags or padding");
	if (q.flags & IPVS_WIRE_ZERO_F_ALL) {
		rc = ipvs_svc_zero(NULL, err);
	} else {
		rc = ipvs_svc_key_check(&q.svc, err);
		if (rc == 0)
			rc = ipvs_svc_zero(&q.svc, err);
	}
	return rc ? fail(rep, rc, err) : 0;
}

static int h_timeout_get(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct ipvs_wire_timeout t;

	(void)op, (void)req, (void)len;
	memset(&t, 0, sizeof(t));
	proto_timeout_get_ipvsadm(&t.tcp, &t.tcp_fin, &t.udp);
	return ctl_reply_append(rep, &t, sizeof(t));
}

static int h_timeout_set(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	struct ipvs_wire_timeout t;
	int rc;

	(void)op, (void)len;
	memcpy(&t, req, sizeof(t));
	if (t.pad != 0)
		return fail(rep, EDPVS_INVAL, "non-zero padding");
	rc = proto_timeout_set_ipvsadm(t.tcp, t.tcp_fin, t.udp);
	if (rc != 0)
		ctl_reply_errmsg(rep, "timeout out of range (1..%u seconds, 0 = unchanged)",
				 PROTO_TIMEOUT_MAX);
	return rc;
}

/* The worker's answer to SVC_MSG_CONNS: its status, then sizes. */
static int conns_reply_check(const struct msg_result *res, uint32_t max, struct svc_conns_rep *wh)
{
	if (res->status != 0)
		return res->status;
	if (res->len < sizeof(*wh))
		return EDPVS_PROTO;
	memcpy(wh, res->data, sizeof(*wh));
	if (wh->n > max ||
	    res->len != sizeof(*wh) + (size_t)wh->n * sizeof(struct ipvs_wire_conn_entry))
		return EDPVS_PROTO;
	return 0;
}

/* One chunk from one worker: its entries and where to go on. */
static int h_conn_list(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	unsigned int nw = job_role_count(JOB_ROLE_FWD_WORKER);
	struct ipvs_wire_conn_reply out;
	struct ipvs_wire_conn_req q;
	struct svc_conns_rep wh;
	struct svc_conns_req wq;
	struct msg_result res;
	int rc;

	(void)op, (void)len;
	memcpy(&q, req, sizeof(q));
	memset(&out, 0, sizeof(out));
	if (q.pos > UINT32_MAX)
		return fail(rep, EDPVS_INVAL, "bad cursor");
	if (q.worker >= nw) {
		out.done = 1;
		return ctl_reply_append(rep, &out, sizeof(out));
	}
	wq.cursor = (uint32_t)q.pos;
	wq.max = q.max == 0 || q.max > IPVS_WIRE_CONN_CHUNK ? IPVS_WIRE_CONN_CHUNK : q.max;
	rc = msg_send_sync(job_role_lcore(JOB_ROLE_FWD_WORKER, q.worker), SVC_MSG_CONNS, &wq,
			   sizeof(wq), SVC_MSG_TIMEOUT_US, &res);
	if (rc == 0)
		rc = conns_reply_check(&res, wq.max, &wh);
	if (rc != 0) {
		msg_result_free(&res, 1);
		ctl_reply_errmsg(rep, "forwarding lcore did not list its connections: %s",
				 dpvs_strerror(rc));
		return rc;
	}
	out.n = wh.n;
	out.next_worker = wh.cursor == CONN_WALK_END ? q.worker + 1 : q.worker;
	out.next_pos = wh.cursor == CONN_WALK_END ? 0 : wh.cursor;
	out.done = out.next_worker >= nw;
	rc = ctl_reply_append(rep, &out, sizeof(out));
	if (rc == 0 && wh.n > 0)
		rc = ctl_reply_append(rep, (const uint8_t *)res.data + sizeof(wh),
				      res.len - sizeof(wh));
	msg_result_free(&res, 1);
	return rc;
}

/* Changes need uid 0 (flags 0); reads are CTL_OP_F_GET. */
#define FIXED(o, name, type, fn) { o, name, sizeof(type), sizeof(type), fn, 0 }
#define EMPTY(o, name, fn) { o, name, 0, 0, fn, 0 }
#define FIXED_GET(o, name, type, fn) { o, name, sizeof(type), sizeof(type), fn, CTL_OP_F_GET }
#define EMPTY_GET(o, name, fn) { o, name, 0, 0, fn, CTL_OP_F_GET }

static const struct ctl_op svc_ctl_ops[] = {
	EMPTY_GET(IPVS_OP_INFO, "ipvs info", h_info),
	FIXED(IPVS_OP_SVC_ADD, "ipvs service add", struct ipvs_wire_svc_conf, h_svc_conf),
	FIXED(IPVS_OP_SVC_EDIT, "ipvs service edit", struct ipvs_wire_svc_conf, h_svc_conf),
	FIXED(IPVS_OP_SVC_DEL, "ipvs service del", struct ipvs_wire_svc_key, h_svc_del),
	EMPTY(IPVS_OP_SVC_FLUSH, "ipvs service flush", h_svc_flush),
	EMPTY_GET(IPVS_OP_SVC_LIST, "ipvs service list", h_svc_list),
	FIXED_GET(IPVS_OP_SVC_GET, "ipvs service get", struct ipvs_wire_svc_key, h_svc_get),
	FIXED(IPVS_OP_DEST_ADD, "ipvs dest add", struct ipvs_wire_dest_req, h_dest),
	FIXED(IPVS_OP_DEST_EDIT, "ipvs dest edit", struct ipvs_wire_dest_req, h_dest),
	FIXED(IPVS_OP_DEST_DEL, "ipvs dest del", struct ipvs_wire_dest_req, h_dest),
	FIXED_GET(IPVS_OP_DEST_LIST, "ipvs dest list", struct ipvs_wire_svc_key, h_svc_get),
	FIXED(IPVS_OP_LADDR_ADD, "ipvs laddr add", struct ipvs_wire_laddr_req, h_laddr),
	FIXED(IPVS_OP_LADDR_DEL, "ipvs laddr del", struct ipvs_wire_laddr_req, h_laddr),
	FIXED_GET(IPVS_OP_LADDR_LIST, "ipvs laddr list", struct ipvs_wire_laddr_list_req,
	      h_laddr_list),
	FIXED(IPVS_OP_ZERO, "ipvs zero", struct ipvs_wire_zero_req, h_zero),
	EMPTY_GET(IPVS_OP_TIMEOUT_GET, "ipvs timeout get", h_timeout_get),
	FIXED(IPVS_OP_TIMEOUT_SET, "ipvs timeout set", struct ipvs_wire_timeout, h_timeout_set),
	FIXED_GET(IPVS_OP_CONN_LIST, "ipvs conn list", struct ipvs_wire_conn_req, h_conn_list),
};

_Static_assert(DPVS_ARRAY_SIZE(svc_ctl_ops) == IPVS_OP_END - IPVS_OP_INFO,
	       "one handler per IPVS opcode");

int svc_ctl_register(void)
{
	return ctl_register(svc_ctl_ops, DPVS_ARRAY_SIZE(svc_ctl_ops));
}

void svc_ctl_unregister(void)
{
	ctl_unregister(svc_ctl_ops, DPVS_ARRAY_SIZE(svc_ctl_ops));
}
