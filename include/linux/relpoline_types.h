/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Relpoline: the types shared by the arch code, the stub encoder and the
 * tracing side. Free of kernel-only dependencies: the userspace unit tests
 * and the fuzzer build it too.
 */
#ifndef _LINUX_RELPOLINE_TYPES_H
#define _LINUX_RELPOLINE_TYPES_H

/* Hot targets one stub compares the target register with. */
#define RELPOLINE_MAX_TARGETS	4

/* The branch instruction of a site, as objtool found it. */
enum relpoline_form {
	RELPOLINE_FORM_CALL,	/* CALL: an indirect call */
	RELPOLINE_FORM_JMP,	/* JMP: a tail call or a computed goto */
	RELPOLINE_FORM_JCC,	/* Jcc: a conditional tail call (clang) */
};

#endif /* _LINUX_RELPOLINE_TYPES_H */
