/*
 * dpvs_err.h - the one error enum of dpvsd, its strerror table, and the
 * fast-path verdicts.  Every function that can fail returns 0 or a negative
 * EDPVS_* code; the control socket carries the code and dpvs_strerror() text
 * back to the tools.  Packet handlers return an enum dpvs_verdict instead.
 */
#ifndef DPVS_ERR_H
#define DPVS_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

enum dpvs_err {
	EDPVS_OK        = 0,
	EDPVS_INVAL     = -1,	/* invalid argument or malformed request */
	EDPVS_NOMEM     = -2,	/* out of memory */
	EDPVS_EXIST     = -3,	/* object already exists */
	EDPVS_NOTEXIST  = -4,	/* no such object */
	EDPVS_BUSY      = -5,	/* resource busy / in use */
	EDPVS_TIMEOUT   = -6,	/* a peer (lcore, client) did not answer in time */
	EDPVS_NOTSUPP   = -7,	/* operation not supported */
	EDPVS_RANGE     = -8,	/* value out of range */
	EDPVS_IO        = -9,	/* system call or device failed */
	EDPVS_NOROOM    = -10,	/* table, ring or queue full */
	EDPVS_PROTO     = -11,	/* protocol error on the control socket */
	EDPVS_PERM      = -12,	/* permission denied */
	EDPVS_NOTREADY  = -13,	/* subsystem not initialised yet */
	EDPVS_CONFIG    = -14,	/* configuration rejected */
	EDPVS_DISABLED  = -15,	/* feature or device disabled */
	EDPVS_SYSCALL   = -16,	/* a libc/system call failed (see log) */
	EDPVS_RESOURCE  = -17,	/* resource exhausted (ports, addresses...) */
	EDPVS_ERR_MIN   = -18,	/* keep last: one below the lowest code */
};

/* Text of an EDPVS_* code (never NULL; unknown codes give "unknown error"). */
const char *dpvs_strerror(int err);

/* What a packet handler did with an mbuf. */
enum dpvs_verdict {
	VERDICT_ACCEPT = 0,	/* continue normal processing */
	VERDICT_DROP,		/* caller frees the mbuf and counts the drop */
	VERDICT_STOLEN,		/* handler took ownership (sent, queued or freed) */
};

#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define DPVS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifdef __cplusplus
}
#endif
#endif /* DPVS_ERR_H */
