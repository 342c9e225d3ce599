// SPDX-License-Identifier: GPL-2.0
/*
 * Stub sizes, and every error case of rp_stub_size(), rp_encode_stub() and
 * rp_encode_site(): the error code, its precedence, and nothing written.
 */
#include <string.h>

#include "te.h"

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
	/*
	 * counting and sampling: push, movabs (1+10), 4 * (cmp, jne, incq
	 * %gs:, pop, jmp: 7+2+5+1+5), incq %gs:, decl %gs:, jg, call
	 * (4+4+2+5), pop (1), lfence, jmp *%r15, int3 (3+3+1)
	 */
	memset(&d, 0, sizeof(d));
	d.reg = 15;
	d.nr_targets = 4;
	d.count_hits = d.count_misses = d.sample = true;
	d.slow_kind = RP_SLOW_INDIRECT;
	d.slow_lfence = true;
	ck_assert_int_eq(rp_stub_size(&d), 11 + 4 * 20 + 15 + 1 + 7);
}
END_TEST

/* A hit of target @i compares @t and jumps to @t */
static void set_target(struct rp_stub_desc *d, int i, u64 t)
{
	d->targets[i] = t;
	d->dests[i] = t;
}

/* Every feature on: counting, sampling, call depth accounting */
static void valid_desc(struct rp_stub_desc *d)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->stub_addr = 0xffffffffc0a01000ULL;
	d->reg = R11;
	d->nr_targets = RELPOLINE_MAX_TARGETS;
	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++) {
		set_target(d, i, 0xffffffff81000000ULL + 0x1000 * i);
		d->dest_account[i] = true;
	}
	d->count_hits = d->count_misses = d->sample = true;
	d->sample_fn = 0xffffffff81200000ULL;
	d->sample_account = true;
	d->call_depth = 0x2c238;
	d->ctr_base = 0x00003ee7bfc01230ULL;
	d->slow_kind = RP_SLOW_REL32;
	d->slow_target = 0xffffffff81e00000ULL;
}

/*
 * rp_encode_stub(@d) must fail with @err and leave the buffer and the
 * layout alone
 */
static void expect_stub_err(const struct rp_stub_desc *d, u32 size, int err,
			    const char *what)
{
	u8 buf[256], ref[256];
	struct rp_stub_layout l, lref;
	int ret;

	memset(buf, 0x5c, sizeof(buf));
	memcpy(ref, buf, sizeof(buf));
	memset(&l, 0x5c, sizeof(l));
	memcpy(&lref, &l, sizeof(l));
	ret = rp_encode_stub(d, buf, size, &l);
	EXPECT(ret == err, "%s: got %d expected %d", what, ret, err);
	EXPECT(!memcmp(buf, ref, sizeof(buf)), "%s: buffer written",
		      what);
	EXPECT(!memcmp(&l, &lref, sizeof(l)), "%s: layout written", what);
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
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf), NULL), size);

	/* registers */
	for (r = 0; r < 256; r++) {
		d.reg = (u8)r;
		if (r == RSP || r > 15)
			expect_stub_err(&d, sizeof(buf), -EINVAL, "bad reg");
		else
			ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf), NULL),
					 rp_stub_size(&d));
	}

	valid_desc(&d);
	d.nr_targets = 5;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "nr_targets 5");
	d.nr_targets = 255;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "nr_targets 255");

	/* immediates that are not sign-extended imm32 */
	valid_desc(&d);
	set_target(&d, 3, 0xffffffff7fffffffULL);
	expect_stub_err(&d, sizeof(buf), -EINVAL, "target below -2G");
	set_target(&d, 3, 0x80000000ULL);
	expect_stub_err(&d, sizeof(buf), -EINVAL, "target 2G");
	set_target(&d, 3, 0x00007fff81000000ULL);
	expect_stub_err(&d, sizeof(buf), -EINVAL, "user target");
	/* ...but unused slots are ignored */
	d.nr_targets = 3;
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf), NULL), 0);

	valid_desc(&d);
	d.slow_kind = (enum rp_slow_kind)2;
	expect_stub_err(&d, sizeof(buf), -EINVAL, "slow kind");

	/* reach: every rel32 of the stub */
	valid_desc(&d);
	set_target(&d, 2, 0x40000000ULL);	/* valid imm, 2^64-ish away */
	expect_stub_err(&d, sizeof(buf), -ERANGE, "hit jmp reach");
	d.count_hits = false;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "accounted jmp reach");
	d.dest_account[2] = false;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "je reach");
	/* the reach is the dest's, whatever the target compared */
	valid_desc(&d);
	d.dests[1] = 0x40000000ULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "dest reach, counted");
	d.count_hits = false;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "dest reach, accounted");
	d.dest_account[1] = false;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "dest reach, je");
	d.dests[1] = 0xffffffff81200000ULL;
	d.targets[1] = 0x40000000ULL;
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf), NULL), 0);
	valid_desc(&d);
	d.sample_fn = 0xffffffff40000000ULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "sample_fn reach");
	d.sample = false;
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf), NULL), 0);
	valid_desc(&d);
	d.slow_target = 0x1000ULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "slow reach");
	d.slow_kind = RP_SLOW_INDIRECT;	/* slow_target unused */
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf), NULL), 0);

	/* low stub, target more than 2 GiB away */
	memset(&d, 0, sizeof(d));
	d.stub_addr = 0x1000;
	d.reg = 0;
	d.nr_targets = 1;
	set_target(&d, 0, 0xffffffff81000000ULL);
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
	set_target(&d, 0, 0x1000);
	d.slow_target = 0xfffffffff0001000ULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "je wraps");
	set_target(&d, 0, 0xfffffffff0002000ULL);
	d.slow_target = 0x1000;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "slow jmp wraps");
	/* stub itself crossing the top of the address space */
	d.slow_target = 0xfffffffff0001000ULL;
	ck_assert_int_gt(rp_encode_stub(&d, buf, sizeof(buf), NULL), 0);
	d.stub_addr = 0xfffffffffffffff8ULL;
	set_target(&d, 0, 0xfffffffffffff000ULL);
	d.slow_target = 0x10;	/* in reach of the wrapped end */
	expect_stub_err(&d, sizeof(buf), -ERANGE, "stub wraps");
	/* no rel32 at all: jmp *%rbx; int3 */
	d.nr_targets = 0;
	d.slow_kind = RP_SLOW_INDIRECT;
	d.stub_addr = 0xfffffffffffffff0ULL;
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf), NULL), 3);
	d.stub_addr = 0xfffffffffffffffeULL;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "indirect stub wraps");

	/* exact reach boundaries of the final jmp rel32 */
	memset(&d, 0, sizeof(d));
	d.stub_addr = 0x1000;
	d.reg = 1;
	d.slow_target = 0x1005 + 0x7fffffffULL;
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf), NULL), 5);
	ck_assert_uint_eq(buf[0], 0xe9);
	ck_assert_uint_eq(buf[1] | buf[2] << 8 | buf[3] << 16 |
			  (u32)buf[4] << 24, 0x7fffffffU);
	d.slow_target++;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "+2G");
	d.stub_addr = 0x90000000ULL;
	d.slow_target = 0x90000005ULL - 0x80000000ULL;
	ck_assert_int_eq(rp_encode_stub(&d, buf, sizeof(buf), NULL), 5);
	ck_assert_uint_eq(buf[1] | buf[2] << 8 | buf[3] << 16 |
			  (u32)buf[4] << 24, 0x80000000U);
	d.slow_target--;
	expect_stub_err(&d, sizeof(buf), -ERANGE, "-2G-1");

	/* buffer size */
	valid_desc(&d);
	size = rp_stub_size(&d);
	expect_stub_err(&d, size - 1, -ENOSPC, "size - 1");
	expect_stub_err(&d, 0, -ENOSPC, "size 0");
	ck_assert_int_eq(rp_encode_stub(&d, NULL, sizeof(buf), NULL), -ENOSPC);
	ck_assert_int_eq(rp_encode_stub(&d, buf, size, NULL), size);
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

/*
 * RP_STUB_MAX_SIZE is the largest stub: every register, number of
 * targets, option, accounting, slow path and (ITS) address mod 64
 */
START_TEST(stub_max_size)
{
	struct rp_stub_desc d;
	int r, nr, bits, kind, off, size, max = 0;

	for (r = 0; r < NR_VALID_REGS; r++)
		for (nr = 0; nr <= RELPOLINE_MAX_TARGETS; nr++)
			for (bits = 0; bits < 64; bits++)
				for (kind = 0; kind < 4; kind++)
					for (off = 0; off < 64; off++) {
						valid_desc(&d);
						d.stub_addr += off;
						d.reg = valid_regs[r];
						d.nr_targets = (u8)nr;
						d.count_hits = bits & 1;
						d.count_misses = bits & 2;
						d.sample = bits & 4;
						d.sample_account = bits & 8;
						memset(d.dest_account, bits & 16,
						       sizeof(d.dest_account));
						d.its_safe = bits & 32;
						d.slow_kind = kind ?
							RP_SLOW_INDIRECT :
							RP_SLOW_REL32;
						d.slow_lfence = kind & 2;
						size = rp_stub_size(&d);
						EXPECT(size > 0, "size %d", size);
						if (size > max)
							max = size;
						if (!d.its_safe || !kind)
							break;
					}
	ck_assert_int_eq(max, RP_STUB_MAX_SIZE);
}
END_TEST

TCase *te_errors_tcase(void)
{
	TCase *tc = tcase_create("errors");

	tcase_add_test(tc, stub_sizes);
	tcase_add_test(tc, stub_max_size);
	tcase_add_test(tc, stub_errors);
	tcase_add_test(tc, site_errors);
	return tc;
}
