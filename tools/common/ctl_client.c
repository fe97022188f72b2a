/*
 * ctl_client.c - the client side of the control socket, shared by ipvsadm
 * and dpip: socket path rule, connect, one request, exactly one reply, each
 * step bounded by a poll() timeout.  See include/ctl_client.h.  Error
 * texts come from src/dpvs_err.c, which the Makefile builds into the
 * client library too (one table for the daemon and the tools).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ctl_client.h"
#include "dpvs_err.h"

const char *ctl_client_sock_path(const char *opt)
{
	const char *env;

	if (opt && opt[0])
		return opt;
	env = getenv("DPVSD_SOCK");
	if (env && env[0])
		return env;
	return CTL_DEFAULT_SOCK;
}

static void set_err(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(char *buf, const char *fmt, ...)
{
	va_list ap;

	if (!buf)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, CTL_CLIENT_ERRLEN, fmt, ap);
	va_end(ap);
}

static int connect_errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ECONNREFUSED:
	case ENOTDIR:
		return EDPVS_NOTEXIST;
	case EACCES:
	case EPERM:
		return EDPVS_PERM;
	default:
		return EDPVS_SYSCALL;
	}
}

int ctl_client_open(struct ctl_client *c, const char *path, unsigned int timeout_ms,
		    char *errmsg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int rc;

	c->fd = -1;
	c->seq = 0;
	c->timeout_ms = timeout_ms ? timeout_ms : CTL_CLIENT_TIMEOUT_MS;
	path = ctl_client_sock_path(path);
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(c->path)) {
		set_err(errmsg, "socket path too long: %s", path);
		return EDPVS_INVAL;
	}
	strcpy(c->path, path);
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		set_err(errmsg, "socket: %s", strerror(errno));
		return EDPVS_SYSCALL;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	rc = connect_errno_code(errno);
	if (rc == EDPVS_NOTEXIST)
		set_err(errmsg, "dpvsd is not running (cannot connect to %s)", path);
	else if (rc == EDPVS_PERM)
		set_err(errmsg, "cannot connect to %s: %s (the control socket is for root)",
			path, strerror(errno));
	else
		set_err(errmsg, "cannot connect to %s: %s", path, strerror(errno));
	close(c->fd);
	c->fd = -1;
	return rc;
}

void ctl_client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void ctl_result_free(struct ctl_result *res)
{
	free(res->data);
	res->data = NULL;
	res->len = 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			return EDPVS_TIMEOUT;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return EDPVS_IO;
	}
}

static int write_all(int fd, const void *buf, size_t len, int64_t deadline)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int rc;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return EDPVS_IO;
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len, int64_t deadline)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
		int rc;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return EDPVS_IO;	/* peer closed */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return EDPVS_IO;
		rc = wait_fd(fd, POLLIN, deadline);
		if (rc)
			return rc;
	}
	return 0;
}

static int transport_fail(struct ctl_client *c, struct ctl_result *res, int rc,
			  const char *what)
{
	ctl_result_free(res);
	res->status = rc;
	res->transport = true;
	if (rc == EDPVS_TIMEOUT)
		set_err(res->errmsg, "no answer from dpvsd at %s within %u ms (%s)", c->path,
			c->timeout_ms, what);
	else if (rc == EDPVS_IO)
		set_err(res->errmsg, "connection to dpvsd at %s lost (%s)", c->path, what);
	else
		set_err(res->errmsg, "%s: %s", what, dpvs_strerror(rc));
	ctl_client_close(c);
	return rc;
}

static int send_request(struct ctl_client *c, uint16_t opcode, const void *req, uint32_t len,
			int64_t deadline)
{
	struct ctl_hdr h = {
		.magic = CTL_MAGIC, .version = CTL_VERSION, .opcode = opcode,
		.seq = ++c->seq, .status = 0, .len = len,
	};
	int rc = write_all(c->fd, &h, sizeof(h), deadline);

	if (rc == 0 && len > 0)
		rc = write_all(c->fd, req, len, deadline);
	return rc;
}

static int check_reply_hdr(const struct ctl_client *c, const struct ctl_hdr *h, uint16_t opcode)
{
	if (h->magic != CTL_MAGIC || h->version != CTL_VERSION || h->seq != c->seq ||
	    h->opcode != opcode || h->len > CTL_MAX_REPLY || h->status > 0 ||
	    h->status <= EDPVS_ERR_MIN)
		return EDPVS_PROTO;
	return 0;
}

/* Read the payload (h->len bytes) into res; keep a NUL after it. */
static int read_payload(struct ctl_client *c, const struct ctl_hdr *h, struct ctl_result *res,
			int64_t deadline)
{
	if (h->len == 0)
		return 0;
	res->data = malloc((size_t)h->len + 1);
	if (!res->data)
		return EDPVS_NOMEM;
	res->len = h->len;
	((char *)res->data)[h->len] = '\0';
	return read_all(c->fd, res->data, h->len, deadline);
}

static void fill_daemon_error(struct ctl_result *res)
{
	if (res->len > 0 && ((const char *)res->data)[0] != '\0')
		set_err(res->errmsg, "%s", (const char *)res->data);
	else
		set_err(res->errmsg, "%s", dpvs_strerror(res->status));
	ctl_result_free(res);
}

int ctl_client_request(struct ctl_client *c, uint16_t opcode, const void *req, uint32_t len,
		       struct ctl_result *res)
{
	struct ctl_hdr h;
	int64_t deadline = now_ms() + c->timeout_ms;
	int rc;

	memset(res, 0, sizeof(*res));
	if (len > CTL_MAX_REQUEST || (len > 0 && !req))
		return transport_fail(c, res, EDPVS_INVAL, "bad request size");
	if (c->fd < 0)
		return transport_fail(c, res, EDPVS_IO, "not connected");
	rc = send_request(c, opcode, req, len, deadline);
	if (rc)
		return transport_fail(c, res, rc, "sending request");
	rc = read_all(c->fd, &h, sizeof(h), deadline);
	if (rc)
		return transport_fail(c, res, rc, "reading reply header");
	rc = check_reply_hdr(c, &h, opcode);
	if (rc)
		return transport_fail(c, res, rc, "malformed reply from dpvsd");
	rc = read_payload(c, &h, res, deadline);
	if (rc)
		return transport_fail(c, res, rc, "reading reply payload");
	res->status = h.status;
	if (h.status != 0)
		fill_daemon_error(res);
	return res->status;
}

int ctl_call(const char *sock, uint16_t opcode, const void *req, uint32_t len,
	     struct ctl_result *res)
{
	struct ctl_client c;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = ctl_client_open(&c, sock, 0, res->errmsg);
	if (rc) {
		res->status = rc;
		res->transport = true;
		return rc;
	}
	rc = ctl_client_request(&c, opcode, req, len, res);
	ctl_client_close(&c);
	return rc;
}
