/*
 * ipvsadm.h - private interface of the ipvsadm tool (tools/ipvsadm/).
 *
 * parse.c turns one command line (ipvsadm's own syntax) into a struct
 * ipvsadm_req built from the wire structs of include/ipvs/ipvs_wire.h;
 * print.c formats list/stats/rate/connection/timeout/save output in
 * ipvsadm's formats; exec.c sends requests to dpvsd through the control
 * client library and runs -R restore; main.c only calls ipvsadm_main().
 * Everything except main.c is built into libipvsadm.a for the unit tests.
 */
#ifndef DPVS_IPVSADM_H
#define DPVS_IPVSADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "ipvs/ipvs_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPVSADM_ERR_LEN   256
#define IPVSADM_PATH_LEN  108	/* sun_path */
#define IPVSADM_DEF_SCHED "wlc"
#define IPVSADM_DEF_PERSIST_TIMEOUT 300u
#define IPVSADM_PERSIST_TIMEOUT_MAX (UINT32_MAX / 1000u)

/* Exit codes: 0 ok, 1 the operation failed, 2 bad command line. */
#define IPVSADM_EXIT_OK    0
#define IPVSADM_EXIT_FAIL  1
#define IPVSADM_EXIT_USAGE 2

enum ipvsadm_cmd {
	IPVSADM_CMD_NONE = 0,
	IPVSADM_CMD_ADD_SVC,	/* -A */
	IPVSADM_CMD_EDIT_SVC,	/* -E */
	IPVSADM_CMD_DEL_SVC,	/* -D */
	IPVSADM_CMD_FLUSH,	/* -C */
	IPVSADM_CMD_RESTORE,	/* -R */
	IPVSADM_CMD_SAVE,	/* -S */
	IPVSADM_CMD_ADD_DEST,	/* -a */
	IPVSADM_CMD_EDIT_DEST,	/* -e */
	IPVSADM_CMD_DEL_DEST,	/* -d */
	IPVSADM_CMD_LIST,	/* -L, -l */
	IPVSADM_CMD_ZERO,	/* -Z */
	IPVSADM_CMD_SET,	/* --set tcp tcpfin udp */
	IPVSADM_CMD_ADD_LADDR,	/* -P, --add-laddr */
	IPVSADM_CMD_DEL_LADDR,	/* -Q, --del-laddr */
	IPVSADM_CMD_GET_LADDR,	/* -G, --get-laddr */
	IPVSADM_CMD_VERSION,	/* -v */
	IPVSADM_CMD_HELP,	/* -h */
	IPVSADM_CMD_MAX,
};

/* Options, as bit numbers in req->opts. */
enum ipvsadm_opt {
	IPVSADM_OPT_SERVICE = 0,	/* -t -u -f --sctp-service */
	IPVSADM_OPT_SCHED,		/* -s */
	IPVSADM_OPT_PERSISTENT,		/* -p [timeout] */
	IPVSADM_OPT_NETMASK,		/* -M */
	IPVSADM_OPT_SERVER,		/* -r */
	IPVSADM_OPT_FWD,		/* -g -m -i -b */
	IPVSADM_OPT_WEIGHT,		/* -w */
	IPVSADM_OPT_UTHRESH,		/* -x */
	IPVSADM_OPT_LTHRESH,		/* -y */
	IPVSADM_OPT_NUMERIC,		/* -n */
	IPVSADM_OPT_CONN,		/* -c */
	IPVSADM_OPT_STATS,		/* --stats */
	IPVSADM_OPT_RATE,		/* --rate */
	IPVSADM_OPT_THRESHOLDS,		/* --thresholds */
	IPVSADM_OPT_PERSISTCONN,	/* --persistent-conn */
	IPVSADM_OPT_SORT,		/* --sort */
	IPVSADM_OPT_NOSORT,		/* --nosort */
	IPVSADM_OPT_EXACT,		/* --exact */
	IPVSADM_OPT_TIMEOUT,		/* --timeout */
	IPVSADM_OPT_LADDR,		/* -z */
	IPVSADM_OPT_IFNAME,		/* -F */
	IPVSADM_OPT_OPS,		/* -o */
	IPVSADM_OPT_IPV6,		/* -6 */
	IPVSADM_OPT_PROXY,		/* --proxy-protocol */
	IPVSADM_OPT_SCHED_FLAGS,	/* --sched-flags */
	IPVSADM_OPT_NOTOA,		/* --no-toa */
	IPVSADM_OPT_SOCKET,		/* --socket */
	IPVSADM_OPT_TUN_TYPE,		/* --tun-type */
	IPVSADM_OPT_TUN_PORT,		/* --tun-port */
	IPVSADM_OPT_TUN_CSUM,		/* --tun-csum, --tun-nocsum */
	IPVSADM_OPT_TUN_INFO,		/* --tun-info */
	IPVSADM_OPT_MAX,
};
_Static_assert(IPVSADM_OPT_MAX <= 32, "options fit req->opts");
#define IPVSADM_OPT_BIT(o) (1u << (o))

/* Output formats (req->fmt). */
#define IPVSADM_FMT_NUMERIC     0x0001u
#define IPVSADM_FMT_RULE        0x0002u	/* -S */
#define IPVSADM_FMT_STATS       0x0004u
#define IPVSADM_FMT_RATE        0x0008u
#define IPVSADM_FMT_THRESHOLDS  0x0010u
#define IPVSADM_FMT_PERSISTCONN 0x0020u
#define IPVSADM_FMT_EXACT       0x0040u
#define IPVSADM_FMT_NOSORT      0x0080u
#define IPVSADM_FMT_CONN        0x0100u	/* -c */
#define IPVSADM_FMT_TIMEOUT     0x0200u	/* --timeout */
#define IPVSADM_FMT_TUN_INFO    0x0400u	/* --tun-info */

/* One parsed command line. */
struct ipvsadm_req {
	enum ipvsadm_cmd cmd;
	uint32_t opts;				/* IPVSADM_OPT_BIT()s given */
	uint32_t fmt;				/* IPVSADM_FMT_* */
	struct ipvs_wire_svc_conf svc;		/* -t/-u/-f -s -p -M -o ... */
	struct ipvs_wire_dest_conf dest;	/* -r -g/-m/-i/-b -w -x -y --tun-* */
	uint8_t laddr_af;			/* -z */
	union ipvs_wire_addr laddr;
	char ifname[IPVS_WIRE_IFNAME_LEN];	/* -F */
	struct ipvs_wire_timeout timeout;	/* --set */
	char socket[IPVSADM_PATH_LEN];		/* --socket ("" = default) */
};

/*
 * Parse argv[0..argc-1] (argv[0] is the program name) into req.  Returns
 * 0, or -1 with a one-line message in err (no trailing newline).  With no
 * command and no option the command is LIST (like ipvsadm alone).
 */
int ipvsadm_parse(int argc, const char *const *argv, struct ipvsadm_req *req, char *err,
		  size_t errlen);

/* Split a restore line into at most max-1 words (argv[0] = "ipvsadm"),
 * honouring single and double quotes; a leading word "ipvsadm" is dropped
 * (ipvsadm(8): restore lines may begin with it).  buf is modified.  Returns
 * the word count (1 for an empty or comment line), or -1 if there are too
 * many words or a quote is not closed. */
int ipvsadm_split_line(char *buf, const char **argv, int max);

/* Name of a command and an option (for messages). */
const char *ipvsadm_cmd_name(enum ipvsadm_cmd cmd);
const char *ipvsadm_opt_name(enum ipvsadm_opt opt);

/* --sched-flags: parse a comma list ("fallback,port,hash-sip-sport"; the
 * ipvsadm spellings sh-fallback, sh-port, mh-fallback, mh-port and IPVS's
 * flag-1 (fallback), flag-2 (port) too; flag-3 parses to nothing) into
 * IPVS_WIRE_SCHED_F_* bits, and format bits back (print.c).  Parse returns
 * 0 or -1. */
int ipvsadm_parse_sched_flags(const char *s, uint32_t *flags);
void ipvsadm_fmt_sched_flags(char *buf, size_t len, uint32_t flags);

/* Address helpers (parse.c).  Parse "addr", "addr:port", "[v6]:port" or
 * "host:service"; proto picks the services database (IPPROTO_TCP/UDP/SCTP).
 * Returns 0 or -1. */
int ipvsadm_parse_addrport(const char *s, uint8_t proto, uint8_t *af,
			   union ipvs_wire_addr *addr, uint16_t *port, bool *has_port);

/* ---- print.c ---- */

/* A decoded list reply: services, each with its dests. */
struct ipvsadm_svc {
	struct ipvs_wire_svc_entry e;
	struct ipvs_wire_dest_entry *dests;	/* e.n_dests of them (points into the reply) */
};

struct ipvsadm_list {
	unsigned int n;
	struct ipvsadm_svc *svcs;		/* malloc'd */
};

/* Check and index a SVC_LIST/SVC_GET/DEST_LIST reply (buf must outlive
 * the list).  0, or -1 if the reply is malformed (sizes, counts). */
int ipvsadm_list_decode(void *buf, size_t len, struct ipvsadm_list *out);
void ipvsadm_list_free(struct ipvsadm_list *l);

/* Sort services by <fwmark, protocol, address, port> and each service's
 * real servers by <address, port> (ipvsadm --sort, the default). */
void ipvsadm_list_sort(struct ipvsadm_list *l);

/* Format "addr:port" ("[v6]:port"); numeric or resolved names. */
void ipvsadm_fmt_addrport(char *buf, size_t len, uint8_t af, const union ipvs_wire_addr *a,
			  uint16_t port, uint8_t proto, bool numeric);
void ipvsadm_fmt_addr(char *buf, size_t len, uint8_t af, const union ipvs_wire_addr *a,
		      bool numeric);

/* Forwarding method names: "Masq", "Route", "Tunnel", "FullNat", "Local";
 * and the -S switch: "-m", "-g", "-i", "-b". */
const char *ipvsadm_fwd_name(uint8_t fwd);
const char *ipvsadm_fwd_switch(uint8_t fwd);

/* --tun-info's TunnelInfo column of a real server, as ipvsadm prints it:
 * "ipip", "gue:PORT:-c" / "gue:PORT:+c", "gre:-c" / "gre:+c" ("-c"
 * without checksum, "+c" with), "n/a" for other forwarding methods. */
void ipvsadm_fmt_tun_info(char *buf, size_t len, const struct ipvs_wire_dest_conf *d);

/* The whole -L output (header lines and every service) in format fmt. */
void ipvsadm_print_list(FILE *f, const struct ipvs_wire_info *info,
			const struct ipvsadm_list *l, uint32_t fmt);

/* -S: one "-A ..." line per service then "-a ..." per real server. */
void ipvsadm_print_rules(FILE *f, const struct ipvsadm_list *l, uint32_t fmt);

/* -S: laddr lines ("-P -t VIP:PORT -z ADDR [-F IF]"). */
void ipvsadm_print_laddr_rules(FILE *f, const struct ipvs_wire_laddr_entry *e, unsigned int n,
			       uint32_t fmt);

/* -P: the warnings of the daemon's reply (IPVS_WIRE_LADDR_W_*), one line
 * each, saying what happens to traffic; nothing when warnings is 0. */
void ipvsadm_print_laddr_warnings(FILE *f, const struct ipvsadm_req *r, uint32_t warnings);

/* -G output. */
void ipvsadm_print_laddrs(FILE *f, const struct ipvs_wire_laddr_entry *e, unsigned int n,
			  uint32_t fmt);

/* -Lc: title, then one line per connection: ipvsadm's columns plus
 * "local" (FNAT local address:port, else "-") before "destination". */
void ipvsadm_print_conn_title(FILE *f);
void ipvsadm_print_conn(FILE *f, const struct ipvs_wire_conn_entry *c, uint32_t fmt);

/* --timeout. */
void ipvsadm_print_timeout(FILE *f, const struct ipvs_wire_timeout *t);

/* A counter in ipvsadm's width: 9 columns, K/M/G/T above 10^8 unless
 * IPVSADM_FMT_EXACT. */
void ipvsadm_print_largenum(FILE *f, uint64_t v, uint32_t fmt);

/* ---- exec.c ---- */

/* Text for a failed operation (ipvsadm's wording), from the request's
 * command, the EDPVS_* status and the daemon's message (may be NULL). */
const char *ipvsadm_strerror(enum ipvsadm_cmd cmd, int status, const char *daemon_msg);

/* Run one parsed request; output on out, errors on err.  Returns an exit
 * code (IPVSADM_EXIT_*).  in is read by -R. */
int ipvsadm_exec(const struct ipvsadm_req *req, FILE *in, FILE *out, FILE *err);

/* The whole program: parse argv, run, return the exit code. */
int ipvsadm_main(int argc, const char *const *argv);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_IPVSADM_H */
