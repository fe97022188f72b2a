/*
 * test_eal.h - the thin C shim the C++ unit tests use to reach dpvsd's C
 * code.  test_eal_up() starts one EAL for the whole unit-test process
 * (--no-huge --no-pci, lcores 0-1, a private file prefix) the
 * first time it is called; later calls return its first result.
 */
#ifndef DPVS_TEST_EAL_H
#define DPVS_TEST_EAL_H

#ifdef __cplusplus
extern "C" {
#endif

/* 0 once the EAL is up, negative if it could not start. */
int test_eal_up(void);

#ifdef __cplusplus
}
#endif
#endif
