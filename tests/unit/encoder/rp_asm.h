/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assembler macros shared by the userspace code that runs stub bytes:
 * tests/unit/encoder/harness.S and bench/native/rb_tmpl.S.
 */
#ifndef RP_ASM_H
#define RP_ASM_H

#ifdef __ASSEMBLER__

/* The SysV callee-saved registers, for a function called from C. */
.macro PUSH_CALLEE_SAVED
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

.macro POP_CALLEE_SAVED
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
.endm

#endif /* __ASSEMBLER__ */

#endif /* RP_ASM_H */
