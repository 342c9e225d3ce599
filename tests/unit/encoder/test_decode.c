// SPDX-License-Identifier: GPL-2.0
/*
 * Decode encoder output with the kernel's instruction decoder: the exact
 * instruction sequence the documented stub layout prescribes, and the
 * stack depth along every path of the stub against the pushed ranges of
 * struct rp_stub_layout.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rp_disasm.h"
#include "te.h"

struct exp_insn {
	enum rpd_kind kind;
	unsigned int len;
	int reg, cc, dest_idx;
	u64 imm, dest;
	s32 disp;
};

#define MAX_INSNS 96
#define MAX_STUB 512

/* push %scr; movabs $ctr_base, %scr */
static int exp_block_ptr(const struct rp_stub_desc *d, struct exp_insn *e,
			 int n)
{
	u8 scr = te_scratch(d->reg);

	e[n++] = (struct exp_insn){ .kind = RPD_PUSH, .len = 1, .reg = scr };
	e[n++] = (struct exp_insn){ .kind = RPD_MOVABS, .len = 10, .reg = scr,
				    .imm = d->ctr_base };
	return n;
}

/* sarq $5, %gs:call_depth */
static int exp_account(const struct rp_stub_desc *d, struct exp_insn *e,
		       int n)
{
	e[n++] = (struct exp_insn){ .kind = RPD_SAR_GS, .len = 10, .imm = 5,
				    .disp = d->call_depth };
	return n;
}

static int exp_target(const struct rp_stub_desc *d, struct exp_insn *e,
		      int n, int i, bool early)
{
	bool acct = d->dest_account[i];
	u8 scr = te_scratch(d->reg);
	int jne;

	e[n++] = (struct exp_insn){ .kind = RPD_CMP_IMM,
				    .len = d->reg ? 7 : 6, .reg = d->reg,
				    .imm = d->targets[i] };
	if (!early && !acct) {
		e[n++] = (struct exp_insn){ .kind = RPD_JCC32, .len = 6,
					    .cc = 4, .dest = d->dests[i] };
		return n;
	}
	jne = n++;
	if (early) {
		e[n++] = (struct exp_insn){ .kind = RPD_INC_GS64, .len = 5,
					    .reg = scr, .disp = RP_CTR_HIT(i) };
		e[n++] = (struct exp_insn){ .kind = RPD_POP, .len = 1,
					    .reg = scr };
	}
	if (acct)
		n = exp_account(d, e, n);
	e[n++] = (struct exp_insn){ .kind = RPD_JMP32, .len = 5,
				    .dest = d->dests[i] };
	e[jne] = (struct exp_insn){ .kind = RPD_JCC8, .len = 2, .cc = 5,
				    .dest_idx = n };
	return n;
}

/*
 * ITS: the fewest bytes of padding that put the last byte of the jmp
 * (cpu_wants_indirect_its_thunk_at(): its start + 1 + reg / 8) at 32..63
 * mod 64, in NOPs of at most 11 bytes
 */
static int exp_its_pad(const struct rp_stub_desc *d, struct exp_insn *e,
		       int n)
{
	u64 at = d->stub_addr, last;
	unsigned int pad = 0, len;
	int i;

	for (i = 0; i < n; i++)
		at += e[i].len;
	last = at + (d->slow_lfence ? 3 : 0) + 1 + d->reg / 8;
	while (!((last + pad) & 0x20))
		pad++;
	for (; pad; pad -= len) {
		len = pad > 11 ? 11 : pad;
		e[n++] = (struct exp_insn){ .kind = RPD_NOP, .len = len };
	}
	return n;
}

static int exp_slow(const struct rp_stub_desc *d, struct exp_insn *e, int n)
{
	if (d->slow_kind == RP_SLOW_REL32) {
		e[n++] = (struct exp_insn){ .kind = RPD_JMP32, .len = 5,
					    .dest = d->slow_target };
		return n;
	}
	if (d->its_safe)
		n = exp_its_pad(d, e, n);
	if (d->slow_lfence)
		e[n++] = (struct exp_insn){ .kind = RPD_LFENCE, .len = 3 };
	e[n++] = (struct exp_insn){ .kind = RPD_JMP_REG,
				    .len = d->reg & 8 ? 3 : 2, .reg = d->reg };
	e[n++] = (struct exp_insn){ .kind = RPD_INT3, .len = 1 };
	return n;
}

/* The instruction sequence the documented stub layout prescribes */
static int expected_stub(const struct rp_stub_desc *d, struct exp_insn *e)
{
	bool early = d->count_hits && d->nr_targets;
	bool late = !early && (d->count_misses || d->sample);
	u8 scr = te_scratch(d->reg);
	int n = 0, i;

	memset(e, 0, sizeof(*e) * MAX_INSNS);
	if (early)
		n = exp_block_ptr(d, e, n);
	for (i = 0; i < d->nr_targets; i++)
		n = exp_target(d, e, n, i, early);
	if (late)
		n = exp_block_ptr(d, e, n);
	if (d->count_misses)
		e[n++] = (struct exp_insn){ .kind = RPD_INC_GS64, .len = 4,
					    .reg = scr, .disp = RP_CTR_MISSES };
	if (d->sample) {
		e[n++] = (struct exp_insn){ .kind = RPD_DEC_GS32, .len = 4,
					    .reg = scr,
					    .disp = RP_CTR_COUNTDOWN };
		/* jg: sample while the countdown is zero or below */
		e[n] = (struct exp_insn){ .kind = RPD_JCC8, .len = 2, .cc = 0xf,
					  .dest_idx = n + 2 + d->sample_account };
		n++;
		if (d->sample_account)
			n = exp_account(d, e, n);
		e[n++] = (struct exp_insn){ .kind = RPD_CALL32, .len = 5,
					    .dest = d->sample_fn };
	}
	if (early || late)
		e[n++] = (struct exp_insn){ .kind = RPD_POP, .len = 1,
					    .reg = scr };
	return exp_slow(d, e, n);
}

/* One decoded instruction against its expectation */
static void check_insn(const struct rpd_insn *got, const struct exp_insn *e,
		       int i, const char *ctx)
{
	switch (got->kind) {
	case RPD_CMP_IMM:
	case RPD_MOVABS:
		EXPECT(got->reg == e->reg && got->imm == e->imm,
		       "%s: insn %d: %s $%#" PRIx64 ", %%%s", ctx, i,
		       rpd_kind_name(got->kind), got->imm, reg_names[got->reg]);
		break;
	case RPD_JCC32:
	case RPD_JMP32:
	case RPD_CALL32:
		EXPECT(got->dest == e->dest, "%s: insn %d: %s to %#" PRIx64
		       " expected %#" PRIx64, ctx, i, rpd_kind_name(got->kind),
		       got->dest, e->dest);
		EXPECT(got->kind != RPD_JCC32 || got->cc == e->cc,
		       "%s: insn %d: cc %d", ctx, i, got->cc);
		break;
	case RPD_JCC8:
		EXPECT(got->cc == e->cc, "%s: insn %d: cc %d", ctx, i, got->cc);
		break;
	case RPD_INC_GS64:
	case RPD_DEC_GS32:
		EXPECT(got->reg == e->reg && got->disp == e->disp,
		       "%s: insn %d: %s %d(%%%s) expected %d(%%%s)", ctx, i,
		       rpd_kind_name(got->kind), got->disp, reg_names[got->reg],
		       e->disp, reg_names[e->reg]);
		break;
	case RPD_SAR_GS:
		EXPECT(got->disp == e->disp && got->imm == e->imm,
		       "%s: insn %d: sarq $%" PRIu64 ", %%gs:%d", ctx, i,
		       got->imm, got->disp);
		break;
	case RPD_PUSH:
	case RPD_POP:
	case RPD_JMP_REG:
		EXPECT(got->reg == e->reg, "%s: insn %d: %s %%%s", ctx, i,
		       rpd_kind_name(got->kind), reg_names[got->reg]);
		break;
	default:
		break;
	}
}

/* A decoded stub: every instruction and where it starts */
struct dstub {
	int n;
	u32 off[MAX_INSNS + 1];
	struct rpd_insn in[MAX_INSNS];
};

static void decode_all(const u8 *buf, int size, u64 addr, struct dstub *s,
		       const char *ctx)
{
	u32 off = 0;

	s->n = 0;
	while ((int)off < size) {
		unsigned int len;

		EXPECT(s->n < MAX_INSNS, "%s: too many instructions", ctx);
		len = rpd_decode(buf + off, size - off, addr + off,
				 &s->in[s->n]);
		EXPECT(len, "%s: undecodable bytes at +%u", ctx, off);
		s->off[s->n++] = off;
		off += len;
	}
	s->off[s->n] = off;
}

/* Encode @d, decode the result and compare with expected_stub() */
static void check_sequence(const struct rp_stub_desc *d, const u8 *buf,
			   const struct dstub *s, const char *ctx)
{
	struct exp_insn e[MAX_INSNS];
	int nexp, i, k;

	(void)buf;
	nexp = expected_stub(d, e);
	EXPECT(s->n == nexp, "%s: %d instructions, expected %d", ctx, s->n,
	       nexp);
	for (i = 0; i < nexp; i++) {
		const struct rpd_insn *got = &s->in[i];

		EXPECT(got->kind == e[i].kind && got->len == e[i].len,
		       "%s: insn %d at +%u is %s (%u bytes), expected %s (%u)",
		       ctx, i, s->off[i], rpd_kind_name(got->kind), got->len,
		       rpd_kind_name(e[i].kind), e[i].len);
		check_insn(got, &e[i], i, ctx);
		if (got->kind != RPD_JCC8)
			continue;
		k = e[i].dest_idx;
		EXPECT(got->dest == d->stub_addr + s->off[k],
		       "%s: insn %d: rel8 to %#" PRIx64 " expected insn %d",
		       ctx, i, got->dest, k);
	}
}

/* Index of the instruction starting at stub offset @off, or -1 */
static int insn_at(const struct dstub *s, u64 off)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->off[i] == off)
			return i;
	return -1;
}

struct walk {
	int depth[MAX_INSNS];	/* words pushed at the insn's start; -1 */
	int work[MAX_INSNS * 2], nw;
	int call;		/* index of the CALL32, or -1 */
};

static void reach(struct walk *w, int j, int depth, const char *ctx)
{
	if (w->depth[j] < 0) {
		w->depth[j] = depth;
		w->work[w->nw++] = j;
		return;
	}
	EXPECT(w->depth[j] == depth, "%s: insn %d reached with %d and %d "
	       "words pushed", ctx, j, w->depth[j], depth);
}

/* One step of the walk from instruction @i */
static void walk_insn(const struct rp_stub_desc *d, const struct dstub *s,
		      struct walk *w, int i, const char *ctx)
{
	const struct rpd_insn *in = &s->in[i];
	int dep = w->depth[i], next = dep;
	bool fall = true, branch = false;
	u64 end = d->stub_addr + s->off[s->n];

	switch (in->kind) {
	case RPD_PUSH:
		next = dep + 1;
		break;
	case RPD_POP:
		next = dep - 1;
		break;
	case RPD_JMP32:
		fall = false;
		branch = true;
		break;
	case RPD_JCC8:
	case RPD_JCC32:
		branch = true;
		break;
	case RPD_CALL32:	/* out and back, with the word pushed */
		w->call = i;
		EXPECT(in->dest < d->stub_addr || in->dest >= end,
		       "%s: call into the stub", ctx);
		break;
	case RPD_JMP_REG:
		fall = false;
		EXPECT(dep == 0, "%s: jmp *%%reg with %d words pushed", ctx,
		       dep);
		break;
	case RPD_INT3:
		EXPECT(0, "%s: int3 at +%u is reached", ctx, s->off[i]);
		break;
	default:
		break;
	}
	EXPECT(next >= 0 && next <= 1, "%s: insn %d: %d words pushed", ctx,
	       i, next);
	if (branch && in->dest >= d->stub_addr && in->dest < end) {
		int j = insn_at(s, in->dest - d->stub_addr);

		EXPECT(j >= 0, "%s: insn %d branches into an instruction", ctx,
		       i);
		reach(w, j, next, ctx);
	} else if (branch) {
		EXPECT(next == 0, "%s: insn %d leaves the stub with %d words "
		       "pushed", ctx, i, next);
	}
	if (fall) {
		EXPECT(i + 1 < s->n, "%s: falls off the end", ctx);
		reach(w, i + 1, next, ctx);
	}
}

/* The layout's ranges cover exactly the bytes of depth-1 instructions */
static void check_ranges(const struct dstub *s, const struct walk *w,
			 const struct rp_stub_layout *l, const char *ctx)
{
	int i, r;
	u32 b;

	EXPECT(l->nr_pushed <= RP_STUB_MAX_PUSHED, "%s: %u ranges", ctx,
	       l->nr_pushed);
	for (r = 0; r < l->nr_pushed; r++) {
		EXPECT(l->pushed[r].start < l->pushed[r].end &&
		       l->pushed[r].end <= s->off[s->n] &&
		       (r == 0 || l->pushed[r - 1].end <= l->pushed[r].start),
		       "%s: range %d [%u, %u) empty, out of order or outside",
		       ctx, r, l->pushed[r].start, l->pushed[r].end);
	}
	for (i = 0; i < s->n; i++) {
		bool want = w->depth[i] == 1;

		for (b = s->off[i]; b < s->off[i + 1]; b++)
			EXPECT(te_in_pushed(l, b) == want,
			       "%s: byte +%u (insn %d, %s) %s a pushed range", ctx,
			       b, i, rpd_kind_name(s->in[i].kind),
			       want ? "outside" : "inside");
	}
}

/*
 * Follow every path from the entry with the number of words the stub has
 * pushed: it is the same on every path to an instruction, stays 0..1 and
 * is 0 wherever the stub is left; every instruction but the int3 after a
 * jump is reached.  The layout must say exactly that.
 */
static void check_depth(const struct rp_stub_desc *d, const struct dstub *s,
			const struct rp_stub_layout *l, const char *ctx)
{
	struct walk w;
	bool pushes = false;
	int i;

	for (i = 0; i < MAX_INSNS; i++)
		w.depth[i] = -1;
	w.nw = 0;
	w.call = -1;
	reach(&w, 0, 0, ctx);
	while (w.nw)
		walk_insn(d, s, &w, w.work[--w.nw], ctx);
	for (i = 0; i < s->n; i++) {
		EXPECT(w.depth[i] >= 0 || s->in[i].kind == RPD_INT3,
		       "%s: insn %d (%s) is never reached", ctx, i,
		       rpd_kind_name(s->in[i].kind));
		if (s->in[i].kind == RPD_PUSH || s->in[i].kind == RPD_POP) {
			pushes = true;
			EXPECT(s->in[i].reg == l->scratch, "%s: push/pop %%%s, "
			       "layout scratch %u", ctx,
			       reg_names[s->in[i].reg], l->scratch);
		}
		if (s->in[i].kind == RPD_JMP_REG)
			EXPECT(l->indirect == s->off[i], "%s: indirect at +%u,"
			       " layout %u", ctx, s->off[i], l->indirect);
	}
	check_ranges(s, &w, l, ctx);
	EXPECT(l->len == s->off[s->n], "%s: layout len %u", ctx, l->len);
	EXPECT(pushes || l->scratch == RP_REG_NONE, "%s: scratch %u but no "
	       "push", ctx, l->scratch);
	EXPECT(pushes == (l->nr_pushed > 0), "%s: pushes, no ranges", ctx);
	EXPECT(d->slow_kind == RP_SLOW_INDIRECT ||
	       l->indirect == RP_STUB_NO_OFF, "%s: indirect %u", ctx,
	       l->indirect);
	if (w.call < 0) {
		EXPECT(l->sample_ret == RP_STUB_NO_OFF, "%s: sample_ret %u",
		       ctx, l->sample_ret);
		return;
	}
	/* the return address of the sample call is inside a range */
	EXPECT(l->sample_ret == s->off[w.call + 1] && w.depth[w.call] == 1 &&
	       te_in_pushed(l, l->sample_ret),
	       "%s: sample call ends at +%u with %d pushed; layout %u", ctx,
	       s->off[w.call + 1], w.depth[w.call], l->sample_ret);
}

/* Encode @d; check its bytes, sequence, size and layout */
static void check_stub(const struct rp_stub_desc *d, const char *ctx)
{
	u8 buf[MAX_STUB + 32];
	struct rp_stub_layout l;
	struct dstub s;
	int size, n, i;

	size = rp_stub_size(d);
	EXPECT(size > 0 && size <= MAX_STUB, "%s: size %d", ctx, size);
	memset(buf, 0xa5, sizeof(buf));
	memset(&l, 0x5a, sizeof(l));
	n = rp_encode_stub(d, buf, (u32)size, &l);
	EXPECT(n == size, "%s: encode %d, size %d", ctx, n, size);
	for (i = size; i < (int)sizeof(buf); i++)
		EXPECT(buf[i] == 0xa5, "%s: wrote past the end", ctx);
	decode_all(buf, size, d->stub_addr, &s, ctx);
	check_sequence(d, buf, &s, ctx);
	check_depth(d, &s, &l, ctx);
}

/* Address sets: kernel-like (module stub -> kernel text) and low */
struct addr_set {
	u64 stub, targets[RELPOLINE_MAX_TARGETS], sample_fn, slow, ctr_base;
	s32 call_depth;
};

static const struct addr_set addr_sets[] = {
	{ 0xffffffffc0a01040ULL,
	  { 0xffffffff81234560ULL, 0xffffffffc0a00000ULL,
	    0xffffffffc0b00010ULL, 0xffffffff80000000ULL },
	  0xffffffff81100000ULL, 0xffffffff82e03000ULL,
	  0x00003ee7bfc01230ULL, 0x2c238 },
	{ 0x1000ULL,
	  { 0x7fff0000ULL, 0x10ULL, 0x40001000ULL, 0x1000ULL },
	  0x2000ULL, 0x7ffff000ULL, 0xfedcba9876543210ULL, -0x10 },
};

/*
 * Call depth accounting: none; inline for every target and the sample
 * call; call thunks (dests 16 bytes before the targets, as
 * callthunks_translate_call_dest() returns them); mixed.
 */
static void set_acct(struct rp_stub_desc *d, const struct addr_set *a,
		     unsigned int acct)
{
	int i;

	d->call_depth = a->call_depth;
	d->sample_account = acct == 1 || acct == 3;
	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++) {
		bool thunk = acct == 2 || (acct == 3 && (i & 1));

		d->dests[i] = a->targets[i] - (thunk ? 16 : 0);
		d->dest_account[i] = acct && !thunk;
	}
}

/* opts: bit 0 count_hits, 1 count_misses, 2 sample; mode: slow path */
static void decode_desc(struct rp_stub_desc *d, const struct addr_set *a,
			u8 reg, int nr, int opts, int mode, int acct)
{
	memset(d, 0, sizeof(*d));
	d->stub_addr = a->stub;
	d->reg = reg;
	d->nr_targets = (u8)nr;
	memcpy(d->targets, a->targets, sizeof(d->targets));
	d->count_hits = opts & 1;
	d->count_misses = opts & 2;
	d->sample = opts & 4;
	d->sample_fn = a->sample_fn;
	d->ctr_base = a->ctr_base;
	d->slow_kind = mode ? RP_SLOW_INDIRECT : RP_SLOW_REL32;
	d->slow_target = a->slow;
	d->slow_lfence = mode == 2;
	set_acct(d, a, acct);
}

/*
 * Every number of targets, option set (in steps of @opts_step), slow path
 * and accounting case (< @nr_acct) of address set @set, with the stub
 * @off bytes further and its_safe as @its: @check each
 */
static void decode_loop(u8 reg, int set, int off, int opts_step, int nr_acct,
			bool its, void (*check)(struct rp_stub_desc *,
						const char *))
{
	struct rp_stub_desc d;
	char ctx[160];
	int nr, opts, mode, acct;

	for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++)
		for (opts = 0; opts < 8; opts += opts_step)
			for (mode = 0; mode < 3; mode++)
				for (acct = 0; acct < nr_acct; acct++) {
					decode_desc(&d, &addr_sets[set], reg,
						    nr, opts, mode, acct);
					d.stub_addr += off;
					d.its_safe = its;
					snprintf(ctx, sizeof(ctx),
						 "reg=%s set=%d +%d its=%d nr=%d opts=%d mode=%d acct=%d",
						 reg_names[reg], set, off, its,
						 nr, opts, mode, acct);
					check(&d, ctx);
				}
}

static void check_stub_any(struct rp_stub_desc *d, const char *ctx)
{
	check_stub(d, ctx);
}

START_TEST(decode_stub_all)
{
	decode_loop(valid_regs[_i], 0, 0, 1, 4, false, check_stub_any);
	decode_loop(valid_regs[_i], 1, 0, 1, 4, false, check_stub_any);
}
END_TEST
START_TEST(decode_site_all)
{
	static const struct { u64 site, dest; } pairs[] = {
		{ 0xffffffff81000000ULL, 0xffffffffc0001000ULL },
		{ 0xffffffffc0001000ULL, 0xffffffff81000000ULL },
		{ 0x1000ULL, 0x1000ULL },
		{ 0x400000ULL, 0x400000ULL + 0x7fffffffULL },	/* + len */
		{ 0x90000000ULL, 0x90000000ULL - 0x80000000ULL }, /* + len */
	};
	u8 buf[16];
	unsigned int p, form, cc;

	for (p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		for (form = RELPOLINE_FORM_CALL; form <= RELPOLINE_FORM_JCC; form++) {
			for (cc = 0; cc <= 15; cc++) {
				struct rpd_insn in;
				int len = rp_site_insn_len(form);
				u64 dest = pairs[p].dest;
				int n;

				/* the boundary pairs are relative to the end */
				if (p >= 3)
					dest += len;
				memset(buf, 0xa5, sizeof(buf));
				n = rp_encode_site(form, (u8)cc, pairs[p].site,
						   dest, buf);
				ck_assert_int_eq(n, len);
				ck_assert_uint_eq(buf[n], 0xa5);
				ck_assert_uint_eq(rpd_decode(buf, n,
							     pairs[p].site,
							     &in), n);
				ck_assert_uint_eq(in.dest, dest);
				switch (form) {
				case RELPOLINE_FORM_CALL:
					ck_assert_int_eq(in.kind, RPD_CALL32);
					break;
				case RELPOLINE_FORM_JMP:
					ck_assert_int_eq(in.kind, RPD_JMP32);
					break;
				default:
					ck_assert_int_eq(in.kind, RPD_JCC32);
					ck_assert_int_eq(in.cc, cc);
					break;
				}
				if (form != RELPOLINE_FORM_JCC && cc)
					break;	/* cc is ignored */
			}
		}
	}
	ck_assert_int_eq(rp_site_insn_len(RELPOLINE_FORM_CALL), 5);
	ck_assert_int_eq(rp_site_insn_len(RELPOLINE_FORM_JMP), 5);
	ck_assert_int_eq(rp_site_insn_len(RELPOLINE_FORM_JCC), 6);
	ck_assert_int_eq(rp_site_insn_len((enum relpoline_form)3), -EINVAL);
}
END_TEST

/*
 * The ITS rule at every stub address mod 64: the jmp's last byte in the
 * upper half of its line, after the fewest NOP bytes; the size follows
 * the address; a rel32 slow path ignores its_safe.
 */
static void check_its(struct rp_stub_desc *d, const char *ctx)
{
	u8 buf[MAX_STUB], ref[MAX_STUB];
	struct rp_stub_layout l;
	u64 last;
	int n, nref, pad;

	check_stub(d, ctx);
	n = rp_encode_stub(d, buf, sizeof(buf), &l);
	d->its_safe = false;
	nref = rp_encode_stub(d, ref, sizeof(ref), NULL);
	d->its_safe = true;
	EXPECT(n == rp_stub_size(d) && nref > 0, "%s: size", ctx);
	if (d->slow_kind == RP_SLOW_REL32) {
		EXPECT(n == nref && !memcmp(buf, ref, n), "%s: its_safe "
		       "changed a rel32 stub", ctx);
		return;
	}
	pad = n - nref;
	last = d->stub_addr + l.indirect + 1 + d->reg / 8;
	EXPECT(pad >= 0 && pad <= 32 && (last & 0x20), "%s: jmp *%%reg ends "
	       "at %#" PRIx64 " (line offset %u) after %d bytes of padding",
	       ctx, last, (unsigned int)(last & 63), pad);
	while (pad--)
		EXPECT(!(--last & 0x20), "%s: less padding would do", ctx);
}

START_TEST(decode_its_all)
{
	int off;

	for (off = 0; off < 64; off++)
		decode_loop(valid_regs[_i], 0, off, 7, 2, true, check_its);
}
END_TEST

TCase *te_decode_tcase(void)
{
	TCase *tc = tcase_create("decode");

	tcase_add_loop_test(tc, decode_stub_all, 0, NR_VALID_REGS);
	tcase_add_loop_test(tc, decode_its_all, 0, NR_VALID_REGS);
	tcase_add_test(tc, decode_site_all);
	return tc;
}
