/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A conditional tail call through a retpoline thunk, "jnz
 * __x86_indirect_thunk_r11" (0f 85 rel32): the Jcc site form, which
 * patch_retpoline() and relpoline handle but which neither GCC nor clang
 * (16 and 19, kernel flags) emit in this kernel. objtool lists it in
 * .retpoline_sites like a compiler's.
 *
 * long rpj_jcc(long x, rpj_fn_t *slot): (*slot)(x) if *slot, else -x.
 * Called directly only, so it has no kCFI type.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

	.code64
	.section .text, "ax"

SYM_FUNC_START(rpj_jcc)
	movq	(%rsi), %r11
	testq	%r11, %r11
	jnz	__x86_indirect_thunk_r11
	movq	%rdi, %rax
	negq	%rax
	RET
SYM_FUNC_END(rpj_jcc)
