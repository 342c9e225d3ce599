// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline_peek: the live text state of every relpoline site, for the
 * tests' "nothing changed" snapshots (tests/guest/text-state.sh).
 *
 *   /sys/kernel/debug/relpoline_peek/text  r  one line:
 *	"sites=N stubbed=S busy=B refused=R batches=.. patched=.. stub_bytes=..
 *	 crc=XXXXXXXX"
 *	where crc is a CRC32 over, for every site in id order, its id, its
 *	live bytes (the boot bytes, or the call/jmp to its stub: the stub's
 *	address), whether it is busy, and the targets its stub compares,
 *	in slot order.
 *
 * Unlike relpoline_test, this module has no indirect call site of its own
 * and takes none of relpoline's callbacks (it looks the sites up by id):
 * loading it, reading the file and unloading it change nothing that
 * relpoline shows, so a test may do that around the write it checks.
 */
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <asm/relpoline.h>

/* ids are given in order; module groups may leave gaps when they go */
#define RPP_MAX_ID_GAP	1000000

static int rpp_show(struct seq_file *m, void *v)
{
	struct relpoline_stats st;
	unsigned long t[RELPOLINE_MAX_TARGETS];
	unsigned int id, seen = 0, stubbed = 0, busy = 0, refused = 0, n, last = 0;
	struct relpoline_site *s;
	u32 crc = ~0U;

	relpoline_lock();
	relpoline_get_stats_locked(&st);
	for (id = 0; seen < st.sites && id - last <= RPP_MAX_ID_GAP; id++) {
		s = relpoline_find_site_id(id);
		if (!s)
			continue;
		seen++;
		last = id;
		crc = crc32_le(crc, (const u8 *)&id, sizeof(id));
		if (s->refused) {
			refused++;
			continue;
		}
		crc = crc32_le(crc, (const u8 *)s->addr, s->len);
		crc = crc32_le(crc, (const u8 *)&s->busy, sizeof(s->busy));
		busy += s->busy;
		if (!s->stub)
			continue;
		stubbed++;
		n = relpoline_site_targets(s, t, NULL);
		crc = crc32_le(crc, (const u8 *)t, n * sizeof(t[0]));
	}
	relpoline_unlock();
	seq_printf(m, "sites=%u stubbed=%u busy=%u refused=%u batches=%lu patched=%lu stub_bytes=%lu crc=%08x%s\n",
		   seen, stubbed, busy, refused, st.batches, st.patched, st.stub_bytes, ~crc,
		   seen == st.sites ? "" : " INCOMPLETE");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rpp);

static struct dentry *rpp_dir;

static int __init rpp_init(void)
{
	if (relpoline_unavailable())
		return -ENODEV;
	rpp_dir = debugfs_create_dir("relpoline_peek", NULL);
	debugfs_create_file("text", 0400, rpp_dir, NULL, &rpp_fops);
	return 0;
}

static void __exit rpp_exit(void)
{
	debugfs_remove_recursive(rpp_dir);
}

module_init(rpp_init);
module_exit(rpp_exit);
MODULE_DESCRIPTION("relpoline test helper: live text state of every site");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(RELPOLINE_INTERNAL);
