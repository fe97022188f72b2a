/*
 * cmdline.c - dpvsd's command line, parsed with libpopt into struct
 * cmdline_opts.  argv is split at the first "--" by hand: what precedes it
 * goes to popt, what follows is the EAL's.  No printing, no exit: main()
 * decides what to do with the result.
 */
#include <popt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "cfg.h"
#include "cmdline.h"
#include "dpvs_err.h"

enum {
	OPT_CONFIG = 1,
	OPT_PID,
	OPT_SOCKET,
	OPT_LOG,
	OPT_TEST,
	OPT_VERSION,
	OPT_HELP,
};

static const struct poptOption cmdline_table[] = {
	{ "config", 'c', POPT_ARG_STRING, NULL, OPT_CONFIG, NULL, NULL },
	{ "pid-file", 'p', POPT_ARG_STRING, NULL, OPT_PID, NULL, NULL },
	{ "socket", 's', POPT_ARG_STRING, NULL, OPT_SOCKET, NULL, NULL },
	{ "log-level", 'l', POPT_ARG_STRING, NULL, OPT_LOG, NULL, NULL },
	{ "test-config", 't', POPT_ARG_NONE, NULL, OPT_TEST, NULL, NULL },
	{ "version", 'v', POPT_ARG_NONE, NULL, OPT_VERSION, NULL, NULL },
	{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP, NULL, NULL },
	POPT_TABLEEND
};

void cmdline_usage(FILE *f)
{
	fprintf(f,
		"Usage: dpvsd [OPTION...] [-- EAL-ARGS...]\n"
		"  -c, --config=FILE      configuration file (default " CFG_DEFAULT_FILE ")\n"
		"  -p, --pid-file=FILE    pid file (overrides global.pid_file)\n"
		"  -s, --socket=PATH      control socket (overrides global.ctl_socket)\n"
		"  -l, --log-level=LEVEL  emerg|alert|crit|err|warning|notice|info|debug\n"
		"                         (overrides global.log_level)\n"
		"  -t, --test-config      check the configuration file and exit\n"
		"  -v, --version          print the version and exit\n"
		"  -h, --help             print this help and exit\n"
		"Arguments after \"--\" are passed to the DPDK EAL after dpvsd's own.\n"
		"Signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop.\n");
}

/* Copy a path option, checking its length (maxlen includes the NUL). */
static int cmdline_path(const char *opt, const char *val, char *out, size_t maxlen,
			char *err, size_t errlen)
{
	if (!val || !*val) {
		snprintf(err, errlen, "%s needs a non-empty value", opt);
		return EDPVS_INVAL;
	}
	if (strlen(val) >= maxlen) {
		snprintf(err, errlen, "%s: path too long (at most %zu characters)", opt,
			 maxlen - 1);
		return EDPVS_INVAL;
	}
	strcpy(out, val);
	return 0;
}

static int cmdline_option(int opt, const char *val, struct cmdline_opts *o, char *err,
			  size_t errlen)
{
	switch (opt) {
	case OPT_CONFIG:
		return cmdline_path("--config", val, o->config, sizeof(o->config), err, errlen);
	case OPT_PID:
		return cmdline_path("--pid-file", val, o->pid_file, sizeof(o->pid_file), err,
				    errlen);
	case OPT_SOCKET:
		return cmdline_path("--socket", val, o->ctl_socket,
				    sizeof(((struct sockaddr_un *)0)->sun_path), err, errlen);
	case OPT_LOG:
		o->log_level = cfg_log_level_parse(val);
		if (o->log_level < 0) {
			snprintf(err, errlen, "--log-level: unknown level \"%s\" (expected emerg, "
				 "alert, crit, err, warning, notice, info or debug)", val ? val : "");
			o->log_level = 0;
			return EDPVS_INVAL;
		}
		return 0;
	case OPT_TEST:
		o->test_config = true;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	case OPT_HELP:
		o->help = true;
		return 0;
	default:
		snprintf(err, errlen, "internal error: option %d", opt);
		return EDPVS_INVAL;
	}
}

/* Run popt over argv[0..argc-1] (no "--" in it). */
static int cmdline_popt(int argc, char **argv, struct cmdline_opts *o, char *err,
			size_t errlen)
{
	poptContext ctx = poptGetContext("dpvsd", argc, (const char **)argv, cmdline_table,
					 POPT_CONTEXT_POSIXMEHARDER);
	const char *stray;
	int opt, rc = 0;

	if (!ctx) {
		snprintf(err, errlen, "out of memory");
		return EDPVS_NOMEM;
	}
	while (rc == 0 && (opt = poptGetNextOpt(ctx)) > 0) {
		char *val = poptGetOptArg(ctx);

		rc = cmdline_option(opt, val, o, err, errlen);
		free(val);
	}
	if (rc == 0 && opt < -1) {
		snprintf(err, errlen, "%s: %s", poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
			 poptStrerror(opt));
		rc = EDPVS_INVAL;
	}
	if (rc == 0 && (stray = poptGetArg(ctx)) != NULL) {
		snprintf(err, errlen, "unexpected argument \"%s\" (EAL arguments go after \"--\")",
			 stray);
		rc = EDPVS_INVAL;
	}
	poptFreeContext(ctx);
	return rc;
}

int cmdline_parse(int argc, char **argv, struct cmdline_opts *o, char *err, size_t errlen)
{
	int i, own = argc;

	memset(o, 0, sizeof(*o));
	snprintf(o->config, sizeof(o->config), "%s", CFG_DEFAULT_FILE);
	if (errlen)
		err[0] = '\0';
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			own = i;
			o->eal_argc = argc - i - 1;
			o->eal_argv = argv + i + 1;
			break;
		}
	}
	if (own < 1)
		return 0;
	return cmdline_popt(own, argv, o, err, errlen);
}
