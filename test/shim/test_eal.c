/*
 * test_eal.c - one EAL per unit-test process, started on first use.
 */
#include <stdio.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_log.h>
#include "test_eal.h"

static int eal_state = 1;	/* 1: not tried yet; else rte_eal_init's result */

int test_eal_up(void)
{
	char prefix[64];
	char *argv[] = { "unit_tests", "--no-huge", "--no-pci", "-m", "256",
			 "-l", "0-1", "--log-level", "lib.*:error", "--file-prefix", prefix,
			 NULL };

	if (eal_state != 1)
		return eal_state;
	snprintf(prefix, sizeof(prefix), "dpvsd-unit-%d", (int)getpid());
	eal_state = rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
	if (eal_state > 0)
		eal_state = 0;
	return eal_state;
}
