// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline_jcc: a live Jcc site (relpoline_jcc_site.S) driven from
 * userspace with exact counts.
 *
 * /sys/kernel/debug/relpoline_jcc/run
 *   w  "N PATTERN": for i in 0..N-1, rpj_jcc(i, slot PATTERN[i % len]),
 *      PATTERN's letters a-c naming rpj_a..rpj_c and '-' no function (the
 *      branch is not taken); every result is checked (EIO otherwise)
 *   r  the last run, "calls=N taken=T a=A b=B c=C": the calls that took
 *      the branch, in all and per target
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

typedef long (*rpj_fn_t)(long);

long rpj_jcc(long x, const rpj_fn_t *slot);

static noinline long rpj_a(long x)
{
	return x * 4 + 1;
}

static noinline long rpj_b(long x)
{
	return x * 4 + 2;
}

static noinline long rpj_c(long x)
{
	return x * 4 + 3;
}

#define RPJ_TARGETS	3
static const rpj_fn_t rpj_slots[RPJ_TARGETS + 1] = { rpj_a, rpj_b, rpj_c, NULL };

static struct dentry *rpj_dir;
static DEFINE_MUTEX(rpj_mutex);
static char rpj_last[128];

static int rpj_run(unsigned long calls, const char *pat, size_t plen)
{
	unsigned long i, taken = 0, per[RPJ_TARGETS] = {};
	int ret = 0;

	for (i = 0; i < calls; i++) {
		char c = pat[i % plen];
		unsigned int t = c == '-' ? RPJ_TARGETS : c - 'a';
		long want = t < RPJ_TARGETS ? (long)i * 4 + 1 + t : -(long)i;

		if (rpj_jcc(i, &rpj_slots[t]) != want) {
			ret = -EIO;
			break;
		}
		if (t < RPJ_TARGETS) {
			taken++;
			per[t]++;
		}
	}
	snprintf(rpj_last, sizeof(rpj_last), "calls=%lu taken=%lu a=%lu b=%lu c=%lu\n",
		 i, taken, per[0], per[1], per[2]);
	return ret;
}

static ssize_t rpj_run_write(struct file *f, const char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[96], pat[64];
	unsigned long calls;
	size_t plen, i;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%lu %63s", &calls, pat) != 2)
		return -EINVAL;
	plen = strlen(pat);
	for (i = 0; i < plen; i++)
		if (pat[i] != '-' && (pat[i] < 'a' || pat[i] >= 'a' + RPJ_TARGETS))
			return -EINVAL;
	mutex_lock(&rpj_mutex);
	ret = rpj_run(calls, pat, plen);
	mutex_unlock(&rpj_mutex);
	return ret ? ret : len;
}

static ssize_t rpj_run_read(struct file *f, char __user *ubuf, size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&rpj_mutex);
	ret = simple_read_from_buffer(ubuf, len, ppos, rpj_last, strlen(rpj_last));
	mutex_unlock(&rpj_mutex);
	return ret;
}

static const struct file_operations rpj_run_fops = {
	.owner = THIS_MODULE,
	.write = rpj_run_write,
	.read = rpj_run_read,
};

static int __init rpj_init(void)
{
	rpj_dir = debugfs_create_dir("relpoline_jcc", NULL);
	debugfs_create_file("run", 0600, rpj_dir, NULL, &rpj_run_fops);
	return 0;
}

static void __exit rpj_exit(void)
{
	debugfs_remove_recursive(rpj_dir);
}

module_init(rpj_init);
module_exit(rpj_exit);
MODULE_DESCRIPTION("relpoline test module: a live Jcc site");
MODULE_LICENSE("GPL");
