/*
 * dpip_addr.c - `dpip addr add|del A.B.C.D/LEN dev DEV` and
 * `dpip addr show [[dev] DEV]` (INET_OP_ADDR_*, include/inet_wire.h).
 * Output like ip(8) addr; -j gives a JSON array of addresses.
 */
#include <stdio.h>
#include <string.h>
#include "dpip_inet.h"
#include "inet_addr.h"

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

static int addr_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_ifname_wire req;
	struct ctl_result res;
	bool have_dev = false;
	int i;

	memset(&req, 0, sizeof(req));
	for (i = 0; i < argc; i++) {
		const char *v = argv[i];

		if (strcmp(v, "dev") == 0 && (v = dpip_inet_value(argc, argv, &i)) == NULL)
			return DPIP_EXIT_USAGE;
		if (have_dev) {
			cli_error("addr show: unexpected '%s'", argv[i]);
			return DPIP_EXIT_USAGE;
		}
		if (dpip_inet_dev(v, req.ifname))
			return DPIP_EXIT_USAGE;
		have_dev = true;
	}
	if (dpip_call(o, INET_OP_ADDR_LIST, &req, sizeof(req), &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(struct inet_addr_wire) != 0) {
		ctl_result_free(&res);
		cli_error("malformed address list from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	addr_print(o, res.data, res.len / sizeof(struct inet_addr_wire));
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}

static const struct dpip_verb addr_verbs[] = {
	{ "show", addr_show },
	{ "list", addr_show },
	{ "add", addr_add },
	{ "del", addr_del },
	{ "delete", addr_del },
};

const struct dpip_cmd dpip_cmd_addr;

static int addr_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_addr, addr_verbs, DPVS_ARRAY_SIZE(addr_verbs), o, argc,
			     argv);
}

const struct dpip_cmd dpip_cmd_addr = {
	.name = "addr",
	.usage = "dpip [-j] addr show [[dev] DEV]\n"
		 "dpip addr add A.B.C.D/LEN dev DEV\n"
		 "dpip addr del A.B.C.D[/LEN] [dev DEV]\n",
	.run = addr_run,
};
