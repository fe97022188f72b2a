/*
 * fuzz_ctl.c - libFuzzer target: control requests to every registered
 * handler of an in-process dpvsd (modules up, services configured, the
 * worker loop running so handlers that message workers work as in the
 * daemon).  Structure-aware: the first two bytes pick one registered
 * opcode (ctl_op_foreach), the rest fills its payload, cut or zero-padded
 * to the op's [min_len, max_len].  The request goes through the real
 * socket and framing; the harness drives the server with ctl_poll() and
 * requires exactly one well-formed reply (else abort: a finding).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "ctl.h"
#include "ctl_proto.h"
#include "msg.h"
#include "timer.h"
#include "inet_rcu.h"
#include "fuzz_env.h"

#define FUZZ_MAX_OPS 512
#define FUZZ_REPLY_WAIT_US (10u * 1000u * 1000u)

struct fuzz_op {
	uint16_t opcode;
	uint32_t min_len, max_len;
};

static struct fuzz_op fuzz_ops[FUZZ_MAX_OPS];
static unsigned int fuzz_n_ops;
static int fuzz_fd = -1;
static uint32_t fuzz_seq;
static uint8_t *fuzz_buf;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_collect(const struct ctl_op *op, void *arg)
{
	(void)arg;
	if (fuzz_n_ops < FUZZ_MAX_OPS)
		fuzz_ops[fuzz_n_ops++] = (struct fuzz_op){ op->opcode, op->min_len, op->max_len };
	return 0;
}

static void fuzz_connect(void)
{
	struct sockaddr_un sa;

	if (fuzz_fd >= 0)
		close(fuzz_fd);
	fuzz_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctl_get_path());
	/* A unix connect completes at once (the backlog takes it). */
	if (fuzz_fd < 0 || connect(fuzz_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		abort();
	ctl_poll();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env_up(NULL, 1, 1);
	ctl_op_foreach(fuzz_collect, NULL);
	if (fuzz_n_ops == 0)
		abort();
	fuzz_buf = malloc(sizeof(struct ctl_hdr) + CTL_MAX_REQUEST);
	if (!fuzz_buf)
		abort();
	fuzz_connect();
	return 0;
}

/* The master's loop, minus the socket: serve the workers' messages. */
static void fuzz_master_step(void)
{
	ctl_poll();
	msg_process(rte_get_main_lcore());
	timer_manage(1024);
	inet_rcu_reclaim();
}

static void fuzz_send(const uint8_t *p, size_t len)
{
	size_t off = 0;
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;

	while (off < len) {
		ssize_t n = send(fuzz_fd, p + off, len - off, MSG_NOSIGNAL);

		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN)
			abort();	/* the server closed a well-framed request */
		fuzz_master_step();
		if (rte_get_timer_cycles() > end)
			abort();
	}
}

/* Read exactly len bytes of the reply, serving the master meanwhile. */
static void fuzz_recv(void *buf, size_t len)
{
	size_t off = 0;
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * 10;

	while (off < len) {
		ssize_t n = recv(fuzz_fd, (uint8_t *)buf + off, len - off, 0);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == 0 || errno != EAGAIN)
			abort();	/* closed without a full reply */
		fuzz_master_step();
		if (rte_get_timer_cycles() > end)
			abort();	/* no reply: the daemon is stuck */
	}
}

static void fuzz_drain(uint32_t len)
{
	uint8_t tmp[65536];

	while (len > 0) {
		uint32_t n = len < sizeof(tmp) ? len : (uint32_t)sizeof(tmp);

		fuzz_recv(tmp, n);
		len -= n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_hdr h, r;
	const struct fuzz_op *op;
	size_t plen;

	if (size < 2)
		return 0;
	op = &fuzz_ops[(data[0] | (data[1] << 8)) % fuzz_n_ops];
	data += 2;
	size -= 2;
	plen = size;
	if (plen > op->max_len)
		plen = op->max_len;
	if (plen < op->min_len)
		plen = op->min_len;
	memset(&h, 0, sizeof(h));
	h.magic = CTL_MAGIC;
	h.version = CTL_VERSION;
	h.opcode = op->opcode;
	h.seq = ++fuzz_seq;
	h.len = (uint32_t)plen;
	memcpy(fuzz_buf, &h, sizeof(h));
	memset(fuzz_buf + sizeof(h), 0, plen);
	memcpy(fuzz_buf + sizeof(h), data, size < plen ? size : plen);
	fuzz_send(fuzz_buf, sizeof(h) + plen);
	fuzz_recv(&r, sizeof(r));
	if (r.magic != CTL_MAGIC || r.version != CTL_VERSION || r.seq != h.seq ||
	    r.opcode != h.opcode || r.len > CTL_MAX_REPLY)
		abort();
	fuzz_drain(r.len);
	fuzz_clock_advance(100000);
	return 0;
}
