/*
 * main.c - dpip: global options (popt, stopping at the first non-option
 * like iproute2), then `OBJECT [VERB ARGS...]` dispatched through the
 * const table in dpip_cmds.c.  See dpip.h for how objects are added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <popt.h>
#include "dpip.h"

/* "  addr     a[ddress]": the object and its rules in dpip_words[]. */
static void print_spellings(FILE *f, const struct dpip_cmd *cmd)
{
	const struct dpip_word *w;

	fprintf(f, "  %-8s", cmd->name);
	for (w = dpip_words; w->word; w++) {
		if (w->cmd != cmd)
			continue;
		if (w->min < strlen(w->word))
			fprintf(f, " %.*s[%s]", (int)w->min, w->word, w->word + w->min);
		else
			fprintf(f, " %s", w->word);
	}
	fputc('\n', f);
}

static void print_help(FILE *f)
{
	unsigned int i;

	fputs("Usage: dpip [OPTIONS] OBJECT [COMMAND [ARGS...]]\n"
	      "Options:\n"
	      "  -j, --json            JSON output (where supported)\n"
	      "  -s, --stats           more statistics\n"
	      "  -v, --verbose         more details\n"
	      "  -br, -brief, --brief one line per device (link show, addr show)\n"
	      "  -V, --version         print the version and exit\n"
	      "      --socket PATH     control socket (else $DPVSD_SOCK, else "
	      CTL_DEFAULT_SOCK ")\n"
	      "  -t, --timeout MS      wait at most MS for the daemon (default 10000)\n"
	      "  -h, --help            this help\n"
	      "Objects (and their spellings: the letters in [] may be left out):\n", f);
	for (i = 0; dpip_cmds[i]; i++)
		print_spellings(f, dpip_cmds[i]);
	fputs("Commands of each object:\n", f);
	for (i = 0; dpip_cmds[i]; i++)
		fputs(dpip_cmds[i]->usage, f);
}

/* Parse the global options; *rest gets the remaining words.  Returns -1 to
 * continue, else an exit status. */
static int parse_opts(int argc, const char **argv, struct dpip_opts *o, const char ***rest,
		      poptContext *pc)
{
	int json = 0, stats = 0, verbose = 0, brief = 0, version = 0, help = 0, rc;
	char *sock = NULL, *timeout = NULL;
	struct poptOption table[] = {
		{ "json", 'j', POPT_ARG_NONE, &json, 0, NULL, NULL },
		{ "stats", 's', POPT_ARG_NONE, &stats, 0, NULL, NULL },
		{ "verbose", 'v', POPT_ARG_NONE, &verbose, 0, NULL, NULL },
		{ "brief", 0, POPT_ARG_NONE | POPT_ARGFLAG_ONEDASH, &brief, 0, NULL, NULL },
		{ "br", 0, POPT_ARG_NONE | POPT_ARGFLAG_ONEDASH, &brief, 0, NULL, NULL },
		{ "version", 'V', POPT_ARG_NONE, &version, 0, NULL, NULL },
		{ "help", 'h', POPT_ARG_NONE, &help, 0, NULL, NULL },
		{ "socket", 0, POPT_ARG_STRING, &sock, 0, NULL, NULL },
		{ "timeout", 't', POPT_ARG_STRING, &timeout, 0, NULL, NULL },
		POPT_TABLEEND
	};

	*pc = poptGetContext("dpip", argc, argv, table, POPT_CONTEXT_POSIXMEHARDER);
	rc = poptGetNextOpt(*pc);
	if (rc < -1) {
		cli_error("%s: %s (try 'dpip help')", poptBadOption(*pc, 0), poptStrerror(rc));
		free(timeout);
		free(sock);
		return DPIP_EXIT_USAGE;
	}
	if (version || help) {
		free(timeout);
		free(sock);
	}
	if (version) {
		printf("dpip version %s (control protocol %u)\n", DPVSD_VERSION, CTL_VERSION);
		return DPIP_EXIT_OK;
	}
	if (help) {
		print_help(stdout);
		return DPIP_EXIT_OK;
	}
	if (timeout && cli_arg_u32("timeout", timeout, 1, 3600000, &o->timeout_ms)) {
		free(timeout);
		free(sock);
		return DPIP_EXIT_USAGE;
	}
	free(timeout);
	o->sock = sock;		/* freed by main */
	o->json = json;
	o->stats = stats;
	o->verbose = verbose;
	o->brief = brief;
	*rest = poptGetArgs(*pc);
	return -1;
}

static int run_object(const struct dpip_opts *o, const char **rest)
{
	const struct dpip_cmd *cmd;
	int n = 0;

	if (!rest || !rest[0]) {
		print_help(stderr);
		return DPIP_EXIT_USAGE;
	}
	if (strcmp(rest[0], "help") == 0) {
		print_help(stdout);
		return DPIP_EXIT_OK;
	}
	cmd = dpip_cmd_find(rest[0]);
	if (!cmd) {
		cli_error("unknown object '%s' (try 'dpip help')", rest[0]);
		return DPIP_EXIT_USAGE;
	}
	while (rest[n + 1])
		n++;
	return cmd->run(o, n, (char **)(rest + 1));
}

int main(int argc, char **argv)
{
	struct dpip_opts o;
	const char **rest = NULL;
	poptContext pc;
	int rc;

	memset(&o, 0, sizeof(o));
	cli_set_progname("dpip");
	rc = parse_opts(argc, (const char **)argv, &o, &rest, &pc);
	if (rc < 0)
		rc = run_object(&o, rest);
	poptFreeContext(pc);
	free((char *)o.sock);
	return rc;
}
