// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for arch/x86/kernel/relpoline_encode.c.
 *
 * - "decode": every stub/site encoding is decoded with the kernel's own x86
 *   instruction decoder (built from the pristine kernel tree) and compared
 *   with the instruction sequence the stub layout prescribes.
 * - "errors": -EINVAL / -ERANGE / -ENOSPC, buffer left untouched.
 * - "exec": stubs and sites are executed natively from a low (< 2 GiB) RWX
 *   area.  Targets are generated recorder functions that store every GPR,
 *   [rsp] and the stack below %rsp; %gs points into the low area
 *   (arch_prctl(ARCH_SET_GS)) so that hit/miss counters and the sampling
 *   countdown execute for real.
 *
 * The shim (rp_user_shim.h) is force-included by the Makefile.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <asm/relpoline_encode.h>

#include "rp_disasm.h"
#include "rp_lowmap.h"

/*
 * Check's ck_assert*() macros record a checkpoint (a write to the parent
 * process) on every success, which is far too slow for the hot loops here;
 * EXPECT() only reports failures.
 */
#define EXPECT(expr, ...)					\
	do {							\
		if (!(expr))					\
			ck_abort_msg(__VA_ARGS__);		\
	} while (0)

/* ---- harness.S ---- */
extern u64 rp_h_in[16], rp_h_out[16], rp_h_entry, rp_h_flags, rp_h_rsp;
extern void rp_run(void);
extern const char rp_run_ret[];
#define RP_CANARY 0x5afe5afe00000000ULL

#define NREGS 16
#define RSP 4
#define R11 11

static const u8 valid_regs[] = {
	0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};
#define NR_VALID_REGS ((int)(sizeof(valid_regs) / sizeof(valid_regs[0])))

static const char *const reg_names[NREGS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static const char *const form_names[] = { "call", "jmp", "jcc" };

/* ---------------------------------------------------------------------- */
/* Low executable area                                                     */
/* ---------------------------------------------------------------------- */

#define LOW_WANT	0x20000000UL
#define LOW_SIZE	0x10000UL
#define REC_OFF		0x0000	/* 16 records of REC_STRIDE bytes */
#define REC_STRIDE	0x100
#define GS_AREA_OFF	0x1000	/* %gs area: 0x1000..0x2fff */
#define GS_AREA_SIZE	0x2000
#define GS_BASE_OFF	0x2000	/* %gs base; disp -0x1000..0xfff valid */
#define CODE_LO_OFF	0x4000	/* recorders with even id (below stub) */
#define STUB_OFF	0x8000
#define SITE_OFF	0x9000
#define CODE_HI_OFF	0xa000	/* recorders with odd id (above stub) */
#define CODE_STRIDE	0x200

/* recorder ids */
enum { T0, T1, T2, T3, OTHER, SLOW, SLOWRET, SAMPLE, NR_IDS };

struct rec {
	u64 regs[NREGS];	/* GPRs at entry, [RSP] is %rsp */
	u64 ret;		/* [rsp] at entry */
	u64 below[8];		/* below[k - 1] = [rsp - 8 * k] */
	u64 hits;		/* number of entries */
};

_Static_assert(sizeof(struct rec) <= REC_STRIDE, "record too large");
_Static_assert(NR_IDS * REC_STRIDE <= GS_AREA_OFF, "records overlap");

static u8 *low;

static u64 la(u32 off)
{
	return (u64)(uintptr_t)(low + off);
}

static struct rec *rec(int id)
{
	return (struct rec *)(low + REC_OFF + id * REC_STRIDE);
}

static u64 code_addr(int id)
{
	return (id & 1) ? la(CODE_HI_OFF + id * CODE_STRIDE) :
			  la(CODE_LO_OFF + id * CODE_STRIDE);
}

static u8 *gs_area(void)
{
	return low + GS_AREA_OFF;
}

static u8 *put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

/*
 * Emit a recorder at code_addr(id): store all GPRs, [rsp] and 8 qwords
 * below %rsp into rec(id) using absolute disp32 addressing, count the hit,
 * restore %rax and either "ret" (tail_reg < 0) or "jmp *%tail_reg" (like a
 * retpoline thunk).  Preserves every register except the flags.  This is
 * hand-encoded independently of the encoder under test.
 */
static void emit_recorder(int id, int tail_reg)
{
	u8 *p = (u8 *)(uintptr_t)code_addr(id);
	u32 r = (u32)(uintptr_t)rec(id);
	int reg, k;

	for (reg = 0; reg < NREGS; reg++) {	/* mov %reg, r + 8*reg */
		*p++ = 0x48 | ((reg & 8) ? 0x04 : 0);
		*p++ = 0x89;
		*p++ = 0x04 | ((reg & 7) << 3);
		*p++ = 0x25;
		p = put32(p, r + 8 * reg);
	}
	/* mov (%rsp), %rax; mov %rax, ret */
	*p++ = 0x48; *p++ = 0x8b; *p++ = 0x04; *p++ = 0x24;
	*p++ = 0x48; *p++ = 0x89; *p++ = 0x04; *p++ = 0x25;
	p = put32(p, r + offsetof(struct rec, ret));
	for (k = 1; k <= 8; k++) {
		/* mov -8k(%rsp), %rax; mov %rax, below[k - 1] */
		*p++ = 0x48; *p++ = 0x8b; *p++ = 0x44; *p++ = 0x24;
		*p++ = (u8)(-8 * k);
		*p++ = 0x48; *p++ = 0x89; *p++ = 0x04; *p++ = 0x25;
		p = put32(p, r + offsetof(struct rec, below) + 8 * (k - 1));
	}
	/* incq hits */
	*p++ = 0x48; *p++ = 0xff; *p++ = 0x04; *p++ = 0x25;
	p = put32(p, r + offsetof(struct rec, hits));
	/* mov regs[0], %rax */
	*p++ = 0x48; *p++ = 0x8b; *p++ = 0x04; *p++ = 0x25;
	p = put32(p, r);
	if (tail_reg < 0) {
		*p++ = 0xc3;
	} else {
		if (tail_reg & 8)
			*p++ = 0x41;
		*p++ = 0xff;
		*p++ = 0xe0 | (tail_reg & 7);
	}
	ck_assert_int_le(p - (u8 *)(uintptr_t)code_addr(id), CODE_STRIDE);
}

static void exec_setup(void)
{
	void *p;
	long ret;

	p = rp_map_low_rwx(LOW_WANT, LOW_SIZE);	/* int3 everywhere */
	EXPECT(p, "cannot map the low RWX area below 2 GiB: %s", strerror(errno));
	low = p;
	memset(low + REC_OFF, 0, GS_AREA_OFF + GS_AREA_SIZE);
	ret = syscall(SYS_arch_prctl, ARCH_SET_GS,
		      (unsigned long)(uintptr_t)(low + GS_BASE_OFF));
	EXPECT(ret == 0, "arch_prctl(ARCH_SET_GS) failed");
}

static void exec_teardown(void)
{
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
	munmap(low, LOW_SIZE);
	low = NULL;
}

/* ---------------------------------------------------------------------- */
/* Running                                                                 */
/* ---------------------------------------------------------------------- */

static void set_inputs(int reg, u64 val)
{
	int r;

	for (r = 0; r < NREGS; r++)
		rp_h_in[r] = 0x3c00000000000000ULL | ((u64)r << 48) |
			     (0x01010101ULL * (u64)(r + 1));
	rp_h_in[RSP] = 0;
	rp_h_in[reg] = val;
}

static void clear_recs(void)
{
	memset(low + REC_OFF, 0, NR_IDS * REC_STRIDE);
}

/* RFLAGS: bit 1 is reserved (1), IF is ignored by popf at CPL 3 */
#define FL_BASE	0x202ULL
#define FL_CF	0x001ULL
#define FL_PF	0x004ULL
#define FL_ZF	0x040ULL
#define FL_SF	0x080ULL
#define FL_OF	0x800ULL

static void run(u64 entry, u64 flags)
{
	clear_recs();
	memset(rp_h_out, 0, sizeof(rp_h_out));
	rp_h_entry = entry;
	rp_h_flags = flags;
	rp_run();
}

/* %rsp at entry of the function reached through a site of @form */
static u64 entry_rsp(enum relpoline_form form)
{
	return rp_h_rsp - (form == RELPOLINE_FORM_CALL ? 16 : 8);
}

/* Return address a function reached through a site of @form must see */
static u64 entry_ret(enum relpoline_form form)
{
	return form == RELPOLINE_FORM_CALL ? la(SITE_OFF) + 5 :
				      (u64)(uintptr_t)rp_run_ret;
}

/*
 * Check that recorder @id ran exactly once, with all GPRs as loaded by the
 * harness, %rsp == @exp_rsp, [rsp] == @exp_ret and untouched stack below
 * %rsp except [rsp - 8] == @below1 if @below1 != 0.
 */
static void check_rec(int id, u64 exp_rsp, u64 exp_ret, u64 below1,
		      const char *ctx)
{
	struct rec *r = rec(id);
	int reg, k;

	EXPECT(r->hits == 1, "%s: recorder %d hit %" PRIu64 " times",
		      ctx, id, r->hits);
	for (reg = 0; reg < NREGS; reg++) {
		if (reg == RSP)
			continue;
		EXPECT(r->regs[reg] == rp_h_in[reg],
			      "%s: id %d: %%%s = %#" PRIx64 " expected %#"
			      PRIx64, ctx, id, reg_names[reg], r->regs[reg],
			      rp_h_in[reg]);
	}
	EXPECT(r->regs[RSP] == exp_rsp,
		      "%s: id %d: %%rsp = %#" PRIx64 " expected %#" PRIx64,
		      ctx, id, r->regs[RSP], exp_rsp);
	EXPECT(r->ret == exp_ret,
		      "%s: id %d: [rsp] = %#" PRIx64 " expected %#" PRIx64,
		      ctx, id, r->ret, exp_ret);
	for (k = 1; k <= 8; k++) {
		u64 slot = (rp_h_rsp - (exp_rsp - 8 * k)) / 8;
		u64 want = RP_CANARY + slot;

		if (k == 1 && below1)
			want = below1;
		EXPECT(r->below[k - 1] == want,
			      "%s: id %d: [rsp-%d] = %#" PRIx64 " expected %#"
			      PRIx64 " (stack written)", ctx, id, 8 * k,
			      r->below[k - 1], want);
	}
}

/* Recorders other than those in @mask must not have run */
static void check_only(unsigned int mask, const char *ctx)
{
	int id;

	for (id = 0; id < NR_IDS; id++) {
		if (mask & (1U << id))
			continue;
		EXPECT(rec(id)->hits == 0, "%s: recorder %d ran", ctx,
			      id);
	}
}

/* After the return to the harness: everything preserved */
static void check_after(const char *ctx)
{
	int reg;

	for (reg = 0; reg < NREGS; reg++) {
		if (reg == RSP)
			continue;
		EXPECT(rp_h_out[reg] == rp_h_in[reg],
			      "%s: after return %%%s = %#" PRIx64
			      " expected %#" PRIx64, ctx, reg_names[reg],
			      rp_h_out[reg], rp_h_in[reg]);
	}
	EXPECT(rp_h_out[RSP] == rp_h_rsp, "%s: %%rsp not restored",
		      ctx);
}

/* Encode @d at STUB_OFF and a @form site at SITE_OFF branching to it */
static void install(struct rp_stub_desc *d, enum relpoline_form form, u8 cc)
{
	u8 *stub = low + STUB_OFF, *site = low + SITE_OFF;
	int n, size;

	d->stub_addr = la(STUB_OFF);
	memset(stub, 0xcc, SITE_OFF - STUB_OFF);
	size = rp_stub_size(d);
	ck_assert_int_gt(size, 0);
	n = rp_encode_stub(d, stub, SITE_OFF - STUB_OFF);
	ck_assert_int_eq(n, size);

	memset(site, 0xcc, 16);
	n = rp_encode_site(form, cc, la(SITE_OFF), la(STUB_OFF), site);
	ck_assert_int_eq(n, rp_site_insn_len(form));
	if (form != RELPOLINE_FORM_JMP)
		site[n] = 0xc3;		/* ret (after call / not-taken jcc) */
}

static void lean_desc(struct rp_stub_desc *d, u8 reg, int nr)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->reg = reg;
	d->nr_targets = (u8)nr;
	for (i = 0; i < nr; i++)
		d->targets[i] = code_addr(T0 + i);
	d->slow_kind = RP_SLOW_REL32;
	d->slow_target = code_addr(SLOW);
}

/* Flags for which a je site is taken */
#define FL_TAKEN (FL_BASE | FL_ZF)

/* ---------------------------------------------------------------------- */
/* exec tests                                                              */
/* ---------------------------------------------------------------------- */

START_TEST(exec_hit)
{
	u8 reg = valid_regs[_i];
	struct rp_stub_desc d;
	char ctx[128];
	int form, nr, slot, id;

	for (id = T0; id <= T3; id++)
		emit_recorder(id, -1);
	emit_recorder(SLOW, reg);
	emit_recorder(OTHER, -1);

	for (form = RELPOLINE_FORM_CALL; form <= RELPOLINE_FORM_JCC; form++) {
		for (nr = 1; nr <= RELPOLINE_MAX_TARGETS; nr++) {
			lean_desc(&d, reg, nr);
			install(&d, form, 0x4);	/* je for the jcc form */
			for (slot = 0; slot < nr; slot++) {
				snprintf(ctx, sizeof(ctx),
					 "hit reg=%s form=%s nr=%d slot=%d",
					 reg_names[reg], form_names[form], nr,
					 slot);
				set_inputs(reg, d.targets[slot]);
				run(la(SITE_OFF), FL_TAKEN);
				check_rec(T0 + slot, entry_rsp(form),
					  entry_ret(form), 0, ctx);
				check_only(1U << (T0 + slot), ctx);
				check_after(ctx);
			}
			if (form != RELPOLINE_FORM_JCC)
				continue;
			/* je not taken: nothing runs, nothing changes */
			snprintf(ctx, sizeof(ctx), "jcc not taken reg=%s nr=%d",
				 reg_names[reg], nr);
			set_inputs(reg, d.targets[0]);
			run(la(SITE_OFF), FL_BASE);
			check_only(0, ctx);
			check_after(ctx);
		}
	}
}
END_TEST

START_TEST(exec_miss)
{
	u8 reg = valid_regs[_i];
	struct rp_stub_desc d;
	char ctx[160];
	int form, nr, mode, id, j;

	for (id = T0; id <= T3; id++)
		emit_recorder(id, -1);
	emit_recorder(OTHER, -1);
	emit_recorder(SLOW, reg);
	emit_recorder(SLOWRET, -1);

	for (form = RELPOLINE_FORM_CALL; form <= RELPOLINE_FORM_JCC; form++) {
		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++) {
			for (mode = 0; mode < 3; mode++) {
				lean_desc(&d, reg, nr);
				if (mode) {
					d.slow_kind = RP_SLOW_INDIRECT;
					d.slow_lfence = mode == 2;
					d.slow_target = 0;
				}
				install(&d, form, 0x4);
				snprintf(ctx, sizeof(ctx),
					 "miss reg=%s form=%s nr=%d mode=%d",
					 reg_names[reg], form_names[form], nr,
					 mode);
				set_inputs(reg, code_addr(OTHER));
				run(la(SITE_OFF), FL_TAKEN);
				if (mode == 0) {
					/* thunk stand-in ran, then the target */
					check_rec(SLOW, entry_rsp(form),
						  entry_ret(form), 0, ctx);
					check_only((1U << SLOW) |
						   (1U << OTHER), ctx);
				} else {
					check_only(1U << OTHER, ctx);
				}
				check_rec(OTHER, entry_rsp(form),
					  entry_ret(form), 0, ctx);
				check_after(ctx);
			}

			/*
			 * Values equal to a target in the low 32 bits only
			 * must miss: the compare is 64-bit.
			 */
			lean_desc(&d, reg, nr);
			d.slow_target = code_addr(SLOWRET);
			install(&d, form, 0x4);
			for (j = 0; j < nr * 3; j++) {
				static const u64 flip[3] = {
					1ULL << 32, 1ULL << 63,
					0xffffffff00000000ULL,
				};
				u64 v = d.targets[j / 3] ^ flip[j % 3];

				snprintf(ctx, sizeof(ctx),
					 "near miss reg=%s form=%s nr=%d v=%#"
					 PRIx64, reg_names[reg],
					 form_names[form], nr, v);
				set_inputs(reg, v);
				run(la(SITE_OFF), FL_TAKEN);
				check_rec(SLOWRET, entry_rsp(form),
					  entry_ret(form), 0, ctx);
				check_only(1U << SLOWRET, ctx);
				check_after(ctx);
			}
		}
	}
}
END_TEST

static u64 *gs64(u8 *area, s32 disp)
{
	return (u64 *)(area + (GS_BASE_OFF - GS_AREA_OFF) + disp);
}

static u32 *gs32(u8 *area, s32 disp)
{
	return (u32 *)(area + (GS_BASE_OFF - GS_AREA_OFF) + disp);
}

static const s32 hit_disp[RELPOLINE_MAX_TARGETS] = { -0x1000, -8, 0x0, 0x7f8 };
#define MISS_DISP	0x10
#define SAMPLE_DISP	0x20	/* u32, neighbours are poisoned */

/* Fill the %gs area with a pattern and initial counter values */
static void gs_init(u8 *exp)
{
	int i;

	for (i = 0; i < GS_AREA_SIZE; i++)
		exp[i] = (u8)(0x71 + i * 13);
	/* low dword all ones: a 32-bit increment would be caught */
	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
		*gs64(exp, hit_disp[i]) = 0x00000000ffffffffULL + i;
	*gs64(exp, MISS_DISP) = 0x12345678ffffffffULL;
	memcpy(gs_area(), exp, GS_AREA_SIZE);
}

static void check_gs(const u8 *exp, const char *ctx)
{
	int i;

	if (!memcmp(gs_area(), exp, GS_AREA_SIZE))
		return;
	for (i = 0; i < GS_AREA_SIZE; i++) {
		EXPECT(gs_area()[i] == exp[i],
			      "%s: %%gs byte at disp %d is %#x expected %#x",
			      ctx, i - (GS_BASE_OFF - GS_AREA_OFF),
			      gs_area()[i], exp[i]);
	}
}

START_TEST(exec_counters)
{
	u8 reg = valid_regs[_i];
	static u8 exp[GS_AREA_SIZE];
	struct rp_stub_desc d;
	char ctx[160];
	int form, nr, slot, rep, id;

	for (id = T0; id <= T3; id++)
		emit_recorder(id, -1);
	emit_recorder(OTHER, -1);
	emit_recorder(SLOW, reg);

	for (form = RELPOLINE_FORM_CALL; form <= RELPOLINE_FORM_JCC; form++) {
		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++) {
			lean_desc(&d, reg, nr);
			d.count_hits = true;
			memcpy(d.hit_ctr, hit_disp, sizeof(hit_disp));
			d.count_misses = true;
			d.miss_ctr = MISS_DISP;
			install(&d, form, 0x4);
			gs_init(exp);

			for (slot = 0; slot <= nr; slot++) {
				/* slot == nr: a miss */
				int tid = slot < nr ? T0 + slot : OTHER;

				for (rep = 0; rep <= slot; rep++) {
					snprintf(ctx, sizeof(ctx),
						 "counters reg=%s form=%s nr=%d slot=%d rep=%d",
						 reg_names[reg],
						 form_names[form], nr, slot,
						 rep);
					set_inputs(reg, code_addr(tid));
					run(la(SITE_OFF), FL_TAKEN);
					if (slot < nr) {
						++*gs64(exp, hit_disp[slot]);
						check_only(1U << tid, ctx);
					} else {
						++*gs64(exp, MISS_DISP);
						check_rec(SLOW,
							  entry_rsp(form),
							  entry_ret(form),
							  0, ctx);
						check_only((1U << tid) |
							   (1U << SLOW), ctx);
					}
					check_rec(tid, entry_rsp(form),
						  entry_ret(form), 0, ctx);
					check_after(ctx);
					check_gs(exp, ctx);
				}
			}
		}
	}
	/* the 32-bit carry really happened */
	ck_assert_uint_eq(*gs64(exp, hit_disp[0]), 0x100000000ULL);
}
END_TEST

/* Address right after the (single) CALL32 in the encoded stub */
static u64 stub_call_end(const struct rp_stub_desc *d, int size)
{
	const u8 *p = low + STUB_OFF;
	u64 found = 0;
	int off = 0;

	while (off < size) {
		struct rpd_insn in;
		unsigned int len;

		len = rpd_decode(p + off, size - off, la(STUB_OFF) + off, &in);
		ck_assert_uint_gt(len, 0);
		off += len;
		if (in.kind == RPD_CALL32) {
			ck_assert_uint_eq(in.dest, d->sample_fn);
			ck_assert_uint_eq(found, 0);
			found = la(STUB_OFF) + off;
		}
	}
	ck_assert_uint_ne(found, 0);
	return found;
}

START_TEST(exec_sample)
{
	u8 reg = valid_regs[_i];
	static u8 exp[GS_AREA_SIZE];
	struct rp_stub_desc d;
	char ctx[160];
	int form, nr, mode, run_nr, id;
	u64 sret;

	for (id = T0; id <= T3; id++)
		emit_recorder(id, -1);
	emit_recorder(OTHER, -1);
	emit_recorder(SLOW, reg);
	emit_recorder(SAMPLE, -1);

	for (form = RELPOLINE_FORM_CALL; form <= RELPOLINE_FORM_JCC; form++) {
		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr += 2) {
			for (mode = 0; mode < 2; mode++) {
				lean_desc(&d, reg, nr);
				d.count_hits = true;
				memcpy(d.hit_ctr, hit_disp, sizeof(hit_disp));
				d.count_misses = true;
				d.miss_ctr = MISS_DISP;
				d.sample = true;
				d.sample_ctr = SAMPLE_DISP;
				d.sample_fn = code_addr(SAMPLE);
				if (mode) {
					d.slow_kind = RP_SLOW_INDIRECT;
					d.slow_lfence = true;
				}
				install(&d, form, 0x4);
				sret = stub_call_end(&d, rp_stub_size(&d));
				gs_init(exp);
				*gs32(exp, SAMPLE_DISP) = 3;
				memcpy(gs_area(), exp, GS_AREA_SIZE);

				/* hits never touch the countdown */
				if (nr) {
					set_inputs(reg, d.targets[nr - 1]);
					run(la(SITE_OFF), FL_TAKEN);
					++*gs64(exp, hit_disp[nr - 1]);
					check_only(1U << (T0 + nr - 1), "hit");
					check_gs(exp, "sample: hit");
				}

				/* countdown 3 -> 2 -> 1 -> 0 (sample) -> ~0 */
				for (run_nr = 1; run_nr <= 4; run_nr++) {
					bool sampled = run_nr == 3;
					u64 below1 = sampled ? sret : 0;
					unsigned int mask = 1U << OTHER;

					snprintf(ctx, sizeof(ctx),
						 "sample reg=%s form=%s nr=%d mode=%d run=%d",
						 reg_names[reg],
						 form_names[form], nr, mode,
						 run_nr);
					set_inputs(reg, code_addr(OTHER));
					run(la(SITE_OFF), FL_TAKEN);
					++*gs64(exp, MISS_DISP);
					--*gs32(exp, SAMPLE_DISP);
					check_gs(exp, ctx);
					if (sampled) {
						mask |= 1U << SAMPLE;
						check_rec(SAMPLE,
							  entry_rsp(form) - 8,
							  sret, 0, ctx);
					}
					if (!mode) {
						mask |= 1U << SLOW;
						check_rec(SLOW,
							  entry_rsp(form),
							  entry_ret(form),
							  below1, ctx);
					}
					check_only(mask, ctx);
					check_rec(OTHER, entry_rsp(form),
						  entry_ret(form), below1,
						  ctx);
					check_after(ctx);
				}
				ck_assert_uint_eq(*gs32(exp, SAMPLE_DISP),
						  0xffffffffU);
			}
		}
	}
}
END_TEST

static bool cc_holds(int cc, u64 fl)
{
	bool cf = fl & FL_CF, zf = fl & FL_ZF, sf = fl & FL_SF;
	bool of = fl & FL_OF, pf = fl & FL_PF, r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

START_TEST(exec_jcc_cc)
{
	static const u64 bits[] = { FL_CF, FL_PF, FL_ZF, FL_SF, FL_OF };
	struct rp_stub_desc d;
	char ctx[96];
	int cc, combo, b;

	emit_recorder(T0, -1);
	emit_recorder(SLOW, R11);
	lean_desc(&d, R11, 1);
	for (cc = 0; cc <= 15; cc++) {
		install(&d, RELPOLINE_FORM_JCC, (u8)cc);
		for (combo = 0; combo < 32; combo++) {
			u64 fl = FL_BASE;

			for (b = 0; b < 5; b++)
				if (combo & (1 << b))
					fl |= bits[b];
			snprintf(ctx, sizeof(ctx), "jcc cc=%d flags=%#" PRIx64,
				 cc, fl);
			set_inputs(R11, d.targets[0]);
			run(la(SITE_OFF), fl);
			if (cc_holds(cc, fl)) {
				check_rec(T0, entry_rsp(RELPOLINE_FORM_JCC),
					  entry_ret(RELPOLINE_FORM_JCC), 0, ctx);
				check_only(1U << T0, ctx);
			} else {
				check_only(0, ctx);
			}
			check_after(ctx);
		}
	}
}
END_TEST

/* ---------------------------------------------------------------------- */
/* decode tests                                                            */
/* ---------------------------------------------------------------------- */

struct exp_insn {
	enum rpd_kind kind;
	unsigned int len;
	int reg, cc, dest_idx;
	u64 imm, dest;
	s32 disp;
};

#define MAX_INSNS 64

/* The instruction sequence the documented stub layout prescribes */
static int expected_stub(const struct rp_stub_desc *d, struct exp_insn *e)
{
	int n = 0, i;

	memset(e, 0, sizeof(*e) * MAX_INSNS);
	for (i = 0; i < d->nr_targets; i++) {
		e[n++] = (struct exp_insn){ .kind = RPD_CMP_IMM, .len = d->reg ? 7 : 6,
					    .reg = d->reg,
					    .imm = d->targets[i] };
		if (!d->count_hits) {
			e[n++] = (struct exp_insn){ .kind = RPD_JCC32, .len = 6, .cc = 4,
						    .dest = d->targets[i] };
			continue;
		}
		e[n] = (struct exp_insn){ .kind = RPD_JCC8, .len = 2, .cc = 5,
					  .dest_idx = n + 3 };
		n++;
		e[n++] = (struct exp_insn){ .kind = RPD_INC_GS64, .len = 9,
					    .disp = d->hit_ctr[i] };
		e[n++] = (struct exp_insn){ .kind = RPD_JMP32, .len = 5,
					    .dest = d->targets[i] };
	}
	if (d->count_misses)
		e[n++] = (struct exp_insn){ .kind = RPD_INC_GS64, .len = 9,
					    .disp = d->miss_ctr };
	if (d->sample) {
		e[n++] = (struct exp_insn){ .kind = RPD_DEC_GS32, .len = 8,
					    .disp = d->sample_ctr };
		e[n] = (struct exp_insn){ .kind = RPD_JCC8, .len = 2, .cc = 5,
					  .dest_idx = n + 2 };
		n++;
		e[n++] = (struct exp_insn){ .kind = RPD_CALL32, .len = 5,
					    .dest = d->sample_fn };
	}
	if (d->slow_kind == RP_SLOW_REL32) {
		e[n++] = (struct exp_insn){ .kind = RPD_JMP32, .len = 5,
					    .dest = d->slow_target };
	} else {
		if (d->slow_lfence)
			e[n++] = (struct exp_insn){ .kind = RPD_LFENCE, .len = 3 };
		e[n++] = (struct exp_insn){ .kind = RPD_JMP_REG, .len = d->reg & 8 ? 3 : 2,
					    .reg = d->reg };
		e[n++] = (struct exp_insn){ .kind = RPD_INT3, .len = 1 };
	}
	return n;
}

/* Encode @d, decode the result and compare with expected_stub() */
static void check_stub_decode(const struct rp_stub_desc *d, const char *ctx)
{
	u8 buf[256 + 32];
	u64 start[MAX_INSNS + 1];
	struct exp_insn e[MAX_INSNS];
	struct rpd_insn got;
	int size, n, nexp, i, off;

	size = rp_stub_size(d);
	EXPECT(size > 0 && size <= 256, "%s: size %d", ctx, size);
	memset(buf, 0xa5, sizeof(buf));
	n = rp_encode_stub(d, buf, (u32)size);
	EXPECT(n == size, "%s: encode %d, size %d", ctx, n, size);
	for (i = size; i < (int)sizeof(buf); i++)
		EXPECT(buf[i] == 0xa5, "%s: wrote past the end", ctx);

	nexp = expected_stub(d, e);
	off = 0;
	for (i = 0; i < nexp; i++) {
		unsigned int len;

		EXPECT(off < size, "%s: stub ends after %d of %d insns",
			      ctx, i, nexp);
		start[i] = d->stub_addr + off;
		len = rpd_decode(buf + off, size - off, start[i], &got);
		EXPECT(len && got.kind == e[i].kind,
			      "%s: insn %d at +%d is %s, expected %s", ctx, i,
			      off, rpd_kind_name(got.kind),
			      rpd_kind_name(e[i].kind));
		EXPECT(len == e[i].len, "%s: insn %d (%s) len %u != %u",
			      ctx, i, rpd_kind_name(got.kind), len, e[i].len);
		switch (got.kind) {
		case RPD_CMP_IMM:
			EXPECT(got.reg == e[i].reg &&
				      got.imm == e[i].imm,
				      "%s: insn %d: cmp $%#" PRIx64 ", %%%s",
				      ctx, i, got.imm, reg_names[got.reg]);
			break;
		case RPD_JCC32:
		case RPD_JMP32:
		case RPD_CALL32:
			EXPECT(got.dest == e[i].dest,
				      "%s: insn %d: %s to %#" PRIx64
				      " expected %#" PRIx64, ctx, i,
				      rpd_kind_name(got.kind), got.dest,
				      e[i].dest);
			if (got.kind == RPD_JCC32)
				ck_assert_int_eq(got.cc, e[i].cc);
			break;
		case RPD_JCC8:
			ck_assert_int_eq(got.cc, e[i].cc);
			break;
		case RPD_INC_GS64:
		case RPD_DEC_GS32:
			EXPECT(got.disp == e[i].disp,
				      "%s: insn %d: disp %d expected %d", ctx,
				      i, got.disp, e[i].disp);
			break;
		case RPD_JMP_REG:
			ck_assert_int_eq(got.reg, e[i].reg);
			break;
		default:
			break;
		}
		/* remember rel8 destinations, checked once all starts known */
		if (got.kind == RPD_JCC8)
			e[i].dest = got.dest;
		off += len;
	}
	start[nexp] = d->stub_addr + off;
	EXPECT(off == size, "%s: insns cover %d bytes, size %d", ctx,
		      off, size);
	for (i = 0; i < nexp; i++) {
		if (e[i].kind != RPD_JCC8)
			continue;
		EXPECT(e[i].dest == start[e[i].dest_idx],
			      "%s: insn %d: rel8 to %#" PRIx64 " expected %#"
			      PRIx64, ctx, i, e[i].dest,
			      start[e[i].dest_idx]);
	}
}

/* Address sets: kernel-like (module stub -> kernel text) and low */
struct addr_set {
	u64 stub, targets[RELPOLINE_MAX_TARGETS], sample_fn, slow;
};

static const struct addr_set addr_sets[] = {
	{ 0xffffffffc0a01040ULL,
	  { 0xffffffff81234560ULL, 0xffffffffc0a00000ULL,
	    0xffffffffc0b00010ULL, 0xffffffff80000000ULL },
	  0xffffffff81100000ULL, 0xffffffff82e03000ULL },
	{ 0x1000ULL,
	  { 0x7fff0000ULL, 0x10ULL, 0x40001000ULL, 0x1000ULL },
	  0x2000ULL, 0x7ffff000ULL },
};

START_TEST(decode_stub_all)
{
	u8 reg = valid_regs[_i];
	struct rp_stub_desc d;
	char ctx[160];
	unsigned int set, nr, bits, mode;

	for (set = 0; set < 2; set++) {
		const struct addr_set *a = &addr_sets[set];

		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++) {
			for (bits = 0; bits < 8; bits++) {
				for (mode = 0; mode < 3; mode++) {
					memset(&d, 0, sizeof(d));
					d.stub_addr = a->stub;
					d.reg = reg;
					d.nr_targets = (u8)nr;
					memcpy(d.targets, a->targets,
					       sizeof(d.targets));
					d.count_hits = bits & 1;
					d.hit_ctr[0] = 0x1234;
					d.hit_ctr[1] = -0x80000000;
					d.hit_ctr[2] = 0x7ffffff8;
					d.hit_ctr[3] = -8;
					d.count_misses = bits & 2;
					d.miss_ctr = 0x2a0;
					d.sample = bits & 4;
					d.sample_ctr = -0x1234568;
					d.sample_fn = a->sample_fn;
					d.slow_kind = mode ? RP_SLOW_INDIRECT :
							     RP_SLOW_REL32;
					d.slow_target = a->slow;
					d.slow_lfence = mode == 2;
					snprintf(ctx, sizeof(ctx),
						 "decode reg=%s set=%u nr=%u bits=%u mode=%u",
						 reg_names[reg], set, nr, bits,
						 mode);
					check_stub_decode(&d, ctx);
				}
			}
		}
	}
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

/* ---------------------------------------------------------------------- */
/* sizes and error cases                                                   */
/* ---------------------------------------------------------------------- */

static int lean_size(u8 reg, int nr)
{
	struct rp_stub_desc d;
	int i;

	memset(&d, 0, sizeof(d));
	d.stub_addr = 0xffffffffc0000000ULL;
	d.reg = reg;
	d.nr_targets = (u8)nr;
	for (i = 0; i < nr; i++)
		d.targets[i] = 0xffffffff81000000ULL + 0x100 * i;
	d.slow_kind = RP_SLOW_REL32;
	d.slow_target = 0xffffffff82000000ULL;
	return rp_stub_size(&d);
}

START_TEST(stub_sizes)
{
	/* cmp (7, or 6 for rax) + je (6) per target, jmp rel32 (5) */
	static const int r11[] = { 5, 18, 31, 44, 57 };
	static const int rax[] = { 5, 17, 29, 41, 53 };
	struct rp_stub_desc d;
	int nr;

	for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++) {
		ck_assert_int_eq(lean_size(R11, nr), r11[nr]);
		ck_assert_int_eq(lean_size(0, nr), rax[nr]);
	}
	/* fully featured: 4 * (7+2+9+5) + 9 + (8+2+5) + 3+3+1 */
	memset(&d, 0, sizeof(d));
	d.reg = 15;
	d.nr_targets = 4;
	d.count_hits = d.count_misses = d.sample = true;
	d.slow_kind = RP_SLOW_INDIRECT;
	d.slow_lfence = true;
	ck_assert_int_eq(rp_stub_size(&d), 4 * 23 + 9 + 15 + 7);
}
END_TEST

static void valid_desc(struct rp_stub_desc *d)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->stub_addr = 0xffffffffc0a01000ULL;
	d->reg = R11;
	d->nr_targets = RELPOLINE_MAX_TARGETS;
	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
		d->targets[i] = 0xffffffff81000000ULL + 0x1000 * i;
	d->count_hits = d->count_misses = d->sample = true;
	d->sample_fn = 0xffffffff81200000ULL;
	d->slow_kind = RP_SLOW_REL32;
	d->slow_target = 0xffffffff81e00000ULL;
}

/* rp_encode_stub(@d) must fail with @err and leave the buffer alone */
static void expect_stub_err(const struct rp_stub_desc *d, u32 size, int err,
			    const char *what)
{
	u8 buf[256], ref[256];
	int ret;

	memset(buf, 0x5c, sizeof(buf));
	memcpy(ref, buf, sizeof(buf));
	ret = rp_encode_stub(d, buf, size);
	EXPECT(ret == err, "%s: got %d expected %d", what, ret, err);
	EXPECT(!memcmp(buf, ref, sizeof(buf)), "%s: buffer written",
		      what);
	if (err == -EINVAL)
		EXPECT(rp_stub_size(d) == -EINVAL,
			      "%s: rp_stub_size accepted it", what);
}

START_TEST(stub_errors)
{
	struct rp_stub_desc d;
	u8 buf[256];
	int size, r;

	valid_desc(&d);
	size = rp_stub_size(&d);
	ck_assert_int_gt(size, 0);
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf)), size);

	/* registers */
	for (r = 0; r < 256; r++) {
		d.reg = (u8)r;
		if (r == RSP || r > 15)
			expect_stub_err(&d, sizeof(buf), -EINVAL, "bad reg");
		else
			ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf)),
					 rp_stub_size(&d));
	}

	valid_desc(&d);
	d.nr_targets = 5;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "nr_targets 5");
	d.nr_targets = 255;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "nr_targets 255");

	/* immediates that are not sign-extended imm32 */
	valid_desc(&d);
	d.targets[3] = 0xffffffff7fffffffULL;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "target below -2G");
	d.targets[3] = 0x80000000ULL;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "target 2G");
	d.targets[3] = 0x00007fff81000000ULL;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "user target");
	/* ...but unused slots are ignored */
	d.nr_targets = 3;
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf)), 0);

	valid_desc(&d);
	d.slow_kind = (enum rp_slow_kind)2;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "slow kind");

	/* reach: every rel32 of the stub */
	valid_desc(&d);
	d.targets[2] = 0x40000000ULL;	/* valid imm, 2^64-ish away */
	expect_stub_err(&d, sizeof(buf), -ERANGE, "hit jmp reach");
	d.count_hits = false;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "je reach");
	valid_desc(&d);
	d.sample_fn = 0xffffffff40000000ULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "sample_fn reach");
	d.sample = false;
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf)), 0);
	valid_desc(&d);
	d.slow_target = 0x1000ULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "slow reach");
	d.slow_kind = RP_SLOW_INDIRECT;	/* slow_target unused */
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf)), 0);

	/* low stub, target more than 2 GiB away */
	memset(&d, 0, sizeof(d));
	d.stub_addr = 0x1000;
	d.reg = 0;
	d.nr_targets = 1;
	d.targets[0] = 0xffffffff81000000ULL;
	d.slow_target = 0x2000;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "low stub, kernel target");

	/*
	 * Wrap-around: 0x1000 is 0x10000ff0 bytes after the end of the
	 * stub modulo 2^64; truncated arithmetic would accept it.
	 */
	memset(&d, 0, sizeof(d));
	d.stub_addr = 0xfffffffff0000000ULL;
	d.reg = 3;
	d.nr_targets = 1;
	d.targets[0] = 0x1000;
	d.slow_target = 0xfffffffff0001000ULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "je wraps");
	d.targets[0] = 0xfffffffff0002000ULL;
	d.slow_target = 0x1000;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "slow jmp wraps");
	/* stub itself crossing the top of the address space */
	d.slow_target = 0xfffffffff0001000ULL;
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf)), 0);
	d.stub_addr = 0xfffffffffffffff8ULL;
	d.targets[0] = 0xfffffffffffff000ULL;
	d.slow_target = 0x10;	/* in reach of the wrapped end */
	expect_stub_err(&d, sizeof(buf), -ERANGE, "stub wraps");
	/* no rel32 at all: jmp *%rbx; int3 */
	d.nr_targets = 0;
	d.slow_kind = RP_SLOW_INDIRECT;
	d.stub_addr = 0xfffffffffffffff0ULL;
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf)), 3);
	d.stub_addr = 0xfffffffffffffffeULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "indirect stub wraps");

	/* exact reach boundaries of the final jmp rel32 */
	memset(&d, 0, sizeof(d));
	d.stub_addr = 0x1000;
	d.reg = 1;
	d.slow_target = 0x1005 + 0x7fffffffULL;
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf)), 5);
	ck_assert_uint_eq(buf[0], 0xe9);
	ck_assert_uint_eq(buf[1] | buf[2] << 8 | buf[3] << 16 |
			  (u32)buf[4] << 24, 0x7fffffffU);
	d.slow_target++;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "+2G");
	d.stub_addr = 0x90000000ULL;
	d.slow_target = 0x90000005ULL - 0x80000000ULL;
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf)), 5);
	ck_assert_uint_eq(buf[1] | buf[2] << 8 | buf[3] << 16 |
			  (u32)buf[4] << 24, 0x80000000U);
	d.slow_target--;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "-2G-1");

	/* buffer size */
	valid_desc(&d);
	size = rp_stub_size(&d);
	expect_stub_err(&d, size - 1, -ENOSPC, "size - 1");
	expect_stub_err(&d, 0, -ENOSPC, "size 0");
	ck_assert_int_eq(rp_encode_stub(&d, NULL, sizeof(buf)), -ENOSPC);
	ck_assert_int_eq(rp_encode_stub(&d, buf, size), size);
	/* -EINVAL and -ERANGE take precedence over -ENOSPC */
	d.reg = RSP;
	expect_stub_err(&d, 1, -EINVAL, "EINVAL before ENOSPC");
	valid_desc(&d);
	d.slow_target = 0x1000ULL;
	expect_stub_err(&d, 1, -ERANGE, "ERANGE before ENOSPC");
	ck_assert_int_eq(rp_stub_size(&d), size);	/* no reach check */
	ck_assert_int_eq(rp_stub_size(NULL), -EINVAL);
}
END_TEST

static void expect_site_err(enum relpoline_form form, u8 cc, u64 site, u64 dest,
			    int err, const char *what)
{
	u8 buf[16], ref[16];
	int ret;

	memset(buf, 0x5c, sizeof(buf));
	memcpy(ref, buf, sizeof(buf));
	ret = rp_encode_site(form, cc, site, dest, buf);
	EXPECT(ret == err, "%s: form %d got %d expected %d", what, form,
		      ret, err);
	EXPECT(!memcmp(buf, ref, sizeof(buf)), "%s: buffer written",
		      what);
}

START_TEST(site_errors)
{
	u8 buf[16];
	int form, len;

	for (form = RELPOLINE_FORM_CALL; form <= RELPOLINE_FORM_JCC; form++) {
		len = rp_site_insn_len(form);
		expect_site_err(form, 4, 0x1000, 0x1000 + len + 0x80000000ULL,
				-ERANGE, "+2G");
		ck_assert_int_eq(rp_encode_site(form, 4, 0x1000,
						0x1000 + len + 0x7fffffffULL,
						buf), len);
		expect_site_err(form, 4, 0x90000000ULL,
				0x90000000ULL + len - 0x80000001ULL, -ERANGE,
				"-2G-1");
		expect_site_err(form, 4, 0x1000, 0xffffffff81000000ULL,
				-ERANGE, "low -> kernel");
		expect_site_err(form, 4, 0xffffffff81000000ULL, 0x1000,
				-ERANGE, "kernel -> low (wraps)");
		/* the instruction itself would cross the top of memory */
		expect_site_err(form, 4, 0xfffffffffffffffeULL, 0x10, -ERANGE,
				"site wraps");
		ck_assert_int_eq(rp_encode_site(form, 4, 0xffffffff00000000ULL,
						0xffffffff00000010ULL, buf),
				 len);
	}
	expect_site_err(RELPOLINE_FORM_JCC, 16, 0x1000, 0x2000, -EINVAL, "cc 16");
	expect_site_err(RELPOLINE_FORM_JCC, 0x84, 0x1000, 0x2000, -EINVAL, "cc 0x84");
	expect_site_err((enum relpoline_form)3, 4, 0x1000, 0x2000, -EINVAL, "form");
	/* cc is ignored by the other forms */
	ck_assert_int_eq(rp_encode_site(RELPOLINE_FORM_CALL, 0xff, 0x1000, 0x2000,
					buf), 5);
	ck_assert_uint_eq(buf[0], 0xe8);
}
END_TEST

static Suite *encoder_suite(void)
{
	Suite *s = suite_create("relpoline_encode");
	TCase *tc;

	tc = tcase_create("decode");
	tcase_add_loop_test(tc, decode_stub_all, 0, NR_VALID_REGS);
	tcase_add_test(tc, decode_site_all);
	tcase_add_test(tc, stub_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, stub_errors);
	tcase_add_test(tc, site_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_add_checked_fixture(tc, exec_setup, exec_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, exec_hit, 0, NR_VALID_REGS);
	tcase_add_loop_test(tc, exec_miss, 0, NR_VALID_REGS);
	tcase_add_loop_test(tc, exec_counters, 0, NR_VALID_REGS);
	tcase_add_loop_test(tc, exec_sample, 0, NR_VALID_REGS);
	tcase_add_test(tc, exec_jcc_cc);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(encoder_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
