/*
 * module.h - the ordered table of daemon modules (src/modules.c).
 *
 * Modules are initialised forwards and terminated in reverse; if one init
 * fails, the ones already initialised are terminated in reverse and the
 * error returned.  To add a module, add one line to the table in
 * src/modules.c at the place its dependencies require.
 */
#ifndef DPVS_MODULE_H
#define DPVS_MODULE_H

#ifdef __cplusplus
extern "C" {
#endif

struct dpvs_module {
	const char *name;
	int (*init)(void);	/* 0 or EDPVS_* */
	void (*term)(void);
};

/* Run every init in order; on failure unwind and return the error. */
int module_init_all(void);

/* Run the terms of the initialised modules in reverse order. */
void module_term_all(void);

#ifdef __cplusplus
}
#endif
#endif /* DPVS_MODULE_H */
