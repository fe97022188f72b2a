/*
 * metrics_collect.c - one scrape of /metrics: every family is built from
 * the reply of a read-only control request, run in process by ctl_call_local(),
 * so the endpoint shows exactly what `ipvsadm -Ln --stats`, `dpip link
 * show -s`, `dpip stats`, `dpip lcore show`, `dpip ipvs stats` and `dpip
 * cfg show` show (one collector each, no second copy of their walks).
 * The one exception is the per-worker connection table use, which no
 * request reports: it is read with conn_table_stats(), plain loads as in
 * IPVS_OP_INFO.
 *
 * The IPVS families carry node_exporter's ipvs collector names, help texts
 * and backend labels (local_address, local_port, remote_address,
 * remote_port, proto, local_mark) so that its dashboards work unchanged;
 * dpvsd's own are dpvsd_*, counters ending in _total.  Master only.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "cfg_wire.h"
#include "core_wire.h"
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "inet_wire.h"
#include "job.h"
#include "metrics.h"
#include "netif_wire.h"
#include "ipvs/conn.h"
#include "ipvs/ipvs_stats_wire.h"
#include "ipvs/ipvs_wire.h"

DPVS_LOG_DECLARE(metrics);

#define U64_AT(base, off) (*(const uint64_t *)(const void *)((const char *)(base) + (off)))

struct reply {
	void *data;
	size_t len;
};

/* Run a read-only request; false (reply empty) if it failed.  A request
 * type that is not registered (module absent) is skipped silently. */
static bool fetch(uint16_t op, const void *req, uint32_t len, struct reply *r)
{
	int rc = ctl_call_local(op, req, len, &r->data, &r->len);

	if (rc == 0)
		return true;
	if (rc != EDPVS_NOTSUPP) {
		DPVS_LOG_RL(metrics, WARNING, "request 0x%04x failed: %s", op, dpvs_strerror(rc));
		metrics_count_collect_error();
	}
	return false;
}

static void u2s(char *buf, size_t n, uint64_t v)
{
	snprintf(buf, n, "%" PRIu64, v);
}

/* A NUL-terminated copy of a fixed-size wire string. */
static void wstr(char *dst, size_t n, const char *src, size_t srclen)
{
	size_t i;

	for (i = 0; i + 1 < n && i < srclen && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* ---- build info ---- */

static void collect_build(struct metrics_text *t)
{
	const struct metrics_label l[] = { { "version", DPVSD_VERSION } };

	metrics_family(t, "dpvsd_build_info", METRICS_GAUGE,
		       "A metric with a constant '1' value labeled by the version of dpvsd.");
	metrics_sample_u64(t, "dpvsd_build_info", l, 1, 1);
}

/* ---- IPVS services and real servers (IPVS_OP_SVC_LIST) ---- */

/* Offsets of the records in the reply (base), checked to fit. */
struct ipvs_view {
	const char *base;
	size_t *svc;
	unsigned int n_svc;
	size_t *dest;			/* all dests, service order */
	unsigned int *dest_svc;		/* index of a dest's service */
	unsigned int n_dest;
};

static const struct ipvs_wire_svc_entry *view_svc(const struct ipvs_view *v, unsigned int i)
{
	return (const void *)(v->base + v->svc[i]);
}

static const struct ipvs_wire_dest_entry *view_dest(const struct ipvs_view *v, unsigned int i)
{
	return (const void *)(v->base + v->dest[i]);
}

static void ipvs_view_free(struct ipvs_view *v)
{
	free(v->svc);
	free(v->dest);
	free(v->dest_svc);
}

/* Index the list reply, checking every record fits in it. */
static int ipvs_view_build(const struct reply *r, struct ipvs_view *v)
{
	const char *p = r->data, *end = p + r->len;
	struct ipvs_wire_list h;
	size_t max_recs = r->len / sizeof(struct ipvs_wire_dest_entry) + 1;
	unsigned int i, j;

	memset(v, 0, sizeof(*v));
	v->base = r->data;
	if (r->len < sizeof(h))
		return EDPVS_PROTO;
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	v->svc = calloc(max_recs, sizeof(*v->svc));
	v->dest = calloc(max_recs, sizeof(*v->dest));
	v->dest_svc = calloc(max_recs, sizeof(*v->dest_svc));
	if (!v->svc || !v->dest || !v->dest_svc)
		return EDPVS_NOMEM;
	for (i = 0; i < h.n_svcs; i++) {
		const struct ipvs_wire_svc_entry *s = (const void *)p;

		if ((size_t)(end - p) < sizeof(*s))
			return EDPVS_PROTO;
		p += sizeof(*s);
		v->svc[v->n_svc++] = (size_t)(p - v->base) - sizeof(*s);
		for (j = 0; j < s->n_dests; j++) {
			if ((size_t)(end - p) < sizeof(struct ipvs_wire_dest_entry))
				return EDPVS_PROTO;
			v->dest_svc[v->n_dest] = i;
			v->dest[v->n_dest++] = (size_t)(p - v->base);
			p += sizeof(struct ipvs_wire_dest_entry);
		}
	}
	return 0;
}

static void addr_str(char *buf, size_t n, uint8_t af, const union ipvs_wire_addr *a)
{
	if (!inet_ntop(af == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)n))
		snprintf(buf, n, "?");
}

static const char *proto_name(uint8_t proto, uint32_t fwmark)
{
	if (fwmark)
		return "FWM";
	return proto == IPPROTO_UDP ? "UDP" : proto == IPPROTO_TCP ? "TCP" : "IP";
}

struct ipvs_total {
	const char *name, *help;
	size_t off;
};

static const struct ipvs_total ipvs_totals[] = {
	{ "node_ipvs_connections_total", "The total number of connections made.",
	  offsetof(struct ipvs_wire_stats, conns) },
	{ "node_ipvs_incoming_packets_total", "The total number of incoming packets.",
	  offsetof(struct ipvs_wire_stats, inpkts) },
	{ "node_ipvs_outgoing_packets_total", "The total number of outgoing packets.",
	  offsetof(struct ipvs_wire_stats, outpkts) },
	{ "node_ipvs_incoming_bytes_total", "The total amount of incoming data.",
	  offsetof(struct ipvs_wire_stats, inbytes) },
	{ "node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.",
	  offsetof(struct ipvs_wire_stats, outbytes) },
};

enum backend_val { BACKEND_ACTIVE, BACKEND_INACTIVE, BACKEND_WEIGHT };

static const struct {
	const char *name, *help;
	enum backend_val what;
} ipvs_backend[] = {
	{ "node_ipvs_backend_connections_active",
	  "The current active connections by local and remote address.", BACKEND_ACTIVE },
	{ "node_ipvs_backend_connections_inactive",
	  "The current inactive connections by local and remote address.", BACKEND_INACTIVE },
	{ "node_ipvs_backend_weight", "The current backend weight by local and remote address.",
	  BACKEND_WEIGHT },
};

static void backend_sample(struct metrics_text *t, const char *name, enum backend_val what,
			   const struct ipvs_wire_svc_entry *s,
			   const struct ipvs_wire_dest_entry *d)
{
	const struct ipvs_wire_svc_key *k = &s->conf.key;
	char la[INET6_ADDRSTRLEN] = "", lp[8], ra[INET6_ADDRSTRLEN], rp[8], mark[12] = "";
	const struct metrics_label l[] = {
		{ "local_address", la }, { "local_port", lp }, { "remote_address", ra },
		{ "remote_port", rp }, { "proto", proto_name(k->proto, k->fwmark) },
		{ "local_mark", mark },
	};
	uint64_t v = what == BACKEND_ACTIVE ? d->activeconns :
		     what == BACKEND_INACTIVE ? d->inactconns : d->conf.weight;

	if (k->fwmark)
		snprintf(mark, sizeof(mark), "%08X", k->fwmark);	/* as /proc/net/ip_vs */
	else
		addr_str(la, sizeof(la), k->af, &k->addr);
	u2s(lp, sizeof(lp), k->fwmark ? 0 : k->port);
	addr_str(ra, sizeof(ra), d->conf.af, &d->conf.addr);
	u2s(rp, sizeof(rp), d->conf.port);
	metrics_sample_u64(t, name, l, DPVS_ARRAY_SIZE(l), v);
}

static void collect_ipvs(struct metrics_text *t)
{
	struct reply r = { NULL, 0 };
	struct ipvs_view v;
	unsigned int i, j;

	if (!fetch(IPVS_OP_SVC_LIST, NULL, 0, &r))
		return;
	if (ipvs_view_build(&r, &v) != 0) {
		metrics_count_collect_error();
		goto out;
	}
	for (i = 0; i < DPVS_ARRAY_SIZE(ipvs_totals); i++) {
		uint64_t sum = 0;

		for (j = 0; j < v.n_svc; j++)
			sum += U64_AT(&view_svc(&v, j)->stats, ipvs_totals[i].off);
		metrics_family(t, ipvs_totals[i].name, METRICS_COUNTER, ipvs_totals[i].help);
		metrics_sample_u64(t, ipvs_totals[i].name, NULL, 0, sum);
	}
	for (i = 0; i < DPVS_ARRAY_SIZE(ipvs_backend); i++) {
		metrics_family(t, ipvs_backend[i].name, METRICS_GAUGE, ipvs_backend[i].help);
		for (j = 0; j < v.n_dest; j++)
			backend_sample(t, ipvs_backend[i].name, ipvs_backend[i].what,
				       view_svc(&v, v.dest_svc[j]), view_dest(&v, j));
	}
out:
	ipvs_view_free(&v);
	free(r.data);
}

/* ---- lcores and jobs (CORE_OP_LCORE_LIST) ---- */

struct lcore_view {
	const struct core_lcore_list_hdr *h;
	const struct core_lcore_info *lc[RTE_MAX_LCORE];
	unsigned int n;
};

static int lcore_view_build(const struct reply *r, struct lcore_view *v)
{
	const char *p = r->data, *end = p + r->len;
	unsigned int i;

	memset(v, 0, sizeof(*v));
	if (r->len < sizeof(*v->h))
		return EDPVS_PROTO;
	v->h = (const void *)p;
	p += sizeof(*v->h);
	for (i = 0; i < v->h->n_lcores && i < RTE_MAX_LCORE; i++) {
		const struct core_lcore_info *l = (const void *)p;

		if ((size_t)(end - p) < sizeof(*l) ||
		    (size_t)(end - p - sizeof(*l)) / sizeof(struct core_job_info) < l->n_jobs)
			return EDPVS_PROTO;
		v->lc[v->n++] = l;
		p += sizeof(*l) + (size_t)l->n_jobs * sizeof(struct core_job_info);
	}
	return 0;
}

struct field {
	const char *name, *help;
	size_t off;
	enum metrics_type type;
};

static const struct field lcore_fields[] = {
	{ "dpvsd_lcore_loops_total", "Iterations of the lcore's job loop.",
	  offsetof(struct core_lcore_info, loops), METRICS_COUNTER },
	{ "dpvsd_lcore_idle_loops_total", "Loop iterations in which no job did any work.",
	  offsetof(struct core_lcore_info, idle_loops), METRICS_COUNTER },
	{ "dpvsd_lcore_sleeps_total", "Sleeps taken by the lcore's idle policy.",
	  offsetof(struct core_lcore_info, sleeps), METRICS_COUNTER },
};

static const struct field job_fields[] = {
	{ "dpvsd_job_calls_total", "Runs of a job on an lcore.",
	  offsetof(struct core_job_info, calls), METRICS_COUNTER },
	{ "dpvsd_job_work_total", "Work items (packets, messages, events) a job reported.",
	  offsetof(struct core_job_info, work), METRICS_COUNTER },
	{ "dpvsd_job_cycles_total", "TSC cycles spent in a job (see dpvsd_tsc_hz).",
	  offsetof(struct core_job_info, cycles), METRICS_COUNTER },
};

static void lcore_jobs(struct metrics_text *t, const struct field *f,
		       const struct core_lcore_info *l)
{
	const struct core_job_info *j = (const void *)(l + 1);
	char id[12], role[sizeof(l->role_name) + 1], name[CORE_NAME_LEN + 1];
	const struct metrics_label lab[] = { { "lcore", id }, { "role", role }, { "job", name } };
	unsigned int i;

	u2s(id, sizeof(id), l->lcore_id);
	wstr(role, sizeof(role), l->role_name, sizeof(l->role_name));
	for (i = 0; i < l->n_jobs; i++) {
		wstr(name, sizeof(name), j[i].name, sizeof(j[i].name));
		metrics_sample_u64(t, f->name, lab, 3, U64_AT(&j[i], f->off));
	}
}

static void lcore_busy(struct metrics_text *t, const struct lcore_view *v)
{
	unsigned int i;

	metrics_family(t, "dpvsd_lcore_busy_ratio", METRICS_GAUGE,
		       "Share of loop iterations since start in which some job did work.");
	for (i = 0; i < v->n; i++) {
		const struct core_lcore_info *l = v->lc[i];
		char id[12], role[sizeof(l->role_name) + 1];
		const struct metrics_label lab[] = { { "lcore", id }, { "role", role } };

		u2s(id, sizeof(id), l->lcore_id);
		wstr(role, sizeof(role), l->role_name, sizeof(l->role_name));
		metrics_sample_f64(t, "dpvsd_lcore_busy_ratio", lab, 2,
				   l->loops ? 1.0 - (double)l->idle_loops / (double)l->loops : 0.0);
	}
}

static void collect_lcores(struct metrics_text *t)
{
	struct reply r = { NULL, 0 };
	struct lcore_view *v = malloc(sizeof(*v));
	unsigned int i, k;

	if (!v || !fetch(CORE_OP_LCORE_LIST, NULL, 0, &r))
		goto out;
	if (lcore_view_build(&r, v) != 0) {
		metrics_count_collect_error();
		goto out;
	}
	metrics_family(t, "dpvsd_tsc_hz", METRICS_GAUGE, "TSC frequency, to turn cycles into time.");
	metrics_sample_u64(t, "dpvsd_tsc_hz", NULL, 0, v->h->tsc_hz);
	for (k = 0; k < DPVS_ARRAY_SIZE(lcore_fields); k++) {
		metrics_family(t, lcore_fields[k].name, lcore_fields[k].type, lcore_fields[k].help);
		for (i = 0; i < v->n; i++) {
			char id[12], role[sizeof(v->lc[i]->role_name) + 1];
			const struct metrics_label lab[] = { { "lcore", id }, { "role", role } };

			u2s(id, sizeof(id), v->lc[i]->lcore_id);
			wstr(role, sizeof(role), v->lc[i]->role_name, sizeof(v->lc[i]->role_name));
			metrics_sample_u64(t, lcore_fields[k].name, lab, 2,
					   U64_AT(v->lc[i], lcore_fields[k].off));
		}
	}
	lcore_busy(t, v);
	for (k = 0; k < DPVS_ARRAY_SIZE(job_fields); k++) {
		metrics_family(t, job_fields[k].name, job_fields[k].type, job_fields[k].help);
		for (i = 0; i < v->n; i++)
			lcore_jobs(t, &job_fields[k], v->lc[i]);
	}
out:
	free(v);
	free(r.data);
}

/* ---- ports (NETIF_OP_LINK_SHOW) ---- */

#define LINK_F(f) offsetof(struct netif_wire_link, f)
#define SW_F(f)   (LINK_F(sw) + offsetof(struct netif_wire_counters, f))

static const struct field port_fields[] = {
	{ "dpvsd_port_receive_packets_total", "Packets received by the device.",
	  LINK_F(ipackets), METRICS_COUNTER },
	{ "dpvsd_port_transmit_packets_total", "Packets sent by the device.",
	  LINK_F(opackets), METRICS_COUNTER },
	{ "dpvsd_port_receive_bytes_total", "Bytes received by the device.", LINK_F(ibytes),
	  METRICS_COUNTER },
	{ "dpvsd_port_transmit_bytes_total", "Bytes sent by the device.", LINK_F(obytes),
	  METRICS_COUNTER },
	{ "dpvsd_port_receive_missed_total",
	  "Packets the device dropped because no rx descriptor was free.", LINK_F(imissed),
	  METRICS_COUNTER },
	{ "dpvsd_port_receive_errors_total", "Erroneous packets received by the device.",
	  LINK_F(ierrors), METRICS_COUNTER },
	{ "dpvsd_port_transmit_errors_total", "Packets the device failed to send.",
	  LINK_F(oerrors), METRICS_COUNTER },
	{ "dpvsd_port_receive_nombuf_total", "Receive failures for want of an mbuf.",
	  LINK_F(rx_nombuf), METRICS_COUNTER },
};

static const struct {
	const char *reason;
	size_t off;
} port_drops[] = {
	{ "rx_dropped", SW_F(rx_dropped) }, { "rx_otherhost", SW_F(rx_otherhost) },
	{ "rx_runt", SW_F(rx_runt) }, { "rx_unhandled", SW_F(rx_unhandled) },
	{ "tx_dropped", SW_F(tx_dropped) }, { "tx_down", SW_F(tx_down) },
	{ "kni_dropped", SW_F(kni_dropped) },
};

static void collect_ports(struct metrics_text *t)
{
	struct reply r = { NULL, 0 };
	const struct netif_wire_link *w;
	struct netif_wire_link_hdr h;
	unsigned int i, k, n;
	char name[NETIF_WIRE_NAME + 1];

	if (!fetch(NETIF_OP_LINK_SHOW, NULL, 0, &r))
		return;
	memcpy(&h, r.data, r.len < sizeof(h) ? 0 : sizeof(h));
	n = r.len < sizeof(h) ? 0 : h.n_links;
	if (r.len < sizeof(h) || (r.len - sizeof(h)) / sizeof(*w) < n) {
		metrics_count_collect_error();
		goto out;
	}
	w = (const void *)((const char *)r.data + sizeof(h));
	for (k = 0; k < DPVS_ARRAY_SIZE(port_fields); k++) {
		metrics_family(t, port_fields[k].name, port_fields[k].type, port_fields[k].help);
		for (i = 0; i < n; i++) {
			const struct metrics_label lab[] = { { "port", name } };

			wstr(name, sizeof(name), w[i].name, sizeof(w[i].name));
			metrics_sample_u64(t, port_fields[k].name, lab, 1,
					   U64_AT(&w[i], port_fields[k].off));
		}
	}
	metrics_family(t, "dpvsd_port_drops_total", METRICS_COUNTER,
		       "Packets dpvsd's own rx/tx path dropped on a port, by reason.");
	for (i = 0; i < n; i++) {
		for (k = 0; k < DPVS_ARRAY_SIZE(port_drops); k++) {
			const struct metrics_label lab[] = { { "port", name },
							     { "reason", port_drops[k].reason } };

			wstr(name, sizeof(name), w[i].name, sizeof(w[i].name));
			metrics_sample_u64(t, "dpvsd_port_drops_total", lab, 2,
					   U64_AT(&w[i], port_drops[k].off));
		}
	}
	metrics_family(t, "dpvsd_port_up", METRICS_GAUGE, "1 if the port is administratively up.");
	for (i = 0; i < n; i++) {
		const struct metrics_label lab[] = { { "port", name } };

		wstr(name, sizeof(name), w[i].name, sizeof(w[i].name));
		metrics_sample_u64(t, "dpvsd_port_up", lab, 1, !!(w[i].flags & NETIF_LINK_F_UP));
	}
out:
	free(r.data);
}

/* ---- mbuf pool and redirect rings (NETIF_OP_STATS) ---- */

static void collect_netif_stats(struct metrics_text *t)
{
	struct reply r = { NULL, 0 };
	struct netif_wire_stats_hdr h;
	const char *p;
	size_t per_lcore;
	unsigned int i;

	if (!fetch(NETIF_OP_STATS, NULL, 0, &r))
		return;
	if (r.len < sizeof(h)) {
		metrics_count_collect_error();
		goto out;
	}
	memcpy(&h, r.data, sizeof(h));
	per_lcore = sizeof(struct netif_wire_lcore) +
		    (size_t)h.n_ports * sizeof(struct netif_wire_counters);
	if (h.n_lcores > RTE_MAX_LCORE || (r.len - sizeof(h)) / per_lcore < h.n_lcores) {
		metrics_count_collect_error();
		goto out;
	}
	metrics_family(t, "dpvsd_mbuf_pool_size", METRICS_GAUGE, "Mbufs in the packet pool.");
	metrics_sample_u64(t, "dpvsd_mbuf_pool_size", NULL, 0, h.pool_size);
	metrics_family(t, "dpvsd_mbuf_pool_in_use", METRICS_GAUGE,
		       "Mbufs of the packet pool in use (not free nor in a per-lcore cache).");
	metrics_sample_u64(t, "dpvsd_mbuf_pool_in_use", NULL, 0, h.pool_in_use);
	metrics_family(t, "dpvsd_redirect_packets_total", METRICS_COUNTER,
		       "Packets passed between lcores over the redirect rings, by direction.");
	p = (const char *)r.data + sizeof(h);
	for (i = 0; i < h.n_lcores; i++, p += per_lcore) {
		const struct netif_wire_lcore *l = (const void *)p;
		char id[12];
		const struct metrics_label in[] = { { "lcore", id }, { "direction", "in" } };
		const struct metrics_label out[] = { { "lcore", id }, { "direction", "out" } };

		u2s(id, sizeof(id), l->lcore_id);
		metrics_sample_u64(t, "dpvsd_redirect_packets_total", in, 2, l->redirect_in);
		metrics_sample_u64(t, "dpvsd_redirect_packets_total", out, 2, l->redirect_out);
	}
	metrics_family(t, "dpvsd_redirect_drops_total", METRICS_COUNTER,
		       "Packets dropped because the owner lcore's redirect ring was full.");
	p = (const char *)r.data + sizeof(h);
	for (i = 0; i < h.n_lcores; i++, p += per_lcore) {
		const struct netif_wire_lcore *l = (const void *)p;
		char id[12];
		const struct metrics_label lab[] = { { "lcore", id } };

		u2s(id, sizeof(id), l->lcore_id);
		metrics_sample_u64(t, "dpvsd_redirect_drops_total", lab, 1, l->redirect_dropped);
	}
out:
	free(r.data);
}

/* ---- named counter arrays (INET_OP_STATS_GET, IPVS_STATS_OP_GET) ---- */

/* A family over the records of a named-counter reply whose group is
 * group and whose name starts with prefix (or, with exclude, does not);
 * label is the counter's name with prefix removed. */
struct named_family {
	const char *name, *help, *group, *prefix, *label;
	bool exclude, per_lcore;
};

static const struct named_family inet_families[] = {
	{ "dpvsd_ipv4_packets_total", "IPv4 packets by path (all lcores).", "ipv4", "drop_",
	  "counter", true, false },
	{ "dpvsd_ipv4_drops_total", "IPv4 packets dropped, by reason (all lcores).", "ipv4",
	  "drop_", "reason", false, false },
	{ "dpvsd_icmp_events_total", "ICMP counters (all lcores).", "icmp", "", "counter", false,
	  false },
	{ "dpvsd_arp_events_total", "ARP and neighbour counters (all lcores).", "arp", "",
	  "counter", false, false },
};

static const struct named_family ipvs_families[] = {
	{ "dpvsd_ipvs_events_total", "IPVS hook counters of a forwarding lcore.", "ipvs", "",
	  "counter", false, true },
	{ "dpvsd_xmit_events_total", "IPVS forwarding-mode counters of a forwarding lcore.",
	  "xmit", "", "counter", false, true },
};

/* Both wire records: group[8], then the name, then the value; the ipvs one
 * with an lcore first. */
struct named_rec {
	uint32_t lcore;
	const char *group, *name;
	size_t group_len, name_len;
	uint64_t value;
};

static void named_emit(struct metrics_text *t, const struct named_family *f,
		       const struct named_rec *recs, unsigned int n)
{
	size_t plen = strlen(f->prefix);
	unsigned int i;

	metrics_family(t, f->name, METRICS_COUNTER, f->help);
	for (i = 0; i < n; i++) {
		char group[16], name[40], id[12];
		const struct metrics_label lab[] = { { f->label, name }, { "lcore", id } };
		bool has;

		wstr(group, sizeof(group), recs[i].group, recs[i].group_len);
		wstr(name, sizeof(name), recs[i].name, recs[i].name_len);
		has = strncmp(name, f->prefix, plen) == 0;
		if (strcmp(group, f->group) != 0 || has == f->exclude)
			continue;
		if (!f->exclude)
			memmove(name, name + plen, strlen(name + plen) + 1);
		u2s(id, sizeof(id), recs[i].lcore);
		metrics_sample_u64(t, f->name, lab, f->per_lcore ? 2 : 1, recs[i].value);
	}
}

/* One wire record (of rec_size bytes) to its named_rec. */
typedef struct named_rec (*named_rec_of_fn)(const void *wire);

static struct named_rec inet_rec_of(const void *wire)
{
	const struct inet_stat_wire *w = wire;

	return (struct named_rec){ 0, w->group, w->name, sizeof(w->group), sizeof(w->name),
				   w->value };
}

static struct named_rec ipvs_rec_of(const void *wire)
{
	const struct ipvs_stat_wire *w = wire;

	return (struct named_rec){ w->lcore, w->group, w->name, sizeof(w->group),
				   sizeof(w->name), w->value };
}

/* Fetch a list of named counters with request op and emit its families. */
static void collect_named(struct metrics_text *t, uint16_t op, size_t rec_size,
			  named_rec_of_fn rec_of, const struct named_family *fams,
			  unsigned int n_fams)
{
	struct reply r = { NULL, 0 };
	struct named_rec *recs;
	unsigned int i, n;

	if (!fetch(op, NULL, 0, &r))
		return;
	n = (unsigned int)(r.len / rec_size);
	recs = calloc(n + 1, sizeof(*recs));
	if (recs) {
		for (i = 0; i < n; i++)
			recs[i] = rec_of((const char *)r.data + (size_t)i * rec_size);
		for (i = 0; i < n_fams; i++)
			named_emit(t, &fams[i], recs, n);
	}
	free(recs);
	free(r.data);
}

static void collect_inet(struct metrics_text *t)
{
	collect_named(t, INET_OP_STATS_GET, sizeof(struct inet_stat_wire), inet_rec_of,
		      inet_families, DPVS_ARRAY_SIZE(inet_families));
}

static void collect_ipvs_stats(struct metrics_text *t)
{
	collect_named(t, IPVS_STATS_OP_GET, sizeof(struct ipvs_stat_wire), ipvs_rec_of,
		      ipvs_families, DPVS_ARRAY_SIZE(ipvs_families));
}

/* ---- connection tables (conn_table_stats: no request reports them) ---- */

static const struct field conn_fields[] = {
	{ "dpvsd_conn_table_entries", "Connections (templates included) in a worker's table.",
	  offsetof(struct conn_stats, count), METRICS_GAUGE },
	{ "dpvsd_conn_table_capacity", "Size of a worker's connection pool.",
	  offsetof(struct conn_stats, max_conns), METRICS_GAUGE },
	{ "dpvsd_conn_created_total", "Connections created by a worker (templates excluded).",
	  offsetof(struct conn_stats, created), METRICS_COUNTER },
	{ "dpvsd_conn_table_full_total", "Connections refused because the pool was full.",
	  offsetof(struct conn_stats, full), METRICS_COUNTER },
};

static uint64_t conn_field(const struct conn_stats *st, size_t off)
{
	if (off == offsetof(struct conn_stats, count))
		return st->count;
	if (off == offsetof(struct conn_stats, max_conns))
		return st->max_conns;
	return U64_AT(st, off);
}

static void collect_conn_tables(struct metrics_text *t)
{
	unsigned int n = job_role_count(JOB_ROLE_FWD_WORKER), i, k;

	if (n == 0 || conn_table_get(job_role_lcore(JOB_ROLE_FWD_WORKER, 0)) == NULL)
		return;
	for (k = 0; k < DPVS_ARRAY_SIZE(conn_fields); k++) {
		metrics_family(t, conn_fields[k].name, conn_fields[k].type, conn_fields[k].help);
		for (i = 0; i < n; i++) {
			unsigned int lc = job_role_lcore(JOB_ROLE_FWD_WORKER, i);
			const struct conn_table *ct = conn_table_get(lc);
			struct conn_stats st;
			char id[12];
			const struct metrics_label lab[] = { { "lcore", id } };

			if (!ct)
				continue;
			conn_table_stats(ct, &st);
			u2s(id, sizeof(id), lc);
			metrics_sample_u64(t, conn_fields[k].name, lab, 1,
					   conn_field(&st, conn_fields[k].off));
		}
	}
}

/* ---- FNAT local addresses (IPVS_OP_LADDR_LIST, every service) ---- */

static void laddr_sample(struct metrics_text *t, const char *name,
			 const struct ipvs_wire_laddr_entry *e, uint64_t v)
{
	char va[INET6_ADDRSTRLEN] = "", vp[8], la[INET6_ADDRSTRLEN];
	const struct metrics_label lab[] = {
		{ "local_address", va }, { "local_port", vp },
		{ "proto", proto_name(e->svc.proto, e->svc.fwmark) }, { "laddr", la },
	};

	if (!e->svc.fwmark)
		addr_str(va, sizeof(va), e->svc.af, &e->svc.addr);
	u2s(vp, sizeof(vp), e->svc.port);
	addr_str(la, sizeof(la), e->af, &e->addr);
	metrics_sample_u64(t, name, lab, DPVS_ARRAY_SIZE(lab), v);
}

static void collect_laddrs(struct metrics_text *t)
{
	const struct ipvs_wire_laddr_list_req req = { .flags = IPVS_WIRE_LADDR_F_ALL };
	struct reply r = { NULL, 0 };
	const struct ipvs_wire_laddr_entry *e;
	struct ipvs_wire_laddr_list h;
	unsigned int i;

	if (!fetch(IPVS_OP_LADDR_LIST, &req, sizeof(req), &r))
		return;
	if (r.len < sizeof(h)) {
		metrics_count_collect_error();
		goto out;
	}
	memcpy(&h, r.data, sizeof(h));
	if ((r.len - sizeof(h)) / sizeof(*e) < h.n) {
		metrics_count_collect_error();
		goto out;
	}
	e = (const void *)((const char *)r.data + sizeof(h));
	metrics_family(t, "dpvsd_fnat_laddr_connections", METRICS_GAUGE,
		       "Connections (local ports) using a FNAT local address of a service.");
	for (i = 0; i < h.n; i++)
		laddr_sample(t, "dpvsd_fnat_laddr_connections", &e[i], e[i].conns);
	metrics_family(t, "dpvsd_fnat_laddr_port_conflicts_total", METRICS_COUNTER,
		       "Local port allocations on a FNAT local address that failed.");
	for (i = 0; i < h.n; i++)
		laddr_sample(t, "dpvsd_fnat_laddr_port_conflicts_total", &e[i],
			     e[i].port_conflicts);
out:
	free(r.data);
}

/* ---- configuration reloads (CFG_OP_SHOW) ---- */

static void collect_cfg(struct metrics_text *t)
{
	struct reply r = { NULL, 0 };
	const struct metrics_label ok[] = { { "result", "success" } };
	const struct metrics_label bad[] = { { "result", "failure" } };
	struct cfg_wire_show s;

	if (!fetch(CFG_OP_SHOW, NULL, 0, &r))
		return;
	if (r.len < sizeof(s)) {
		metrics_count_collect_error();
		free(r.data);
		return;
	}
	memcpy(&s, r.data, sizeof(s));
	free(r.data);
	metrics_family(t, "dpvsd_config_reloads_total", METRICS_COUNTER,
		       "Configuration reloads since start, by result.");
	metrics_sample_u64(t, "dpvsd_config_reloads_total", ok, 1, s.reloads_ok);
	metrics_sample_u64(t, "dpvsd_config_reloads_total", bad, 1, s.reloads_failed);
	metrics_family(t, "dpvsd_config_last_reload_timestamp_seconds", METRICS_GAUGE,
		       "Unix time of the last configuration reload (0: never).");
	metrics_sample_u64(t, "dpvsd_config_last_reload_timestamp_seconds", NULL, 0,
			   s.last_reload_unix);
}

/* ---- the endpoint's own counters ---- */

static void collect_self(struct metrics_text *t)
{
	struct metrics_stats st;
	const struct metrics_label c200[] = { { "code", "200" } };
	const struct metrics_label c404[] = { { "code", "404" } };
	const struct metrics_label c405[] = { { "code", "405" } };
	const struct metrics_label c500[] = { { "code", "500" } };

	metrics_stats_get(&st);
	metrics_family(t, "dpvsd_metrics_http_requests_total", METRICS_COUNTER,
		       "HTTP requests answered by the metrics endpoint, by status code "
		       "(this scrape not yet counted).");
	metrics_sample_u64(t, "dpvsd_metrics_http_requests_total", c200, 1, st.scrapes);
	metrics_sample_u64(t, "dpvsd_metrics_http_requests_total", c404, 1, st.not_found);
	metrics_sample_u64(t, "dpvsd_metrics_http_requests_total", c405, 1, st.bad_method);
	metrics_sample_u64(t, "dpvsd_metrics_http_requests_total", c500, 1, st.errors);
	metrics_family(t, "dpvsd_metrics_collect_errors_total", METRICS_COUNTER,
		       "Control requests that failed while building a scrape.");
	metrics_sample_u64(t, "dpvsd_metrics_collect_errors_total", NULL, 0, st.collect_errors);
}

int metrics_collect(struct metrics_text *t)
{
	collect_build(t);
	collect_ipvs(t);
	collect_lcores(t);
	collect_ports(t);
	collect_netif_stats(t);
	collect_inet(t);
	collect_ipvs_stats(t);
	collect_conn_tables(t);
	collect_laddrs(t);
	collect_cfg(t);
	collect_self(t);
	return t->nomem ? EDPVS_NOMEM : 0;
}
