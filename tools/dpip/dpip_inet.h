/*
 * dpip_inet.h - helpers shared by dpip's addr, route, neigh and ip objects
 * (tools/dpip/dpip_inet.c): device names, IPv4 parsing with clear errors,
 * and formatting.
 */
#ifndef DPVS_DPIP_INET_H
#define DPVS_DPIP_INET_H

#include <stdint.h>
#include <arpa/inet.h>
#include "dpip.h"
#include "inet_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Copy a device name into out[INET_IFNAME_LEN]; prints and returns
 * DPIP_EXIT_USAGE if empty or too long. */
int dpip_inet_dev(const char *s, char *out);

/* "A.B.C.D" -> network order; prints "bad WHAT 'S': ..." on failure. */
int dpip_inet_addr(const char *what, const char *s, uint32_t *addr);

/* "A.B.C.D/LEN" (LEN 0..32, for addresses and routes alike, as ip(8)),
 * "A.B.C.D" (/32) or "default" (0/0, if allow_default); prints ip's "any
 * valid prefix is expected rather than ..." on failure. */
int dpip_inet_prefix(const char *what, const char *s, bool allow_default, uint32_t *addr,
		     uint8_t *plen);

/* The value after keyword argv[*i] (advances *i); prints if missing. */
const char *dpip_inet_value(int argc, char **argv, int *i);

/* Dotted quad of a network-order address into buf (16 bytes). */
const char *dpip_inet_ntoa(uint32_t addr, char *buf);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_DPIP_INET_H */
