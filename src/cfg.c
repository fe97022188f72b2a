/*
 * cfg.c - the configuration file machinery: error records, typed getters
 * for section parsers, the registry of module sections, and the
 * load -> validate -> apply cycle (parse the whole file into a fresh
 * struct cfg_tree, collect every error, apply only a valid tree).
 *
 * The core sections (global, eal, lcores) are parsed in cfg_core.c.
 * Ownership: the registry is written by constructors before main() and
 * read-only afterwards; loads and applies run on one thread at a time
 * (main before the loops start, then the master's reload job).
 */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_log.h>

#include "cfg.h"
#include "cfg_internal.h"
#include "dpvs_err.h"
#include "dpvs_log.h"

DPVS_LOG_DECLARE(cfg);

static const struct cfg_section_ops *cfg_sections[CFG_MAX_SECTIONS];
static unsigned int cfg_n_sections;
static struct cfg_tree *cfg_running_tree;
static char cfg_cur_file[CFG_PATH_LEN];

const char *const cfg_level_names[CFG_N_LEVELS] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

/* ---- errors ---- */

void cfg_set_current_file(const char *file)
{
	snprintf(cfg_cur_file, sizeof(cfg_cur_file), "%s", file ? file : "");
}

/* Dotted path of s: named settings by name, list/array elements as [i]. */
static void cfg_setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[16];
	unsigned int n = 0;
	size_t off = 0;

	buf[0] = '\0';
	for (; s && !config_setting_is_root(s) && n < DPVS_ARRAY_SIZE(chain);
	     s = config_setting_parent(s))
		chain[n++] = s;
	while (n-- > 0 && off < len) {
		const char *name = config_setting_name(chain[n]);
		int w;

		if (name)
			w = snprintf(buf + off, len - off, "%s%s", off ? "." : "", name);
		else
			w = snprintf(buf + off, len - off, "%s[%d]", off ? "." : "",
				     config_setting_index(chain[n]));
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

void cfg_error_add(struct cfg_errors *errs, const config_setting_t *s, const char *key,
		   const char *fmt, ...)
{
	unsigned int idx = errs->count++;
	struct cfg_error *e;
	const char *file = NULL;
	char path[sizeof(e->key)];
	va_list ap;

	if (idx >= CFG_MAX_ERRORS)
		return;
	e = &errs->err[idx];
	memset(e, 0, sizeof(*e));
	if (s)
		file = config_setting_source_file(s);
	if (!file || !*file)
		file = cfg_cur_file;
	if (snprintf(e->file, sizeof(e->file), "%s", file) < 0)
		e->file[0] = '\0';
	e->line = s ? (int)config_setting_source_line(s) : 0;
	cfg_setting_path(s, path, sizeof(path));
	if (key && *path) {
		if (snprintf(e->key, sizeof(e->key), "%s.%s", path, key) < 0)
			e->key[0] = '\0';
	} else if (snprintf(e->key, sizeof(e->key), "%s", key ? key : path) < 0) {
		e->key[0] = '\0';
	}
	va_start(ap, fmt);
	if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0)
		e->msg[0] = '\0';
	va_end(ap);
}

void cfg_error_format(const struct cfg_error *e, char *buf, size_t len)
{
	char where[CFG_PATH_LEN + 16];

	if (e->line > 0)
		snprintf(where, sizeof(where), "%s:%d", e->file, e->line);
	else
		snprintf(where, sizeof(where), "%s", e->file);
	if (e->key[0])
		snprintf(buf, len, "%s: %s: %s", where, e->key, e->msg);
	else
		snprintf(buf, len, "%s: %s", where, e->msg);
}

int cfg_log_level_parse(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < DPVS_ARRAY_SIZE(cfg_level_names); i++)
		if (strcmp(name, cfg_level_names[i]) == 0)
			return (int)(i + RTE_LOG_EMERG);
	return EDPVS_INVAL;
}

const char *cfg_log_level_name(int level)
{
	if (level < (int)RTE_LOG_EMERG || level > (int)RTE_LOG_DEBUG)
		return "unknown";
	return cfg_level_names[level - (int)RTE_LOG_EMERG];
}

/* ---- typed getters ---- */

const config_setting_t *cfg_member(const config_setting_t *parent, const char *key)
{
	if (!parent || !key || !config_setting_is_group(parent))
		return NULL;
	return config_setting_get_member(parent, key);
}

int cfg_get_int(const config_setting_t *parent, const char *key, long long min,
		long long max, long long def, long long *out, struct cfg_errors *errs)
{
	const config_setting_t *s = cfg_member(parent, key);
	long long v;

	*out = def;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfg_error_add(errs, s, NULL, "expected an integer in [%lld, %lld]", min, max);
		return EDPVS_CONFIG;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cfg_error_add(errs, s, NULL, "%lld is out of range [%lld, %lld]", v, min, max);
		return EDPVS_CONFIG;
	}
	*out = v;
	return 0;
}

int cfg_get_bool(const config_setting_t *parent, const char *key, bool def, bool *out,
		 struct cfg_errors *errs)
{
	const config_setting_t *s = cfg_member(parent, key);

	*out = def;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_error_add(errs, s, NULL, "expected true or false");
		return EDPVS_CONFIG;
	}
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

int cfg_get_string(const config_setting_t *parent, const char *key, const char *def,
		   char *out, size_t outlen, struct cfg_errors *errs)
{
	const config_setting_t *s = cfg_member(parent, key);
	const char *v;

	snprintf(out, outlen, "%s", def ? def : "");
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_error_add(errs, s, NULL, "expected a string");
		return EDPVS_CONFIG;
	}
	v = config_setting_get_string(s);
	if (strlen(v) >= outlen) {
		cfg_error_add(errs, s, NULL, "too long (at most %zu characters)", outlen - 1);
		return EDPVS_CONFIG;
	}
	snprintf(out, outlen, "%s", v);
	return 0;
}

static void cfg_join_names(const char *const *names, unsigned int n, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s\"%s\"", i ? ", " : "", names[i]);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int cfg_get_enum(const config_setting_t *parent, const char *key, const char *const *names,
		 unsigned int n, unsigned int def, unsigned int *out, struct cfg_errors *errs)
{
	const config_setting_t *s = cfg_member(parent, key);
	char allowed[192];
	const char *v;
	unsigned int i;

	*out = def;
	if (!s)
		return 0;
	cfg_join_names(names, n, allowed, sizeof(allowed));
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_error_add(errs, s, NULL, "expected a string, one of %s", allowed);
		return EDPVS_CONFIG;
	}
	v = config_setting_get_string(s);
	for (i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	cfg_error_add(errs, s, NULL, "\"%s\" is not one of %s", v, allowed);
	return EDPVS_CONFIG;
}

int cfg_check_keys(const config_setting_t *parent, const char *const *allowed,
		   struct cfg_errors *errs)
{
	char list[256];
	unsigned int n_allowed = 0;
	int i, n, bad = 0;

	if (!parent)
		return 0;
	if (!config_setting_is_group(parent)) {
		cfg_error_add(errs, parent, NULL, "expected a group { ... }");
		return 1;
	}
	while (allowed[n_allowed])
		n_allowed++;
	cfg_join_names(allowed, n_allowed, list, sizeof(list));
	n = config_setting_length(parent);
	for (i = 0; i < n; i++) {
		const config_setting_t *c = config_setting_get_elem(parent, (unsigned int)i);
		const char *name = config_setting_name(c);
		unsigned int j;

		for (j = 0; j < n_allowed; j++)
			if (name && strcmp(name, allowed[j]) == 0)
				break;
		if (j == n_allowed) {
			cfg_error_add(errs, c, NULL, "unknown key (known: %s)", list);
			bad++;
		}
	}
	return bad;
}

/* ---- EAL argument lists ---- */

int cfg_eal_args_push(struct cfg_eal_args *a, const char *fmt, ...)
{
	va_list ap;
	char *arg;
	int rc;

	if (a->argc + 1 >= CFG_MAX_EAL_ARGS)
		return EDPVS_NOROOM;
	va_start(ap, fmt);
	rc = vasprintf(&arg, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return EDPVS_NOMEM;
	a->argv[a->argc++] = arg;
	a->argv[a->argc] = NULL;
	return 0;
}

void cfg_eal_args_free(struct cfg_eal_args *a)
{
	unsigned int i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	memset(a, 0, sizeof(*a));
}

/* ---- the section registry ---- */

static int cfg_section_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg_n_sections; i++)
		if (strcmp(cfg_sections[i]->name, name) == 0)
			return (int)i;
	return -1;
}

void cfg_section_register(const struct cfg_section_ops *ops)
{
	const char *why = NULL;

	if (!ops || !ops->name || !ops->parse || !ops->apply || !ops->free)
		why = "incomplete ops";
	else if (cfg_core_is_section(ops->name) || cfg_section_find(ops->name) >= 0)
		why = "name already taken";
	else if (cfg_n_sections >= CFG_MAX_SECTIONS)
		why = "too many sections (CFG_MAX_SECTIONS)";
	if (why) {
		/* Constructors run before logging is set up: stderr it is. */
		fprintf(stderr, "dpvsd: cannot register config section %s: %s\n",
			ops && ops->name ? ops->name : "(null)", why);
		return;
	}
	cfg_sections[cfg_n_sections++] = ops;
}

int cfg_sections_eal_args(const struct cfg_tree *t, struct cfg_eal_args *a)
{
	unsigned int i;
	int rc;

	for (i = 0; i < cfg_n_sections; i++) {
		if (!cfg_sections[i]->eal_args || !t->staged[i])
			continue;
		rc = cfg_sections[i]->eal_args(t->staged[i], a);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- load ---- */

static int cfg_read(config_t *cf, const char *file, struct cfg_errors *errs)
{
	char dir[CFG_PATH_LEN];
	FILE *f = fopen(file, "r");
	int rc;

	if (!f) {
		cfg_error_add(errs, NULL, NULL, "cannot open: %s", strerror(errno));
		return EDPVS_CONFIG;
	}
	snprintf(dir, sizeof(dir), "%s", file);
	config_set_include_dir(cf, dirname(dir));
	rc = config_read(cf, f);
	fclose(f);
	if (rc != CONFIG_TRUE) {
		struct cfg_error *e = &errs->err[errs->count];	/* count < max here */

		cfg_error_add(errs, NULL, NULL, "%s", config_error_text(cf));
		if (config_error_file(cf))
			snprintf(e->file, sizeof(e->file), "%s", config_error_file(cf));
		e->line = config_error_line(cf);
		return EDPVS_CONFIG;
	}
	return 0;
}

/* Every top-level setting must be a core or a registered section. */
static void cfg_check_sections(const config_setting_t *root, struct cfg_errors *errs)
{
	int i, n = config_setting_length(root);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned int)i);
		const char *name = config_setting_name(s);

		if (!cfg_core_is_section(name) && cfg_section_find(name) < 0)
			cfg_error_add(errs, s, NULL, "unknown section");
	}
}

static void cfg_parse_sections(const config_setting_t *root, struct cfg_tree *t,
			       struct cfg_errors *errs)
{
	unsigned int i;

	for (i = 0; i < cfg_n_sections; i++) {
		const struct cfg_section_ops *ops = cfg_sections[i];
		const config_setting_t *s = config_setting_get_member(root, ops->name);
		unsigned int before = errs->count;

		t->staged[i] = ops->parse(s, errs);
		if (!t->staged[i] && errs->count == before)
			cfg_error_add(errs, s, s ? NULL : ops->name,
				      "section could not be parsed (out of memory?)");
	}
}

/* Cross-references between sections: only when every section parsed
 * (a reference into a section that failed would only repeat its error). */
static void cfg_check_refs(const config_setting_t *root, const struct cfg_tree *t,
			   struct cfg_errors *errs)
{
	unsigned int i;

	if (errs->count > 0)
		return;
	for (i = 0; i < cfg_n_sections; i++) {
		const struct cfg_section_ops *ops = cfg_sections[i];

		if (ops->check && t->staged[i])
			ops->check(config_setting_get_member(root, ops->name), t->staged[i], t,
				   errs);
	}
}

const void *cfg_tree_section(const struct cfg_tree *t, const char *name)
{
	int i = name ? cfg_section_find(name) : -1;

	return t && i >= 0 ? t->staged[i] : NULL;
}

unsigned int cfg_tree_role_lcores(const struct cfg_tree *t, unsigned int role, unsigned int *out,
				  unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->n_lcores; i++) {
		if (t->lcores[i].role != role)
			continue;
		if (n < max)
			out[n] = t->lcores[i].id;
		n++;
	}
	return n;
}

int cfg_sections_reload_check(const struct cfg_tree *next, struct cfg_errors *errs)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < cfg_n_sections; i++) {
		const struct cfg_section_ops *ops = cfg_sections[i];

		if (ops->reload_check && next->staged[i] &&
		    ops->reload_check(next->staged[i], errs) != 0)
			rc = EDPVS_CONFIG;
	}
	return rc;
}

int cfg_load(const char *file, struct cfg_tree **out, struct cfg_errors *errs)
{
	struct cfg_tree *t;
	config_t cf;
	int rc;

	memset(errs, 0, sizeof(*errs));
	*out = NULL;
	cfg_set_current_file(file);
	if (!file || strlen(file) >= CFG_PATH_LEN) {
		cfg_error_add(errs, NULL, NULL, "file name missing or too long");
		return EDPVS_CONFIG;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return EDPVS_NOMEM;
	snprintf(t->file, sizeof(t->file), "%s", file);
	config_init(&cf);
	rc = cfg_read(&cf, file, errs);
	if (rc == 0) {
		const config_setting_t *root = config_root_setting(&cf);

		cfg_check_sections(root, errs);
		cfg_core_parse(root, t, errs);
		cfg_parse_sections(root, t, errs);
		cfg_check_refs(root, t, errs);
	}
	config_destroy(&cf);
	if (errs->count > 0) {
		cfg_free(t);
		return EDPVS_CONFIG;
	}
	*out = t;
	return 0;
}

/* ---- apply / free / running ---- */

/* Section indexes in ascending apply order. */
static void cfg_apply_order(unsigned int *idx)
{
	unsigned int i, j;

	for (i = 0; i < cfg_n_sections; i++) {	/* insertion sort */
		for (j = i; j > 0 && cfg_sections[idx[j - 1]]->order > cfg_sections[i]->order; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
}

/* Apply back the snapshots of the first n sections of idx, last first.
 * Each snapshot is consumed (applied or freed).  Returns 0 or the first
 * failure (then the running config is a mix: logged at CRIT). */
static int cfg_rollback(const unsigned int *idx, unsigned int n, void **snap,
			struct cfg_errors *errs)
{
	int rc, ret = 0;

	while (n-- > 0) {
		const struct cfg_section_ops *ops = cfg_sections[idx[n]];

		if (!snap[n])
			continue;
		rc = ops->apply(snap[n], true, errs);
		if (rc == 0) {
			DPVS_LOG(cfg, NOTICE, "section %s: previous configuration applied back",
				 ops->name);
			continue;
		}
		ops->free(snap[n]);
		DPVS_LOG(cfg, CRIT, "section %s: cannot apply its previous configuration back: "
			 "%s; it keeps part of the new one", ops->name, dpvs_strerror(rc));
		cfg_error_add(errs, NULL, ops->name, "rollback failed: %s", dpvs_strerror(rc));
		ret = ret ? ret : rc;
	}
	return ret;
}

/* Apply section idx of t; on a reload first take its snapshot (*snap). */
static int cfg_apply_one(struct cfg_tree *t, unsigned int idx, bool reload, void **snap,
			 struct cfg_errors *errs)
{
	const struct cfg_section_ops *ops = cfg_sections[idx];
	unsigned int before = errs->count;
	int rc;

	*snap = NULL;
	if (reload && ops->snapshot && !(*snap = ops->snapshot())) {
		cfg_error_add(errs, NULL, ops->name, "cannot save the running configuration: %s",
			      dpvs_strerror(EDPVS_NOMEM));
		return EDPVS_NOMEM;
	}
	rc = ops->apply(t->staged[idx], reload, errs);
	if (rc != 0) {
		if (errs->count == before)
			cfg_error_add(errs, NULL, ops->name, "cannot apply: %s", dpvs_strerror(rc));
		if (*snap)
			ops->free(*snap);
		*snap = NULL;
		return rc;
	}
	t->staged[idx] = NULL;	/* the module owns it now */
	return 0;
}

int cfg_apply(struct cfg_tree *t, bool reload, struct cfg_errors *errs)
{
	unsigned int idx[CFG_MAX_SECTIONS];
	void *snap[CFG_MAX_SECTIONS];
	unsigned int i, n = 0;
	int rc = 0;

	cfg_set_current_file(t->file);
	cfg_apply_order(idx);
	for (i = 0; i < cfg_n_sections && rc == 0; i++) {
		snap[n] = NULL;
		if (!t->staged[idx[i]])
			continue;
		idx[n] = idx[i];
		rc = cfg_apply_one(t, idx[n], reload, &snap[n], errs);
		if (rc == 0)
			n++;
	}
	if (rc != 0 && reload) {
		DPVS_LOG(cfg, NOTICE, "reload failed: applying back the previous configuration "
			 "of %u section(s)", n);
		cfg_rollback(idx, n, snap, errs);
		return rc;
	}
	for (i = 0; i < n; i++)
		if (snap[i])
			cfg_sections[idx[i]]->free(snap[i]);
	return rc;
}

void cfg_free(struct cfg_tree *t)
{
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < cfg_n_sections; i++)
		if (t->staged[i])
			cfg_sections[i]->free(t->staged[i]);
	if (cfg_running_tree == t)
		cfg_running_tree = NULL;
	free(t);
}

const struct cfg_tree *cfg_running(void)
{
	return cfg_running_tree;
}

void cfg_set_running(struct cfg_tree *t)
{
	cfg_running_tree = t;
}
