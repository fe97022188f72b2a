/*
 * main.c - ipvsadm for dpvsd: everything lives in libipvsadm (parse.c,
 * print.c, exec.c) so that the unit tests can link it; see ipvsadm.h.
 */
#include "ipvsadm.h"

int main(int argc, char **argv)
{
	return ipvsadm_main(argc, (const char *const *)argv);
}
