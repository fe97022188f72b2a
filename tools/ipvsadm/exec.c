/*
 * exec.c - runs a parsed ipvsadm request against dpvsd over the control
 * socket (include/ctl_client.h): one request per command, the chunked
 * connection listing, -S save and -R restore (each line of stdin is an
 * ipvsadm command line, executed in order on one connection; the first
 * failure stops it).  Also the error texts, in ipvsadm's wording, derived
 * from the EDPVS_* status of the reply.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "ctl_client.h"
#include "ipvsadm.h"

#define RESTORE_LINE_MAX 4096
#define RESTORE_ARGV_MAX 64

struct exec_ctx {
	struct ctl_client cli;
	bool open;
	const char *sock;	/* --socket or NULL */
	FILE *in, *out, *err;
};

/* Texts by (command, status); IPVSADM_CMD_NONE matches any command. */
static const struct {
	enum ipvsadm_cmd cmd;
	int status;
	const char *text;
} err_texts[] = {
	{ IPVSADM_CMD_NONE, EDPVS_NOMEM, "Memory allocation problem" },
	{ IPVSADM_CMD_NONE, EDPVS_PERM, "Permission denied (you must be root)" },
	{ IPVSADM_CMD_ADD_SVC, EDPVS_EXIST, "Service already exists" },
	{ IPVSADM_CMD_ADD_SVC, EDPVS_NOTEXIST, "Scheduler not found" },
	{ IPVSADM_CMD_EDIT_SVC, EDPVS_NOTEXIST, "No such service" },
	{ IPVSADM_CMD_DEL_SVC, EDPVS_NOTEXIST, "No such service" },
	{ IPVSADM_CMD_ZERO, EDPVS_NOTEXIST, "No such service" },
	{ IPVSADM_CMD_LIST, EDPVS_NOTEXIST, "No such service" },
	{ IPVSADM_CMD_GET_LADDR, EDPVS_NOTEXIST, "No such service" },
	{ IPVSADM_CMD_ADD_DEST, EDPVS_NOTEXIST, "Service not defined" },
	{ IPVSADM_CMD_ADD_DEST, EDPVS_EXIST, "Destination already exists" },
	{ IPVSADM_CMD_EDIT_DEST, EDPVS_NOTEXIST, "No such destination" },
	{ IPVSADM_CMD_DEL_DEST, EDPVS_NOTEXIST, "No such destination" },
	{ IPVSADM_CMD_ADD_LADDR, EDPVS_NOTEXIST, "Service not defined" },
	{ IPVSADM_CMD_ADD_LADDR, EDPVS_EXIST, "Local address already exists" },
	{ IPVSADM_CMD_DEL_LADDR, EDPVS_NOTEXIST, "No such local address" },
	{ IPVSADM_CMD_NONE, EDPVS_NOTSUPP, "Operation not supported" },
	{ IPVSADM_CMD_NONE, EDPVS_TIMEOUT, "dpvsd did not answer in time" },
};

const char *ipvsadm_strerror(enum ipvsadm_cmd cmd, int status, const char *daemon_msg)
{
	size_t i;

	/* The daemon's own text, when it says more than the generic one. */
	if (daemon_msg != NULL && daemon_msg[0] != '\0' &&
	    strcmp(daemon_msg, dpvs_strerror(status)) != 0)
		return daemon_msg;
	for (i = 0; i < sizeof(err_texts) / sizeof(err_texts[0]); i++)
		if (err_texts[i].status == status &&
		    (err_texts[i].cmd == cmd || err_texts[i].cmd == IPVSADM_CMD_NONE))
			return err_texts[i].text;
	return dpvs_strerror(status);
}

/* Send one request; on failure print the error and return -1. */
static int call(struct exec_ctx *x, enum ipvsadm_cmd cmd, uint16_t op, const void *req,
		uint32_t len, struct ctl_result *res)
{
	char msg[CTL_CLIENT_ERRLEN];

	memset(res, 0, sizeof(*res));
	if (!x->open) {
		if (ctl_client_open(&x->cli, ctl_client_sock_path(x->sock), 0, msg) != 0) {
			fprintf(x->err, "%s\n", msg);
			return -1;
		}
		x->open = true;
	}
	if (ctl_client_request(&x->cli, op, req, len, res) == 0)
		return 0;
	if (res->transport) {
		fprintf(x->err, "%s\n", res->errmsg);
		x->open = false;
	} else {
		fprintf(x->err, "%s\n", ipvsadm_strerror(cmd, res->status, res->errmsg));
	}
	ctl_result_free(res);
	return -1;
}

static int call_noreply(struct exec_ctx *x, enum ipvsadm_cmd cmd, uint16_t op, const void *req,
			uint32_t len)
{
	struct ctl_result res;

	if (call(x, cmd, op, req, len, &res) != 0)
		return -1;
	ctl_result_free(&res);
	return 0;
}

static int bad_reply(struct exec_ctx *x, struct ctl_result *res)
{
	fprintf(x->err, "malformed reply from dpvsd\n");
	ctl_result_free(res);
	return -1;
}

static int get_info(struct exec_ctx *x, enum ipvsadm_cmd cmd, struct ipvs_wire_info *info)
{
	struct ctl_result res;

	if (call(x, cmd, IPVS_OP_INFO, NULL, 0, &res) != 0)
		return -1;
	if (res.len != sizeof(*info))
		return bad_reply(x, &res);
	memcpy(info, res.data, sizeof(*info));
	ctl_result_free(&res);
	return 0;
}

/* Fetch the service list (one service when the request names one). */
static int get_list(struct exec_ctx *x, const struct ipvsadm_req *r, struct ctl_result *res,
		    struct ipvsadm_list *l)
{
	bool one = r->opts & IPVSADM_OPT_BIT(IPVSADM_OPT_SERVICE);
	int rc;

	if (one)
		rc = call(x, r->cmd, IPVS_OP_SVC_GET, &r->svc.key, sizeof(r->svc.key), res);
	else
		rc = call(x, r->cmd, IPVS_OP_SVC_LIST, NULL, 0, res);
	if (rc != 0)
		return -1;
	if (ipvsadm_list_decode(res->data, res->len, l) != 0)
		return bad_reply(x, res);
	if (!(r->fmt & IPVSADM_FMT_NOSORT))
		ipvsadm_list_sort(l);
	return 0;
}

static int get_laddrs(struct exec_ctx *x, const struct ipvsadm_req *r, struct ctl_result *res,
		      const struct ipvs_wire_laddr_entry **e, unsigned int *n)
{
	struct ipvs_wire_laddr_list_req q;
	struct ipvs_wire_laddr_list hdr;

	memset(&q, 0, sizeof(q));
	if (r->opts & IPVSADM_OPT_BIT(IPVSADM_OPT_SERVICE))
		q.svc = r->svc.key;
	else
		q.flags = IPVS_WIRE_LADDR_F_ALL;
	if (call(x, r->cmd, IPVS_OP_LADDR_LIST, &q, sizeof(q), res) != 0)
		return -1;
	if (res->len < sizeof(hdr))
		return bad_reply(x, res);
	memcpy(&hdr, res->data, sizeof(hdr));
	if (hdr.n > (res->len - sizeof(hdr)) / sizeof(**e) ||
	    res->len != sizeof(hdr) + (size_t)hdr.n * sizeof(**e))
		return bad_reply(x, res);
	*e = (const struct ipvs_wire_laddr_entry *)(const void *)((const char *)res->data +
								   sizeof(hdr));
	*n = hdr.n;
	return 0;
}

static bool conn_matches(const struct ipvsadm_req *r, const struct ipvs_wire_conn_entry *c)
{
	const struct ipvs_wire_svc_key *k = &r->svc.key;

	if (!(r->opts & IPVSADM_OPT_BIT(IPVSADM_OPT_SERVICE)) || k->fwmark != 0)
		return true;
	return c->af == k->af && c->proto == k->proto && c->vport == k->port &&
	       memcmp(&c->vaddr, &k->addr, c->af == AF_INET6 ? 16 : 4) == 0;
}

/* One chunk of the connection listing; *done set at the end. */
static int list_conn_chunk(struct exec_ctx *x, const struct ipvsadm_req *r,
			   struct ipvs_wire_conn_req *q, bool *done)
{
	struct ipvs_wire_conn_reply hdr;
	struct ctl_result res;
	const struct ipvs_wire_conn_entry *e;
	unsigned int i;

	if (call(x, r->cmd, IPVS_OP_CONN_LIST, q, sizeof(*q), &res) != 0)
		return -1;
	if (res.len < sizeof(hdr))
		return bad_reply(x, &res);
	memcpy(&hdr, res.data, sizeof(hdr));
	if (hdr.n > IPVS_WIRE_CONN_CHUNK || res.len != sizeof(hdr) + (size_t)hdr.n * sizeof(*e))
		return bad_reply(x, &res);
	if (!hdr.done && hdr.n == 0 && hdr.next_worker == q->worker && hdr.next_pos == q->pos)
		return bad_reply(x, &res);	/* no progress: would loop forever */
	e = (const struct ipvs_wire_conn_entry *)(const void *)((const char *)res.data + sizeof(hdr));
	for (i = 0; i < hdr.n; i++)
		if (conn_matches(r, &e[i]))
			ipvsadm_print_conn(x->out, &e[i], r->fmt);
	q->worker = hdr.next_worker;
	q->pos = hdr.next_pos;
	*done = hdr.done != 0;
	ctl_result_free(&res);
	return 0;
}

static int do_list_conns(struct exec_ctx *x, const struct ipvsadm_req *r)
{
	struct ipvs_wire_conn_req q;
	bool done = false;

	memset(&q, 0, sizeof(q));
	ipvsadm_print_conn_title(x->out);
	while (!done)
		if (list_conn_chunk(x, r, &q, &done) != 0)
			return -1;
	return 0;
}

static int do_list(struct exec_ctx *x, const struct ipvsadm_req *r)
{
	struct ipvs_wire_info info;
	struct ipvsadm_list l;
	struct ctl_result res;

	if (r->fmt & IPVSADM_FMT_TIMEOUT) {
		struct ipvs_wire_timeout t;

		if (call(x, r->cmd, IPVS_OP_TIMEOUT_GET, NULL, 0, &res) != 0)
			return -1;
		if (res.len != sizeof(t))
			return bad_reply(x, &res);
		memcpy(&t, res.data, sizeof(t));
		ctl_result_free(&res);
		ipvsadm_print_timeout(x->out, &t);
		return 0;
	}
	if (r->fmt & IPVSADM_FMT_CONN)
		return do_list_conns(x, r);
	if (get_info(x, r->cmd, &info) != 0 || get_list(x, r, &res, &l) != 0)
		return -1;
	ipvsadm_print_list(x->out, &info, &l, r->fmt);
	ipvsadm_list_free(&l);
	ctl_result_free(&res);
	return 0;
}

static int do_save(struct exec_ctx *x, const struct ipvsadm_req *r)
{
	const struct ipvs_wire_laddr_entry *e;
	struct ipvsadm_list l;
	struct ctl_result res;
	unsigned int n;

	if (get_list(x, r, &res, &l) != 0)
		return -1;
	ipvsadm_print_rules(x->out, &l, r->fmt);
	ipvsadm_list_free(&l);
	ctl_result_free(&res);
	if (get_laddrs(x, r, &res, &e, &n) != 0)
		return -1;
	ipvsadm_print_laddr_rules(x->out, e, n, r->fmt);
	ctl_result_free(&res);
	return 0;
}

static int do_get_laddr(struct exec_ctx *x, const struct ipvsadm_req *r)
{
	const struct ipvs_wire_laddr_entry *e;
	struct ctl_result res;
	unsigned int n;

	if (get_laddrs(x, r, &res, &e, &n) != 0)
		return -1;
	ipvsadm_print_laddrs(x->out, e, n, r->fmt);
	ctl_result_free(&res);
	return 0;
}

static int do_dest(struct exec_ctx *x, const struct ipvsadm_req *r, uint16_t op)
{
	struct ipvs_wire_dest_req q;

	memset(&q, 0, sizeof(q));
	q.svc = r->svc.key;
	q.dest = r->dest;
	return call_noreply(x, r->cmd, op, &q, sizeof(q));
}

static int do_laddr(struct exec_ctx *x, const struct ipvsadm_req *r, uint16_t op)
{
	struct ipvs_wire_laddr_add_reply w;
	struct ipvs_wire_laddr_req q;
	struct ctl_result res;

	memset(&q, 0, sizeof(q));
	q.svc = r->svc.key;
	q.af = r->laddr_af;
	q.addr = r->laddr;
	memcpy(q.ifname, r->ifname, sizeof(q.ifname));
	if (op != IPVS_OP_LADDR_ADD)
		return call_noreply(x, r->cmd, op, &q, sizeof(q));
	if (call(x, r->cmd, op, &q, sizeof(q), &res) != 0)
		return -1;
	if (res.len != 0 && res.len != sizeof(w))	/* none: an older daemon */
		return bad_reply(x, &res);
	if (res.len == sizeof(w)) {
		memcpy(&w, res.data, sizeof(w));
		ipvsadm_print_laddr_warnings(x->err, r, w.warnings);
	}
	ctl_result_free(&res);
	return 0;
}

static int do_zero(struct exec_ctx *x, const struct ipvsadm_req *r)
{
	struct ipvs_wire_zero_req q;

	memset(&q, 0, sizeof(q));
	if (r->opts & IPVSADM_OPT_BIT(IPVSADM_OPT_SERVICE))
		q.svc = r->svc.key;
	else
		q.flags = IPVS_WIRE_ZERO_F_ALL;
	return call_noreply(x, r->cmd, IPVS_OP_ZERO, &q, sizeof(q));
}

static void print_usage(FILE *f)
{
	fputs("ipvsadm - the dpvsd virtual server administration tool\n"
	      "Usage:\n"
	      "  ipvsadm -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [-o]\n"
	      "                               [-b|--sched-flags F,..] [--proxy-protocol v2|off]\n"
	      "                               [--no-toa]\n"
	      "  ipvsadm -D virtual-service\n"
	      "  ipvsadm -C\n"
	      "  ipvsadm -R\n"
	      "  ipvsadm -S [-n]\n"
	      "  ipvsadm -a|e virtual-service -r server-address [-g|i|m|b] [-w weight]\n"
	      "                               [-x upper-threshold] [-y lower-threshold]\n"
	      "  ipvsadm -d virtual-service -r server-address\n"
	      "  ipvsadm -L|l [virtual-service] [options]\n"
	      "  ipvsadm -Z [virtual-service]\n"
	      "  ipvsadm --set tcp tcpfin udp\n"
	      "  ipvsadm --add-laddr|-P virtual-service -z local-address [-F ifname]\n"
	      "  ipvsadm --del-laddr|-Q virtual-service -z local-address [-F ifname]\n"
	      "  ipvsadm --get-laddr|-G [virtual-service]\n"
	      "  ipvsadm -h | -v\n"
	      "virtual-service: --tcp-service|-t address:port | --udp-service|-u address:port |\n"
	      "                 --fwmark-service|-f fwmark [-6]\n"
	      "list options: -n (numeric), -c (connections), --stats, --rate, --thresholds,\n"
	      "              --persistent-conn, --sort, --nosort, --exact, --timeout\n"
	      "forwarding: -g gatewaying (direct routing, default), -i ipip (tunnel),\n"
	      "            -m masquerading (NAT), -b|--fullnat (FNAT; needs local addresses)\n"
	      "sched-flags: sh-fallback sh-port (sh), mh-fallback mh-port (mh),\n"
	      "             fallback flag-1 (sh dh mh), port flag-2 (sh mh),\n"
	      "             hash-sip hash-sip-sport hash-quic-cid (conhash)\n"
	      "schedulers: rr wrr lc wlc sh dh sed nq mh conhash fo lblc lblcr ovf twos\n"
	      "--socket PATH: the dpvsd control socket (default $DPVSD_SOCK or "
	      CTL_DEFAULT_SOCK ")\n", f);
}

static int exec_one(struct exec_ctx *x, const struct ipvsadm_req *r);

/* -R: run every line of x->in; stop at the first failure. */
static int do_restore(struct exec_ctx *x, const struct ipvsadm_req *outer)
{
	char line[RESTORE_LINE_MAX], errbuf[IPVSADM_ERR_LEN];
	const char *argv[RESTORE_ARGV_MAX];
	struct ipvsadm_req r;
	unsigned int lineno = 0;
	int argc;

	while (fgets(line, sizeof(line), x->in) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(x->in)) {
			fprintf(x->err, "restore: line %u is too long\n", lineno);
			return -1;
		}
		argc = ipvsadm_split_line(line, argv, RESTORE_ARGV_MAX);
		if (argc < 0) {
			fprintf(x->err, "restore: line %u: bad quoting or too many words\n", lineno);
			return -1;
		}
		if (argc == 1)
			continue;
		if (ipvsadm_parse(argc, argv, &r, errbuf, sizeof(errbuf)) != 0) {
			fprintf(x->err, "restore: line %u: %s\n", lineno, errbuf);
			return -1;
		}
		if (r.cmd == IPVSADM_CMD_RESTORE) {
			fprintf(x->err, "restore: line %u: -R inside -R\n", lineno);
			return -1;
		}
		if (r.socket[0] == '\0')
			memcpy(r.socket, outer->socket, sizeof(r.socket));
		if (exec_one(x, &r) != 0) {
			fprintf(x->err, "restore: stopped at line %u\n", lineno);
			return -1;
		}
	}
	return 0;
}

static int exec_one(struct exec_ctx *x, const struct ipvsadm_req *r)
{
	switch (r->cmd) {
	case IPVSADM_CMD_ADD_SVC:
		return call_noreply(x, r->cmd, IPVS_OP_SVC_ADD, &r->svc, sizeof(r->svc));
	case IPVSADM_CMD_EDIT_SVC:
		return call_noreply(x, r->cmd, IPVS_OP_SVC_EDIT, &r->svc, sizeof(r->svc));
	case IPVSADM_CMD_DEL_SVC:
		return call_noreply(x, r->cmd, IPVS_OP_SVC_DEL, &r->svc.key, sizeof(r->svc.key));
	case IPVSADM_CMD_FLUSH:
		return call_noreply(x, r->cmd, IPVS_OP_SVC_FLUSH, NULL, 0);
	case IPVSADM_CMD_ADD_DEST:
		return do_dest(x, r, IPVS_OP_DEST_ADD);
	case IPVSADM_CMD_EDIT_DEST:
		return do_dest(x, r, IPVS_OP_DEST_EDIT);
	case IPVSADM_CMD_DEL_DEST:
		return do_dest(x, r, IPVS_OP_DEST_DEL);
	case IPVSADM_CMD_ADD_LADDR:
		return do_laddr(x, r, IPVS_OP_LADDR_ADD);
	case IPVSADM_CMD_DEL_LADDR:
		return do_laddr(x, r, IPVS_OP_LADDR_DEL);
	case IPVSADM_CMD_GET_LADDR:
		return do_get_laddr(x, r);
	case IPVSADM_CMD_ZERO:
		return do_zero(x, r);
	case IPVSADM_CMD_SET:
		return call_noreply(x, r->cmd, IPVS_OP_TIMEOUT_SET, &r->timeout,
				    sizeof(r->timeout));
	case IPVSADM_CMD_LIST:
		return do_list(x, r);
	case IPVSADM_CMD_SAVE:
		return do_save(x, r);
	case IPVSADM_CMD_RESTORE:
		return do_restore(x, r);
	case IPVSADM_CMD_VERSION:
		fprintf(x->out, "ipvsadm v%u.%u.%u (dpvsd)\n", IPVS_WIRE_VERSION_MAJOR,
			IPVS_WIRE_VERSION_MINOR, IPVS_WIRE_VERSION_PATCH);
		return 0;
	case IPVSADM_CMD_HELP:
		print_usage(x->out);
		return 0;
	default:
		fprintf(x->err, "no command specified\n");
		return -1;
	}
}

int ipvsadm_exec(const struct ipvsadm_req *req, FILE *in, FILE *out, FILE *err)
{
	struct exec_ctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.cli.fd = -1;
	x.sock = req->socket[0] ? req->socket : NULL;
	x.in = in;
	x.out = out;
	x.err = err;
	rc = exec_one(&x, req);
	if (x.open)
		ctl_client_close(&x.cli);
	fflush(out);
	return rc == 0 ? IPVSADM_EXIT_OK : IPVSADM_EXIT_FAIL;
}

int ipvsadm_main(int argc, const char *const *argv)
{
	char errbuf[IPVSADM_ERR_LEN];
	struct ipvsadm_req req;

	if (ipvsadm_parse(argc, argv, &req, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "%s\n", errbuf);
		fprintf(stderr, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
		return IPVSADM_EXIT_USAGE;
	}
	return ipvsadm_exec(&req, stdin, stdout, stderr);
}
