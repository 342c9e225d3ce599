/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Relpoline: machine code encoder for promoted indirect call sites.
 *
 * This header and arch/x86/kernel/relpoline_encode.c are pure byte emitters
 * without any kernel-only dependency, so that they can be built and tested in
 * userspace.  Userspace users must include a shim providing u8, u16, u32,
 * s32, u64, bool, EINVAL, ERANGE, ENOSPC, offsetof() and static_assert()
 * and defining __RELPOLINE_USERSPACE before including this header.
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
#define RP_REG_RCX		1
#define RP_REG_RSP		4	/* not usable as a call target */
#define RP_REG_MAX		15

/* Condition code of a Jcc (low nibble of the opcode) */
#define RP_CC_MAX		15

enum rp_slow_kind {
	RP_SLOW_REL32,		/* jmp rel32 slow_target */
	RP_SLOW_INDIRECT,	/* [lfence;] jmp *%reg; int3 */
};

/*
 * The per-CPU counter block of one stub (alloc_percpu()): byte offsets,
 * which the stub code uses, and the same layout as a struct.
 */
#define RP_CTR_MISSES		0	/* u64: misses */
#define RP_CTR_COUNTDOWN	8	/* u32: misses left until a sample */
#define RP_CTR_HITS		16	/* u64 per target: hits of target i */
#define RP_CTR_HIT(i)		(RP_CTR_HITS + 8 * (i))
/* Bytes a block needs for @nr targets (hits counted or not) */
#define RP_CTR_SIZE(nr)		RP_CTR_HIT(nr)

struct rp_ctr_block {
	u64 misses;
	u32 countdown;
	u32 loaded;	/* what countdown was last loaded with (C only) */
	u64 hits[RELPOLINE_MAX_TARGETS];
};

/**
 * struct rp_stub_desc - description of one promotion stub
 * @stub_addr:	   address at which the stub bytes will execute
 * @reg:	   register holding the call target (0..15, not 4 == %rsp)
 * @nr_targets:	   number of valid entries in @targets
 *		   (0..RELPOLINE_MAX_TARGETS)
 * @targets:	   hot targets, the values compared with %reg; each must be
 *		   a sign-extended 32-bit value
 * @dests:	   where a hit of @targets[i] jumps: the target's call thunk
 *		   when call depth tracking found one
 *		   (callthunks_translate_call_dest()), else @targets[i]
 * @dest_account:  emit the call depth accounting ("sarq $5,
 *		   %gs:call_depth") before jumping to @dests[i]: for a CALL
 *		   site under call depth tracking whose target has no call
 *		   thunk
 * @count_hits:	   count the hits of each target in its per-CPU block slot
 *		   RP_CTR_HIT(i) before jumping to it
 * @count_misses:  count the misses in RP_CTR_MISSES of the per-CPU block
 * @sample:	   on a miss, decrement RP_CTR_COUNTDOWN of the per-CPU
 *		   block and call @sample_fn when it reaches zero
 * @sample_fn:	   function called when the countdown reaches zero; see
 *		   "The sample call" in relpoline_encode.c for what it gets
 *		   and must preserve; it returns to the stub, which then
 *		   takes the slow path
 * @sample_account: emit the call depth accounting before the sample call
 *		   (call depth tracking, when @sample_fn is not a call thunk)
 * @call_depth:	   %gs displacement of the call depth (pcpu_hot +
 *		   X86_call_depth in 6.12); used only with @dest_account or
 *		   @sample_account
 * @ctr_base:	   per-CPU pointer of the stub's struct rp_ctr_block, as
 *		   alloc_percpu() returns it (any 64-bit value); the stub
 *		   counts in %gs:@ctr_base, the running CPU's copy
 * @slow_kind:	   how the slow path reaches the real target
 * @slow_target:   RP_SLOW_REL32: destination of the final "jmp rel32"
 * @slow_lfence:   RP_SLOW_INDIRECT: emit LFENCE before "jmp *%reg"
 * @its_safe:	   RP_SLOW_INDIRECT: place "jmp *%reg" where
 *		   cpu_wants_indirect_its_thunk_at() wants no ITS thunk (its
 *		   last byte in the upper half of a 64-byte line), with the
 *		   fewest NOP bytes (at most 32) before "[lfence;] jmp";
 *		   the stub's size then depends on @stub_addr & 63
 *
 * @ctr_base is only used when @count_hits (with at least one target),
 * @count_misses or @sample is set.
 */
struct rp_stub_desc {
	u64 stub_addr;
	u8 reg;
	u8 nr_targets;
	u64 targets[RELPOLINE_MAX_TARGETS];
	u64 dests[RELPOLINE_MAX_TARGETS];
	bool dest_account[RELPOLINE_MAX_TARGETS];
	bool count_hits;
	bool count_misses;
	bool sample;
	u64 sample_fn;
	bool sample_account;
	s32 call_depth;
	u64 ctr_base;
	enum rp_slow_kind slow_kind;
	u64 slow_target;
	bool slow_lfence;
	bool its_safe;
};

/*
 * The largest stub: 4 targets, %r8..%r15, counting, sampling, call depth
 * accounting everywhere, LFENCE and 32 bytes of ITS padding.
 */
#define RP_STUB_MAX_SIZE	196

/* A stub pushes at most once per target and once on the miss path. */
#define RP_STUB_MAX_PUSHED	(RELPOLINE_MAX_TARGETS + 1)
/* No such offset in struct rp_stub_layout */
#define RP_STUB_NO_OFF		0xffff
/* struct rp_stub_layout.scratch of a stub that pushes nothing */
#define RP_REG_NONE		0xff

/**
 * struct rp_stub_range - byte range [@start, @end) of a stub
 * @start: offset of the first byte from the start of the stub
 * @end:   offset of the first byte after the range
 */
struct rp_stub_range {
	u16 start;
	u16 end;
};

/**
 * struct rp_stub_layout - what the unwinder needs to know about a stub
 * @len:	length of the stub in bytes
 * @scratch:	register the stub saves with PUSH and uses to address its
 *		per-CPU block; RP_REG_NONE if the stub never pushes
 * @nr_pushed:	number of valid entries in @pushed
 * @pushed:	the byte ranges, sorted and disjoint, in which the stack
 *		holds the saved @scratch: 8 bytes more than at the stub's
 *		entry.  A range starts right after a PUSH (or at a branch
 *		target reached with the word pushed) and ends right after
 *		its POP.  Everywhere else in the stub the stack is exactly
 *		as at the entry.
 * @sample_ret: offset of the return address of the sample call (the
 *		instruction after it), or RP_STUB_NO_OFF without sampling.
 *		The call is made with the word pushed, so @sample_ret is
 *		inside one of @pushed.
 * @indirect:	offset of the slow path's "jmp *%reg", or RP_STUB_NO_OFF
 */
struct rp_stub_layout {
	u16 len;
	u8 scratch;
	u8 nr_pushed;
	struct rp_stub_range pushed[RP_STUB_MAX_PUSHED];
	u16 sample_ret;
	u16 indirect;
};

int rp_stub_size(const struct rp_stub_desc *d);
int rp_encode_stub(const struct rp_stub_desc *d, u8 *buf, u32 size,
		   struct rp_stub_layout *layout);
int rp_site_insn_len(enum relpoline_form form);
int rp_encode_site(enum relpoline_form form, u8 jcc_cc, u64 site_addr,
		   u64 dest, u8 *buf);

#endif /* _ASM_X86_RELPOLINE_ENCODE_H */
