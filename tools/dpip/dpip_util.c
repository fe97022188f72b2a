/*
 * dpip_util.c - what every dpip object shares: word matching, the object
 * lookup, verb dispatch, usage printing and the one-request helper.
 * Lives outside main.c so the unit tests can link it (libdpip.a).
 */
#include <stdio.h>
#include <string.h>
#include "dpip.h"

bool dpip_matches(const char *arg, const char *word)
{
	size_t n = arg ? strlen(arg) : 0;

	return n > 0 && strncmp(arg, word, n) == 0;
}

const struct dpip_cmd *dpip_cmd_find(const char *arg)
{
	unsigned int i;

	if (arg == NULL)
		return NULL;
	for (i = 0; dpip_cmds[i]; i++)
		if (strcmp(arg, dpip_cmds[i]->name) == 0)
			return dpip_cmds[i];
	for (i = 0; dpip_words[i].word; i++)
		if (strlen(arg) >= dpip_words[i].min && dpip_matches(arg, dpip_words[i].word))
			return dpip_words[i].cmd;
	return NULL;
}

void dpip_usage(const struct dpip_cmd *cmd, FILE *f)
{
	fputs("Usage: ", f);
	fputs(cmd->usage, f);
}

static const struct dpip_verb *verb_find(const struct dpip_verb *verbs, unsigned int n,
					 const char *arg)
{
	const struct dpip_verb *found = NULL;
	unsigned int i, hits = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(arg, verbs[i].name) == 0)
			return &verbs[i];
		if (dpip_matches(arg, verbs[i].name)) {
			found = &verbs[i];
			hits++;
		}
	}
	return hits == 1 ? found : NULL;
}

int dpip_dispatch(const struct dpip_cmd *cmd, const struct dpip_verb *verbs, unsigned int n,
		  const struct dpip_opts *o, int argc, char **argv)
{
	const struct dpip_verb *v;
	unsigned int i;

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		dpip_usage(cmd, stdout);
		return DPIP_EXIT_OK;
	}
	v = argc <= 0 ? &verbs[0] : verb_find(verbs, n, argv[0]);
	if (v == NULL) {
		fprintf(stderr, "%s %s: unknown command '%s', expected one of:", cli_progname(),
			cmd->name, argv[0]);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", verbs[i].name);
		fputc('\n', stderr);
		dpip_usage(cmd, stderr);
		return DPIP_EXIT_USAGE;
	}
	if (o->brief && (!cmd->brief || v->run != verbs[0].run)) {
		cli_error("-br (brief output) applies to link show and addr show only");
		return DPIP_EXIT_USAGE;
	}
	return argc <= 0 ? v->run(o, 0, argv) : v->run(o, argc - 1, argv + 1);
}

int dpip_call(const struct dpip_opts *o, uint16_t opcode, const void *req, uint32_t len,
	      struct ctl_result *res)
{
	struct ctl_client c;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = ctl_client_open(&c, o->sock, o->timeout_ms, res->errmsg);
	if (rc == 0) {
		rc = ctl_client_request(&c, opcode, req, len, res);
		ctl_client_close(&c);
	}
	if (rc != 0) {
		cli_error("%s", res->errmsg);
		ctl_result_free(res);
	}
	return rc;
}

int dpip_change(const struct dpip_opts *o, uint16_t opcode, const void *req, uint32_t len)
{
	struct ctl_result res;

	if (dpip_call(o, opcode, req, len, &res))
		return DPIP_EXIT_FAIL;
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}
