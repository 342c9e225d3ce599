// SPDX-License-Identifier: GPL-2.0
/*
 * Batch replacement of same-length branch instructions in live text.
 *
 * Relpoline rewrites CALL/JMP/Jcc rel32 instructions (the retpoline sites
 * that boot patching left as thunk calls) into branches of the same length
 * and the same instruction boundaries: a task preempted at, or returning
 * to, any boundary of the old text finds a boundary of the new text.
 *
 * A batch is applied in one go under text_mutex, which also serialises it
 * against ftrace, static_call, jump_label and kprobes: every site is first
 * checked to still hold the bytes the caller expects; a site that does
 * not (a kprobe's INT3, another patcher) is skipped and reported -EBUSY,
 * never overwritten. The rest go through text_poke_queue() and
 * text_poke_finish(): the INT3 protocol with three text_poke_sync() IPI
 * rounds per vector of up to TP_VEC_MAX sites, provided that the sites are
 * queued in ascending address order, which this file guarantees.
 */
#define pr_fmt(fmt) "text_poke_site: " fmt

#include <linux/memory.h>
#include <linux/mutex.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/text-patching.h>
#include <asm/text_poke_site.h>

/*
 * Where the instruction to queue starts and how long it is. A 6-byte
 * CS-prefixed CALL/JMP is patched from its second byte, leaving the
 * prefix: text_poke_queue() treats every 6-byte write as a Jcc.
 */
static int tps_layout(const struct text_poke_site *s, unsigned int *off)
{
	const u8 *o = s->old, *n = s->new;

	*off = 0;
	switch (s->len) {
	case 5:
		if ((o[0] == 0xe8 || o[0] == 0xe9) && o[0] == n[0])
			return 5;
		return -EINVAL;
	case 6:
		if (o[0] == 0x2e && n[0] == 0x2e && (o[1] == 0xe8 || o[1] == 0xe9) &&
		    o[1] == n[1]) {
			*off = 1;
			return 5;
		}
		if (o[0] == 0x0f && n[0] == 0x0f && (o[1] & 0xf0) == 0x80 && o[1] == n[1])
			return 6;
		return -EINVAL;
	default:
		return -EINVAL;
	}
}

static int tps_cmp(const void *a, const void *b)
{
	const struct text_poke_site *x = *(const struct text_poke_site * const *)a;
	const struct text_poke_site *y = *(const struct text_poke_site * const *)b;

	if (x->addr == y->addr)
		return 0;
	return x->addr < y->addr ? -1 : 1;
}

static void tps_swap(void *a, void *b, int size)
{
	swap(*(struct text_poke_site **)a, *(struct text_poke_site **)b);
}

/**
 * text_poke_sites - replace a batch of branch instructions in live text
 * @sites:	the sites; any order, each address at most once
 * @nr:		number of sites
 * @stats:	optional; filled with what the batch did
 *
 * Each site whose current bytes equal its @old is rewritten to @new; the
 * others are left untouched with @result -EBUSY. Only CALL/JMP rel32
 * (optionally CS-prefixed) and Jcc rel32 pairs of one opcode are accepted.
 * Must be called from sleepable context without text_mutex held.
 *
 * Return: the number of sites patched, or -ENOMEM.
 */
int text_poke_sites(struct text_poke_site *sites, unsigned int nr,
		    struct text_poke_site_stats *stats)
{
	struct text_poke_site **order;
	unsigned long syncs;
	unsigned int i, off, patched = 0, busy = 0;
	int len;

	order = kvmalloc_array(nr, sizeof(*order), GFP_KERNEL);
	if (!order && nr)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		order[i] = &sites[i];
	sort(order, nr, sizeof(*order), tps_cmp, tps_swap);

	mutex_lock(&text_mutex);
	syncs = text_poke_sync_count();
	for (i = 0; i < nr; i++) {
		struct text_poke_site *s = order[i];

		len = tps_layout(s, &off);
		if (len < 0) {
			s->result = len;
			continue;
		}
		if (memcmp(s->addr, s->old, s->len)) {
			s->result = -EBUSY;
			busy++;
			continue;
		}
		s->result = 0;
		if (!memcmp(s->old, s->new, s->len))
			continue;
		text_poke_queue(s->addr + off, s->new + off, len, NULL);
		patched++;
	}
	text_poke_finish();
	syncs = text_poke_sync_count() - syncs;
	mutex_unlock(&text_mutex);

	kvfree(order);
	if (stats) {
		stats->patched = patched;
		stats->busy = busy;
		stats->ipi_rounds = syncs;
	}
	return patched;
}
