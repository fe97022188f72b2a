/*
 * dpip_mark.c - `dpip mark add|del|show|flush`: the fwmark classifier's
 * rules (FWMARK_OP_*, include/ipvs/fwmark_wire.h), which give packets the
 * mark that fwmark virtual services (ipvsadm -f MARK) match:
 *   dpip mark add [proto tcp|udp] [dst PREFIX] [dport N[-M]] [src PREFIX] mark N
 *   dpip mark del (the same words as the rule's add)
 *   dpip [-j] mark show
 *   dpip mark flush
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "dpip_inet.h"
#include "ipvs/fwmark_wire.h"

enum mark_kw { KW_PROTO, KW_DST, KW_DPORT, KW_SRC, KW_MARK, KW_MAX };

static const char *const mark_kw_names[KW_MAX] = { "proto", "dst", "dport", "src", "mark" };
static const char *const mark_protos[] = { "tcp", "udp" };

/* "N" or "N-M" (0..65535, N <= M) into lo, hi. */
static int mark_ports(const char *s, struct fwmark_wire_rule *r)
{
	char lo[8], *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);

	if (n == 0 || n >= sizeof(lo))
		goto bad;
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (cli_parse_u16(lo, 0, 65535, &r->dport_lo) != 0)
		goto bad;
	r->dport_hi = r->dport_lo;
	if (dash && cli_parse_u16(dash + 1, r->dport_lo, 65535, &r->dport_hi) != 0)
		goto bad;
	return 0;
bad:
	cli_error("bad dport '%s': expected N or N-M (0..65535, N <= M)", s);
	return DPIP_EXIT_USAGE;
}

static int mark_kw(enum mark_kw kw, const char *v, struct fwmark_wire_rule *r)
{
	unsigned int idx;

	switch (kw) {
	case KW_PROTO:
		if (cli_parse_enum(v, mark_protos, 2, &idx) != 0) {
			cli_error("bad proto '%s': expected tcp or udp", v);
			return DPIP_EXIT_USAGE;
		}
		r->proto = idx == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		return 0;
	case KW_DST:
		return dpip_inet_prefix("dst", v, false, &r->dst, &r->dst_plen);
	case KW_SRC:
		return dpip_inet_prefix("src", v, false, &r->src, &r->src_plen);
	case KW_DPORT:
		return mark_ports(v, r);
	case KW_MARK:
		return cli_arg_u32("mark", v, 1, UINT32_MAX, &r->mark) ? DPIP_EXIT_USAGE : 0;
	default:
		return DPIP_EXIT_USAGE;
	}
}

static int mark_parse(const char *verb, int argc, char **argv, struct fwmark_wire_rule *r)
{
	unsigned int seen = 0;
	int i;

	memset(r, 0, sizeof(*r));
	r->dport_hi = 65535;
	for (i = 0; i < argc; i++) {
		unsigned int k;
		const char *v;

		for (k = 0; k < KW_MAX && strcmp(argv[i], mark_kw_names[k]) != 0; k++)
			;
		if (k == KW_MAX || (seen & (1u << k))) {
			cli_error("mark %s: unexpected '%s' (expected proto, dst, dport, src or "
				  "mark, each once)", verb, argv[i]);
			return DPIP_EXIT_USAGE;
		}
		seen |= 1u << k;
		v = dpip_inet_value(argc, argv, &i);
		if (v == NULL || mark_kw((enum mark_kw)k, v, r))
			return DPIP_EXIT_USAGE;
	}
	if (!(seen & (1u << KW_MARK))) {
		cli_error("mark %s: which mark? (mark N)", verb);
		return DPIP_EXIT_USAGE;
	}
	return 0;
}

static int mark_change(const struct dpip_opts *o, uint16_t opcode, const char *verb, int argc,
		       char **argv)
{
	struct fwmark_wire_rule r;

	if (mark_parse(verb, argc, argv, &r))
		return DPIP_EXIT_USAGE;
	return dpip_change(o, opcode, &r, sizeof(r));
}

static int mark_add(const struct dpip_opts *o, int argc, char **argv)
{
	return mark_change(o, FWMARK_OP_ADD, "add", argc, argv);
}

static int mark_del(const struct dpip_opts *o, int argc, char **argv)
{
	return mark_change(o, FWMARK_OP_DEL, "del", argc, argv);
}

static int mark_flush(const struct dpip_opts *o, int argc, char **argv)
{

	(void)argv;
	if (argc > 0) {
		cli_error("mark flush takes no arguments");
		return DPIP_EXIT_USAGE;
	}
	return dpip_change(o, FWMARK_OP_FLUSH, NULL, 0);
}

static const char *mark_proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "any";
}

/* The rule as the words of `dpip mark add` (so show | add round-trips). */
static void mark_print_text(const struct fwmark_wire_rule *r)
{
	char a[INET_ADDRSTRLEN];

	if (r->proto)
		printf("proto %s ", mark_proto_name(r->proto));
	if (r->dst_plen)
		printf("dst %s/%u ", dpip_inet_ntoa(r->dst, a), r->dst_plen);
	if (r->dport_lo == r->dport_hi)
		printf("dport %u ", r->dport_lo);
	else if (r->dport_lo != 0 || r->dport_hi != 65535)
		printf("dport %u-%u ", r->dport_lo, r->dport_hi);
	if (r->src_plen)
		printf("src %s/%u ", dpip_inet_ntoa(r->src, a), r->src_plen);
	printf("mark %" PRIu32 "\n", r->mark);
}

static void mark_print_json(struct cli_json *js, const struct fwmark_wire_rule *r)
{
	char a[INET_ADDRSTRLEN], buf[40];

	cli_json_obj_open(js, NULL);
	cli_json_u64(js, "mark", r->mark);
	cli_json_str(js, "proto", mark_proto_name(r->proto));
	snprintf(buf, sizeof(buf), "%s/%u", dpip_inet_ntoa(r->dst, a), r->dst_plen);
	cli_json_str(js, "dst", buf);
	snprintf(buf, sizeof(buf), "%s/%u", dpip_inet_ntoa(r->src, a), r->src_plen);
	cli_json_str(js, "src", buf);
	cli_json_u64(js, "dport_lo", r->dport_lo);
	cli_json_u64(js, "dport_hi", r->dport_hi);
	cli_json_obj_close(js);
}

static int mark_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct fwmark_wire_rule r;
	struct ctl_result res;
	struct cli_json js;
	uint32_t i, n;

	(void)argv;
	if (argc > 0) {
		cli_error("mark show takes no arguments");
		return DPIP_EXIT_USAGE;
	}
	if (dpip_call(o, FWMARK_OP_LIST, NULL, 0, &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(r) != 0) {
		cli_error("malformed mark list reply from dpvsd");
		ctl_result_free(&res);
		return DPIP_EXIT_FAIL;
	}
	n = res.len / (uint32_t)sizeof(r);
	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	for (i = 0; i < n; i++) {
		memcpy(&r, (const uint8_t *)res.data + (size_t)i * sizeof(r), sizeof(r));
		if (o->json)
			mark_print_json(&js, &r);
		else
			mark_print_text(&r);
	}
	ctl_result_free(&res);
	if (o->json) {
		cli_json_arr_close(&js);
		return cli_json_end(&js) ? DPIP_EXIT_FAIL : DPIP_EXIT_OK;
	}
	return DPIP_EXIT_OK;
}

static const struct dpip_verb mark_verbs[] = {
	{ "show", mark_show },
	{ "add", mark_add },
	{ "del", mark_del },
	{ "flush", mark_flush },
};

static int mark_run(const struct dpip_opts *o, int argc, char **argv);

const struct dpip_cmd dpip_cmd_mark = {
	.name = "mark",
	.usage = "dpip mark add [proto tcp|udp] [dst PREFIX] [dport N[-M]] [src PREFIX] mark N\n"
		 "dpip mark del [proto tcp|udp] [dst PREFIX] [dport N[-M]] [src PREFIX] mark N\n"
		 "dpip [-j] mark show\n"
		 "dpip mark flush\n",
	.run = mark_run,
};

static int mark_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_mark, mark_verbs, 4, o, argc, argv);
}
