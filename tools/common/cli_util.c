/*
 * cli_util.c - parsers, address formatting, error printing and the JSON
 * writer shared by ipvsadm and dpip.  See include/cli_util.h.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "cli_util.h"

static const char *cli_prog = "cli";

void cli_set_progname(const char *name)
{
	if (name && name[0])
		cli_prog = name;
}

const char *cli_progname(void)
{
	return cli_prog;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- numbers ---- */

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (!s || !isdigit((unsigned char)s[0]))
		return EDPVS_INVAL;	/* also refuses blanks, signs, "" */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return EDPVS_INVAL;
		base = 16;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end != '\0')
		return EDPVS_INVAL;
	if (errno == ERANGE || v < min || v > max)
		return EDPVS_RANGE;
	*out = v;
	return 0;
}

int cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = cli_parse_u64(s, min, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

int cli_parse_u16(const char *s, uint16_t min, uint16_t max, uint16_t *out)
{
	uint64_t v;
	int rc = cli_parse_u64(s, min, max, &v);

	if (rc == 0)
		*out = (uint16_t)v;
	return rc;
}

int cli_parse_u8(const char *s, uint8_t min, uint8_t max, uint8_t *out)
{
	uint64_t v;
	int rc = cli_parse_u64(s, min, max, &v);

	if (rc == 0)
		*out = (uint8_t)v;
	return rc;
}

int cli_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	long long v;
	char *end;
	const char *d = s;

	if (!s)
		return EDPVS_INVAL;
	if (*d == '-' || *d == '+')
		d++;
	if (!isdigit((unsigned char)*d))
		return EDPVS_INVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return EDPVS_INVAL;
	if (errno == ERANGE || v < min || v > max)
		return EDPVS_RANGE;
	*out = v;
	return 0;
}

int cli_arg_u32(const char *what, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	int rc = cli_parse_u32(s, min, max, out);

	if (rc)
		cli_error("bad %s '%s': expected an integer from %" PRIu32 " to %" PRIu32,
			  what, s ? s : "", min, max);
	return rc;
}

int cli_parse_enum(const char *s, const char *const *names, unsigned int n, unsigned int *idx)
{
	unsigned int i;

	if (!s)
		return EDPVS_INVAL;
	for (i = 0; i < n; i++) {
		if (names[i] && strcmp(s, names[i]) == 0) {
			*idx = i;
			return 0;
		}
	}
	return EDPVS_INVAL;
}

/* ---- addresses ---- */

int cli_parse_ipv4(const char *s, uint32_t *addr_be)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return EDPVS_INVAL;
	*addr_be = a.s_addr;
	return 0;
}

int cli_parse_ipv6(const char *s, uint8_t addr[16])
{
	struct in6_addr a;

	if (!s || inet_pton(AF_INET6, s, &a) != 1)
		return EDPVS_INVAL;
	memcpy(addr, &a, 16);
	return 0;
}

int cli_parse_addr(const char *s, int *af, union cli_addr *addr)
{
	union cli_addr a;

	if (!s)
		return EDPVS_INVAL;
	memset(&a, 0, sizeof(a));
	if (cli_parse_ipv4(s, &a.in4) == 0) {
		*af = AF_INET;
	} else if (cli_parse_ipv6(s, a.in6) == 0) {
		*af = AF_INET6;
	} else {
		return EDPVS_INVAL;
	}
	*addr = a;
	return 0;
}

/* Copy s[0..len) into buf (size bsz) as a string; EDPVS_INVAL if too long. */
static int copy_part(char *buf, size_t bsz, const char *s, size_t len)
{
	if (len >= bsz)
		return EDPVS_INVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int cli_parse_prefix(const char *s, int *af, union cli_addr *addr, uint8_t *plen)
{
	char buf[64];
	const char *slash;
	union cli_addr a;
	int f, rc;
	uint8_t len;

	if (!s)
		return EDPVS_INVAL;
	slash = strchr(s, '/');
	if (copy_part(buf, sizeof(buf), s, slash ? (size_t)(slash - s) : strlen(s)))
		return EDPVS_INVAL;
	if (cli_parse_addr(buf, &f, &a))
		return EDPVS_INVAL;
	len = f == AF_INET ? 32 : 128;
	if (slash) {
		rc = cli_parse_u8(slash + 1, 0, len, &len);
		if (rc)
			return rc;
	}
	*af = f;
	*addr = a;
	*plen = len;
	return 0;
}

/* Split "[v6]:port" / "v4:port" / bare address into address text and port text. */
static int split_addr_port(const char *s, char *abuf, size_t asz, const char **port)
{
	const char *colon;

	*port = NULL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || (close[1] != '\0' && close[1] != ':'))
			return EDPVS_INVAL;
		if (close[1] == ':')
			*port = close + 2;
		return copy_part(abuf, asz, s + 1, (size_t)(close - s - 1));
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':'))	/* bare IPv6 without brackets */
		return copy_part(abuf, asz, s, strlen(s));
	if (colon)
		*port = colon + 1;
	return copy_part(abuf, asz, s, colon ? (size_t)(colon - s) : strlen(s));
}

int cli_parse_addr_port(const char *s, bool port_optional, int *af, union cli_addr *addr,
			uint16_t *port)
{
	char buf[64];
	const char *pstr;
	union cli_addr a;
	uint16_t p = 0;
	int f, rc;

	if (!s || split_addr_port(s, buf, sizeof(buf), &pstr))
		return EDPVS_INVAL;
	if (cli_parse_addr(buf, &f, &a))
		return EDPVS_INVAL;
	if (!pstr && !port_optional)
		return EDPVS_INVAL;
	if (pstr) {
		rc = cli_parse_u16(pstr, 0, UINT16_MAX, &p);
		if (rc)
			return rc;
	}
	*af = f;
	*addr = a;
	*port = p;
	return 0;
}

const char *cli_fmt_addr(int af, const void *addr, char *buf, size_t len)
{
	if ((af != AF_INET && af != AF_INET6) || !inet_ntop(af, addr, buf, (socklen_t)len))
		return "?";
	return buf;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cli_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	char sep;
	int i;

	if (!s || strlen(s) != 17)
		return EDPVS_INVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return EDPVS_INVAL;
	for (i = 0; i < 6; i++) {
		const char *g = s + (size_t)i * 3;
		int hi = hex_val(g[0]), lo = hex_val(g[1]);

		if (hi < 0 || lo < 0 || (i < 5 && g[2] != sep))
			return EDPVS_INVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

const char *cli_fmt_mac(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}

/* ---- JSON ---- */

void cli_json_init(struct cli_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Separator and key before a value; records misuse. */
static void json_prefix(struct cli_json *j, const char *key)
{
	unsigned int d = j->depth;

	if (d == 0 && !j->first[0])
		j->err = true;		/* second top-level value */
	if (!j->first[d])
		fputc(',', j->f);
	j->first[d] = false;
	if (d > 0 && j->is_obj[d]) {
		if (!key) {
			j->err = true;
			key = "";
		}
		json_string(j->f, key);
		fputc(':', j->f);
	}
}

static void json_open(struct cli_json *j, const char *key, bool obj)
{
	json_prefix(j, key);
	fputc(obj ? '{' : '[', j->f);
	if (j->depth + 1 >= CLI_JSON_MAX_DEPTH) {
		j->err = true;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
	j->is_obj[j->depth] = obj;
}

static void json_close(struct cli_json *j, bool obj)
{
	if (j->depth == 0 || j->is_obj[j->depth] != obj) {
		j->err = true;
		return;
	}
	fputc(obj ? '}' : ']', j->f);
	j->depth--;
}

void cli_json_obj_open(struct cli_json *j, const char *key)
{
	json_open(j, key, true);
}

void cli_json_obj_close(struct cli_json *j)
{
	json_close(j, true);
}

void cli_json_arr_open(struct cli_json *j, const char *key)
{
	json_open(j, key, false);
}

void cli_json_arr_close(struct cli_json *j)
{
	json_close(j, false);
}

void cli_json_str(struct cli_json *j, const char *key, const char *val)
{
	json_prefix(j, key);
	if (val)
		json_string(j->f, val);
	else
		fputs("null", j->f);
}

void cli_json_u64(struct cli_json *j, const char *key, uint64_t v)
{
	json_prefix(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void cli_json_i64(struct cli_json *j, const char *key, int64_t v)
{
	json_prefix(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void cli_json_double(struct cli_json *j, const char *key, double v)
{
	json_prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);	/* JSON has no NaN/Inf */
}

void cli_json_bool(struct cli_json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void cli_json_null(struct cli_json *j, const char *key)
{
	json_prefix(j, key);
	fputs("null", j->f);
}

int cli_json_end(struct cli_json *j)
{
	fputc('\n', j->f);
	return (j->err || j->depth != 0) ? EDPVS_INVAL : 0;
}
