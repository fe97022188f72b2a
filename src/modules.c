/*
 * modules.c - the ordered table of daemon modules and its init/term walk.
 * Add a module by adding one line at the place its dependencies require.
 */
#include <stddef.h>
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "module.h"
#include "job.h"
#include "msg.h"
#include "timer.h"
#include "ctl.h"
#include "netif.h"
#include "kni.h"
#include "inet_rcu.h"
#include "route.h"
#include "inet_addr.h"
#include "neigh.h"
#include "ipv4.h"
#include "icmp.h"
#include "inet_ctl.h"
#include "ipvs/conn.h"
#include "ipvs/svc.h"
#include "ipvs/ipvs.h"
#include "ipvs/fwmark.h"
#include "ipvs/ipvs_stats.h"
#include "metrics.h"
#include "capture.h"
/* MODULE-INCLUDES: add module headers above this line */

DPVS_LOG_REGISTER(module);

static const struct dpvs_module dpvs_modules[] = {
	{ "job", job_init, job_term },
	{ "msg", msg_init, msg_term },
	{ "timer", timer_init, timer_term },
	{ "ctl", ctl_init, ctl_term },
	{ "core_ctl", ctl_core_init, ctl_core_term },
	{ "netif", netif_init, netif_term },
	{ "kni", kni_init, kni_term },
	{ "inet_rcu", inet_rcu_init, inet_rcu_term },
	{ "route", route_init, route_term },
	{ "inet_addr", inet_addr_init, inet_addr_term },
	{ "neigh", neigh_init, neigh_term },
	{ "ipv4", ipv4_init, ipv4_term },
	{ "icmp", icmp_init, icmp_term },
	{ "inet_ctl", inet_ctl_init, inet_ctl_term },
	{ "ipvs", conn_init, conn_term },
	{ "ipvs_svc", ipvs_svc_init, ipvs_svc_term },
	{ "ipvs_core", ipvs_init, ipvs_term },
	{ "fwmark", fwmark_init, fwmark_term },
	{ "ipvs_stats", ipvs_stats_ctl_init, ipvs_stats_ctl_term },
	{ "metrics", metrics_init, metrics_term },
	{ "capture", capture_init, capture_term },
	/* MODULE-TABLE: add modules above this line, in dependency order */
};

static unsigned int modules_up;	/* how many are initialised (master only) */

int module_init_all(void)
{
	for (modules_up = 0; modules_up < DPVS_ARRAY_SIZE(dpvs_modules); modules_up++) {
		const struct dpvs_module *m = &dpvs_modules[modules_up];
		int rc = m->init();

		if (rc != 0) {
			DPVS_LOG(module, ERR, "init of %s failed: %s", m->name,
				 dpvs_strerror(rc));
			module_term_all();
			return rc;
		}
		DPVS_LOG(module, DEBUG, "%s up", m->name);
	}
	return 0;
}

void module_term_all(void)
{
	while (modules_up > 0) {
		const struct dpvs_module *m = &dpvs_modules[--modules_up];

		if (m->term)
			m->term();
		DPVS_LOG(module, DEBUG, "%s down", m->name);
	}
}
