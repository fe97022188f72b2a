/*
 * parse.c - ipvsadm's command line (ipvsadm's own syntax, plus DPVS's
 * -b/--fullnat and laddr commands) -> struct ipvsadm_req.
 *
 * -b means two things, as in ipvsadm 1.31 and DPVS together: on -A/-E it
 * is ipvsadm's --sched-flags (it takes the flags), on -a/-e it is DPVS's
 * FNAT forwarding (no value).  It is read with an optional value and
 * resolved once the command is known; --fullnat is FNAT only.
 *
 * popt splits the words; a const table says, per command, which options
 * are required and which are allowed; bounded parsers check every number,
 * address and name.  Values that depend on other options (server port
 * defaults, netmask family, persistence defaults) are resolved after the
 * whole line was read, so option order does not matter.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <popt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "cli_util.h"
#include "ipvsadm.h"

/* popt values of the long-only options (short ones use their letter). */
enum {
	KEY_SET = 1000,
	KEY_STATS,
	KEY_RATE,
	KEY_THRESHOLDS,
	KEY_PERSISTCONN,
	KEY_SORT,
	KEY_NOSORT,
	KEY_EXACT,
	KEY_TIMEOUT,
	KEY_PROXY,
	KEY_SCHED_FLAGS,
	KEY_SOCKET,
	KEY_NOTOA,
	KEY_FULLNAT,
	KEY_SCTP,
	KEY_TUN_TYPE,
	KEY_TUN_PORT,
	KEY_TUN_NOCSUM,
	KEY_TUN_CSUM,
	KEY_TUN_REMCSUM,
	KEY_TUN_INFO,
};

#define OPT_NONE(l, s, v)  { l, s, POPT_ARG_NONE, NULL, v, NULL, NULL }
#define OPT_STR(l, s, v)   { l, s, POPT_ARG_STRING, NULL, v, NULL, NULL }

static const struct poptOption ipvsadm_popt[] = {
	OPT_NONE("add-service", 'A', 'A'),
	OPT_NONE("edit-service", 'E', 'E'),
	OPT_NONE("delete-service", 'D', 'D'),
	OPT_NONE("clear", 'C', 'C'),
	OPT_NONE("restore", 'R', 'R'),
	OPT_NONE("save", 'S', 'S'),
	OPT_NONE("add-server", 'a', 'a'),
	OPT_NONE("edit-server", 'e', 'e'),
	OPT_NONE("delete-server", 'd', 'd'),
	OPT_NONE("list", 'L', 'L'),
	OPT_NONE(NULL, 'l', 'L'),
	OPT_NONE("zero", 'Z', 'Z'),
	OPT_NONE("set", '\0', KEY_SET),
	OPT_NONE("add-laddr", 'P', 'P'),
	OPT_NONE("del-laddr", 'Q', 'Q'),
	OPT_NONE("get-laddr", 'G', 'G'),
	OPT_NONE("help", 'h', 'h'),
	OPT_NONE("version", 'v', 'v'),
	OPT_STR("tcp-service", 't', 't'),
	OPT_STR("udp-service", 'u', 'u'),
	OPT_STR("sctp-service", '\0', KEY_SCTP),
	OPT_STR("fwmark-service", 'f', 'f'),
	OPT_STR("scheduler", 's', 's'),
	{ "persistent", 'p', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, 'p', NULL, NULL },
	OPT_STR("netmask", 'M', 'M'),
	OPT_STR("real-server", 'r', 'r'),
	OPT_NONE("gatewaying", 'g', 'g'),
	OPT_NONE("masquerading", 'm', 'm'),
	OPT_NONE("ipip", 'i', 'i'),
	OPT_NONE("fullnat", '\0', KEY_FULLNAT),
	{ NULL, 'b', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL, 'b', NULL, NULL },
	OPT_STR("weight", 'w', 'w'),
	OPT_STR("u-threshold", 'x', 'x'),
	OPT_STR("l-threshold", 'y', 'y'),
	OPT_NONE("numeric", 'n', 'n'),
	OPT_NONE("connection", 'c', 'c'),
	OPT_NONE("stats", '\0', KEY_STATS),
	OPT_NONE("rate", '\0', KEY_RATE),
	OPT_NONE("thresholds", '\0', KEY_THRESHOLDS),
	OPT_NONE("persistent-conn", '\0', KEY_PERSISTCONN),
	OPT_NONE("sort", '\0', KEY_SORT),
	OPT_NONE("nosort", '\0', KEY_NOSORT),
	OPT_NONE("exact", '\0', KEY_EXACT),
	OPT_NONE("timeout", '\0', KEY_TIMEOUT),
	OPT_STR("laddr", 'z', 'z'),
	OPT_STR("ifname", 'F', 'F'),
	OPT_NONE("ops", 'o', 'o'),
	OPT_NONE("ipv6", '6', '6'),
	OPT_STR("proxy-protocol", '\0', KEY_PROXY),
	OPT_STR("sched-flags", '\0', KEY_SCHED_FLAGS),
	OPT_STR("socket", '\0', KEY_SOCKET),
	OPT_NONE("no-toa", '\0', KEY_NOTOA),
	OPT_STR("tun-type", '\0', KEY_TUN_TYPE),
	OPT_STR("tun-port", '\0', KEY_TUN_PORT),
	OPT_NONE("tun-nocsum", '\0', KEY_TUN_NOCSUM),
	OPT_NONE("tun-csum", '\0', KEY_TUN_CSUM),
	OPT_NONE("tun-remcsum", '\0', KEY_TUN_REMCSUM),
	OPT_NONE("tun-info", '\0', KEY_TUN_INFO),
	POPT_TABLEEND
};

#define B(o) IPVSADM_OPT_BIT(IPVSADM_OPT_##o)
#define DPVS_IPVSADM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Per command: its name, the options it needs, the ones it accepts. */
struct cmd_spec {
	const char *name;
	uint32_t required;
	uint32_t allowed;	/* beyond required; --socket is always allowed */
};

#define SVC_OPTS (B(SCHED) | B(PERSISTENT) | B(NETMASK) | B(OPS) | B(IPV6) | B(PROXY) | \
		  B(SCHED_FLAGS) | B(NOTOA))
#define DEST_OPTS (B(FWD) | B(WEIGHT) | B(UTHRESH) | B(LTHRESH) | B(IPV6) | B(TUN_TYPE) | \
		   B(TUN_PORT) | B(TUN_CSUM))
#define LIST_OPTS (B(SERVICE) | B(IPV6) | B(NUMERIC) | B(CONN) | B(STATS) | B(RATE) | \
		   B(THRESHOLDS) | B(PERSISTCONN) | B(SORT) | B(NOSORT) | B(EXACT) | B(TIMEOUT) | \
		   B(TUN_INFO))

static const struct cmd_spec cmd_specs[IPVSADM_CMD_MAX] = {
	[IPVSADM_CMD_NONE]      = { "none", 0, 0 },
	[IPVSADM_CMD_ADD_SVC]   = { "add-service", B(SERVICE), SVC_OPTS },
	[IPVSADM_CMD_EDIT_SVC]  = { "edit-service", B(SERVICE), SVC_OPTS },
	[IPVSADM_CMD_DEL_SVC]   = { "delete-service", B(SERVICE), B(IPV6) },
	[IPVSADM_CMD_FLUSH]     = { "clear", 0, 0 },
	[IPVSADM_CMD_RESTORE]   = { "restore", 0, 0 },
	[IPVSADM_CMD_SAVE]      = { "save", 0, B(NUMERIC) },
	[IPVSADM_CMD_ADD_DEST]  = { "add-server", B(SERVICE) | B(SERVER), DEST_OPTS },
	[IPVSADM_CMD_EDIT_DEST] = { "edit-server", B(SERVICE) | B(SERVER), DEST_OPTS },
	[IPVSADM_CMD_DEL_DEST]  = { "delete-server", B(SERVICE) | B(SERVER), B(IPV6) },
	[IPVSADM_CMD_LIST]      = { "list", 0, LIST_OPTS },
	[IPVSADM_CMD_ZERO]      = { "zero", 0, B(SERVICE) | B(IPV6) },
	[IPVSADM_CMD_SET]       = { "set", 0, 0 },
	[IPVSADM_CMD_ADD_LADDR] = { "add-laddr", B(SERVICE) | B(LADDR), B(IFNAME) | B(IPV6) },
	[IPVSADM_CMD_DEL_LADDR] = { "del-laddr", B(SERVICE) | B(LADDR), B(IFNAME) | B(IPV6) },
	[IPVSADM_CMD_GET_LADDR] = { "get-laddr", 0, B(SERVICE) | B(IPV6) | B(NUMERIC) },
	[IPVSADM_CMD_VERSION]   = { "version", 0, 0 },
	[IPVSADM_CMD_HELP]      = { "help", 0, 0 },
};

static const char *const opt_names[IPVSADM_OPT_MAX] = {
	[IPVSADM_OPT_SERVICE] = "service-address",
	[IPVSADM_OPT_SCHED] = "scheduler",
	[IPVSADM_OPT_PERSISTENT] = "persistent",
	[IPVSADM_OPT_NETMASK] = "netmask",
	[IPVSADM_OPT_SERVER] = "real-server",
	[IPVSADM_OPT_FWD] = "forwarding-method",
	[IPVSADM_OPT_WEIGHT] = "weight",
	[IPVSADM_OPT_UTHRESH] = "u-threshold",
	[IPVSADM_OPT_LTHRESH] = "l-threshold",
	[IPVSADM_OPT_NUMERIC] = "numeric",
	[IPVSADM_OPT_CONN] = "connection",
	[IPVSADM_OPT_STATS] = "stats",
	[IPVSADM_OPT_RATE] = "rate",
	[IPVSADM_OPT_THRESHOLDS] = "thresholds",
	[IPVSADM_OPT_PERSISTCONN] = "persistent-conn",
	[IPVSADM_OPT_SORT] = "sort",
	[IPVSADM_OPT_NOSORT] = "nosort",
	[IPVSADM_OPT_EXACT] = "exact",
	[IPVSADM_OPT_TIMEOUT] = "timeout",
	[IPVSADM_OPT_LADDR] = "laddr",
	[IPVSADM_OPT_IFNAME] = "ifname",
	[IPVSADM_OPT_OPS] = "ops",
	[IPVSADM_OPT_IPV6] = "ipv6",
	[IPVSADM_OPT_PROXY] = "proxy-protocol",
	[IPVSADM_OPT_SCHED_FLAGS] = "sched-flags",
	[IPVSADM_OPT_NOTOA] = "no-toa",
	[IPVSADM_OPT_SOCKET] = "socket",
	[IPVSADM_OPT_TUN_TYPE] = "tun-type",
	[IPVSADM_OPT_TUN_PORT] = "tun-port",
	[IPVSADM_OPT_TUN_CSUM] = "tun-csum",
	[IPVSADM_OPT_TUN_INFO] = "tun-info",
};

/* Output-format options that exclude each other, with their format bit. */
static const struct {
	enum ipvsadm_opt opt;
	uint32_t fmt;
} fmt_opts[] = {
	{ IPVSADM_OPT_CONN, IPVSADM_FMT_CONN },
	{ IPVSADM_OPT_STATS, IPVSADM_FMT_STATS },
	{ IPVSADM_OPT_RATE, IPVSADM_FMT_RATE },
	{ IPVSADM_OPT_THRESHOLDS, IPVSADM_FMT_THRESHOLDS },
	{ IPVSADM_OPT_PERSISTCONN, IPVSADM_FMT_PERSISTCONN },
	{ IPVSADM_OPT_TIMEOUT, IPVSADM_FMT_TIMEOUT },
	{ IPVSADM_OPT_TUN_INFO, IPVSADM_FMT_TUN_INFO },
};

/* Short letter of each command (for popt values). */
static const struct {
	int key;
	enum ipvsadm_cmd cmd;
} cmd_keys[] = {
	{ 'A', IPVSADM_CMD_ADD_SVC }, { 'E', IPVSADM_CMD_EDIT_SVC },
	{ 'D', IPVSADM_CMD_DEL_SVC }, { 'C', IPVSADM_CMD_FLUSH },
	{ 'R', IPVSADM_CMD_RESTORE }, { 'S', IPVSADM_CMD_SAVE },
	{ 'a', IPVSADM_CMD_ADD_DEST }, { 'e', IPVSADM_CMD_EDIT_DEST },
	{ 'd', IPVSADM_CMD_DEL_DEST }, { 'L', IPVSADM_CMD_LIST },
	{ 'Z', IPVSADM_CMD_ZERO }, { KEY_SET, IPVSADM_CMD_SET },
	{ 'P', IPVSADM_CMD_ADD_LADDR }, { 'Q', IPVSADM_CMD_DEL_LADDR },
	{ 'G', IPVSADM_CMD_GET_LADDR }, { 'h', IPVSADM_CMD_HELP },
	{ 'v', IPVSADM_CMD_VERSION },
};

/* Strings whose meaning depends on other options, resolved at the end. */
struct parse_ctx {
	struct ipvsadm_req *req;
	char *err;
	size_t errlen;
	char server[256];
	char netmask[64];
	char persist[32];	/* "" = -p without value */
	char sched_flags[128];	/* --sched-flags, or -b with -A/-E */
	char b_arg[128];	/* value of -b ("" = none) */
	bool b_given;
	bool svc_has_port;
	const char *tun_csum_opt;	/* "tun-csum" / "tun-nocsum" as given */
};

const char *ipvsadm_cmd_name(enum ipvsadm_cmd cmd)
{
	return (unsigned)cmd < IPVSADM_CMD_MAX ? cmd_specs[cmd].name : "?";
}

const char *ipvsadm_opt_name(enum ipvsadm_opt opt)
{
	return (unsigned)opt < IPVSADM_OPT_MAX ? opt_names[opt] : "?";
}

static int perr(struct parse_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parse_ctx *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Bounded unsigned parser shared with dpip (decimal or 0x hex, no sign,
 * no blanks, no junk): 0 or -1. */
static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	return s != NULL && cli_parse_u32(s, min, max, out) == 0 ? 0 : -1;
}

static int copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int parse_port(const char *s, uint8_t proto, uint16_t *port)
{
	const struct servent *se;
	uint32_t v;

	if (isdigit((unsigned char)s[0]))
		return parse_u32(s, 0, 65535, &v) == 0 ? (*port = (uint16_t)v, 0) : -1;
	se = getservbyname(s, proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_SCTP ? "sctp" : "tcp");
	if (se == NULL)
		return -1;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

/* A host: numeric IPv4/IPv6, else a name resolved by getaddrinfo(). */
static int parse_host(const char *s, bool v6_only, uint8_t *af, union ipvs_wire_addr *a)
{
	struct addrinfo hints, *res = NULL;

	memset(a, 0, sizeof(*a));
	if (!v6_only && inet_pton(AF_INET, s, &a->in4) == 1)
		return (*af = AF_INET, 0);
	if (inet_pton(AF_INET6, s, a->in6) == 1)
		return (*af = AF_INET6, 0);
	/* Only names go to the resolver: "1.2.3" is not an address here. */
	if (v6_only || s[0] == '\0' || strchr(s, ':') != NULL || strspn(s, "0123456789.") == strlen(s))
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(s, NULL, &hints, &res) != 0 || res == NULL)
		return -1;
	if (res->ai_family == AF_INET) {
		a->in4 = ((const struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
		*af = AF_INET;
	} else {
		memcpy(a->in6, &((const struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
		*af = AF_INET6;
	}
	freeaddrinfo(res);
	return 0;
}

int ipvsadm_parse_addrport(const char *s, uint8_t proto, uint8_t *af,
			   union ipvs_wire_addr *addr, uint16_t *port, bool *has_port)
{
	char host[256];
	const char *colon, *portstr = NULL;
	bool v6 = false;

	*port = 0;
	*has_port = false;
	if (s[0] == '[') {			/* [v6] or [v6]:port */
		const char *close = strchr(s, ']');

		if (close == NULL || (size_t)(close - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (close[1] == ':')
			portstr = close + 2;
		else if (close[1] != '\0')
			return -1;
		v6 = true;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;		/* bare IPv6, no port */
		if (copy_str(host, sizeof(host), s) != 0)
			return -1;
		if (colon != NULL) {
			host[colon - s] = '\0';
			portstr = colon + 1;
		}
	}
	if (parse_host(host, v6, af, addr) != 0)
		return -1;
	if (portstr != NULL) {
		if (parse_port(portstr, proto, port) != 0)
			return -1;
		*has_port = true;
	}
	return 0;
}

/* Names of --sched-flags words, their bits (a key word replaces the key)
 * and the schedulers they apply to (space separated; the daemon checks the
 * same through its sched_ops, this gives the message before any request). */
static const struct {
	const char *name;
	uint32_t bits;
	bool is_key;
	const char *scheds;
} sched_flag_words[] = {
	{ "fallback", IPVS_WIRE_SCHED_F_FALLBACK, false, "sh dh mh" },
	{ "sh-fallback", IPVS_WIRE_SCHED_F_FALLBACK, false, "sh" },
	{ "mh-fallback", IPVS_WIRE_SCHED_F_FALLBACK, false, "mh" },
	{ "port", IPVS_WIRE_SCHED_F_PORT, false, "sh mh" },
	{ "sh-port", IPVS_WIRE_SCHED_F_PORT, false, "sh" },
	{ "mh-port", IPVS_WIRE_SCHED_F_PORT, false, "mh" },
	{ "flag-1", IPVS_WIRE_SCHED_F_FALLBACK, false, "sh dh mh" },	/* IPVS's generic names */
	{ "flag-2", IPVS_WIRE_SCHED_F_PORT, false, "sh mh" },
	{ "flag-3", 0, false, "" },		/* no scheduler uses it */
	{ "hash-sip", IPVS_WIRE_HASH_SIP << IPVS_WIRE_SCHED_F_KEY_SHIFT, true, "conhash" },
	{ "hash-sip-sport", IPVS_WIRE_HASH_SIP_SPORT << IPVS_WIRE_SCHED_F_KEY_SHIFT, true,
	  "conhash" },
	{ "hash-quic-cid", IPVS_WIRE_HASH_QUIC_CID << IPVS_WIRE_SCHED_F_KEY_SHIFT, true,
	  "conhash" },
};

/* Index of word w in sched_flag_words, or -1. */
static int sched_flag_index(const char *w)
{
	size_t i;

	for (i = 0; i < DPVS_IPVSADM_ARRAY_SIZE(sched_flag_words); i++)
		if (strcmp(w, sched_flag_words[i].name) == 0)
			return (int)i;
	return -1;
}

/* True if the space-separated list has the word w. */
static bool word_in_list(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* Parse s; with sched non-NULL every word must apply to it (else the
 * index of the first that does not, as -2 - index). */
static int sched_flags_parse(const char *s, const char *sched, uint32_t *flags)
{
	char buf[128], *save = NULL, *w;
	uint32_t f = 0;
	int i;

	if (copy_str(buf, sizeof(buf), s) != 0 || buf[0] == '\0')
		return -1;
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		i = sched_flag_index(w);
		if (i < 0)
			return -1;
		if (sched != NULL && !word_in_list(sched_flag_words[i].scheds, sched))
			return -2 - i;
		if (sched_flag_words[i].is_key)
			f &= ~IPVS_WIRE_SCHED_F_KEY_MASK;
		f |= sched_flag_words[i].bits;
	}
	*flags = f;
	return 0;
}

int ipvsadm_parse_sched_flags(const char *s, uint32_t *flags)
{
	return sched_flags_parse(s, NULL, flags) == 0 ? 0 : -1;
}

static int set_cmd(struct parse_ctx *p, enum ipvsadm_cmd cmd)
{
	if (p->req->cmd != IPVSADM_CMD_NONE && p->req->cmd != cmd)
		return perr(p, "multiple commands specified");
	p->req->cmd = cmd;
	return 0;
}

static int set_opt(struct parse_ctx *p, enum ipvsadm_opt opt)
{
	if (p->req->opts & IPVSADM_OPT_BIT(opt))
		return perr(p, "multiple '%s' options specified", opt_names[opt]);
	p->req->opts |= IPVSADM_OPT_BIT(opt);
	return 0;
}

static int opt_service(struct parse_ctx *p, int key, const char *arg)
{
	struct ipvs_wire_svc_key *k = &p->req->svc.key;

	if (set_opt(p, IPVSADM_OPT_SERVICE) != 0)
		return -1;
	if (key == 'f') {
		if (parse_u32(arg, 1, UINT32_MAX, &k->fwmark) != 0)
			return perr(p, "illegal fwmark specified");
		k->af = AF_INET;	/* -6 makes it AF_INET6, see resolve_service() */
		return 0;
	}
	k->proto = key == 'u' ? IPPROTO_UDP : key == KEY_SCTP ? IPPROTO_SCTP : IPPROTO_TCP;
	if (ipvsadm_parse_addrport(arg, k->proto, &k->af, &k->addr, &k->port,
				   &p->svc_has_port) != 0)
		return perr(p, "illegal virtual server address[:port] specified");
	return 0;
}

static int opt_sched(struct parse_ctx *p, const char *arg)
{
	size_t i, n = strlen(arg);

	if (set_opt(p, IPVSADM_OPT_SCHED) != 0)
		return -1;
	if (n == 0 || n >= IPVS_WIRE_SCHED_NAME_LEN)
		return perr(p, "illegal scheduler name specified");
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)arg[i]) && arg[i] != '_' && arg[i] != '-')
			return perr(p, "illegal scheduler name specified");
	memcpy(p->req->svc.sched, arg, n + 1);
	return 0;
}

static int opt_fwd(struct parse_ctx *p, int key)
{
	if (set_opt(p, IPVSADM_OPT_FWD) != 0)
		return -1;
	switch (key) {
	case 'g': p->req->dest.fwd = IPVS_WIRE_FWD_DR; break;
	case 'm': p->req->dest.fwd = IPVS_WIRE_FWD_MASQ; break;
	case 'i': p->req->dest.fwd = IPVS_WIRE_FWD_TUNNEL; break;
	default:  p->req->dest.fwd = IPVS_WIRE_FWD_FNAT; break;
	}
	return 0;
}

static int opt_number(struct parse_ctx *p, enum ipvsadm_opt opt, const char *arg)
{
	struct ipvs_wire_dest_conf *d = &p->req->dest;

	if (set_opt(p, opt) != 0)
		return -1;
	switch (opt) {
	case IPVSADM_OPT_WEIGHT:
		if (parse_u32(arg, 0, IPVS_WIRE_WEIGHT_MAX, &d->weight) != 0)
			return perr(p, "illegal weight specified (0..%u)", IPVS_WIRE_WEIGHT_MAX);
		return 0;
	case IPVSADM_OPT_UTHRESH:
		if (parse_u32(arg, 0, IPVS_WIRE_THRESHOLD_MAX, &d->u_threshold) != 0)
			return perr(p, "illegal u_threshold specified (0..%u)",
				    IPVS_WIRE_THRESHOLD_MAX);
		return 0;
	default:
		if (parse_u32(arg, 0, IPVS_WIRE_THRESHOLD_MAX, &d->l_threshold) != 0)
			return perr(p, "illegal l_threshold specified (0..%u)",
				    IPVS_WIRE_THRESHOLD_MAX);
		return 0;
	}
}

static int opt_laddr(struct parse_ctx *p, const char *arg)
{
	union cli_addr a;
	int af;

	if (set_opt(p, IPVSADM_OPT_LADDR) != 0)
		return -1;
	if (cli_parse_addr(arg, &af, &a) != 0)
		return perr(p, "illegal local address specified");
	p->req->laddr_af = (uint8_t)af;
	memcpy(&p->req->laddr, &a, sizeof(p->req->laddr));
	return 0;
}

static int opt_proxy(struct parse_ctx *p, const char *arg)
{
	if (set_opt(p, IPVSADM_OPT_PROXY) != 0)
		return -1;
	if (strcmp(arg, "v2") == 0 || strcmp(arg, "2") == 0)
		p->req->svc.proxy_protocol = IPVS_WIRE_PP_V2;
	else if (strcmp(arg, "off") == 0 || strcmp(arg, "0") == 0)
		p->req->svc.proxy_protocol = IPVS_WIRE_PP_OFF;
	else
		return perr(p, "illegal proxy protocol version (expected v2 or off)");
	return 0;
}

/* --sched-flags (or -b on -A/-E): checked against the scheduler at the end. */
static int opt_sched_flags(struct parse_ctx *p, const char *arg)
{
	if (set_opt(p, IPVSADM_OPT_SCHED_FLAGS) != 0)
		return -1;
	if (arg[0] == '\0' || copy_str(p->sched_flags, sizeof(p->sched_flags), arg) != 0)
		return perr(p, "illegal scheduler flags specified");
	return 0;
}

/* Options that only store a string for later or set a flag. */
static int opt_simple(struct parse_ctx *p, int key, const char *arg)
{
	struct ipvsadm_req *r = p->req;

	switch (key) {
	case 'p':
		if (set_opt(p, IPVSADM_OPT_PERSISTENT) != 0)
			return -1;
		if (copy_str(p->persist, sizeof(p->persist), arg ? arg : "") != 0)
			return perr(p, "illegal timeout for persistent service");
		return 0;
	case 'M':
		if (set_opt(p, IPVSADM_OPT_NETMASK) != 0)
			return -1;
		if (copy_str(p->netmask, sizeof(p->netmask), arg) != 0)
			return perr(p, "illegal netmask specified");
		return 0;
	case 'r':
		if (set_opt(p, IPVSADM_OPT_SERVER) != 0)
			return -1;
		if (copy_str(p->server, sizeof(p->server), arg) != 0)
			return perr(p, "illegal real server address[:port] specified");
		return 0;
	case 'F':
		if (set_opt(p, IPVSADM_OPT_IFNAME) != 0)
			return -1;
		if (arg[0] == '\0' || copy_str(r->ifname, sizeof(r->ifname), arg) != 0)
			return perr(p, "illegal interface name specified");
		return 0;
	case KEY_SCHED_FLAGS:
		return opt_sched_flags(p, arg);
	case 'b':
		if (p->b_given)
			return perr(p, "multiple '-b' options specified");
		p->b_given = true;
		if (copy_str(p->b_arg, sizeof(p->b_arg), arg ? arg : "") != 0)
			return perr(p, "illegal scheduler flags specified");
		return 0;
	case KEY_SOCKET:
		if (set_opt(p, IPVSADM_OPT_SOCKET) != 0)
			return -1;
		if (arg[0] == '\0' || copy_str(r->socket, sizeof(r->socket), arg) != 0)
			return perr(p, "illegal socket path specified");
		return 0;
	default:
		return perr(p, "internal error: option %d", key);
	}
}

/* Options without argument that only set their bit. */
static const struct {
	int key;
	enum ipvsadm_opt opt;
} flag_keys[] = {
	{ 'n', IPVSADM_OPT_NUMERIC }, { 'c', IPVSADM_OPT_CONN },
	{ KEY_STATS, IPVSADM_OPT_STATS }, { KEY_RATE, IPVSADM_OPT_RATE },
	{ KEY_THRESHOLDS, IPVSADM_OPT_THRESHOLDS },
	{ KEY_PERSISTCONN, IPVSADM_OPT_PERSISTCONN }, { KEY_SORT, IPVSADM_OPT_SORT },
	{ KEY_NOSORT, IPVSADM_OPT_NOSORT }, { KEY_EXACT, IPVSADM_OPT_EXACT },
	{ KEY_TIMEOUT, IPVSADM_OPT_TIMEOUT }, { 'o', IPVSADM_OPT_OPS },
	{ '6', IPVSADM_OPT_IPV6 }, { KEY_NOTOA, IPVSADM_OPT_NOTOA },
	{ KEY_TUN_INFO, IPVSADM_OPT_TUN_INFO },
};

/* --tun-type, --tun-port, --tun-csum/--tun-nocsum (ipvsadm's spellings);
 * which combinations are legal is checked in resolve_tunnel(). */
static int opt_tun(struct parse_ctx *p, int key, const char *arg)
{
	struct ipvs_wire_dest_conf *d = &p->req->dest;
	static const char *const types[IPVS_WIRE_TUN_MAX] = {
		[IPVS_WIRE_TUN_IPIP] = "ipip", [IPVS_WIRE_TUN_GUE] = "gue",
		[IPVS_WIRE_TUN_GRE] = "gre",
	};
	uint32_t v;

	switch (key) {
	case KEY_TUN_TYPE:
		if (set_opt(p, IPVSADM_OPT_TUN_TYPE) != 0)
			return -1;
		for (v = 0; v < IPVS_WIRE_TUN_MAX; v++)
			if (strcmp(arg, types[v]) == 0)
				break;
		if (v == IPVS_WIRE_TUN_MAX)
			return perr(p, "illegal tunnel type specified (ipip, gue or gre)");
		d->tun_type = (uint8_t)v;
		return 0;
	case KEY_TUN_PORT:
		if (set_opt(p, IPVSADM_OPT_TUN_PORT) != 0)
			return -1;
		if (parse_u32(arg, 1, 65535, &v) != 0)
			return perr(p, "illegal tunnel port specified");
		d->tun_port = (uint16_t)v;
		return 0;
	case KEY_TUN_REMCSUM:
		return perr(p, "--tun-remcsum is not supported: dpvsd has no remote checksum "
			    "offload (use --tun-csum or --tun-nocsum)");
	default:
		if (p->tun_csum_opt != NULL)
			return perr(p, "The option '%s' conflicts with the '%s' option",
				    key == KEY_TUN_CSUM ? "tun-csum" : "tun-nocsum", p->tun_csum_opt);
		p->req->opts |= B(TUN_CSUM);
		p->tun_csum_opt = key == KEY_TUN_CSUM ? "tun-csum" : "tun-nocsum";
		d->tun_flags = key == KEY_TUN_CSUM ? IPVS_WIRE_TUN_F_CSUM : 0;
		return 0;
	}
}

static int handle_opt(struct parse_ctx *p, int key, const char *arg)
{
	size_t i;

	for (i = 0; i < DPVS_IPVSADM_ARRAY_SIZE(cmd_keys); i++)
		if (cmd_keys[i].key == key)
			return set_cmd(p, cmd_keys[i].cmd);
	for (i = 0; i < DPVS_IPVSADM_ARRAY_SIZE(flag_keys); i++)
		if (flag_keys[i].key == key)
			return set_opt(p, flag_keys[i].opt);
	switch (key) {
	case 't': case 'u': case 'f': case KEY_SCTP:
		return opt_service(p, key, arg);
	case KEY_TUN_TYPE: case KEY_TUN_PORT: case KEY_TUN_NOCSUM: case KEY_TUN_CSUM:
	case KEY_TUN_REMCSUM:
		return opt_tun(p, key, arg);
	case 's':
		return opt_sched(p, arg);
	case 'g': case 'm': case 'i': case KEY_FULLNAT:
		return opt_fwd(p, key);
	case 'w':
		return opt_number(p, IPVSADM_OPT_WEIGHT, arg);
	case 'x':
		return opt_number(p, IPVSADM_OPT_UTHRESH, arg);
	case 'y':
		return opt_number(p, IPVSADM_OPT_LTHRESH, arg);
	case 'z':
		return opt_laddr(p, arg);
	case KEY_PROXY:
		return opt_proxy(p, arg);
	default:
		return opt_simple(p, key, arg);
	}
}

/* -b: scheduler flags on -A/-E, FNAT (no value) anywhere else. */
static int resolve_b(struct parse_ctx *p)
{
	enum ipvsadm_cmd c = p->req->cmd;

	if (!p->b_given)
		return 0;
	if (c == IPVSADM_CMD_ADD_SVC || c == IPVSADM_CMD_EDIT_SVC) {
		if (p->b_arg[0] == '\0')
			return perr(p, "-b needs scheduler flags with -A/-E (-b is FNAT only "
				    "with -a/-e)");
		return opt_sched_flags(p, p->b_arg);
	}
	if (p->b_arg[0] != '\0')
		return perr(p, "unexpected argument '%s'", p->b_arg);
	return opt_fwd(p, 'b');
}

/* Required and allowed options of the command. */
static int check_cmd_opts(struct parse_ctx *p)
{
	const struct cmd_spec *cs = &cmd_specs[p->req->cmd];
	uint32_t allowed = cs->required | cs->allowed | B(SOCKET);
	unsigned int o;

	for (o = 0; o < IPVSADM_OPT_MAX; o++) {
		uint32_t bit = IPVSADM_OPT_BIT(o);

		if ((cs->required & bit) && !(p->req->opts & bit))
			return perr(p, "You need to supply the '%s' option for the '%s' command",
				    opt_names[o], cs->name);
		if ((p->req->opts & bit) && !(allowed & bit))
			return perr(p, "Illegal '%s' option with the '%s' command",
				    opt_names[o], cs->name);
	}
	return 0;
}

static int check_formats(struct parse_ctx *p)
{
	struct ipvsadm_req *r = p->req;
	int first = -1;
	size_t i;

	for (i = 0; i < DPVS_IPVSADM_ARRAY_SIZE(fmt_opts); i++) {
		if (!(r->opts & IPVSADM_OPT_BIT(fmt_opts[i].opt)))
			continue;
		if (first >= 0)
			return perr(p, "options '--%s' and '--%s' cannot be combined",
				    opt_names[fmt_opts[first].opt], opt_names[fmt_opts[i].opt]);
		first = (int)i;
		r->fmt |= fmt_opts[i].fmt;
	}
	if ((r->opts & B(SORT)) && (r->opts & B(NOSORT)))
		return perr(p, "options '--sort' and '--nosort' cannot be combined");
	if (r->opts & B(NOSORT))
		r->fmt |= IPVSADM_FMT_NOSORT;
	if (r->opts & B(NUMERIC))
		r->fmt |= IPVSADM_FMT_NUMERIC;
	if (r->opts & B(EXACT))
		r->fmt |= IPVSADM_FMT_EXACT;
	if (r->cmd == IPVSADM_CMD_SAVE)
		r->fmt |= IPVSADM_FMT_RULE;
	return 0;
}

/* -M: IPv4 dotted contiguous mask or prefix length; IPv6 prefix length. */
static int resolve_netmask(struct parse_ctx *p)
{
	struct ipvs_wire_svc_conf *s = &p->req->svc;
	uint32_t plen, mask;

	if (s->key.af == AF_INET6) {
		s->netmask = 128;
		if (p->netmask[0] && parse_u32(p->netmask, 1, 128, &s->netmask) != 0)
			return perr(p, "illegal netmask specified (IPv6: 1..128)");
		return 0;
	}
	s->netmask = 0xffffffffu;
	if (p->netmask[0] == '\0')
		return 0;
	if (strchr(p->netmask, '.') == NULL) {
		if (parse_u32(p->netmask, 1, 32, &plen) != 0)
			return perr(p, "illegal netmask specified");
		s->netmask = htonl(plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
		return 0;
	}
	if (inet_pton(AF_INET, p->netmask, &s->netmask) != 1)
		return perr(p, "illegal netmask specified");
	mask = ntohl(s->netmask);
	if (mask == 0 || (~mask & (~mask + 1)) != 0)
		return perr(p, "illegal netmask specified (not contiguous)");
	return 0;
}

/* --sched-flags words must fit the service's scheduler. */
static int resolve_sched_flags(struct parse_ctx *p)
{
	struct ipvs_wire_svc_conf *s = &p->req->svc;
	int rc;

	if (!(p->req->opts & B(SCHED_FLAGS)))
		return 0;
	rc = sched_flags_parse(p->sched_flags, s->sched, &s->sched_flags);
	if (rc == -1)
		return perr(p, "illegal scheduler flags specified (fallback, port, sh-fallback, "
			    "sh-port, mh-fallback, mh-port, flag-1, flag-2, hash-sip, "
			    "hash-sip-sport, hash-quic-cid)");
	if (rc < -1 && sched_flag_words[-2 - rc].scheds[0] == '\0')
		return perr(p, "scheduler flag '%s' is used by no scheduler",
			    sched_flag_words[-2 - rc].name);
	if (rc < -1)
		return perr(p, "scheduler flag '%s' does not apply to scheduler '%s' (only %s)",
			    sched_flag_words[-2 - rc].name, s->sched,
			    sched_flag_words[-2 - rc].scheds);
	return 0;
}

static int resolve_service(struct parse_ctx *p)
{
	struct ipvs_wire_svc_conf *s = &p->req->svc;
	bool is_svc_cmd = p->req->cmd == IPVSADM_CMD_ADD_SVC || p->req->cmd == IPVSADM_CMD_EDIT_SVC;

	if (s->key.fwmark != 0 && (p->req->opts & B(IPV6)))
		s->key.af = AF_INET6;
	if (p->req->opts & B(PERSISTENT)) {
		s->flags |= IPVS_WIRE_SVC_F_PERSISTENT;
		s->timeout = IPVSADM_DEF_PERSIST_TIMEOUT;
		if (p->persist[0] &&
		    parse_u32(p->persist, 1, IPVSADM_PERSIST_TIMEOUT_MAX, &s->timeout) != 0)
			return perr(p, "illegal timeout for persistent service");
	}
	if (p->req->opts & B(OPS))
		s->flags |= IPVS_WIRE_SVC_F_ONEPACKET;
	if (p->req->opts & B(NOTOA))
		s->flags |= IPVS_WIRE_SVC_F_NOTOA;
	if ((p->req->opts & B(NETMASK)) && !(p->req->opts & B(PERSISTENT)))
		return perr(p, "-M (netmask) only makes sense with -p (persistent)");
	if ((p->req->opts & B(SERVICE)) && resolve_netmask(p) != 0)
		return -1;
	if (is_svc_cmd && s->sched[0] == '\0')
		memcpy(s->sched, IPVSADM_DEF_SCHED, sizeof(IPVSADM_DEF_SCHED));
	if (resolve_sched_flags(p) != 0)
		return -1;
	if (is_svc_cmd && s->key.fwmark == 0 && s->key.port == 0 &&
	    !(s->flags & IPVS_WIRE_SVC_F_PERSISTENT))
		return perr(p, "Zero port specified for non-persistent service");
	if ((s->flags & IPVS_WIRE_SVC_F_ONEPACKET) && s->key.proto != IPPROTO_UDP)
		return perr(p, "One-Packet Scheduling is only for UDP virtual services");
	return 0;
}

/* ipvsadm's table of tunnel types and options: a port only (and always)
 * for gue; a checksum choice for gue and gre; all only with -i. */
static int resolve_tunnel(struct parse_ctx *p)
{
	static const char *const names[IPVS_WIRE_TUN_MAX] = { "ipip", "gue", "gre" };
	const struct ipvs_wire_dest_conf *d = &p->req->dest;
	uint32_t o = p->req->opts;

	if (!(o & (B(TUN_TYPE) | B(TUN_PORT) | B(TUN_CSUM))))
		return 0;
	if (d->fwd != IPVS_WIRE_FWD_TUNNEL)
		return perr(p, "Tunnel options conflict with forward method");
	if (d->tun_type == IPVS_WIRE_TUN_GUE && !(o & B(TUN_PORT)))
		return perr(p, "You need to supply the 'tun-port' option for the 'gue' tunnel "
			    "type");
	if (d->tun_type != IPVS_WIRE_TUN_GUE && (o & B(TUN_PORT)))
		return perr(p, "Illegal 'tun-port' option with the '%s' tunnel type",
			    names[d->tun_type]);
	if (d->tun_type == IPVS_WIRE_TUN_IPIP && (o & B(TUN_CSUM)))
		return perr(p, "Illegal '%s' option with the 'ipip' tunnel type",
			    p->tun_csum_opt);
	return 0;
}

static int resolve_server(struct parse_ctx *p)
{
	struct ipvs_wire_dest_conf *d = &p->req->dest;
	const struct ipvs_wire_svc_key *k = &p->req->svc.key;
	bool has_port;

	if (!(p->req->opts & B(SERVER)))
		return 0;
	if (ipvsadm_parse_addrport(p->server, k->proto ? k->proto : IPPROTO_TCP, &d->af,
				   &d->addr, &d->port, &has_port) != 0)
		return perr(p, "illegal real server address[:port] specified");
	if (!has_port)
		d->port = k->port;
	/* DR and TUNNEL cannot change the port: it is the service's. */
	if (k->fwmark == 0 && (d->fwd == IPVS_WIRE_FWD_DR || d->fwd == IPVS_WIRE_FWD_TUNNEL) &&
	    (p->req->cmd == IPVSADM_CMD_ADD_DEST || p->req->cmd == IPVSADM_CMD_EDIT_DEST))
		d->port = k->port;
	if (d->u_threshold != 0 && d->l_threshold > d->u_threshold)
		return perr(p, "l_threshold must not exceed u_threshold");
	return resolve_tunnel(p);
}

/* --set takes three numbers left over after the options. */
static int leftover_args(struct parse_ctx *p, poptContext ctx)
{
	struct ipvs_wire_timeout *t = &p->req->timeout;
	uint32_t *vals[3] = { &t->tcp, &t->tcp_fin, &t->udp };
	const char *a;
	unsigned int n = 0;

	while ((a = poptGetArg(ctx)) != NULL) {
		if (p->req->cmd != IPVSADM_CMD_SET)
			return perr(p, "unexpected argument '%s'", a);
		if (n >= 3)
			return perr(p, "--set takes three timeouts: tcp tcpfin udp");
		if (parse_u32(a, 0, IPVS_WIRE_TIMEOUT_MAX, vals[n]) != 0)
			return perr(p, "illegal timeout '%s' (seconds, 0..%u; 0 = unchanged)", a,
				    IPVS_WIRE_TIMEOUT_MAX);
		n++;
	}
	if (p->req->cmd == IPVSADM_CMD_SET && n != 3)
		return perr(p, "--set takes three timeouts: tcp tcpfin udp");
	return 0;
}

static int run_popt(struct parse_ctx *p, int argc, const char *const *argv)
{
	poptContext ctx;
	int rc, key;

	ctx = poptGetContext("ipvsadm", argc, (const char **)argv, ipvsadm_popt, 0);
	if (ctx == NULL)
		return perr(p, "Memory allocation problem");
	rc = 0;
	while (rc == 0 && (key = poptGetNextOpt(ctx)) >= 0) {
		char *arg = poptGetOptArg(ctx);

		rc = handle_opt(p, key, arg);
		free(arg);
	}
	if (rc == 0 && key < -1)
		rc = perr(p, "%s: %s", poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
			  poptStrerror(key));
	if (rc == 0)
		rc = leftover_args(p, ctx);
	poptFreeContext(ctx);
	return rc;
}

int ipvsadm_parse(int argc, const char *const *argv, struct ipvsadm_req *req, char *err,
		  size_t errlen)
{
	struct parse_ctx p;

	memset(req, 0, sizeof(*req));
	memset(&p, 0, sizeof(p));
	p.req = req;
	p.err = err;
	p.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	req->dest.weight = 1;
	req->dest.fwd = IPVS_WIRE_FWD_DR;
	if (run_popt(&p, argc, argv) != 0)
		return -1;
	if (req->cmd == IPVSADM_CMD_NONE)
		req->cmd = IPVSADM_CMD_LIST;
	if (req->cmd == IPVSADM_CMD_HELP || req->cmd == IPVSADM_CMD_VERSION)
		return 0;
	if (resolve_b(&p) != 0 || check_cmd_opts(&p) != 0 || check_formats(&p) != 0)
		return -1;
	if (resolve_service(&p) != 0 || resolve_server(&p) != 0)
		return -1;
	return 0;
}

int ipvsadm_split_line(char *buf, const char **argv, int max)
{
	int n = 0;
	char *r = buf, *w;

	if (max < 2)
		return -1;
	argv[n++] = "ipvsadm";
	for (;;) {
		char quote = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (*r == '\0' || (*r == '#' && n == 1))
			break;
		if (n >= max - 1)
			return -1;
		argv[n++] = w = r;
		for (; *r != '\0'; r++) {
			if (quote) {
				if (*r == quote)
					quote = 0;
				else
					*w++ = *r;
			} else if (*r == '\'' || *r == '"') {
				quote = *r;
			} else if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
				r++;
				break;
			} else {
				*w++ = *r;
			}
		}
		if (quote)
			return -1;
		*w = '\0';
		/* The man page lets a restore line begin with the program name. */
		if (n == 2 && strcmp(argv[1], "ipvsadm") == 0)
			n = 1;
	}
	argv[n] = NULL;
	return n;
}
