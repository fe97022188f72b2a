/*
 * metrics.c - the "metrics" config section (order 900) and the HTTP server
 * of the /metrics endpoint (include/metrics.h).
 *
 * The section has one key, listen = "ADDR:PORT" (IPv4 or [IPv6]); when the
 * section is absent, or listen is "", no socket is opened.  A reload that
 * changes listen moves the server: the new socket is opened before the old
 * one is closed; if that fails because the addresses overlap, the old one
 * is closed first and, should the new one still fail, reopened, and the
 * reload is refused.
 *
 * The server is libmicrohttpd in external polling mode with epoll: no
 * thread of its own.  The MASTER LOOP job "metrics" polls MHD's epoll fd
 * with a zero timeout and lets MHD handle what is ready (MHD_run), so
 * each request (and each scrape's collection) runs on the master between
 * its other jobs and never waits on a socket.  GET and HEAD /metrics answer 200 with the
 * text format 0.0.4; other paths 404, other methods 405; request bodies
 * are refused (413).  The same job serves the telemetry commands'
 * hand-off (metrics_telemetry.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <microhttpd.h>
#include <rte_common.h>
#include "cfg.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "metrics.h"

DPVS_LOG_REGISTER(metrics);

#define METRICS_LISTEN_LEN  64
#define METRICS_MAX_CLIENTS 16u		/* concurrent HTTP connections */
#define METRICS_TIMEOUT_S   5u		/* an idle or stalled client is closed */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_conf {
	char listen[METRICS_LISTEN_LEN];	/* "" = off */
	struct sockaddr_storage sa;
	unsigned int salen;
};

/* Written and read by the master only. */
static struct {
	struct metrics_conf *running;
	struct MHD_Daemon *mhd;
	int epfd;			/* MHD's epoll fd (valid while mhd) */
	struct metrics_stats st;
	bool job_registered;
} metrics_ctx;

void metrics_stats_get(struct metrics_stats *out)
{
	*out = metrics_ctx.st;
}

void metrics_count_collect_error(void)
{
	metrics_ctx.st.collect_errors++;
}

/* ---- listen address ---- */

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return EDPVS_INVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v == 0 || v > 65535)
		return EDPVS_INVAL;
	*port = (uint16_t)v;
	return 0;
}

int metrics_parse_listen(const char *s, struct sockaddr *sa, unsigned int *salen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	size_t hlen;
	uint16_t port;

	if (!colon || parse_port(colon + 1, &port) != 0)
		return EDPVS_INVAL;
	hlen = (size_t)(colon - s);
	if (hlen == 0 || hlen >= sizeof(host))
		return EDPVS_INVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && host[hlen - 1] == ']' && *salen >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)sa;

		host[hlen - 1] = '\0';
		memset(a6, 0, sizeof(*a6));
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return EDPVS_INVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*salen = sizeof(*a6);
		return 0;
	}
	if (*salen >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)sa;

		memset(a4, 0, sizeof(*a4));
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return EDPVS_INVAL;
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*salen = sizeof(*a4);
		return 0;
	}
	return EDPVS_INVAL;
}

/* ---- HTTP ---- */

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned int code, char *body,
			      size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				code == MHD_HTTP_OK ? METRICS_CONTENT_TYPE : "text/plain");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result answer_static(struct MHD_Connection *conn, unsigned int code,
				     const char *text)
{
	return answer(conn, code, (char *)(uintptr_t)text, strlen(text), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result answer_metrics(struct MHD_Connection *conn)
{
	struct metrics_text t;

	metrics_text_init(&t);
	if (metrics_collect(&t) != 0) {
		metrics_text_free(&t);
		metrics_ctx.st.errors++;
		return answer_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "out of memory building the metrics\n");
	}
	metrics_ctx.st.scrapes++;
	return answer(conn, MHD_HTTP_OK, t.buf ? t.buf : strdup(""), t.len,
		      MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **req_cls)
{
	static int first_call_marker;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {		/* headers only: answer on the next call */
		*req_cls = &first_call_marker;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return answer_static(conn, MHD_HTTP_CONTENT_TOO_LARGE, "no request body allowed\n");
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		metrics_ctx.st.bad_method++;
		return answer_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	}
	if (strcmp(url, "/metrics") != 0) {
		metrics_ctx.st.not_found++;
		return answer_static(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	}
	return answer_metrics(conn);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	DPVS_LOG_RL(metrics, WARNING, "http: %s", buf);
}

static struct MHD_Daemon *server_start(const struct metrics_conf *c)
{
	return MHD_start_daemon(MHD_USE_ERROR_LOG | MHD_USE_EPOLL |
				(c->sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, on_request, NULL,
				MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&c->sa,
				MHD_OPTION_CONNECTION_LIMIT, METRICS_MAX_CLIENTS,
				MHD_OPTION_CONNECTION_TIMEOUT, METRICS_TIMEOUT_S,
				MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				MHD_OPTION_END);
}

/* The LOOP job: serve whatever MHD's sockets have ready, never waiting.
 * MHD runs in epoll mode, so all its sockets are behind one epoll fd
 * (no FD_SETSIZE limit on the daemon's descriptor numbers). */
static unsigned int metrics_job_fn(void *arg)
{
	struct pollfd pfd = { .fd = metrics_ctx.epfd, .events = POLLIN };
	MHD_UNSIGNED_LONG_LONG to;
	int n;

	(void)arg;
	if (!metrics_ctx.mhd)
		return metrics_telemetry_poll();
	n = poll(&pfd, 1, 0);
	/* nothing ready: still let MHD close timed-out clients when due */
	if (n <= 0 && !(MHD_get_timeout(metrics_ctx.mhd, &to) == MHD_YES && to == 0))
		return metrics_telemetry_poll();
	MHD_run(metrics_ctx.mhd);	/* external mode: never blocks */
	return 1 + metrics_telemetry_poll();
}

static struct job metrics_job = {
	.name = "metrics",
	.type = JOB_LOOP,
	.fn = metrics_job_fn,
};

/* ---- config section ---- */

static const char *const metrics_keys[] = { "listen", NULL };

static void *metrics_cfg_parse(const config_setting_t *s, struct cfg_errors *errs)
{
	struct metrics_conf *c = calloc(1, sizeof(*c));
	unsigned int before = errs->count;

	if (!c)
		return NULL;
	if (s && !config_setting_is_group(s))
		cfg_error_add(errs, s, NULL, "expected a group { listen = \"ADDR:PORT\"; }");
	else if (s)
		cfg_check_keys(s, metrics_keys, errs);
	if (s && config_setting_is_group(s) &&
	    cfg_get_string(s, "listen", "", c->listen, sizeof(c->listen), errs) == 0 &&
	    c->listen[0]) {
		c->salen = sizeof(c->sa);
		if (metrics_parse_listen(c->listen, (struct sockaddr *)&c->sa, &c->salen) != 0)
			cfg_error_add(errs, config_setting_get_member(s, "listen"), NULL,
				      "expected \"A.B.C.D:PORT\" or \"[IPV6]:PORT\" with PORT "
				      "1..65535, got '%s'", c->listen);
	}
	if (errs->count != before) {
		free(c);
		return NULL;
	}
	return c;
}

static void metrics_cfg_free(void *staged)
{
	free(staged);
}

static void server_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
}

/* Make d the serving daemon (NULL: none). */
static void server_set(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *i =
		d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;

	metrics_ctx.mhd = d;
	metrics_ctx.epfd = i ? i->epoll_fd : -1;
}

/* Open the server of c over the running one; false (errs) on failure, the
 * running server then unchanged. */
static bool server_move(const struct metrics_conf *c, struct cfg_errors *errs)
{
	struct MHD_Daemon *d = server_start(c);
	int err = errno;

	if (!d && metrics_ctx.mhd) {	/* the addresses may overlap: free the old one */
		server_stop(metrics_ctx.mhd);
		server_set(NULL);
		d = server_start(c);
		err = errno;
		if (!d)
			server_set(server_start(metrics_ctx.running));
	}
	if (!d) {
		cfg_error_add(errs, NULL, "metrics.listen", "cannot listen on %s: %s", c->listen,
			      strerror(err));
		return false;
	}
	server_stop(metrics_ctx.mhd);
	server_set(d);
	DPVS_LOG(metrics, INFO, "serving /metrics on %s", c->listen);
	return true;
}

static int metrics_cfg_apply(void *staged, bool reload, struct cfg_errors *errs)
{
	struct metrics_conf *c = staged;
	const struct metrics_conf *old = metrics_ctx.running;

	(void)reload;
	if (!old || strcmp(old->listen, c->listen) != 0) {
		if (c->listen[0] == '\0') {
			server_stop(metrics_ctx.mhd);
			server_set(NULL);
			if (old && old->listen[0])
				DPVS_LOG(metrics, INFO, "metrics endpoint closed");
		} else if (!server_move(c, errs)) {
			return EDPVS_CONFIG;
		}
	}
	free(metrics_ctx.running);
	metrics_ctx.running = c;
	return 0;
}

static const struct cfg_section_ops metrics_cfg_ops = {
	.name = "metrics",
	.order = 900,
	.parse = metrics_cfg_parse,
	.apply = metrics_cfg_apply,
	.free = metrics_cfg_free,
};

RTE_INIT(metrics_cfg_register)
{
	cfg_section_register(&metrics_cfg_ops);
}

/* ---- module ---- */

int metrics_init(void)
{
	int rc = job_register(&metrics_job, JOB_ROLE_MASTER);

	if (rc != 0)
		return rc;
	metrics_ctx.job_registered = true;
	rc = metrics_telemetry_init();
	if (rc != 0) {
		job_unregister(&metrics_job);
		metrics_ctx.job_registered = false;
	}
	return rc;
}

void metrics_term(void)
{
	metrics_telemetry_term();
	server_stop(metrics_ctx.mhd);
	server_set(NULL);
	free(metrics_ctx.running);
	metrics_ctx.running = NULL;
	if (metrics_ctx.job_registered)
		job_unregister(&metrics_job);
	metrics_ctx.job_registered = false;
}
