/*
 * cfg.h - the configuration file (libconfig syntax): parse, validate, apply.
 *
 * cfg.c owns the core sections (global, eal, lcores) and a registry of
 * module sections.  A module registers its section from a constructor
 * (RTE_INIT), because the file is parsed before the EAL starts:
 *
 *     static const struct cfg_section_ops netif_cfg_ops = { ... };
 *     RTE_INIT(netif_cfg_register) { cfg_section_register(&netif_cfg_ops); }
 *
 * Loading parses the whole file into a fresh struct cfg_tree: every
 * section's parse() builds its own staged object and records every error
 * (file:line, key, message) in a struct cfg_errors; then every section's
 * check() validates what refers to other sections (an address on a port
 * that no netif port declares, an rx lcore that is not a fwd_worker).
 * The same cfg_load() serves `dpvsd -t`, start-up and reload.  Nothing is
 * applied unless the whole file is valid.  cfg_apply() then calls each
 * section's apply() in ascending order.  On SIGHUP a new tree is loaded,
 * cfg_reload_check() asks every section whether it can take it without a
 * restart, and only then is it applied with reload=true: all or nothing
 * (a section that fails undoes its own partial work, and the sections
 * applied before it get their previous config applied back).  Unknown
 * keys and bad values are errors, never silent defaults.
 */
#ifndef DPVS_CFG_H
#define DPVS_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libconfig.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CFG_MAX_ERRORS   32
#define CFG_MAX_SECTIONS 16
#define CFG_PATH_LEN     256
#define CFG_DEFAULT_FILE "/etc/dpvsd.conf"
#define CFG_DEFAULT_PID_FILE "/run/dpvsd/dpvsd.pid"
#define CFG_EAL_BASE_MB  64	/* EAL memory beyond what the sections ask for */

struct cfg_error {
	char file[CFG_PATH_LEN];
	int line;		/* 0 when unknown */
	char key[96];		/* dotted path, e.g. "netif.ports.[0].mtu" */
	char msg[256];
};

struct cfg_errors {
	unsigned int count;	/* may exceed CFG_MAX_ERRORS: only the first are kept */
	struct cfg_error err[CFG_MAX_ERRORS];
};

/* Record an error about setting s (may be NULL) and key.  The key shown is
 * s's dotted path ("lcores.[1].role"); a non-NULL key is appended to it as
 * a child name (e.g. a required key missing from group s: "mtu" gives
 * "netif.ports.[0].mtu"); with s NULL the key is shown as given.  file:line
 * come from libconfig's source info of s (the file being loaded or applied,
 * line 0, when s is NULL).  Keeps the first CFG_MAX_ERRORS, counts all. */
void cfg_error_add(struct cfg_errors *errs, const config_setting_t *s, const char *key,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Format an error as "file:line: key: msg" into buf (":line" left out when
 * the line is unknown, "key: " when there is no key). */
void cfg_error_format(const struct cfg_error *e, char *buf, size_t len);

/* Log level names "emerg".."debug" <-> RTE_LOG_EMERG(1)..RTE_LOG_DEBUG(8).
 * cfg_log_level_parse() returns the level, or EDPVS_INVAL for an unknown
 * name; cfg_log_level_name() returns "unknown" for a bad level. */
int cfg_log_level_parse(const char *name);
const char *cfg_log_level_name(int level);

/*
 * Typed getters for module parsers.  Each looks up key in group parent
 * (which may be NULL: the key is then absent).  Absent -> *out = def, 0.
 * Present but wrong type or out of range -> error recorded, EDPVS_CONFIG.
 */
int cfg_get_int(const config_setting_t *parent, const char *key, long long min,
		long long max, long long def, long long *out, struct cfg_errors *errs);
int cfg_get_bool(const config_setting_t *parent, const char *key, bool def, bool *out,
		 struct cfg_errors *errs);
/* String copied into out (size outlen); too long -> error. */
int cfg_get_string(const config_setting_t *parent, const char *key, const char *def,
		   char *out, size_t outlen, struct cfg_errors *errs);
/* String that must be one of names[0..n-1]; *out = its index. */
int cfg_get_enum(const config_setting_t *parent, const char *key, const char *const *names,
		 unsigned int n, unsigned int def, unsigned int *out, struct cfg_errors *errs);
/* Every child of group parent must be named in allowed (NULL-terminated);
 * each other one is an "unknown key" error.  Returns the number of errors. */
int cfg_check_keys(const config_setting_t *parent, const char *const *allowed,
		   struct cfg_errors *errs);

/* Extra EAL arguments a section contributes (e.g. --vdev for its ports). */
#define CFG_MAX_EAL_ARGS 64
struct cfg_eal_args {
	unsigned int argc;
	char *argv[CFG_MAX_EAL_ARGS];	/* strdup'd; freed by cfg_eal_args_free() */
	size_t mem_mb;			/* memory the section needs (pools etc.) */
};
int cfg_eal_args_push(struct cfg_eal_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cfg_eal_args_free(struct cfg_eal_args *a);

struct cfg_tree;

struct cfg_section_ops {
	const char *name;	/* top-level key in the file */
	unsigned int order;	/* apply order, ascending (netif 100, inet 200, ipvs 300) */
	/* Build the staged object from the group (NULL when the section is
	 * absent: return the defaults).  Record errors; return NULL only on
	 * error or out of memory. */
	void *(*parse)(const config_setting_t *s, struct cfg_errors *errs);
	/* Make staged the running config.  reload=false at start-up (after
	 * the module's init), true on SIGHUP: apply the difference, or refuse
	 * with an error if it needs a restart.  Takes ownership of staged on
	 * success; on failure staged is still the caller's. */
	int (*apply)(void *staged, bool reload, struct cfg_errors *errs);
	void (*free)(void *staged);
	/* Optional: EAL arguments and memory this section needs. */
	int (*eal_args)(const void *staged, struct cfg_eal_args *a);
	/* Optional: validate staged against the other sections of the same
	 * tree t (cfg_tree_section(), cfg_tree_role_lcores()).  s is the
	 * section's setting (NULL when absent), for file:line in errors.
	 * Called by cfg_load() once every section parsed without error;
	 * records errors, changes nothing.  Master or main, before or after
	 * EAL init: it must not look at running state. */
	void (*check)(const config_setting_t *s, const void *staged, const struct cfg_tree *t,
		      struct cfg_errors *errs);
	/* Optional: may staged be applied over the running config with
	 * reload=true?  EDPVS_CONFIG with an error for what needs a restart;
	 * no side effects.  Called by cfg_reload_check() before any section
	 * is applied.  Master only. */
	int (*reload_check)(const void *staged, struct cfg_errors *errs);
	/* Optional for start-up, needed for an all-or-nothing reload: a new
	 * staged object equal to the running config (NULL: out of memory).
	 * cfg_apply() takes it before applying a reload and, when a later
	 * section fails, applies it back with reload=true.  Master only. */
	void *(*snapshot)(void);
};

/* Register a module section (from a constructor, before cfg_load()). */
void cfg_section_register(const struct cfg_section_ops *ops);

/* ---- the core sections ---- */

enum cfg_hugepages { CFG_HUGE_AUTO = 0, CFG_HUGE_YES, CFG_HUGE_NO };

struct cfg_global {
	char log_level[16];		/* "emerg".."debug" */
	char pid_file[CFG_PATH_LEN];
	char ctl_socket[CFG_PATH_LEN];
	unsigned int idle_mode;		/* enum job_idle_mode */
	unsigned int idle_pause_loops;
	unsigned int idle_sleep_min_us;
	unsigned int idle_sleep_max_us;
	/* global.idle_master: the policy of the MASTER and KNI_WORKER lcores;
	 * each key not given there is global.idle's. */
	unsigned int idle_master_mode;
	unsigned int idle_master_pause_loops;
	unsigned int idle_master_sleep_min_us;
	unsigned int idle_master_sleep_max_us;
};

struct cfg_eal {
	char file_prefix[64];
	unsigned int memory_mb;		/* 0: sized from the sections' needs */
	enum cfg_hugepages hugepages;
	/* eal.secondary_processes: run as a DPDK primary whose hugepage
	 * files (on a mounted hugetlbfs) and runtime dir secondaries attach
	 * to (dpdk-dumpcap, dpdk-proc-info), with the pdump server on. */
	bool secondary_processes;
	unsigned int n_extra;
	char extra[16][128];		/* eal.extra_args, passed verbatim */
};

#define CFG_MAX_LCORES 64
struct cfg_lcore {
	unsigned int id;
	unsigned int role;		/* enum job_role */
	unsigned int cpu;		/* CPU the lcore runs on (default: id) */
};

struct cfg_tree {
	char file[CFG_PATH_LEN];
	struct cfg_global global;
	struct cfg_eal eal;
	unsigned int n_lcores;
	struct cfg_lcore lcores[CFG_MAX_LCORES];
	void *staged[CFG_MAX_SECTIONS];	/* per registered section, same index */
};

/* Parse and validate file: the core sections, every module section's
 * parse(), then (if all parsed) every section's check() of references
 * between sections.  The one validation of -t, start-up and reload.
 * 0 and *out on success; EDPVS_CONFIG with errs
 * filled otherwise (nothing allocated then); EDPVS_NOMEM.  errs is reset
 * first.  Not thread-safe (one load at a time, normally on the master);
 * before or after EAL init. */
int cfg_load(const char *file, struct cfg_tree **out, struct cfg_errors *errs);

/* Apply every module section of t (core sections are applied by main).
 * reload: see struct cfg_section_ops.  A section whose apply() fails must
 * leave its running config as it was.  On a reload, the sections applied
 * before it then get their snapshot() applied back, in reverse order, so
 * that the running configuration is the one before the call; a snapshot
 * that cannot be taken or applied back is an error too (logged at CRIT).
 * At start-up nothing is undone (main tears the modules down).  Returns 0
 * or the first failure's code, with the errors recorded.  Master only. */
int cfg_apply(struct cfg_tree *t, bool reload, struct cfg_errors *errs);

/* The staged object of section name in t (NULL: no such section, or not
 * staged), for a check() that validates references into another section.
 * The caller knows the section's type (e.g. netif.h's struct netif_conf). */
const void *cfg_tree_section(const struct cfg_tree *t, const char *name);

/* The ids of t's lcores with role (enum job_role), in file order, into
 * out[0..max-1]; returns how many t has. */
unsigned int cfg_tree_role_lcores(const struct cfg_tree *t, unsigned int role, unsigned int *out,
				  unsigned int max);

/* Free a tree (and whatever staged objects it still owns). */
void cfg_free(struct cfg_tree *t);

/* The EAL argv for t: lcores, memory, hugepages (neither --in-memory nor
 * --no-huge with eal.secondary_processes), file prefix, --no-pci
 * (as argv[1], left out when any argument allows a PCI device: -a/--allow,
 * e.g. a netif port with pci = "..."), every section's eal_args,
 * extra_args, then user_argv.  Returns argc, or
 * an EDPVS_* code.  Free with cfg_eal_args_free(). */
int cfg_build_eal_args(const struct cfg_tree *t, int user_argc, char **user_argv,
		       struct cfg_eal_args *out);

/* The first argument of a (argv[1..]) that takes away what secondary
 * processes need (--in-memory, --no-shconf, --no-huge, --huge-unlink...),
 * or NULL.  main refuses such an argv when eal.secondary_processes is on
 * (an argument after -- on the command line; extra_args are refused by
 * cfg_load() already).  Any thread. */
const char *cfg_eal_unshared_arg(const struct cfg_eal_args *a);

/* Refuse a reload that changes what only a restart can change: the eal
 * and lcores sections, global.pid_file and global.ctl_socket, and whatever
 * a module section's reload_check() refuses (every section is asked, so
 * that all such errors are reported at once).  0 when next may be applied
 * over running, else EDPVS_CONFIG with one error per refused key.  Runs
 * before anything of next is applied.  Master only. */
int cfg_reload_check(const struct cfg_tree *running, const struct cfg_tree *next,
		     struct cfg_errors *errs);

/* The running tree (set by main after a successful apply), or NULL. */
const struct cfg_tree *cfg_running(void);
void cfg_set_running(struct cfg_tree *t);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_CFG_H */
