/*
 * cmdline.h - dpvsd's command line (libpopt), parsed into a struct so the
 * unit tests can call the parser without starting anything.
 *
 *   dpvsd [-c FILE] [-p FILE] [-s PATH] [-l LEVEL] [-t] [-v] [-h] [-- EAL args]
 *
 * Everything after "--" is handed to the EAL verbatim (after the arguments
 * dpvsd builds from the config file).
 */
#ifndef DPVS_CMDLINE_H
#define DPVS_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DPVSD_VERSION "0.1.0"

struct cmdline_opts {
	char config[CFG_PATH_LEN];	/* -c/--config (default CFG_DEFAULT_FILE) */
	char pid_file[CFG_PATH_LEN];	/* -p/--pid-file, "" = from config */
	char ctl_socket[CFG_PATH_LEN];	/* -s/--socket, "" = from config */
	int log_level;			/* -l/--log-level as RTE_LOG_*, 0 = from config */
	bool test_config;		/* -t/--test-config */
	bool version;			/* -v/--version */
	bool help;			/* -h/--help */
	int eal_argc;			/* arguments after "--" */
	char **eal_argv;		/* points into the caller's argv */
};

/*
 * Parse argv into o (reset first).  Returns 0, or EDPVS_INVAL with a
 * one-line reason in err (unknown option, missing or bad value, a stray
 * argument before "--").  Does not print or exit.  Any thread.
 */
int cmdline_parse(int argc, char **argv, struct cmdline_opts *o, char *err, size_t errlen);

/* Print the usage text (for --help and after a bad command line). */
void cmdline_usage(FILE *f);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CMDLINE_H */
