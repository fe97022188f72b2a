/*
 * core_wire.h - wire structs of the core control requests
 * (CTL_OP_CORE_BASE range), served by src/core_ctl.c and used by dpip.
 *
 * Opcode sub-ranges inside CTL_OP_CORE_BASE:
 *   +0x00..+0x3f  core_ctl.c: ping/version, lcores and jobs, log levels
 *   +0x40..+0x7f  reserved for cfg/main (reload, config show)
 *   +0x80..+0xff  free
 *
 * All integers host order; strings fixed-size and NUL-terminated.
 */
#ifndef DPVS_CORE_WIRE_H
#define DPVS_CORE_WIRE_H

#include <stdint.h>
#include "ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

enum core_opcode {
	/* req: none.  reply: struct core_version. */
	CORE_OP_PING       = CTL_OP_CORE_BASE + 0x00,
	/* req: none.  reply: struct core_lcore_list_hdr, then n_lcores times
	 * { struct core_lcore_info, then its n_jobs struct core_job_info }. */
	CORE_OP_LCORE_LIST = CTL_OP_CORE_BASE + 0x01,
	/* req: struct core_log_req with level ignored (pattern "" = all).
	 * reply: n struct core_log_type (reply len / sizeof). */
	CORE_OP_LOG_LIST   = CTL_OP_CORE_BASE + 0x02,
	/* req: struct core_log_req.  reply: struct core_log_set_reply.  Root only. */
	CORE_OP_LOG_SET    = CTL_OP_CORE_BASE + 0x03,
	/* req: none.  reply: n struct core_ctl_op (registered request types). */
	CORE_OP_CTL_LIST   = CTL_OP_CORE_BASE + 0x04,
	/* req: none.  reply: struct core_ctl_stats (control socket counters). */
	CORE_OP_CTL_STATS  = CTL_OP_CORE_BASE + 0x05,
	CORE_OP_CFG_BASE   = CTL_OP_CORE_BASE + 0x40,	/* reserved, see above */
};

#define CORE_NAME_LEN    32
#define CORE_VERSION_LEN 32
#define CORE_LOG_PATTERN_LEN 64

struct core_version {
	char version[CORE_VERSION_LEN];	/* daemon version string */
	uint32_t proto_version;		/* CTL_VERSION */
	uint32_t pid;
	uint64_t uptime_ms;		/* since ctl_init() */
};
_Static_assert(sizeof(struct core_version) == 48, "core_version wire size");

struct core_lcore_list_hdr {
	uint32_t n_lcores;
	uint32_t idle_mode;		/* enum job_idle_mode */
	uint32_t idle_sleep_min_us;
	uint32_t idle_sleep_max_us;
	uint64_t tsc_hz;		/* to turn cycles into time */
};
_Static_assert(sizeof(struct core_lcore_list_hdr) == 24, "core_lcore_list_hdr wire size");

struct core_lcore_info {
	uint32_t lcore_id;
	uint32_t role;			/* enum job_role */
	char role_name[16];
	uint32_t n_jobs;		/* struct core_job_info that follow */
	uint32_t running;		/* 1 while the lcore's loop runs */
	uint64_t loops;			/* loop iterations (struct job_lcore_stats) */
	uint64_t idle_loops;		/* iterations in which no job did work */
	uint64_t sleeps;		/* sleeps taken by the idle policy */
	uint64_t sleep_us;		/* microseconds asked for in those sleeps */
};
_Static_assert(sizeof(struct core_lcore_info) == 64, "core_lcore_info wire size");

struct core_job_info {
	char name[CORE_NAME_LEN];
	uint32_t type;			/* enum job_type */
	uint32_t skip_loops;
	uint64_t calls;
	uint64_t work;
	uint64_t cycles;
};
_Static_assert(sizeof(struct core_job_info) == 64, "core_job_info wire size");

struct core_log_req {
	char pattern[CORE_LOG_PATTERN_LEN];	/* shell glob on log type names */
	uint32_t level;				/* RTE_LOG_EMERG(1)..RTE_LOG_DEBUG(8) */
	uint32_t reserved;
};
_Static_assert(sizeof(struct core_log_req) == 72, "core_log_req wire size");

struct core_log_type {
	char name[CORE_LOG_PATTERN_LEN];
	uint32_t id;
	uint32_t level;
};
_Static_assert(sizeof(struct core_log_type) == 72, "core_log_type wire size");

struct core_log_set_reply {
	uint32_t matched;		/* existing log types now at the level */
	uint32_t reserved;
};
_Static_assert(sizeof(struct core_log_set_reply) == 8, "core_log_set_reply wire size");

struct core_ctl_op {
	char name[CORE_NAME_LEN];
	uint32_t opcode;
	uint32_t min_len;
	uint32_t max_len;
	uint32_t flags;			/* CTL_OP_F_* */
	uint64_t calls;			/* handler runs (struct ctl_op_stats) */
	uint64_t failed;
	uint64_t total_us;
	uint64_t max_us;
};
_Static_assert(sizeof(struct core_ctl_op) == 80, "core_ctl_op wire size");

/* Counters of the control socket since start (struct ctl_stats). */
struct core_ctl_stats {
	uint64_t accepted;
	uint64_t refused;
	uint64_t evicted;
	uint64_t requests;
	uint64_t failed;
	uint64_t proto_errors;
	uint64_t perm_denied;
	uint64_t timeouts;
	uint64_t io_errors;
	uint32_t clients;		/* connected now (including the asking one) */
	uint32_t reserved;
};
_Static_assert(sizeof(struct core_ctl_stats) == 80, "core_ctl_stats wire size");

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CORE_WIRE_H */
