/*
 * cfg_internal.h - private glue between cfg.c (errors, getters, section
 * registry, load/apply) and cfg_core.c (the global, eal and lcores
 * sections, the reload check and the EAL argv).  Not for other modules.
 */
#ifndef DPVS_CFG_INTERNAL_H
#define DPVS_CFG_INTERNAL_H

#include "cfg.h"

/* Log level names, index = RTE_LOG_* - 1 ("emerg".."debug"). */
#define CFG_N_LEVELS 8
extern const char *const cfg_level_names[CFG_N_LEVELS];

/* Name of the file being loaded/checked, used for errors without a
 * setting (line 0).  Master only (one load at a time). */
void cfg_set_current_file(const char *file);

/* Parse the core sections from the root group into t; errors into errs. */
void cfg_core_parse(const config_setting_t *root, struct cfg_tree *t,
		    struct cfg_errors *errs);

/* True if name is one of the core sections (global, eal, lcores). */
bool cfg_core_is_section(const char *name);

/* Let every registered section of t add its EAL arguments and memory. */
int cfg_sections_eal_args(const struct cfg_tree *t, struct cfg_eal_args *a);

/* Every registered section's reload_check() on next's staged objects
 * (all asked, errors collected).  0 or EDPVS_CONFIG. */
int cfg_sections_reload_check(const struct cfg_tree *next, struct cfg_errors *errs);

/* A child of group parent, NULL if parent is NULL, not a group, or has no
 * such child. */
const config_setting_t *cfg_member(const config_setting_t *parent, const char *key);

#endif /* DPVS_CFG_INTERNAL_H */
