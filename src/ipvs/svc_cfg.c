/*
 * svc_cfg.c - the "services" config section (order 400, after ipvs):
 * virtual services with their real servers and FNAT local addresses.
 * Each item becomes the wire structs ipvsadm sends and is validated by the
 * very checks the control handlers run (ipvs_svc_conf_check,
 * ipvs_dest_conf_check, ipvs_laddr_req_check), with file:line and key;
 * what only this file can get wrong (a duplicate, FNAT servers without a
 * local address, a device netif does not declare) is checked here.  Apply
 * goes through the master functions of svc.c / laddr.c, records every
 * change in a journal and, on failure, replays the journal backwards, so a
 * failed apply leaves the table as it was.  The rules of ownership are in
 * include/ipvs/svc_cfg.h; the keys are documented in conf/dpvsd.conf.sample.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_common.h>
#include "cfg.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "netif.h"
#include "ipvs/sched.h"
#include "ipvs/svc_cfg.h"
#include "svc_int.h"

DPVS_LOG_REGISTER(svc_cfg);

static struct svc_cfg *svc_cfg_running;	/* the applied section (master only) */

/* ---- parse ---- */

static const char *const svc_keys[] = {
	"proto", "fwmark", "vip", "port", "scheduler", "sched_flags", "persistent", "netmask",
	"one_packet", "proxy_protocol", "toa", "local_addresses", "local_dev", "real_servers",
	NULL,
};
static const char *const dest_keys[] = {
	"addr", "port", "mode", "weight", "u_threshold", "l_threshold", "tun_type", "tun_port",
	"tun_csum", NULL,
};

static const char *const proto_names[] = { "tcp", "udp", "sctp" };
static const uint8_t proto_nums[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };
static const char *const mode_names[] = { "dr", "nat", "tunnel", "fnat" };
static const uint8_t mode_nums[] = { IPVS_WIRE_FWD_DR, IPVS_WIRE_FWD_MASQ, IPVS_WIRE_FWD_TUNNEL,
				     IPVS_WIRE_FWD_FNAT };
static const char *const tun_names[] = { "ipip", "gue", "gre" };
static const char *const pp_names[] = { "off", "v2" };

static const struct {
	const char *name;
	uint32_t bits;
} sched_flag_names[] = {
	{ "fallback", IPVS_WIRE_SCHED_F_FALLBACK },
	{ "port", IPVS_WIRE_SCHED_F_PORT },
	{ "hash-sip", IPVS_WIRE_HASH_SIP << IPVS_WIRE_SCHED_F_KEY_SHIFT },
	{ "hash-sip-sport", IPVS_WIRE_HASH_SIP_SPORT << IPVS_WIRE_SCHED_F_KEY_SHIFT },
	{ "hash-quic-cid", IPVS_WIRE_HASH_QUIC_CID << IPVS_WIRE_SCHED_F_KEY_SHIFT },
};

static int get_ipv4(const config_setting_t *parent, const char *key, bool required,
		    uint32_t *out, struct cfg_errors *e)
{
	char buf[64];
	struct in_addr a;

	*out = 0;
	if (cfg_get_string(parent, key, "", buf, sizeof(buf), e) != 0)
		return EDPVS_CONFIG;
	if (buf[0] == '\0' && !required)
		return 0;
	if (inet_pton(AF_INET, buf, &a) != 1) {
		cfg_error_add(e, parent, key, "expected an IPv4 address A.B.C.D, got '%s'", buf);
		return EDPVS_CONFIG;
	}
	*out = a.s_addr;
	return 0;
}

static const config_setting_t *get_list(const config_setting_t *parent, const char *key,
					bool of_groups, unsigned int max, struct cfg_errors *e)
{
	const config_setting_t *l = config_setting_get_member(parent, key);

	if (l == NULL)
		return NULL;
	if (of_groups ? !config_setting_is_list(l) && !config_setting_is_array(l)
		      : !config_setting_is_array(l) && !config_setting_is_list(l)) {
		cfg_error_add(e, l, NULL, of_groups ? "expected a list ( {...}, ... )"
						    : "expected a list [ \"...\", ... ]");
		return NULL;
	}
	if (config_setting_length(l) > (int)max) {
		cfg_error_add(e, l, NULL, "at most %u items", max);
		return NULL;
	}
	return l;
}

static void parse_sched_flags(const config_setting_t *it, struct ipvs_wire_svc_conf *c,
			      struct cfg_errors *e)
{
	const config_setting_t *l = get_list(it, "sched_flags", false, 8, e);
	unsigned int i, j;

	for (i = 0; l && i < (unsigned int)config_setting_length(l); i++) {
		const config_setting_t *f = config_setting_get_elem(l, i);
		const char *w = config_setting_get_string(f);

		for (j = 0; w && j < RTE_DIM(sched_flag_names); j++)
			if (strcmp(w, sched_flag_names[j].name) == 0)
				break;
		if (w == NULL || j == RTE_DIM(sched_flag_names))
			cfg_error_add(e, f, NULL, "unknown scheduler flag (fallback, port, hash-sip, "
				      "hash-sip-sport, hash-quic-cid)");
		else
			c->sched_flags |= sched_flag_names[j].bits;
	}
}

/* The key of service item it (fwmark, or proto + vip + port). */
static int parse_key(const config_setting_t *it, struct ipvs_wire_svc_key *k,
		     struct cfg_errors *e)
{
	long long mark, port;
	unsigned int p;

	memset(k, 0, sizeof(*k));
	k->af = AF_INET;
	if (cfg_get_int(it, "fwmark", 0, UINT32_MAX, 0, &mark, e) != 0)
		return EDPVS_CONFIG;
	if (mark != 0) {
		if (config_setting_get_member(it, "proto") || config_setting_get_member(it, "vip") ||
		    config_setting_get_member(it, "port")) {
			cfg_error_add(e, it, "fwmark", "a fwmark service has no proto, vip or port");
			return EDPVS_CONFIG;
		}
		k->fwmark = (uint32_t)mark;
		return 0;
	}
	if (config_setting_get_member(it, "proto") == NULL) {
		cfg_error_add(e, it, "proto", "required (tcp, udp, sctp), or fwmark");
		return EDPVS_CONFIG;
	}
	if (cfg_get_enum(it, "proto", proto_names, RTE_DIM(proto_names), 0, &p, e) != 0 ||
	    get_ipv4(it, "vip", true, &k->addr.in4, e) != 0 ||
	    cfg_get_int(it, "port", 0, 65535, 0, &port, e) != 0)
		return EDPVS_CONFIG;
	k->proto = proto_nums[p];
	k->port = (uint16_t)port;
	return 0;
}

/* Service fields, checked by the handlers' own check. */
static int parse_conf(const config_setting_t *it, struct ipvs_wire_svc_conf *c,
		      struct cfg_errors *e)
{
	char err[IPVS_SVC_ERRLEN] = "";
	unsigned int before = e->count, pp;
	long long persist;
	bool onepkt, toa;
	int rc;

	if (parse_key(it, &c->key, e) != 0)
		return EDPVS_CONFIG;
	if (cfg_get_string(it, "scheduler", "wlc", c->sched, sizeof(c->sched), e) == 0 &&
	    cfg_get_int(it, "persistent", 0, UINT32_MAX, 0, &persist, e) == 0 &&
	    get_ipv4(it, "netmask", false, &c->netmask, e) == 0 &&
	    cfg_get_bool(it, "one_packet", false, &onepkt, e) == 0 &&
	    cfg_get_bool(it, "toa", true, &toa, e) == 0 &&
	    cfg_get_enum(it, "proxy_protocol", pp_names, RTE_DIM(pp_names), 0, &pp, e) == 0) {
		c->timeout = (uint32_t)persist;
		c->flags = (persist ? IPVS_WIRE_SVC_F_PERSISTENT : 0) |
			   (onepkt ? IPVS_WIRE_SVC_F_ONEPACKET : 0) |
			   (toa ? 0 : IPVS_WIRE_SVC_F_NOTOA);
		c->proxy_protocol = pp ? IPVS_WIRE_PP_V2 : IPVS_WIRE_PP_OFF;
	}
	parse_sched_flags(it, c, e);
	if (e->count != before)
		return EDPVS_CONFIG;
	rc = ipvs_svc_conf_check(c, err);
	if (rc != 0) {
		cfg_error_add(e, it, sched_lookup(c->sched) ? NULL : "scheduler", "%s", err);
		return EDPVS_CONFIG;
	}
	ipvs_svc_conf_normalise(c);
	return 0;
}

static int parse_dest(const config_setting_t *it, const struct ipvs_wire_svc_key *k,
		      struct ipvs_wire_dest_conf *d, struct cfg_errors *e)
{
	char err[IPVS_SVC_ERRLEN] = "";
	long long port, w, u, l, tport;
	unsigned int mode, tun;
	bool csum;

	memset(d, 0, sizeof(*d));
	d->af = AF_INET;
	cfg_check_keys(it, dest_keys, e);
	if (get_ipv4(it, "addr", true, &d->addr.in4, e) != 0 ||
	    cfg_get_int(it, "port", 0, 65535, 0, &port, e) != 0 ||
	    cfg_get_enum(it, "mode", mode_names, RTE_DIM(mode_names), 0, &mode, e) != 0 ||
	    cfg_get_int(it, "weight", 0, IPVS_WIRE_WEIGHT_MAX, 1, &w, e) != 0 ||
	    cfg_get_int(it, "u_threshold", 0, IPVS_WIRE_THRESHOLD_MAX, 0, &u, e) != 0 ||
	    cfg_get_int(it, "l_threshold", 0, IPVS_WIRE_THRESHOLD_MAX, 0, &l, e) != 0 ||
	    cfg_get_enum(it, "tun_type", tun_names, RTE_DIM(tun_names), 0, &tun, e) != 0 ||
	    cfg_get_int(it, "tun_port", 0, 65535, 0, &tport, e) != 0 ||
	    cfg_get_bool(it, "tun_csum", false, &csum, e) != 0)
		return EDPVS_CONFIG;
	d->port = (uint16_t)port;
	d->fwd = mode_nums[mode];
	d->weight = (uint32_t)w;
	d->u_threshold = (uint32_t)u;
	d->l_threshold = (uint32_t)l;
	d->tun_type = (uint8_t)tun;
	d->tun_port = (uint16_t)tport;
	d->tun_flags = csum ? IPVS_WIRE_TUN_F_CSUM : 0;
	if (ipvs_dest_conf_check(k, d, err) != 0) {
		cfg_error_add(e, it, NULL, "%s", err);
		return EDPVS_CONFIG;
	}
	return 0;
}

static bool dest_same_key(const struct ipvs_wire_dest_conf *a, const struct ipvs_wire_dest_conf *b)
{
	return a->af == b->af && a->port == b->port && a->addr.in4 == b->addr.in4;
}

static void parse_dests(const config_setting_t *it, struct svc_cfg_svc *s, struct cfg_errors *e)
{
	const config_setting_t *l = get_list(it, "real_servers", true, SVC_CFG_MAX_DESTS, e);
	unsigned int i, j, n = l ? (unsigned int)config_setting_length(l) : 0;

	s->dests = n ? calloc(n, sizeof(*s->dests)) : NULL;
	if (n && !s->dests) {
		cfg_error_add(e, l, NULL, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *d = config_setting_get_elem(l, i);
		struct ipvs_wire_dest_conf *x = &s->dests[s->n_dests];

		if (parse_dest(d, &s->conf.key, x, e) != 0)
			continue;
		for (j = 0; j < s->n_dests && !dest_same_key(&s->dests[j], x); j++)
			;
		if (j < s->n_dests) {
			cfg_error_add(e, d, "addr", "real server listed twice in this service "
				      "(same address and port)");
			continue;
		}
		if (x->fwd == IPVS_WIRE_FWD_FNAT && s->n_laddrs == 0)
			cfg_error_add(e, d, "mode", "a FNAT real server needs local_addresses in "
				      "its service");
		s->n_dests++;
	}
}

static void parse_laddrs(const config_setting_t *it, struct svc_cfg_svc *s, struct cfg_errors *e)
{
	const config_setting_t *l = get_list(it, "local_addresses", false, IPVS_LADDR_MAX, e);
	unsigned int i, j, n = l ? (unsigned int)config_setting_length(l) : 0;
	char dev[IPVS_WIRE_IFNAME_LEN], err[IPVS_SVC_ERRLEN];

	if (cfg_get_string(it, "local_dev", "", dev, sizeof(dev), e) != 0)
		return;
	if (dev[0] != '\0' && n == 0) {
		cfg_error_add(e, it, "local_dev", "given without local_addresses");
		return;
	}
	s->laddrs = n ? calloc(n, sizeof(*s->laddrs)) : NULL;
	if (n && !s->laddrs) {
		cfg_error_add(e, l, NULL, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *a = config_setting_get_elem(l, i);
		const char *str = config_setting_get_string(a);
		struct ipvs_wire_laddr_req *r = &s->laddrs[s->n_laddrs];
		struct in_addr in;

		if (str == NULL || inet_pton(AF_INET, str, &in) != 1) {
			cfg_error_add(e, a, NULL, "expected an IPv4 address A.B.C.D, got '%s'",
				      str ? str : "(not a string)");
			continue;
		}
		r->svc = s->conf.key;
		r->af = AF_INET;
		r->addr.in4 = in.s_addr;
		memcpy(r->ifname, dev, sizeof(dev));
		if (ipvs_laddr_req_check(r, err) != 0) {
			cfg_error_add(e, a, NULL, "%s", err);
			continue;
		}
		for (j = 0; j < s->n_laddrs && s->laddrs[j].addr.in4 != r->addr.in4; j++)
			;
		if (j < s->n_laddrs)
			cfg_error_add(e, a, NULL, "local address listed twice");
		else
			s->n_laddrs++;
	}
}

static void svc_cfg_free(void *staged)
{
	struct svc_cfg *c = staged;
	unsigned int i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->svc[i].dests);
		free(c->svc[i].laddrs);
	}
	free(c->svc);
	free(c);
}

int svc_cfg_find(const struct svc_cfg *c, const struct ipvs_wire_svc_key *k)
{
	unsigned int i;

	for (i = 0; c && i < c->n; i++)
		if (svc_key_equal(&c->svc[i].conf.key, k))
			return (int)i;
	return -1;
}

static void parse_svc(const config_setting_t *it, struct svc_cfg *c, struct cfg_errors *e)
{
	struct svc_cfg_svc *s = &c->svc[c->n];

	memset(s, 0, sizeof(*s));
	s->owned = true;
	if (!config_setting_is_group(it)) {
		cfg_error_add(e, it, NULL, "expected a group { ... }");
		return;
	}
	cfg_check_keys(it, svc_keys, e);
	if (parse_conf(it, &s->conf, e) != 0)
		return;
	if (svc_cfg_find(c, &s->conf.key) >= 0) {
		cfg_error_add(e, it, NULL, "service declared twice (same %s)",
			      s->conf.key.fwmark ? "fwmark" : "proto, vip and port");
		return;
	}
	parse_laddrs(it, s, e);
	parse_dests(it, s, e);
	c->n++;		/* owns its arrays now, even after an error */
}

static void *svc_cfg_parse(const config_setting_t *s, struct cfg_errors *errs)
{
	struct svc_cfg *c = calloc(1, sizeof(*c));
	unsigned int before = errs->count, i, n;

	if (c == NULL)
		return NULL;
	if (s == NULL)
		return c;
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		cfg_error_add(errs, s, NULL, "expected a list of services ( {...}, ... )");
		goto err;
	}
	n = (unsigned int)config_setting_length(s);
	if (n > SVC_CFG_MAX_SVCS) {
		cfg_error_add(errs, s, NULL, "at most %u services", SVC_CFG_MAX_SVCS);
		goto err;
	}
	c->svc = n ? calloc(n, sizeof(*c->svc)) : NULL;
	if (n && c->svc == NULL)
		goto err;
	for (i = 0; i < n; i++)
		parse_svc(config_setting_get_elem(s, i), c, errs);
	if (errs->count == before)
		return c;
err:
	svc_cfg_free(c);
	return NULL;
}

/* local_dev must be a port of netif (ports do not exist at -t time). */
static void svc_cfg_check(const config_setting_t *s, const void *staged, const struct cfg_tree *t,
			  struct cfg_errors *e)
{
	const struct netif_conf *ports = cfg_tree_section(t, "netif");
	const struct svc_cfg *c = staged;
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		const char *dev = c->svc[i].n_laddrs ? c->svc[i].laddrs[0].ifname : "";

		if (dev[0] != '\0' && !netif_conf_has_port(ports, dev))
			cfg_error_add(e, config_setting_get_elem(s, i), "local_dev",
				      "no port named '%s' in netif.ports", dev);
	}
}

/* ---- the journal: every change apply made, to undo it ---- */

enum svc_cfg_jop {
	J_SVC_ADD, J_SVC_DEL, J_SVC_EDIT, J_DEST_ADD, J_DEST_DEL, J_DEST_EDIT, J_LADDR_ADD,
	J_LADDR_DEL,
};

struct svc_cfg_jent {
	enum svc_cfg_jop op;
	struct ipvs_wire_svc_conf svc;		/* the key; the old conf for DEL, EDIT */
	struct ipvs_wire_dest_conf dest;	/* the old one for DEL, EDIT */
	struct ipvs_wire_laddr_req laddr;
};

struct svc_cfg_journal {
	unsigned int n, cap;
	struct svc_cfg_jent *e;
	char err[IPVS_SVC_ERRLEN];		/* the failed change's message */
};

static struct svc_cfg_jent *journal_next(struct svc_cfg_journal *j)
{
	if (j->n == j->cap) {
		unsigned int cap = j->cap ? j->cap * 2 : 32;
		struct svc_cfg_jent *e = realloc(j->e, cap * sizeof(*e));

		if (e == NULL)
			return NULL;
		j->e = e;
		j->cap = cap;
	}
	memset(&j->e[j->n], 0, sizeof(j->e[0]));
	return &j->e[j->n];
}

/* Make change op with the new values svc/dest/laddr and record it with
 * what undoes it: old_svc (the conf before an edit or delete of the
 * service), old_dest (the real server before an edit), else the new ones. */
static int journal_do(struct svc_cfg_journal *j, enum svc_cfg_jop op,
		      const struct ipvs_wire_svc_conf *svc, const struct ipvs_wire_dest_conf *dest,
		      const struct ipvs_wire_laddr_req *laddr,
		      const struct ipvs_wire_svc_conf *old_svc,
		      const struct ipvs_wire_dest_conf *old_dest)
{
	struct svc_cfg_jent *e = journal_next(j);
	int rc;

	if (e == NULL)
		return EDPVS_NOMEM;
	j->err[0] = '\0';
	switch (op) {
	case J_SVC_ADD: rc = ipvs_svc_add(svc, j->err); break;
	case J_SVC_DEL: rc = ipvs_svc_del(&svc->key, j->err); break;
	case J_SVC_EDIT: rc = ipvs_svc_edit(svc, j->err); break;
	case J_DEST_ADD: rc = ipvs_dest_add(&svc->key, dest, j->err); break;
	case J_DEST_DEL: rc = ipvs_dest_del(&svc->key, dest, j->err); break;
	case J_DEST_EDIT: rc = ipvs_dest_edit(&svc->key, dest, j->err); break;
	case J_LADDR_ADD: rc = ipvs_laddr_add(laddr, j->err); break;
	default: rc = ipvs_laddr_del(laddr, j->err); break;
	}
	if (rc != 0)
		return rc;
	e->op = op;
	e->svc = old_svc ? *old_svc : *svc;
	if (old_dest || dest)
		e->dest = old_dest ? *old_dest : *dest;
	if (laddr)
		e->laddr = *laddr;
	j->n++;
	return 0;
}

static void journal_undo(struct svc_cfg_journal *j)
{
	char err[IPVS_SVC_ERRLEN];
	int rc = 0;

	while (j->n > 0) {
		const struct svc_cfg_jent *e = &j->e[--j->n];

		switch (e->op) {
		case J_SVC_ADD: rc = ipvs_svc_del(&e->svc.key, err); break;
		case J_SVC_DEL: rc = ipvs_svc_add(&e->svc, err); break;
		case J_SVC_EDIT: rc = ipvs_svc_edit(&e->svc, err); break;
		case J_DEST_ADD: rc = ipvs_dest_del(&e->svc.key, &e->dest, err); break;
		case J_DEST_DEL: rc = ipvs_dest_add(&e->svc.key, &e->dest, err); break;
		case J_DEST_EDIT: rc = ipvs_dest_edit(&e->svc.key, &e->dest, err); break;
		case J_LADDR_ADD: rc = ipvs_laddr_del(&e->laddr, err); break;
		default: rc = ipvs_laddr_add(&e->laddr, err); break;
		}
		if (rc != 0)
			DPVS_LOG(svc_cfg, CRIT, "cannot undo a services change (op %d): %s",
				 (int)e->op, err);
	}
}

/* ---- diff against the running table ---- */

static bool conf_same(const struct ipvs_wire_svc_conf *a, const struct ipvs_wire_svc_conf *b)
{
	return strncmp(a->sched, b->sched, sizeof(a->sched)) == 0 && a->flags == b->flags &&
	       a->timeout == b->timeout && a->netmask == b->netmask &&
	       a->sched_flags == b->sched_flags && a->proxy_protocol == b->proxy_protocol;
}

static bool dest_same(const struct ipvs_wire_dest_conf *a, const struct ipvs_wire_dest_conf *b)
{
	return dest_same_key(a, b) && a->fwd == b->fwd && a->weight == b->weight &&
	       a->u_threshold == b->u_threshold && a->l_threshold == b->l_threshold &&
	       a->tun_type == b->tun_type && a->tun_flags == b->tun_flags &&
	       a->tun_port == b->tun_port;
}

static int find_dest(const struct ipvs_wire_dest_conf *a, unsigned int n,
		     const struct ipvs_wire_dest_conf *d)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (dest_same_key(&a[i], d))
			return (int)i;
	return -1;
}

/* Whether a[0..n-1] has x: the same address on the same device. */
static bool has_laddr(const struct ipvs_wire_laddr_req *a, unsigned int n,
		      const struct ipvs_wire_laddr_req *x)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (a[i].addr.in4 == x->addr.in4 &&
		    strncmp(a[i].ifname, x->ifname, sizeof(x->ifname)) == 0)
			return true;
	return false;
}

/* The running service m as a staged service (its arrays malloc'd). */
static int svc_of_table(const struct msvc *m, struct svc_cfg_svc *s)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->conf = m->conf;
	s->dests = m->n_dests ? calloc(m->n_dests, sizeof(*s->dests)) : NULL;
	s->laddrs = m->n_laddrs ? calloc(m->n_laddrs, sizeof(*s->laddrs)) : NULL;
	if ((m->n_dests && !s->dests) || (m->n_laddrs && !s->laddrs)) {
		free(s->dests);
		free(s->laddrs);
		return EDPVS_NOMEM;
	}
	for (i = 0; i < m->n_dests; i++)
		s->dests[i] = m->dests[i].conf;
	for (i = 0; i < m->n_laddrs; i++) {
		s->laddrs[i].svc = m->conf.key;
		s->laddrs[i].af = m->laddrs[i].af;
		s->laddrs[i].addr = m->laddrs[i].addr;
		memcpy(s->laddrs[i].ifname, m->laddrs[i].ifname, sizeof(s->laddrs[i].ifname));
	}
	s->n_dests = m->n_dests;
	s->n_laddrs = m->n_laddrs;
	return 0;
}

/* Delete the running service k with its local addresses and real servers
 * (each journalled, so that an undo puts all of it back). */
static int delete_svc(struct svc_cfg_journal *j, const struct ipvs_wire_svc_key *k)
{
	struct msvc *m = svc_master_find(k);
	struct svc_cfg_svc cur;
	unsigned int i;
	int rc;

	if (m == NULL)
		return 0;	/* deleted at run time */
	rc = svc_of_table(m, &cur);
	for (i = 0; rc == 0 && i < cur.n_laddrs; i++)
		rc = journal_do(j, J_LADDR_DEL, &cur.conf, NULL, &cur.laddrs[i], NULL, NULL);
	for (i = 0; rc == 0 && i < cur.n_dests; i++)
		rc = journal_do(j, J_DEST_DEL, &cur.conf, &cur.dests[i], NULL, NULL, NULL);
	if (rc == 0)
		rc = journal_do(j, J_SVC_DEL, &cur.conf, NULL, NULL, &cur.conf, NULL);
	free(cur.dests);
	free(cur.laddrs);
	return rc;
}

/* Make the running service s->conf.key exactly s: edited in place (its
 * connections stay), or added. */
static int sync_svc(struct svc_cfg_journal *j, const struct svc_cfg_svc *s)
{
	struct msvc *m = svc_master_find(&s->conf.key);
	struct svc_cfg_svc cur = { 0 };
	unsigned int i;
	int k, rc = 0;

	if (m == NULL)
		rc = journal_do(j, J_SVC_ADD, &s->conf, NULL, NULL, NULL, NULL);
	else if ((rc = svc_of_table(m, &cur)) == 0 && !conf_same(&cur.conf, &s->conf))
		rc = journal_do(j, J_SVC_EDIT, &s->conf, NULL, NULL, &cur.conf, NULL);
	/* Local addresses that go (or change device) first, then the new ones. */
	for (i = 0; rc == 0 && i < cur.n_laddrs; i++)
		if (!has_laddr(s->laddrs, s->n_laddrs, &cur.laddrs[i]))
			rc = journal_do(j, J_LADDR_DEL, &s->conf, NULL, &cur.laddrs[i], NULL, NULL);
	for (i = 0; rc == 0 && i < s->n_laddrs; i++)
		if (!has_laddr(cur.laddrs, cur.n_laddrs, &s->laddrs[i]))
			rc = journal_do(j, J_LADDR_ADD, &s->conf, NULL, &s->laddrs[i], NULL,
					NULL);
	for (i = 0; rc == 0 && i < cur.n_dests; i++)
		if (find_dest(s->dests, s->n_dests, &cur.dests[i]) < 0)
			rc = journal_do(j, J_DEST_DEL, &s->conf, &cur.dests[i], NULL, NULL, NULL);
	for (i = 0; rc == 0 && i < s->n_dests; i++) {
		k = find_dest(cur.dests, cur.n_dests, &s->dests[i]);
		if (k < 0)
			rc = journal_do(j, J_DEST_ADD, &s->conf, &s->dests[i], NULL, NULL, NULL);
		else if (!dest_same(&cur.dests[k], &s->dests[i]))
			rc = journal_do(j, J_DEST_EDIT, &s->conf, &s->dests[i], NULL, NULL,
					&cur.dests[k]);
	}
	free(cur.dests);
	free(cur.laddrs);
	return rc;
}

static void svc_name(const struct ipvs_wire_svc_key *k, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	if (k->fwmark) {
		snprintf(buf, len, "fwmark %u", k->fwmark);
		return;
	}
	inet_ntop(AF_INET, &k->addr.in4, a, sizeof(a));
	snprintf(buf, len, "%s %s:%u", k->proto == IPPROTO_UDP ? "udp" :
		 k->proto == IPPROTO_SCTP ? "sctp" : "tcp", a, k->port);
}

/* Services the running file owns and c does not have: deleted. */
static int delete_dropped(struct svc_cfg_journal *j, const struct svc_cfg *c,
			  const struct ipvs_wire_svc_key **bad)
{
	unsigned int i;
	int rc;

	for (i = 0; svc_cfg_running && i < svc_cfg_running->n; i++) {
		const struct svc_cfg_svc *s = &svc_cfg_running->svc[i];

		if (!s->owned || svc_cfg_find(c, &s->conf.key) >= 0)
			continue;
		*bad = &s->conf.key;
		rc = delete_svc(j, &s->conf.key);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int svc_cfg_apply(void *staged, bool reload, struct cfg_errors *errs)
{
	struct svc_cfg *c = staged;
	struct svc_cfg_journal j = { 0 };
	const struct ipvs_wire_svc_key *bad = NULL;
	unsigned int i;
	char name[64];
	int rc;

	rc = delete_dropped(&j, c, &bad);
	for (i = 0; rc == 0 && i < c->n; i++) {
		bad = &c->svc[i].conf.key;
		rc = sync_svc(&j, &c->svc[i]);
	}
	if (rc != 0) {
		svc_name(bad, name, sizeof(name));
		cfg_error_add(errs, NULL, "services", "%s: %s", name,
			      j.err[0] ? j.err : dpvs_strerror(rc));
		journal_undo(&j);
		free(j.e);
		return rc;
	}
	DPVS_LOG(svc_cfg, INFO, "services %s: %u changes, %u services from the file",
		 reload ? "reloaded" : "applied", j.n, c->n);
	free(j.e);
	svc_cfg_free(svc_cfg_running);
	svc_cfg_running = c;
	return 0;
}

/* The whole running table, each service marked owned when the running
 * file declares it: applied back, it restores the table and the rule. */
static void *svc_cfg_snapshot(void)
{
	struct svc_cfg *c = calloc(1, sizeof(*c));
	unsigned int n = ipvs_svc_count();
	struct msvc *m;

	if (c == NULL)
		return NULL;
	c->svc = n ? calloc(n, sizeof(*c->svc)) : NULL;
	if (n && c->svc == NULL)
		goto err;
	TAILQ_FOREACH(m, svc_master_list(), link) {
		if (c->n == n || svc_of_table(m, &c->svc[c->n]) != 0)
			goto err;
		c->svc[c->n].owned = svc_cfg_owns(&m->conf.key);
		c->n++;
	}
	return c;
err:
	svc_cfg_free(c);
	return NULL;
}

bool svc_cfg_owns(const struct ipvs_wire_svc_key *k)
{
	int i = svc_cfg_find(svc_cfg_running, k);

	return i >= 0 && svc_cfg_running->svc[i].owned;
}

static const struct cfg_section_ops svc_cfg_ops = {
	.name = "services",
	.order = 400,
	.parse = svc_cfg_parse,
	.apply = svc_cfg_apply,
	.free = svc_cfg_free,
	.check = svc_cfg_check,
	.snapshot = svc_cfg_snapshot,
};

const struct cfg_section_ops *svc_cfg_section(void)
{
	return &svc_cfg_ops;
}

RTE_INIT(svc_cfg_register)
{
	cfg_section_register(&svc_cfg_ops);
}

RTE_FINI(svc_cfg_release)
{
	svc_cfg_free(svc_cfg_running);
	svc_cfg_running = NULL;
}
