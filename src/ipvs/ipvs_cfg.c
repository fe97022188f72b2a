/*
 * ipvs_cfg.c - the "ipvs" configuration section (order 300): the size of
 * every FWD_WORKER's connection table, the default Maglev table size, and
 * the default per-state timeouts, the FNAT local port range,
 * expire_quiescent_template (applied at start and on reload).  Parse
 * validates everything (file:line and key in every error); apply at
 * start-up creates one conn table per FWD_WORKER (conn.c) and sets the
 * scheduler, protocol and FNAT defaults; a reload applies changed timeouts
 * and Maglev size, and refuses a changed table size or port range (restart
 * needed: workers read the range per new conn).  Runs on the master only.
 */
#include <stdlib.h>
#include <string.h>
#include <rte_common.h>
#include "cfg.h"
#include "dpvs_err.h"
#include "job.h"
#include "ipvs/conn.h"
#include "ipvs/proto.h"
#include "ipvs/sched.h"
#include "ipvs/xmit.h"
#include "ipvs/ipvs.h"

#define IPVS_CONN_MAX_DEFAULT (1u << 18)	/* per lcore: 40 MiB at 160 B */
#define IPVS_CONN_MAX_MIN     64u
#define IPVS_LPORT_MIN_DEFAULT 1024
#define IPVS_LPORT_MAX_DEFAULT 65535

struct ipvs_conf {
	uint32_t conn_max;
	uint32_t conn_buckets;		/* 0: automatic */
	uint32_t mh_size;
	uint32_t tcp[TCP_S_MAX];
	uint32_t udp;
	uint16_t lport_min;		/* FNAT local ports, host order */
	uint16_t lport_max;
	bool expire_quiescent;		/* expire_quiescent_template */
};

/* The applied config (master only), to diff on reload. */
static struct ipvs_conf *ipvs_cfg_running;

/* Config key of each TCP state's timeout (NULL: not settable). */
static const char *const tcp_timeout_keys[TCP_S_MAX] = {
	[TCP_S_NONE] = "none",
	[TCP_S_ESTABLISHED] = "established",
	[TCP_S_SYN_SENT] = "syn_sent",
	[TCP_S_SYN_RECV] = "syn_recv",
	[TCP_S_FIN_WAIT] = "fin_wait",
	[TCP_S_TIME_WAIT] = "time_wait",
	[TCP_S_CLOSE] = "close",
	[TCP_S_CLOSE_WAIT] = "close_wait",
	[TCP_S_LAST_ACK] = "last_ack",
	[TCP_S_LISTEN] = "listen",
	[TCP_S_SYNACK] = "synack",
};

static const char *const ipvs_keys[] = {
	"conn_max", "conn_buckets", "maglev_table_size", "timeouts", "fnat_lport_min",
	"fnat_lport_max", "expire_quiescent_template", NULL,
};

static const char *const timeout_keys[] = {
	"none", "established", "syn_sent", "syn_recv", "fin_wait", "time_wait", "close",
	"close_wait", "last_ack", "listen", "synack", "udp", NULL,
};

static int parse_timeouts(const config_setting_t *s, struct ipvs_conf *c, struct cfg_errors *errs)
{
	const config_setting_t *g = s ? config_setting_get_member(s, "timeouts") : NULL;
	long long v;
	int rc = 0;
	unsigned int i;

	if (g && !config_setting_is_group(g)) {
		cfg_error_add(errs, g, NULL, "expected a group { established = 900; ... }");
		return EDPVS_CONFIG;
	}
	if (g && cfg_check_keys(g, timeout_keys, errs))
		rc = EDPVS_CONFIG;
	for (i = 0; i < TCP_S_MAX; i++) {
		if (cfg_get_int(g, tcp_timeout_keys[i], 1, PROTO_TIMEOUT_MAX,
				proto_get(IPPROTO_TCP)->timeout_defaults[i], &v, errs))
			rc = EDPVS_CONFIG;
		c->tcp[i] = (uint32_t)v;
	}
	if (cfg_get_int(g, "udp", 1, PROTO_TIMEOUT_MAX, PROTO_UDP_TIMEOUT, &v, errs))
		rc = EDPVS_CONFIG;
	c->udp = (uint32_t)v;
	return rc;
}

static int parse_sizes(const config_setting_t *s, struct ipvs_conf *c, struct cfg_errors *errs)
{
	long long v;
	int rc = 0;

	if (cfg_get_int(s, "conn_max", IPVS_CONN_MAX_MIN, CONN_MAX_CONNS, IPVS_CONN_MAX_DEFAULT,
			&v, errs))
		rc = EDPVS_CONFIG;
	c->conn_max = (uint32_t)v;
	if (cfg_get_int(s, "conn_buckets", 0, CONN_MAX_BUCKETS, 0, &v, errs)) {
		rc = EDPVS_CONFIG;
	} else if (v != 0 && (v & (v - 1)) != 0) {
		cfg_error_add(errs, config_setting_get_member(s, "conn_buckets"), NULL,
			      "%lld is not a power of two (or 0 for automatic)", v);
		rc = EDPVS_CONFIG;
	}
	c->conn_buckets = (uint32_t)v;
	if (cfg_get_int(s, "maglev_table_size", 251, SCHED_MH_MAX_SIZE, SCHED_MH_DEFAULT_SIZE, &v,
			errs)) {
		rc = EDPVS_CONFIG;
	} else if (!sched_mh_size_valid((uint32_t)v)) {
		cfg_error_add(errs, config_setting_get_member(s, "maglev_table_size"), NULL,
			      "%lld is not a prime (e.g. 251, 509, 1021, 4093, 16381, 65537, 262147)",
			      v);
		rc = EDPVS_CONFIG;
	}
	c->mh_size = (uint32_t)v;
	return rc;
}

/* FNAT local port range: 1..65535 each, min <= max.  (The apply checks
 * that every FWD_WORKER gets at least one port.) */
static int parse_lports(const config_setting_t *s, struct ipvs_conf *c, struct cfg_errors *errs)
{
	long long lo, hi;
	int rc = 0;

	if (cfg_get_int(s, "fnat_lport_min", 1, 65535, IPVS_LPORT_MIN_DEFAULT, &lo, errs))
		rc = EDPVS_CONFIG;
	if (cfg_get_int(s, "fnat_lport_max", 1, 65535, IPVS_LPORT_MAX_DEFAULT, &hi, errs))
		rc = EDPVS_CONFIG;
	if (rc == 0 && lo > hi) {
		cfg_error_add(errs, config_setting_get_member(s, "fnat_lport_min"), NULL,
			      "%lld is above fnat_lport_max (%lld)", lo, hi);
		rc = EDPVS_CONFIG;
	}
	c->lport_min = (uint16_t)lo;
	c->lport_max = (uint16_t)hi;
	return rc;
}

static void *ipvs_cfg_parse(const config_setting_t *s, struct cfg_errors *errs)
{
	struct ipvs_conf *c = calloc(1, sizeof(*c));
	int rc = 0;

	if (!c) {
		/* s is the section itself (NULL when absent): name it once */
		cfg_error_add(errs, s, s ? NULL : "ipvs", "out of memory");
		return NULL;
	}
	if (s && cfg_check_keys(s, ipvs_keys, errs))
		rc = EDPVS_CONFIG;
	if (parse_sizes(s, c, errs))
		rc = EDPVS_CONFIG;
	if (parse_timeouts(s, c, errs))
		rc = EDPVS_CONFIG;
	if (parse_lports(s, c, errs))
		rc = EDPVS_CONFIG;
	if (cfg_get_bool(s, "expire_quiescent_template", false, &c->expire_quiescent, errs))
		rc = EDPVS_CONFIG;
	if (rc) {
		free(c);
		return NULL;
	}
	return c;
}

static void ipvs_cfg_free(void *staged)
{
	free(staged);
}

/* Set the timeouts and Maglev size of n that differ from o (all when o is
 * NULL), so values changed at run time (ipvsadm --set) survive a reload
 * that does not touch them; expire_quiescent_template always (nothing
 * else sets it). */
static void apply_defaults(const struct ipvs_conf *o, const struct ipvs_conf *n)
{
	unsigned int i;

	for (i = 0; i < TCP_S_MAX; i++)
		if (!o || o->tcp[i] != n->tcp[i])
			(void)proto_timeout_set(IPPROTO_TCP, i, n->tcp[i]);
	if (!o || o->udp != n->udp)
		(void)proto_timeout_set(IPPROTO_UDP, UDP_S_NORMAL, n->udp);
	if (!o || o->mh_size != n->mh_size)
		(void)sched_mh_set_default_size(n->mh_size);
	conn_set_expire_quiescent_template(n->expire_quiescent);
}

static void destroy_tables(void)
{
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++) {
		conn_table_destroy(conn_table_get(i));
		conn_table_set(i, NULL);
	}
}

static int create_tables(const struct ipvs_conf *c, struct cfg_errors *errs)
{
	struct conn_table_params p = { .max_conns = c->conn_max, .n_buckets = c->conn_buckets };
	unsigned int i, n = job_role_count(JOB_ROLE_FWD_WORKER);

	for (i = 0; i < n; i++) {
		unsigned int lcore = job_role_lcore(JOB_ROLE_FWD_WORKER, i);
		struct conn_table *t = NULL;
		int rc = conn_table_create(&p, &t);

		if (rc) {
			cfg_error_add(errs, NULL, "ipvs.conn_max",
				      "cannot allocate the conn table of lcore %u: %s", lcore,
				      dpvs_strerror(rc));
			destroy_tables();
			return rc;
		}
		conn_table_set(lcore, t);
	}
	return 0;
}

/* The FNAT port range must give every FWD_WORKER of the file at least one
 * port (the rule of xmit_fnat_set_port_range(), checked before start). */
static void ipvs_cfg_check(const config_setting_t *s, const void *staged,
			   const struct cfg_tree *t, struct cfg_errors *errs)
{
	const struct ipvs_conf *c = staged;
	const config_setting_t *lo = s ? config_setting_get_member(s, "fnat_lport_min") : NULL;
	unsigned int n = cfg_tree_role_lcores(t, JOB_ROLE_FWD_WORKER, NULL, 0);

	if ((unsigned int)(c->lport_max - c->lport_min) + 1 < (n ? n : 1))
		cfg_error_add(errs, lo ? lo : s, lo ? NULL : "fnat_lport_min",
			      "%u..%u holds fewer ports than the %u fwd_worker lcores",
			      c->lport_min, c->lport_max, n);
}

static int ipvs_cfg_reload_check(const void *staged, struct cfg_errors *errs)
{
	const struct ipvs_conf *n = staged, *o = ipvs_cfg_running;
	int rc = 0;

	if (o && (o->conn_max != n->conn_max || o->conn_buckets != n->conn_buckets)) {
		cfg_error_add(errs, NULL, "ipvs.conn_max",
			      "changing conn_max or conn_buckets needs a restart");
		rc = EDPVS_CONFIG;
	}
	if (o && (o->lport_min != n->lport_min || o->lport_max != n->lport_max)) {
		cfg_error_add(errs, NULL, "ipvs.fnat_lport_min",
			      "changing fnat_lport_min or fnat_lport_max needs a restart");
		rc = EDPVS_CONFIG;
	}
	return rc;
}

static void *ipvs_cfg_snapshot(void)
{
	struct ipvs_conf *c = ipvs_cfg_running ? malloc(sizeof(*c)) : NULL;

	if (c)
		memcpy(c, ipvs_cfg_running, sizeof(*c));
	return c;
}

static int ipvs_cfg_apply(void *staged, bool reload, struct cfg_errors *errs)
{
	struct ipvs_conf *n = staged, *o = ipvs_cfg_running;
	int rc;

	if (reload && o) {
		if (ipvs_cfg_reload_check(n, errs) != 0)
			return EDPVS_CONFIG;
	} else {
		if (o) {
			cfg_error_add(errs, NULL, "ipvs", "already applied");
			return EDPVS_BUSY;
		}
		if (xmit_fnat_set_port_range(n->lport_min, n->lport_max) != 0) {
			cfg_error_add(errs, NULL, "ipvs.fnat_lport_min",
				      "%u..%u holds fewer ports than the %u forwarding lcores",
				      n->lport_min, n->lport_max, ipvs_n_workers());
			return EDPVS_CONFIG;
		}
		rc = create_tables(n, errs);
		if (rc)
			return rc;
	}
	apply_defaults(o, n);
	free(o);
	ipvs_cfg_running = n;
	return 0;
}

static const struct cfg_section_ops ipvs_cfg_ops = {
	.name = "ipvs",
	.order = 300,
	.parse = ipvs_cfg_parse,
	.apply = ipvs_cfg_apply,
	.free = ipvs_cfg_free,
	.check = ipvs_cfg_check,
	.reload_check = ipvs_cfg_reload_check,
	.snapshot = ipvs_cfg_snapshot,
};

RTE_INIT(ipvs_cfg_register)
{
	cfg_section_register(&ipvs_cfg_ops);
}

/* The module: conn.c's registry, and the tables made by the apply above. */
int conn_init(void)
{
	return 0;
}

void conn_term(void)
{
	destroy_tables();
	free(ipvs_cfg_running);
	ipvs_cfg_running = NULL;
}
