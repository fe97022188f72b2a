/*
 * main.c - placeholder for ipvsadm so the build has the binary; the real
 * tool (owned by the ipvsadm engineer) replaces this file.
 */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "ipvsadm: not implemented yet\n");
	return 1;
}
