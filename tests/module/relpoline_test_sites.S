/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Indirect branch sites on chosen registers, in every form objtool lists
 * in .retpoline_sites: CALL thunk, CS-prefixed CALL thunk (as gcc emits
 * for r8-r15 with -mindirect-branch-cs-prefix), and tail JMP thunk.
 * Each takes (fn, arg) and returns fn(arg) (+1 for the CALL forms, so the
 * CALL cannot have been a tail call). rpt_run_write() calls them through
 * pointers: with kCFI they carry the type hash of their C prototype.
 */
#include <linux/cfi_types.h>
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

	.code64
	.section .text, "ax"

.macro RPT_CALL reg, cs=0
SYM_TYPED_FUNC_START(rpt_call_\reg)
	pushq	%\reg
	movq	%rdi, %\reg
	movq	%rsi, %rdi
	.if \cs
	.byte	0x2e
	.endif
	call	__x86_indirect_thunk_\reg
	addq	$1, %rax
	popq	%\reg
	RET
SYM_FUNC_END(rpt_call_\reg)
.endm

.macro RPT_TAIL reg
SYM_TYPED_FUNC_START(rpt_tail_\reg)
	movq	%rdi, %\reg
	movq	%rsi, %rdi
	jmp	__x86_indirect_thunk_\reg
SYM_FUNC_END(rpt_tail_\reg)
.endm

RPT_CALL rbx
RPT_CALL rbp
RPT_CALL r12, 1
RPT_CALL r15, 1
RPT_TAIL rcx
RPT_TAIL r10
RPT_TAIL r11
