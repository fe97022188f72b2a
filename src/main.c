/*
 * main.c - dpvsd's spine: command line, configuration (load, validate,
 * apply), pid file, EAL start-up, lcore roles, the module table, signals,
 * the master's "cfgfile_reload" job, the cfg.reload/cfg.show control
 * requests (cfg_wire.h), systemd readiness, the job loops, and the
 * cooperative teardown that undoes all of it in reverse.
 *
 * Signal handlers only set flags: SIGTERM/SIGINT call job_request_stop(),
 * SIGHUP raises a reload flag that the cfgfile_reload LOOP job on the
 * master picks up.  A reload loads a fresh tree, refuses it if it changes
 * what needs a restart (cfg_reload_check), applies it, and only then swaps
 * the running tree; on any error the running configuration stays.
 *
 * Exit status: 0 after a stop by signal or for -t/-v/-h with success,
 * 1 on a configuration or start-up error, 2 on a bad command line.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "capture.h"
#include "cfg.h"
#include "cfg_wire.h"
#include "cmdline.h"
#include "ctl.h"
#include "dpvs_err.h"
#include "dpvs_log.h"
#include "job.h"
#include "module.h"
#include "pidfile.h"

DPVS_LOG_REGISTER(main);

#define EXIT_CONFIG  1
#define EXIT_CMDLINE 2

static volatile sig_atomic_t main_stop_flag;	/* SIGTERM/SIGINT seen */
static volatile sig_atomic_t main_reload_flag;	/* SIGHUP seen, not yet handled */

/* State of the daemon; written by main() and then by the master only. */
struct main_ctx {
	struct cmdline_opts opts;
	struct cfg_tree *running;	/* the applied configuration */
	struct pidfile pid;
	struct cfg_errors errs;		/* scratch for loads and applies */
	int log_level;			/* RTE_LOG_* applied to dpvsd.* */
	char runtime_dir[CFG_PATH_LEN];	/* the EAL's, removed after rte_eal_cleanup() */
	char huge_prefix[64];		/* shared EAL: its hugepage files' prefix, else "" */
	uint64_t reloads_ok;		/* by SIGHUP or CFG_OP_RELOAD */
	uint64_t reloads_failed;
	uint64_t last_reload_unix;	/* time of the last successful reload */
};

static struct main_ctx main_ctx;

/* ---- messages ---- */

static void main_print_errors(const struct cfg_errors *errs, FILE *f)
{
	unsigned int i, n = errs->count < CFG_MAX_ERRORS ? errs->count : CFG_MAX_ERRORS;
	char line[CFG_PATH_LEN + 512];

	for (i = 0; i < n; i++) {
		cfg_error_format(&errs->err[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (errs->count > n)
		fprintf(f, "(%u more errors not shown)\n", errs->count - n);
}

static void main_log_errors(const struct cfg_errors *errs)
{
	unsigned int i, n = errs->count < CFG_MAX_ERRORS ? errs->count : CFG_MAX_ERRORS;
	char line[CFG_PATH_LEN + 512];

	for (i = 0; i < n; i++) {
		cfg_error_format(&errs->err[i], line, sizeof(line));
		DPVS_LOG(main, ERR, "%s", line);
	}
	if (errs->count > n)
		DPVS_LOG(main, ERR, "(%u more errors not shown)", errs->count - n);
}

/* ---- configuration ---- */

/* Command-line values win over the file's (for every load, so that a
 * reload compares like with like). */
static void main_override(const struct main_ctx *ctx, struct cfg_tree *t)
{
	if (ctx->opts.pid_file[0])
		snprintf(t->global.pid_file, sizeof(t->global.pid_file), "%s",
			 ctx->opts.pid_file);
	if (ctx->opts.ctl_socket[0])
		snprintf(t->global.ctl_socket, sizeof(t->global.ctl_socket), "%s",
			 ctx->opts.ctl_socket);
}

/* The level of every dpvsd.* log type: -l wins, else global.log_level.
 * old is NULL at start-up; on reload the level is set only if the file's
 * value changed (a level set with `dpip log set` survives other reloads). */
static void main_apply_log_level(struct main_ctx *ctx, const struct cfg_tree *old,
				 const struct cfg_tree *t)
{
	int level = ctx->opts.log_level ? ctx->opts.log_level
					: cfg_log_level_parse(t->global.log_level);

	if (old && (ctx->opts.log_level || strcmp(old->global.log_level, t->global.log_level) == 0))
		return;
	rte_log_set_level_pattern("dpvsd.*", (uint32_t)level);
	ctx->log_level = level;
	DPVS_LOG(main, NOTICE, "log level of dpvsd.* is %s", cfg_log_level_name(level));
}

static void main_apply_role_idle(const char *who, const enum job_role *roles, unsigned int n,
				 const struct job_idle_policy *p)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = job_set_role_idle_policy(roles[i], p);
	if (rc != 0)
		DPVS_LOG(main, ERR, "%s idle policy not applied: %s", who, dpvs_strerror(rc));
	else
		DPVS_LOG(main, INFO, "%s idle policy %s, pause %u loops, sleep %u..%u us", who,
			 p->mode == JOB_IDLE_BUSY_POLL ? "busy_poll" : "sleep", p->pause_loops,
			 p->sleep_min_us, p->sleep_max_us);
}

/* The idle policies of the loops (old NULL: start-up; else only if changed):
 * global.idle for the workers, global.idle_master for the master and the
 * kni_worker (by default the same). */
static void main_apply_idle(const struct cfg_tree *old, const struct cfg_tree *t)
{
	static const enum job_role workers[] = { JOB_ROLE_FWD_WORKER, JOB_ROLE_IDLE };
	static const enum job_role control[] = { JOB_ROLE_MASTER, JOB_ROLE_KNI_WORKER };
	const struct cfg_global *g = &t->global, *o = old ? &old->global : NULL;
	struct job_idle_policy w = {
		.mode = (enum job_idle_mode)g->idle_mode,
		.pause_loops = g->idle_pause_loops,
		.sleep_min_us = g->idle_sleep_min_us,
		.sleep_max_us = g->idle_sleep_max_us,
	};
	struct job_idle_policy m = {
		.mode = (enum job_idle_mode)g->idle_master_mode,
		.pause_loops = g->idle_master_pause_loops,
		.sleep_min_us = g->idle_master_sleep_min_us,
		.sleep_max_us = g->idle_master_sleep_max_us,
	};

	if (!o || o->idle_mode != g->idle_mode || o->idle_pause_loops != g->idle_pause_loops ||
	    o->idle_sleep_min_us != g->idle_sleep_min_us ||
	    o->idle_sleep_max_us != g->idle_sleep_max_us)
		main_apply_role_idle("worker", workers, DPVS_ARRAY_SIZE(workers), &w);
	if (!o || o->idle_master_mode != g->idle_master_mode ||
	    o->idle_master_pause_loops != g->idle_master_pause_loops ||
	    o->idle_master_sleep_min_us != g->idle_master_sleep_min_us ||
	    o->idle_master_sleep_max_us != g->idle_master_sleep_max_us)
		main_apply_role_idle("master/kni", control, DPVS_ARRAY_SIZE(control), &m);
}

/* SIGHUP or CFG_OP_RELOAD: load (which validates every section and the
 * references between them), check what needs a restart (every section),
 * apply (cfg_apply rolls back on failure), swap; keep the running config
 * on error.  Returns 0, or EDPVS_CONFIG with the errors in
 * ctx->errs (also logged).  Master only. */
static int main_reload(struct main_ctx *ctx)
{
	struct cfg_tree *next = NULL;
	bool rolled_back = false;
	int rc;

	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading %s", ctx->opts.config);
	DPVS_LOG(main, NOTICE, "reloading %s", ctx->opts.config);
	rc = cfg_load(ctx->opts.config, &next, &ctx->errs);
	if (rc == 0) {
		main_override(ctx, next);
		rc = cfg_reload_check(ctx->running, next, &ctx->errs);
	}
	if (rc == 0) {
		rc = cfg_apply(next, true, &ctx->errs);
		rolled_back = rc != 0;
	}
	if (rc == 0) {
		main_apply_log_level(ctx, ctx->running, next);
		main_apply_idle(ctx->running, next);
		cfg_free(ctx->running);
		ctx->running = next;
		cfg_set_running(next);
		ctx->reloads_ok++;
		ctx->last_reload_unix = (uint64_t)time(NULL);
		DPVS_LOG(main, NOTICE, "configuration reloaded from %s", ctx->opts.config);
	} else {
		main_log_errors(&ctx->errs);
		DPVS_LOG(main, ERR, "reload failed, keeping running configuration%s",
			 rolled_back ? " (the sections applied before the failing one were "
			 "given their previous configuration back)" : "");
		cfg_free(next);
		ctx->reloads_failed++;
		if (ctx->errs.count == 0)
			cfg_error_add(&ctx->errs, NULL, NULL, "%s", dpvs_strerror(rc));
		rc = EDPVS_CONFIG;
	}
	sd_notify(0, "READY=1\nSTATUS=running");
	return rc;
}

/* ---- control requests (cfg_wire.h) ---- */

static int main_ctl_reload(uint16_t opcode, const void *req, uint32_t len,
			   struct ctl_reply *rep)
{
	struct main_ctx *ctx = &main_ctx;
	struct cfg_wire_reload r;
	char first[CFG_PATH_LEN + 512];
	int rc;

	(void)opcode, (void)req, (void)len;	/* ctl's audit line names the caller */
	rc = main_reload(ctx);
	if (rc != 0) {
		cfg_error_format(&ctx->errs.err[0], first, sizeof(first));
		if (ctx->errs.count > 1)
			ctl_reply_errmsg(rep, "%s (+%u more errors, see the daemon log)", first,
					 ctx->errs.count - 1);
		else
			ctl_reply_errmsg(rep, "%s", first);
		return rc;
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.file, sizeof(r.file), "%s", ctx->running->file);
	r.reloads_ok = ctx->reloads_ok;
	r.reloads_failed = ctx->reloads_failed;
	return ctl_reply_append(rep, &r, sizeof(r));
}

static int main_ctl_show(uint16_t opcode, const void *req, uint32_t len, struct ctl_reply *rep)
{
	const struct main_ctx *ctx = &main_ctx;
	const struct cfg_tree *t = ctx->running;
	struct cfg_wire_show *w;
	unsigned int i;

	(void)opcode, (void)req, (void)len;
	if (!t)
		return EDPVS_NOTREADY;
	w = ctl_reply_reserve(rep, sizeof(*w));
	if (!w)
		return EDPVS_NOMEM;
	snprintf(w->file, sizeof(w->file), "%s", t->file);
	snprintf(w->pid_file, sizeof(w->pid_file), "%s", t->global.pid_file);
	snprintf(w->ctl_socket, sizeof(w->ctl_socket), "%s", t->global.ctl_socket);
	snprintf(w->log_level, sizeof(w->log_level), "%s", t->global.log_level);
	snprintf(w->file_prefix, sizeof(w->file_prefix), "%s", t->eal.file_prefix);
	w->idle_mode = t->global.idle_mode;
	w->idle_pause_loops = t->global.idle_pause_loops;
	w->idle_sleep_min_us = t->global.idle_sleep_min_us;
	w->idle_sleep_max_us = t->global.idle_sleep_max_us;
	w->memory_mb = t->eal.memory_mb;
	w->hugepages = (uint32_t)t->eal.hugepages;
	w->n_lcores = t->n_lcores;
	w->secondary_processes = t->eal.secondary_processes;
	for (i = 0; i < t->n_lcores && i < CFG_WIRE_LCORES; i++)
		w->lcores[i] = (struct cfg_wire_lcore){ .id = t->lcores[i].id,
			.role = t->lcores[i].role, .cpu = t->lcores[i].cpu };
	w->reloads_ok = ctx->reloads_ok;
	w->reloads_failed = ctx->reloads_failed;
	w->last_reload_unix = ctx->last_reload_unix;
	return 0;
}

static const struct ctl_op main_ctl_ops[] = {
	{ .opcode = CFG_OP_RELOAD, .name = "cfg.reload", .min_len = 0, .max_len = 0,
	  .handler = main_ctl_reload, .flags = 0 },
	{ .opcode = CFG_OP_SHOW, .name = "cfg.show", .min_len = 0, .max_len = 0,
	  .handler = main_ctl_show, .flags = CTL_OP_F_GET },
};

/* ---- jobs of the master ---- */

static unsigned int main_reload_job_fn(void *arg)
{
	if (!main_reload_flag)
		return 0;
	main_reload_flag = 0;
	DPVS_LOG(main, NOTICE, "SIGHUP received");
	main_reload(arg);
	return 1;
}

static unsigned int main_ready_job_fn(void *arg)
{
	const struct main_ctx *ctx = arg;

	sd_notifyf(0, "READY=1\nSTATUS=running\nMAINPID=%d", (int)getpid());
	DPVS_LOG(main, NOTICE, "dpvsd %s running (pid %d, config %s, control socket %s)",
		 DPVSD_VERSION, (int)getpid(), ctx->opts.config, ctx->running->global.ctl_socket);
	return 1;
}

static struct job main_reload_job = {
	.name = "cfgfile_reload", .type = JOB_LOOP, .fn = main_reload_job_fn, .arg = &main_ctx,
};
static struct job main_ready_job = {
	.name = "notify_ready", .type = JOB_INIT, .fn = main_ready_job_fn, .arg = &main_ctx,
};

/* main's jobs and control requests. */
static int main_jobs_register(void)
{
	int rc = job_register(&main_reload_job, JOB_ROLE_MASTER);

	if (rc != 0)
		return rc;
	rc = job_register(&main_ready_job, JOB_ROLE_MASTER);
	if (rc != 0)
		goto err_reload;
	rc = ctl_register(main_ctl_ops, DPVS_ARRAY_SIZE(main_ctl_ops));
	if (rc != 0)
		goto err_ready;
	return 0;

err_ready:
	job_unregister(&main_ready_job);
err_reload:
	job_unregister(&main_reload_job);
	return rc;
}

static void main_jobs_unregister(void)
{
	ctl_unregister(main_ctl_ops, DPVS_ARRAY_SIZE(main_ctl_ops));
	job_unregister(&main_ready_job);
	job_unregister(&main_reload_job);
}

/* ---- signals ---- */

static void main_on_stop(int sig)
{
	(void)sig;
	main_stop_flag = 1;
	job_request_stop();
}

static void main_on_hup(int sig)
{
	(void)sig;
	main_reload_flag = 1;
}

static void main_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = main_on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = main_on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* ---- the EAL's runtime directory ---- */

/* The EAL leaves its runtime files (config, fbarray_*, mp_socket; ~2 MB on
 * tmpfs with --no-huge) in /var/run/dpdk/<file-prefix>/.  Once it is
 * cleaned up they serve nobody: remove the files (not subdirectories) and
 * the directory. */
static void main_runtime_dir_remove(const char *dir)
{
	char path[CFG_PATH_LEN * 2];
	struct dirent *e;
	DIR *d;

	if (!dir[0] || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type == DT_DIR)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* ---- start-up steps ---- */

/* The EAL argv for t and the command line (the same for -t and start). */
static int main_eal_args(const struct main_ctx *ctx, const struct cfg_tree *t,
			 struct cfg_eal_args *a)
{
	int argc = cfg_build_eal_args(t, ctx->opts.eal_argc, ctx->opts.eal_argv, a);
	const char *bad;

	if (argc < 0) {
		fprintf(stderr, "dpvsd: cannot build EAL arguments: %s\n", dpvs_strerror(argc));
		return argc;
	}
	bad = t->eal.secondary_processes ? cfg_eal_unshared_arg(a) : NULL;
	if (bad) {
		fprintf(stderr, "dpvsd: EAL argument %s cannot be combined with "
			"eal.secondary_processes = true (no secondary could attach)\n", bad);
		cfg_eal_args_free(a);
		return EDPVS_CONFIG;
	}
	return argc;
}

/* The EAL file prefix argv gives (the last --file-prefix wins, as in the
 * EAL), or NULL when the EAL shares no files (--in-memory, --no-shconf). */
static const char *main_eal_prefix(const struct cfg_eal_args *a)
{
	const char *prefix = NULL;
	unsigned int i;

	for (i = 1; i < a->argc; i++) {
		if (strcmp(a->argv[i], "--in-memory") == 0 || strcmp(a->argv[i], "--no-shconf") == 0)
			return NULL;
		if (strncmp(a->argv[i], "--file-prefix=", 14) == 0)
			prefix = a->argv[i] + 14;
		else if (strcmp(a->argv[i], "--file-prefix") == 0 && i + 1 < a->argc)
			prefix = a->argv[++i];
	}
	return prefix;
}

/* Does a live primary own the EAL file prefix?  A primary holds a write
 * lock (fcntl) on its runtime dir's "config" file (/var/run/dpdk/<prefix>
 * for root, else $XDG_RUNTIME_DIR or /tmp); F_GETLK names the holder
 * without taking the lock.  Returns its pid, 0 if none; path gets the
 * file's name.  Before rte_eal_init() only: closing the fd would drop a
 * lock of our own. */
static pid_t main_eal_prefix_owner(const char *prefix, char *path, size_t len)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	const char *base = getenv("XDG_RUNTIME_DIR");
	int fd;

	if (getuid() == 0 || !base)
		base = getuid() == 0 ? "/var/run" : "/tmp";
	snprintf(path, len, "%s/dpdk/%s/config", base, prefix);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
		fl.l_pid = 0;
	close(fd);
	return fl.l_pid;
}

/* 0, or EDPVS_BUSY with the reason printed when the prefix is taken. */
static int main_eal_prefix_check(const struct cfg_eal_args *a)
{
	const char *prefix = main_eal_prefix(a);
	char path[CFG_PATH_LEN + 32];
	pid_t owner;

	if (!prefix)
		return 0;
	owner = main_eal_prefix_owner(prefix, path, sizeof(path));
	if (owner == 0)
		return 0;
	fprintf(stderr, "dpvsd: another primary process (pid %d) owns EAL file prefix %s "
		"(it holds the lock on %s): stop it, or give this dpvsd another "
		"eal.file_prefix\n", (int)owner, prefix, path);
	return EDPVS_BUSY;
}

/* eal.secondary_processes: the EAL needs a mounted hugetlbfs; say so
 * plainly (the EAL says "no mounted hugetlbfs found").  0 or EDPVS_CONFIG. */
static int main_shared_check(const struct cfg_tree *t)
{
	if (!t->eal.secondary_processes || capture_hugetlbfs_mounted(NULL, 0))
		return 0;
	fprintf(stderr, "dpvsd: eal.secondary_processes = true needs hugepages on a mounted "
		"hugetlbfs (e.g. mount -t hugetlbfs none /dev/hugepages; echo N > "
		"/proc/sys/vm/nr_hugepages), and none is mounted\n");
	return EDPVS_CONFIG;
}

static int main_eal_start(struct main_ctx *ctx, const struct cfg_tree *t)
{
	struct cfg_eal_args a;
	char *argv[CFG_MAX_EAL_ARGS];
	char line[1024];
	size_t off = 0;
	int argc, i, rc;

	rc = main_shared_check(t);
	if (rc != 0)
		return rc;
	argc = main_eal_args(ctx, t, &a);
	if (argc < 0)
		return argc;
	for (i = 0; i < argc && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " %s", a.argv[i]);
	DPVS_LOG(main, INFO, "EAL arguments:%s", line);
	rc = main_eal_prefix_check(&a);
	if (rc != 0) {
		cfg_eal_args_free(&a);
		return rc;
	}
	if (t->eal.secondary_processes && main_eal_prefix(&a))
		snprintf(ctx->huge_prefix, sizeof(ctx->huge_prefix), "%s", main_eal_prefix(&a));
	/* The EAL permutes and overwrites its argv: give it a copy. */
	memcpy(argv, a.argv, sizeof(argv));
	rc = rte_eal_init(argc, argv);
	if (rc < 0 && main_eal_prefix_check(&a) == 0)	/* a race: say so, else: */
		fprintf(stderr, "dpvsd: cannot start the DPDK EAL: %s (arguments above; see "
			"eal.extra_args and what follows --)\n",
			rte_errno ? rte_strerror(rte_errno) : "it gave no reason, see its log");
	cfg_eal_args_free(&a);
	if (rc < 0)
		return EDPVS_IO;
	snprintf(ctx->runtime_dir, sizeof(ctx->runtime_dir), "%s", rte_eal_get_runtime_dir());
	return 0;
}

static int main_set_roles(const struct cfg_tree *t)
{
	unsigned int i;
	int rc;

	for (i = 0; i < t->n_lcores; i++) {
		const struct cfg_lcore *lc = &t->lcores[i];

		if (lc->role == JOB_ROLE_MASTER && lc->id != rte_get_main_lcore()) {
			DPVS_LOG(main, ERR, "master lcore %u is not the EAL main lcore %u",
				 lc->id, rte_get_main_lcore());
			return EDPVS_CONFIG;
		}
		rc = job_set_role(lc->id, (enum job_role)lc->role);
		if (rc != 0) {
			DPVS_LOG(main, ERR, "lcore %u: cannot set role %s: %s", lc->id,
				 job_role_name((enum job_role)lc->role), dpvs_strerror(rc));
			return rc;
		}
	}
	return 0;
}

/* Modules up, our jobs registered, the configuration applied. */
static int main_modules_start(struct main_ctx *ctx, struct cfg_tree *t)
{
	int rc = ctl_set_path(t->global.ctl_socket);

	if (rc != 0) {
		DPVS_LOG(main, ERR, "bad control socket path %s: %s", t->global.ctl_socket,
			 dpvs_strerror(rc));
		return rc;
	}
	capture_set_shared(t->eal.secondary_processes);
	rc = module_init_all();
	if (rc != 0) {
		DPVS_LOG(main, ERR, "module initialisation failed (%s), exiting", dpvs_strerror(rc));
		return rc;
	}
	rc = main_jobs_register();
	if (rc != 0)
		goto err_modules;
	memset(&ctx->errs, 0, sizeof(ctx->errs));
	rc = cfg_apply(t, false, &ctx->errs);
	if (rc != 0) {
		main_log_errors(&ctx->errs);
		DPVS_LOG(main, ERR, "configuration %s could not be applied, exiting", t->file);
		goto err_jobs;
	}
	return 0;

err_jobs:
	main_jobs_unregister();
err_modules:
	module_term_all();
	return rc;
}

/* Everything after the configuration loaded: run until stopped. */
static int main_run(struct main_ctx *ctx, struct cfg_tree *t)
{
	pid_t holder;
	char err[CFG_PATH_LEN + 128];
	int rc;

	rc = pidfile_acquire(&ctx->pid, t->global.pid_file, &holder, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "dpvsd: %s\n", err);
		goto err_tree;
	}
	if (ctx->pid.stale_pid)
		DPVS_LOG(main, NOTICE, "replaced stale pid file %s (pid %d is not running)",
			 ctx->pid.path, (int)ctx->pid.stale_pid);
	main_signals_install();
	main_apply_log_level(ctx, NULL, t);
	rc = main_eal_start(ctx, t);
	if (rc != 0)
		goto err_pid;
	rc = main_set_roles(t);
	if (rc != 0)
		goto err_eal;
	rc = main_modules_start(ctx, t);
	if (rc != 0)
		goto err_eal;
	ctx->running = t;
	cfg_set_running(t);
	main_apply_idle(NULL, t);
	if (main_stop_flag)
		job_request_stop();	/* a signal during start-up */
	rc = job_run();
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	DPVS_LOG(main, NOTICE, "stopping%s%s", rc ? ": " : "", rc ? dpvs_strerror(rc) : "");
	main_jobs_unregister();
	module_term_all();
	t = ctx->running;
	ctx->running = NULL;
err_eal:
	cfg_free(t);		/* before the EAL goes: staged objects may use it */
	t = NULL;
	rte_eal_cleanup();
	main_runtime_dir_remove(ctx->runtime_dir);
	if (ctx->huge_prefix[0])
		DPVS_LOG(main, INFO, "removed %u hugepage files of EAL file prefix %s",
			 capture_hugefiles_remove(ctx->huge_prefix), ctx->huge_prefix);
err_pid:
	pidfile_release(&ctx->pid);
err_tree:
	cfg_free(t);
	return rc == 0 ? 0 : EXIT_CONFIG;
}

/* ---- main ---- */

static int main_load(struct main_ctx *ctx, struct cfg_tree **t)
{
	int rc = cfg_load(ctx->opts.config, t, &ctx->errs);

	if (rc != 0) {
		main_print_errors(&ctx->errs, stderr);
		if (ctx->opts.test_config)
			fprintf(stderr, "configuration file %s test failed\n", ctx->opts.config);
		else
			fprintf(stderr, "dpvsd: configuration file %s rejected\n", ctx->opts.config);
		return rc;
	}
	main_override(ctx, *t);
	return 0;
}

/* -t: cfg_load() validated the file as start-up and reload do; the EAL
 * argv is built as start-up builds it.  The tree is freed. */
static int main_test_config(struct main_ctx *ctx, struct cfg_tree *t)
{
	struct cfg_eal_args a;
	int argc = main_eal_args(ctx, t, &a);

	cfg_free(t);
	if (argc < 0) {
		fprintf(stderr, "configuration file %s test failed\n", ctx->opts.config);
		return EXIT_CONFIG;
	}
	cfg_eal_args_free(&a);
	printf("configuration file %s test is successful\n", ctx->opts.config);
	return 0;
}

int main(int argc, char **argv)
{
	struct main_ctx *ctx = &main_ctx;
	struct cfg_tree *t;
	char err[512];

	if (cmdline_parse(argc, argv, &ctx->opts, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpvsd: %s\n", err);
		cmdline_usage(stderr);
		return EXIT_CMDLINE;
	}
	if (ctx->opts.help) {
		cmdline_usage(stdout);
		return 0;
	}
	if (ctx->opts.version) {
		printf("dpvsd %s (%s)\n", DPVSD_VERSION, rte_version());
		return 0;
	}
	if (main_load(ctx, &t) != 0)
		return EXIT_CONFIG;
	if (ctx->opts.test_config)
		return main_test_config(ctx, t);
	return main_run(ctx, t);
}
