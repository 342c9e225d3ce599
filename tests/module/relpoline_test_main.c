// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline test module: known indirect branch sites driven from
 * userspace through /sys/kernel/debug/relpoline_test/.
 *
 *   sites     r  this module's sites: "addr form reg stubbed targets..."
 *   run       w  "N PATTERN": N calls through every harness site, targets
 *                 taken in turn from PATTERN (letters a-h name rpt_t_a..h);
 *                 every result is checked (write fails with EIO otherwise)
 *   promote   w  "TARGETS" (e.g. "ab") or "off": stub every site of this
 *                 module with those targets (hit counting on)
 *   counts    r  hits and misses summed over this module's sites
 *   sort      w  "N": sort N arrays through lib/sort.c, whose compare call
 *                 site is a vmlinux site; "promote" / "off" as first word
 *                 promotes that site to this module's compare function
 *   kernel    w  "wrong": stub every vmlinux site with a target no caller
 *                 uses (rpt_never), so every call takes the slow path;
 *                 "restore": restore every site; "verify": compare every
 *                 unstubbed site with its idle bytes; "foreign": count
 *                 stubbed sites with a target outside live text
 *             r  the last result, as "key=value" pairs
 *   warn      w  any: WARN() once, so the harness can check that a kernel
 *                 warning fails a guest run
 *   kprobe    w  "on" / "off": a kprobe on rpt_call_r12's site, a 6-byte
 *                 CS-prefixed CALL (kprobe_events cannot probe this
 *                 assembler function: it has no fentry, so it is notrace)
 *             r  "hits=N on=0|1": the calls the kprobe saw
 */
#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/relpoline.h>

typedef long (*rpt_fn_t)(long);

#define RPT_TARGET(c, k)					\
	static noinline long rpt_t_##c(long x)			\
	{							\
		return x * 16 + (k);				\
	}
RPT_TARGET(a, 1)
RPT_TARGET(b, 2)
RPT_TARGET(c, 3)
RPT_TARGET(d, 4)
RPT_TARGET(e, 5)
RPT_TARGET(f, 6)
RPT_TARGET(g, 7)
RPT_TARGET(h, 8)

static const rpt_fn_t rpt_targets[8] = {
	rpt_t_a, rpt_t_b, rpt_t_c, rpt_t_d, rpt_t_e, rpt_t_f, rpt_t_g, rpt_t_h,
};

static noinline long rpt_never(long x)
{
	return x ^ 0x5a5a;
}

/*
 * Called directly only, never through a pointer: with IBT its ENDBR is
 * sealed at load, so relpoline refuses it as a target (errors-control.tc).
 */
long rpt_direct_only(long x);
noinline long rpt_direct_only(long x)
{
	return x + 1;
}

/* Sites in the assembler file, on chosen registers and forms. */
long rpt_call_rbx(rpt_fn_t fn, long x);
long rpt_call_rbp(rpt_fn_t fn, long x);
long rpt_call_r12(rpt_fn_t fn, long x);
long rpt_call_r15(rpt_fn_t fn, long x);
long rpt_tail_rcx(rpt_fn_t fn, long x);
long rpt_tail_r10(rpt_fn_t fn, long x);
long rpt_tail_r11(rpt_fn_t fn, long x);

/* And compiler-generated ones. */
static noinline long rpt_c_call(rpt_fn_t fn, long x)
{
	return fn(x) + 1;
}

static noinline long rpt_c_tail(rpt_fn_t fn, long x)
{
	return fn(x);
}

static const struct {
	long (*h)(rpt_fn_t fn, long x);
	long extra;
} rpt_harness[] = {
	{ rpt_call_rbx, 1 }, { rpt_call_rbp, 1 }, { rpt_call_r12, 1 },
	{ rpt_call_r15, 1 }, { rpt_tail_rcx, 0 }, { rpt_tail_r10, 0 },
	{ rpt_tail_r11, 0 }, { rpt_c_call, 1 }, { rpt_c_tail, 0 },
};

static unsigned long rpt_harness_size[ARRAY_SIZE(rpt_harness)];
static char rpt_result[256];
static DEFINE_MUTEX(rpt_mutex);

/* The harness sites: those inside the functions of rpt_harness[]. */
static int rpt_is_mine(struct relpoline_site *s)
{
	unsigned int i;

	if (s->mod != THIS_MODULE || s->refused)
		return 0;
	for (i = 0; i < ARRAY_SIZE(rpt_harness); i++)
		if (s->addr - (unsigned long)rpt_harness[i].h < rpt_harness_size[i])
			return 1;
	return 0;
}

struct rpt_walk {
	struct relpoline_req *reqs;
	unsigned int n, max;
	struct seq_file *m;
	u64 hits, misses;
	unsigned int mismatch, foreign, stubbed, refused, all;
	bool vmlinux;
	u8 nr;
	unsigned long targets[RELPOLINE_MAX_TARGETS];
	bool stub;
};

static int rpt_collect(struct relpoline_site *s, void *data)
{
	struct rpt_walk *w = data;
	struct relpoline_req *r;

	if (w->vmlinux ? (s->mod || s->refused) : !rpt_is_mine(s))
		return 0;
	if (!w->stub && !s->stub)
		return 0;
	if (w->n == w->max)
		return -ENOSPC;
	r = &w->reqs[w->n++];
	r->site = s;
	r->stub = w->stub;
	r->nr_targets = w->nr;
	memcpy(r->targets, w->targets, sizeof(r->targets));
	r->count_hits = true;
	return 0;
}

static int rpt_apply_walk(struct rpt_walk *w, unsigned int *failed, unsigned long *ipis)
{
	struct relpoline_stats s0, s1;
	int ret;

	w->max = 1 << 17;
	w->reqs = kvcalloc(w->max, sizeof(*w->reqs), GFP_KERNEL);
	if (!w->reqs)
		return -ENOMEM;
	relpoline_get_stats(&s0);
	relpoline_lock();
	ret = relpoline_walk_sites(rpt_collect, w);
	if (!ret)
		ret = relpoline_apply(w->reqs, w->n);
	relpoline_unlock();
	relpoline_get_stats(&s1);
	if (ret > 0) {
		*failed = ret;
		ret = 0;
	}
	*ipis = s1.ipi_rounds - s0.ipi_rounds;
	kvfree(w->reqs);
	return ret;
}

static int rpt_sites_show(struct seq_file *m, void *v);

static unsigned long rpt_func_start(unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rpt_harness); i++)
		if (addr - (unsigned long)rpt_harness[i].h < rpt_harness_size[i])
			return (unsigned long)rpt_harness[i].h;
	return addr;
}

static int rpt_show_one(struct relpoline_site *s, void *data)
{
	struct rpt_walk *w = data;
	unsigned long t[RELPOLINE_MAX_TARGETS];
	unsigned int n, i;

	if (!rpt_is_mine(s))
		return 0;
	n = relpoline_site_targets(s, t, NULL);
	seq_printf(w->m, "%ps+0x%lx %s %u %d", (void *)s->addr, s->addr - rpt_func_start(s->addr),
		   s->form == RELPOLINE_FORM_CALL ? "call" :
		   s->form == RELPOLINE_FORM_JMP ? "jmp" : "jcc", s->reg, !!s->stub);
	seq_printf(w->m, " len=%u", s->len);
	for (i = 0; i < n; i++)
		seq_printf(w->m, " %ps", (void *)t[i]);
	seq_putc(w->m, '\n');
	return 0;
}

static int rpt_sites_show(struct seq_file *m, void *v)
{
	struct rpt_walk w = { .m = m };

	relpoline_lock();
	relpoline_walk_sites(rpt_show_one, &w);
	relpoline_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rpt_sites);

static int rpt_count_one(struct relpoline_site *s, void *data)
{
	struct rpt_walk *w = data;
	u64 h, m;

	if (!rpt_is_mine(s))
		return 0;
	relpoline_site_counts(s, &h, &m);
	w->hits += h;
	w->misses += m;
	return 0;
}

static int rpt_counts_show(struct seq_file *m, void *v)
{
	struct rpt_walk w = {};

	relpoline_lock();
	relpoline_walk_sites(rpt_count_one, &w);
	relpoline_unlock();
	seq_printf(m, "hits=%llu misses=%llu\n", w.hits, w.misses);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rpt_counts);

static char *rpt_get(const char __user *ubuf, size_t count)
{
	if (count > 4096)
		return ERR_PTR(-E2BIG);
	return strim(memdup_user_nul(ubuf, count));
}

static ssize_t rpt_run_write(struct file *f, const char __user *ubuf, size_t count, loff_t *pos)
{
	char *buf = rpt_get(ubuf, count), *pat;
	unsigned long n, i, j, nh;
	size_t plen;
	int ret = 0;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	pat = strchr(buf, ' ');
	if (!pat || (*pat++ = 0, kstrtoul(buf, 0, &n)) || !*pat) {
		ret = -EINVAL;
		goto out;
	}
	plen = strlen(pat);
	for (i = 0; i < plen; i++)
		if (pat[i] < 'a' || pat[i] > 'h') {
			ret = -EINVAL;
			goto out;
		}
	/*
	 * One indirect call site here with every compiler: with a known trip
	 * count clang unrolls the loop and calls each entry directly.
	 */
	nh = ARRAY_SIZE(rpt_harness);
	OPTIMIZER_HIDE_VAR(nh);
	for (i = 0; i < n; i++) {
		rpt_fn_t fn = rpt_targets[pat[i % plen] - 'a'];
		long k = pat[i % plen] - 'a' + 1;

		for (j = 0; j < nh; j++) {
			long (*h)(rpt_fn_t fn, long x) = rpt_harness[j].h;
			long want = (long)i * 16 + k + rpt_harness[j].extra;
			long got;

			OPTIMIZER_HIDE_VAR(h);
			got = h(fn, (long)i);

			if (got != want) {
				pr_err("relpoline_test: harness %ps call %lu: got %ld, want %ld\n",
				       rpt_harness[j].h, i, got, want);
				ret = -EIO;
				goto out;
			}
		}
		if (!(i & 1023))
			cond_resched();
	}
out:
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations rpt_run_fops = {
	.write = rpt_run_write,
};

static int rpt_parse_targets(const char *s, struct rpt_walk *w)
{
	size_t i, n = strlen(s);

	if (!n || n > RELPOLINE_MAX_TARGETS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < 'a' || s[i] > 'h')
			return -EINVAL;
		w->targets[i] = (unsigned long)rpt_targets[s[i] - 'a'];
	}
	w->nr = n;
	return 0;
}

static ssize_t rpt_promote_write(struct file *f, const char __user *ubuf, size_t count,
				 loff_t *pos)
{
	char *buf = rpt_get(ubuf, count);
	struct rpt_walk w = {};
	unsigned long ipis;
	unsigned int failed = 0;
	int ret;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	w.stub = strcmp(buf, "off");
	ret = w.stub ? rpt_parse_targets(buf, &w) : 0;
	if (!ret)
		ret = rpt_apply_walk(&w, &failed, &ipis);
	kfree(buf);
	if (!ret && failed)
		ret = -EBUSY;
	return ret ? ret : count;
}

static const struct file_operations rpt_promote_fops = {
	.write = rpt_promote_write,
};

/* lib/sort.c's compare call: a vmlinux site promoted to a module target. */
static noinline int rpt_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The call sites of sort_r() (do_cmp() and do_swap() inlined): vmlinux sites. */
static struct relpoline_site *rpt_sort_sites[16];
static unsigned int rpt_nr_sort_sites;

static int rpt_find_sort(struct relpoline_site *s, void *data)
{
	if (!s->refused && rpt_nr_sort_sites < ARRAY_SIZE(rpt_sort_sites))
		rpt_sort_sites[rpt_nr_sort_sites++] = s;
	return 0;
}

static ssize_t rpt_sort_write(struct file *f, const char __user *ubuf, size_t count,
			      loff_t *pos)
{
	char *buf = rpt_get(ubuf, count);
	struct relpoline_req r[ARRAY_SIZE(rpt_sort_sites)] = {};
	unsigned long n, i, j;
	u64 hits = 0, misses = 0, h, m;
	int ret = 0, *a;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (!strcmp(buf, "promote") || !strcmp(buf, "off")) {
		relpoline_lock();
		rpt_nr_sort_sites = 0;
		relpoline_walk_function((unsigned long)sort_r, rpt_find_sort, NULL);
		for (i = 0; i < rpt_nr_sort_sites; i++) {
			r[i].site = rpt_sort_sites[i];
			r[i].stub = !strcmp(buf, "promote");
			r[i].nr_targets = r[i].stub;
			r[i].targets[0] = (unsigned long)rpt_cmp;
			r[i].count_hits = true;
		}
		ret = rpt_nr_sort_sites ? relpoline_apply(r, rpt_nr_sort_sites) : -ENOENT;
		relpoline_unlock();
		if (ret > 0)
			ret = -EBUSY;
		if (!ret)
			snprintf(rpt_result, sizeof(rpt_result), "sort_sites=%u\n",
				 rpt_nr_sort_sites);
		goto out;
	}
	if (kstrtoul(buf, 0, &n)) {
		ret = -EINVAL;
		goto out;
	}
	a = kmalloc_array(64, sizeof(*a), GFP_KERNEL);
	if (!a) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		for (j = 0; j < 64; j++)
			a[j] = (int)((j * 2654435761u + i) % 1000);
		sort(a, 64, sizeof(*a), rpt_cmp, NULL);
		for (j = 1; j < 64; j++)
			if (a[j - 1] > a[j])
				ret = -EIO;
	}
	kfree(a);
	relpoline_lock();
	for (i = 0; i < rpt_nr_sort_sites; i++) {
		relpoline_site_counts(rpt_sort_sites[i], &h, &m);
		hits += h;
		misses += m;
	}
	relpoline_unlock();
	snprintf(rpt_result, sizeof(rpt_result), "sort_sites=%u hits=%llu misses=%llu\n",
		 rpt_nr_sort_sites, hits, misses);
out:
	kfree(buf);
	return ret ? ret : count;
}

static const struct file_operations rpt_sort_fops = {
	.write = rpt_sort_write,
};

static int rpt_verify_one(struct relpoline_site *s, void *data)
{
	struct rpt_walk *w = data;
	unsigned long t[RELPOLINE_MAX_TARGETS];
	unsigned int n, i;

	w->all++;
	if (s->refused) {
		w->refused++;
		return 0;
	}
	if (s->stub) {
		w->stubbed++;
		n = relpoline_site_targets(s, t, NULL);
		for (i = 0; i < n; i++)
			if (!relpoline_valid_target(t[i]))
				w->foreign++;
		return 0;
	}
	if (memcmp((void *)s->addr, s->idle, s->len))
		w->mismatch++;
	return 0;
}

static ssize_t rpt_kernel_write(struct file *f, const char __user *ubuf, size_t count,
				loff_t *pos)
{
	char *buf = rpt_get(ubuf, count);
	struct rpt_walk w = { .vmlinux = true };
	struct relpoline_stats st;
	unsigned int failed = 0, busy = 0;
	unsigned long ipis = 0;
	ktime_t t0;
	int ret = 0;

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	mutex_lock(&rpt_mutex);
	t0 = ktime_get();
	if (!strcmp(buf, "wrong")) {
		w.stub = true;
		w.nr = 1;
		w.targets[0] = (unsigned long)rpt_never;
		ret = rpt_apply_walk(&w, &failed, &ipis);
		relpoline_get_stats(&st);
		snprintf(rpt_result, sizeof(rpt_result),
			 "requested=%u failed=%u stubbed=%u busy=%u refused=%u sites=%u ipi_rounds=%lu time_ms=%lld stub_bytes=%lu\n",
			 w.n, failed, st.stubbed, st.busy, st.refused, st.sites, ipis,
			 ktime_ms_delta(ktime_get(), t0), st.stub_bytes);
	} else if (!strcmp(buf, "restore")) {
		struct relpoline_stats s0;

		relpoline_get_stats(&s0);
		relpoline_lock();
		ret = relpoline_restore_all(&busy);
		relpoline_unlock();
		relpoline_get_stats(&st);
		snprintf(rpt_result, sizeof(rpt_result),
			 "restored=%lu busy=%u stubbed=%u ipi_rounds=%lu time_ms=%lld pool_bytes=%lu\n",
			 st.patched - s0.patched, busy, st.stubbed, st.ipi_rounds - s0.ipi_rounds,
			 ktime_ms_delta(ktime_get(), t0), st.stub_pool_bytes);
	} else if (!strcmp(buf, "verify") || !strcmp(buf, "foreign")) {
		relpoline_lock();
		relpoline_walk_sites(rpt_verify_one, &w);
		relpoline_unlock();
		snprintf(rpt_result, sizeof(rpt_result),
			 "sites=%u refused=%u stubbed=%u mismatch=%u foreign=%u\n",
			 w.all, w.refused, w.stubbed, w.mismatch, w.foreign);
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&rpt_mutex);
	kfree(buf);
	return ret ? ret : count;
}

static ssize_t rpt_kernel_read(struct file *f, char __user *ubuf, size_t count, loff_t *pos)
{
	return simple_read_from_buffer(ubuf, count, pos, rpt_result, strlen(rpt_result));
}

static const struct file_operations rpt_kernel_fops = {
	.write = rpt_kernel_write,
	.read = rpt_kernel_read,
};

static ssize_t rpt_warn_write(struct file *f, const char __user *ubuf, size_t count,
			      loff_t *pos)
{
	WARN(1, "relpoline_test: warning requested through debugfs\n");
	return count;
}

static const struct file_operations rpt_warn_fops = {
	.write = rpt_warn_write,
};

static struct kprobe rpt_kp;
static bool rpt_kp_on;
static atomic_long_t rpt_kp_hits;

static int rpt_kp_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_long_inc(&rpt_kp_hits);
	return 0;
}

static int rpt_first_site(struct relpoline_site *s, void *data)
{
	unsigned long *addr = data;

	if (!*addr)
		*addr = s->addr;
	return 0;
}

static ssize_t rpt_kprobe_write(struct file *f, const char __user *ubuf, size_t count,
				loff_t *pos)
{
	unsigned long addr = 0;
	char buf[8];
	int ret = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	mutex_lock(&rpt_mutex);
	if (sysfs_streq(buf, "on") && !rpt_kp_on) {
		relpoline_lock();
		relpoline_walk_function((unsigned long)rpt_call_r12, rpt_first_site, &addr);
		relpoline_unlock();
		memset(&rpt_kp, 0, sizeof(rpt_kp));
		rpt_kp.addr = (kprobe_opcode_t *)addr;
		rpt_kp.pre_handler = rpt_kp_pre;
		atomic_long_set(&rpt_kp_hits, 0);
		ret = addr ? register_kprobe(&rpt_kp) : -ENOENT;
		rpt_kp_on = !ret;
	} else if (sysfs_streq(buf, "off") && rpt_kp_on) {
		unregister_kprobe(&rpt_kp);
		rpt_kp_on = false;
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&rpt_mutex);
	return ret ? ret : count;
}

static ssize_t rpt_kprobe_read(struct file *f, char __user *ubuf, size_t count, loff_t *pos)
{
	char buf[48];
	int n;

	n = scnprintf(buf, sizeof(buf), "hits=%ld on=%d\n",
		      atomic_long_read(&rpt_kp_hits), rpt_kp_on);
	return simple_read_from_buffer(ubuf, count, pos, buf, n);
}

static const struct file_operations rpt_kprobe_fops = {
	.write = rpt_kprobe_write,
	.read = rpt_kprobe_read,
};

static struct dentry *rpt_dir;

/* Size of each harness function: up to the next symbol in this module. */
static int rpt_size_one(struct relpoline_site *s, void *data)
{
	unsigned long *end = data;

	*end = max(*end, s->addr + s->len);
	return 0;
}

static int __init rpt_init(void)
{
	unsigned int i;

	if (rpt_direct_only(0) != 1)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(rpt_harness); i++) {
		unsigned long end = 0;

		relpoline_lock();
		relpoline_walk_function((unsigned long)rpt_harness[i].h, rpt_size_one, &end);
		relpoline_unlock();
		rpt_harness_size[i] = end ? end - (unsigned long)rpt_harness[i].h : 0;
	}
	/*
	 * Without relpoline the module still loads, with no files: its sites
	 * are then what boot patching alone makes of them, which
	 * t-idle-bytes.sh compares with a boot where relpoline is idle.
	 */
	if (relpoline_unavailable()) {
		pr_info("relpoline_test: relpoline unavailable: %s\n", relpoline_unavailable());
		return 0;
	}
	rpt_dir = debugfs_create_dir("relpoline_test", NULL);
	debugfs_create_file("sites", 0400, rpt_dir, NULL, &rpt_sites_fops);
	debugfs_create_file("counts", 0400, rpt_dir, NULL, &rpt_counts_fops);
	debugfs_create_file("run", 0200, rpt_dir, NULL, &rpt_run_fops);
	debugfs_create_file("promote", 0200, rpt_dir, NULL, &rpt_promote_fops);
	debugfs_create_file("sort", 0200, rpt_dir, NULL, &rpt_sort_fops);
	debugfs_create_file("kernel", 0600, rpt_dir, NULL, &rpt_kernel_fops);
	debugfs_create_file("warn", 0200, rpt_dir, NULL, &rpt_warn_fops);
	debugfs_create_file("kprobe", 0600, rpt_dir, NULL, &rpt_kprobe_fops);
	return 0;
}

static void __exit rpt_exit(void)
{
	if (!rpt_dir)
		return;
	debugfs_remove_recursive(rpt_dir);
	if (rpt_kp_on)
		unregister_kprobe(&rpt_kp);
}

module_init(rpt_init);
module_exit(rpt_exit);
MODULE_DESCRIPTION("relpoline test module: known indirect call sites");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(RELPOLINE_INTERNAL);
