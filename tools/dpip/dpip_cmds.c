/*
 * dpip_cmds.c - the table of dpip objects.  To add an object, write
 * tools/dpip/dpip_<obj>.c exporting `const struct dpip_cmd dpip_cmd_<obj>`
 * and add one line X(<obj>) to DPIP_CMD_LIST below (order = help order).
 */
#include <stddef.h>
#include "dpip.h"

#define DPIP_CMD_LIST(X) \
	X(lcore) \
	X(log) \
	X(ctl) \
	X(link) \
	X(stats) \
	X(addr) \
	X(route) \
	X(neigh) \
	X(ip) \
	X(mark) \
	X(ipvs) \
	X(cfg) \
	/* DPIP-CMDS: add X(obj) lines above this one */

#define DPIP_CMD_DECLARE(obj) extern const struct dpip_cmd dpip_cmd_##obj;
#define DPIP_CMD_ENTRY(obj) &dpip_cmd_##obj,

DPIP_CMD_LIST(DPIP_CMD_DECLARE)

const struct dpip_cmd *const dpip_cmds[] = {
	DPIP_CMD_LIST(DPIP_CMD_ENTRY)
	NULL,
};
