/*
 * cli_util.h - helpers shared by the command-line tools (ipvsadm, dpip):
 * bounded number parsers, IPv4/IPv6 address, prefix and address:port
 * parsers, address formatting, error printing and a small streaming JSON
 * writer for `-j` output (tools/common/cli_util.c).
 *
 * Parsers never accept trailing garbage, leading/trailing blanks, empty
 * strings or out-of-range values, and never call atoi.  They return 0 or
 * EDPVS_INVAL (malformed) / EDPVS_RANGE (well-formed but out of bounds)
 * and leave *out untouched on failure.  IPv4 addresses are uint32_t in
 * network byte order; IPv6 addresses are 16 bytes.  Plain C, no DPDK.
 */
#ifndef DPVS_CLI_UTIL_H
#define DPVS_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dpvs_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ---- */

/* Set the program name used as prefix by cli_error() (default "cli"). */
void cli_set_progname(const char *name);
const char *cli_progname(void);

/* Print "PROG: message\n" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- numbers ---- */

/* Unsigned integer in decimal, or hex with 0x prefix; min <= v <= max. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int cli_parse_u16(const char *s, uint16_t min, uint16_t max, uint16_t *out);
int cli_parse_u8(const char *s, uint8_t min, uint8_t max, uint8_t *out);
/* Signed decimal integer; min <= v <= max. */
int cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Same as cli_parse_u32 but on failure prints
 * "PROG: bad WHAT 'S': expected an integer from MIN to MAX". */
int cli_arg_u32(const char *what, const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Word s must be one of names[0..n-1] (exact match); *idx = its index.
 * EDPVS_INVAL otherwise. */
int cli_parse_enum(const char *s, const char *const *names, unsigned int n, unsigned int *idx);

/* ---- addresses ---- */

/* Address family values are AF_INET / AF_INET6 from <sys/socket.h>. */
union cli_addr {
	uint32_t in4;		/* network byte order */
	uint8_t in6[16];
};

/* Dotted-quad IPv4 only (no shorthand like "10.1"). */
int cli_parse_ipv4(const char *s, uint32_t *addr_be);
/* IPv6 in any inet_pton form. */
int cli_parse_ipv6(const char *s, uint8_t addr[16]);
/* Either family, decided by the text; *af = AF_INET or AF_INET6. */
int cli_parse_addr(const char *s, int *af, union cli_addr *addr);
/* "ADDR/LEN" (LEN 0..32 or 0..128) or a bare ADDR (full-length prefix).
 * Host bits set beyond LEN are accepted as given (the caller decides). */
int cli_parse_prefix(const char *s, int *af, union cli_addr *addr, uint8_t *plen);
/* "A.B.C.D:PORT" or "[V6]:PORT"; port 0..65535 stored in host order.
 * With port_optional, a bare address gives *port = 0. */
int cli_parse_addr_port(const char *s, bool port_optional, int *af, union cli_addr *addr,
			uint16_t *port);

/* Format an address into buf (INET6_ADDRSTRLEN is enough); returns buf,
 * or "?" for an unknown family. */
const char *cli_fmt_addr(int af, const void *addr, char *buf, size_t len);

/* MAC address "aa:bb:cc:dd:ee:ff" (exactly six two-digit hex groups, ':'
 * or '-' separated, either case). */
int cli_parse_mac(const char *s, uint8_t mac[6]);
/* "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes); returns buf. */
const char *cli_fmt_mac(const uint8_t mac[6], char *buf, size_t len);

/* ---- JSON output ---- */

#define CLI_JSON_MAX_DEPTH 16

/* A streaming writer; keys are required inside objects and ignored (pass
 * NULL) inside arrays and at the top level.  Strings are escaped.  Misuse
 * (too deep, closing what is not open) is recorded in err, never a crash. */
struct cli_json {
	FILE *f;
	unsigned int depth;
	bool first[CLI_JSON_MAX_DEPTH];	/* no element written yet at this depth */
	bool is_obj[CLI_JSON_MAX_DEPTH];
	bool err;
};

void cli_json_init(struct cli_json *j, FILE *f);
void cli_json_obj_open(struct cli_json *j, const char *key);
void cli_json_obj_close(struct cli_json *j);
void cli_json_arr_open(struct cli_json *j, const char *key);
void cli_json_arr_close(struct cli_json *j);
void cli_json_str(struct cli_json *j, const char *key, const char *val);
void cli_json_u64(struct cli_json *j, const char *key, uint64_t v);
void cli_json_i64(struct cli_json *j, const char *key, int64_t v);
void cli_json_double(struct cli_json *j, const char *key, double v);
void cli_json_bool(struct cli_json *j, const char *key, bool v);
void cli_json_null(struct cli_json *j, const char *key);
/* Finish: writes a newline; returns 0, or EDPVS_INVAL if the document is
 * unbalanced or was misused. */
int cli_json_end(struct cli_json *j);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CLI_UTIL_H */
