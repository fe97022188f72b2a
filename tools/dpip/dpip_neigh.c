/*
 * dpip_neigh.c - `dpip neigh add|del|show|flush` (INET_OP_NEIGH_*,
 * include/inet_wire.h), with ip(8)-like syntax:
 *   dpip neigh add A.B.C.D lladdr XX:XX:XX:XX:XX:XX dev DEV
 *   dpip neigh del A.B.C.D dev DEV
 *   dpip [-j] neigh show [[dev] DEV]
 *   dpip neigh flush [[dev] DEV]          (dynamic entries only)
 */
#include <stdio.h>
#include <string.h>
#include "dpip_inet.h"

/* State names by enum neigh_state (include/neigh.h), as ip(8) prints them. */
static const char *const neigh_states[] = {
	"NONE", "INCOMPLETE", "REACHABLE", "STALE", "PROBE", "FAILED", "PERMANENT",
};

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char end;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
				      &b[4], &b[5], &end) != 6) {
		cli_error("bad lladdr '%s': expected XX:XX:XX:XX:XX:XX", s);
		return DPIP_EXIT_USAGE;
	}
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int neigh_parse(const char *verb, int argc, char **argv, bool need_ll,
		       struct inet_neigh_wire *w)
{
	bool have_addr = false, have_dev = false, have_ll = false;
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < argc; i++) {
		const char *v;

		if (strcmp(argv[i], "dev") == 0 || strcmp(argv[i], "lladdr") == 0) {
			bool dev = argv[i][0] == 'd';

			if ((v = dpip_inet_value(argc, argv, &i)) == NULL)
				return DPIP_EXIT_USAGE;
			if (dev ? dpip_inet_dev(v, w->ifname) : parse_mac(v, w->lladdr))
				return DPIP_EXIT_USAGE;
			*(dev ? &have_dev : &have_ll) = true;
		} else if (!have_addr) {
			if (dpip_inet_addr("address", argv[i], &w->addr))
				return DPIP_EXIT_USAGE;
			have_addr = true;
		} else {
			cli_error("neigh %s: unexpected '%s'", verb, argv[i]);
			return DPIP_EXIT_USAGE;
		}
	}
	if (!have_addr || !have_dev || (need_ll && !have_ll)) {
		cli_error("neigh %s: expected A.B.C.D%s dev DEV", verb,
			  need_ll ? " lladdr XX:XX:XX:XX:XX:XX" : "");
		return DPIP_EXIT_USAGE;
	}
	return 0;
}

static int neigh_change(const struct dpip_opts *o, uint16_t op, const char *verb, int argc,
			char **argv, bool need_ll)
{
	struct inet_neigh_wire w;

	if (neigh_parse(verb, argc, argv, need_ll, &w))
		return DPIP_EXIT_USAGE;
	return dpip_change(o, op, &w, sizeof(w));
}

static int neigh_add(const struct dpip_opts *o, int argc, char **argv)
{
	return neigh_change(o, INET_OP_NEIGH_ADD, "add", argc, argv, true);
}

static int neigh_del(const struct dpip_opts *o, int argc, char **argv)
{
	return neigh_change(o, INET_OP_NEIGH_DEL, "del", argc, argv, false);
}

/* "[dev] DEV" or nothing. */
static int neigh_dev_arg(const char *verb, int argc, char **argv, struct inet_ifname_wire *req)
{
	int i = 0;

	memset(req, 0, sizeof(*req));
	if (argc == 0)
		return 0;
	if (strcmp(argv[0], "dev") == 0)
		i++;
	if (i >= argc || i + 1 != argc) {
		cli_error("neigh %s: expected [dev DEV]", verb);
		return DPIP_EXIT_USAGE;
	}
	return dpip_inet_dev(argv[i], req->ifname);
}

static const char *state_name(uint8_t s)
{
	return s < DPVS_ARRAY_SIZE(neigh_states) ? neigh_states[s] : "?";
}

static void neigh_print(const struct dpip_opts *o, const struct inet_neigh_wire *e, uint32_t n)
{
	char a[INET_ADDRSTRLEN], name[INET_IFNAME_LEN + 1], ll[18];
	struct cli_json js;
	uint32_t i;

	cli_json_init(&js, stdout);
	if (o->json)
		cli_json_arr_open(&js, NULL);
	for (i = 0; i < n; i++) {
		const uint8_t *m = e[i].lladdr;
		bool has_ll = e[i].state != 1 && e[i].state != 5;	/* not INCOMPLETE/FAILED */

		snprintf(name, sizeof(name), "%.*s", INET_IFNAME_LEN, e[i].ifname);
		snprintf(ll, sizeof(ll), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		dpip_inet_ntoa(e[i].addr, a);
		if (o->json) {
			cli_json_obj_open(&js, NULL);
			cli_json_str(&js, "dst", a);
			cli_json_str(&js, "dev", name);
			if (has_ll)
				cli_json_str(&js, "lladdr", ll);
			cli_json_str(&js, "state", state_name(e[i].state));
			cli_json_u64(&js, "lcores", e[i].lcores);
			cli_json_u64(&js, "queued", e[i].qlen);
			cli_json_obj_close(&js);
			continue;
		}
		printf("%s dev %s", a, name);
		if (has_ll)
			printf(" lladdr %s", ll);
		printf(" %s", state_name(e[i].state));
		if (o->verbose)
			printf(" lcores %u queued %u", e[i].lcores, e[i].qlen);
		printf("\n");
	}
	if (o->json) {
		cli_json_arr_close(&js);
		cli_json_end(&js);
	}
}

static int neigh_show(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_ifname_wire req;
	struct ctl_result res;

	if (neigh_dev_arg("show", argc, argv, &req))
		return DPIP_EXIT_USAGE;
	if (dpip_call(o, INET_OP_NEIGH_LIST, &req, sizeof(req), &res))
		return DPIP_EXIT_FAIL;
	if (res.len % sizeof(struct inet_neigh_wire) != 0) {
		ctl_result_free(&res);
		cli_error("malformed neighbour list from dpvsd");
		return DPIP_EXIT_FAIL;
	}
	neigh_print(o, res.data, res.len / sizeof(struct inet_neigh_wire));
	ctl_result_free(&res);
	return DPIP_EXIT_OK;
}

static int neigh_flush(const struct dpip_opts *o, int argc, char **argv)
{
	struct inet_ifname_wire req;

	if (neigh_dev_arg("flush", argc, argv, &req))
		return DPIP_EXIT_USAGE;
	return dpip_change(o, INET_OP_NEIGH_FLUSH, &req, sizeof(req));
}

static const struct dpip_verb neigh_verbs[] = {
	{ "show", neigh_show },
	{ "list", neigh_show },
	{ "add", neigh_add },
	{ "del", neigh_del },
	{ "delete", neigh_del },
	{ "flush", neigh_flush },
};

const struct dpip_cmd dpip_cmd_neigh;

static int neigh_run(const struct dpip_opts *o, int argc, char **argv)
{
	return dpip_dispatch(&dpip_cmd_neigh, neigh_verbs, DPVS_ARRAY_SIZE(neigh_verbs), o,
			     argc, argv);
}

const struct dpip_cmd dpip_cmd_neigh = {
	.name = "neigh",
	.usage = "dpip [-j] [-v] neigh show [[dev] DEV]\n"
		 "dpip neigh add A.B.C.D lladdr XX:XX:XX:XX:XX:XX dev DEV\n"
		 "dpip neigh del A.B.C.D dev DEV\n"
		 "dpip neigh flush [[dev] DEV]\n",
	.run = neigh_run,
};
