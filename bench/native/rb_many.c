// SPDX-License-Identifier: GPL-2.0
/*
 * The many-site pattern of the native benchmark (issue 11): 4,096
 * distinct call sites in straight-line code, each monomorphic, their
 * targets spread over 64 functions, every site executed once per pass.  A
 * single-site loop hides what sharing one indirect branch costs (its
 * prediction); this pattern shows it (shared/reference/btb).
 *
 * Each variant is one block of code in the low RWX area: per site
 * "mov $target, %eax" and the 5 bytes of the site, then "ret".  Per
 * spectre_v2 mode, the site is laid out:
 *   up     as upstream's patch_retpoline() leaves it (idle relpoline sites
 *          keep exactly these bytes);
 *   idle   the same bytes again, in another block: the relpoline idle
 *          layout, measured apart to show the noise between two copies;
 *   old    the old relpoline idle layout: a call to one shared thunk;
 *   hit    a call to the site's own stub (real encoder bytes) with the
 *          site's target promoted, misses counted, sampling armed;
 *   hitc   the same with hits counted (push/pop of the counter pointer);
 *   miss   a call to a stub whose one target is never the site's: count,
 *          countdown, the mode's slow path.
 * Modes: off (also eIBRS, IBRS: "call *%rax; nop3", slow path "jmp *%rax"
 * in the stub), lfence (retpoline,lfence: "lfence; call *%rax", slow path
 * "lfence; jmp *%rax"), retpoline (call __x86_indirect_thunk_rax, slow
 * path a jmp to it), its (eIBRS with ITS: "call *%rax" where its last byte
 * is in the upper half of a cache line, else a call to a per-site ITS
 * thunk as its_allocate_thunk() makes them; the stub's jmp is ITS-safe),
 * stuff (retbleed=stuff: call __x86_indirect_call_thunk_rax = accounting
 * + retpoline; hits jump to the target's call thunk, the sample call is
 * accounted).  "direct" calls each target directly: the floor.
 *
 * The stubs are placed in 32-byte granules as the kernel allocates them;
 * each has its own counter block, addressed as %gs:ctr_base.  After
 * every measurement every stub's counters are checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/relpoline_encode.h>
#include "rb.h"
#include "rb_many.h"
#include "rp_lowmap.h"

#define NR_SITES	4096
#define NR_FUNCS	64
#define SITE_BYTES	10	/* mov $imm32, %eax; 5-byte site */

/* The low area of the many-site pattern */
#define MANY_WANT	0x40000000UL
#define MANY_SIZE	(16UL << 20)
#define OFF_FUNCS	0x0000	/* NR_FUNCS x 64 bytes */
#define FUNC_ENTRY	0x20	/* call thunk (accounting) at 0x16 */
#define OFF_RETPOLINE	0x1000	/* __x86_indirect_thunk_rax */
#define OFF_JMP		0x1040	/* shared "jmp *%rax; int3" */
#define OFF_LFENCE_JMP	0x1080	/* shared "lfence; jmp *%rax; int3" */
#define OFF_ITS_JMP	0x10e0	/* shared ITS-safe "jmp *%rax; int3" */
#define OFF_DEPTH_THK	0x1100	/* __x86_indirect_call_thunk_rax */
#define OFF_SAMPLE	0x1140	/* the sample function: never called */
#define OFF_ITS_PAGES	0x2000	/* per-site ITS thunks: upstream's */
#define OFF_ITS_PAGES2	0x12000	/* and the idle copy's, laid out alike */
#define ITS_PAGES_SIZE	0x10000
#define OFF_BLOCKS	0x30000
#define BLOCK_SIZE	0x10000
#define OFF_STUBS	0x400000

enum { M_OFF, M_LFENCE, M_RETPOLINE, M_ITS, M_STUFF, NR_MODES, M_NONE };
enum { L_UP, L_IDLE, L_OLD, L_HIT, L_HITC, L_MISS, NR_LAYOUTS, L_DIRECT };

static const char *const mode_names[] = {
	"off", "lfence", "retpoline", "its", "stuff",
};
static const char *const layout_names[] = {
	"up", "idle", "old", "hit", "hitc", "miss",
};

struct mcfg {
	int mode, layout;
	u8 *block;
	struct rp_ctr_block *ctr;	/* one per site, NULL without stubs */
	u64 stub_bytes;			/* the stubs' slots, in total */
};

#define NR_MCFG (NR_MODES * NR_LAYOUTS + 1)

static struct mcfg mcfg[NR_MCFG];
static u8 *area;
static u32 its_base = OFF_ITS_PAGES, its_offset = 32;
static u32 stub_cursor = OFF_STUBS;
static u8 site_func[NR_SITES];
static u8 *gs;

static u64 at(u32 off)
{
	return (u64)(uintptr_t)(area + off);
}

static u64 func_entry(int f)
{
	return at(OFF_FUNCS + 64 * f + FUNC_ENTRY);
}

/* sarq $5, %gs:GS_DEPTH */
static u8 *account(u8 *p)
{
	static const u8 sar[] = { 0x65, 0x48, 0xc1, 0x3c, 0x25 };
	u32 disp = GS_DEPTH;

	p = rb_put(p, sar, sizeof(sar));
	p = rb_put(p, &disp, 4);
	*p++ = 5;
	return p;
}

/* Functions, call thunks and the shared thunks */
static void put_fixed(const u8 *thunk, int thunk_len)
{
	static const u8 jmp[] = { 0xff, 0xe0, 0xcc };
	static const u8 lfence_jmp[] = { 0x0f, 0xae, 0xe8, 0xff, 0xe0, 0xcc };
	int f;

	for (f = 0; f < NR_FUNCS; f++) {
		u8 *entry = area + OFF_FUNCS + 64 * f + FUNC_ENTRY;

		account(entry - 10);	/* the call thunk */
		entry[0] = 0xc3;	/* ret */
	}
	rb_put(area + OFF_RETPOLINE, thunk, thunk_len);
	rb_put(area + OFF_JMP, jmp, sizeof(jmp));
	rb_put(area + OFF_LFENCE_JMP, lfence_jmp, sizeof(lfence_jmp));
	rb_put(area + OFF_ITS_JMP, jmp, sizeof(jmp));
	rb_rel32(account(area + OFF_DEPTH_THK), 0xe9, at(OFF_RETPOLINE));
	area[OFF_SAMPLE] = 0xc3;
}

/* its_allocate_thunk(): "jmp *%rax; int3", the jmp in an upper half */
static u64 its_thunk(void)
{
	const u32 size = 3;
	u64 t;

	if ((its_offset + size - 1) % 64 < 32)
		its_offset = ((its_offset - 1) | 0x3f) + 33;
	if (its_offset + size > ITS_PAGES_SIZE)
		die("ITS thunk pages full");
	t = at(its_base + its_offset);
	rb_put(area + its_base + its_offset, "\xff\xe0\xcc", 3);
	its_offset += size;
	return t;
}

/* The 5 bytes upstream boot patching leaves at a site at @p in @mode */
static void upstream_site(u8 *p, int mode)
{
	static const u8 lfence_call[] = { 0x0f, 0xae, 0xe8, 0xff, 0xd0 };
	u64 s = (u64)(uintptr_t)p;

	switch (mode) {
	case M_OFF:
		rb_put(p, RB_CALL_RAX_NOP3, 5);
		break;
	case M_LFENCE:
		rb_put(p, lfence_call, 5);
		break;
	case M_RETPOLINE:
		rb_rel32(p, 0xe8, at(OFF_RETPOLINE));
		break;
	case M_ITS:	/* cpu_wants_indirect_its_thunk_at(s, rax) */
		if ((s + 1) & 0x20)
			rb_put(p, RB_CALL_RAX_NOP3, 5);
		else
			rb_rel32(p, 0xe8, its_thunk());
		break;
	default:
		rb_rel32(p, 0xe8, at(OFF_DEPTH_THK));
		break;
	}
}

/* The thunk the old relpoline idle layout called in @mode */
static u64 old_thunk(int mode)
{
	static const u32 off[NR_MODES] = {
		OFF_JMP, OFF_LFENCE_JMP, OFF_RETPOLINE, OFF_ITS_JMP,
		OFF_DEPTH_THK,
	};

	return at(off[mode]);
}

/* The stub of site @i for @c at the next free granules; returns it */
static u64 make_stub(const struct mcfg *c, int i)
{
	int f = site_func[i], t = c->layout == L_MISS ? (f + 1) % NR_FUNCS : f;
	struct rp_stub_desc d = { 0 };

	d.reg = RP_REG_RAX;
	d.nr_targets = 1;
	d.targets[0] = func_entry(t);
	d.dests[0] = d.targets[0] - (c->mode == M_STUFF ? 10 : 0);
	d.count_hits = c->layout == L_HITC;
	d.count_misses = true;
	d.sample = true;
	d.sample_fn = at(OFF_SAMPLE);
	d.sample_account = c->mode == M_STUFF;
	d.call_depth = GS_DEPTH;
	d.ctr_base = rb_ctr_base(&c->ctr[i], gs);
	d.slow_kind = c->mode == M_RETPOLINE || c->mode == M_STUFF ?
		      RP_SLOW_REL32 : RP_SLOW_INDIRECT;
	d.slow_target = old_thunk(c->mode);
	d.slow_lfence = c->mode == M_LFENCE;
	d.its_safe = c->mode == M_ITS;
	return rb_place_stub(&d, area, &stub_cursor, MANY_SIZE, NULL, "many-site");
}

/* Emit @c's block: every site as @c's layout has it */
static void make_block(struct mcfg *c)
{
	u8 *p = c->block;
	u32 cursor0 = stub_cursor;
	int i;

	/* the idle copy is upstream's layout again, as in another boot */
	if (c->layout == L_UP || c->layout == L_IDLE) {
		its_base = c->layout == L_UP ? OFF_ITS_PAGES : OFF_ITS_PAGES2;
		its_offset = 32;
	}
	for (i = 0; i < NR_SITES; i++, p += SITE_BYTES) {
		u32 tgt = (u32)func_entry(site_func[i]);

		p[0] = 0xb8;			/* mov $tgt, %eax */
		memcpy(p + 1, &tgt, 4);
		switch (c->layout) {
		case L_UP:
		case L_IDLE:
			upstream_site(p + 5, c->mode);
			break;
		case L_OLD:
			rb_rel32(p + 5, 0xe8, old_thunk(c->mode));
			break;
		case L_DIRECT:
			rb_rel32(p + 5, 0xe8, tgt);
			break;
		default:
			rb_rel32(p + 5, 0xe8, make_stub(c, i));
			break;
		}
	}
	*p = 0xc3;
	c->stub_bytes = stub_cursor - cursor0;
}

/*
 * The idle copy holds upstream's bytes: the same instruction at every
 * site, calling the same shared thunk or a per-site ITS thunk of the same
 * bytes.
 */
static void check_idle(const struct mcfg *up, const struct mcfg *idle)
{
	int i;

	for (i = 0; i < NR_SITES; i++) {
		const u8 *a = up->block + i * SITE_BYTES + 5;
		const u8 *b = idle->block + i * SITE_BYTES + 5;
		s32 ra, rb;

		if (a[0] != 0xe8) {
			if (memcmp(a, b, 5))
				die("idle layout differs from upstream");
			continue;
		}
		memcpy(&ra, a + 1, 4);
		memcpy(&rb, b + 1, 4);
		if (b[0] != 0xe8 || memcmp(a + 5 + ra, b + 5 + rb, 3))
			die("idle layout calls another thunk than upstream");
	}
}

void rb_many_setup(u8 *gs_area, const u8 *thunk, int thunk_len)
{
	int m, l, i, n = 0;
	u64 x = 0x2545f4914f6cdd1dULL;

	gs = gs_area;
	*(u64 *)(gs + GS_DEPTH) = 1ULL << 63;
	area = rp_map_low_rwx(MANY_WANT, MANY_SIZE);
	if (!area)
		die("cannot map the many-site area below 2 GiB");
	for (i = 0; i < NR_SITES; i++) {
		x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
		site_func[i] = (u8)((x * 0x2545f4914f6cdd1dULL) >> 58);
	}
	put_fixed(thunk, thunk_len);
	for (m = 0; m <= NR_MODES; m++) {
		for (l = 0; l < NR_LAYOUTS; l++) {
			struct mcfg *c = &mcfg[n];

			c->mode = m < NR_MODES ? m : M_NONE;
			c->layout = m < NR_MODES ? l : L_DIRECT;
			c->block = area + OFF_BLOCKS + n * BLOCK_SIZE;
			if (c->layout >= L_HIT && c->layout < NR_LAYOUTS) {
				c->ctr = aligned_alloc(64, NR_SITES * sizeof(*c->ctr));
				if (!c->ctr)
					die("counter blocks");
			}
			make_block(c);
			n++;
			if (m == NR_MODES)
				break;
		}
	}
	for (m = 0; m < NR_MODES; m++)
		check_idle(&mcfg[m * NR_LAYOUTS + L_UP],
			   &mcfg[m * NR_LAYOUTS + L_IDLE]);
}

int rb_many_count(void)
{
	return NR_MCFG;
}

void rb_many_print_configs(void)
{
	int i;

	printf("meta,many_sites,%d\n", NR_SITES);
	printf("meta,many_funcs,%d\n", NR_FUNCS);
	for (i = 0; i < NR_MCFG; i++) {
		const struct mcfg *c = &mcfg[i];

		printf("mconfig,%d,%s,%s,%.1f\n", i,
		       c->mode == M_NONE ? "none" : mode_names[c->mode],
		       c->layout == L_DIRECT ? "direct" : layout_names[c->layout],
		       (double)c->stub_bytes / NR_SITES);
	}
}

/* Every stub's counters after @passes passes */
static void check(const struct mcfg *c, u64 passes)
{
	int i;

	for (i = 0; c->ctr && i < NR_SITES; i++) {
		const struct rp_ctr_block *b = &c->ctr[i];
		u64 misses = c->layout == L_MISS ? passes : 0;
		u64 hits = c->layout == L_HITC ? passes : 0, samples;
		u32 cd = rb_countdown_after(RB_NEVER, RB_NEVER, misses, &samples);

		if (b->misses != misses || b->hits[0] != hits ||
		    b->countdown != cd || samples) {
			fprintf(stderr, "relbench: many-site %s/%s stub %d: misses %llu hits %llu countdown %u\n",
				mode_names[c->mode], layout_names[c->layout], i,
				(unsigned long long)b->misses,
				(unsigned long long)b->hits[0], b->countdown);
			exit(1);
		}
	}
}

double rb_many_measure(int id, int passes, int *nclean, double *best)
{
	const struct mcfg *c = &mcfg[id];
	void (*block)(void) = (void (*)(void))(uintptr_t)c->block;
	struct chunked ch = { .n = 0 };
	long sw0, sw1;
	u64 t0, t1, min = ~0ULL;
	int i;

	for (i = 0; c->ctr && i < NR_SITES; i++) {
		memset(&c->ctr[i], 0, sizeof(c->ctr[i]));
		c->ctr[i].countdown = RB_NEVER;
	}
	block();	/* warm up, counted */
	block();
	for (i = 0; i < passes; i++) {
		sw0 = switches();
		t0 = tsc_begin();
		block();
		t1 = tsc_end();
		sw1 = switches();
		chunk_add(&ch, (double)(t1 - t0) / NR_SITES, sw0, sw1);
		if (t1 - t0 < min)
			min = t1 - t0;
	}
	check(c, passes + 2);
	*best = (double)min / NR_SITES;
	return chunk_median(&ch, nclean);
}
