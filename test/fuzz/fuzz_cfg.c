/*
 * fuzz_cfg.c - libFuzzer target: arbitrary text as a dpvsd configuration
 * file into cfg_load() (libconfig, the core sections and every registered
 * module section's parser), then cfg_build_eal_args() on what loads.  No
 * EAL: parsing and validation run before it in the daemon too.  Inputs
 * containing "@include" are skipped (an include of /dev/zero or a FIFO
 * would read forever; include handling is covered by the unit tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_path[64];

static const char *fuzz_file(void)
{
	if (fuzz_path[0] == '\0') {
		int fd;

		snprintf(fuzz_path, sizeof(fuzz_path), "/tmp/dpvsd-fuzz-cfg-XXXXXX");
		fd = mkstemp(fuzz_path);
		if (fd < 0)
			abort();
		close(fd);
	}
	return fuzz_path;
}

__attribute__((destructor)) static void fuzz_cfg_cleanup(void)
{
	if (fuzz_path[0] != '\0')
		unlink(fuzz_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_errors errs;
	struct cfg_tree *t = NULL;
	struct cfg_eal_args a;
	FILE *f;

	if (memmem(data, size, "@include", 8))
		return 0;
	f = fopen(fuzz_file(), "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (cfg_load(fuzz_path, &t, &errs) == 0) {
		if (cfg_build_eal_args(t, 0, NULL, &a) >= 0)
			cfg_eal_args_free(&a);
		cfg_free(t);
	}
	return 0;
}
