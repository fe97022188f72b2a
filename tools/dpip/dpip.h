/*
 * dpip.h - the command table of the dpip tool.
 *
 * dpip's grammar is `dpip [OPTIONS] OBJECT [VERB [ARGS...]]`.  Each OBJECT
 * lives in its own file tools/dpip/dpip_<obj>.c that exports one
 *
 *     const struct dpip_cmd dpip_cmd_<obj> = {
 *             .name = "link",
 *             .usage = "dpip link show [DEV]\n"
 *                      "dpip link set DEV up|down\n",
 *             .run = link_run,
 *     };
 *
 * and is listed with one line X(<obj>) in tools/dpip/dpip_cmds.c.
 * main.c parses the global options, matches OBJECT (its name, or a spelling
 * of dpip_words[] in dpip_cmds.c: "l" is link and "a" address as in ip(8),
 * "lc" lcore) and calls run(o, argc, argv) with
 * argv[0] the first word after OBJECT (argc may be 0: default verb).
 * An object usually dispatches its verbs through a const verb table and
 * dpip_dispatch().  run() returns the process exit status: 0 success,
 * 1 failure (daemon error, not running), 2 usage error.
 *
 * Talking to the daemon: dpip_call() (one request, prints the error).
 */
#ifndef DPVS_DPIP_H
#define DPVS_DPIP_H

#include <stdbool.h>
#include <stdint.h>
#include "ctl_client.h"
#include "cli_util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DPIP_EXIT_OK    0
#define DPIP_EXIT_FAIL  1
#define DPIP_EXIT_USAGE 2

/* Global options (before OBJECT). */
struct dpip_opts {
	const char *sock;	/* --socket PATH, or NULL (rule in ctl_client.h) */
	bool json;		/* -j / --json */
	bool stats;		/* -s / --stats */
	bool verbose;		/* -v / --verbose */
	bool brief;		/* -br / -brief / --brief: one line per device */
	unsigned int timeout_ms;	/* 0: default */
};

struct dpip_cmd {
	const char *name;	/* OBJECT word */
	const char *usage;	/* lines "dpip OBJECT ...\n", printed by dpip help */
	int (*run)(const struct dpip_opts *o, int argc, char **argv);
	bool brief;		/* its default verb (verbs[0], show) honours -br */
};

/* The table built in dpip_cmds.c, NULL-terminated. */
extern const struct dpip_cmd *const dpip_cmds[];

/* A spelling of an object: word and its prefixes of at least min letters
 * name cmd.  dpip_words[] (dpip_cmds.c) holds every prefix rule, tried in
 * order, the first match winning (ip(8)'s rule); ends with word NULL. */
struct dpip_word {
	const char *word;
	unsigned int min;
	const struct dpip_cmd *cmd;
};
extern const struct dpip_word dpip_words[];

/* A verb of an object (const tables in each dpip_<obj>.c). */
struct dpip_verb {
	const char *name;	/* "show", "set", "add", ... */
	int (*run)(const struct dpip_opts *o, int argc, char **argv); /* argv after VERB */
};

/* True if arg is a non-empty prefix of word ("sh" matches "show"). */
bool dpip_matches(const char *arg, const char *word);

/* Find the command of OBJECT word arg: an object's exact name first, else
 * the first rule of dpip_words[] that arg matches; NULL if none. */
const struct dpip_cmd *dpip_cmd_find(const char *arg);

/* Run the verb named argv[0] (exact, else unique prefix) from verbs[0..n-1]
 * with (argc-1, argv+1); argc == 0 runs verbs[0] (the default, "show").
 * Unknown verb: prints "PROG OBJ: unknown command 'X', expected one of: ..."
 * and the object's usage, returns DPIP_EXIT_USAGE; so does -br (o->brief)
 * for any verb but the default one of an object with cmd->brief. */
int dpip_dispatch(const struct dpip_cmd *cmd, const struct dpip_verb *verbs, unsigned int n,
		  const struct dpip_opts *o, int argc, char **argv);

/* Print cmd's usage to f. */
void dpip_usage(const struct dpip_cmd *cmd, FILE *f);

/* One request to the daemon.  Returns 0 with res filled (free it with
 * ctl_result_free()), or non-zero after printing "dpip: ERROR" (the
 * daemon's message, or "dpvsd is not running (cannot connect to PATH)");
 * res is then already freed. */
int dpip_call(const struct dpip_opts *o, uint16_t opcode, const void *req, uint32_t len,
	      struct ctl_result *res);

/* A request whose reply carries no data (a change): DPIP_EXIT_OK, or
 * DPIP_EXIT_FAIL after dpip_call() printed the error. */
int dpip_change(const struct dpip_opts *o, uint16_t opcode, const void *req, uint32_t len);

struct netif_wire_link;

/* dpvsd's links (dpip_link.c), for `addr show -br`: all, or the one named
 * dev (non-NULL).  Returns 0 with *links / *n pointing into res (free it
 * with ctl_result_free()), else the exit status after printing the error
 * (DPIP_EXIT_USAGE: bad name; DPIP_EXIT_FAIL: daemon error, bad reply). */
int dpip_link_fetch(const struct dpip_opts *o, const char *dev, struct ctl_result *res,
		    const struct netif_wire_link **links, uint32_t *n);

/* ip(8)'s operstate of a link: "UP", "DOWN" or "LOWERLAYERDOWN". */
const char *dpip_link_state(const struct netif_wire_link *l);

/* `dpip cfg save` (dpip_cfg_save.c): the running services as config. */
int dpip_cfg_save(const struct dpip_opts *o, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_DPIP_H */
