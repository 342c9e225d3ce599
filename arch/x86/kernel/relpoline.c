// SPDX-License-Identifier: GPL-2.0
/*
 * Relpoline: run-time promotion of retpoline'd indirect branch sites.
 *
 * objtool lists every compiler-generated CALL/JMP/Jcc to an
 * __x86_indirect_thunk_<reg> in .retpoline_sites, and boot patching
 * (patch_retpoline(), left as upstream has it) turns each into what the
 * spectre_v2 mode wants: a call of a thunk, or an inlined
 * "[LFENCE;] CALL/JMP *%reg" plus padding. This file captures those idle
 * forms for vmlinux at boot and for modules when they load
 * (rp_capture()), and rewrites any site, in batches, into one rel32
 * branch of the site's length to a stub:
 *
 *	cmp $target1, %reg	; je target1	(or jne; count the hit; jmp)
 *	...			; up to RELPOLINE_MAX_TARGETS
 *	count the miss
 *	[every sample_period misses: call relpoline_sample_thunk]
 *	the mode's slow path: jmp to the site's thunk, or [lfence;] jmp *%reg
 *
 * A stub jumps to a target only when the register equals it, so it is
 * always semantically the original branch. Stubs never touch the stack
 * (but for the sampling call into an objtool-annotated function), so every
 * instruction in them has the ORC state of a function entry; unwind_orc.c
 * and __kernel_text_address() ask is_relpoline_stub().
 *
 * Changing a site's form is text_poke_sites()'s protocol (see
 * text_poke_site.c and Documentation/trace/relpoline.rst): an INT3 on the
 * first byte whose handler emulates the branch to a stub, a wait for tasks
 * stopped inside an inlined form, and, for an inlined CALL followed by
 * padding, a "landing": the byte the CALL returns to stays INT3 in every
 * managed form (stubs are placed for it, rp_slot_suits()), and
 * relpoline_landing() moves a task returning there to the end of the site.
 *
 * Stubs are never modified while reachable: a change writes a new stub
 * into a free slot, repoints the site, and frees the old stub only after
 * synchronize_rcu_tasks_rude() and synchronize_rcu_tasks(), as ftrace does
 * for its trampolines.
 *
 * Locking: relpoline_mutex (relpoline_lock()) serialises everything here
 * that changes state: the site groups, site->stub, the stub pool, the
 * counter map. It nests outside text_mutex (taken by text_poke_*).
 * Lockless readers: is_relpoline_stub() and the sampling path read the
 * chunk table and a slot's owner, which are published before any site
 * branches to them and cleared only after the RCU-tasks grace periods;
 * relpoline_landing() walks the site groups under RCU.
 */
#define pr_fmt(fmt) "relpoline: " fmt

#include <linux/bitmap.h>
#include <linux/cgroup.h>
#include <linux/cpu.h>
#include <linux/execmem.h>
#include <linux/hash.h>
#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/insn.h>
#include <asm/nospec-branch.h>
#include <asm/orc_types.h>
#include <asm/relpoline.h>
#include <asm/relpoline_encode.h>
#include <asm/sections.h>
#include <asm/set_memory.h>
#include <asm/text-patching.h>
#include <asm/unwind.h>

#define CREATE_TRACE_POINTS
#include <trace/events/relpoline.h>

/* Boot parameter: relpoline=off disables the feature, =on enables it. */
enum { RP_BOOT_DEFAULT, RP_BOOT_ON, RP_BOOT_OFF };
static int relpoline_boot __ro_after_init;

static int __init relpoline_param(char *str)
{
	if (!str)
		return -EINVAL;
	if (!strcmp(str, "off"))
		relpoline_boot = RP_BOOT_OFF;
	else if (!strcmp(str, "on"))
		relpoline_boot = RP_BOOT_ON;
	else
		return -EINVAL;
	return 0;
}
early_param("relpoline", relpoline_param);

/**
 * relpoline_boot_enable - was relpoline=on given?
 *
 * Return: true when the policy layer should enable itself at boot.
 */
bool relpoline_boot_enable(void)
{
	return relpoline_boot == RP_BOOT_ON;
}

/* Why relpoline cannot be used on this boot, or NULL. Set once at init. */
static const char *rp_unavailable __ro_after_init = "not initialised";

/* Serialises all state changes; see the comment at the top. */
static DEFINE_MUTEX(relpoline_mutex);

/**
 * struct rp_group - the sites of vmlinux or of one module
 * @list:	on rp_groups
 * @mod:	the module, NULL for vmlinux
 * @nr:		number of sites
 * @sites:	sorted by address
 */
struct rp_group {
	struct list_head	list;
	struct module		*mod;
	unsigned int		nr;
	struct relpoline_site	sites[] __counted_by(nr);
};

/* Changed under relpoline_mutex; read under RCU by the INT3 handler. */
static LIST_HEAD(rp_groups);
static unsigned int rp_next_id;
static struct relpoline_stats rp_stats;
/* Tasks moved from a landing to the end of their site: any context. */
static atomic_long_t rp_landings;

/*
 * Per-CPU counters, addressed by the stubs as %gs:disp32: x86-64 per-CPU
 * data is zero-based, so a static per-CPU variable's address is its small
 * offset from the %gs base. A stub gets 1 + nr_targets consecutive
 * counters (misses, then a hit counter per target) from rp_counter_map.
 */
#define RP_NR_COUNTERS	CONFIG_RELPOLINE_NR_COUNTERS
static DEFINE_PER_CPU_ALIGNED(u64, rp_counters[RP_NR_COUNTERS]);
static DECLARE_BITMAP(rp_counter_map, RP_NR_COUNTERS);	/* relpoline_mutex */

/* Slow-path sampling: one countdown per CPU, reloaded from the period. */
static DEFINE_PER_CPU(u32, rp_countdown);
static unsigned int rp_sample_period = 16;

static s32 rp_pcpu_disp(void __percpu *p)
{
	return (s32)(unsigned long)(void __force *)p;
}

static bool rp_pcpu_addressable(void __percpu *p)
{
	unsigned long v = (unsigned long)(void __force *)p;

	return (long)(s32)v == (long)v;
}

/* Jcc rel32 (alternative.c's is_jcc32() is private to it). */
static bool rp_is_jcc32(struct insn *insn)
{
	return insn->opcode.bytes[0] == 0x0f && (insn->opcode.bytes[1] & 0xf0) == 0x80;
}

/*
 * Stub memory: chunks of executable memory from execmem (the module
 * area, within rel32 reach of kernel and module text), cut into fixed
 * slots. A chunk is read-only+exec from the start; slots are written with
 * text_poke_copy() while no site branches to them, and wiped with INT3
 * when freed.
 */
#define RP_CHUNK_SIZE		(64 * 1024)
#define RP_SLOT_SIZE		128
#define RP_SLOTS		(RP_CHUNK_SIZE / RP_SLOT_SIZE)
#define RP_MAX_CHUNKS		256

/*
 * A stub. Freed with kfree_rcu(): %pS and /proc/kallsyms look stubs up
 * without the mutex (relpoline_address_lookup(), relpoline_get_kallsym()).
 */
struct relpoline_stub {
	void			*text;
	char			*name;		/* "relpoline_stub:func+0xoff" */
	struct list_head	node;		/* on rp_stubs */
	struct rcu_head		rcu;
	struct relpoline_site	*site;
	unsigned int		len;
	u8			nr_targets;
	unsigned long		targets[RELPOLINE_MAX_TARGETS];
	int			ctr;
	u8			nr_ctr;
	bool			count_hits;
	bool			sample;
	struct list_head	free;		/* on rp_retired */
	bool			reaping;	/* a reaper waits for it, see rp_reap() */
	u64			folded[1 + RELPOLINE_MAX_TARGETS];
};

struct rp_chunk {
	void			*base;
	unsigned int		used;
	DECLARE_BITMAP(map, RP_SLOTS);
	struct relpoline_stub	*owner[RP_SLOTS];
};

/* Written under relpoline_mutex; read locklessly (see the top comment). */
static unsigned long rp_chunk_base[RP_MAX_CHUNKS];
/* Every allocated stub: changed under relpoline_mutex, read under RCU. */
static LIST_HEAD(rp_stubs);
/* Stubs no site branches to any more, to free (relpoline_mutex). */
static LIST_HEAD(rp_retired);
/* One reaper at a time (rp_reap()); taken outside relpoline_mutex. */
static DEFINE_MUTEX(rp_reap_mutex);
static struct rp_chunk *rp_chunks[RP_MAX_CHUNKS];

/**
 * is_relpoline_stub - is @addr inside relpoline stub memory?
 * @addr:	a text address
 *
 * Safe in any context, NMI included.
 *
 * Return: true for an address in a stub chunk.
 */
bool is_relpoline_stub(unsigned long addr)
{
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		unsigned long base = READ_ONCE(rp_chunk_base[i]);

		if (base && addr - base < RP_CHUNK_SIZE)
			return true;
	}
	return false;
}

static struct relpoline_stub *rp_stub_at(unsigned long addr)
{
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		/* Pairs with smp_store_release() in rp_chunk_add(). */
		unsigned long base = smp_load_acquire(&rp_chunk_base[i]);
		struct rp_chunk *c;

		if (!base || addr - base >= RP_CHUNK_SIZE)
			continue;
		c = READ_ONCE(rp_chunks[i]);
		return c ? READ_ONCE(c->owner[(addr - base) / RP_SLOT_SIZE]) : NULL;
	}
	return NULL;
}

/**
 * relpoline_orc_find - the unwind state at @ip, if it is in a stub
 * @ip:		a text address
 *
 * A stub has the unwind state of its site (rp_capture()). Any context:
 * the unwinder only asks for a stub that a task is in, which is not freed
 * before the RCU-tasks grace periods.
 *
 * Return: the ORC entry, or NULL when @ip is not in a live stub.
 */
struct orc_entry *relpoline_orc_find(unsigned long ip)
{
	struct relpoline_stub *stub;

	if (!is_relpoline_stub(ip))
		return NULL;
	stub = rp_stub_at(ip);
	if (!stub || ip - (unsigned long)stub->text >= stub->len)
		return NULL;
	return &stub->site->orc;
}

/**
 * relpoline_address_lookup - name the stub code at @addr (for kallsyms)
 * @addr:	a text address
 * @size:	out: the stub's length
 * @off:	out: @addr's offset in it
 * @modname:	out: "__builtin__relpoline"
 * @namebuf:	out: the stub's name, KSYM_NAME_LEN bytes
 *
 * Any context: the stub is found without locks and its name read under
 * RCU (stubs are freed with call_rcu()).
 *
 * Return: the length of the name, or 0 when @addr is not in a stub.
 */
int relpoline_address_lookup(unsigned long addr, unsigned long *size,
			     unsigned long *off, char **modname, char *namebuf)
{
	struct relpoline_stub *stub;
	int ret = 0;

	if (!is_relpoline_stub(addr))
		return 0;
	rcu_read_lock();
	stub = rp_stub_at(addr);
	if (stub && stub->name && addr - (unsigned long)stub->text < stub->len) {
		if (size)
			*size = stub->len;
		if (off)
			*off = addr - (unsigned long)stub->text;
		if (modname)
			*modname = "__builtin__relpoline";
		ret = strscpy(namebuf, stub->name, KSYM_NAME_LEN);
		if (ret < 0)
			ret = KSYM_NAME_LEN - 1;
	}
	rcu_read_unlock();
	return ret;
}

/**
 * relpoline_get_kallsym - the @symnum-th stub, for /proc/kallsyms
 * @symnum:	index
 * @value:	out: address
 * @type:	out: 't'
 * @name:	out: KSYM_NAME_LEN bytes
 *
 * Return: 0, or -ERANGE past the last stub.
 */
int relpoline_get_kallsym(unsigned int symnum, unsigned long *value, char *type, char *name)
{
	struct relpoline_stub *stub;
	int ret = -ERANGE;

	rcu_read_lock();
	list_for_each_entry_rcu(stub, &rp_stubs, node) {
		if (symnum--)
			continue;
		*value = (unsigned long)stub->text;
		*type = 't';
		strscpy(name, stub->name, KSYM_NAME_LEN);
		ret = 0;
		break;
	}
	rcu_read_unlock();
	return ret;
}

/**
 * relpoline_fixup_copied_insn - unlink a copied site instruction from its stub
 * @insn:	@copy decoded (decoded again here when @copy changes)
 * @copy:	a copy of the instruction at @addr (kprobes' __copy_instruction())
 * @addr:	where the instruction is in kernel text
 *
 * A kprobe copies the instruction it probes when it is registered and
 * emulates or executes that copy on every hit, for as long as it exists.
 * A copy of a site's "call <stub>" would outlive the stub: relpoline may
 * repoint the site and free the stub while the kprobe is disarmed (its
 * INT3 not in the text yet), and the kprobe would then call freed stub
 * memory. The copy is made to branch to the site's slow path (the thunk it
 * had at boot) instead: the same call, without the promoted fast path.
 *
 * Must be called with text_mutex held: a site that branches to a stub under
 * text_mutex keeps it (and the stub its owner) until text_mutex is taken
 * again to repoint the site.
 *
 * Return: 0 (@copy needs no change or was changed), or -EINVAL when the
 * stub cannot be resolved and the instruction must not be copied.
 */
int relpoline_fixup_copied_insn(struct insn *insn, u8 *copy, unsigned long addr)
{
	struct relpoline_stub *stub;
	unsigned long dest;
	u8 op = insn->opcode.bytes[0];
	s64 rel;

	lockdep_assert_held(&text_mutex);
	if (insn->immediate.nbytes != 4 ||
	    !(op == CALL_INSN_OPCODE || op == JMP32_INSN_OPCODE || rp_is_jcc32(insn)))
		return 0;
	dest = addr + insn->length + insn->immediate.value;
	if (!is_relpoline_stub(dest))
		return 0;
	stub = rp_stub_at(dest);
	if (!stub || (unsigned long)stub->text != dest || !stub->site->slow)
		return -EINVAL;
	rel = (s64)stub->site->slow - (s64)(addr + insn->length);
	if ((s32)rel != rel)
		return -EINVAL;
	*(s32 *)(copy + insn_offset_immediate(insn)) = rel;
	return insn_decode_kernel(insn, copy) < 0 ? -EINVAL : 0;
}

static int rp_chunk_add(void)
{
	struct rp_chunk *c;
	void *base;
	int i;

	for (i = 0; i < RP_MAX_CHUNKS && rp_chunks[i]; i++)
		;
	if (i == RP_MAX_CHUNKS)
		return -ENOSPC;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	base = execmem_alloc(EXECMEM_MODULE_TEXT, RP_CHUNK_SIZE);
	if (!base) {
		kfree(c);
		return -ENOMEM;
	}
	memset(base, INT3_INSN_OPCODE, RP_CHUNK_SIZE);
	set_memory_rox((unsigned long)base, RP_CHUNK_SIZE >> PAGE_SHIFT);
	c->base = base;
	WRITE_ONCE(rp_chunks[i], c);
	/* Pairs with smp_load_acquire() in rp_stub_at(): chunk before base. */
	smp_store_release(&rp_chunk_base[i], (unsigned long)base);
	rp_stats.stub_pool_bytes += RP_CHUNK_SIZE;
	return i;
}

/*
 * Does a stub at @text suit @site? A site with a landing keeps an INT3 at
 * that byte, which is byte 1 of its managed form's rel32 (bits 8..15 of
 * the distance from the end of the site to the stub): the stub must be
 * where that byte is 0xcc, one 256-byte window in every 64 KiB.
 */
static bool rp_slot_suits(struct relpoline_site *site, unsigned long text)
{
	u64 rel = text - (site->addr + site->len);

	return !site->landing || ((rel >> 8) & 0xff) == INT3_INSN_OPCODE;
}

/* A free slot of chunk @c that suits @site, or -1. */
static int rp_chunk_slot(struct rp_chunk *c, struct relpoline_site *site)
{
	unsigned long base = (unsigned long)c->base, t;
	unsigned int j, k;

	if (c->used == RP_SLOTS)
		return -1;
	if (!site->landing) {
		j = find_first_zero_bit(c->map, RP_SLOTS);
		return j < RP_SLOTS ? j : -1;
	}
	/* The (at most two) slots whose start is in the window. */
	t = (site->addr + site->len + (INT3_INSN_OPCODE << 8) - base) & 0xffff;
	for (k = 0; k < 2; k++) {
		j = (DIV_ROUND_UP(t, RP_SLOT_SIZE) + k) % RP_SLOTS;
		if (!test_bit(j, c->map) && rp_slot_suits(site, base + j * RP_SLOT_SIZE))
			return j;
	}
	return -1;
}

static void *rp_slot_alloc(struct relpoline_stub *stub)
{
	struct rp_chunk *c;
	int i, slot = -1;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		c = rp_chunks[i];
		if (c) {
			slot = rp_chunk_slot(c, stub->site);
			if (slot >= 0)
				break;
		}
	}
	if (i == RP_MAX_CHUNKS) {
		i = rp_chunk_add();
		if (i < 0)
			return NULL;
		c = rp_chunks[i];
		slot = rp_chunk_slot(c, stub->site);
		if (WARN_ON_ONCE(slot < 0))
			return NULL;
	}
	__set_bit(slot, c->map);
	c->used++;
	WRITE_ONCE(c->owner[slot], stub);
	return c->base + slot * RP_SLOT_SIZE;
}

/* The slot must be unreachable: never published, or after the grace periods. */
static void rp_slot_free(void *text)
{
	unsigned int slot;
	int i;

	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		struct rp_chunk *c = rp_chunks[i];

		if (!c || (unsigned long)text - (unsigned long)c->base >= RP_CHUNK_SIZE)
			continue;
		slot = (text - c->base) / RP_SLOT_SIZE;
		text_poke_set(text, INT3_INSN_OPCODE, RP_SLOT_SIZE);
		WRITE_ONCE(c->owner[slot], NULL);
		__clear_bit(slot, c->map);
		c->used--;
		return;
	}
}

/* Give back chunks with no stub in them (relpoline_mutex, nothing stubbed). */
static void rp_trim_chunks(void)
{
	DECLARE_BITMAP(gone, RP_MAX_CHUNKS);
	int i;

	bitmap_zero(gone, RP_MAX_CHUNKS);
	for (i = 0; i < RP_MAX_CHUNKS; i++) {
		if (!rp_chunks[i] || rp_chunks[i]->used)
			continue;
		WRITE_ONCE(rp_chunk_base[i], 0);
		__set_bit(i, gone);
	}
	if (bitmap_empty(gone, RP_MAX_CHUNKS))
		return;
	/* is_relpoline_stub() and the sampler run with preemption disabled. */
	synchronize_rcu();
	for_each_set_bit(i, gone, RP_MAX_CHUNKS) {
		struct rp_chunk *c = rp_chunks[i];

		WRITE_ONCE(rp_chunks[i], NULL);
		execmem_free(c->base);
		kfree(c);
		rp_stats.stub_pool_bytes -= RP_CHUNK_SIZE;
	}
}

static int rp_counters_alloc(unsigned int nr)
{
	unsigned long idx;
	int cpu, i;

	idx = bitmap_find_next_zero_area(rp_counter_map, RP_NR_COUNTERS, 0, nr, 0);
	if (idx >= RP_NR_COUNTERS)
		return -ENOSPC;
	bitmap_set(rp_counter_map, idx, nr);
	for_each_possible_cpu(cpu)
		for (i = 0; i < nr; i++)
			per_cpu(rp_counters[idx + i], cpu) = 0;
	rp_stats.counters_used += nr;
	return idx;
}

static u64 rp_counter_sum(int idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(rp_counters[idx], cpu));
	return sum;
}

static void rp_counters_free(int idx, unsigned int nr)
{
	bitmap_clear(rp_counter_map, idx, nr);
	rp_stats.counters_used -= nr;
}

/*
 * Name a new stub after its site, and tell perf about its code as it does
 * for BPF programs and ftrace trampolines: a ksymbol and a text_poke
 * event, so that samples in it resolve and Intel PT decodes through it.
 */
static int rp_stub_publish(struct relpoline_stub *stub, const u8 *buf)
{
	char name[KSYM_NAME_LEN];
	unsigned long size, off;
	char *mod;

	if (kallsyms_lookup(stub->site->addr, &size, &off, &mod, name))
		stub->name = kasprintf(GFP_KERNEL, "relpoline_stub:%s+0x%lx", name, off);
	else
		stub->name = kasprintf(GFP_KERNEL, "relpoline_stub:%u", stub->site->id);
	if (!stub->name)
		return -ENOMEM;
	list_add_tail_rcu(&stub->node, &rp_stubs);
	perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL, (unsigned long)stub->text,
			   stub->len, false, stub->name);
	perf_event_text_poke(stub->text, NULL, 0, buf, stub->len);
	return 0;
}

static void rp_stub_free_rcu(struct rcu_head *rcu)
{
	struct relpoline_stub *stub = container_of(rcu, struct relpoline_stub, rcu);

	kfree(stub->name);
	kfree(stub);
}

static void rp_stub_destroy(struct relpoline_stub *stub)
{
	if (stub->name) {
		perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL, (unsigned long)stub->text,
				   stub->len, true, stub->name);
		list_del_rcu(&stub->node);
	}
	if (stub->ctr >= 0)
		rp_counters_free(stub->ctr, stub->nr_ctr);
	rp_slot_free(stub->text);
	rp_stats.stub_bytes -= RP_SLOT_SIZE;
	call_rcu(&stub->rcu, rp_stub_free_rcu);
}

/* Fold a retired stub's counters into its site (after the grace periods). */
/* The slot of @site's folded per-target hits that holds @target, or -1. */
static int rp_acc_slot(struct relpoline_site *site, unsigned long target)
{
	int i;

	for (i = 0; i < RELPOLINE_MAX_TARGETS; i++)
		if (site->acc_target[i] == target)
			return i;
	return -1;
}

/* Add the per-target hits @n of @target to @site's folded counts. */
static void rp_acc_add(struct relpoline_site *site, unsigned long target, u64 n)
{
	int i = rp_acc_slot(site, target), j;

	if (i < 0) {
		/* A free slot, else the one with the fewest hits. */
		for (i = 0, j = 0; j < RELPOLINE_MAX_TARGETS; j++) {
			if (!site->acc_target[j]) {
				i = j;
				break;
			}
			if (site->acc_thits[j] < site->acc_thits[i])
				i = j;
		}
		site->acc_target[i] = target;
		site->acc_thits[i] = 0;
	}
	site->acc_thits[i] += n;
}

/*
 * Add what @stub counted since it was last folded to its site: when it is
 * retired (so that the site's counts never drop) and when it is freed
 * (the calls that were still in it meanwhile).
 */
static void rp_stub_fold(struct relpoline_stub *stub)
{
	struct relpoline_site *site = stub->site;
	u64 n;
	int i;

	if (stub->ctr < 0)
		return;
	n = rp_counter_sum(stub->ctr);
	site->acc_misses += n - stub->folded[0];
	stub->folded[0] = n;
	if (!stub->count_hits)
		return;
	for (i = 0; i < stub->nr_targets; i++) {
		n = rp_counter_sum(stub->ctr + 1 + i) - stub->folded[1 + i];
		stub->folded[1 + i] += n;
		site->acc_hits += n;
		if (n)
			rp_acc_add(site, stub->targets[i], n);
	}
}

extern void relpoline_sample_thunk(void);

/*
 * Where a stub's slow path goes: what the site did before, for the
 * spectre_v2 mode. Retpolines: a jump to the thunk the site called at boot
 * (with call depth tracking, the thunk that accounts the call). Otherwise
 * an indirect JMP of the stub's own, behind an LFENCE for retpoline,lfence,
 * so that the misses of different sites do not share one indirect branch
 * and its prediction as they would through a thunk. ITS: the indirect
 * branch thunk the mitigation provides.
 */
static void rp_stub_slow_path(struct relpoline_site *site, struct rp_stub_desc *d)
{
	if (cpu_feature_enabled(X86_FEATURE_RETPOLINE) &&
	    !cpu_feature_enabled(X86_FEATURE_RETPOLINE_LFENCE)) {
		d->slow_kind = RP_SLOW_REL32;
		d->slow_target = site->slow;
		return;
	}
#ifdef CONFIG_MITIGATION_ITS
	if (cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS)) {
		d->slow_kind = RP_SLOW_REL32;
		d->slow_target = (unsigned long)its_static_thunk(site->reg);
		return;
	}
#endif
	d->slow_kind = RP_SLOW_INDIRECT;
	d->slow_lfence = cpu_feature_enabled(X86_FEATURE_RETPOLINE_LFENCE);
}

/* Build (but do not publish) a stub for @req. */
static int rp_stub_create(struct relpoline_req *req, struct relpoline_stub **out)
{
	struct relpoline_site *site = req->site;
	struct rp_stub_desc d = {};
	struct relpoline_stub *stub;
	u8 buf[RP_SLOT_SIZE];
	int len, ctr, i, ret;

	stub = kzalloc(sizeof(*stub), GFP_KERNEL);
	if (!stub)
		return -ENOMEM;
	stub->site = site;
	stub->nr_targets = req->nr_targets;
	memcpy(stub->targets, req->targets, sizeof(stub->targets));
	stub->count_hits = req->count_hits && req->nr_targets;
	stub->sample = req->sample;
	stub->nr_ctr = 1 + (stub->count_hits ? req->nr_targets : 0);
	ctr = rp_counters_alloc(stub->nr_ctr);
	if (ctr < 0) {
		kfree(stub);
		return ctr;
	}
	stub->ctr = ctr;
	stub->text = rp_slot_alloc(stub);
	if (!stub->text) {
		rp_counters_free(ctr, stub->nr_ctr);
		kfree(stub);
		return -ENOSPC;
	}
	rp_stats.stub_bytes += RP_SLOT_SIZE;

	d.stub_addr = (unsigned long)stub->text;
	d.reg = site->reg;
	d.nr_targets = req->nr_targets;
	for (i = 0; i < req->nr_targets; i++) {
		d.targets[i] = req->targets[i];
		d.hit_ctr[i] = rp_pcpu_disp(&rp_counters[ctr + 1 + i]);
	}
	d.count_hits = stub->count_hits;
	d.count_misses = true;
	d.miss_ctr = rp_pcpu_disp(&rp_counters[ctr]);
	d.sample = req->sample;
	d.sample_ctr = rp_pcpu_disp(&rp_countdown);
	d.sample_fn = (unsigned long)relpoline_sample_thunk;
	rp_stub_slow_path(site, &d);
	len = rp_encode_stub(&d, buf, sizeof(buf));
	if (len < 0) {
		rp_stub_destroy(stub);
		return len;
	}
	stub->len = len;
	text_poke_copy(stub->text, buf, len);
	ret = rp_stub_publish(stub, buf);
	if (ret) {
		rp_stub_destroy(stub);
		return ret;
	}
	*out = stub;
	return 0;
}

/*
 * The bytes @site holds with @stub, or its idle bytes when @stub is NULL.
 * The managed form is one rel32 branch of the site's length: CALL/JMP
 * (5 bytes), CALL/JMP behind a CS prefix (6), Jcc (6); its first byte is
 * the first byte of the site, where text_poke_sites() puts its INT3. A
 * landing byte is INT3 in it: the stub was placed so (rp_slot_suits()).
 */
static int rp_site_bytes(struct relpoline_site *site, struct relpoline_stub *stub, u8 *buf)
{
	unsigned int pfx = 0;
	int ret;

	if (!stub) {
		memcpy(buf, site->idle, site->len);
		return 0;
	}
	if (site->form != RELPOLINE_FORM_JCC && site->len == 6)
		buf[pfx++] = 0x2e;	/* CS segment prefix: ignored in 64-bit mode */
	ret = rp_encode_site(site->form, site->cc, site->addr + pfx,
			     (unsigned long)stub->text, buf + pfx);
	if (ret < 0)
		return ret;
	if (site->landing && buf[site->landing] != INT3_INSN_OPCODE)
		return -ERANGE;
	return 0;
}

static bool rp_module_live(struct module *mod)
{
	return !mod || READ_ONCE(mod->state) == MODULE_STATE_LIVE;
}

/**
 * relpoline_valid_target - may @t be promoted?
 * @t:		an address
 *
 * Return: true when @t is the entry of a function in core kernel text or
 * in the text of a live module.
 */
bool relpoline_valid_target(unsigned long t)
{
	unsigned long size, off;
	struct module *mod;
	bool ok;

	if (!kallsyms_lookup_size_offset(t, &size, &off) || off)
		return false;
	if (core_kernel_text(t))
		return !is_kernel_inittext(t);
	preempt_disable();
	mod = __module_text_address(t);
	ok = mod && mod->state == MODULE_STATE_LIVE &&
	     within_module_mem_type(t, mod, MOD_TEXT);
	preempt_enable();
	return ok;
}
EXPORT_SYMBOL_GPL(relpoline_valid_target);

/**
 * relpoline_in_dying_module - is @addr in a module that is not live?
 * @addr:	a text address
 *
 * A module's state changes without relpoline_lock(): a site or target in
 * a module that was live when a request was built may be in a going one
 * by the time it is applied. Cheap (a module-tree lookup, no symbol scan).
 *
 * Return: true when @addr is in the text of a module that is not live.
 */
bool relpoline_in_dying_module(unsigned long addr)
{
	struct module *mod;
	bool dying;

	preempt_disable();
	mod = __module_text_address(addr);
	dying = mod && READ_ONCE(mod->state) != MODULE_STATE_LIVE;
	preempt_enable();
	return dying;
}

/* One change of a batch being applied. */
struct rp_change {
	struct relpoline_req	*req;
	struct relpoline_stub	*fresh;		/* new stub, NULL: back to idle */
	struct text_poke_site	tps;
};

/* Can @r be made at all? */
static int rp_req_check(struct relpoline_req *r)
{
	struct relpoline_site *site = r->site;
	int j;

	if (rp_unavailable || site->refused || r->nr_targets > RELPOLINE_MAX_TARGETS)
		return -EINVAL;
	if (r->stub && !rp_module_live(site->mod))
		return -EINVAL;
	for (j = 0; r->stub && j < r->nr_targets; j++)
		if (!relpoline_valid_target(r->targets[j]))
			return -EINVAL;
	return 0;
}

/*
 * Build @c's new stub (nothing branches to it yet) and the text change.
 * While the site is rewritten it behaves as a branch to the stub it gets
 * or, when it goes back to idle, to the stub it had: both are live for
 * the whole batch.
 */
static int rp_change_prepare(struct rp_change *c)
{
	struct relpoline_req *r = c->req;
	struct relpoline_site *site = r->site;
	struct relpoline_stub *dest;
	int ret;

	ret = rp_req_check(r);
	if (!ret && r->stub)
		ret = rp_stub_create(r, &c->fresh);
	if (ret)
		return ret;
	c->tps.addr = (void *)site->addr;
	c->tps.len = site->len;
	if (rp_site_bytes(site, site->stub, c->tps.old) ||
	    rp_site_bytes(site, c->fresh, c->tps.new))
		return -ERANGE;
	dest = c->fresh ? c->fresh : site->stub;
	c->tps.form = site->form;
	c->tps.cc = site->cc;
	c->tps.dest = dest ? (unsigned long)dest->text : 0;
	c->tps.quiesce = site->quiesce && !site->stub;
	return 0;
}

/* Rewrite the prepared sites in one text_poke_sites() batch. */
static void rp_changes_patch(struct rp_change *ch, unsigned int n)
{
	struct text_poke_site **vec;
	struct text_poke_site_stats st = {};
	unsigned int i;
	int ret = -ENOMEM;

	vec = kvmalloc_array(n, sizeof(*vec), GFP_KERNEL);
	if (vec) {
		for (i = 0; i < n; i++)
			vec[i] = &ch[i].tps;
		ret = text_poke_sites(vec, n, &st);
		kvfree(vec);
	}
	if (ret < 0)
		for (i = 0; i < n; i++)
			ch[i].tps.result = ret;
	if (st.patched) {
		rp_stats.batches++;
		rp_stats.patched += st.patched;
		rp_stats.ipi_rounds += st.ipi_rounds;
		rp_stats.quiesced += st.quiesced;
	}
}

/* Record what the text now holds; the replaced stub is retired. */
static void rp_change_commit(struct rp_change *c)
{
	struct relpoline_req *r = c->req;
	struct relpoline_site *site = r->site;

	r->result = c->tps.result;
	if (r->result) {
		if (r->result == -EBUSY && !site->busy) {
			site->busy = true;
			rp_stats.busy++;
		}
		return;
	}
	if (site->busy) {
		site->busy = false;
		rp_stats.busy--;
	}
	if (site->stub) {
		rp_stub_fold(site->stub);
		list_add_tail(&site->stub->free, &rp_retired);
	}
	rp_stats.stubbed += !!c->fresh;
	rp_stats.stubbed -= !!site->stub;
	site->stub = c->fresh;
	c->fresh = NULL;
}

/**
 * relpoline_apply - change the stubs of a batch of sites
 * @reqs:	the changes; each site at most once
 * @nr:		number of changes
 *
 * Builds the new stubs and rewrites every site in one text_poke_sites()
 * batch. The stubs that were replaced are retired: relpoline_unlock()
 * frees them once no task can be in them any more, after it has released
 * the mutex. A change that cannot be made leaves its site exactly as it
 * was and says why in its @result; the others are made. Must be called
 * with relpoline_lock() held.
 *
 * Return: the number of changes that failed, or -ENOMEM when nothing was
 * attempted.
 */
int relpoline_apply(struct relpoline_req *reqs, unsigned int nr)
{
	struct rp_change *ch;
	unsigned int n = 0, i, failed = 0;

	lockdep_assert_held(&relpoline_mutex);
	if (!nr)
		return 0;
	ch = kvcalloc(nr, sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		memset(&ch[n], 0, sizeof(ch[n]));
		ch[n].req = &reqs[i];
		reqs[i].result = rp_change_prepare(&ch[n]);
		if (!reqs[i].result) {
			n++;
		} else if (ch[n].fresh) {	/* never published */
			rp_stub_destroy(ch[n].fresh);
			ch[n].fresh = NULL;
		}
	}
	if (n)
		rp_changes_patch(ch, n);
	for (i = 0; i < n; i++) {
		rp_change_commit(&ch[i]);
		if (ch[i].fresh)		/* never published */
			rp_stub_destroy(ch[i].fresh);
	}
	for (i = 0; i < nr; i++)
		failed += !!reqs[i].result;
	kvfree(ch);
	return failed;
}
EXPORT_SYMBOL_GPL(relpoline_apply);

/**
 * relpoline_restore_all - give every stubbed site back its boot bytes
 * @busy:	optional; number of sites that could not be restored
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: 0, -EBUSY when some site holds foreign bytes (it keeps its
 * stub), or -ENOMEM.
 */
int relpoline_restore_all(unsigned int *busy)
{
	struct relpoline_req *reqs;
	struct rp_group *g;
	unsigned int n = 0, i;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	reqs = kvcalloc(max(rp_stats.stubbed, 1U), sizeof(*reqs), GFP_KERNEL);
	if (!reqs)
		return -ENOMEM;
	list_for_each_entry(g, &rp_groups, list)
		for (i = 0; i < g->nr && n < rp_stats.stubbed; i++)
			if (g->sites[i].stub)
				reqs[n++].site = &g->sites[i];
	ret = relpoline_apply(reqs, n);
	kvfree(reqs);
	if (busy)
		*busy = ret > 0 ? ret : 0;
	return ret > 0 ? -EBUSY : ret;
}
EXPORT_SYMBOL_GPL(relpoline_restore_all);

/**
 * relpoline_site_targets - the current targets of a site and their hits
 * @site:	the site
 * @targets:	out, RELPOLINE_MAX_TARGETS entries
 * @hits:	out, RELPOLINE_MAX_TARGETS entries: hits per target since the
 *		last reset, including those of earlier stubs of the site with
 *		the same target (they only grow while hits are counted); may
 *		be NULL
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the number of targets.
 */
unsigned int relpoline_site_targets(struct relpoline_site *site,
				    unsigned long *targets, u64 *hits)
{
	struct relpoline_stub *stub = site->stub;
	unsigned int i;

	lockdep_assert_held(&relpoline_mutex);
	if (!stub)
		return 0;
	for (i = 0; i < stub->nr_targets; i++) {
		int a = rp_acc_slot(site, stub->targets[i]);

		targets[i] = stub->targets[i];
		if (!hits)
			continue;
		hits[i] = a < 0 ? 0 : site->acc_thits[a];
		if (stub->count_hits)
			hits[i] += rp_counter_sum(stub->ctr + 1 + i);
	}
	return stub->nr_targets;
}
EXPORT_SYMBOL_GPL(relpoline_site_targets);

/**
 * relpoline_site_counts - hits and misses of a site since the last reset
 * @site:	the site
 * @hits:	out: calls that took a promoted target (counted while the
 *		stub counts hits)
 * @misses:	out: calls that took the slow path of a stub
 *
 * Must be called with relpoline_lock() held.
 */
void relpoline_site_counts(struct relpoline_site *site, u64 *hits, u64 *misses)
{
	struct relpoline_stub *stub = site->stub;
	unsigned int i;

	lockdep_assert_held(&relpoline_mutex);
	*hits = site->acc_hits;
	*misses = site->acc_misses;
	if (!stub)
		return;
	*misses += rp_counter_sum(stub->ctr);
	if (stub->count_hits)
		for (i = 0; i < stub->nr_targets; i++)
			*hits += rp_counter_sum(stub->ctr + 1 + i);
}
EXPORT_SYMBOL_GPL(relpoline_site_counts);

/**
 * relpoline_reset_counts - zero the hit and miss counts of every site
 *
 * Increments racing with the reset on other CPUs may survive it. Must be
 * called with relpoline_lock() held.
 */
void relpoline_reset_counts(void)
{
	struct rp_group *g;
	unsigned int i, j;
	int cpu;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			struct relpoline_site *site = &g->sites[i];
			struct relpoline_stub *stub = site->stub;

			site->acc_hits = 0;
			site->acc_misses = 0;
			memset(site->acc_target, 0, sizeof(site->acc_target));
			memset(site->acc_thits, 0, sizeof(site->acc_thits));
			if (!stub)
				continue;
			for_each_possible_cpu(cpu)
				for (j = 0; j < stub->nr_ctr; j++)
					WRITE_ONCE(per_cpu(rp_counters[stub->ctr + j], cpu), 0);
		}
	}
}
EXPORT_SYMBOL_GPL(relpoline_reset_counts);

/**
 * relpoline_get_stats - copy the running totals
 * @stats:	out
 */
void relpoline_get_stats(struct relpoline_stats *stats)
{
	mutex_lock(&relpoline_mutex);
	relpoline_get_stats_locked(stats);
	mutex_unlock(&relpoline_mutex);
}
EXPORT_SYMBOL_GPL(relpoline_get_stats);

/**
 * relpoline_get_stats_locked - copy the running totals, relpoline_lock() held
 * @stats:	out
 */
void relpoline_get_stats_locked(struct relpoline_stats *stats)
{
	lockdep_assert_held(&relpoline_mutex);
	*stats = rp_stats;
	stats->landings = atomic_long_read(&rp_landings);
	stats->emulations = text_poke_sites_emulations();
}
EXPORT_SYMBOL_GPL(relpoline_get_stats_locked);

/**
 * relpoline_req_noop - would @r leave its site's text as it is?
 * @r:		a request (its @result is ignored)
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: true when the site already has exactly that stub (or none).
 */
bool relpoline_req_noop(const struct relpoline_req *r)
{
	struct relpoline_stub *stub = r->site->stub;

	lockdep_assert_held(&relpoline_mutex);
	if (!r->stub || !stub)
		return !r->stub && !stub;
	return stub->nr_targets == r->nr_targets &&
	       !memcmp(stub->targets, r->targets, r->nr_targets * sizeof(r->targets[0])) &&
	       stub->count_hits == (r->count_hits && r->nr_targets) &&
	       stub->sample == r->sample;
}
EXPORT_SYMBOL_GPL(relpoline_req_noop);

/**
 * relpoline_site_recheck_busy - is @site still modified by someone else?
 * @site:	a site that relpoline_apply() found busy, or any site
 *
 * A site is marked busy when relpoline_apply() found foreign bytes in it
 * (a kprobe's INT3 or optimized jump) and it stays marked until a later
 * batch patches it. When the other user has gone since, the text holds
 * relpoline's bytes again: the mark is dropped here and the site can be
 * patched at once. Must be called with relpoline_lock() held.
 *
 * Return: true if the site still holds foreign bytes.
 */
bool relpoline_site_recheck_busy(struct relpoline_site *site)
{
	u8 want[TEXT_POKE_SITE_MAX];
	bool busy;

	lockdep_assert_held(&relpoline_mutex);
	if (!site->busy)
		return false;
	if (rp_site_bytes(site, site->stub, want))
		return true;
	mutex_lock(&text_mutex);
	busy = memcmp((void *)site->addr, want, site->len);
	mutex_unlock(&text_mutex);
	if (!busy) {
		site->busy = false;
		rp_stats.busy--;
	}
	return busy;
}
EXPORT_SYMBOL_GPL(relpoline_site_recheck_busy);

/**
 * relpoline_set_sample_period - sample one of every @period slow-path calls
 * @period:	1 or more
 */
void relpoline_set_sample_period(unsigned int period)
{
	int cpu;

	WRITE_ONCE(rp_sample_period, max(period, 1U));
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu(rp_countdown, cpu), max(period, 1U));
}
EXPORT_SYMBOL_GPL(relpoline_set_sample_period);

/**
 * relpoline_unavailable - why relpoline cannot be used, if it cannot
 *
 * Return: a reason for the log or an error message, or NULL.
 */
const char *relpoline_unavailable(void)
{
	return rp_unavailable;
}
EXPORT_SYMBOL_GPL(relpoline_unavailable);

/**
 * relpoline_lock - take the relpoline mutex
 */
void relpoline_lock(void)
{
	mutex_lock(&relpoline_mutex);
}
EXPORT_SYMBOL_GPL(relpoline_lock);

/* Free every retired stub now: relpoline_mutex held, so it waits holding it. */
static void rp_reap_locked(void)
{
	struct relpoline_stub *s, *tmp;

	lockdep_assert_held(&relpoline_mutex);
	if (list_empty(&rp_retired))
		return;
	synchronize_rcu_tasks_rude();
	synchronize_rcu_tasks();
	list_for_each_entry_safe(s, tmp, &rp_retired, free) {
		list_del(&s->free);
		rp_stub_fold(s);
		rp_stub_destroy(s);
	}
}

/*
 * Free the stubs retired so far once no task can be in them: the
 * RCU-tasks grace periods are waited for without relpoline_mutex, so that
 * module loading and the tracefs files are not held up by them. A stub
 * retired meanwhile waits for the next reaper.
 */
static void rp_reap(void)
{
	struct relpoline_stub *s, *tmp;
	bool any = false;

	mutex_lock(&rp_reap_mutex);
	mutex_lock(&relpoline_mutex);
	list_for_each_entry(s, &rp_retired, free) {
		s->reaping = true;
		any = true;
	}
	mutex_unlock(&relpoline_mutex);
	if (any) {
		synchronize_rcu_tasks_rude();
		synchronize_rcu_tasks();
	}
	mutex_lock(&relpoline_mutex);
	list_for_each_entry_safe(s, tmp, &rp_retired, free) {
		if (!s->reaping)
			continue;
		list_del(&s->free);
		rp_stub_fold(s);
		rp_stub_destroy(s);
	}
	if (!rp_stats.stubbed)
		rp_trim_chunks();
	mutex_unlock(&relpoline_mutex);
	mutex_unlock(&rp_reap_mutex);
}

/**
 * relpoline_unlock - release the relpoline mutex
 *
 * Then frees the stubs that relpoline_apply() retired, once no task can
 * be in them any more: the caller returns when they are gone, but
 * relpoline_mutex is free meanwhile. Sleeps.
 */
void relpoline_unlock(void)
{
	bool reap = !list_empty(&rp_retired);

	mutex_unlock(&relpoline_mutex);
	if (reap)
		rp_reap();
}
EXPORT_SYMBOL_GPL(relpoline_unlock);

/**
 * relpoline_walk_sites - call @fn for every captured site
 * @fn:		callback; a non-zero return stops the walk
 * @data:	passed to @fn
 *
 * Sites of vmlinux come first, by address, then those of each module.
 * Must be called with relpoline_lock() held.
 *
 * Return: the first non-zero value @fn returned, or 0.
 */
int relpoline_walk_sites(relpoline_site_fn_t fn, void *data)
{
	struct rp_group *g;
	unsigned int i;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			ret = fn(&g->sites[i], data);
			if (ret)
				return ret;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(relpoline_walk_sites);

/**
 * relpoline_walk_function - call @fn for every site in one function
 * @addr:	any address inside the function
 * @fn:		callback; a non-zero return stops the walk
 * @data:	passed to @fn
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the first non-zero value @fn returned, 0, or -ENOENT when @addr
 * is not inside a known function.
 */
int relpoline_walk_function(unsigned long addr, relpoline_site_fn_t fn, void *data)
{
	unsigned long size, off, start;
	struct rp_group *g;
	unsigned int i;
	int ret;

	lockdep_assert_held(&relpoline_mutex);
	if (!kallsyms_lookup_size_offset(addr, &size, &off))
		return -ENOENT;
	start = addr - off;
	list_for_each_entry(g, &rp_groups, list) {
		for (i = 0; i < g->nr; i++) {
			if (g->sites[i].addr - start >= size)
				continue;
			ret = fn(&g->sites[i], data);
			if (ret)
				return ret;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(relpoline_walk_function);

static int rp_site_cmp_addr(const void *key, const void *elt)
{
	unsigned long addr = *(const unsigned long *)key;
	const struct relpoline_site *s = elt;

	if (addr == s->addr)
		return 0;
	return addr < s->addr ? -1 : 1;
}

/**
 * relpoline_find_site - the site at @addr
 * @addr:	address of the site's instruction
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the site, or NULL.
 */
struct relpoline_site *relpoline_find_site(unsigned long addr)
{
	struct rp_group *g;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		struct relpoline_site *s;

		s = bsearch(&addr, g->sites, g->nr, sizeof(g->sites[0]), rp_site_cmp_addr);
		if (s)
			return s;
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(relpoline_find_site);

/**
 * relpoline_find_site_id - the site with identifier @id
 * @id:		as shown in tracefs
 *
 * Must be called with relpoline_lock() held.
 *
 * Return: the site, or NULL.
 */
struct relpoline_site *relpoline_find_site_id(unsigned int id)
{
	struct rp_group *g;

	lockdep_assert_held(&relpoline_mutex);
	list_for_each_entry(g, &rp_groups, list) {
		if (g->nr && id >= g->sites[0].id && id <= g->sites[g->nr - 1].id)
			return &g->sites[id - g->sites[0].id];
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(relpoline_find_site_id);

/* ---- site capture ---- */

static bool rp_in(unsigned long a, const void *start, const void *end)
{
	return a >= (unsigned long)start && a < (unsigned long)end;
}

/* Register of a thunk at @dest, or -1. */
static int rp_thunk_reg(unsigned long dest)
{
	static retpoline_thunk_t * const arrays[] = {
		__x86_indirect_thunk_array,
#ifdef CONFIG_MITIGATION_CALL_DEPTH_TRACKING
		__x86_indirect_call_thunk_array,
		__x86_indirect_jump_thunk_array,
#endif
	};
	const u8 *p = (const u8 *)dest;
	unsigned long off;
	int i, rex = 0;

	for (i = 0; i < ARRAY_SIZE(arrays); i++) {
		off = dest - (unsigned long)arrays[i];
		if (off < 16 * sizeof(retpoline_thunk_t) && !(off % sizeof(retpoline_thunk_t)))
			return off / sizeof(retpoline_thunk_t);
	}
#ifdef CONFIG_MITIGATION_ITS
	off = dest - (unsigned long)__x86_indirect_its_thunk_array;
	if (off < 16 * sizeof(its_thunk_t) && !(off % sizeof(its_thunk_t)))
		return off / sizeof(its_thunk_t);
	/* A dynamic ITS thunk (its_allocate_thunk()): "[REX.B] JMP *%reg; INT3". */
	if (cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS) && !core_kernel_text(dest)) {
		if (p[0] == 0x41)
			rex = 1;
		if (p[rex] == 0xff && (p[rex + 1] & 0xf8) == 0xe0 && p[rex + 2] == 0xcc)
			return (p[rex + 1] & 7) + (rex ? 8 : 0);
	}
#endif
	return -1;
}

/*
 * A site boot patching left as a rel32 branch to a thunk (retpoline mode,
 * call depth tracking, ITS thunks, and whatever did not fit inline): the
 * managed form is the same instruction to a stub, with the same
 * boundaries. A 6-byte CALL/JMP keeps its CS prefix.
 */
static const char *rp_capture_thunk(struct relpoline_site *s, const u8 *p, struct insn *insn)
{
	unsigned long dest;
	int reg;

	if (rp_is_jcc32(insn))
		s->form = RELPOLINE_FORM_JCC;
	else if (insn->opcode.bytes[0] == CALL_INSN_OPCODE)
		s->form = RELPOLINE_FORM_CALL;
	else if (insn->opcode.bytes[0] == JMP32_INSN_OPCODE)
		s->form = RELPOLINE_FORM_JMP;
	else
		return "not a branch boot patching leaves";
	if (s->form == RELPOLINE_FORM_JCC ? insn->length != 6 :
	    !(insn->length == 5 || (insn->length == 6 && p[0] == 0x2e)))
		return "unexpected instruction layout";
	dest = (unsigned long)p + insn->length + insn->immediate.value;
	reg = rp_thunk_reg(dest);
	if (reg < 0 || reg == 4)
		return "branch target is not a retpoline or ITS thunk";
	s->cc = s->form == RELPOLINE_FORM_JCC ? insn->opcode.bytes[1] & 0xf : 0;
	s->reg = reg;
	s->len = insn->length;
	s->slow = dest;
	return NULL;
}

/*
 * The bytes patch_retpoline() and optimize_nops() give a site of @len
 * bytes whose branch they inline: [Jncc.d8 1f] [LFENCE] CALL/JMP *%reg,
 * an INT3 behind a JMP when there is room, then one NOP to the end.
 * Return: the number of bytes before the padding, or -1 if it does not fit.
 */
static int rp_inline_bytes(u8 *buf, int len, int form, u8 cc, bool lfence, int reg)
{
	int i = 0;

	if (form == RELPOLINE_FORM_JCC) {
		buf[i++] = 0x70 + (cc ^ 1);
		buf[i++] = len - 2;
	}
	if (lfence) {
		buf[i++] = 0x0f;
		buf[i++] = 0xae;
		buf[i++] = 0xe8;
	}
	if (reg >= 8)
		buf[i++] = 0x41;
	buf[i++] = 0xff;
	buf[i++] = (form == RELPOLINE_FORM_CALL ? 0xd0 : 0xe0) + (reg & 7);
	if (i > len)
		return -1;
	if (form != RELPOLINE_FORM_CALL && i < len)
		buf[i++] = INT3_INSN_OPCODE;
	if (i < len)
		memcpy(buf + i, x86_nops[len - i], len - i);
	return i;
}

/* "[REX.B] CALL/JMP *%reg" at @p: the register, and whether it is a CALL. */
static int rp_indirect_at(const u8 *p, bool *call)
{
	int rex = p[0] == 0x41;
	u8 modrm = p[rex + 1];

	if (p[rex] != 0xff || (modrm & 0xc0) != 0xc0)
		return -1;
	if ((modrm & 0x38) != 0x10 && (modrm & 0x38) != 0x20)
		return -1;
	*call = (modrm & 0x38) == 0x10;
	return (modrm & 7) + (rex ? 8 : 0);
}

/*
 * A site boot patching inlined (patch_retpoline(): spectre_v2=off, eIBRS,
 * IBRS, retpoline,lfence where it fits, ITS where the branch is safe):
 *
 *	[LFENCE] CALL *%reg  NOP				a call
 *	[LFENCE] JMP *%reg  [INT3] [NOP]			a jump
 *	Jncc.d8 1f  JMP *%reg  [INT3] [NOP]  1:		a Jcc
 *
 * The site's length is not in the text any more: a Jcc.d32 was 6 bytes,
 * a CALL/JMP to %rax..%rdi 5 (compilers CS-prefix only r8-r15 thunk
 * calls), one to r8-r15 5 or 6, which the length of the padding tells.
 * The bytes are then checked against what boot patching writes for that
 * length. The managed form is one CALL/JMP/Jcc rel32 (rp_site_bytes()).
 *
 * Where a task can stop inside the site: after an LFENCE, at the JMP
 * behind the Jcc.d8 (@quiesce: text_poke_sites() waits for tasks to
 * leave), and where an inlined CALL returns when padding follows it
 * (@landing: the byte stays INT3 while the site is managed, so that a
 * task still in that callee returns to an INT3 and relpoline_landing()
 * moves it to the end of the site).
 */
static const char *rp_capture_inline(struct relpoline_site *s, const u8 *p)
{
	u8 want[TEXT_POKE_SITE_MAX];
	bool call, lfence = false;
	int off = 0, reg, len, end;

	if (p[0] >= 0x70 && p[0] <= 0x7f) {
		s->form = RELPOLINE_FORM_JCC;
		s->cc = (p[0] & 0xf) ^ 1;
		off = 2;
	}
	if (p[off] == 0x0f && p[off + 1] == 0xae && p[off + 2] == 0xe8) {
		lfence = true;
		off += 3;
	}
	reg = rp_indirect_at(p + off, &call);
	if (reg < 0 || reg == 4)
		return "not a retpoline site as boot patching leaves it";
	if (s->form == RELPOLINE_FORM_JCC) {
		if (call)
			return "not a retpoline site as boot patching leaves it";
		len = 6;
	} else {
		s->form = call ? RELPOLINE_FORM_CALL : RELPOLINE_FORM_JMP;
		end = off + 2 + (reg >= 8);
		if (reg < 8 || lfence)
			len = reg < 8 ? 5 : end;
		else if (!call && p[end] == INT3_INSN_OPCODE)
			len = p[end + 1] == 0x90 ? 5 : 6;
		else
			len = p[end] == 0x66 ? 5 : 6;
	}
	end = rp_inline_bytes(want, len, s->form, s->cc, lfence, reg);
	if (end < 0 || memcmp(p, want, len))
		return "not a retpoline site as boot patching leaves it";
	s->reg = reg;
	s->len = len;
	s->inlined = true;
	/* What a kprobe's copy of the managed form branches to (see relpoline_fixup_copied_insn()). */
	s->slow = (unsigned long)&__x86_indirect_thunk_array[reg];
	s->quiesce = lfence || s->form == RELPOLINE_FORM_JCC;
	if (call && end < len)
		s->landing = end;
	/* The landing is kept in a byte of the managed form's rel32 that stubs choose. */
	if (s->landing && s->landing - (len - 4) != 1)
		return "a callee returns into the managed form's rel32";
	return NULL;
}

/* The unwind state inside a stub of a CALL site: a function entry. */
static const struct orc_entry rp_entry_orc = {
	.sp_offset	= sizeof(long),
	.sp_reg		= ORC_REG_SP,
	.bp_reg		= ORC_REG_UNDEFINED,
	.type		= ORC_TYPE_CALL,
};

/* Text where a stub's per-CPU accesses and sampling call are not allowed. */
static bool rp_noinstr(struct module *mod, unsigned long addr)
{
	/* .noinstr.text includes .cpuidle.text. */
	if (mod)
		return addr - (unsigned long)mod->noinstr_text_start < mod->noinstr_text_size;
	return rp_in(addr, __noinstr_text_start, __noinstr_text_end) ||
	       rp_in(addr, __entry_text_start, __entry_text_end);
}

/*
 * The unwind state inside the site's stubs: a function entry for a CALL,
 * and the state at the site for a JMP or Jcc, which need not be a tail
 * call: a computed goto jumps with the function's frame in place.
 */
static void rp_capture_orc(struct relpoline_site *s)
{
	struct orc_entry *orc;

	if (s->refused)
		return;
	if (s->form == RELPOLINE_FORM_CALL) {
		s->orc = rp_entry_orc;
		return;
	}
	orc = unwind_orc_entry(s->addr);
	if (!orc || orc->type == ORC_TYPE_UNDEFINED) {
		s->refused = "no unwind state at the site";
		return;
	}
	s->orc = *orc;
}

/* Decode a site as boot patching left it. @text_ok: the site is in text we may patch. */
static void rp_capture(struct relpoline_site *s, struct module *mod, unsigned long addr,
		       bool text_ok)
{
	const u8 *p = (const u8 *)addr;
	struct insn insn;
	const char *why;

	s->addr = addr;
	if (!text_ok) {
		s->refused = "not in patchable text";
		return;
	}
	if (rp_noinstr(mod, addr)) {
		s->refused = "noinstr/entry text";
		return;
	}
	if (insn_decode_kernel(&insn, p) < 0) {
		s->refused = "undecodable";
		return;
	}
	if (insn.immediate.nbytes == 4 && insn.length >= 5 &&
	    (insn.opcode.bytes[0] == CALL_INSN_OPCODE ||
	     insn.opcode.bytes[0] == JMP32_INSN_OPCODE || rp_is_jcc32(&insn)))
		why = rp_capture_thunk(s, p, &insn);
	else
		why = rp_capture_inline(s, p);
	if (why) {
		s->refused = why;
		return;
	}
	memcpy(s->idle, p, s->len);
	/* A module's ORC can be looked up once it is coming (rp_module_orc()). */
	if (!mod)
		rp_capture_orc(s);
}

static int rp_cmp_site(const void *a, const void *b)
{
	const struct relpoline_site *x = a, *y = b;

	if (x->addr == y->addr)
		return 0;
	return x->addr < y->addr ? -1 : 1;
}

static struct rp_group *rp_group_build(struct module *mod, s32 *start, s32 *end)
{
	unsigned int nr = end - start, i, n = 0;
	struct rp_group *g;

	g = kvzalloc(struct_size(g, sites, nr), GFP_KERNEL);
	if (!g)
		return NULL;
	g->nr = nr;
	g->mod = mod;
	for (i = 0; i < nr; i++) {
		unsigned long addr = (unsigned long)&start[i] + start[i];
		bool ok;

		if (mod)
			ok = within_module_mem_type(addr, mod, MOD_TEXT);
		else
			ok = core_kernel_text(addr) && !is_kernel_inittext(addr);
		/* Sites in init text go away; do not keep them. */
		if (!ok && (mod ? within_module_init(addr, mod) : is_kernel_inittext(addr)))
			continue;
		g->sites[n].mod = mod;
		rp_capture(&g->sites[n], mod, addr, ok);
		n++;
	}
	g->nr = n;
	sort(g->sites, n, sizeof(g->sites[0]), rp_cmp_site, NULL);
	for (i = 0; i < n; i++) {
		g->sites[i].id = rp_next_id + i;
		if (g->sites[i].refused)
			rp_stats.refused++;
	}
	rp_next_id += n;
	rp_stats.sites += n;
	return g;
}

/**
 * relpoline_module_sites - capture the sites of a module being loaded
 * @mod:	the module (not yet live)
 * @start:	its .retpoline_sites, after apply_retpolines()
 * @end:	end of that section
 */
void relpoline_module_sites(struct module *mod, s32 *start, s32 *end)
{
	struct rp_group *g;

	if (rp_unavailable)
		return;
	mutex_lock(&relpoline_mutex);
	g = rp_group_build(mod, start, end);
	if (g)
		list_add_tail_rcu(&g->list, &rp_groups);
	else
		pr_warn("no memory for the sites of %s; they stay unmanaged\n", mod->name);
	mutex_unlock(&relpoline_mutex);
}

static struct rp_group *rp_group_of(struct module *mod)
{
	struct rp_group *g;

	list_for_each_entry(g, &rp_groups, list)
		if (g->mod == mod)
			return g;
	return NULL;
}

static void rp_group_free(struct rp_group *g)
{
	unsigned int i;

	for (i = 0; i < g->nr; i++)
		if (g->sites[i].refused)
			rp_stats.refused--;
	rp_stats.sites -= g->nr;
	list_del_rcu(&g->list);
	/* relpoline_landing() walks the groups without the mutex. */
	synchronize_rcu();
	kvfree(g);
}

/*
 * A module is going: drop every promotion to a target inside it, restore
 * its own sites, and forget them. Stubs are freed after the grace periods
 * inside relpoline_apply(), before the module's text is.
 */
static void rp_module_going(struct module *mod)
{
	struct relpoline_req *reqs;
	struct rp_group *g, *own = rp_group_of(mod);
	unsigned int n = 0, i, j, k;

	reqs = kvcalloc(max(rp_stats.stubbed, 1U), sizeof(*reqs), GFP_KERNEL);
	if (reqs) {
		list_for_each_entry(g, &rp_groups, list) {
			for (i = 0; i < g->nr && n < rp_stats.stubbed; i++) {
				struct relpoline_site *site = &g->sites[i];
				struct relpoline_stub *stub = site->stub;
				struct relpoline_req *r = &reqs[n];

				if (!stub)
					continue;
				if (g == own) {
					r->site = site;
					n++;
					continue;
				}
				for (j = 0, k = 0; j < stub->nr_targets; j++)
					if (!within_module(stub->targets[j], mod))
						r->targets[k++] = stub->targets[j];
				if (k == stub->nr_targets)
					continue;
				r->site = site;
				r->stub = true;
				r->nr_targets = k;
				r->count_hits = stub->count_hits;
				r->sample = stub->sample;
				n++;
			}
		}
		relpoline_apply(reqs, n);
		kvfree(reqs);
	} else {
		pr_warn("no memory to demote targets in %s\n", mod->name);
	}
	/* Its addresses may be reused: forget the hits counted for them. */
	list_for_each_entry(g, &rp_groups, list)
		for (i = 0; i < g->nr; i++)
			for (j = 0; j < RELPOLINE_MAX_TARGETS; j++)
				if (within_module(g->sites[i].acc_target[j], mod)) {
					g->sites[i].acc_target[j] = 0;
					g->sites[i].acc_thits[j] = 0;
				}
	/*
	 * The module's text goes when this returns: every stub that branched
	 * into it, or that its sites branched to, must be gone by then.
	 */
	rp_reap_locked();
	if (!own)
		return;
	/*
	 * A site that held foreign bytes (a kprobe) kept its stub. Its text
	 * is about to be freed, so nothing reaches the stub once every task
	 * has left it.
	 */
	for (i = 0, n = 0; i < own->nr; i++)
		n += !!own->sites[i].stub;
	if (n) {
		synchronize_rcu_tasks_rude();
		synchronize_rcu_tasks();
		for (i = 0; i < own->nr; i++) {
			struct relpoline_site *site = &own->sites[i];

			if (!site->stub)
				continue;
			rp_stub_destroy(site->stub);
			site->stub = NULL;
			rp_stats.stubbed--;
			if (site->busy)
				rp_stats.busy--;
		}
	}
	rp_group_free(own);
}

/**
 * relpoline_module_free - forget a module's sites (module_arch_cleanup())
 * @mod:	the module being freed
 *
 * Normally the sites are gone already (MODULE_STATE_GOING); this covers a
 * module whose load failed before it went live.
 */
void relpoline_module_free(struct module *mod)
{
	struct rp_group *g;

	mutex_lock(&relpoline_mutex);
	g = rp_group_of(mod);
	if (g)
		rp_group_free(g);
	mutex_unlock(&relpoline_mutex);
}

/*
 * A module is coming: its ORC tables can be looked up now (not when its
 * sites are captured in module_finalize(), before it is formed).
 */
static void rp_module_orc(struct module *mod)
{
	struct rp_group *g = rp_group_of(mod);
	unsigned int i;

	for (i = 0; g && i < g->nr; i++) {
		if (g->sites[i].refused)
			continue;
		rp_capture_orc(&g->sites[i]);
		rp_stats.refused += !!g->sites[i].refused;
	}
}

static int rp_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	if (state == MODULE_STATE_COMING) {
		mutex_lock(&relpoline_mutex);
		rp_module_orc(data);
		mutex_unlock(&relpoline_mutex);
		return NOTIFY_OK;
	}
	if (state != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&relpoline_mutex);
	rp_module_going(data);
	if (!rp_stats.stubbed)
		rp_trim_chunks();
	mutex_unlock(&relpoline_mutex);
	return NOTIFY_OK;
}

static struct notifier_block rp_module_nb = {
	.notifier_call = rp_module_notify,
	/* After the policy layer's notifier, which demotes with events. */
	.priority = -1,
};

/* ---- sampling ---- */

/*
 * Learned samples: a small open-addressed table per CPU, in two halves.
 * Writers (any context, NMI included) add to the active half with
 * preemption disabled and a per-CPU nesting guard: a sample that would
 * nest (an NMI during a sample) or find no free entry is dropped and
 * counted. The drainer flips every CPU's active half, waits for the
 * writers of the old half with synchronize_rcu(), then owns it.
 */
#define RP_LEARN_SIZE	256
#define RP_LEARN_PROBE	8

struct rp_learn {
	struct relpoline_sample	ent[2][RP_LEARN_SIZE];
	unsigned int		active;
	unsigned int		nesting;
	unsigned long		dropped;
};

static DEFINE_PER_CPU(struct rp_learn, rp_learn);

static u64 rp_current_cgroup_id(void)
{
	u64 id = 0;

#ifdef CONFIG_CGROUPS
	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
#endif
	return id;
}

/**
 * relpoline_record_sample - record that @site was called with @target
 * @site:	the site
 * @target:	the value of its target register
 *
 * Any context, NMI included; never sleeps, locks or calls indirectly.
 */
notrace void relpoline_record_sample(struct relpoline_site *site, unsigned long target)
{
	struct relpoline_sample *half, *e;
	struct rp_learn *l;
	unsigned int h, i;
	u64 cg;

	preempt_disable_notrace();
	l = this_cpu_ptr(&rp_learn);
	if (l->nesting++) {
		l->dropped++;
		goto out;
	}
	barrier();
	cg = rp_current_cgroup_id();
	half = l->ent[READ_ONCE(l->active)];
	h = hash_64((u64)target ^ ((u64)site->id << 32) ^ cg, ilog2(RP_LEARN_SIZE));
	for (i = 0; i < RP_LEARN_PROBE; i++) {
		e = &half[(h + i) % RP_LEARN_SIZE];
		if (!e->count) {
			e->site_id = site->id;
			e->target = target;
			e->cgroup_id = cg;
			e->count = 1;
			break;
		}
		if (e->site_id == site->id && e->target == target && e->cgroup_id == cg) {
			e->count++;
			break;
		}
	}
	if (i == RP_LEARN_PROBE)
		l->dropped++;
	trace_relpoline_miss(site->addr, target, cg);
	barrier();
out:
	l->nesting--;
	preempt_enable_notrace();
}

/**
 * relpoline_drain_samples - hand every sample recorded so far to @fn
 * @fn:		called once per (site, target, cgroup) entry of each CPU
 * @data:	passed to @fn
 *
 * Process context; sleeps (one RCU grace period). Drains are serialised
 * by relpoline_lock(), which must be held.
 *
 * Return: samples dropped since the last drain (table full or nested).
 */
unsigned long relpoline_drain_samples(relpoline_sample_fn_t fn, void *data)
{
	unsigned long dropped = 0;
	unsigned int old, i;
	int cpu;

	lockdep_assert_held(&relpoline_mutex);
	old = per_cpu(rp_learn.active, 0);
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu(rp_learn.active, cpu), !old);
	synchronize_rcu();
	for_each_possible_cpu(cpu) {
		struct rp_learn *l = per_cpu_ptr(&rp_learn, cpu);

		for (i = 0; i < RP_LEARN_SIZE; i++)
			if (l->ent[old][i].count)
				fn(&l->ent[old][i], data);
		memset(l->ent[old], 0, sizeof(l->ent[old]));
		dropped += xchg(&l->dropped, 0);
	}
	return dropped;
}
EXPORT_SYMBOL_GPL(relpoline_drain_samples);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_miss);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_promote);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_demote);
EXPORT_TRACEPOINT_SYMBOL_GPL(relpoline_retrain);

/**
 * relpoline_sample - slow-path sample, called by relpoline_sample_thunk
 * @regs:	the registers at the stub, indexed by x86 register number
 * @ret:	return address into the stub that called
 */
__visible notrace void relpoline_sample(unsigned long *regs, unsigned long ret)
{
	struct relpoline_stub *stub;

	this_cpu_write(rp_countdown, READ_ONCE(rp_sample_period));
	stub = rp_stub_at(ret);
	if (stub)
		relpoline_record_sample(stub->site, regs[stub->site->reg]);
}

/* ---- landings ---- */

/* The site of @g whose bytes hold @addr, or NULL. */
static __always_inline struct relpoline_site *rp_group_site_at(struct rp_group *g, unsigned long addr)
{
	unsigned int lo = 0, hi = g->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct relpoline_site *s = &g->sites[mid];

		if (addr < s->addr)
			hi = mid;
		else if (addr >= s->addr + s->len)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

/**
 * relpoline_landing - an INT3 at a site's landing?
 * @regs:	the trap's registers
 *
 * A task that entered an inlined CALL of a site before the site got a stub
 * returns to the site's landing (rp_capture_inline()), an INT3 while the
 * site has a stub. In the idle text the rest of the site is padding: go on
 * at the end of the site. Called by do_int3() before any other handler
 * that could run through a relpoline site; NMI context, with preemption
 * off, which keeps module site groups from being freed (rp_group_free()
 * waits for synchronize_rcu()). No indirect calls.
 *
 * Return: 1 when the task was moved, else 0.
 */
int relpoline_landing(struct pt_regs *regs)
{
	unsigned long addr = regs->ip - INT3_INSN_SIZE;
	struct relpoline_site *s = NULL;
	struct rp_group *g;

	if (user_mode(regs))
		return 0;
	list_for_each_entry_rcu(g, &rp_groups, list, true) {
		s = rp_group_site_at(g, addr);
		if (s)
			break;
	}
	if (!s || !s->landing || s->addr + s->landing != addr)
		return 0;
	int3_emulate_jmp(regs, s->addr + s->len);
	atomic_long_inc(&rp_landings);
	return 1;
}
NOKPROBE_SYMBOL(relpoline_landing);

/* ---- init ---- */

extern s32 __retpoline_sites[], __retpoline_sites_end[];

static int __init relpoline_init(void)
{
	struct rp_group *g;

	if (relpoline_boot == RP_BOOT_OFF) {
		rp_unavailable = "disabled on the command line (relpoline=off)";
	} else if (cpu_feature_enabled(X86_FEATURE_CALL_DEPTH)) {
		rp_unavailable = "call depth tracking (retbleed=stuff) is not supported";
	} else if (IS_ENABLED(CONFIG_CFI_CLANG)) {
		rp_unavailable = "kCFI/FineIBT call sites are not supported";
	} else if (!rp_pcpu_addressable(&rp_counters[RP_NR_COUNTERS - 1]) ||
		   !rp_pcpu_addressable(&rp_countdown)) {
		rp_unavailable = "per-CPU counters are not %gs:disp32 addressable";
	} else {
		rp_unavailable = NULL;
	}
	if (rp_unavailable) {
		pr_info("disabled: %s\n", rp_unavailable);
		return 0;
	}
	relpoline_set_sample_period(rp_sample_period);

	mutex_lock(&relpoline_mutex);
	g = rp_group_build(NULL, __retpoline_sites, __retpoline_sites_end);
	if (g)
		list_add_rcu(&g->list, &rp_groups);
	mutex_unlock(&relpoline_mutex);
	if (!g) {
		rp_unavailable = "no memory for the site table";
		pr_err("disabled: %s\n", rp_unavailable);
		return -ENOMEM;
	}
	register_module_notifier(&rp_module_nb);
	pr_info("%u vmlinux sites, %u refused\n", g->nr, rp_stats.refused);
	return 0;
}
early_initcall(relpoline_init);
