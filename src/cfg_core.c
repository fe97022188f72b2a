/*
 * cfg_core.c - the core sections of the configuration file:
 *   global { log_level, pid_file, ctl_socket, idle / idle_master { mode, pause_loops,
 *            sleep_min_us, sleep_max_us } }
 *   eal    { file_prefix, memory_mb, hugepages, secondary_processes, extra_args }
 *   lcores ( { id, role, cpu }, ... )
 * their validation, the check that a reload changes none of what needs a
 * restart, and the EAL argv built from a tree.  Defaults and ranges are
 * documented in conf/dpvsd.conf.sample.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/un.h>
#include <rte_config.h>

#include "cfg.h"
#include "cfg_internal.h"
#include "ctl_proto.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"

DPVS_LOG_REGISTER(cfg);

#define CFG_MAX_CPU     (CPU_SETSIZE - 1)
#define CFG_IDLE_US_MAX 1000000

static const char *const cfg_core_names[] = { "global", "eal", "lcores" };
/* Index = enum job_idle_mode. */
static const char *const cfg_idle_names[] = { "busy_poll", "sleep" };
/* Index = enum job_role. */
static const char *const cfg_role_names[] = { "idle", "master", "fwd_worker", "kni_worker" };
_Static_assert(DPVS_ARRAY_SIZE(cfg_role_names) == JOB_ROLE_MAX, "a name per role");
static const char *const cfg_huge_names[] = { "auto", "yes", "no" };

bool cfg_core_is_section(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < DPVS_ARRAY_SIZE(cfg_core_names); i++)
		if (strcmp(name, cfg_core_names[i]) == 0)
			return true;
	return false;
}

/* An absolute path that fits maxlen (including the NUL). */
static void cfg_check_path(const config_setting_t *grp, const char *key, const char *path,
			   size_t maxlen, struct cfg_errors *errs)
{
	const config_setting_t *s = cfg_member(grp, key);

	if (!s)
		return;
	if (path[0] != '/')
		cfg_error_add(errs, s, NULL, "must be an absolute path");
	else if (strlen(path) >= maxlen)
		cfg_error_add(errs, s, NULL, "too long (at most %zu characters)", maxlen - 1);
}

/* One idle policy group (global.idle, global.idle_master): fields in
 * out[0..3] = mode, pause_loops, sleep_min_us, sleep_max_us; a key not
 * given takes def[i]. */
static void cfg_parse_idle_group(const config_setting_t *idle, const unsigned int def[4],
				 unsigned int out[4], struct cfg_errors *errs)
{
	static const char *const keys[] = { "mode", "pause_loops", "sleep_min_us",
					    "sleep_max_us", NULL };
	long long v;

	cfg_check_keys(idle, keys, errs);
	cfg_get_enum(idle, "mode", cfg_idle_names, DPVS_ARRAY_SIZE(cfg_idle_names),
		     def[0], &out[0], errs);
	cfg_get_int(idle, "pause_loops", 0, 1000000, def[1], &v, errs);
	out[1] = (unsigned int)v;
	cfg_get_int(idle, "sleep_min_us", 1, CFG_IDLE_US_MAX, def[2], &v, errs);
	out[2] = (unsigned int)v;
	cfg_get_int(idle, "sleep_max_us", 1, CFG_IDLE_US_MAX, def[3], &v, errs);
	out[3] = (unsigned int)v;
	if (out[3] < out[2])
		cfg_error_add(errs, cfg_member(idle, "sleep_max_us") ?
			      cfg_member(idle, "sleep_max_us") : idle, NULL,
			      "%u is below sleep_min_us (%u)", out[3], out[2]);
}

static void cfg_parse_idle(const config_setting_t *g, struct cfg_global *gl,
			   struct cfg_errors *errs)
{
	static const unsigned int defaults[4] = { JOB_IDLE_SLEEP, 64, 20, 1000 };
	unsigned int w[4], m[4];

	cfg_parse_idle_group(cfg_member(g, "idle"), defaults, w, errs);
	gl->idle_mode = w[0];
	gl->idle_pause_loops = w[1];
	gl->idle_sleep_min_us = w[2];
	gl->idle_sleep_max_us = w[3];
	if (cfg_member(g, "idle_master"))
		cfg_parse_idle_group(cfg_member(g, "idle_master"), w, m, errs);
	else
		memcpy(m, w, sizeof(m));
	gl->idle_master_mode = m[0];
	gl->idle_master_pause_loops = m[1];
	gl->idle_master_sleep_min_us = m[2];
	gl->idle_master_sleep_max_us = m[3];
}

static void cfg_parse_global(const config_setting_t *root, struct cfg_global *gl,
			     struct cfg_errors *errs)
{
	static const char *const keys[] = { "log_level", "pid_file", "ctl_socket", "idle",
					    "idle_master", NULL };
	const config_setting_t *g = cfg_member(root, "global");
	unsigned int level;

	cfg_check_keys(g, keys, errs);
	cfg_get_enum(g, "log_level", cfg_level_names, CFG_N_LEVELS,
		     6 /* info */, &level, errs);
	snprintf(gl->log_level, sizeof(gl->log_level), "%s", cfg_level_names[level]);
	if (cfg_get_string(g, "pid_file", CFG_DEFAULT_PID_FILE, gl->pid_file,
			   sizeof(gl->pid_file), errs) == 0)
		cfg_check_path(g, "pid_file", gl->pid_file, sizeof(gl->pid_file), errs);
	if (cfg_get_string(g, "ctl_socket", CTL_DEFAULT_SOCK, gl->ctl_socket,
			   sizeof(gl->ctl_socket), errs) == 0)
		cfg_check_path(g, "ctl_socket", gl->ctl_socket,
			       sizeof(((struct sockaddr_un *)0)->sun_path), errs);
	cfg_parse_idle(g, gl, errs);
}

static void cfg_parse_prefix(const config_setting_t *g, struct cfg_eal *eal,
			     struct cfg_errors *errs)
{
	const char *p;

	if (cfg_get_string(g, "file_prefix", "dpvsd", eal->file_prefix,
			   sizeof(eal->file_prefix), errs) != 0)
		return;
	if (!eal->file_prefix[0])
		cfg_error_add(errs, cfg_member(g, "file_prefix"), NULL, "must not be empty");
	for (p = eal->file_prefix; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.') {
			cfg_error_add(errs, cfg_member(g, "file_prefix"), NULL,
				      "may hold only letters, digits, '_', '-' and '.'");
			break;
		}
	}
}

static void cfg_parse_extra(const config_setting_t *g, struct cfg_eal *eal,
			    struct cfg_errors *errs)
{
	const config_setting_t *l = cfg_member(g, "extra_args");
	int i, n;

	if (!l)
		return;
	if (!config_setting_is_list(l) && !config_setting_is_array(l)) {
		cfg_error_add(errs, l, NULL, "expected a list of strings [ \"--arg\", ... ]");
		return;
	}
	n = config_setting_length(l);
	if (n > (int)DPVS_ARRAY_SIZE(eal->extra)) {
		cfg_error_add(errs, l, NULL, "at most %zu arguments", DPVS_ARRAY_SIZE(eal->extra));
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *v;

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_error_add(errs, e, NULL, "expected a string");
			continue;
		}
		v = config_setting_get_string(e);
		if (strlen(v) == 0 || strlen(v) >= sizeof(eal->extra[0])) {
			cfg_error_add(errs, e, NULL, "must be 1..%zu characters",
				      sizeof(eal->extra[0]) - 1);
			continue;
		}
		snprintf(eal->extra[eal->n_extra++], sizeof(eal->extra[0]), "%s", v);
	}
}

/* EAL options that take away what secondary processes need: shared
 * config files, hugepage files that a secondary can map. */
static const char *const cfg_unshared_args[] = { "--in-memory", "--no-shconf", "--no-huge",
						 "--huge-unlink" };

/* The first of cfg_unshared_args that arg starts with, or NULL. */
static const char *cfg_unshared(const char *arg)
{
	unsigned int j;

	for (j = 0; j < DPVS_ARRAY_SIZE(cfg_unshared_args); j++)
		if (strncmp(arg, cfg_unshared_args[j], strlen(cfg_unshared_args[j])) == 0)
			return cfg_unshared_args[j];
	return NULL;
}

const char *cfg_eal_unshared_arg(const struct cfg_eal_args *a)
{
	unsigned int i;

	for (i = 1; i < a->argc; i++)
		if (cfg_unshared(a->argv[i]))
			return a->argv[i];
	return NULL;
}

/* With eal.secondary_processes: hugepages must not be "no", and no
 * extra_args element may take the shared memory away. */
static void cfg_check_shared(const config_setting_t *g, const struct cfg_eal *eal,
			     struct cfg_errors *errs)
{
	unsigned int i;

	if (!eal->secondary_processes)
		return;
	if (eal->hugepages == CFG_HUGE_NO)
		cfg_error_add(errs, cfg_member(g, "hugepages"), NULL, "\"no\" (--no-huge) cannot "
			      "be combined with secondary_processes = true: secondaries map "
			      "the primary's hugepage files");
	for (i = 0; i < eal->n_extra; i++)
		if (cfg_unshared(eal->extra[i]))
			cfg_error_add(errs, cfg_member(g, "extra_args"), NULL,
				      "%s cannot be combined with secondary_processes = true "
				      "(no secondary could attach)", eal->extra[i]);
}

static void cfg_parse_eal(const config_setting_t *root, struct cfg_eal *eal,
			  struct cfg_errors *errs)
{
	static const char *const keys[] = { "file_prefix", "memory_mb", "hugepages",
					    "secondary_processes", "extra_args", NULL };
	const config_setting_t *g = cfg_member(root, "eal");
	unsigned int huge;
	long long v;

	cfg_check_keys(g, keys, errs);
	cfg_parse_prefix(g, eal, errs);
	cfg_get_int(g, "memory_mb", 0, 1024LL * 1024, 0, &v, errs);
	eal->memory_mb = (unsigned int)v;
	cfg_get_enum(g, "hugepages", cfg_huge_names, DPVS_ARRAY_SIZE(cfg_huge_names),
		     CFG_HUGE_AUTO, &huge, errs);
	eal->hugepages = (enum cfg_hugepages)huge;
	cfg_get_bool(g, "secondary_processes", false, &eal->secondary_processes, errs);
	cfg_parse_extra(g, eal, errs);
	cfg_check_shared(g, eal, errs);
}

/* One { id, role, cpu } element; false if it has errors. */
static bool cfg_parse_lcore(const config_setting_t *e, struct cfg_lcore *lc,
			    struct cfg_errors *errs)
{
	static const char *const keys[] = { "id", "role", "cpu", NULL };
	unsigned int before = errs->count;
	long long v;

	if (!config_setting_is_group(e)) {
		cfg_error_add(errs, e, NULL, "expected { id = N; role = \"...\"; }");
		return false;
	}
	cfg_check_keys(e, keys, errs);
	if (!cfg_member(e, "id"))
		cfg_error_add(errs, e, "id", "required key missing");
	if (!cfg_member(e, "role"))
		cfg_error_add(errs, e, "role", "required key missing");
	cfg_get_int(e, "id", 0, RTE_MAX_LCORE - 1, 0, &v, errs);
	lc->id = (unsigned int)v;
	cfg_get_enum(e, "role", cfg_role_names, DPVS_ARRAY_SIZE(cfg_role_names),
		     JOB_ROLE_IDLE, &lc->role, errs);
	cfg_get_int(e, "cpu", 0, CFG_MAX_CPU, lc->id, &v, errs);
	lc->cpu = (unsigned int)v;
	return errs->count == before;
}

static void cfg_default_lcores(struct cfg_tree *t)
{
	t->n_lcores = 2;
	t->lcores[0] = (struct cfg_lcore){ .id = 0, .role = JOB_ROLE_MASTER, .cpu = 0 };
	t->lcores[1] = (struct cfg_lcore){ .id = 1, .role = JOB_ROLE_FWD_WORKER, .cpu = 1 };
}

static void cfg_parse_lcores(const config_setting_t *root, struct cfg_tree *t,
			     struct cfg_errors *errs)
{
	const config_setting_t *l = cfg_member(root, "lcores");
	unsigned int i, j, masters = 0, n;

	if (!l) {
		cfg_default_lcores(t);
		return;
	}
	if (!config_setting_is_list(l)) {
		cfg_error_add(errs, l, NULL, "expected a list ( { id = 0; role = \"master\"; }, ... )");
		return;
	}
	n = (unsigned int)config_setting_length(l);
	if (n > CFG_MAX_LCORES) {
		cfg_error_add(errs, l, NULL, "at most %d lcores", CFG_MAX_LCORES);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		struct cfg_lcore *lc = &t->lcores[t->n_lcores];

		if (!cfg_parse_lcore(e, lc, errs))
			continue;
		for (j = 0; j < t->n_lcores; j++)
			if (t->lcores[j].id == lc->id)
				break;
		if (j < t->n_lcores) {
			cfg_error_add(errs, cfg_member(e, "id"), NULL, "lcore %u is listed twice",
				      lc->id);
			continue;
		}
		if (lc->role == JOB_ROLE_MASTER && masters++ > 0)
			cfg_error_add(errs, cfg_member(e, "role"), NULL,
				      "a second master (exactly one lcore is the master)");
		t->n_lcores++;
	}
	if (masters == 0 && t->n_lcores == n)
		cfg_error_add(errs, l, NULL, "no lcore has role \"master\" (exactly one must)");
}

void cfg_core_parse(const config_setting_t *root, struct cfg_tree *t, struct cfg_errors *errs)
{
	cfg_parse_global(root, &t->global, errs);
	cfg_parse_eal(root, &t->eal, errs);
	cfg_parse_lcores(root, t, errs);
}

/* ---- reload check ---- */

static bool cfg_lcores_equal(const struct cfg_tree *a, const struct cfg_tree *b)
{
	unsigned int i;

	if (a->n_lcores != b->n_lcores)
		return false;
	for (i = 0; i < a->n_lcores; i++)
		if (a->lcores[i].id != b->lcores[i].id || a->lcores[i].role != b->lcores[i].role ||
		    a->lcores[i].cpu != b->lcores[i].cpu)
			return false;
	return true;
}

static bool cfg_extra_equal(const struct cfg_eal *a, const struct cfg_eal *b)
{
	unsigned int i;

	if (a->n_extra != b->n_extra)
		return false;
	for (i = 0; i < a->n_extra; i++)
		if (strcmp(a->extra[i], b->extra[i]) != 0)
			return false;
	return true;
}

int cfg_reload_check(const struct cfg_tree *running, const struct cfg_tree *next,
		     struct cfg_errors *errs)
{
	static const char why[] = "cannot change at run time (restart dpvsd to apply it)";
	unsigned int before = errs->count;

	cfg_set_current_file(next->file);
	if (strcmp(running->global.pid_file, next->global.pid_file) != 0)
		cfg_error_add(errs, NULL, "global.pid_file", why);
	if (strcmp(running->global.ctl_socket, next->global.ctl_socket) != 0)
		cfg_error_add(errs, NULL, "global.ctl_socket", why);
	if (strcmp(running->eal.file_prefix, next->eal.file_prefix) != 0)
		cfg_error_add(errs, NULL, "eal.file_prefix", why);
	if (running->eal.memory_mb != next->eal.memory_mb)
		cfg_error_add(errs, NULL, "eal.memory_mb", why);
	if (running->eal.hugepages != next->eal.hugepages)
		cfg_error_add(errs, NULL, "eal.hugepages", why);
	if (running->eal.secondary_processes != next->eal.secondary_processes)
		cfg_error_add(errs, NULL, "eal.secondary_processes", why);
	if (!cfg_extra_equal(&running->eal, &next->eal))
		cfg_error_add(errs, NULL, "eal.extra_args", why);
	if (!cfg_lcores_equal(running, next))
		cfg_error_add(errs, NULL, "lcores", why);
	cfg_sections_reload_check(next, errs);
	return errs->count == before ? 0 : EDPVS_CONFIG;
}

/* ---- EAL argv ---- */

/* Read one unsigned number from a /proc file line "name: N" (or the whole
 * file when name is NULL).  0 when absent. */
static unsigned long cfg_proc_number(const char *path, const char *name)
{
	char line[256];
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		size_t nl = name ? strlen(name) : 0;

		if (!name) {
			v = strtoul(line, NULL, 10);
			break;
		}
		if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
			v = strtoul(line + nl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* True when reserved, free hugepages hold at least mem_mb. */
static bool cfg_hugepages_suffice(size_t mem_mb)
{
	unsigned long free_pages, page_kb;

	if (cfg_proc_number("/proc/sys/vm/nr_hugepages", NULL) == 0)
		return false;
	free_pages = cfg_proc_number("/proc/meminfo", "HugePages_Free");
	page_kb = cfg_proc_number("/proc/meminfo", "Hugepagesize");
	return (unsigned long long)free_pages * page_kb / 1024 >= mem_mb;
}

static int cfg_push_lcores(const struct cfg_tree *t, struct cfg_eal_args *a)
{
	char list[CFG_MAX_LCORES * 12];
	unsigned int i, master = 0;
	size_t off = 0;
	int rc;

	list[0] = '\0';
	for (i = 0; i < t->n_lcores; i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%u@%u", i ? "," : "",
				 t->lcores[i].id, t->lcores[i].cpu);

		if (w < 0 || (size_t)w >= sizeof(list) - off)
			return EDPVS_RANGE;
		off += (size_t)w;
		if (t->lcores[i].role == JOB_ROLE_MASTER)
			master = t->lcores[i].id;
	}
	rc = cfg_eal_args_push(a, "--lcores=%s", list);
	if (rc == 0)
		rc = cfg_eal_args_push(a, "--main-lcore=%u", master);
	return rc;
}

static int cfg_push_memory(const struct cfg_tree *t, struct cfg_eal_args *a)
{
	size_t need = CFG_EAL_BASE_MB + a->mem_mb;
	size_t mem = t->eal.memory_mb ? t->eal.memory_mb : need;
	bool huge;
	int rc;

	if (mem < need)
		DPVS_LOG(cfg, WARNING, "eal.memory_mb = %zu is below the %zu MB the configured "
			 "sections need; start-up may fail", mem, need);
	if (t->eal.secondary_processes) {
		/* Hugepage files on a mounted hugetlbfs, shared config: no
		 * --in-memory, no --no-huge (the check refused hugepages = no). */
		if (!cfg_hugepages_suffice(mem))
			DPVS_LOG(cfg, WARNING, "secondary_processes: fewer than %zu MB of free "
				 "hugepages are reserved; start-up will fail", mem);
		rc = 0;
	} else {
		if (t->eal.hugepages == CFG_HUGE_AUTO)
			huge = cfg_hugepages_suffice(mem);
		else
			huge = t->eal.hugepages == CFG_HUGE_YES;
		rc = cfg_eal_args_push(a, huge ? "--in-memory" : "--no-huge");
	}
	if (rc == 0)
		rc = cfg_eal_args_push(a, "-m");
	if (rc == 0)
		rc = cfg_eal_args_push(a, "%zu", mem);
	a->mem_mb = mem;
	return rc;
}

/* True if an argument asks the EAL to probe a PCI device (-a ADDR,
 * -aADDR, --allow[=]ADDR): then the PCI bus must stay on. */
static bool cfg_wants_pci(const struct cfg_eal_args *a)
{
	unsigned int i;

	for (i = 1; i < a->argc; i++)
		if (strncmp(a->argv[i], "-a", 2) == 0 || strncmp(a->argv[i], "--allow", 7) == 0)
			return true;
	return false;
}

/* "--no-pci" as argv[1], unless a PCI device is allowed: without a NIC
 * configured, the EAL must not probe the machine's own PCI devices (a VM's
 * virtio NIC in use by the kernel). */
static int cfg_push_no_pci(struct cfg_eal_args *a)
{
	char *no_pci;
	int rc;

	if (cfg_wants_pci(a))
		return 0;
	rc = cfg_eal_args_push(a, "--no-pci");
	if (rc != 0)
		return rc;
	no_pci = a->argv[a->argc - 1];
	memmove(&a->argv[2], &a->argv[1], (a->argc - 2) * sizeof(a->argv[0]));
	a->argv[1] = no_pci;
	return 0;
}

int cfg_build_eal_args(const struct cfg_tree *t, int user_argc, char **user_argv,
		       struct cfg_eal_args *out)
{
	unsigned int i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = cfg_eal_args_push(out, "dpvsd");
	if (rc == 0)
		rc = cfg_eal_args_push(out, "--file-prefix=%s", t->eal.file_prefix);
	if (rc == 0)
		rc = cfg_push_lcores(t, out);
	if (rc == 0)
		rc = cfg_sections_eal_args(t, out);
	if (rc == 0)
		rc = cfg_push_memory(t, out);
	for (i = 0; rc == 0 && i < t->eal.n_extra; i++)
		rc = cfg_eal_args_push(out, "%s", t->eal.extra[i]);
	for (i = 0; rc == 0 && (int)i < user_argc; i++)
		rc = cfg_eal_args_push(out, "%s", user_argv[i]);
	if (rc == 0)
		rc = cfg_push_no_pci(out);
	if (rc != 0) {
		cfg_eal_args_free(out);
		return rc;
	}
	return (int)out->argc;
}
