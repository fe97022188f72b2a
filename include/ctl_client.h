/*
 * ctl_client.h - the one small client library of the control socket,
 * shared by ipvsadm and dpip (tools/common/ctl_client.c).
 *
 * It finds the daemon's socket (--socket PATH, else $DPVSD_SOCK, else
 * CTL_DEFAULT_SOCK), connects, sends one request (struct ctl_hdr + payload,
 * see ctl_proto.h) and reads exactly one reply, each step bounded by a
 * timeout.  Every failure leaves a human-readable message in the result:
 * either the daemon's error text or a transport message such as
 * "dpvsd is not running (cannot connect to /run/dpvsd/dpvsd.sock)".
 *
 * Typical use in a tool:
 *
 *     struct ctl_result res;
 *     int rc = ctl_call(sock_opt, CORE_OP_PING, NULL, 0, &res);
 *     if (rc != 0) {
 *             fprintf(stderr, "dpip: %s\n", res.errmsg);
 *             ctl_result_free(&res);
 *             return 1;
 *     }
 *     ... use res.data / res.len (bounds-check before casting!) ...
 *     ctl_result_free(&res);
 *
 * Not thread-safe per connection; no global state.  Plain C, no DPDK.
 */
#ifndef DPVS_CTL_CLIENT_H
#define DPVS_CTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ctl_proto.h"
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CTL_CLIENT_TIMEOUT_MS 10000u	/* default per-call timeout */
#define CTL_CLIENT_ERRLEN     256u
#define CTL_CLIENT_PATHLEN    108u	/* sizeof(sun_path) */

struct ctl_client {
	int fd;				/* -1 when closed */
	uint32_t seq;			/* last sequence number sent */
	unsigned int timeout_ms;	/* bound on each send / reply wait */
	char path[CTL_CLIENT_PATHLEN];
};

struct ctl_result {
	int status;			/* 0 or EDPVS_* (daemon's or transport) */
	bool transport;			/* true: no reply (connect/IO/timeout/framing) */
	void *data;			/* reply payload (malloc'd, NUL-terminated one
					 * byte past len), NULL when len == 0 */
	uint32_t len;			/* payload bytes (0 on failure) */
	char errmsg[CTL_CLIENT_ERRLEN];	/* "" on success */
};

/* The socket path by the tools' rule: opt if non-NULL and non-empty, else
 * $DPVSD_SOCK if set and non-empty, else CTL_DEFAULT_SOCK.  Never NULL. */
const char *ctl_client_sock_path(const char *opt);

/* Connect to path (NULL: by ctl_client_sock_path(NULL)).  timeout_ms 0
 * means CTL_CLIENT_TIMEOUT_MS.  Returns 0, or EDPVS_INVAL (path too long),
 * EDPVS_NOTEXIST (nobody listening: errmsg is "dpvsd is not running
 * (cannot connect to PATH)"), EDPVS_PERM (socket not accessible),
 * EDPVS_SYSCALL; on failure errmsg (CTL_CLIENT_ERRLEN bytes, may be NULL)
 * is filled. */
int ctl_client_open(struct ctl_client *c, const char *path, unsigned int timeout_ms,
		    char *errmsg);

/* Close the connection (safe on a closed or zeroed-then-failed client). */
void ctl_client_close(struct ctl_client *c);

/* Send one request and wait for its reply on an open connection.
 * req may be NULL when len is 0; len must be <= CTL_MAX_REQUEST.
 * Returns res->status: 0 on success; the daemon's EDPVS_* code (errmsg =
 * its text); or a transport error with res->transport set: EDPVS_TIMEOUT,
 * EDPVS_IO (peer closed / read or write failed), EDPVS_PROTO (reply with
 * bad magic, version, seq, opcode or a length over CTL_MAX_REPLY),
 * EDPVS_NOMEM, EDPVS_INVAL (len too big).  After a transport error the
 * connection is closed.  res is always initialised; free it with
 * ctl_result_free(). */
int ctl_client_request(struct ctl_client *c, uint16_t opcode, const void *req, uint32_t len,
		       struct ctl_result *res);

/* One-shot: open (path rule as ctl_client_sock_path(sock)), request, close. */
int ctl_call(const char *sock, uint16_t opcode, const void *req, uint32_t len,
	     struct ctl_result *res);

/* Free res->data (res stays valid, empty). */
void ctl_result_free(struct ctl_result *res);

/* Text of an EDPVS_* code: the tools use dpvs_strerror() (dpvs_err.h);
 * src/dpvs_err.c is part of the client library. */

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CTL_CLIENT_H */
