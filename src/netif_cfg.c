/*
 * netif_cfg.c - the "netif" config section: parse and validate it into a
 * staged struct netif_conf, contribute the EAL arguments (--vdev for each
 * port and each KNI tap, -a for PCI ports, memory for the pool), and apply
 * it: open the ports at start-up; on reload change MTU and promiscuity at
 * run time and refuse anything that needs a restart.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_common.h>
#include <rte_pci.h>
#include "cfg.h"
#include "dpvs_log.h"
#include "job.h"
#include "kni.h"
#include "netif_priv.h"

DPVS_LOG_DECLARE(netif);

static const char *const netif_keys[] = { "pool", "ports", NULL };
static const char *const pool_keys[] = { "mbufs", "cache", NULL };
static const char *const port_keys[] = { "name", "vdev", "pci", "mtu", "promisc",
	"rx_queues", "tx_queues", "rx_desc", "tx_desc", "rx_lcores", "kni", "mac", NULL };
static const char *const kni_keys[] = { "enabled", "ifname", NULL };

void netif_conf_free(struct netif_conf *c)
{
	free(c);
}

void netif_conf_dev_name(const struct netif_port_conf *pc, char *out, size_t len)
{
	const char *src = pc->vdev[0] ? pc->vdev : pc->pci;
	size_t n = strcspn(src, ",");

	if (n >= len)
		n = len - 1;
	memcpy(out, src, n);
	out[n] = '\0';
}

static bool netif_ifname_ok(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static bool netif_devargs_ok(const char *s)
{
	if (s[0] == '\0' || s[0] == ',')
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

static int netif_parse_pool(const config_setting_t *s, struct netif_conf *c,
			    struct cfg_errors *errs)
{
	const config_setting_t *p = s ? config_setting_get_member(s, "pool") : NULL;
	long long v;
	int rc = 0;

	if (p && !config_setting_is_group(p)) {
		cfg_error_add(errs, p, NULL, "must be a group { mbufs = N; cache = N; }");
		return EDPVS_CONFIG;
	}
	if (p && cfg_check_keys(p, pool_keys, errs))
		rc = EDPVS_CONFIG;
	if (cfg_get_int(p, "mbufs", 1023, 1 << 24, 8191, &v, errs) == 0)
		c->pool_mbufs = (unsigned int)v;
	else
		rc = EDPVS_CONFIG;
	if (cfg_get_int(p, "cache", 0, 512, 256, &v, errs) == 0)
		c->pool_cache = (unsigned int)v;
	else
		rc = EDPVS_CONFIG;
	if (rc == 0 && c->pool_cache * 3 / 2 > c->pool_mbufs) {
		cfg_error_add(errs, p, "cache", "cache %u too large for %u mbufs (max mbufs/1.5)",
			      c->pool_cache, c->pool_mbufs);
		rc = EDPVS_CONFIG;
	}
	return rc;
}

static int netif_parse_u16(const config_setting_t *ps, const char *key, long long min,
			   long long max, long long def, uint16_t *out, struct cfg_errors *errs)
{
	long long v;

	if (cfg_get_int(ps, key, min, max, def, &v, errs) != 0)
		return EDPVS_CONFIG;
	*out = (uint16_t)v;
	return 0;
}

static int netif_parse_rx_lcores(const config_setting_t *ps, struct netif_port_conf *pc,
				 struct cfg_errors *errs)
{
	const config_setting_t *a = config_setting_get_member(ps, "rx_lcores");
	int i, n;

	if (!a)
		return 0;
	if (!config_setting_is_array(a) && !config_setting_is_list(a)) {
		cfg_error_add(errs, a, NULL, "must be a list of lcore ids, e.g. [1, 2]");
		return EDPVS_CONFIG;
	}
	n = config_setting_length(a);
	if (n < 1 || n > NETIF_MAX_QUEUES) {
		cfg_error_add(errs, a, NULL, "needs 1..%d lcore ids (one per rx queue)",
			      NETIF_MAX_QUEUES);
		return EDPVS_CONFIG;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(a, (unsigned int)i);
		int v;

		if (config_setting_type(e) != CONFIG_TYPE_INT) {
			cfg_error_add(errs, e, NULL, "lcore id must be an integer");
			return EDPVS_CONFIG;
		}
		v = config_setting_get_int(e);
		if (v < 0 || v >= RTE_MAX_LCORE) {
			cfg_error_add(errs, e, NULL, "lcore id %d out of range 0..%d", v,
				      RTE_MAX_LCORE - 1);
			return EDPVS_CONFIG;
		}
		pc->rx_lcores[i] = (uint16_t)v;
	}
	pc->n_rx_lcores = (uint16_t)n;
	return 0;
}

static int netif_parse_kni(const config_setting_t *ps, struct netif_port_conf *pc,
			   struct cfg_errors *errs)
{
	const config_setting_t *k = config_setting_get_member(ps, "kni");
	int rc = 0;

	if (k && !config_setting_is_group(k)) {
		cfg_error_add(errs, k, NULL, "must be a group { enabled = bool; ifname = \"..\"; }");
		return EDPVS_CONFIG;
	}
	if (k && cfg_check_keys(k, kni_keys, errs))
		rc = EDPVS_CONFIG;
	if (cfg_get_bool(k, "enabled", false, &pc->kni, errs))
		rc = EDPVS_CONFIG;
	if (cfg_get_string(k, "ifname", pc->name, pc->kni_ifname, sizeof(pc->kni_ifname), errs))
		rc = EDPVS_CONFIG;
	else if (!netif_ifname_ok(pc->kni_ifname)) {
		cfg_error_add(errs, k, "ifname", "bad interface name \"%s\"", pc->kni_ifname);
		rc = EDPVS_CONFIG;
	}
	return rc;
}

/* "mac": a unicast, non-zero MAC for the port (and its KNI interface). */
static int netif_parse_mac(const config_setting_t *ps, struct netif_port_conf *pc,
			   struct cfg_errors *errs)
{
	char mac[32];

	if (cfg_get_string(ps, "mac", "", mac, sizeof(mac), errs))
		return EDPVS_CONFIG;
	if (!mac[0])
		return 0;
	if (rte_ether_unformat_addr(mac, &pc->mac) != 0 || !rte_is_unicast_ether_addr(&pc->mac) ||
	    rte_is_zero_ether_addr(&pc->mac)) {
		cfg_error_add(errs, ps, "mac", "expected a unicast MAC xx:xx:xx:xx:xx:xx, got '%s'",
			      mac);
		return EDPVS_CONFIG;
	}
	pc->has_mac = true;
	return 0;
}

static int netif_parse_dev(const config_setting_t *ps, struct netif_port_conf *pc,
			   struct cfg_errors *errs)
{
	struct rte_pci_addr addr;
	char dev[NETIF_DEV_NAME_LEN];
	int rc = 0;

	if (cfg_get_string(ps, "vdev", "", pc->vdev, sizeof(pc->vdev), errs) ||
	    cfg_get_string(ps, "pci", "", pc->pci, sizeof(pc->pci), errs))
		return EDPVS_CONFIG;
	if (!pc->vdev[0] == !pc->pci[0]) {
		cfg_error_add(errs, ps, NULL, "needs exactly one of vdev = \"net_...\" or "
			      "pci = \"0000:00:00.0\"");
		return EDPVS_CONFIG;
	}
	if (pc->vdev[0]) {
		netif_conf_dev_name(pc, dev, sizeof(dev));
		if (!netif_devargs_ok(pc->vdev) || strncmp(dev, "net_", 4) != 0 ||
		    strcspn(pc->vdev, ",") >= sizeof(dev)) {
			cfg_error_add(errs, ps, "vdev", "bad vdev \"%s\" (expected e.g. "
				      "\"net_af_packet0,iface=veth0\")", pc->vdev);
			rc = EDPVS_CONFIG;
		} else if (strncmp(dev, "net_tap_kni", 11) == 0) {
			cfg_error_add(errs, ps, "vdev", "names net_tap_kni* are reserved for KNI");
			rc = EDPVS_CONFIG;
		}
	} else if (rte_pci_addr_parse(pc->pci, &addr) != 0) {
		cfg_error_add(errs, ps, "pci", "bad PCI address \"%s\"", pc->pci);
		rc = EDPVS_CONFIG;
	}
	return rc;
}

static int netif_parse_port(const config_setting_t *ps, unsigned int idx,
			    struct netif_port_conf *pc, struct cfg_errors *errs)
{
	char def[NETIF_NAME_LEN];
	int rc = 0;

	if (!config_setting_is_group(ps)) {
		cfg_error_add(errs, ps, NULL, "each port must be a group { name = ..; vdev = ..; }");
		return EDPVS_CONFIG;
	}
	if (cfg_check_keys(ps, port_keys, errs))
		rc = EDPVS_CONFIG;
	snprintf(def, sizeof(def), "dpdk%u", idx);
	if (cfg_get_string(ps, "name", def, pc->name, sizeof(pc->name), errs))
		rc = EDPVS_CONFIG;
	else if (!netif_ifname_ok(pc->name)) {
		cfg_error_add(errs, ps, "name", "bad port name \"%s\"", pc->name);
		rc = EDPVS_CONFIG;
	}
	if (netif_parse_dev(ps, pc, errs))
		rc = EDPVS_CONFIG;
	if (netif_parse_u16(ps, "mtu", 68, 9000, 1500, &pc->mtu, errs) ||
	    netif_parse_u16(ps, "rx_queues", 0, NETIF_MAX_QUEUES, 0, &pc->rx_queues, errs) ||
	    netif_parse_u16(ps, "tx_queues", 0, NETIF_MAX_QUEUES, 0, &pc->tx_queues, errs) ||
	    netif_parse_u16(ps, "rx_desc", 64, 16384, 1024, &pc->rx_desc, errs) ||
	    netif_parse_u16(ps, "tx_desc", 64, 16384, 1024, &pc->tx_desc, errs))
		rc = EDPVS_CONFIG;
	if (cfg_get_bool(ps, "promisc", false, &pc->promisc, errs))
		rc = EDPVS_CONFIG;
	if (netif_parse_rx_lcores(ps, pc, errs) || netif_parse_kni(ps, pc, errs) ||
	    netif_parse_mac(ps, pc, errs))
		rc = EDPVS_CONFIG;
	if (rc == 0 && pc->n_rx_lcores && pc->rx_queues && pc->n_rx_lcores != pc->rx_queues) {
		cfg_error_add(errs, ps, "rx_lcores", "has %u entries but rx_queues = %u "
			      "(one lcore per rx queue)", pc->n_rx_lcores, pc->rx_queues);
		rc = EDPVS_CONFIG;
	}
	return rc;
}

/* Names, devices and KNI interfaces must be unique across ports. */
static int netif_check_unique(const config_setting_t *list, const struct netif_conf *c,
			      struct cfg_errors *errs)
{
	char d1[NETIF_DEV_NAME_LEN], d2[NETIF_DEV_NAME_LEN];
	unsigned int i, j;
	int rc = 0;

	for (i = 0; i < c->n_ports; i++) {
		const struct netif_port_conf *a = &c->ports[i];
		const config_setting_t *s = config_setting_get_elem(list, i);

		netif_conf_dev_name(a, d1, sizeof(d1));
		for (j = 0; j < i; j++) {
			const struct netif_port_conf *b = &c->ports[j];

			netif_conf_dev_name(b, d2, sizeof(d2));
			if (strcmp(a->name, b->name) == 0 ||
			    (a->kni && b->kni && strcmp(a->kni_ifname, b->kni_ifname) == 0)) {
				cfg_error_add(errs, s, "name", "port or kni name \"%s\" used twice",
					      a->name);
				rc = EDPVS_CONFIG;
			}
			if (strcmp(d1, d2) == 0) {
				cfg_error_add(errs, s, NULL, "device \"%s\" used by two ports", d1);
				rc = EDPVS_CONFIG;
			}
		}
	}
	return rc;
}

static int netif_parse_ports(const config_setting_t *s, struct netif_conf *c,
			     struct cfg_errors *errs)
{
	const config_setting_t *list = s ? config_setting_get_member(s, "ports") : NULL;
	unsigned int i, n;
	int rc = 0;

	if (!list)
		return 0;
	if (!config_setting_is_list(list) && !config_setting_is_array(list)) {
		cfg_error_add(errs, list, NULL, "must be a list ( { ... }, { ... } )");
		return EDPVS_CONFIG;
	}
	n = (unsigned int)config_setting_length(list);
	if (n > NETIF_MAX_PORTS) {
		cfg_error_add(errs, list, NULL, "%u ports, at most %d", n, NETIF_MAX_PORTS);
		return EDPVS_CONFIG;
	}
	for (i = 0; i < n; i++)
		if (netif_parse_port(config_setting_get_elem(list, i), i, &c->ports[i], errs))
			rc = EDPVS_CONFIG;
	c->n_ports = n;
	if (rc == 0)
		rc = netif_check_unique(list, c, errs);
	return rc;
}

struct netif_conf *netif_conf_parse(const config_setting_t *s, struct cfg_errors *errs)
{
	struct netif_conf *c = calloc(1, sizeof(*c));
	int rc = 0;

	if (!c) {
		cfg_error_add(errs, s, NULL, "out of memory");
		return NULL;
	}
	if (s && !config_setting_is_group(s)) {
		cfg_error_add(errs, s, NULL, "must be a group");
		goto err;
	}
	if (s && cfg_check_keys(s, netif_keys, errs))
		rc = EDPVS_CONFIG;
	if (netif_parse_pool(s, c, errs))
		rc = EDPVS_CONFIG;
	if (netif_parse_ports(s, c, errs))
		rc = EDPVS_CONFIG;
	if (rc != 0)
		goto err;
	return c;
err:
	free(c);
	return NULL;
}

uint16_t netif_conf_data_room(const struct netif_conf *c)
{
	unsigned int room = 2048, i;

	for (i = 0; i < c->n_ports; i++) {
		unsigned int need = c->ports[i].mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 8;

		room = RTE_MAX(room, RTE_ALIGN_CEIL(need, 64));
	}
	return (uint16_t)(RTE_PKTMBUF_HEADROOM + room);
}

size_t netif_conf_mem_bytes(const struct netif_conf *c)
{
	size_t elt = sizeof(struct rte_mbuf) + netif_conf_data_room(c) + 128;
	size_t bytes = (size_t)c->pool_mbufs * elt;
	unsigned int i;

	for (i = 0; i < c->n_ports; i++)	/* rings, queues, device data */
		bytes += 4u << 20;
	bytes += (size_t)RTE_MAX_LCORE * (NETIF_REDIRECT_RING + NETIF_KNI_RING) * 8 / 16;
	return bytes + bytes / 8 + (8u << 20);
}

/* ---- cfg_section_ops ---- */

static void *netif_cfg_parse(const config_setting_t *s, struct cfg_errors *errs)
{
	return netif_conf_parse(s, errs);
}

static void netif_cfg_free(void *staged)
{
	netif_conf_free(staged);
}

int netif_conf_vdev_arg(const struct netif_port_conf *pc, char *out, size_t len)
{
	unsigned int q = RTE_MAX(pc->rx_queues, pc->n_rx_lcores);
	int n = snprintf(out, len, "--vdev=%s", pc->vdev);

	/* af_packet opens one socket per queue pair at probe (all of them get
	 * traffic, so all are polled): size it from the rx queues here.  Its
	 * mmap ring defaults to 512 frames whatever rx_desc says, which drops
	 * under bursts (TCP retransmits): give it rx_desc frames, rounded up
	 * to a power of two (the ring stays whole blocks of 2 frames). */
	if (strncmp(pc->vdev, "net_af_packet", 13) == 0) {
		if (n >= 0 && (size_t)n < len && !strstr(pc->vdev, "qpairs=") && q > 1)
			n += snprintf(out + n, len - (size_t)n, ",qpairs=%u", q);
		if (n >= 0 && (size_t)n < len && !strstr(pc->vdev, "framecnt="))
			n += snprintf(out + n, len - (size_t)n, ",framecnt=%u",
				      rte_align32pow2(pc->rx_desc));
	}
	return n >= 0 && (size_t)n < len ? 0 : EDPVS_RANGE;
}

static int netif_push_vdev(const struct netif_port_conf *pc, struct cfg_eal_args *a)
{
	char arg[NETIF_VDEV_LEN + 64];
	int rc = netif_conf_vdev_arg(pc, arg, sizeof(arg));

	return rc ? rc : cfg_eal_args_push(a, "%s", arg);
}

static int netif_cfg_eal_args(const void *staged, struct cfg_eal_args *a)
{
	const struct netif_conf *c = staged;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < c->n_ports && rc == 0; i++) {
		const struct netif_port_conf *pc = &c->ports[i];

		rc = pc->vdev[0] ? netif_push_vdev(pc, a) : cfg_eal_args_push(a, "-a%s", pc->pci);
		if (rc == 0 && pc->kni)
			rc = cfg_eal_args_push(a, "--vdev=" NETIF_KNI_VDEV_FMT ",iface=%s", i,
					       pc->kni_ifname);
	}
	a->mem_mb += (netif_conf_mem_bytes(c) + (1u << 20) - 1) >> 20;
	return rc;
}

/* ---- cross-references (to the lcores section) ---- */

/* The queues a port's device will offer, as far as they are known before
 * it is probed: net_af_packet opens qpairs queue pairs (the vdev's own
 * qpairs=, else what netif_conf_vdev_arg() adds); for other devices only
 * dpvsd's bound is known here.  *driver is the vdev name without its
 * instance digits ("net_af_packet0" -> "net_af_packet"), "" for PCI. */
static uint16_t netif_conf_max_queues(const struct netif_port_conf *pc, char *driver,
				      size_t len)
{
	const char *q = strstr(pc->vdev, "qpairs=");
	size_t n;

	netif_conf_dev_name(pc, driver, len);
	n = strlen(driver);
	while (n > 0 && isdigit((unsigned char)driver[n - 1]))
		driver[--n] = '\0';
	if (strcmp(driver, "net_af_packet") != 0)
		return NETIF_MAX_QUEUES;
	if (q)
		return (uint16_t)RTE_MIN(strtoul(q + 7, NULL, 10), (unsigned long)NETIF_MAX_QUEUES);
	return RTE_MAX(RTE_MAX(pc->rx_queues, pc->n_rx_lcores), (uint16_t)1);
}

/* What netif_port_open() will do with the queues of port pc, checked with
 * the same functions against the file's fwd_worker lcores. */
static void netif_check_port(const config_setting_t *ps, const struct netif_port_conf *pc,
			     const unsigned int *workers, unsigned int n_workers,
			     struct cfg_errors *errs)
{
	uint16_t map[NETIF_MAX_QUEUES], n_rxq, n_txq, maxq;
	char driver[NETIF_DEV_NAME_LEN], err[160];

	maxq = netif_conf_max_queues(pc, driver, sizeof(driver));
	if (netif_queue_counts(pc, driver, maxq, maxq, n_workers, &n_rxq, &n_txq) != 0) {
		cfg_error_add(errs, ps, NULL, "rx_queues, tx_queues and rx_lcores do not fit "
			      "the device (at most %u queues%s)", maxq,
			      strcmp(driver, "net_tap") == 0 ? ", as many rx as tx" : "");
		return;
	}
	if (netif_queue_map(n_rxq, workers, n_workers, pc->rx_lcores, pc->n_rx_lcores, map, err,
			    sizeof(err)) != 0) {
		const config_setting_t *rx = config_setting_get_member(ps, "rx_lcores");

		cfg_error_add(errs, rx ? rx : ps, NULL, "%s", err);
	}
}

static void netif_cfg_check(const config_setting_t *s, const void *staged,
			    const struct cfg_tree *t, struct cfg_errors *errs)
{
	const struct netif_conf *c = staged;
	const config_setting_t *list = s ? config_setting_get_member(s, "ports") : NULL;
	unsigned int workers[CFG_MAX_LCORES], nw, i;

	nw = cfg_tree_role_lcores(t, JOB_ROLE_FWD_WORKER, workers, CFG_MAX_LCORES);
	for (i = 0; i < c->n_ports; i++)
		netif_check_port(list ? config_setting_get_elem(list, i) : s, &c->ports[i],
				 workers, RTE_MIN(nw, (unsigned int)CFG_MAX_LCORES), errs);
}

bool netif_conf_has_port(const struct netif_conf *c, const char *name)
{
	unsigned int i;

	for (i = 0; c && name && i < c->n_ports; i++)
		if (strcmp(c->ports[i].name, name) == 0)
			return true;
	return false;
}

/* Everything of a port that a reload cannot change (all but mtu and
 * promisc), field by field: a struct memcmp would also compare padding. */
static bool port_conf_fixed_equal(const struct netif_port_conf *a, const struct netif_port_conf *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->vdev, b->vdev) == 0 &&
	       strcmp(a->pci, b->pci) == 0 && a->rx_queues == b->rx_queues &&
	       a->tx_queues == b->tx_queues && a->rx_desc == b->rx_desc &&
	       a->tx_desc == b->tx_desc && a->n_rx_lcores == b->n_rx_lcores &&
	       memcmp(a->rx_lcores, b->rx_lcores, a->n_rx_lcores * sizeof(a->rx_lcores[0])) == 0 &&
	       a->kni == b->kni && strcmp(a->kni_ifname, b->kni_ifname) == 0 &&
	       a->has_mac == b->has_mac && rte_is_same_ether_addr(&a->mac, &b->mac);
}

/* Why n cannot be applied to the running o without a restart (false: it can). */
static bool netif_restart_reason(const struct netif_conf *o, const struct netif_conf *n,
				 char *why, size_t len)
{
	unsigned int i;

	if (o->n_ports != n->n_ports) {
		snprintf(why, len, "ports added or removed (%u -> %u)", o->n_ports, n->n_ports);
		return true;
	}
	if (o->pool_mbufs != n->pool_mbufs || o->pool_cache != n->pool_cache) {
		snprintf(why, len, "pool changed");
		return true;
	}
	for (i = 0; i < n->n_ports; i++) {
		if (!port_conf_fixed_equal(&o->ports[i], &n->ports[i])) {
			snprintf(why, len, "port %s: device, queues, descriptors, rx_lcores, kni "
				 "or mac changed", n->ports[i].name);
			return true;
		}
	}
	if (netif_conf_data_room(o) < netif_conf_data_room(n)) {
		snprintf(why, len, "an mtu needs larger mbufs than the running pool has");
		return true;
	}
	return false;
}

static int netif_cfg_reload_check(const void *staged, struct cfg_errors *errs)
{
	char why[160];

	if (netif_ctx.conf && netif_restart_reason(netif_ctx.conf, staged, why, sizeof(why))) {
		cfg_error_add(errs, NULL, "netif", "%s: needs a restart of dpvsd", why);
		return EDPVS_CONFIG;
	}
	return 0;
}

/* The running config as a staged object (for cfg_apply's rollback). */
static void *netif_cfg_snapshot(void)
{
	struct netif_conf *c = netif_ctx.conf ? malloc(sizeof(*c)) : NULL;

	if (c)
		memcpy(c, netif_ctx.conf, sizeof(*c));
	return c;
}

/* Port i's mtu and promisc from was to now (what a reload may change). */
static int netif_port_reconf(unsigned int i, const struct netif_port_conf *was,
			     const struct netif_port_conf *now)
{
	struct netif_port *p = &netif_ctx.ports[i];
	int rc = now->mtu != was->mtu ? netif_port_set_mtu(p, now->mtu) : 0;

	if (rc == 0 && now->promisc != was->promisc)
		rc = netif_port_set_promisc(p, now->promisc);
	if (rc == EDPVS_NOTSUPP) {	/* e.g. memif MTU: keep, as at start */
		DPVS_LOG(netif, NOTICE, "%s: device cannot change mtu/promisc, kept", p->name);
		rc = 0;
	}
	return rc;
}

/* Apply c's run-time settings; a failure puts the ports already changed
 * (and the failing one) back, so that nothing of c stays applied. */
static int netif_cfg_reload(struct netif_conf *c, struct cfg_errors *errs)
{
	const struct netif_conf *o = netif_ctx.conf;
	unsigned int i;
	int rc;

	if (netif_cfg_reload_check(c, errs) != 0)
		return EDPVS_CONFIG;
	for (i = 0; i < c->n_ports; i++) {
		rc = netif_port_reconf(i, &o->ports[i], &c->ports[i]);
		if (rc != 0)
			goto err;
	}
	netif_conf_free(netif_ctx.conf);
	netif_ctx.conf = c;
	return 0;
err:
	cfg_error_add(errs, NULL, "netif.ports", "%s: %s", netif_ctx.ports[i].name,
		      dpvs_strerror(rc));
	do {
		if (netif_port_reconf(i, &c->ports[i], &o->ports[i]) != 0)
			DPVS_LOG(netif, CRIT, "%s: cannot restore mtu %u / promisc %d",
				 netif_ctx.ports[i].name, o->ports[i].mtu, o->ports[i].promisc);
	} while (i-- > 0);
	return rc;
}

static int netif_cfg_start(struct netif_conf *c, struct cfg_errors *errs)
{
	char err[256] = "";
	unsigned int bad = 0;
	int rc;

	rc = netif_pool_create(c);
	if (rc != 0) {
		cfg_error_add(errs, NULL, "netif.pool", "cannot create the mbuf pool (%u mbufs): %s",
			      c->pool_mbufs, dpvs_strerror(rc));
		return rc;
	}
	rc = netif_redirect_setup();
	if (rc != 0) {
		cfg_error_add(errs, NULL, "netif", "redirect rings: %s", dpvs_strerror(rc));
		goto err_pool;
	}
	rc = netif_ports_start(c, &bad, err, sizeof(err));
	if (rc != 0) {
		cfg_error_add(errs, NULL, "netif.ports", "[%u] %s: %s", bad, c->ports[bad].name, err);
		goto err_redirect;
	}
	rc = kni_start(c, &bad, err, sizeof(err));
	if (rc != 0) {
		cfg_error_add(errs, NULL, "netif.ports", "[%u] %s kni: %s", bad, c->ports[bad].name,
			      err);
		goto err_ports;
	}
	netif_ctx.conf = c;
	return 0;
err_ports:
	netif_ports_stop();
err_redirect:
	netif_redirect_teardown();
err_pool:
	netif_pool_free();
	return rc;
}

static int netif_cfg_apply(void *staged, bool reload, struct cfg_errors *errs)
{
	if (reload && netif_ctx.conf)
		return netif_cfg_reload(staged, errs);
	if (netif_ctx.conf) {
		cfg_error_add(errs, NULL, "netif", "already applied");
		return EDPVS_BUSY;
	}
	return netif_cfg_start(staged, errs);
}

static const struct cfg_section_ops netif_cfg_ops = {
	.name = "netif",
	.order = 100,
	.parse = netif_cfg_parse,
	.apply = netif_cfg_apply,
	.free = netif_cfg_free,
	.eal_args = netif_cfg_eal_args,
	.check = netif_cfg_check,
	.reload_check = netif_cfg_reload_check,
	.snapshot = netif_cfg_snapshot,
};

RTE_INIT(netif_cfg_register)
{
	cfg_section_register(&netif_cfg_ops);
}
