/*
 * dpip_cfg_save.c - `dpip cfg save`: the running service table (every
 * service, real server and FNAT local address, whether it came from the
 * file or from ipvsadm) printed as a "services" section of dpvsd.conf
 * (src/ipvs/svc_cfg.c reads it back), from IPVS_OP_SVC_LIST and
 * IPVS_OP_LADDR_LIST.  Put in the file in place of its services section,
 * a restart or reload gives the same `ipvsadm -Sn`.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "dpip.h"
#include "ipvs/ipvs_wire.h"

static const char *save_mode(uint8_t fwd)
{
	switch (fwd) {
	case IPVS_WIRE_FWD_MASQ: return "nat";
	case IPVS_WIRE_FWD_TUNNEL: return "tunnel";
	case IPVS_WIRE_FWD_DR: return "dr";
	case IPVS_WIRE_FWD_FNAT: return "fnat";
	default: return NULL;
	}
}

static const char *save_ip(uint32_t be, char *buf)
{
	return inet_ntop(AF_INET, &be, buf, INET_ADDRSTRLEN);
}

static void save_sched_flags(uint32_t f)
{
	static const char *const keys[] = { "hash-sip", "hash-sip-sport", "hash-quic-cid" };
	uint32_t key = (f & IPVS_WIRE_SCHED_F_KEY_MASK) >> IPVS_WIRE_SCHED_F_KEY_SHIFT;
	const char *sep = "";

	if (f == 0)
		return;
	printf("    sched_flags = [");
	if (f & IPVS_WIRE_SCHED_F_FALLBACK) {
		printf(" \"fallback\"");
		sep = ",";
	}
	if (f & IPVS_WIRE_SCHED_F_PORT) {
		printf("%s \"port\"", sep);
		sep = ",";
	}
	if (key != 0 && key < 3)
		printf("%s \"%s\"", sep, keys[key]);
	printf(" ];\n");
}

static void save_svc_head(const struct ipvs_wire_svc_conf *c)
{
	static const char *const protos[] = { [IPPROTO_TCP] = "tcp", [IPPROTO_UDP] = "udp",
					      [IPPROTO_SCTP] = "sctp" };
	char a[INET_ADDRSTRLEN];

	if (c->key.fwmark)
		printf("  { fwmark = %u;", c->key.fwmark);
	else
		printf("  { proto = \"%s\"; vip = \"%s\"; port = %u;", protos[c->key.proto],
		       save_ip(c->key.addr.in4, a), c->key.port);
	printf(" scheduler = \"%.*s\";\n", IPVS_WIRE_SCHED_NAME_LEN, c->sched);
	if (c->flags & IPVS_WIRE_SVC_F_PERSISTENT)
		printf("    persistent = %u; netmask = \"%s\";\n", c->timeout,
		       save_ip(c->netmask, a));
	if (c->flags & IPVS_WIRE_SVC_F_ONEPACKET)
		printf("    one_packet = true;\n");
	if (c->flags & IPVS_WIRE_SVC_F_NOTOA)
		printf("    toa = false;\n");
	if (c->proxy_protocol == IPVS_WIRE_PP_V2)
		printf("    proxy_protocol = \"v2\";\n");
	save_sched_flags(c->sched_flags);
}

static bool save_key_eq(const struct ipvs_wire_svc_key *a, const struct ipvs_wire_svc_key *b)
{
	return a->af == b->af && a->proto == b->proto && a->port == b->port &&
	       a->fwmark == b->fwmark && memcmp(a->addr.in6, b->addr.in6, sizeof(a->addr.in6)) == 0;
}

static int save_laddrs(const struct ipvs_wire_svc_key *k, const struct ipvs_wire_laddr_entry *l,
		       uint32_t n)
{
	const char *dev = NULL, *sep = "";
	char a[INET_ADDRSTRLEN];
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (!save_key_eq(&l[i].svc, k))
			continue;
		if (dev && strncmp(dev, l[i].ifname, IPVS_WIRE_IFNAME_LEN) != 0) {
			cli_error("the local addresses of a service are on different devices: "
				  "a services section has one local_dev per service");
			return -1;
		}
		if (!dev)
			printf("    local_addresses = [");
		dev = l[i].ifname;
		printf("%s \"%s\"", sep, save_ip(l[i].addr.in4, a));
		sep = ",";
	}
	if (dev)
		printf(" ];%s%.*s%s\n", dev[0] ? " local_dev = \"" : "", IPVS_WIRE_IFNAME_LEN, dev,
		       dev[0] ? "\";" : "");
	return 0;
}

static int save_dest(const struct ipvs_wire_dest_conf *d, bool last)
{
	static const char *const tuns[] = { "ipip", "gue", "gre" };
	const char *mode = save_mode(d->fwd);
	char a[INET_ADDRSTRLEN];

	if (mode == NULL || d->af != AF_INET) {
		cli_error("real server with a forwarding method or family a file cannot declare");
		return -1;
	}
	printf("        { addr = \"%s\"; port = %u; mode = \"%s\"; weight = %u;",
	       save_ip(d->addr.in4, a), d->port, mode, d->weight);
	if (d->u_threshold || d->l_threshold)
		printf(" u_threshold = %u; l_threshold = %u;", d->u_threshold, d->l_threshold);
	if (d->fwd == IPVS_WIRE_FWD_TUNNEL && d->tun_type < 3) {
		printf(" tun_type = \"%s\";", tuns[d->tun_type]);
		if (d->tun_port)
			printf(" tun_port = %u;", d->tun_port);
		if (d->tun_flags & IPVS_WIRE_TUN_F_CSUM)
			printf(" tun_csum = true;");
	}
	printf(" }%s\n", last ? "" : ",");
	return 0;
}

/* The list reply: header, then per service its entry and dests. */
static int save_list(const uint8_t *p, uint32_t len, const struct ipvs_wire_laddr_entry *l,
		     uint32_t nl)
{
	struct ipvs_wire_list h;
	struct ipvs_wire_svc_entry se;
	struct ipvs_wire_dest_entry de;
	uint32_t i, j, off = sizeof(h);

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, p, sizeof(h));
	printf("# the running services of dpvsd (dpip cfg save)\nservices = (\n");
	for (i = 0; i < h.n_svcs; i++) {
		if (len - off < sizeof(se))
			goto bad;
		memcpy(&se, p + off, sizeof(se));
		off += sizeof(se);
		if (se.conf.key.af != AF_INET || (se.conf.key.fwmark == 0 &&
		    se.conf.key.proto != IPPROTO_TCP && se.conf.key.proto != IPPROTO_UDP &&
		    se.conf.key.proto != IPPROTO_SCTP)) {
			cli_error("a service a file cannot declare (not IPv4 tcp/udp/sctp/fwmark)");
			return -1;
		}
		save_svc_head(&se.conf);
		if (save_laddrs(&se.conf.key, l, nl) != 0)
			return -1;
		if (se.n_dests)
			printf("    real_servers = (\n");
		for (j = 0; j < se.n_dests; j++) {
			if (len - off < sizeof(de))
				goto bad;
			memcpy(&de, p + off, sizeof(de));
			off += sizeof(de);
			if (save_dest(&de.conf, j + 1 == se.n_dests) != 0)
				return -1;
		}
		printf("%s  }%s\n", se.n_dests ? "    );\n" : "", i + 1 == h.n_svcs ? "" : ",");
	}
	printf(");\n");
	return 0;
bad:
	cli_error("malformed service list reply from dpvsd");
	return -1;
}

int dpip_cfg_save(const struct dpip_opts *o, int argc, char **argv)
{
	struct ipvs_wire_laddr_list_req q = { .flags = IPVS_WIRE_LADDR_F_ALL };
	struct ipvs_wire_laddr_list lh;
	struct ctl_result svcs, laddrs;
	int rc = DPIP_EXIT_FAIL;

	(void)argv;
	if (argc > 0 || o->json) {
		cli_error("cfg save takes no arguments (and has no JSON form: it prints config)");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, IPVS_OP_SVC_LIST, NULL, 0, &svcs))
		return DPIP_EXIT_FAIL;
	if (dpip_call(o, IPVS_OP_LADDR_LIST, &q, sizeof(q), &laddrs)) {
		ctl_result_free(&svcs);
		return DPIP_EXIT_FAIL;
	}
	if (laddrs.len < sizeof(lh)) {
		cli_error("malformed local address list reply from dpvsd");
		goto out;
	}
	memcpy(&lh, laddrs.data, sizeof(lh));
	if ((laddrs.len - sizeof(lh)) / sizeof(struct ipvs_wire_laddr_entry) < lh.n) {
		cli_error("malformed local address list reply from dpvsd");
		goto out;
	}
	if (save_list(svcs.data, svcs.len,
		      (const struct ipvs_wire_laddr_entry *)(const void *)
		      ((const uint8_t *)laddrs.data + sizeof(lh)), lh.n) == 0)
		rc = DPIP_EXIT_OK;
out:
	ctl_result_free(&svcs);
	ctl_result_free(&laddrs);
	return rc;
}
