/*
 * dpvs_err.c - text for every EDPVS_* error code.
 */
#include "dpvs_err.h"

static const char *const dpvs_err_text[] = {
	[0]                = "success",
	[-EDPVS_INVAL]     = "invalid argument",
	[-EDPVS_NOMEM]     = "out of memory",
	[-EDPVS_EXIST]     = "already exists",
	[-EDPVS_NOTEXIST]  = "does not exist",
	[-EDPVS_BUSY]      = "resource busy",
	[-EDPVS_TIMEOUT]   = "timed out",
	[-EDPVS_NOTSUPP]   = "not supported",
	[-EDPVS_RANGE]     = "value out of range",
	[-EDPVS_IO]        = "I/O error",
	[-EDPVS_NOROOM]    = "no room left",
	[-EDPVS_PROTO]     = "protocol error",
	[-EDPVS_PERM]      = "permission denied",
	[-EDPVS_NOTREADY]  = "not ready",
	[-EDPVS_CONFIG]    = "configuration rejected",
	[-EDPVS_DISABLED]  = "disabled",
	[-EDPVS_SYSCALL]   = "system call failed",
	[-EDPVS_RESOURCE]  = "resource exhausted",
};

_Static_assert(DPVS_ARRAY_SIZE(dpvs_err_text) == (unsigned)-EDPVS_ERR_MIN,
	       "every error code needs a text");

const char *dpvs_strerror(int err)
{
	if (err > 0 || err <= EDPVS_ERR_MIN)
		return "unknown error";
	return dpvs_err_text[-err];
}
