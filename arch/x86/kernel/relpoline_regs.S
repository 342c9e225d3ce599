/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included, not built on its own (like arch/x86/virt/vmx/tdx/tdxcall.S).
 *
 * Assembler macros for relpoline's sample entry: every GPR saved as an
 * array indexed by x86 register number (%rax at 0 ... %r15 at 15; the
 * %rsp slot, 4, holds 0), which is what relpoline_sample() takes.
 *
 * Used by arch/x86/kernel/relpoline_64.S and by the userspace model of
 * the sample thunk in bench/native, so both save the same frame. Plain
 * instructions only: no kernel macros, no alternatives.
 */

/* After this, (%rsp) is the array and 16*8(%rsp) the caller's return address. */
.macro RELPOLINE_PUSH_REGS
	pushq	%r15
	pushq	%r14
	pushq	%r13
	pushq	%r12
	pushq	%r11
	pushq	%r10
	pushq	%r9
	pushq	%r8
	pushq	%rdi
	pushq	%rsi
	pushq	%rbp
	pushq	$0			/* %rsp */
	pushq	%rbx
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
.endm

.macro RELPOLINE_POP_REGS
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rbx
	addq	$8, %rsp
	popq	%rbp
	popq	%rsi
	popq	%rdi
	popq	%r8
	popq	%r9
	popq	%r10
	popq	%r11
	popq	%r12
	popq	%r13
	popq	%r14
	popq	%r15
.endm
