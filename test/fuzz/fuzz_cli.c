/*
 * fuzz_cli.c - libFuzzer target: the command-line parsers of ipvsadm and
 * dpip, and ipvsadm's client-side decoders.  Byte 0 selects: 0 ipvsadm_parse
 * on an argv built from the input (words separated by NUL bytes, at most
 * 32), 1 the same argv to a dpip object's run() (dpip_cmd_find on the first
 * word; the socket path does not exist, so every parse that succeeds ends
 * in "dpvsd is not running"), 2 ipvsadm_split_line (the -R restore lexer)
 * then ipvsadm_parse on its words, 3 ipvsadm_list_decode on the raw bytes
 * (a malformed SVC_LIST reply).  stdout is sent to /dev/null.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/ipvsadm/ipvsadm.h"
#include "../../tools/dpip/dpip.h"

#define FUZZ_MAX_WORDS 32
#define FUZZ_MAX_INPUT 4096

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	return 0;
}

/* Split buf (NUL-terminated at len) at NULs into argv[1..]; argv[0] = prog. */
static int fuzz_words(char *buf, size_t len, const char *prog, char **argv)
{
	int n = 1;
	size_t i = 0;

	argv[0] = (char *)prog;
	while (i < len && n < FUZZ_MAX_WORDS) {
		argv[n++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[n] = NULL;
	return n;
}

static void fuzz_ipvsadm(int argc, char **argv)
{
	struct ipvsadm_req *req = calloc(1, sizeof(*req));
	char err[512];

	if (!req)
		return;
	ipvsadm_parse(argc, (const char *const *)argv, req, err, sizeof(err));
	free(req);
}

static void fuzz_dpip(int argc, char **argv)
{
	struct dpip_opts o;
	const struct dpip_cmd *cmd;

	if (argc < 2)
		return;
	cmd = dpip_cmd_find(argv[1]);
	if (!cmd)
		return;
	memset(&o, 0, sizeof(o));
	o.sock = "/nonexistent/dpvsd-fuzz.sock";
	o.timeout_ms = 100;
	o.json = argv[1][0] & 1;
	cmd->run(&o, argc - 2, argv + 2);
}

static void fuzz_restore_line(char *buf)
{
	const char *argv[FUZZ_MAX_WORDS + 1];
	int n = ipvsadm_split_line(buf, argv, FUZZ_MAX_WORDS);

	if (n > 0)
		fuzz_ipvsadm(n, (char **)argv);
}

static void fuzz_list_decode(const uint8_t *data, size_t size)
{
	struct ipvsadm_list l;
	void *copy = malloc(size ? size : 1);

	if (!copy)
		return;
	memcpy(copy, data, size);
	if (ipvsadm_list_decode(copy, size, &l) == 0) {
		ipvsadm_list_sort(&l);
		ipvsadm_print_rules(stdout, &l, 0);
		ipvsadm_list_free(&l);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_WORDS + 1];
	char *buf;
	int argc;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	switch (data[0] & 3) {
	case 0:
		argc = fuzz_words(buf, size - 1, "ipvsadm", argv);
		fuzz_ipvsadm(argc, argv);
		break;
	case 1:
		argc = fuzz_words(buf, size - 1, "dpip", argv);
		fuzz_dpip(argc, argv);
		break;
	case 2:
		fuzz_restore_line(buf);
		break;
	default:
		fuzz_list_decode(data + 1, size - 1);
		break;
	}
	free(buf);
	return 0;
}
