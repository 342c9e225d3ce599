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

	.code64
	.section .text, "ax"

SYM_FUNC_START(relpoline_sample_thunk)
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
	movq	%rsp, %rdi
	movq	16*8(%rsp), %rsi
	call	relpoline_sample
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
	RET
SYM_FUNC_END(relpoline_sample_thunk)
