/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry from a relpoline stub's slow path into the learning code.
 *
 * A stub CALLs this when its CPU's sampling countdown reaches zero. The
 * stub was itself entered by the site's CALL/JMP with every register
 * live, so save them all: relpoline_sample() gets them as an array
 * indexed by x86 register number (the %rsp slot is unused) and the
 * return address into the stub, which identifies the stub and its site.
 */
#include <linux/linkage.h>
#include <asm/linkage.h>
#include <asm/nospec-branch.h>
#include "relpoline_regs.S"

	.code64
	.section .text, "ax"

SYM_FUNC_START(relpoline_sample_thunk)
	RELPOLINE_PUSH_REGS
	movq	%rsp, %rdi
	movq	16*8(%rsp), %rsi
	call	relpoline_sample
	RELPOLINE_POP_REGS
	RET
SYM_FUNC_END(relpoline_sample_thunk)
