/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register harness for executing relpoline stubs.
 *
 * void rp_run(void)
 *
 * Fills 40 qwords below the stack pointer with canaries (slot k, at
 * S - 8*k where S is %rsp at the call, holds RP_CANARY + k), loads RFLAGS
 * from rp_h_flags and every GPR but %rsp from rp_h_in[reg], records S in
 * rp_h_rsp and calls *rp_h_entry.  The return address of that call is
 * rp_run_ret.  After the return all GPRs (including %rsp) are stored in
 * rp_h_out[reg] and RFLAGS in rp_h_flags_out; then TF and DF are cleared
 * (rp_h_flags may set them: TF single-steps the run, DF is a flag the
 * code under test must preserve).
 */
#include "relpoline_regs.S"
#include "rp_asm.h"

#define RP_CANARY 0x5afe5afe00000000

	.bss
	.balign 8
	.globl rp_h_in, rp_h_out, rp_h_entry, rp_h_flags, rp_h_rsp
	.globl rp_h_flags_out
rp_h_in:	.skip 8 * 16
rp_h_out:	.skip 8 * 16
rp_h_entry:	.skip 8
rp_h_flags:	.skip 8
rp_h_rsp:	.skip 8
rp_h_flags_out:	.skip 8

	.text
	.globl rp_run
	.type rp_run, @function
rp_run:
	PUSH_CALLEE_SAVED

	mov	%rsp, %rsi
	movabs	$RP_CANARY, %rax
	mov	$40, %ecx
1:	sub	$8, %rsi
	inc	%rax
	mov	%rax, (%rsi)
	dec	%ecx
	jnz	1b

	/* slot 1 is clobbered here, and again by the call below */
	pushq	rp_h_flags(%rip)
	popfq

	mov	rp_h_in + 8 * 0(%rip), %rax
	mov	rp_h_in + 8 * 1(%rip), %rcx
	mov	rp_h_in + 8 * 2(%rip), %rdx
	mov	rp_h_in + 8 * 3(%rip), %rbx
	mov	rp_h_in + 8 * 5(%rip), %rbp
	mov	rp_h_in + 8 * 6(%rip), %rsi
	mov	rp_h_in + 8 * 7(%rip), %rdi
	mov	rp_h_in + 8 * 8(%rip), %r8
	mov	rp_h_in + 8 * 9(%rip), %r9
	mov	rp_h_in + 8 * 10(%rip), %r10
	mov	rp_h_in + 8 * 11(%rip), %r11
	mov	rp_h_in + 8 * 12(%rip), %r12
	mov	rp_h_in + 8 * 13(%rip), %r13
	mov	rp_h_in + 8 * 14(%rip), %r14
	mov	rp_h_in + 8 * 15(%rip), %r15
	mov	%rsp, rp_h_rsp(%rip)
	call	*rp_h_entry(%rip)
	.globl	rp_run_ret
rp_run_ret:
	mov	%rax, rp_h_out + 8 * 0(%rip)
	pushfq
	pop	%rax
	mov	%rax, rp_h_flags_out(%rip)
	and	$~0x500, %rax		/* TF, DF */
	push	%rax
	popfq
	mov	%rcx, rp_h_out + 8 * 1(%rip)
	mov	%rdx, rp_h_out + 8 * 2(%rip)
	mov	%rbx, rp_h_out + 8 * 3(%rip)
	mov	%rsp, rp_h_out + 8 * 4(%rip)
	mov	%rbp, rp_h_out + 8 * 5(%rip)
	mov	%rsi, rp_h_out + 8 * 6(%rip)
	mov	%rdi, rp_h_out + 8 * 7(%rip)
	mov	%r8, rp_h_out + 8 * 8(%rip)
	mov	%r9, rp_h_out + 8 * 9(%rip)
	mov	%r10, rp_h_out + 8 * 10(%rip)
	mov	%r11, rp_h_out + 8 * 11(%rip)
	mov	%r12, rp_h_out + 8 * 12(%rip)
	mov	%r13, rp_h_out + 8 * 13(%rip)
	mov	%r14, rp_h_out + 8 * 14(%rip)
	mov	%r15, rp_h_out + 8 * 15(%rip)

	POP_CALLEE_SAVED
	ret
	.size rp_run, . - rp_run

/*
 * A model of relpoline_sample_thunk (arch/x86/kernel/relpoline_64.S) for
 * the exec tests, which copy it into the low area: it saves the registers
 * with the kernel's RELPOLINE_PUSH_REGS, copies that frame and the two
 * words above it (18 qwords: regs[16], the return address into the stub,
 * the word the stub pushed) to the address patched at rp_frame_dst,
 * restores the registers and jumps on (rel32 patched at rp_frame_next).
 * Position independent; preserves every register but the flags.
 */
	.globl	rp_frame_tmpl, rp_frame_dst, rp_frame_next, rp_frame_end
rp_frame_tmpl:
	RELPOLINE_PUSH_REGS
	.byte	0x48, 0xbf		/* movabs $imm64, %rdi */
rp_frame_dst:
	.quad	0
	xor	%ecx, %ecx
1:	mov	(%rsp,%rcx,8), %rax
	mov	%rax, (%rdi,%rcx,8)
	inc	%ecx
	cmp	$18, %ecx
	jne	1b
	RELPOLINE_POP_REGS
	.byte	0xe9			/* jmp rel32 */
rp_frame_next:
	.long	0
rp_frame_end:

	.section .note.GNU-stack, "", @progbits
