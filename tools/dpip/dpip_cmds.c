/*
 * dpip_cmds.c - the table of dpip objects.  To add an object, write
 * tools/dpip/dpip_<obj>.c exporting `const struct dpip_cmd dpip_cmd_<obj>`
 * and add one line X(<obj>) to DPIP_CMD_LIST below (order = help order),
 * and its spellings to dpip_words[].
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

/* Every spelling of every object with the shortest prefix of it that is
 * accepted, tried in this order (the first match wins, as in ip(8)):
 * "l"/"li" is link before lcore ("lc") and log ("lo"); "a" address, "r"
 * route, "n" neighbour; "c" and "i" name nothing (ctl/cfg, ip/ipvs).
 * test_cli_util.cc checks that each spelling and each of its accepted
 * prefixes reaches its object. */
const struct dpip_word dpip_words[] = {
	{ "link", 1, &dpip_cmd_link },
	{ "lcore", 2, &dpip_cmd_lcore },
	{ "log", 2, &dpip_cmd_log },
	{ "address", 1, &dpip_cmd_addr },
	{ "route", 1, &dpip_cmd_route },
	{ "neighbour", 1, &dpip_cmd_neigh },
	{ "neighbor", 1, &dpip_cmd_neigh },
	{ "stats", 1, &dpip_cmd_stats },
	{ "mark", 1, &dpip_cmd_mark },
	{ "ctl", 2, &dpip_cmd_ctl },
	{ "cfg", 2, &dpip_cmd_cfg },
	{ "ip", 2, &dpip_cmd_ip },
	{ "ipvs", 3, &dpip_cmd_ipvs },
	{ NULL, 0, NULL },
};
