/*
 * ipvs_stats_ctl.c - the IPVS datapath counters for operators: the control
 * request IPVS_STATS_OP_GET (include/ipvs/ipvs_stats_wire.h, `dpip ipvs
 * stats`) returns every FWD_WORKER's struct ipvs_lcore_stats (the hook,
 * ipvs_core.c), struct xmit_lcore_stats (the forwarding modes) and the
 * 64-bit counters of its struct conn_stats (group "conn": early drops...)
 * as named counters.  Module "ipvs_stats".
 *
 * The counters are written by their own lcore only; the master reads them
 * here with plain 64-bit loads (a value may be one burst old), as the
 * netif and inet counters are read.
 */
#include <stddef.h>
#include <string.h>
#include <rte_common.h>
#include "ctl.h"
#include "dpvs_err.h"
#include "job.h"
#include "ipvs/ipvs.h"
#include "ipvs/xmit.h"
#include "ipvs/ipvs_stats.h"
#include "ipvs/conn.h"

struct stat_field {
	const char *name;
	size_t off;
};

#define IPVS_F(f) { #f, offsetof(struct ipvs_lcore_stats, f) }
#define XMIT_F(f) { #f, offsetof(struct xmit_lcore_stats, f) }
#define CONN_F(f) { #f, offsetof(struct conn_stats, f) }

static const struct stat_field ipvs_fields[] = {
	IPVS_F(pkts), IPVS_F(conn_hit), IPVS_F(conn_new), IPVS_F(conn_reused),
	IPVS_F(redirected), IPVS_F(redirect_fail), IPVS_F(no_service), IPVS_F(sched_fail),
	IPVS_F(conn_fail), IPVS_F(tcp_no_syn), IPVS_F(icmp_fwd), IPVS_F(icmp_drop),
	IPVS_F(xmit_fail), IPVS_F(malformed), IPVS_F(sctp_no_init),
};

static const struct stat_field xmit_fields[] = {
	XMIT_F(sent), XMIT_F(out_err), XMIT_F(no_route), XMIT_F(ttl_expired),
	XMIT_F(toa_added), XMIT_F(toa_noroom), XMIT_F(pp2_added), XMIT_F(pp2_fail),
	XMIT_F(mss_clamped), XMIT_F(no_lport), XMIT_F(frag_needed), XMIT_F(no_headroom),
};

/* The 64-bit counters of the lcore's connection table (conn.h). */
static const struct stat_field conn_fields[] = {
	CONN_F(created), CONN_F(expired), CONN_F(deleted), CONN_F(full), CONN_F(early_drop),
	CONN_F(timer_err), CONN_F(cancel_err),
};

/* Copy a name into a zeroed, NUL-padded fixed field (cut if longer). */
static void put_name(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i < size && src[i] != '\0'; i++)
		dst[i] = src[i];
}

/* Append one record per field of base (a counters struct of lcore). */
static int append_group(struct ctl_reply *rep, unsigned int lcore, const char *group,
			const struct stat_field *f, unsigned int n, const void *base)
{
	struct ipvs_stat_wire w;
	unsigned int i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		memset(&w, 0, sizeof(w));
		w.lcore = lcore;
		put_name(w.group, sizeof(w.group), group);
		put_name(w.name, sizeof(w.name), f[i].name);
		memcpy(&w.value, (const uint8_t *)base + f[i].off, sizeof(w.value));
		rc = ctl_reply_append(rep, &w, sizeof(w));
	}
	return rc;
}

static int h_stats(uint16_t op, const void *req, uint32_t len, struct ctl_reply *rep)
{
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);
	int rc = 0;

	(void)op, (void)req, (void)len;
	for (i = 0; rc == 0 && i < n; i++) {
		unsigned int lcore = job_role_lcore(JOB_ROLE_FWD_WORKER, i);
		const struct ipvs_lcore_stats *s = ipvs_lcore_stats_get(lcore);
		const struct xmit_lcore_stats *x = xmit_lcore_stats_get(lcore);

		if (s == NULL || x == NULL)
			continue;
		const struct conn_table *t = conn_table_get(lcore);
		struct conn_stats cs;

		rc = append_group(rep, lcore, "ipvs", ipvs_fields, RTE_DIM(ipvs_fields), s);
		if (rc == 0)
			rc = append_group(rep, lcore, "xmit", xmit_fields, RTE_DIM(xmit_fields), x);
		if (rc == 0 && t != NULL) {
			conn_table_stats(t, &cs);
			rc = append_group(rep, lcore, "conn", conn_fields, RTE_DIM(conn_fields), &cs);
		}
	}
	return rc;
}

static const struct ctl_op ipvs_stats_ops[] = {
	{ .opcode = IPVS_STATS_OP_GET, .name = "ipvs.stats", .handler = h_stats,
	  .flags = CTL_OP_F_GET },
};

int ipvs_stats_ctl_init(void)
{
	return ctl_register(ipvs_stats_ops, RTE_DIM(ipvs_stats_ops));
}

void ipvs_stats_ctl_term(void)
{
	ctl_unregister(ipvs_stats_ops, RTE_DIM(ipvs_stats_ops));
}
