// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline stub and call site encoder.
 *
 * A promoted call site "call/jmp/jcc stub" reaches a stub of this shape
 * (%reg is the register the original retpoline thunk call used, %scr the
 * scratch register: %rax, or %rcx when %reg is %rax):
 *
 *	without count_hits, for each hot target i:
 *		cmp	$targets[i], %reg	# REX.W 81 /7 id, or REX.W 3D id
 *		je	dests[i]		# 0F 84 rel32
 *	  or, with dest_account[i]:
 *		cmp	$targets[i], %reg
 *		jne	1f			# 75 rel8
 *		sarq	$5, %gs:call_depth	# 65 REX.W C1 /7 SIB 25 disp32 05
 *		jmp	dests[i]		# E9 rel32
 *	1:
 *	with count_hits (and at least one target):
 *		push	%scr			# 50+r
 *		movabs	$ctr_base, %scr		# REX.W B8+r io
 *	    for each hot target i:
 *		cmp	$targets[i], %reg
 *		jne	1f			# 75 rel8
 *		incq	%gs:RP_CTR_HIT(i)(%scr)	# 65 REX.W FF /0 disp8
 *		pop	%scr			# 58+r
 *		sarq	$5, %gs:call_depth	# if dest_account[i]
 *		jmp	dests[i]		# E9 rel32
 *	1:
 *	miss path:
 *		push; movabs			# as above, if count_misses or
 *						# sample and not done yet
 *		incq	%gs:(%scr)		# if count_misses: 65 REX.W FF /0
 *		decl	%gs:RP_CTR_COUNTDOWN(%scr) # if sample: 65 FF /1 disp8
 *		jg	2f			#	     7F rel8
 *		sarq	$5, %gs:call_depth	#	     if sample_account
 *		call	sample_fn		#	     E8 rel32
 *	2:	pop	%scr			# if pushed
 *		jmp	slow_target		# RP_SLOW_REL32: E9 rel32
 *	  or
 *		nop...				# its_safe: 0..32 bytes, so that
 *						# jmp's last byte is at 32..63
 *						# mod 64 (ITS)
 *		lfence				# RP_SLOW_INDIRECT, optional
 *		jmp	*%reg			# [41] FF E0+r
 *		int3				# straight-line speculation
 *
 * Stub sizes in bytes with the rel32 slow path; "%rax / other register"
 * (the compare with %rax is a byte shorter); tests/unit/encoder "make
 * sizes" prints this table:
 *
 *	targets		0	1	2	3	4
 *	lean		5	17/18	29/31	41/44	53/57
 *	+misses		21	33/34	45/47	57/60	69/73
 *	+sample		32	44/45	56/58	68/71	80/84
 *	+hits		32	51/52	70/72	89/92	108/112
 *	+accounting	42	71/72	100/102	129/132	158/162
 *
 * Each row adds to the one above: miss counting, sampling, hit counting,
 * then inline call depth accounting for every target and the sample call
 * (with call thunks as dests there is none).  Instead of the 5-byte
 * "jmp rel32": "jmp *%reg; int3" is 2 bytes shorter (%r8..%r15: 1), with
 * LFENCE 1 byte longer (2), and its_safe adds 0..32 bytes of NOPs,
 * depending on the stub address mod 64.  The largest stub is
 * RP_STUB_MAX_SIZE, 196 bytes (7 granules of 32 bytes); a lean stub with
 * one target fits in one granule, a counting and sampling one with one
 * target in two, with four targets in four.
 *
 * Call depth tracking (retbleed=stuff).  A CALL site's "call stub" is not
 * accounted (the stub has no call thunk), so every path out of the stub
 * must account once for the site's call: a hit by jumping to the target's
 * call thunk (dests[i], from callthunks_translate_call_dest()) or, when
 * there is none, by the accounting instruction itself (dest_account[i],
 * the INCREMENT_CALL_DEPTH of x86_call_depth_emit_accounting()); a miss
 * by the slow path, a rel32 jmp to __x86_indirect_call_thunk_<reg> (the
 * kernel's choice of slow_target).  The sample call is a call of its own
 * and is accounted before it (sample_account) unless sample_fn is a call
 * thunk.  JMP and Jcc sites are tail calls: nothing is accounted, dests[i]
 * is targets[i].  The encoder emits what the descriptor says.
 *
 * Only the flags are clobbered.  The counters are in a per-CPU block
 * (struct rp_ctr_block, from alloc_percpu()) whose per-CPU pointer,
 * ctr_base, can be any 64-bit value: the stub loads it into %scr, which
 * it saves with PUSH and restores with POP (the kernel is built without a
 * red zone, so the push clobbers nothing), and addresses every counter as
 * %gs:off(%scr), as this_cpu_inc() does with a dynamic per-CPU pointer:
 * x86-64 per-CPU data is zero-based and the %gs base is the running CPU's
 * per-CPU offset, so %gs:ctr_base is the running CPU's copy of the block.
 * Preemption is not disabled and need not be: %scr holds the same value
 * on every CPU, and each count is one instruction that updates the copy
 * of the CPU executing it, so a task migrated anywhere in the stub counts
 * each event exactly once, on the CPU it ran on, and no CPU ever writes
 * another CPU's copy: the counts are exact.
 * rp_encode_stub() reports the ranges in which the word is pushed
 * (struct rp_stub_layout) so that the kernel can describe the stub to
 * the ORC unwinder.
 *
 * The sample call.  sample_fn is called with the stack of the call site
 * plus the pushed %scr and the return address: at its entry
 *	0(%rsp)	 return address into the stub (stub + layout.sample_ret)
 *	8(%rsp)	 the original value of %scr
 *	16(%rsp) what was on top of the stack at the stub's entry (for a
 *		 CALL site, the site's return address)
 * and every register as at the stub's entry except %scr, which holds
 * ctr_base (the per-CPU pointer, the same on every CPU: this CPU's block
 * is at %gs:ctr_base, i.e. this_cpu_ptr(ctr_base)), and the flags.
 * %reg, never %scr, still holds the call target.  sample_fn must reload
 * the countdown (of the CPU it runs on), preserve every register but the
 * flags and return; the stack is not 16-byte aligned.  The sample is taken
 * while the countdown is zero or below (JG, not JNZ): a task migrated
 * between the DECL and the reload leaves the old CPU's countdown at zero,
 * and that CPU's next miss samples again and reloads it there.
 * relpoline_sample_thunk saves the registers as an array and reads the
 * target as regs[reg]; in its frame the original %scr is at 17*8(%rsp),
 * above the return address at 16*8(%rsp).
 *
 * The code in this file is a pure byte emitter and builds unchanged in
 * userspace (see tests/unit/encoder), so it must not use kernel-only helpers.
 */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/types.h>
#endif
#include <asm/relpoline_encode.h>

static_assert(offsetof(struct rp_ctr_block, misses) == RP_CTR_MISSES);
static_assert(offsetof(struct rp_ctr_block, countdown) == RP_CTR_COUNTDOWN);
static_assert(offsetof(struct rp_ctr_block, hits) == RP_CTR_HITS);
static_assert(sizeof(struct rp_ctr_block) ==
	      RP_CTR_SIZE(RELPOLINE_MAX_TARGETS));
/* the counter offsets are encoded as disp8 */
static_assert(RP_CTR_SIZE(RELPOLINE_MAX_TARGETS) <= 128);

#define RP_REX			0x40
#define RP_REX_W		(RP_REX | 0x08)
#define RP_REX_B		0x01
#define RP_PFX_GS		0x65
#define RP_OP_JCC8		0x70	/* + cc, rel8 */
#define RP_OP_JCC32		0x80	/* 0F 80+cc, rel32 */
#define RP_OP_CMP_RAX_IMM32	0x3d
#define RP_OP_GRP1_IMM32	0x81	/* /7 is CMP r/m, imm32 */
#define RP_OP_CALL32		0xe8
#define RP_OP_PUSH		0x50	/* + r */
#define RP_OP_POP		0x58	/* + r */
#define RP_OP_MOV_IMM64		0xb8	/* + r, with REX.W */
#define RP_OP_GRP2_IMM8		0xc1	/* /7 is SAR r/m, imm8 */
#define RP_OP_JMP32		0xe9
#define RP_OP_GRP5		0xff	/* /0 INC, /1 DEC, /4 JMP r/m */
#define RP_OP_INT3		0xcc
#define RP_OP_ESC		0x0f	/* two-byte opcode escape */
#define RP_OP_GRP15		0xae	/* 0F AE */
#define RP_MODRM_LFENCE		0xe8	/* 0F AE E8 is LFENCE */
#define RP_EXT_CMP		7
#define RP_EXT_INC		0
#define RP_EXT_DEC		1
#define RP_EXT_JMP		4
#define RP_EXT_SAR		7
/* INCREMENT_CALL_DEPTH: sarq $5, %gs:pcpu_hot + X86_call_depth */
#define RP_CALL_DEPTH_SHIFT	5
#define RP_MODRM_RM_SIB		4
#define RP_MOD_DISP8		1
#define RP_SIB_DISP32_ONLY	0x25	/* scale 0, no index, no base */
#define RP_CC_E			0x4
#define RP_CC_NE		0x5
#define RP_CC_G			0xf

/* ITS: an indirect branch whose last byte is in the lower half of a
 * cache line needs a thunk (cpu_wants_indirect_its_thunk_at())
 */
#define RP_ITS_HALF		0x20
#define RP_NOP_MAX		11

/* Largest forward / backward distance a rel32 can cover */
#define RP_REL32_FWD_MAX	0x7fffffffULL
#define RP_REL32_BWD_MAX	0x80000000ULL
/* Range of 64-bit values that are sign-extended 32-bit immediates */
#define RP_SIMM32_POS_MAX	0x7fffffffULL
#define RP_SIMM32_NEG_MIN	0xffffffff80000000ULL

/*
 * struct rp_emit - output cursor; with @buf == NULL only @len (and @lay)
 * are computed.  @lay is always valid.
 */
struct rp_emit {
	u8 *buf;
	u64 addr;
	u32 len;
	int err;
	struct rp_stub_layout *lay;
};

static u8 rp_modrm(u8 mod, u8 reg, u8 rm)
{
	return (mod << 6) | ((reg & 7) << 3) | (rm & 7);
}

static bool rp_imm32_ok(u64 val)
{
	/* representable as a sign-extended 32-bit immediate */
	return val <= RP_SIMM32_POS_MAX || val >= RP_SIMM32_NEG_MIN;
}

/*
 * Compute the rel32 for a branch whose next instruction is at @next.  The
 * distance is the true (non-wrapping) difference of the two addresses.
 */
static bool rp_rel32(u64 next, u64 dest, u32 *rel)
{
	if (dest >= next) {
		if (dest - next > RP_REL32_FWD_MAX)
			return false;
	} else if (next - dest > RP_REL32_BWD_MAX) {
		return false;
	}
	*rel = (u32)(dest - next);
	return true;
}

static void rp_put8(struct rp_emit *e, u8 byte)
{
	if (e->buf)
		e->buf[e->len] = byte;
	e->len++;
}

static void rp_put32(struct rp_emit *e, u32 val)
{
	int i;

	for (i = 0; i < 4; i++)
		rp_put8(e, (u8)(val >> (8 * i)));
}

/* Emit the rel32 operand of a branch to @dest; it ends the instruction. */
static void rp_put_rel32(struct rp_emit *e, u64 dest)
{
	u32 rel = 0;

	if (!rp_rel32(e->addr + e->len + 4, dest, &rel))
		e->err = -ERANGE;
	rp_put32(e, rel);
}

/* Emit "jcc rel8" with a zero displacement and return its offset. */
static u32 rp_put_jcc8(struct rp_emit *e, u8 cc)
{
	u32 at = e->len;

	rp_put8(e, RP_OP_JCC8 | cc);
	rp_put8(e, 0);
	return at;
}

/* Make the "jcc rel8" at offset @at jump to the current position. */
static void rp_fix_jcc8(struct rp_emit *e, u32 at)
{
	u32 dist = e->len - (at + 2);

	/* all skipped blocks are far shorter than 128 bytes */
	if (dist > 127)
		e->err = -EINVAL;
	if (e->buf)
		e->buf[at + 1] = (u8)dist;
}

static void rp_emit_cmp(struct rp_emit *e, u8 reg, u64 imm)
{
	if (reg == RP_REG_RAX) {
		rp_put8(e, RP_REX_W);
		rp_put8(e, RP_OP_CMP_RAX_IMM32);
	} else {
		rp_put8(e, RP_REX_W | ((reg & 8) ? RP_REX_B : 0));
		rp_put8(e, RP_OP_GRP1_IMM32);
		rp_put8(e, rp_modrm(3, RP_EXT_CMP, reg));
	}
	rp_put32(e, (u32)imm);
}

/* REX prefix for register @rm in ModRM.rm or the opcode, if one is needed */
static void rp_put_rex_b(struct rp_emit *e, bool w, u8 rm)
{
	if (w || (rm & 8))
		rp_put8(e, RP_REX | (w ? RP_REX_W : 0) | ((rm & 8) ? RP_REX_B : 0));
}

static u8 rp_scratch(u8 reg)
{
	return reg == RP_REG_RAX ? RP_REG_RCX : RP_REG_RAX;
}

/* Open a pushed range: the word is pushed from here on */
static void rp_range_open(struct rp_emit *e)
{
	struct rp_stub_layout *l = e->lay;

	if (l->nr_pushed >= RP_STUB_MAX_PUSHED)
		e->err = -EINVAL;
	else
		l->pushed[l->nr_pushed].start = e->len;
}

/* push %scr; movabs $ctr_base, %scr */
static void rp_emit_block_ptr(struct rp_emit *e, const struct rp_stub_desc *d)
{
	u8 scr = rp_scratch(d->reg);
	int i;

	rp_put8(e, RP_OP_PUSH + scr);
	rp_range_open(e);
	e->lay->scratch = scr;

	rp_put8(e, RP_REX_W);
	rp_put8(e, RP_OP_MOV_IMM64 + scr);
	for (i = 0; i < 8; i++)
		rp_put8(e, (u8)(d->ctr_base >> (8 * i)));
}

/* pop %scr, which ends the current pushed range */
static void rp_emit_pop(struct rp_emit *e, const struct rp_stub_desc *d)
{
	struct rp_stub_layout *l = e->lay;

	rp_put8(e, RP_OP_POP + rp_scratch(d->reg));
	if (l->nr_pushed < RP_STUB_MAX_PUSHED)
		l->pushed[l->nr_pushed++].end = e->len;
}

/*
 * incq/decl %gs:@off(%scr): this CPU's copy of the per-CPU block whose
 * per-CPU pointer %scr holds (%scr is %rax or %rcx: no REX.B, no SIB)
 */
static void rp_emit_ctr(struct rp_emit *e, const struct rp_stub_desc *d,
			bool rex_w, u8 ext, u8 off)
{
	u8 scr = rp_scratch(d->reg);

	rp_put8(e, RP_PFX_GS);
	if (rex_w)
		rp_put8(e, RP_REX_W);
	rp_put8(e, RP_OP_GRP5);
	if (off) {
		rp_put8(e, rp_modrm(RP_MOD_DISP8, ext, scr));
		rp_put8(e, off);
	} else {
		rp_put8(e, rp_modrm(0, ext, scr));
	}
}

/* sarq $5, %gs:call_depth: the call depth accounting of one call */
static void rp_emit_account(struct rp_emit *e, const struct rp_stub_desc *d)
{
	rp_put8(e, RP_PFX_GS);
	rp_put8(e, RP_REX_W);
	rp_put8(e, RP_OP_GRP2_IMM8);
	rp_put8(e, rp_modrm(0, RP_EXT_SAR, RP_MODRM_RM_SIB));
	rp_put8(e, RP_SIB_DISP32_ONLY);
	rp_put32(e, (u32)d->call_depth);
	rp_put8(e, RP_CALL_DEPTH_SHIFT);
}

static void rp_emit_rel32_insn(struct rp_emit *e, u8 op, u64 dest)
{
	rp_put8(e, op);
	rp_put_rel32(e, dest);
}

static void rp_emit_jcc32(struct rp_emit *e, u8 cc, u64 dest)
{
	rp_put8(e, RP_OP_ESC);
	rp_put8(e, RP_OP_JCC32 | cc);
	rp_put_rel32(e, dest);
}

/* NOPs of up to 11 bytes, as the kernel's x86_nops for 64-bit */
static void rp_emit_nops(struct rp_emit *e, u32 len)
{
	static const u8 nop11[RP_NOP_MAX] = {
		0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
	};
	/* where the NOP of n bytes starts in nop11[], for n = 1..11 */
	static const u8 from[RP_NOP_MAX + 1] = {
		0, 0, 0, 3, 0, 0, 0, 0, 3, 2, 1, 0
	};
	static const u8 small[8][8] = {
		{ 0 }, { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 },
		{ 0x0f, 0x1f, 0x40, 0x00 }, { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	};
	u32 n, i;

	while (len) {
		n = len > RP_NOP_MAX ? RP_NOP_MAX : len;
		for (i = 0; i < n; i++)
			rp_put8(e, n < 8 ? small[n][i] : nop11[from[n] + i]);
		len -= n;
	}
}

/* NOPs so that the "jmp *%reg" @skip bytes on is safe from ITS */
static void rp_emit_its_pad(struct rp_emit *e, const struct rp_stub_desc *d,
			    u32 skip)
{
	/* the last byte of the jmp: ModRM, after [REX.B] FF */
	u64 last = e->addr + e->len + skip + 1 + (d->reg >> 3);

	if (!(last & RP_ITS_HALF))
		rp_emit_nops(e, RP_ITS_HALF - (u32)(last & (RP_ITS_HALF - 1)));
}

static void rp_emit_slow(struct rp_emit *e, const struct rp_stub_desc *d)
{
	if (d->slow_kind == RP_SLOW_REL32) {
		rp_emit_rel32_insn(e, RP_OP_JMP32, d->slow_target);
		return;
	}

	if (d->its_safe)
		rp_emit_its_pad(e, d, d->slow_lfence ? 3 : 0);
	if (d->slow_lfence) {
		rp_put8(e, RP_OP_ESC);
		rp_put8(e, RP_OP_GRP15);
		rp_put8(e, RP_MODRM_LFENCE);
	}
	e->lay->indirect = e->len;
	rp_put_rex_b(e, false, d->reg);
	rp_put8(e, RP_OP_GRP5);
	rp_put8(e, rp_modrm(3, RP_EXT_JMP, d->reg));
	rp_put8(e, RP_OP_INT3);
}

/*
 * cmp $targets[i], %reg; then je dests[i], or jne over a hit that is
 * counted (@counted: the block pointer is set up) or accounted
 */
static void rp_emit_target(struct rp_emit *e, const struct rp_stub_desc *d,
			   int i, bool counted)
{
	u32 at;

	rp_emit_cmp(e, d->reg, d->targets[i]);
	if (!counted && !d->dest_account[i]) {
		rp_emit_jcc32(e, RP_CC_E, d->dests[i]);
		return;
	}
	at = rp_put_jcc8(e, RP_CC_NE);
	if (counted) {
		rp_emit_ctr(e, d, true, RP_EXT_INC, RP_CTR_HIT(i));
		rp_emit_pop(e, d);
	}
	if (d->dest_account[i])
		rp_emit_account(e, d);
	rp_emit_rel32_insn(e, RP_OP_JMP32, d->dests[i]);
	rp_fix_jcc8(e, at);
	/* the jne lands here with the word pushed */
	if (counted)
		rp_range_open(e);
}

/* decl countdown; jg 1f; call sample_fn; 1: */
static void rp_emit_sample(struct rp_emit *e, const struct rp_stub_desc *d)
{
	u32 at;

	rp_emit_ctr(e, d, false, RP_EXT_DEC, RP_CTR_COUNTDOWN);
	at = rp_put_jcc8(e, RP_CC_G);
	if (d->sample_account)
		rp_emit_account(e, d);
	rp_emit_rel32_insn(e, RP_OP_CALL32, d->sample_fn);
	e->lay->sample_ret = e->len;
	rp_fix_jcc8(e, at);
}

static void rp_emit_stub(struct rp_emit *e, const struct rp_stub_desc *d)
{
	/* with hit counting the block pointer is set up once, first */
	bool early = d->count_hits && d->nr_targets;
	bool late = !early && (d->count_misses || d->sample);
	int i;

	e->lay->scratch = RP_REG_NONE;
	e->lay->nr_pushed = 0;
	e->lay->sample_ret = RP_STUB_NO_OFF;
	e->lay->indirect = RP_STUB_NO_OFF;

	if (early)
		rp_emit_block_ptr(e, d);
	for (i = 0; i < d->nr_targets; i++)
		rp_emit_target(e, d, i, early);

	if (late)
		rp_emit_block_ptr(e, d);
	if (d->count_misses)
		rp_emit_ctr(e, d, true, RP_EXT_INC, RP_CTR_MISSES);
	if (d->sample)
		rp_emit_sample(e, d);
	if (early || late)
		rp_emit_pop(e, d);

	rp_emit_slow(e, d);
	e->lay->len = e->len;
}

static int rp_check_desc(const struct rp_stub_desc *d)
{
	int i;

	if (!d || d->reg > RP_REG_MAX || d->reg == RP_REG_RSP)
		return -EINVAL;
	if (d->nr_targets > RELPOLINE_MAX_TARGETS)
		return -EINVAL;
	if (d->slow_kind != RP_SLOW_REL32 && d->slow_kind != RP_SLOW_INDIRECT)
		return -EINVAL;
	for (i = 0; i < d->nr_targets; i++) {
		if (!rp_imm32_ok(d->targets[i]))
			return -EINVAL;
	}
	return 0;
}

/**
 * rp_stub_size - compute the size of the stub described by @d
 * @d: stub description; only the fields that influence the layout are used
 *
 * The result does not depend on any branch destination.  It depends on
 * @d->stub_addr only with @d->its_safe and RP_SLOW_INDIRECT, and then only
 * on @d->stub_addr & 63: the ITS padding before the indirect jump is 0..32
 * bytes; RP_STUB_MAX_SIZE bounds every stub.
 *
 * Return: the exact number of bytes rp_encode_stub() emits for @d, or
 * -EINVAL if @d is invalid.
 */
int rp_stub_size(const struct rp_stub_desc *d)
{
	struct rp_stub_layout lay;
	struct rp_emit e = { .lay = &lay, .addr = d ? d->stub_addr : 0 };
	int ret;

	ret = rp_check_desc(d);
	if (ret)
		return ret;

	rp_emit_stub(&e, d);
	if (e.err == -EINVAL)
		return e.err;
	return e.len;
}

/**
 * rp_encode_stub - encode a promotion stub
 * @d:      stub description; the code is encoded to run at @d->stub_addr
 * @buf:    output buffer
 * @size:   size of @buf in bytes
 * @layout: if not NULL, receives the stub's length, the ranges in which it
 *	    has a word pushed and the offsets of its sample call's return
 *	    address and of its indirect jump (see struct rp_stub_layout)
 *
 * All rel32 distances are computed on the full 64-bit addresses without
 * wrap-around: a destination farther than +2GiB-1 / -2GiB from the end of
 * its branch instruction is rejected, and so is a stub that would wrap
 * around the top of the address space.  Nothing is written to @buf or
 * @layout unless the whole stub could be encoded.
 *
 * Return: the number of bytes written; -EINVAL if @d is invalid (bad
 * register, too many targets, a target that is not a sign-extended 32-bit
 * value, bad slow path kind); -ERANGE if a branch destination is out of
 * rel32 reach; -ENOSPC if @size is too small.  Errors are reported in that
 * order of precedence.
 */
int rp_encode_stub(const struct rp_stub_desc *d, u8 *buf, u32 size,
		   struct rp_stub_layout *layout)
{
	struct rp_stub_layout lay;
	struct rp_emit e = { .lay = &lay };
	int ret;

	ret = rp_check_desc(d);
	if (ret)
		return ret;

	/* dry run: validate every displacement before touching @buf */
	e.addr = d->stub_addr;
	rp_emit_stub(&e, d);
	if (e.err)
		return e.err;
	if (d->stub_addr + e.len < d->stub_addr)
		return -ERANGE;
	if (e.len > size || !buf)
		return -ENOSPC;

	e.buf = buf;
	e.len = 0;
	rp_emit_stub(&e, d);
	if (layout)
		*layout = lay;
	return e.len;
}

/**
 * rp_site_insn_len - length of the branch instruction at a call site
 * @form: kind of call site
 *
 * Return: 5 for RELPOLINE_FORM_CALL and RELPOLINE_FORM_JMP, 6 for
 * RELPOLINE_FORM_JCC, or -EINVAL for an unknown form.
 */
int rp_site_insn_len(enum relpoline_form form)
{
	switch (form) {
	case RELPOLINE_FORM_CALL:
		return RP_CALL_INSN_SIZE;
	case RELPOLINE_FORM_JMP:
		return RP_JMP_INSN_SIZE;
	case RELPOLINE_FORM_JCC:
		return RP_JCC_INSN_SIZE;
	}
	return -EINVAL;
}

/**
 * rp_encode_site - encode the direct branch that replaces a thunk call
 * @form:      RELPOLINE_FORM_CALL (E8 rel32), RELPOLINE_FORM_JMP
 *	       (E9 rel32) or RELPOLINE_FORM_JCC (0F 80+cc rel32)
 * @jcc_cc:    condition code (0..15) for RELPOLINE_FORM_JCC, ignored otherwise
 * @site_addr: address of the call site instruction
 * @dest:      branch destination (usually the stub)
 * @buf:       output, at least rp_site_insn_len(@form) bytes
 *
 * Nothing is written to @buf on error.
 *
 * Return: the instruction length; -EINVAL for a bad @form or @jcc_cc;
 * -ERANGE if @dest is out of rel32 reach (computed without wrap-around).
 */
int rp_encode_site(enum relpoline_form form, u8 jcc_cc, u64 site_addr,
		   u64 dest, u8 *buf)
{
	struct rp_emit e = { .buf = buf, .addr = site_addr };
	int len = rp_site_insn_len(form);
	u32 rel;

	if (len < 0)
		return len;
	if (form == RELPOLINE_FORM_JCC && jcc_cc > RP_CC_MAX)
		return -EINVAL;
	if (site_addr + len < site_addr ||
	    !rp_rel32(site_addr + len, dest, &rel))
		return -ERANGE;

	switch (form) {
	case RELPOLINE_FORM_CALL:
		rp_emit_rel32_insn(&e, RP_OP_CALL32, dest);
		break;
	case RELPOLINE_FORM_JMP:
		rp_emit_rel32_insn(&e, RP_OP_JMP32, dest);
		break;
	case RELPOLINE_FORM_JCC:
		rp_emit_jcc32(&e, jcc_cc, dest);
		break;
	}
	return e.err ? e.err : (int)e.len;
}
