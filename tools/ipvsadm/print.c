/*
 * print.c - ipvsadm's output formats: -L (plain, --stats, --rate,
 * --thresholds, --persistent-conn), -Lc, --timeout, -S rules, laddrs; and
 * decoding/sorting of the daemon's list replies (include/ipvs/ipvs_wire.h).
 * Column layouts follow ipvsadm's documented output so that scripts
 * written for it keep working.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "ipvsadm.h"

#define ADDRPORT_LEN 320

static const char *const fwd_names[IPVS_WIRE_FWD_MAX] = {
	[IPVS_WIRE_FWD_MASQ] = "Masq",
	[IPVS_WIRE_FWD_LOCAL] = "Local",
	[IPVS_WIRE_FWD_TUNNEL] = "Tunnel",
	[IPVS_WIRE_FWD_DR] = "Route",
	[IPVS_WIRE_FWD_FNAT] = "FullNat",
};

static const char *const fwd_switches[IPVS_WIRE_FWD_MAX] = {
	[IPVS_WIRE_FWD_MASQ] = "-m",
	[IPVS_WIRE_FWD_LOCAL] = "-m",
	[IPVS_WIRE_FWD_TUNNEL] = "-i",
	[IPVS_WIRE_FWD_DR] = "-g",
	[IPVS_WIRE_FWD_FNAT] = "-b",
};

const char *ipvsadm_fwd_name(uint8_t fwd)
{
	return fwd < IPVS_WIRE_FWD_MAX ? fwd_names[fwd] : "Unknown";
}

const char *ipvsadm_fwd_switch(uint8_t fwd)
{
	return fwd < IPVS_WIRE_FWD_MAX ? fwd_switches[fwd] : "-g";
}

void ipvsadm_fmt_sched_flags(char *buf, size_t len, uint32_t flags)
{
	static const char *const keys[IPVS_WIRE_HASH_MAX] = {
		[IPVS_WIRE_HASH_SIP] = "hash-sip",
		[IPVS_WIRE_HASH_SIP_SPORT] = "hash-sip-sport",
		[IPVS_WIRE_HASH_QUIC_CID] = "hash-quic-cid",
	};
	uint32_t key = (flags & IPVS_WIRE_SCHED_F_KEY_MASK) >> IPVS_WIRE_SCHED_F_KEY_SHIFT;

	snprintf(buf, len, "%s%s%s%s%s",
		 (flags & IPVS_WIRE_SCHED_F_FALLBACK) ? "fallback" : "",
		 (flags & IPVS_WIRE_SCHED_F_FALLBACK) && (flags & IPVS_WIRE_SCHED_F_PORT) ? "," : "",
		 (flags & IPVS_WIRE_SCHED_F_PORT) ? "port" : "",
		 key != 0 && (flags & (IPVS_WIRE_SCHED_F_FALLBACK | IPVS_WIRE_SCHED_F_PORT)) ?
		 "," : "",
		 key == 0 ? "" : key < IPVS_WIRE_HASH_MAX ? keys[key] : "hash-?");
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_SCTP: return "SCTP";
	default: return "IP";
	}
}

void ipvsadm_fmt_addr(char *buf, size_t len, uint8_t af, const union ipvs_wire_addr *a,
		      bool numeric)
{
	if (!numeric) {
		struct sockaddr_storage ss;
		socklen_t sl;

		memset(&ss, 0, sizeof(ss));
		if (af == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, a->in6, 16);
			sl = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = a->in4;
			sl = sizeof(*s4);
		}
		if (getnameinfo((struct sockaddr *)&ss, sl, buf, (socklen_t)len, NULL, 0,
				NI_NAMEREQD) == 0)
			return;
	}
	if (inet_ntop(af == AF_INET6 ? AF_INET6 : AF_INET, af == AF_INET6 ?
		      (const void *)a->in6 : (const void *)&a->in4, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

void ipvsadm_fmt_addrport(char *buf, size_t len, uint8_t af, const union ipvs_wire_addr *a,
			  uint16_t port, uint8_t proto, bool numeric)
{
	char host[256], serv[64];
	const struct servent *se = NULL;

	ipvsadm_fmt_addr(host, sizeof(host), af, a, numeric);
	if (!numeric && (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP))
		se = getservbyport(htons(port), proto == IPPROTO_UDP ? "udp" :
					       proto == IPPROTO_SCTP ? "sctp" : "tcp");
	if (se != NULL)
		snprintf(serv, sizeof(serv), "%s", se->s_name);
	else
		snprintf(serv, sizeof(serv), "%u", port);
	if (af == AF_INET6 && strchr(host, ':') != NULL)
		snprintf(buf, len, "[%s]:%s", host, serv);
	else
		snprintf(buf, len, "%s:%s", host, serv);
}

void ipvsadm_print_largenum(FILE *f, uint64_t v, uint32_t fmt)
{
	if (fmt & IPVSADM_FMT_EXACT) {
		char tmp[32];
		int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

		fprintf(f, "%*s", n <= 8 ? 9 : n + 1, tmp);
	} else if (v < 100000000ULL) {
		fprintf(f, "%9" PRIu64, v);
	} else if (v < 1000000000ULL) {
		fprintf(f, "%8" PRIu64 "K", v / UINT64_C(1000));
	} else if (v < 100000000000ULL) {
		fprintf(f, "%8" PRIu64 "M", v / UINT64_C(1000000));
	} else if (v < 100000000000000ULL) {
		fprintf(f, "%8" PRIu64 "G", v / UINT64_C(1000000000));
	} else {
		fprintf(f, "%8" PRIu64 "T", v / UINT64_C(1000000000000));
	}
}

/* "TCP  1.2.3.4:80" / "FWM  7" for lists, "-t 1.2.3.4:80" / "-f 7" for rules. */
static void fmt_svc_name(char *buf, size_t len, const struct ipvs_wire_svc_key *k, uint32_t fmt)
{
	char ap[ADDRPORT_LEN];
	bool rule = fmt & IPVSADM_FMT_RULE;

	if (k->fwmark != 0) {
		snprintf(buf, len, rule ? "-f %u%s" : "FWM  %u%s", k->fwmark,
			 k->af == AF_INET6 ? (rule ? " -6" : " IPv6") : "");
		return;
	}
	ipvsadm_fmt_addrport(ap, sizeof(ap), k->af, &k->addr, k->port, k->proto,
			     fmt & IPVSADM_FMT_NUMERIC);
	if (rule)
		snprintf(buf, len, "%s %s", k->proto == IPPROTO_UDP ? "-u" :
			 k->proto == IPPROTO_SCTP ? "--sctp-service" : "-t", ap);
	else
		snprintf(buf, len, "%s  %s", proto_name(k->proto), ap);
}

static void fmt_dest_name(char *buf, size_t len, const struct ipvs_wire_svc_key *k,
			  const struct ipvs_wire_dest_conf *d, uint32_t fmt)
{
	ipvsadm_fmt_addrport(buf, len, d->af, &d->addr, d->port, k->proto,
			     fmt & IPVSADM_FMT_NUMERIC);
}

static void print_title(FILE *f, const struct ipvs_wire_info *info, uint32_t fmt)
{
	fprintf(f, "IP Virtual Server version %u.%u.%u (size=%u)\n", (info->version >> 16) & 0xff,
		(info->version >> 8) & 0xff, info->version & 0xff, info->conn_tab_size);
	if (fmt & IPVSADM_FMT_STATS)
		fputs("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
		      "  -> RemoteAddress:Port\n", f);
	else if (fmt & IPVSADM_FMT_RATE)
		fputs("Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
		      "  -> RemoteAddress:Port\n", f);
	else if (fmt & IPVSADM_FMT_THRESHOLDS)
		fputs("Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\n"
		      "  -> RemoteAddress:Port\n", f);
	else if (fmt & IPVSADM_FMT_PERSISTCONN)
		fputs("Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn\n"
		      "  -> RemoteAddress:Port\n", f);
	else if (fmt & IPVSADM_FMT_TUN_INFO)
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn "
		      "InActConn\n", f);
	else
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		      "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n", f);
}

static void print_counters(FILE *f, const struct ipvs_wire_stats *s, uint32_t fmt)
{
	ipvsadm_print_largenum(f, s->conns, fmt);
	ipvsadm_print_largenum(f, s->inpkts, fmt);
	ipvsadm_print_largenum(f, s->outpkts, fmt);
	ipvsadm_print_largenum(f, s->inbytes, fmt);
	ipvsadm_print_largenum(f, s->outbytes, fmt);
}

static void print_rates(FILE *f, const struct ipvs_wire_stats *s, uint32_t fmt)
{
	fprintf(f, " %8" PRIu64 " %8" PRIu64 " %8" PRIu64, s->cps, s->inpps, s->outpps);
	ipvsadm_print_largenum(f, s->inbps, fmt);
	ipvsadm_print_largenum(f, s->outbps, fmt);
}

static void print_svc_flags(FILE *f, const struct ipvs_wire_svc_conf *c)
{
	if (c->flags & IPVS_WIRE_SVC_F_PERSISTENT) {
		fprintf(f, " persistent %u", c->timeout);
		if (c->key.af == AF_INET && c->netmask != 0xffffffffu) {
			char m[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &c->netmask, m, sizeof(m));
			fprintf(f, " mask %s", m);
		} else if (c->key.af == AF_INET6 && c->netmask != 128) {
			fprintf(f, " mask %u", c->netmask);
		}
	}
	if (c->flags & IPVS_WIRE_SVC_F_ONEPACKET)
		fputs(" ops", f);
	if (c->flags & IPVS_WIRE_SVC_F_NOTOA)
		fputs(" no-toa", f);
	if (c->proxy_protocol == IPVS_WIRE_PP_V2)
		fputs(" proxy-protocol v2", f);
	if (c->sched_flags != 0) {
		char sf[96];

		ipvsadm_fmt_sched_flags(sf, sizeof(sf), c->sched_flags);
		fprintf(f, " sched-flags %s", sf);
	}
}

static void print_service_line(FILE *f, const struct ipvs_wire_svc_entry *e, uint32_t fmt)
{
	char name[ADDRPORT_LEN + 16];

	fmt_svc_name(name, sizeof(name), &e->conf.key, fmt);
	if (fmt & IPVSADM_FMT_STATS) {
		fprintf(f, "%-33s", name);
		print_counters(f, &e->stats, fmt);
	} else if (fmt & IPVSADM_FMT_RATE) {
		fprintf(f, "%-33s", name);
		print_rates(f, &e->stats, fmt);
	} else {
		fprintf(f, "%s %s", name, e->conf.sched);
		print_svc_flags(f, &e->conf);
	}
	fputc('\n', f);
}

static void print_dest_line(FILE *f, const struct ipvs_wire_svc_key *k,
			    const struct ipvs_wire_dest_entry *d, uint32_t fmt)
{
	char name[ADDRPORT_LEN];

	fmt_dest_name(name, sizeof(name), k, &d->conf, fmt);
	if (fmt & IPVSADM_FMT_STATS) {
		fprintf(f, "  -> %-28s", name);
		print_counters(f, &d->stats, fmt);
		fputc('\n', f);
	} else if (fmt & IPVSADM_FMT_RATE) {
		fprintf(f, "  -> %-28s", name);
		print_rates(f, &d->stats, fmt);
		fputc('\n', f);
	} else if (fmt & IPVSADM_FMT_THRESHOLDS) {
		fprintf(f, "  -> %-28s %-10u %-10u %-10u %-10u\n", name, d->conf.u_threshold,
			d->conf.l_threshold, d->activeconns, d->inactconns);
	} else if (fmt & IPVSADM_FMT_PERSISTCONN) {
		fprintf(f, "  -> %-28s %-9u %-11u %-10u %-10u\n", name, d->conf.weight,
			d->persistconns, d->activeconns, d->inactconns);
	} else if (fmt & IPVSADM_FMT_TUN_INFO) {
		char ti[32];

		ipvsadm_fmt_tun_info(ti, sizeof(ti), &d->conf);
		fprintf(f, "  -> %-28s %-7s %-13s %-6u %-10u %-10u\n", name,
			ipvsadm_fwd_name(d->conf.fwd), ti, d->conf.weight, d->activeconns,
			d->inactconns);
	} else {
		fprintf(f, "  -> %-28s %-7s %-6u %-10u %-10u\n", name,
			ipvsadm_fwd_name(d->conf.fwd), d->conf.weight, d->activeconns,
			d->inactconns);
	}
}

void ipvsadm_print_list(FILE *f, const struct ipvs_wire_info *info,
			const struct ipvsadm_list *l, uint32_t fmt)
{
	unsigned int i, j;

	print_title(f, info, fmt);
	for (i = 0; i < l->n; i++) {
		const struct ipvsadm_svc *s = &l->svcs[i];

		print_service_line(f, &s->e, fmt);
		for (j = 0; j < s->e.n_dests; j++)
			print_dest_line(f, &s->e.conf.key, &s->dests[j], fmt);
	}
}

static void print_rule_service(FILE *f, const struct ipvs_wire_svc_conf *c, const char *name)
{
	fprintf(f, "-A %s -s %s", name, c->sched);
	if (c->flags & IPVS_WIRE_SVC_F_PERSISTENT) {
		fprintf(f, " -p %u", c->timeout);
		if (c->key.af == AF_INET && c->netmask != 0xffffffffu) {
			char m[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &c->netmask, m, sizeof(m));
			fprintf(f, " -M %s", m);
		} else if (c->key.af == AF_INET6 && c->netmask != 128) {
			fprintf(f, " -M %u", c->netmask);
		}
	}
	if (c->flags & IPVS_WIRE_SVC_F_ONEPACKET)
		fputs(" -o", f);
	if (c->flags & IPVS_WIRE_SVC_F_NOTOA)
		fputs(" --no-toa", f);
	if (c->proxy_protocol == IPVS_WIRE_PP_V2)
		fputs(" --proxy-protocol v2", f);
	if (c->sched_flags != 0) {
		char sf[96];

		ipvsadm_fmt_sched_flags(sf, sizeof(sf), c->sched_flags);
		fprintf(f, " --sched-flags %s", sf);
	}
	fputc('\n', f);
}

static const char *const tun_names[IPVS_WIRE_TUN_MAX] = {
	[IPVS_WIRE_TUN_IPIP] = "ipip",
	[IPVS_WIRE_TUN_GUE] = "gue",
	[IPVS_WIRE_TUN_GRE] = "gre",
};

static const char *tun_name(uint8_t t)
{
	return t < IPVS_WIRE_TUN_MAX ? tun_names[t] : "?";
}

void ipvsadm_fmt_tun_info(char *buf, size_t len, const struct ipvs_wire_dest_conf *d)
{
	const char *c = (d->tun_flags & IPVS_WIRE_TUN_F_CSUM) ? "+c" : "-c";

	if (d->fwd != IPVS_WIRE_FWD_TUNNEL)
		snprintf(buf, len, "n/a");
	else if (d->tun_type == IPVS_WIRE_TUN_GUE)
		snprintf(buf, len, "gue:%u:%s", d->tun_port, c);
	else if (d->tun_type == IPVS_WIRE_TUN_GRE)
		snprintf(buf, len, "gre:%s", c);
	else
		snprintf(buf, len, "%s", tun_name(d->tun_type));
}

/* ipvsadm -S of a TUNNEL real server: " --tun-type T [--tun-port P]
 * [--tun-csum|--tun-nocsum]". */
static void print_rule_tunnel(FILE *f, const struct ipvs_wire_dest_conf *d)
{
	const char *c = (d->tun_flags & IPVS_WIRE_TUN_F_CSUM) ? "--tun-csum" : "--tun-nocsum";

	fprintf(f, " --tun-type %s", tun_name(d->tun_type));
	if (d->tun_type == IPVS_WIRE_TUN_GUE)
		fprintf(f, " --tun-port %u", d->tun_port);
	if (d->tun_type == IPVS_WIRE_TUN_GUE || d->tun_type == IPVS_WIRE_TUN_GRE)
		fprintf(f, " %s", c);
}

void ipvsadm_print_rules(FILE *f, const struct ipvsadm_list *l, uint32_t fmt)
{
	char name[ADDRPORT_LEN + 16], dname[ADDRPORT_LEN];
	unsigned int i, j;

	fmt |= IPVSADM_FMT_RULE;
	for (i = 0; i < l->n; i++) {
		const struct ipvsadm_svc *s = &l->svcs[i];

		fmt_svc_name(name, sizeof(name), &s->e.conf.key, fmt);
		print_rule_service(f, &s->e.conf, name);
		for (j = 0; j < s->e.n_dests; j++) {
			const struct ipvs_wire_dest_conf *d = &s->dests[j].conf;

			fmt_dest_name(dname, sizeof(dname), &s->e.conf.key, d, fmt);
			fprintf(f, "-a %s -r %s %s -w %u", name, dname, ipvsadm_fwd_switch(d->fwd),
				d->weight);
			if (d->fwd == IPVS_WIRE_FWD_TUNNEL)
				print_rule_tunnel(f, d);
			if (d->u_threshold)
				fprintf(f, " -x %u", d->u_threshold);
			if (d->l_threshold)
				fprintf(f, " -y %u", d->l_threshold);
			fputc('\n', f);
		}
	}
}

void ipvsadm_print_laddr_rules(FILE *f, const struct ipvs_wire_laddr_entry *e, unsigned int n,
			       uint32_t fmt)
{
	char name[ADDRPORT_LEN + 16], addr[256];
	unsigned int i;

	fmt |= IPVSADM_FMT_RULE;
	for (i = 0; i < n; i++) {
		fmt_svc_name(name, sizeof(name), &e[i].svc, fmt);
		ipvsadm_fmt_addr(addr, sizeof(addr), e[i].af, &e[i].addr, true);
		fprintf(f, "-P %s -z %s", name, addr);
		if (e[i].ifname[0] != '\0')
			fprintf(f, " -F %.*s", IPVS_WIRE_IFNAME_LEN, e[i].ifname);
		fputc('\n', f);
	}
}

void ipvsadm_print_laddr_warnings(FILE *f, const struct ipvsadm_req *r, uint32_t warnings)
{
	char addr[256];

	ipvsadm_fmt_addr(addr, sizeof(addr), r->laddr_af, &r->laddr, true);
	if (warnings & IPVS_WIRE_LADDR_W_NOT_LOCAL)
		fprintf(f, "Warning: local address %s is not configured on any port "
			"(dpip addr add %s/LEN dev PORT): FNAT connections given it get no "
			"replies until it is\n", addr, addr);
	if (warnings & IPVS_WIRE_LADDR_W_OTHER_PORT)
		fprintf(f, "Warning: local address %s is configured on another port than %.*s\n",
			addr, IPVS_WIRE_IFNAME_LEN, r->ifname);
}

void ipvsadm_print_laddrs(FILE *f, const struct ipvs_wire_laddr_entry *e, unsigned int n,
			  uint32_t fmt)
{
	char name[ADDRPORT_LEN + 16], addr[256];
	unsigned int i;

	fprintf(f, "%-33s %-24s %-15s %10s %10s\n", "Prot VirtualAddress:Port", "LocalAddress",
		"Interface", "Conns", "Conflicts");
	for (i = 0; i < n; i++) {
		fmt_svc_name(name, sizeof(name), &e[i].svc, fmt & ~IPVSADM_FMT_RULE);
		ipvsadm_fmt_addr(addr, sizeof(addr), e[i].af, &e[i].addr, true);
		fprintf(f, "%-33s %-24s %-15.*s %10" PRIu64 " %10" PRIu64 "\n", name, addr,
			IPVS_WIRE_IFNAME_LEN, e[i].ifname[0] ? e[i].ifname : "-", e[i].conns,
			e[i].port_conflicts);
	}
}

/* ipvsadm's columns with DPVS's "local" (the FNAT local address:port, "-"
 * for the other forwarding methods) between virtual and destination; the
 * last column is not padded, so lines carry no trailing blanks. */
void ipvsadm_print_conn_title(FILE *f)
{
	fputs("IPVS connection entries\n"
	      "pro expire state       source             virtual            local              "
	      "destination\n", f);
}

void ipvsadm_print_conn(FILE *f, const struct ipvs_wire_conn_entry *c, uint32_t fmt)
{
	char cname[ADDRPORT_LEN], vname[ADDRPORT_LEN], lname[ADDRPORT_LEN], dname[ADDRPORT_LEN];
	bool numeric = fmt & IPVSADM_FMT_NUMERIC;
	unsigned int secs = c->expire_ms / 1000u;

	ipvsadm_fmt_addrport(cname, sizeof(cname), c->af, &c->caddr, c->cport, c->proto, numeric);
	ipvsadm_fmt_addrport(vname, sizeof(vname), c->af, &c->vaddr, c->vport, c->proto, numeric);
	ipvsadm_fmt_addrport(dname, sizeof(dname), c->af, &c->daddr, c->dport, c->proto, numeric);
	if (c->fwd == IPVS_WIRE_FWD_FNAT)
		ipvsadm_fmt_addrport(lname, sizeof(lname), c->af, &c->laddr, c->lport, c->proto,
				     numeric);
	else
		snprintf(lname, sizeof(lname), "-");
	fprintf(f, "%-3s %02u:%02u  %-11.*s %-18s %-18s %-18s %s\n", proto_name(c->proto),
		secs / 60, secs % 60, IPVS_WIRE_STATE_NAME_LEN, c->state, cname, vname, lname,
		dname);
}

void ipvsadm_print_timeout(FILE *f, const struct ipvs_wire_timeout *t)
{
	fprintf(f, "Timeout (tcp tcpfin udp): %u %u %u\n", t->tcp, t->tcp_fin, t->udp);
}

int ipvsadm_list_decode(void *buf, size_t len, struct ipvsadm_list *out)
{
	uint8_t *p = buf;
	struct ipvs_wire_list hdr;
	size_t off = sizeof(hdr);
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(hdr))
		return -1;
	memcpy(&hdr, p, sizeof(hdr));
	if (hdr.n_svcs > (len - off) / sizeof(struct ipvs_wire_svc_entry))
		return -1;
	out->svcs = calloc(hdr.n_svcs ? hdr.n_svcs : 1, sizeof(*out->svcs));
	if (out->svcs == NULL)
		return -1;
	for (i = 0; i < hdr.n_svcs; i++) {
		struct ipvsadm_svc *s = &out->svcs[i];

		if (len - off < sizeof(s->e))
			goto err;
		memcpy(&s->e, p + off, sizeof(s->e));
		off += sizeof(s->e);
		if (s->e.n_dests > (len - off) / sizeof(struct ipvs_wire_dest_entry))
			goto err;
		s->dests = (struct ipvs_wire_dest_entry *)(void *)(p + off);
		off += (size_t)s->e.n_dests * sizeof(struct ipvs_wire_dest_entry);
		out->n = i + 1;
	}
	if (off != len)
		goto err;
	return 0;
err:
	ipvsadm_list_free(out);
	return -1;
}

void ipvsadm_list_free(struct ipvsadm_list *l)
{
	free(l->svcs);
	l->svcs = NULL;
	l->n = 0;
}

static int cmp_addr(uint8_t af1, const union ipvs_wire_addr *a1, uint16_t p1, uint8_t af2,
		    const union ipvs_wire_addr *a2, uint16_t p2)
{
	int c;

	if (af1 != af2)
		return af1 < af2 ? -1 : 1;
	c = memcmp(a1, a2, af1 == AF_INET6 ? 16 : 4);
	if (c != 0)
		return c;
	return p1 < p2 ? -1 : p1 > p2;
}

static int cmp_svc(const void *x, const void *y)
{
	const struct ipvs_wire_svc_key *a = &((const struct ipvsadm_svc *)x)->e.conf.key;
	const struct ipvs_wire_svc_key *b = &((const struct ipvsadm_svc *)y)->e.conf.key;

	if (a->fwmark != b->fwmark)
		return a->fwmark < b->fwmark ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return cmp_addr(a->af, &a->addr, a->port, b->af, &b->addr, b->port);
}

static int cmp_dest(const void *x, const void *y)
{
	const struct ipvs_wire_dest_conf *a = &((const struct ipvs_wire_dest_entry *)x)->conf;
	const struct ipvs_wire_dest_conf *b = &((const struct ipvs_wire_dest_entry *)y)->conf;

	return cmp_addr(a->af, &a->addr, a->port, b->af, &b->addr, b->port);
}

void ipvsadm_list_sort(struct ipvsadm_list *l)
{
	unsigned int i;

	if (l->n > 1)
		qsort(l->svcs, l->n, sizeof(*l->svcs), cmp_svc);
	for (i = 0; i < l->n; i++)
		if (l->svcs[i].e.n_dests > 1)
			qsort(l->svcs[i].dests, l->svcs[i].e.n_dests, sizeof(*l->svcs[i].dests),
			      cmp_dest);
}
