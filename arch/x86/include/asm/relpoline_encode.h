/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Relpoline: machine code encoder for promoted indirect call sites.
 *
 * This header and arch/x86/kernel/relpoline_encode.c are pure byte emitters
 * without any kernel-only dependency, so that they can be built and tested in
 * userspace.  Userspace users must include a shim providing u8, u32, s32,
 * u64, bool, EINVAL, ERANGE and ENOSPC and defining __RELPOLINE_USERSPACE
 * before including this header.
 */
#ifndef _ASM_X86_RELPOLINE_ENCODE_H
#define _ASM_X86_RELPOLINE_ENCODE_H

#ifdef __KERNEL__
#include <linux/types.h>
#elif !defined(__RELPOLINE_USERSPACE)
#error "userspace users must include the relpoline type shim first"
#endif
#include <linux/relpoline_types.h>

/* Length of the instruction at a call site, for each enum relpoline_form. */
#define RP_CALL_INSN_SIZE	5	/* E8 rel32 */
#define RP_JMP_INSN_SIZE	5	/* E9 rel32 */
#define RP_JCC_INSN_SIZE	6	/* 0F 80+cc rel32 */

/* x86 register numbers as used by ModRM/REX encodings */
#define RP_REG_RAX		0
#define RP_REG_RSP		4	/* not usable as a call target */
#define RP_REG_MAX		15

/* Condition code of a Jcc (low nibble of the opcode) */
#define RP_CC_MAX		15

enum rp_slow_kind {
	RP_SLOW_REL32,		/* jmp rel32 slow_target */
	RP_SLOW_INDIRECT,	/* [lfence;] jmp *%reg; int3 */
};

/**
 * struct rp_stub_desc - description of one promotion stub
 * @stub_addr:	   address at which the stub bytes will execute
 * @reg:	   register holding the call target (0..15, not 4 == %rsp)
 * @nr_targets:	   number of valid entries in @targets
 *		   (0..RELPOLINE_MAX_TARGETS)
 * @targets:	   hot targets; each must be a sign-extended 32-bit value
 * @count_hits:	   emit "incq %gs:hit_ctr[i]" before jumping to targets[i]
 * @hit_ctr:	   %gs-relative displacement of each target's u64 counter
 * @count_misses:  emit "incq %gs:miss_ctr" at the start of the miss path
 * @miss_ctr:	   %gs-relative displacement of the u64 miss counter
 * @sample:	   emit "decl %gs:sample_ctr; jnz 1f; call sample_fn; 1:"
 * @sample_ctr:	   %gs-relative displacement of the u32 countdown
 * @sample_fn:	   function called when the countdown reaches zero; it must
 *		   preserve all registers but the flags, runs on the stack of
 *		   the call site (not 16-byte aligned), and returns to the stub
 *		   which then takes the slow path
 * @slow_kind:	   how the slow path reaches the real target
 * @slow_target:   RP_SLOW_REL32: destination of the final "jmp rel32"
 * @slow_lfence:   RP_SLOW_INDIRECT: emit LFENCE before "jmp *%reg"
 *
 * The %gs displacements are encoded as absolute disp32 (no base, no index)
 * and are therefore sign-extended to 64 bits by the CPU.
 */
struct rp_stub_desc {
	u64 stub_addr;
	u8 reg;
	u8 nr_targets;
	u64 targets[RELPOLINE_MAX_TARGETS];
	bool count_hits;
	s32 hit_ctr[RELPOLINE_MAX_TARGETS];
	bool count_misses;
	s32 miss_ctr;
	bool sample;
	s32 sample_ctr;
	u64 sample_fn;
	enum rp_slow_kind slow_kind;
	u64 slow_target;
	bool slow_lfence;
};

int rp_stub_size(const struct rp_stub_desc *d);
int rp_encode_stub(const struct rp_stub_desc *d, u8 *buf, u32 size);
int rp_site_insn_len(enum relpoline_form form);
int rp_encode_site(enum relpoline_form form, u8 jcc_cc, u64 site_addr,
		   u64 dest, u8 *buf);

#endif /* _ASM_X86_RELPOLINE_ENCODE_H */
