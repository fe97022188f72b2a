/*
 * cfg_wire.h - wire structs of the configuration requests of the control
 * socket, served by src/main.c in the cfg/main sub-range of
 * CTL_OP_CORE_BASE (see core_wire.h: +0x40..+0x7f).  Host byte order,
 * fixed-size NUL-terminated strings.
 */
#ifndef DPVS_CFG_WIRE_H
#define DPVS_CFG_WIRE_H

#include <stdint.h>
#include "core_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cfg_opcode {
	/* Reload the configuration file now, as SIGHUP does, and answer when
	 * done.  req: none.  reply: struct cfg_wire_reload on success; on
	 * failure status EDPVS_CONFIG (the running configuration stays) and
	 * the message "<first error> (+N more errors, see the daemon log)".
	 * Root only. */
	CFG_OP_RELOAD = CORE_OP_CFG_BASE + 0x00,
	/* req: none.  reply: struct cfg_wire_show (the running core sections). */
	CFG_OP_SHOW   = CORE_OP_CFG_BASE + 0x01,
};

#define CFG_WIRE_PATH_LEN 256
#define CFG_WIRE_LCORES   64

struct cfg_wire_reload {
	char file[CFG_WIRE_PATH_LEN];	/* the file that was loaded */
	uint64_t reloads_ok;		/* successful reloads since start (any trigger) */
	uint64_t reloads_failed;
};
_Static_assert(sizeof(struct cfg_wire_reload) == 272, "cfg_wire_reload wire size");

struct cfg_wire_lcore {
	uint32_t id;
	uint32_t role;			/* enum job_role */
	uint32_t cpu;
	uint32_t reserved;
};
_Static_assert(sizeof(struct cfg_wire_lcore) == 16, "cfg_wire_lcore wire size");

struct cfg_wire_show {
	char file[CFG_WIRE_PATH_LEN];
	char pid_file[CFG_WIRE_PATH_LEN];
	char ctl_socket[CFG_WIRE_PATH_LEN];
	char log_level[16];		/* global.log_level of the file */
	char file_prefix[64];
	uint32_t idle_mode;		/* enum job_idle_mode */
	uint32_t idle_pause_loops;
	uint32_t idle_sleep_min_us;
	uint32_t idle_sleep_max_us;
	uint32_t memory_mb;		/* eal.memory_mb (0: sized) */
	uint32_t hugepages;		/* enum cfg_hugepages */
	uint32_t n_lcores;
	uint32_t secondary_processes;	/* eal.secondary_processes: 0 or 1 */
	uint64_t reloads_ok;
	uint64_t reloads_failed;
	uint64_t last_reload_unix;	/* 0: never reloaded */
	struct cfg_wire_lcore lcores[CFG_WIRE_LCORES];
};
_Static_assert(sizeof(struct cfg_wire_show) == 1928, "cfg_wire_show wire size");

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CFG_WIRE_H */
