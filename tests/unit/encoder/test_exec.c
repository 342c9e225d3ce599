// SPDX-License-Identifier: GPL-2.0
/*
 * Execute encoder output natively.
 *
 * Memory:
 * - the low RWX area (below 2 GiB, rp_lowmap.h): recorder functions, the
 *   stub, the call site and two fake %gs areas (static per-CPU data), one
 *   per emulated CPU.  The %gs base is in the area of the running "CPU"
 *   (arch_prctl); as in the kernel, each area holds its this_cpu_off (the
 *   %gs base), which stubs must not need;
 * - the counter area (mmap()ed anywhere, normally far above 4 GiB): both
 *   CPUs' copies of the stub's struct rp_ctr_block.  ctr_base is the
 *   per-CPU pointer that %gs-relative addressing turns into CPU A's or
 *   CPU B's copy (%gs base + ctr_base), a value that does not fit in 32
 *   bits.
 * Every byte of both %gs areas and of the counter area is modelled and
 * compared after every run.
 *
 * Targets are recorder functions that store every GPR, RFLAGS, [rsp] and
 * the stack around %rsp.  The sample function reloads the countdown as
 * %gs:RP_CTR_COUNTDOWN(%scr) (the encoder documents that the scratch
 * register holds ctr_base), saves the registers as the kernel's sample
 * thunk does (RELPOLINE_PUSH_REGS, harness.S) and keeps a copy of that
 * frame, restores them and continues into a recorder.  With TF set, every
 * instruction executed in the stub is single-stepped and its stack
 * pointer compared with the pushed ranges the encoder reported.
 */
#include <asm/prctl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "rp_disasm.h"
#include "rp_lowmap.h"
#include "te.h"

/* ---- harness.S ---- */
extern u64 rp_h_in[16], rp_h_out[16], rp_h_entry, rp_h_flags, rp_h_rsp;
extern u64 rp_h_flags_out;
extern void rp_run(void);
extern const char rp_run_ret[];
extern const u8 rp_frame_tmpl[], rp_frame_dst[], rp_frame_next[];
extern const u8 rp_frame_end[];
#define RP_CANARY 0x5afe5afe00000000ULL

/* ---------------------------------------------------------------------- */
/* Memory                                                                  */
/* ---------------------------------------------------------------------- */

#define LOW_WANT	0x20000000UL
#define LOW_SIZE	0x10000UL
#define REC_OFF		0x0000	/* NR_RECS records of REC_STRIDE bytes */
#define REC_STRIDE	0x100
#define FRAME_OFF	0x0800	/* the sample thunk model's frame copy */
#define FRAME_WORDS	18	/* regs[16], return address, pushed word */
#define PCPU_OFF	0x1000	/* CPU A's %gs area, then CPU B's */
#define PCPU_SIZE	0x1000
#define GS_BASE_IN	0x800	/* %gs base: the middle of the area */
#define CODE_LO_OFF	0x4000	/* code with even id (below the stub) */
#define STUB_OFF	0x8000	/* + 0..63: the stub */
#define SITE_OFF	0x9000
#define CODE_HI_OFF	0xa000	/* code with odd id (above the stub) */
#define CODE_STRIDE	0x200

/* %gs displacements of the per-CPU variables */
#define THIS_CPU_OFF_DISP	(-0x100)
#define DEPTH_DISP		0x3f8	/* the call depth */
#define DEPTH_START		0x8000000000000000ULL	/* RESET_CALL_DEPTH */

/*
 * The counter area: both copies of the block, as far apart as the two
 * %gs bases
 */
#define CTR_SIZE	0x2000
#define CTR_A_OFF	0x0340
#define CTR_B_OFF	(CTR_A_OFF + PCPU_SIZE)

/* code ids: recorders first */
enum {
	T0, T1, T2, T3,		/* targets */
	OTHER,			/* a target no stub knows */
	SLOWRET,		/* slow path stand-in that returns */
	SAMPLE,			/* the sample function's recorder */
	NR_RECS,
	SAMPLE_FN = NR_RECS,	/* reloads the countdown, jumps to FRAME */
	FRAME,			/* the sample thunk model, jumps to SAMPLE */
	/* call thunk models: "sarq $5, %gs:DEPTH_DISP; jmp" to ... */
	D0, D1, D2, D3,		/* ... T0..T3 */
	SLOW_CT,		/* ... SLOWRET (__x86_indirect_call_thunk_*) */
	SAMPLE_CT,		/* ... SAMPLE_FN */
	NR_IDS,
};

struct rec {
	u64 regs[NREGS];	/* GPRs at entry, [RSP] is %rsp */
	u64 ret;		/* [rsp] at entry */
	u64 below[8];		/* below[k - 1] = [rsp - 8 * k] */
	u64 above[2];		/* above[k - 1] = [rsp + 8 * k] */
	u64 flags;		/* RFLAGS at entry */
	u64 hits;		/* number of entries */
	u64 tmp;		/* the recorder's own scratch slot */
};

_Static_assert(sizeof(struct rec) <= REC_STRIDE, "record too large");
_Static_assert(NR_RECS * REC_STRIDE <= FRAME_OFF, "records overlap");
_Static_assert(CODE_LO_OFF + NR_IDS * CODE_STRIDE <= STUB_OFF, "code overlap");
_Static_assert(CTR_B_OFF + sizeof(struct rp_ctr_block) <= CTR_SIZE,
	       "counter area too small");

static u8 *low, *ctr;
static u64 ctr_base;

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

static u8 *pcpu(int cpu)
{
	return low + PCPU_OFF + cpu * PCPU_SIZE;
}

static u64 gs_base(int cpu)
{
	return (u64)(uintptr_t)(pcpu(cpu) + GS_BASE_IN);
}

static u64 block_addr(int cpu)
{
	return (u64)(uintptr_t)(ctr + (cpu ? CTR_B_OFF : CTR_A_OFF));
}

static u8 *put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

/* mov %rax, @abs / mov @abs, %rax (absolute disp32) */
static u8 *mov_to_abs(u8 *p, u32 abs)
{
	*p++ = 0x48; *p++ = 0x89; *p++ = 0x04; *p++ = 0x25;
	return put32(p, abs);
}

static u8 *mov_from_abs(u8 *p, u32 abs)
{
	*p++ = 0x48; *p++ = 0x8b; *p++ = 0x04; *p++ = 0x25;
	return put32(p, abs);
}

/* mov @disp8(%rsp), %rax / mov %rax, @disp8(%rsp) */
static u8 *mov_from_rsp(u8 *p, int8_t disp)
{
	*p++ = 0x48; *p++ = 0x8b; *p++ = 0x44; *p++ = 0x24; *p++ = (u8)disp;
	return p;
}

static u8 *mov_to_rsp(u8 *p, int8_t disp)
{
	*p++ = 0x48; *p++ = 0x89; *p++ = 0x44; *p++ = 0x24; *p++ = (u8)disp;
	return p;
}

/*
 * Emit a recorder at code_addr(id): store all GPRs, [rsp], the stack
 * around %rsp and RFLAGS into rec(id) using absolute disp32 addressing,
 * count the hit, restore %rax and either "ret" (tail_reg < 0) or
 * "jmp *%tail_reg" (like a retpoline thunk).  Preserves every register
 * and all memory but rec(id), including the stack below %rsp (PUSHF's
 * slot is restored).  Hand-encoded, independently of the encoder.
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
	p = mov_from_rsp(p, 0);
	p = mov_to_abs(p, r + offsetof(struct rec, ret));
	for (k = 1; k <= 8; k++) {
		p = mov_from_rsp(p, (int8_t)(-8 * k));
		p = mov_to_abs(p, r + offsetof(struct rec, below) + 8 * (k - 1));
	}
	for (k = 1; k <= 2; k++) {
		p = mov_from_rsp(p, (int8_t)(8 * k));
		p = mov_to_abs(p, r + offsetof(struct rec, above) + 8 * (k - 1));
	}
	/* keep [rsp - 8]; pushfq; pop %rax; store; put [rsp - 8] back */
	p = mov_from_rsp(p, -8);
	p = mov_to_abs(p, r + offsetof(struct rec, tmp));
	*p++ = 0x9c;
	*p++ = 0x58;
	p = mov_to_abs(p, r + offsetof(struct rec, flags));
	p = mov_from_abs(p, r + offsetof(struct rec, tmp));
	p = mov_to_rsp(p, -8);
	/* incq hits */
	*p++ = 0x48; *p++ = 0xff; *p++ = 0x04; *p++ = 0x25;
	p = put32(p, r + offsetof(struct rec, hits));
	p = mov_from_abs(p, r);			/* %rax back */
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

/* jmp rel32 from @p to @dest */
static u8 *jmp_to(u8 *p, u64 dest)
{
	*p = 0xe9;
	return put32(p + 1, (u32)(dest - ((u64)(uintptr_t)p + 5)));
}

/*
 * The sample function: "movl $period, %gs:RP_CTR_COUNTDOWN(%scr)" (nothing
 * when @period is 0), then on into the sample thunk model, which goes on
 * into the SAMPLE recorder.
 */
static void emit_sample_fn(u8 scr, u32 period)
{
	u8 *p = (u8 *)(uintptr_t)code_addr(SAMPLE_FN);

	if (period) {
		*p++ = 0x65;
		*p++ = 0xc7;
		*p++ = 0x40 | scr;
		*p++ = RP_CTR_COUNTDOWN;
		p = put32(p, period);
	}
	jmp_to(p, code_addr(FRAME));
}

/* The sample thunk model of harness.S, its frame copy at FRAME_OFF */
static void emit_frame(void)
{
	u8 *p = (u8 *)(uintptr_t)code_addr(FRAME);
	u64 dst = la(FRAME_OFF);

	memcpy(p, rp_frame_tmpl, rp_frame_end - rp_frame_tmpl);
	memcpy(p + (rp_frame_dst - rp_frame_tmpl), &dst, 8);
	jmp_to(p + (rp_frame_next - rp_frame_tmpl) - 1, code_addr(SAMPLE));
}

/* A call thunk model: the accounting of one call, then on to @dest */
static void emit_call_thunk(int id, u64 dest)
{
	u8 *p = (u8 *)(uintptr_t)code_addr(id);

	*p++ = 0x65; *p++ = 0x48; *p++ = 0xc1; *p++ = 0x3c; *p++ = 0x25;
	p = put32(p, (u32)DEPTH_DISP);
	*p++ = 5;
	jmp_to(p, dest);
}

static void emit_all(void)
{
	int id;

	for (id = T0; id < NR_RECS; id++)
		emit_recorder(id, -1);
	for (id = 0; id < RELPOLINE_MAX_TARGETS; id++)
		emit_call_thunk(D0 + id, code_addr(T0 + id));
	emit_call_thunk(SLOW_CT, code_addr(SLOWRET));
	emit_call_thunk(SAMPLE_CT, code_addr(SAMPLE_FN));
	emit_frame();
}

/* ---------------------------------------------------------------------- */
/* CPUs and the model of the per-CPU memory                                */
/* ---------------------------------------------------------------------- */

static u8 exp_pcpu[2][PCPU_SIZE];
static u8 exp_ctr[CTR_SIZE];

static void set_cpu(int cpu)
{
	long ret = syscall(SYS_arch_prctl, ARCH_SET_GS, gs_base(cpu));

	EXPECT(ret == 0, "arch_prctl(ARCH_SET_GS) failed");
}

static void *gsvar(int cpu, s32 disp)
{
	return exp_pcpu[cpu] + GS_BASE_IN + disp;
}

static struct rp_ctr_block *exp_block(int cpu)
{
	return (struct rp_ctr_block *)(exp_ctr + (cpu ? CTR_B_OFF : CTR_A_OFF));
}

/* Pattern everywhere, this_cpu_off and the counters' start values */
static void model_init(u32 countdown)
{
	int cpu, i;
	u64 off;

	for (cpu = 0; cpu < 2; cpu++) {
		for (i = 0; i < PCPU_SIZE; i++)
			exp_pcpu[cpu][i] = (u8)(0x71 + i * 13 + cpu * 7);
		off = gs_base(cpu);
		memcpy(gsvar(cpu, THIS_CPU_OFF_DISP), &off, 8);
		off = DEPTH_START;
		memcpy(gsvar(cpu, DEPTH_DISP), &off, 8);
	}
	for (i = 0; i < CTR_SIZE; i++)
		exp_ctr[i] = (u8)(0x3b + i * 29);
	for (cpu = 0; cpu < 2; cpu++) {
		struct rp_ctr_block *b = exp_block(cpu);

		/* low dword all ones: a 32-bit increment is caught */
		b->misses = 0x12345678ffffffffULL + cpu;
		b->countdown = countdown;
		for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
			b->hits[i] = 0x00000000ffffffffULL + (u64)i * 0x100;
	}
	memcpy(pcpu(0), exp_pcpu, sizeof(exp_pcpu));
	memcpy(ctr, exp_ctr, CTR_SIZE);
}

/* The model's call depth accounting of one call on @cpu */
static void model_account(int cpu)
{
	u64 v;

	memcpy(&v, gsvar(cpu, DEPTH_DISP), 8);
	v = (u64)((int64_t)v >> 5);
	memcpy(gsvar(cpu, DEPTH_DISP), &v, 8);
}

static void cmp_bytes(const u8 *got, const u8 *exp, int n, const char *what,
		      const char *ctx)
{
	int i;

	if (!memcmp(got, exp, n))
		return;
	for (i = 0; i < n; i++)
		EXPECT(got[i] == exp[i], "%s: %s byte %#x is %#x expected %#x",
		       ctx, what, i, got[i], exp[i]);
}

static void model_check(const char *ctx)
{
	cmp_bytes(pcpu(0), exp_pcpu[0], PCPU_SIZE, "CPU A %gs area", ctx);
	cmp_bytes(pcpu(1), exp_pcpu[1], PCPU_SIZE, "CPU B %gs area", ctx);
	cmp_bytes(ctr, exp_ctr, CTR_SIZE, "counter area", ctx);
}

/* ---------------------------------------------------------------------- */
/* Single-stepping                                                         */
/* ---------------------------------------------------------------------- */

#define MAX_STEPS 256

/* (rip, rsp) of every instruction executed in [step_lo, step_hi) */
static volatile u64 step_lo, step_hi;
static volatile int nr_steps;
static u64 step_rip[MAX_STEPS], step_rsp[MAX_STEPS];
/* migrate to CPU B before stepped instruction mig_at executes; -1: never */
static volatile int mig_at = -1;

static void on_trap(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	u64 rip = uc->uc_mcontext.gregs[REG_RIP];

	(void)sig;
	if (si->si_code != TRAP_TRACE) {
		/* an int3 was executed: die of it once this returns */
		signal(SIGTRAP, SIG_DFL);
		raise(SIGTRAP);
		return;
	}
	if (rip < step_lo || rip >= step_hi || nr_steps >= MAX_STEPS)
		return;
	if (nr_steps == mig_at)
		syscall(SYS_arch_prctl, ARCH_SET_GS, gs_base(1));
	step_rip[nr_steps] = rip;
	step_rsp[nr_steps] = uc->uc_mcontext.gregs[REG_RSP];
	nr_steps++;
}

/* ---------------------------------------------------------------------- */
/* Setup and running                                                       */
/* ---------------------------------------------------------------------- */

static void exec_setup(void)
{
	struct sigaction sa;
	void *p;

	p = rp_map_low_rwx(LOW_WANT, LOW_SIZE);	/* int3 everywhere */
	EXPECT(p, "cannot map the low RWX area below 2 GiB: %s",
	       strerror(errno));
	low = p;
	memset(low + REC_OFF, 0, PCPU_OFF);
	p = mmap(NULL, CTR_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(p != MAP_FAILED, "cannot map the counter area");
	ctr = p;
	ctr_base = block_addr(0) - gs_base(0);
	EXPECT(gs_base(1) + ctr_base == block_addr(1) && ctr_base >> 32,
	       "counter area at %p: ctr_base %#" PRIx64, p, ctr_base);
	model_init(0);
	set_cpu(0);
	emit_all();

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	EXPECT(sigaction(SIGTRAP, &sa, NULL) == 0, "sigaction");
}

static void exec_teardown(void)
{
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
	munmap(low, LOW_SIZE);
	munmap(ctr, CTR_SIZE);
	low = ctr = NULL;
}

static void set_inputs(int reg, u64 val)
{
	int r;

	for (r = 0; r < NREGS; r++)
		rp_h_in[r] = 0x3c00000000000000ULL | ((u64)r << 48) |
			     (0x01010101ULL * (u64)(r + 1));
	rp_h_in[RSP] = 0;
	rp_h_in[reg] = val;
}

/* RFLAGS: bit 1 is reserved (1), IF is ignored by popf at CPL 3 */
#define FL_BASE	0x202ULL
#define FL_CF	0x001ULL
#define FL_PF	0x004ULL
#define FL_AF	0x010ULL
#define FL_ZF	0x040ULL
#define FL_SF	0x080ULL
#define FL_TF	0x100ULL
#define FL_DF	0x400ULL
#define FL_OF	0x800ULL
/* the flags a stub may change */
#define FL_STATUS (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
/* Flags for which a je site is taken */
#define FL_TAKEN (FL_BASE | FL_ZF)

static void run(u64 entry, u64 flags)
{
	memset(low + REC_OFF, 0, NR_RECS * REC_STRIDE);
	memset(low + FRAME_OFF, 0, FRAME_WORDS * 8);
	memset(rp_h_out, 0, sizeof(rp_h_out));
	rp_h_entry = entry;
	rp_h_flags = flags;
	nr_steps = 0;
	rp_run();
}

/* %rsp at entry of the stub / of a function reached through a @form site */
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

/* What a recorder must have seen; below[k] == 0 means "the canary" */
struct rec_exp {
	u64 regs[NREGS];	/* [RSP] is the expected %rsp */
	u64 ret;
	u64 below[8];
	u64 above0;		/* [rsp + 8]; 0: not checked */
	u64 flags;		/* the non-status flags */
};

static void rec_exp_init(struct rec_exp *x, enum relpoline_form form)
{
	memset(x, 0, sizeof(*x));
	memcpy(x->regs, rp_h_in, sizeof(x->regs));
	x->regs[RSP] = entry_rsp(form);
	x->ret = entry_ret(form);
	x->flags = rp_h_flags & ~FL_STATUS;
}

/* Recorder @id ran exactly once and saw what @x says */
static void check_rec(int id, const struct rec_exp *x, const char *ctx)
{
	struct rec *r = rec(id);
	int reg, k;

	EXPECT(r->hits == 1, "%s: recorder %d hit %" PRIu64 " times", ctx, id,
	       r->hits);
	for (reg = 0; reg < NREGS; reg++)
		EXPECT(r->regs[reg] == x->regs[reg],
		       "%s: id %d: %%%s = %#" PRIx64 " expected %#" PRIx64, ctx,
		       id, reg_names[reg], r->regs[reg], x->regs[reg]);
	EXPECT(r->ret == x->ret, "%s: id %d: [rsp] = %#" PRIx64 " expected %#"
	       PRIx64, ctx, id, r->ret, x->ret);
	for (k = 1; k <= 8; k++) {
		u64 slot = (rp_h_rsp - (x->regs[RSP] - 8 * k)) / 8;
		u64 want = x->below[k - 1] ? x->below[k - 1] : RP_CANARY + slot;

		EXPECT(r->below[k - 1] == want,
		       "%s: id %d: [rsp-%d] = %#" PRIx64 " expected %#" PRIx64
		       " (stack written)", ctx, id, 8 * k, r->below[k - 1],
		       want);
	}
	EXPECT(!x->above0 || r->above[0] == x->above0,
	       "%s: id %d: [rsp+8] = %#" PRIx64 " expected %#" PRIx64, ctx, id,
	       r->above[0], x->above0);
	EXPECT((r->flags & ~FL_STATUS) == x->flags,
	       "%s: id %d: rflags %#" PRIx64 ", non-status flags expected %#"
	       PRIx64, ctx, id, r->flags, x->flags);
}

/* Recorders other than those in @mask must not have run */
static void check_only(unsigned int mask, const char *ctx)
{
	int id;

	for (id = 0; id < NR_RECS; id++) {
		if (mask & (1U << id))
			continue;
		EXPECT(rec(id)->hits == 0, "%s: recorder %d ran", ctx, id);
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
		       "%s: after return %%%s = %#" PRIx64 " expected %#" PRIx64,
		       ctx, reg_names[reg], rp_h_out[reg], rp_h_in[reg]);
	}
	EXPECT(rp_h_out[RSP] == rp_h_rsp, "%s: %%rsp not restored", ctx);
	EXPECT((rp_h_flags_out & ~FL_STATUS) == (rp_h_flags & ~FL_STATUS),
	       "%s: rflags %#" PRIx64 " after return, in %#" PRIx64, ctx,
	       rp_h_flags_out, rp_h_flags);
}

/* ---------------------------------------------------------------------- */
/* One stub under test                                                     */
/* ---------------------------------------------------------------------- */

struct cfg {
	struct rp_stub_desc d;
	struct rp_stub_layout lay;
	enum relpoline_form form;
	u32 stub_off;		/* the stub runs at STUB_OFF + stub_off */
	u32 period;		/* sampling period the sample function sets */
	bool step;		/* single-step the stub */
};

/* option bits of make_desc() */
#define OPT_HITS	1
#define OPT_MISSES	2
#define OPT_SAMPLE	4
#define NR_OPTS		8
/* slow path kinds of make_desc() */
enum {
	SLOW_REL32, SLOW_IND, SLOW_IND_LFENCE, SLOW_IND_ITS,
	SLOW_IND_LFENCE_ITS, NR_SLOW
};
/*
 * Call depth accounting of make_desc(): none; inline everywhere; call
 * thunks everywhere; targets 0 and 2 through thunks, 1 and 3 inline.
 * With accounting the rel32 slow path goes through a call thunk.
 */
enum { ACCT_NONE, ACCT_INLINE, ACCT_THUNKS, ACCT_MIXED, NR_ACCT };

static void set_acct(struct rp_stub_desc *d, int acct)
{
	int i;

	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++) {
		bool thunk = acct == ACCT_THUNKS ||
			     (acct == ACCT_MIXED && !(i & 1));

		d->dests[i] = thunk ? code_addr(D0 + i) : d->targets[i];
		d->dest_account[i] = acct != ACCT_NONE && !thunk;
	}
	d->sample_account = acct == ACCT_INLINE || acct == ACCT_MIXED;
	d->sample_fn = code_addr(acct == ACCT_THUNKS ? SAMPLE_CT : SAMPLE_FN);
	d->slow_target = code_addr(acct == ACCT_NONE ? SLOWRET : SLOW_CT);
	d->call_depth = DEPTH_DISP;
}

static void make_desc(struct rp_stub_desc *d, u8 reg, int nr, int opts,
		      int slow, int acct)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->reg = reg;
	d->nr_targets = (u8)nr;
	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
		d->targets[i] = code_addr(T0 + i);
	d->count_hits = opts & OPT_HITS;
	d->count_misses = opts & OPT_MISSES;
	d->sample = opts & OPT_SAMPLE;
	d->ctr_base = ctr_base;
	d->slow_kind = slow == SLOW_REL32 ? RP_SLOW_REL32 : RP_SLOW_INDIRECT;
	d->slow_lfence = slow == SLOW_IND_LFENCE || slow == SLOW_IND_LFENCE_ITS;
	d->its_safe = slow == SLOW_IND_ITS || slow == SLOW_IND_LFENCE_ITS;
	set_acct(d, acct);
}

/* Encode @c's stub and a @c->form site branching to it (cc for Jcc) */
static void install(struct cfg *c, u8 cc)
{
	u8 *stub = low + STUB_OFF + c->stub_off, *site = low + SITE_OFF;
	u32 room = SITE_OFF - STUB_OFF - c->stub_off;
	int n, size;

	c->d.stub_addr = la(STUB_OFF + c->stub_off);
	memset(low + STUB_OFF, 0xcc, SITE_OFF - STUB_OFF);
	size = rp_stub_size(&c->d);
	EXPECT(size > 0, "rp_stub_size: %d", size);
	n = rp_encode_stub(&c->d, stub, room, &c->lay);
	EXPECT(n == size && c->lay.len == n, "encode %d, size %d, layout %u",
	       n, size, c->lay.len);

	memset(site, 0xcc, 16);
	n = rp_encode_site(c->form, cc, la(SITE_OFF), c->d.stub_addr, site);
	EXPECT(n == rp_site_insn_len(c->form), "rp_encode_site: %d", n);
	if (c->form != RELPOLINE_FORM_JMP)
		site[n] = 0xc3;		/* ret (after call / not-taken jcc) */
	emit_sample_fn(te_scratch(c->d.reg), c->period);
	step_lo = c->d.stub_addr;
	step_hi = step_lo + size;
}

/* Every stepped stub instruction ran with the stack the layout says */
static void check_steps(const struct cfg *c, const char *ctx)
{
	u64 entry = entry_rsp(c->form);
	int i;

	EXPECT(nr_steps > 0 && nr_steps < MAX_STEPS && step_rip[0] == step_lo,
	       "%s: %d steps, first at %#" PRIx64, ctx, nr_steps,
	       step_rip[0]);
	for (i = 0; i < nr_steps; i++) {
		u32 off = (u32)(step_rip[i] - step_lo);
		u64 want = entry - (te_in_pushed(&c->lay, off) ? 8 : 0);

		EXPECT(step_rsp[i] == want, "%s: at stub+%#x %%rsp = entry%+"
		       PRId64 ", layout says entry%+" PRId64, ctx, off,
		       (int64_t)(step_rsp[i] - entry), (int64_t)(want - entry));
	}
}

/*
 * Which CPU each per-CPU access of a run is made on.  Without migration
 * (@k < 0) all on @cpu.  With it, the run starts on CPU A and moves to
 * CPU B before the stepped stub instruction number @k: an access is made
 * on B if the stub instruction that makes it, or the last one before it
 * for what happens outside the stub (call thunks, the sample function),
 * is number @k or later.  Those numbers come from the trace.
 */
struct where {
	int cpu, k;
	int inc, dec, sar, call;	/* first incq/decl/sarq/call; -1 */
	int last;			/* the stub's last stepped insn */
};

static void where_init(struct where *w, int cpu, int k)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->cpu = cpu;
	w->k = k;
	w->inc = w->dec = w->sar = w->call = -1;
	w->last = nr_steps - 1;
	for (i = 0; k >= 0 && i < nr_steps; i++) {
		const u8 *at = (const u8 *)(uintptr_t)step_rip[i];
		struct rpd_insn in;
		int *first = NULL;

		if (!rpd_decode(at, step_hi - step_rip[i], step_rip[i], &in))
			continue;
		switch (in.kind) {
		case RPD_INC_GS64: first = &w->inc; break;
		case RPD_DEC_GS32: first = &w->dec; break;
		case RPD_SAR_GS: first = &w->sar; break;
		case RPD_CALL32: first = &w->call; break;
		default: break;
		}
		if (first && *first < 0)
			*first = i;
	}
}

/* The CPU of the access made by (or after) stepped instruction @idx */
static int ev_cpu(const struct where *w, int idx, const char *insn,
		  const char *ctx)
{
	if (w->k < 0)
		return w->cpu;
	EXPECT(idx >= 0, "%s: no %s in the stepped stub", ctx, insn);
	return idx >= w->k ? 1 : w->cpu;
}

/* The model's side of one run: returns the recorder that ends the path */
static int expect_path(const struct cfg *c, const struct where *w, u64 val,
		       bool *pushed, bool *sampled, const char *ctx)
{
	const struct rp_stub_desc *d = &c->d;
	bool early = d->count_hits && d->nr_targets;
	struct rp_ctr_block *b;
	int slot;

	*sampled = false;
	for (slot = 0; slot < d->nr_targets; slot++) {
		if (val != d->targets[slot])
			continue;
		*pushed = early;
		if (d->count_hits)
			exp_block(ev_cpu(w, w->inc, "incq", ctx))->hits[slot]++;
		if (d->dest_account[slot])
			model_account(ev_cpu(w, w->sar, "sarq", ctx));
		else if (d->dests[slot] != d->targets[slot])
			model_account(ev_cpu(w, w->last, "jmp", ctx));
		return T0 + slot;
	}
	*pushed = early || d->count_misses || d->sample;
	if (d->count_misses)
		exp_block(ev_cpu(w, w->inc, "incq", ctx))->misses++;
	if (d->sample) {
		b = exp_block(ev_cpu(w, w->dec, "decl", ctx));
		/* JG: a sample while the countdown is zero or below */
		if ((s32)--b->countdown <= 0)
			*sampled = true;
	}
	if (*sampled) {
		/* the sample function reloads its own CPU's countdown */
		b = exp_block(ev_cpu(w, w->call, "call", ctx));
		b->countdown = c->period;
		if (d->sample_account)
			model_account(ev_cpu(w, w->sar, "sarq", ctx));
		else if (d->sample_fn != code_addr(SAMPLE_FN))
			model_account(ev_cpu(w, w->call, "call", ctx));
	}
	if (d->slow_kind != RP_SLOW_REL32)
		return OTHER;
	if (d->slow_target == code_addr(SLOW_CT))
		model_account(ev_cpu(w, w->last, "jmp", ctx));
	return SLOWRET;
}

/*
 * The sample thunk model's frame: regs[] as the sample function found
 * them (regs[reg] the target, regs[scr] ctr_base, regs[RSP] 0),
 * the return address into the stub at 16*8, the original scratch value at
 * 17*8 (relpoline_encode.c, "The sample call")
 */
static void check_frame(const struct rec_exp *xs, const char *ctx)
{
	const u64 *f = (const u64 *)(low + FRAME_OFF);
	int r;

	for (r = 0; r < NREGS; r++)
		EXPECT(f[r] == (r == RSP ? 0 : xs->regs[r]), "%s: sample frame "
		       "regs[%s] = %#" PRIx64, ctx, reg_names[r], f[r]);
	EXPECT(f[16] == xs->ret && f[17] == xs->above0, "%s: sample frame "
	       "16*8: %#" PRIx64 ", 17*8: %#" PRIx64 " expected %#" PRIx64
	       ", %#" PRIx64, ctx, f[16], f[17], xs->ret, xs->above0);
}

/* The context of failure messages */
static void describe(char *ctx, size_t size, const struct cfg *c, int cpu,
		     int k, u64 val, const char *what)
{
	const struct rp_stub_desc *d = &c->d;

	snprintf(ctx, size,
		 "%s reg=%s form=%s nr=%d hits=%d misses=%d sample=%d slow=%d%s%s acct=%d%d%d%d/%d at+%u cpu=%c mig=%d val=%#"
		 PRIx64, what, reg_names[d->reg], form_names[c->form],
		 d->nr_targets, d->count_hits, d->count_misses, d->sample,
		 d->slow_kind, d->slow_lfence ? "+lfence" : "",
		 d->its_safe ? "+its" : "", d->dest_account[0],
		 d->dest_account[1], d->dest_account[2], d->dest_account[3],
		 d->sample_account, c->stub_off, 'A' + cpu, k, val);
}

/*
 * What the sample function sees (@xs), from what the path's last
 * function sees (@x); the sample thunk model's pushes stay below both.
 */
static void expect_sample(struct rec_exp *xs, struct rec_exp *x,
			  const struct cfg *c)
{
	u8 scr = te_scratch(c->d.reg);
	int j;

	*xs = *x;
	xs->regs[scr] = ctr_base;
	xs->regs[RSP] = x->regs[RSP] - 16;
	xs->ret = c->d.stub_addr + c->lay.sample_ret;
	xs->above0 = rp_h_in[scr];
	/* RELPOLINE_PUSH_REGS pushes %r15 first, then %r14 ... */
	for (j = 0; j < 8; j++)
		xs->below[j] = xs->regs[15 - j];
	x->below[1] = xs->ret;
	for (j = 2; j < 8; j++)
		x->below[j] = xs->regs[17 - j];
}

/*
 * Run @c with @val in the target register on @cpu, check everything;
 * single-stepped with @k >= 0: migrate from CPU A to B before stepped
 * instruction @k.  Returns the number of stepped instructions.
 */
static int run_one(const struct cfg *c, int cpu, int k, u64 val, u64 flags,
		   const char *what)
{
	struct rec_exp x, xs;
	bool pushed, sampled;
	struct where w;
	unsigned int mask;
	char ctx[200];
	int id;

	describe(ctx, sizeof(ctx), c, cpu, k, val, what);
	set_cpu(cpu);
	set_inputs(c->d.reg, val);
	mig_at = k;
	run(la(SITE_OFF), flags | (c->step ? FL_TF : 0));
	mig_at = -1;

	where_init(&w, cpu, k);
	id = expect_path(c, &w, val, &pushed, &sampled, ctx);
	rec_exp_init(&x, c->form);
	if (pushed)
		x.below[0] = rp_h_in[te_scratch(c->d.reg)];
	mask = 1U << id;
	if (sampled) {
		expect_sample(&xs, &x, c);
		check_rec(SAMPLE, &xs, ctx);
		check_frame(&xs, ctx);
		mask |= 1U << SAMPLE;
	}
	check_rec(id, &x, ctx);
	check_only(mask, ctx);
	check_after(ctx);
	model_check(ctx);
	if (c->step)
		check_steps(c, ctx);
	return nr_steps;
}

/*
 * Every path of @c, on CPU A, B and A again (DF set on B): each hit, three
 * misses (period 3: each CPU samples), and with a rel32 slow path values
 * equal to a target in their low 32 bits only (the compare is 64-bit).
 * Single-stepped (slow): each hit and one miss, on CPU A (period 1).
 */
static void run_paths(const struct cfg *c)
{
	static const u64 flip[3] = {
		1ULL << 32, 1ULL << 63, 0xffffffff00000000ULL,
	};
	const struct rp_stub_desc *d = &c->d;
	int rounds = c->step ? 1 : 3, misses = c->step ? 1 : 3;
	int round, s, j;

	model_init(c->period);
	for (round = 0; round < rounds; round++) {
		int cpu = round & 1;
		u64 fl = FL_TAKEN | (cpu ? FL_DF : 0);

		for (s = 0; s < d->nr_targets; s++)
			run_one(c, cpu, -1, d->targets[s], fl, "hit");
		for (j = 0; j < misses; j++)
			run_one(c, cpu, -1, code_addr(OTHER), fl, "miss");
		if (d->slow_kind != RP_SLOW_REL32 || c->step)
			continue;
		for (j = 0; j < d->nr_targets * 3; j++)
			run_one(c, cpu, -1, d->targets[j / 3] ^ flip[j % 3],
				fl, "near miss");
	}
	if (c->form != RELPOLINE_FORM_JCC || !d->nr_targets)
		return;
	/* je not taken: nothing runs, nothing changes */
	set_cpu(0);
	set_inputs(d->reg, d->targets[0]);
	run(la(SITE_OFF), FL_BASE | (c->step ? FL_TF : 0));
	check_only(0, "jcc not taken");
	check_after("jcc not taken");
	model_check("jcc not taken");
}

/* The configurations of one form and number of targets */
static void run_nr(u8 reg, int form, int nr, bool step, int *n)
{
	/* call depth accounting is for CALL sites; stepped: none, mixed */
	int nr_acct = form == RELPOLINE_FORM_CALL ? NR_ACCT : 1;
	int opts, slow, acct;
	struct cfg c;

	for (opts = 0; opts < NR_OPTS; opts++)
		for (slow = 0; slow < NR_SLOW; slow++)
			for (acct = 0; acct < nr_acct; acct++) {
				if (step && acct != ACCT_NONE &&
				    acct != ACCT_MIXED)
					continue;
				memset(&c, 0, sizeof(c));
				make_desc(&c.d, reg, nr, opts, slow, acct);
				c.form = form;
				c.period = step ? 1 : 3;
				c.step = step;
				c.stub_off = (u32)(*n * 7 % 64);
				++*n;
				install(&c, 0x4);	/* je */
				run_paths(&c);
			}
}

/* Every form, 0..4 targets, option, slow path and accounting */
static void run_all(u8 reg, bool step)
{
	int form, nr, n = 0;

	for (form = RELPOLINE_FORM_CALL; form <= RELPOLINE_FORM_JCC; form++)
		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++)
			run_nr(reg, form, nr, step, &n);
}

START_TEST(exec_all)
{
	run_all(valid_regs[_i], false);
}
END_TEST

/* single-stepped: the scratch register is %rcx for %rax, else %rax */
static const u8 step_regs[] = { 0, 11 };

START_TEST(exec_step)
{
	run_all(step_regs[_i], true);
}
END_TEST

/*
 * Migration (preemption is enabled in stubs): each path of @c (each hit,
 * then misses) runs once for every instruction the stub executes, the
 * task moving from CPU A to CPU B right before that instruction.  Every
 * count, countdown and call depth accounting must be made exactly once,
 * in the memory of the CPU that executed it (the byte compare of both
 * %gs areas and both blocks after every run).  Period 1: every miss
 * samples; a migration between DECL and the sample function's reload
 * leaves CPU A's countdown at zero, and A's next miss samples again (JG)
 * and reloads it.
 */
static void run_migrations(const struct cfg *c)
{
	const struct rp_stub_desc *d = &c->d;
	int s, k, len;

	model_init(c->period);
	for (s = 0; s <= d->nr_targets; s++) {
		u64 val = s < d->nr_targets ? d->targets[s] : code_addr(OTHER);

		k = 0;
		do {
			len = run_one(c, 0, k, val, FL_TAKEN, s < d->nr_targets ?
				      "migrated hit" : "migrated miss");
		} while (++k < len);
	}
}

/* CALL sites, 0..4 targets, every option and accounting, rel32 slow path */
START_TEST(exec_migrate)
{
	int nr, opts, acct, n = 0;
	struct cfg c;

	for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++)
		for (opts = 0; opts < NR_OPTS; opts++)
			for (acct = 0; acct < NR_ACCT; acct++) {
				memset(&c, 0, sizeof(c));
				make_desc(&c.d, step_regs[_i], nr, opts,
					  SLOW_REL32, acct);
				c.form = RELPOLINE_FORM_CALL;
				c.period = 1;
				c.step = true;
				c.stub_off = (u32)(n++ * 11 % 64);
				install(&c, 0x4);
				run_migrations(&c);
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
	struct rec_exp x;
	struct cfg c;
	char ctx[96];
	int cc, combo, b;

	memset(&c, 0, sizeof(c));
	make_desc(&c.d, R11, 1, 0, SLOW_REL32, ACCT_NONE);
	c.form = RELPOLINE_FORM_JCC;
	for (cc = 0; cc <= 15; cc++) {
		install(&c, (u8)cc);
		for (combo = 0; combo < 32; combo++) {
			u64 fl = FL_BASE;

			for (b = 0; b < 5; b++)
				if (combo & (1 << b))
					fl |= bits[b];
			snprintf(ctx, sizeof(ctx), "jcc cc=%d flags=%#" PRIx64,
				 cc, fl);
			set_inputs(R11, c.d.targets[0]);
			run(la(SITE_OFF), fl);
			if (cc_holds(cc, fl)) {
				rec_exp_init(&x, RELPOLINE_FORM_JCC);
				check_rec(T0, &x, ctx);
				check_only(1U << T0, ctx);
			} else {
				check_only(0, ctx);
			}
			check_after(ctx);
		}
	}
}
END_TEST

TCase *te_exec_tcase(void)
{
	TCase *tc = tcase_create("exec");

	tcase_add_checked_fixture(tc, exec_setup, exec_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, exec_all, 0, NR_VALID_REGS);
	tcase_add_test(tc, exec_jcc_cc);
	return tc;
}

/*
 * The single-stepped runs: a SIGTRAP for every instruction, most of the
 * suite's time (tagged "step": run_mutants.sh tries a mutant without
 * them first).
 */
TCase *te_exec_step_tcase(void)
{
	TCase *tc = tcase_create("exec_step");

	tcase_set_tags(tc, "step");
	tcase_add_checked_fixture(tc, exec_setup, exec_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, exec_step, 0,
			    (int)(sizeof(step_regs) / sizeof(step_regs[0])));
	tcase_add_loop_test(tc, exec_migrate, 0,
			    (int)(sizeof(step_regs) / sizeof(step_regs[0])));
	return tc;
}
