/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Code templates for the native relpoline benchmark (bench/native).
 *
 * Every template between rb_X and rb_X_end is position independent (only
 * branches inside itself) and is copied by relbench.c, rb_code.c or
 * rb_replay.c into an RWX area below 2 GiB, where the promoted targets must live (a stub compares them
 * as sign-extended imm32) and where every rel32 (site -> stub -> target,
 * stub -> thunk, stub -> sample function) reaches.
 *
 * rb_calib is executed in place.
 */

#include "relpoline_regs.S"
#include "rp_asm.h"

/*
 * The measured loop, identical for every variant; only the 5 bytes at
 * rb_loop_site (offset rb_loop_site - rb_loop) are rewritten, exactly as
 * relpoline rewrites a retpoline call site:
 *
 *	u64 loop(const u64 *targets, u64 ncalls, u64 index_mask)
 *
 * Each iteration loads the next target from the precomputed array into
 * %rax and executes the site.  Returns nothing useful.
 */
	.text
	.globl	rb_loop, rb_loop_site, rb_loop_end
	.balign	64
rb_loop:
	PUSH_CALLEE_SAVED
	mov	%rdi, %r12
	mov	%rsi, %r13
	mov	%rdx, %r14
	xor	%ebx, %ebx
	.balign	32
1:	mov	(%r12,%rbx,8), %rax
	inc	%rbx
	and	%r14, %rbx
rb_loop_site:
	.byte	0x0f, 0x1f, 0x44, 0x00, 0x00	/* 5-byte NOP, patched */
	dec	%r13
	jnz	1b
	POP_CALLEE_SAVED
	ret
rb_loop_end:

/*
 * The native replay's dispatch loop (rb_replay.c, "Dispatch"):
 *
 *	void dispatch(const u32 *rec, const u32 *end)
 *
 * rec[] holds (target, site slot) pairs: each iteration puts the target
 * in %rax and calls the site's slot through %rcx.  Everything it calls
 * (slots, stubs, thunk, targets, sample function) preserves %rdi and
 * %rsi; a stub saves %rcx, its scratch register.
 */
	.globl	rb_dispatch, rb_dispatch_end
	.balign	64
rb_dispatch:
1:	movl	(%rdi), %eax
	movl	4(%rdi), %ecx
	addq	$8, %rdi
	call	*%rcx
	cmpq	%rsi, %rdi
	jne	1b
	ret
	int3
rb_dispatch_end:

/*
 * The same, calling the slot through a retpoline for %rcx
 * (__x86_indirect_thunk_rcx inline): relreplay -d retpoline.
 */
	.globl	rb_dispatch_rp, rb_dispatch_rp_end
	.balign	64
rb_dispatch_rp:
1:	movl	(%rdi), %eax
	movl	4(%rdi), %ecx
	addq	$8, %rdi
	call	3f
	cmpq	%rsi, %rdi
	jne	1b
	ret
	int3
3:	call	4f
	int3
4:	mov	%rcx, (%rsp)
	ret
	int3
rb_dispatch_rp_end:

/*
 * __x86_indirect_thunk_rax exactly as build/linux-src/arch/x86/lib/
 * retpoline.S (6.12) assembles it for spectre_v2=retpoline: RETPOLINE rax
 * = POLINE rax + RET, where POLINE is "call .Ldo_rop; int3; .Ldo_rop:
 * mov %rax,(%rsp)" and RET is "jmp __x86_return_thunk", which boot
 * patching turns into "ret; int3" on CPUs that need no return thunk.
 */
	.globl	rb_thunk, rb_thunk_end
	.balign	32
rb_thunk:
	call	.Ldo_rop
	int3
.Ldo_rop:
	mov	%rax, (%rsp)
	ret
	int3
rb_thunk_end:

/*
 * The classic retpoline (kernels before 6.0, and what the brief
 * describes): call 1f; 2: pause; lfence; jmp 2b; 1: mov %rax,(%rsp); ret.
 */
	.globl	rb_thunk_pause, rb_thunk_pause_end
	.balign	32
rb_thunk_pause:
	call	1f
2:	pause
	lfence
	jmp	2b
1:	mov	%rax, (%rsp)
	ret
	int3
rb_thunk_pause_end:

/* A call target: returns at once. */
	.globl	rb_target, rb_target_end
	.balign	16
rb_target:
	ret
	int3
rb_target_end:

/*
 * The stubs' scratch register: %rcx, as the site register is %rax.  When
 * a stub calls its sample function, the scratch register holds ctr_base,
 * the per-CPU pointer of its counter block: this CPU's copy is at
 * %gs:ctr_base (see relpoline_encode.c, "The sample call").
 */
#define RB_CTR_COUNTDOWN	8	/* RP_CTR_COUNTDOWN */

/*
 * Cheap sample function: reloads the stub's countdown through the
 * scratch register (%gs-relative) and counts the samples.  The disp32 of the count is
 * patched by relbench.c at rb_sample_cheap_n; the period at
 * rb_sample_cheap_per.
 */
	.globl	rb_sample_cheap, rb_sample_cheap_end
	.globl	rb_sample_cheap_per, rb_sample_cheap_n
	.balign	32
rb_sample_cheap:
	.byte	0x65, 0xc7, 0x41, RB_CTR_COUNTDOWN /* movl $imm32, %gs:8(%rcx) */
rb_sample_cheap_per:
	.long	16
	.byte	0x65, 0x48, 0xff, 0x04, 0x25	/* incq %gs:disp32 */
rb_sample_cheap_n:
	.long	0
	ret
	int3
rb_sample_cheap_end:

/*
 * Realistic sample function, shaped like the kernel's
 * relpoline_sample_thunk: saves every GPR, records (return address,
 * target) in a small %gs ring and reloads the countdown through the saved
 * scratch register, then restores everything.  The kernel's version calls
 * into C (relpoline_sample()), which does more (cgroup id, per-CPU table
 * with a nesting guard), so this is a lower bound of the real sampling
 * cost.
 */
	.globl	rb_sample_full, rb_sample_full_end
	.globl	rb_sample_full_per, rb_sample_full_n
	.globl	rb_sample_full_ring
	.balign	32
rb_sample_full:
	RELPOLINE_PUSH_REGS
	movq	%rsp, %rdi
	movq	16*8(%rsp), %rsi		/* return address into the stub */
	/* n = %gs:count++; ring[n & 63] = {stub, target} */
	.byte	0x65, 0x48, 0x8b, 0x0c, 0x25	/* movq %gs:disp32, %rcx */
rb_sample_full_n:
	.long	0
	leaq	1(%rcx), %rdx
	.byte	0x65, 0x48, 0x89, 0x14, 0x25	/* movq %rdx, %gs:disp32 */
rb_sample_full_n2:
	.long	0
	andl	$63, %ecx
	shll	$4, %ecx
	movq	(%rdi), %rax			/* saved %rax: the target */
	.byte	0x65, 0x48, 0x89, 0xb1		/* movq %rsi, %gs:disp32(%rcx) */
rb_sample_full_ring:
	.long	0
	.byte	0x65, 0x48, 0x89, 0x81		/* movq %rax, %gs:disp32+8(%rcx) */
rb_sample_full_ring8:
	.long	8
	movq	8(%rdi), %rcx			/* saved %rcx: ctr_base */
	.byte	0x65, 0xc7, 0x41, RB_CTR_COUNTDOWN /* movl $imm32, %gs:8(%rcx) */
rb_sample_full_per:
	.long	16
	RELPOLINE_POP_REGS
	ret
	int3
rb_sample_full_end:
	.globl	rb_sample_full_n2, rb_sample_full_ring8

/*
 * u64 rb_calib(u64 iters): a chain of 64 dependent 1-cycle ADDs per
 * iteration, i.e. 64 * iters core cycles, to convert TSC ticks to core
 * clock cycles.
 */
	.globl	rb_calib
	.balign	64
rb_calib:
	xor	%eax, %eax
1:
	.rept	64
	add	$1, %rax
	.endr
	dec	%rdi
	jnz	1b
	ret

	.section .note.GNU-stack, "", @progbits
