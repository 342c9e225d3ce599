// SPDX-License-Identifier: GPL-2.0
/*
 * Batch rewriting of indirect branch sites in live text.
 *
 * Relpoline turns a retpoline site, as boot patching left it, into a branch
 * to a stub and back. The two forms need not have the same instruction
 * boundaries: in the spectre_v2=off, eIBRS, IBRS and ITS modes upstream
 * boot patching inlines "[LFENCE;] CALL *%reg" plus padding into the 5 or 6
 * bytes of a site, while the managed form is one CALL/JMP/Jcc rel32. So the
 * rewrite is the optprobe sequence, not text_poke_bp()'s, with an INT3
 * handler of its own:
 *
 *  1. An INT3 on the first byte of every site, and on every other byte
 *     that is INT3 in the new text but not in the old. Sync (IPI to every
 *     CPU: no CPU still runs the old first byte).
 *  2. If the old text of a site has boundaries inside it at which a task
 *     can be stopped (an LFENCE before the indirect branch, the JMP behind
 *     a Jcc.d8, padding after an inlined CALL; struct text_poke_site's
 *     @quiesce), wait until no task is: synchronize_rcu_tasks_rude() for
 *     every interrupted context (IRQs, NMIs, preempt-disabled regions) and
 *     synchronize_rcu_tasks() for every preempted task. A task can only
 *     have reached such a boundary through the first byte before step 1:
 *     after it, the first byte traps.
 *  3. Every other byte that changes, except an INT3 that goes away. Sync.
 *  4. The INT3s that go away, then the first byte. Sync.
 *
 * Between steps 1 and 4 a CPU that hits the first byte's INT3 has the
 * branch the site stands for emulated (text_poke_site's @form, @cc and
 * @dest: a CALL/JMP/Jcc to a stub that exists on both sides of the change),
 * with the return address of the whole site. Return addresses into a site
 * are the caller's business: a site whose old text has a CALL that ends
 * before the site does must keep an INT3 where that CALL returns, in both
 * forms (relpoline's "landing"; its handler moves the returning task to
 * the end of the site). The protocol above keeps such a byte INT3 from
 * step 1 on, and removes one (the site going back to its inlined form)
 * only in step 4, after everything behind it is final, so a task that
 * returns there never runs a half-written instruction.
 *
 * Every batch runs under text_mutex, which serialises it with ftrace,
 * static_call, jump_label and kprobes, and is released only for the waits
 * of step 2: the INT3s then in the text are ours, and kprobes refuses to
 * probe an INT3 it did not put there. Every site is first checked to still
 * hold the bytes the caller expects and to have no kprobe registered on any
 * of its bytes; a site that fails either (a kprobe's INT3, another patcher,
 * a kprobe registered but not armed, which holds a copy of the site and
 * writes its saved first byte back when disarmed) is skipped and reported
 * -EBUSY, never overwritten. A batch costs three text_poke_sync() IPI rounds, whatever
 * its size, plus the two grace periods when a site asks for them.
 */
#define pr_fmt(fmt) "text_poke_site: " fmt

#include <linux/kprobes.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/relpoline_types.h>
#include <asm/text-patching.h>
#include <asm/text_poke_site.h>

/*
 * The batch being applied: read by the INT3 handler, in any context,
 * under the reference the handler takes. Only one batch at a time (it is
 * written under text_mutex, and the writer waits for every reference to
 * go before it returns).
 */
/* Serialises text_poke_sites() callers: text_mutex is dropped in step 2. */
static DEFINE_MUTEX(tps_mutex);

static struct {
	struct text_poke_site	**vec;	/* sorted by address */
	unsigned int		nr;
	atomic_t		refs;
} tps_desc;

/* INT3 hits emulated so far (tests and statistics). */
static atomic_long_t tps_emulations;

/**
 * text_poke_sites_emulations - INT3 hits text_poke_sites() has emulated
 *
 * Return: the running count since boot.
 */
unsigned long text_poke_sites_emulations(void)
{
	return atomic_long_read(&tps_emulations);
}

#ifdef CONFIG_RELPOLINE_KUNIT_TEST
/*
 * Called with the step number after steps 1 and 3 and after each first
 * byte of step 4 (4), text_mutex held, and in step 2 of a batch that waits
 * for tasks, text_mutex released.
 */
void (*text_poke_sites_test_hook)(unsigned int step);

static void tps_test_hook(unsigned int step)
{
	if (text_poke_sites_test_hook)
		text_poke_sites_test_hook(step);
}
#else
static inline void tps_test_hook(unsigned int step)
{
}
#endif

static __always_inline struct text_poke_site *tps_find(void *ip)
{
	unsigned int lo = 0, hi = tps_desc.nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct text_poke_site *s = tps_desc.vec[mid];

		if (s->addr == ip)
			return s;
		if (s->addr < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Do what the site stands for: a branch to @dest from the end of the site. */
static __always_inline void tps_emulate(struct pt_regs *regs, const struct text_poke_site *s)
{
	unsigned long next = (unsigned long)s->addr + s->len;

	switch (s->form) {
	case RELPOLINE_FORM_CALL:
		int3_emulate_push(regs, next);
		int3_emulate_jmp(regs, s->dest);
		break;
	case RELPOLINE_FORM_JMP:
		int3_emulate_jmp(regs, s->dest);
		break;
	case RELPOLINE_FORM_JCC:
		int3_emulate_jcc(regs, s->cc, next, s->dest - next);
		break;
	}
}

/**
 * text_poke_sites_int3 - an INT3 at the first byte of a site being rewritten?
 * @regs:	the trap's registers
 *
 * Called by exc_int3() right after poke_int3_handler() and, like it, self
 * contained: the sites being rewritten may be indirect calls anywhere in
 * the kernel, including on the way to any other INT3 handler.
 *
 * Return: 1 when the branch of the site was emulated, else 0.
 */
noinstr int text_poke_sites_int3(struct pt_regs *regs)
{
	struct text_poke_site *s;
	int ret = 0;

	if (user_mode(regs))
		return 0;
	/* Pairs with atomic_set_release() before the INT3s were written. */
	smp_rmb();
	if (!raw_atomic_inc_not_zero(&tps_desc.refs))
		return 0;
	s = tps_find((void *)regs->ip - INT3_INSN_SIZE);
	if (s) {
		tps_emulate(regs, s);
		raw_atomic_long_inc(&tps_emulations);
		ret = 1;
	}
	/* Done with the vector: pairs with atomic_cond_read_acquire() of the writer. */
	smp_mb__before_atomic();
	raw_atomic_dec(&tps_desc.refs);
	return ret;
}

/**
 * text_poke_sites_skip - step over a site that a batch is rewriting
 * @addr: an instruction boundary of live text
 *
 * For code that decodes live text instruction by instruction under
 * text_mutex (kprobes' can_probe()): between steps 1 and 4 a site holds
 * neither its old nor its new instructions, and text_poke_sites() drops
 * text_mutex while it waits in step 2. The start and the end of a site are
 * boundaries in both forms.
 *
 * Return: the end of the site that starts at @addr if a batch is rewriting
 * it now, else 0.
 */
unsigned long text_poke_sites_skip(unsigned long addr)
{
	struct text_poke_site *s;
	unsigned long end = 0;

	/* Pairs with atomic_set_release() before the INT3s were written. */
	smp_rmb();
	if (!atomic_inc_not_zero(&tps_desc.refs))
		return 0;
	s = tps_find((void *)addr);
	if (s)
		end = addr + s->len;
	/* Done with the vector: pairs with atomic_cond_read_acquire() of the writer. */
	smp_mb__before_atomic();
	atomic_dec(&tps_desc.refs);
	return end;
}

/**
 * text_poke_sites_kprobed - is a kprobe registered on a byte of a site?
 * @addr:	the site
 * @len:	its length
 *
 * A kprobe, armed or not, holds a copy of the instruction it probes and
 * the first byte it writes back when it is disarmed: a site with a kprobe
 * on any of its bytes must not be rewritten until the kprobe is gone.
 * register_kprobe() publishes a kprobe before it releases text_mutex, so
 * under text_mutex the answer holds until text_mutex is released.
 *
 * Return: true if a kprobe is registered at any of the @len bytes.
 */
bool text_poke_sites_kprobed(void *addr, unsigned int len)
{
	bool ret = false;
#ifdef CONFIG_KPROBES
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < len && !ret; i++)
		ret = get_kprobe(addr + i);
	rcu_read_unlock();
#endif
	return ret;
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

static bool tps_valid(const struct text_poke_site *s)
{
	if (s->len < 2 || s->len > TEXT_POKE_SITE_MAX)
		return false;
	if (s->old[0] == INT3_INSN_OPCODE || s->new[0] == INT3_INSN_OPCODE)
		return false;
	if (s->form > RELPOLINE_FORM_JCC || s->cc > 0xf || !s->dest)
		return false;
	return true;
}

/* An INT3 that the new text has and the old one does not: written first. */
static bool tps_arming(const struct text_poke_site *s, unsigned int i)
{
	return s->new[i] == INT3_INSN_OPCODE && s->old[i] != INT3_INSN_OPCODE;
}

/* An INT3 of the old text that goes: it may guard what follows it. */
static bool tps_disarming(const struct text_poke_site *s, unsigned int i)
{
	return s->old[i] == INT3_INSN_OPCODE && s->new[i] != INT3_INSN_OPCODE;
}

/* Step 1: the INT3s. */
static void tps_arm(struct text_poke_site **vec, unsigned int nr)
{
	static const u8 int3 = INT3_INSN_OPCODE;
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		text_poke(vec[i]->addr, &int3, INT3_INSN_SIZE);
		for (j = 1; j < vec[i]->len; j++)
			if (tps_arming(vec[i], j))
				text_poke(vec[i]->addr + j, &int3, INT3_INSN_SIZE);
	}
}

/* Step 3: everything behind the first byte, but the INT3s that go. */
static void tps_tail(struct text_poke_site **vec, unsigned int nr)
{
	u8 tail[TEXT_POKE_SITE_MAX];
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		struct text_poke_site *s = vec[i];

		/* perf (Intel PT decoders) learns of it as from text_poke_bp(). */
		perf_event_text_poke(s->addr, s->old, s->len, s->new, s->len);
		for (j = 1; j < s->len; j++)
			tail[j] = tps_disarming(s, j) ? INT3_INSN_OPCODE : s->new[j];
		if (memcmp(tail + 1, s->addr + 1, s->len - 1))
			text_poke(s->addr + 1, tail + 1, s->len - 1);
	}
}

/*
 * Step 4: the INT3s that go, then the first byte, last: until it changes
 * the site traps, and once it has changed every other byte is final. An
 * "INT3 that goes" may be a byte of a rel32 that happens to be 0xcc (a
 * stub's distance, not a landing): written after the first byte, it would
 * leave for a moment a CALL whose rel32 mixes the old and the new one.
 */
static void tps_finish(struct text_poke_site **vec, unsigned int nr)
{
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		for (j = 1; j < vec[i]->len; j++)
			if (tps_disarming(vec[i], j))
				text_poke(vec[i]->addr + j, &vec[i]->new[j], 1);
		text_poke(vec[i]->addr, vec[i]->new, 1);
		tps_test_hook(4);
	}
}

/*
 * Keep the sites to rewrite, in address order: those that hold @old and
 * whose @new differs. The others get their @result here.
 */
static unsigned int tps_select(struct text_poke_site **order, unsigned int nr,
			       unsigned int *busy, bool *quiesce)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++) {
		struct text_poke_site *s = order[i];

		if (!tps_valid(s)) {
			s->result = -EINVAL;
			continue;
		}
		if (memcmp(s->addr, s->old, s->len) ||
		    text_poke_sites_kprobed(s->addr, s->len)) {
			s->result = -EBUSY;
			(*busy)++;
			continue;
		}
		s->result = 0;
		if (!memcmp(s->old, s->new, s->len))
			continue;
		*quiesce |= s->quiesce;
		order[n++] = s;
	}
	return n;
}

/**
 * text_poke_sites - rewrite a batch of indirect branch sites in live text
 * @vec:	the sites; any order, each address at most once; the array
 *		is sorted by address on return
 * @nr:		number of sites
 * @stats:	optional; filled with what the batch did
 *
 * Each site whose current bytes equal its @old is rewritten to @new with
 * the protocol described at the top of this file; the others are left
 * untouched with @result -EBUSY (or -EINVAL for a malformed entry). Must be
 * called from sleepable context without text_mutex held.
 *
 * Return: the number of sites rewritten.
 */
int text_poke_sites(struct text_poke_site **vec, unsigned int nr,
		    struct text_poke_site_stats *stats)
{
	unsigned long syncs;
	unsigned int n, busy = 0;
	bool quiesce = false;

	sort(vec, nr, sizeof(*vec), tps_cmp, tps_swap);

	mutex_lock(&tps_mutex);
	mutex_lock(&text_mutex);
	syncs = text_poke_sync_count();
	n = tps_select(vec, nr, &busy, &quiesce);
	if (n) {
		tps_desc.vec = vec;
		tps_desc.nr = n;
		/* Pairs with smp_rmb() in tps_int3(): the vector before the INT3s. */
		atomic_set_release(&tps_desc.refs, 1);

		tps_arm(vec, n);
		text_poke_sync();
		tps_test_hook(1);
		if (quiesce) {
			mutex_unlock(&text_mutex);
			tps_test_hook(2);
			synchronize_rcu_tasks_rude();
			synchronize_rcu_tasks();
			mutex_lock(&text_mutex);
		}
		tps_tail(vec, n);
		text_poke_sync();
		tps_test_hook(3);
		tps_finish(vec, n);
		text_poke_sync();

		/* Wait for the handlers that may still look at the vector. */
		if (!atomic_dec_and_test(&tps_desc.refs))
			atomic_cond_read_acquire(&tps_desc.refs, !VAL);
	}
	syncs = text_poke_sync_count() - syncs;
	mutex_unlock(&text_mutex);
	mutex_unlock(&tps_mutex);

	if (stats) {
		stats->patched = n;
		stats->busy = busy;
		stats->ipi_rounds = syncs;
		stats->quiesced = quiesce && n;
	}
	return n;
}
