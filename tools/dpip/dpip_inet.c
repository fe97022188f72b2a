/*
 * dpip_inet.c - helpers shared by dpip's addr, route, neigh and ip objects.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "dpip_inet.h"

int dpip_inet_dev(const char *s, char *out)
{
	if (s == NULL || s[0] == '\0' || strlen(s) >= INET_IFNAME_LEN) {
		cli_error("bad device name '%s' (1..%d characters)", s ? s : "",
			  INET_IFNAME_LEN - 1);
		return DPIP_EXIT_USAGE;
	}
	memset(out, 0, INET_IFNAME_LEN);
	memcpy(out, s, strlen(s) + 1);	/* fits: checked above */
	return 0;
}

int dpip_inet_addr(const char *what, const char *s, uint32_t *addr)
{
	if (cli_parse_ipv4(s, addr) != 0) {
		cli_error("bad %s '%s': expected an IPv4 address A.B.C.D", what, s);
		return DPIP_EXIT_USAGE;
	}
	return 0;
}

int dpip_inet_prefix(const char *what, const char *s, bool allow_default, uint32_t *addr,
		     uint8_t *plen)
{
	union cli_addr a;
	int af;

	if (allow_default && strcmp(s, "default") == 0) {
		*addr = 0;
		*plen = 0;
		return 0;
	}
	if (cli_parse_prefix(s, &af, &a, plen) != 0 || af != AF_INET) {
		cli_error("any valid prefix is expected rather than \"%s\" (%s: A.B.C.D/LEN, "
			  "LEN 0..32%s)", s, what, allow_default ? ", or default" : "");
		return DPIP_EXIT_USAGE;
	}
	*addr = a.in4;
	return 0;
}

const char *dpip_inet_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		cli_error("'%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

const char *dpip_inet_ntoa(uint32_t addr, char *buf)
{
	if (inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN) == NULL)
		snprintf(buf, INET_ADDRSTRLEN, "?");
	return buf;
}
