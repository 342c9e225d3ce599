// SPDX-License-Identifier: GPL-2.0
/*
 * rp_event_decode(): event fields are read by name with libtraceevent,
 * from synthetic formats and records, including formats that lack
 * fields (field names are not final on the kernel side).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "test_helpers.h"

#define COMMON \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

static const char fmt_promote[] =
	"name: relpoline_promote\nID: 1500\nformat:\n" COMMON
	"\tfield:unsigned int id;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] site;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] targets;\toffset:16;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"id=%u site=%s targets=%s\", REC->id, __get_str(site), __get_str(targets)\n";

/* an older/newer layout: no targets, no id */
static const char fmt_promote_lean[] =
	"name: relpoline_promote\nID: 1500\nformat:\n" COMMON
	"\tfield:__data_loc char[] site;\toffset:8;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"site=%s\", __get_str(site)\n";

static const char fmt_demote[] =
	"name: relpoline_demote\nID: 1501\nformat:\n" COMMON
	"\tfield:unsigned long site;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] reason;\toffset:16;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"site=%lx reason=%s\", REC->site, __get_str(reason)\n";

static const char fmt_retrain[] =
	"name: relpoline_retrain\nID: 1502\nformat:\n" COMMON
	"\tfield:unsigned int changed;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int batches;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 duration_ns;\toffset:16;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"changed=%u batches=%u duration=%llu\", REC->changed, REC->batches, REC->duration_ns\n";

static const char fmt_miss[] =
	"name: relpoline_miss\nID: 1503\nformat:\n" COMMON
	"\tfield:char site[32];\toffset:8;\tsize:32;\tsigned:0;\n"
	"\tfield:__data_loc char[] target;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 cgroup_id;\toffset:44;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"site=%s target=%s cgroup=%llu\", REC->site, __get_str(target), REC->cgroup_id\n";

static const char fmt_other[] =
	"name: relpoline_future\nID: 1504\nformat:\n" COMMON
	"\tfield:unsigned int x;\toffset:8;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"x=%u\", REC->x\n";

static struct tep_handle *new_tep(void)
{
	struct tep_handle *tep = tep_alloc();

	ck_assert_ptr_nonnull(tep);
	tep_set_long_size(tep, 8);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
	return tep;
}

static struct tep_event *add(struct tep_handle *tep, const char *fmt)
{
	struct tep_event *ev = NULL;

	ck_assert_int_eq(tep_parse_format(tep, &ev, fmt, strlen(fmt), "relpoline"), 0);
	ck_assert_ptr_nonnull(ev);
	return ev;
}

struct rec {
	unsigned char data[256];
	size_t len;
};

static void rec_init(struct rec *r, uint16_t type, size_t fixed)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->data, &type, 2);
	r->len = fixed;
}

static void put32(struct rec *r, size_t off, uint32_t v) { memcpy(r->data + off, &v, 4); }
static void put64(struct rec *r, size_t off, uint64_t v) { memcpy(r->data + off, &v, 8); }

/* append a string and store its __data_loc at off */
static void put_str(struct rec *r, size_t off, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(r->data + r->len, s, n);
	put32(r, off, (uint32_t)(n << 16 | r->len));
	r->len += n;
}

static void decode(struct tep_handle *tep, struct tep_event *ev, struct rec *r,
		   struct rp_event *out)
{
	struct tep_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.ts = 1234567890123ULL;
	rec.cpu = 1;
	rec.size = r->len;
	rec.data = r->data;
	rp_event_decode(tep, ev, &rec, out);
}

START_TEST(test_promote)
{
	struct tep_handle *tep = new_tep();
	struct tep_event *ev = add(tep, fmt_promote);
	struct rp_event out;
	struct rec r;

	rec_init(&r, 1500, 20);
	put32(&r, 8, 3);
	put_str(&r, 12, "ext4_file_read_iter+0x91/0x1c0");
	put_str(&r, 16, "generic_file_read_iter,ext4_dio_read_iter[ext4]");
	decode(tep, ev, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_PROMOTE);
	ck_assert_str_eq(out.name, "relpoline_promote");
	ck_assert_int_eq(out.site_id, 3);
	ck_assert_str_eq(out.site, "ext4_file_read_iter+0x91/0x1c0");
	ck_assert_str_eq(out.targets, "generic_file_read_iter,ext4_dio_read_iter[ext4]");
	ck_assert_uint_eq(out.ts, 1234567890123ULL);
	ck_assert_int_eq(out.cpu, 1);
	ck_assert_msg(strstr(out.info, "id=3 site=ext4_file_read_iter+0x91/0x1c0"), "info: %s", out.info);
	ck_assert_int_eq(out.changed, -1);
	tep_free(tep);
}
END_TEST

START_TEST(test_promote_missing_fields)
{
	struct tep_handle *tep = new_tep();
	struct tep_event *ev = add(tep, fmt_promote_lean);
	struct rp_event out;
	struct rec r;

	rec_init(&r, 1500, 12);
	put_str(&r, 8, "do_foo+0x10/0x20");
	decode(tep, ev, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_PROMOTE);
	ck_assert_int_eq(out.site_id, -1);
	ck_assert_str_eq(out.site, "do_foo+0x10/0x20");
	ck_assert_str_eq(out.targets, "");
	ck_assert_str_eq(out.info, "site=do_foo+0x10/0x20");
	tep_free(tep);
}
END_TEST

START_TEST(test_demote_address)
{
	struct tep_handle *tep = new_tep();
	struct tep_event *ev = add(tep, fmt_demote);
	struct rp_event out;
	struct rec r;

	rec_init(&r, 1501, 20);
	put64(&r, 8, 0xffffffff81234567ULL);
	put_str(&r, 16, "idle");
	decode(tep, ev, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_DEMOTE);
	ck_assert_str_eq(out.site, "0xffffffff81234567");	/* no symbols known */
	ck_assert_str_eq(out.reason, "idle");
	tep_free(tep);

	/* with symbols the address becomes symbol+offset */
	tep = new_tep();
	ck_assert_int_eq(tep_register_function(tep, "do_foo", 0xffffffff81234500ULL, NULL), 0);
	ck_assert_int_eq(tep_register_function(tep, "do_bar", 0xffffffff81235000ULL, NULL), 0);
	ev = add(tep, fmt_demote);
	decode(tep, ev, &r, &out);
	ck_assert_str_eq(out.site, "do_foo+0x67");
	tep_free(tep);
}
END_TEST

START_TEST(test_retrain_miss_other)
{
	struct tep_handle *tep = new_tep();
	struct tep_event *rt = add(tep, fmt_retrain);
	struct tep_event *ms = add(tep, fmt_miss);
	struct tep_event *ot = add(tep, fmt_other);
	struct rp_event out;
	struct rec r;

	rec_init(&r, 1502, 24);
	put32(&r, 8, 5);
	put32(&r, 12, 2);
	put64(&r, 16, 123456);
	decode(tep, rt, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_RETRAIN);
	ck_assert_int_eq(out.changed, 5);
	ck_assert_int_eq(out.batches, 2);
	ck_assert_int_eq(out.duration_ns, 123456);
	ck_assert_str_eq(out.info, "changed=5 batches=2 duration=123456");

	rec_init(&r, 1503, 52);
	memcpy(r.data + 8, "nf_hook_slow+0x43/0xc0", 23);
	put_str(&r, 40, "nft_do_chain[nf_tables]");
	put64(&r, 44, 77);
	decode(tep, ms, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_MISS);
	ck_assert_str_eq(out.site, "nf_hook_slow+0x43/0xc0");	/* fixed char array */
	ck_assert_str_eq(out.targets, "nft_do_chain[nf_tables]");
	ck_assert_int_eq(out.cgroup, 77);

	rec_init(&r, 1504, 12);
	put32(&r, 8, 9);
	decode(tep, ot, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_OTHER);
	ck_assert_str_eq(out.info, "x=9");
	tep_free(tep);
}
END_TEST

/* the layouts of include/trace/events/relpoline.h */
static const char fmt_k_promote[] =
	"name: relpoline_promote\nID: 1600\nformat:\n" COMMON
	"\tfield:unsigned long site;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int nr;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long targets[4];\toffset:24;\tsize:32;\tsigned:0;\n"
	"\tfield:bool pinned;\toffset:56;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"site=%pS nr=%u targets=%pS,%pS,%pS,%pS%s\", (void *)REC->site, REC->nr, "
	"(void *)REC->targets[0], (void *)REC->targets[1], (void *)REC->targets[2], "
	"(void *)REC->targets[3], REC->pinned ? \" pinned\" : \"\"\n";

static const char fmt_k_retrain[] =
	"name: relpoline_retrain\nID: 1601\nformat:\n" COMMON
	"\tfield:unsigned int changed;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int batches;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long ipi_rounds;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 duration_us;\toffset:24;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"changed=%u batches=%u ipi_rounds=%lu duration_us=%llu\", REC->changed, "
	"REC->batches, REC->ipi_rounds, REC->duration_us\n";

static const char fmt_k_miss[] =
	"name: relpoline_miss\nID: 1602\nformat:\n" COMMON
	"\tfield:unsigned long site;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long target;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 cgroup;\toffset:24;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"site=%pS target=%pS cgroup=%llu\", (void *)REC->site, (void *)REC->target, REC->cgroup\n";

START_TEST(test_kernel_layouts)
{
	struct tep_handle *tep = new_tep();
	struct tep_event *pr, *rt, *ms;
	struct rp_event out;
	struct rec r;

	ck_assert_int_eq(tep_register_function(tep, "generic_file_read_iter", 0xffffffff81300000ULL, NULL), 0);
	ck_assert_int_eq(tep_register_function(tep, "vfs_read", 0xffffffff81301000ULL, NULL), 0);
	ck_assert_int_eq(tep_register_function(tep, "ext4_file_read_iter", 0xffffffffc0a00000ULL, "ext4"), 0);
	ck_assert_int_eq(tep_register_function(tep, "ext4_dio_read_iter", 0xffffffffc0a01000ULL, "ext4"), 0);
	ck_assert_int_eq(tep_register_function(tep, "ext4_end", 0xffffffffc0a02000ULL, "ext4"), 0);
	pr = add(tep, fmt_k_promote);
	rt = add(tep, fmt_k_retrain);
	ms = add(tep, fmt_k_miss);

	rec_init(&r, 1600, 64);
	put64(&r, 8, 0xffffffffc0a00091ULL);
	put32(&r, 16, 2);
	put64(&r, 24, 0xffffffff81300000ULL);
	put64(&r, 32, 0xffffffffc0a01000ULL);
	r.data[56] = 1;
	decode(tep, pr, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_PROMOTE);
	ck_assert_str_eq(out.site, "ext4_file_read_iter+0x91");
	ck_assert_str_eq(out.targets, "generic_file_read_iter,ext4_dio_read_iter");
	ck_assert_int_eq(out.pinned, 1);
	ck_assert_int_eq(out.site_id, -1);

	/* nr limits the slots read even if stale values follow */
	put32(&r, 16, 1);
	r.data[56] = 0;
	decode(tep, pr, &r, &out);
	ck_assert_str_eq(out.targets, "generic_file_read_iter");
	ck_assert_int_eq(out.pinned, 0);

	rec_init(&r, 1601, 32);
	put32(&r, 8, 12);
	put32(&r, 12, 3);
	put64(&r, 16, 9);
	put64(&r, 24, 850);
	decode(tep, rt, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_RETRAIN);
	ck_assert_int_eq(out.changed, 12);
	ck_assert_int_eq(out.batches, 3);
	ck_assert_int_eq(out.ipi_rounds, 9);
	ck_assert_int_eq(out.duration_ns, 850000);

	rec_init(&r, 1602, 32);
	put64(&r, 8, 0xffffffff81301010ULL);
	put64(&r, 16, 0xffffffffc0a01000ULL);
	put64(&r, 24, 4242);
	decode(tep, ms, &r, &out);
	ck_assert_int_eq(out.type, RP_EV_MISS);
	ck_assert_str_eq(out.site, "vfs_read+0x10");
	ck_assert_str_eq(out.targets, "ext4_dio_read_iter");
	ck_assert_int_eq(out.cgroup, 4242);
	tep_free(tep);
}
END_TEST

START_TEST(test_events_open_fake)
{
	enum rp_open_err why;
	char msg[256], emsg[256];
	struct rp_ctx *ctx = rp_open(FIX("tracing"), &why, msg, sizeof(msg));

	ck_assert_ptr_nonnull(ctx);
	/* a tree of regular files has no ring buffer: a clear refusal */
	ck_assert_ptr_null(rp_events_open(ctx, RP_EV_RETRAIN, emsg, sizeof(emsg)));
	ck_assert_msg(strstr(emsg, "not a tracefs mount"), "%s", emsg);
	rp_close(ctx);
}
END_TEST

Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_promote);
	tcase_add_test(tc, test_promote_missing_fields);
	tcase_add_test(tc, test_demote_address);
	tcase_add_test(tc, test_retrain_miss_other);
	tcase_add_test(tc, test_kernel_layouts);
	tcase_add_test(tc, test_events_open_fake);
	suite_add_tcase(s, tc);
	return s;
}
