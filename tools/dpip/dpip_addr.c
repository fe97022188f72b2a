/*
 * dpip_addr.c - `dpip addr add|del A.B.C.D/LEN dev DEV`,
 * `dpip addr show [[dev] DEV]` and `dpip addr flush [dev] DEV`
 * (INET_OP_ADDR_*, include/inet_wire.h).  Output like ip(8) addr; -j gives
 * a JSON array of addresses, -br one line per link (as ip -br addr).
 */
#include <stdio.h>
#include <string.h>
#include "dpip_inet.h"
#include "inet_addr.h"
#include "netif_wire.h"

/* Parse "PREFIX dev DEV" (dev optional for del). */
static int addr_parse(const char *verb, int argc, char **argv, bool need_dev,
		      struct inet_addr_wire *w)
{
	bool have_addr = false, have_dev = false;
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "dev") == 0) {
			const char *v = dpip_inet_value(argc, argv, &i);

			if (v == NULL || dpip_inet_dev(v, w->ifname))
				return DPIP_EXIT_USAGE;
			have_dev = true;
		} else if (!have_addr) {
			if (dpip_inet_prefix("address", argv[i], false, &w->addr, &w->plen))
				return DPIP_EXIT_USAGE;
			if (strchr(argv[i], '/') == NULL && strcmp(verb, "del") == 0)
				w->plen = 0;	/* any length */
			have_addr = true;
		} else {
			cli_error("addr %s: unexpected '%s'", verb, argv[i]);
			return DPIP_EXIT_USAGE;
		}
	}
	if (!have_addr || (need_dev && !have_dev)) {
		cli_error("addr %s: expected A.B.C.D/LEN dev DEV", verb);
		return DPIP_EXIT_USAGE;
	}
	return 0;
}

static int addr_change(const struct dpip_opts *o, uint16_t op, const char *verb, int argc,
		       char **argv, bool need_dev)
{
	struct inet_addr_wire w;
	int rc = addr_parse(verb, argc, argv, need_dev, &w);

	if (rc)
		return rc;
	return dpip_change(o, op, &w, sizeof(w));
}

static int addr_add(const struct dpip_opts *o, int argc, char **argv)
{
	return addr_change(o, INET_OP_ADDR_ADD, "add", argc, argv, true);
}

static int addr_del(const struct dpip_opts *o, int argc, char **argv)
{
	return addr_change(o, INET_OP_ADDR_DEL, "del", argc, argv, false);
}

static void addr_print(const struct dpip_opts *o, const struct inet_addr_wire *a, uint32_t n)
{
	char buf[INET_ADDRSTRLEN], dev[INET_IFNAME_LEN + 1] = "";
	struct cli_json js;
	uint32_t i;

	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	for (i = 0; i < n; i++) {
		char name[INET_IFNAME_LEN + 1];

		snprintf(name, sizeof(name), "%.*s", INET_IFNAME_LEN, a[i].ifname);
		dpip_inet_ntoa(a[i].addr, buf);
		if (o->json) {
			cli_json_obj_open(&js, NULL);
			cli_json_str(&js, "ifname", name);
			cli_json_str(&js, "family", "inet");
			cli_json_str(&js, "local", buf);
			cli_json_u64(&js, "prefixlen", a[i].plen);
			cli_json_bool(&js, "static", a[i].flags & INET_ADDR_F_STATIC);
			cli_json_obj_close(&js);
			continue;
		}
		if (strcmp(dev, name) != 0) {
			printf("%s:\n", name);
			snprintf(dev, sizeof(dev), "%s", name);
		}
		printf("    inet %s/%u scope global %s%s\n", buf, a[i].plen, name,
		       (a[i].flags & INET_ADDR_F_STATIC) ? " (config)" : "");
	}
	if (o->json) {
		cli_json_arr_close(&js);
		cli_json_end(&js);
	}
}

/* -br, as ip -br addr: "NAME STATE A/LEN A/LEN ..." per link, in ip's
 * columns; -j -br: ifname, operstate, addr_info[{local, prefixlen}]. */
static void addr_print_brief(const struct dpip_opts *o, const struct netif_wire_link *l,
			     uint32_t nl, const struct inet_addr_wire *a, uint32_t na)
{
	char buf[INET_ADDRSTRLEN], name[INET_IFNAME_LEN + 1];
	struct cli_json js;
	uint32_t i, k;

	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	for (i = 0; i < nl; i++) {
		snprintf(name, sizeof(name), "%.*s", NETIF_WIRE_NAME, l[i].name);
		if (o->json) {
			cli_json_obj_open(&js, NULL);
			cli_json_str(&js, "ifname", name);
			cli_json_str(&js, "operstate", dpip_link_state(&l[i]));
			cli_json_arr_open(&js, "addr_info");
		} else {
			printf("%-16s %-14s ", name, dpip_link_state(&l[i]));
		}
		for (k = 0; k < na; k++) {
			if (strncmp(a[k].ifname, name, INET_IFNAME_LEN) != 0)
				continue;
			dpip_inet_ntoa(a[k].addr, buf);
			if (!o->json) {
				printf("%s/%u ", buf, a[k].plen);
				continue;
			}
			cli_json_obj_open(&js, NULL);
			cli_json_str(&js, "local", buf);
			cli_json_u64(&js, "prefixlen", a[k].plen);
			cli_json_obj_close(&js);
		}
		if (o->json) {
			cli_json_arr_close(&js);
			cli_json_obj_close(&js);
		} else {
			printf("\n");
		}
	}
	if (o->json) {
		cli_json_arr_close(&js);
		cli_json_end(&js);
	}
}

/* "[dev] DEV" or nothing into req (what: the verb, for messages);
 * need_dev: nothing is refused with ip's "Flush requires arguments.". */
static int addr_dev_arg(const char *what, int argc, char **argv, bool need_dev,
			struct inet_ifname_wire *req)
{
	int i = (argc > 0 && strcmp(argv[0], "dev") == 0) ? 1 : 0;

	memset(req, 0, sizeof(*req));
	if (argc == 0 && need_dev) {
		cli_error("Flush requires arguments (addr %s [dev] DEV)", what);
		return DPIP_EXIT_USAGE;
	}
	if (argc == 0)
		return 0;
	if (i + 1 != argc) {
		cli_error("addr %s: expected [dev] DEV", what);
		return DPIP_EXIT_USAGE;
	}
	return dpip_inet_dev(argv[i], req->ifname);
}

/* INET_OP_ADDR_LIST: 0 with res filled, else DPIP_EXIT_FAIL (printed). */
static int addr_fetch(const struct dpip_opts *o, const struct inet_ifname_wire *req,
		      struct ctl_result *res)
{
	if (dpip_call(o, INET_OP_ADDR_LIST, req, sizeof(*req), res))
		return DPIP_EXIT_FAIL;
	if (res->len % sizeof(struct inet_addr_wire) != 0) {
		ctl_result_free(res);
		cli_error("malformed address list from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	return 0;
}

static int addr_show(const struct dpip_opts *o, int argc, char **argv)
{
	const struct netif_wire_link *links = NULL;
	struct ctl_result res, lres;
	struct inet_ifname_wire req;
	uint32_t nl = 0, na;
	int rc;

	if (addr_dev_arg("show", argc, argv, false, &req))
		return DPIP_EXIT_USAGE;
	if (o->brief) {
		rc = dpip_link_fetch(o, req.ifname[0] ? req.ifname : NULL, &lres, &links, &nl);
		if (rc)
			return rc;
	}
	rc = addr_fetch(o, &req, &res);
	if (rc == 0) {
		na = res.len / sizeof(struct inet_addr_wire);
		if (o->brief)
			addr_print_brief(o, links, nl, res.data, na);
		else
			addr_print(o, res.data, na);
		ctl_result_free(&res);
	}
	if (o->brief)
		ctl_result_free(&lres);
	return rc;
}

static int addr_flush(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_ifname_wire req;

	if (addr_dev_arg("flush", argc, argv, true, &req))
		return DPIP_EXIT_USAGE;
	return dpip_change(o, INET_OP_ADDR_FLUSH, &req, sizeof(req));
}

static const struct dpip_verb addr_verbs[] = {
	{ "show", addr_show },
	{ "list", addr_show },
	{ "add", addr_add },
	{ "del", addr_del },
	{ "delete", addr_del },
	{ "flush", addr_flush },
};

const struct dpip_cmd dpip_cmd_addr;

static int addr_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_addr, addr_verbs, DPVS_ARRAY_SIZE(addr_verbs), o, argc,
			     argv);
}

const struct dpip_cmd dpip_cmd_addr = {
	.name = "addr",
	.usage = "dpip [-j] [-br] addr show [[dev] DEV]\n"
		 "dpip addr add A.B.C.D/LEN dev DEV\n"
		 "dpip addr del A.B.C.D[/LEN] [dev DEV]\n"
		 "dpip addr flush [dev] DEV\n",
	.run = addr_run,
	.brief = true,
};
