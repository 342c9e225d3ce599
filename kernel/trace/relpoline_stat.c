// SPDX-License-Identifier: GPL-2.0
/*
 * relpoline: trace_stat/relpoline, the per-site hit and miss counts, the
 * totals of the patching and the policy, and the estimate of what the
 * promoted hits saved.
 *
 * Locking: see relpoline_internal.h.
 */
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/min_heap.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "trace_stat.h"
#include "relpoline_internal.h"

/* ---- trace_stat/relpoline ---- */

/*
 * The rows: the RP_STAT_ROWS stubbed sites with the most calls. The site
 * is named when its row is shown, not when the rows are collected: naming
 * a module site is a kallsyms lookup, a linear scan of the module's
 * symbols, and only the rows read need it.
 *
 * trace_stat sorts what stat_start gives into an rbtree, one indirect
 * call of stat_cmp per level for every row: with every site a row, a read
 * with 30,000 stubbed sites made N log2 N = ~450,000 of them or more. The
 * rows are picked instead while the sites are walked, with a min-heap by
 * calls whose compare the compiler inlines, and trace_stat sorts at most
 * RP_STAT_ROWS of them: a read costs O(sites log RP_STAT_ROWS) plain
 * compares plus at most 2 * RP_STAT_ROWS * log2(RP_STAT_ROWS + 1) calls of
 * rp_stat_cmp() (a red-black tree is at most 2 log2(n + 1) deep; 14,481
 * measured), however many sites are stubbed. Every site's counts are in
 * "sites".
 */
#define RP_STAT_ROWS	1000

struct rp_stat_row {
	u64		calls, hits, misses;
	unsigned int	id;
};

DEFINE_MIN_HEAP(struct rp_stat_row, rp_stat_heap);

/*
 * The rows of the last open, kept until the next one: trace_stat's session
 * (under its own mutex) points at them from open to the next open or the
 * last close; stat_release is a no-op. Allocated on the first read.
 */
static struct rp_stat_heap rp_stat_rows;
static unsigned int rp_stat_stubbed;

static bool rp_row_less(const void *a, const void *b, void *args)
{
	return ((const struct rp_stat_row *)a)->calls < ((const struct rp_stat_row *)b)->calls;
}

static void rp_row_swap(void *a, void *b, void *args)
{
	swap(*(struct rp_stat_row *)a, *(struct rp_stat_row *)b);
}

static const struct min_heap_callbacks rp_row_cb = {
	.less = rp_row_less,
	.swp = rp_row_swap,
};

static void rp_stat_collect(struct relpoline_site *s, struct rp_stat_heap *h)
{
	struct rp_stat_row row;

	if (!s->stub)
		return;
	rp_stat_stubbed++;
	relpoline_site_counts(s, &row.hits, &row.misses);
	row.calls = row.hits + row.misses;
	row.id = s->id;
	if (!min_heap_full(h))
		min_heap_push(h, &row, &rp_row_cb, NULL);
	else if (row.calls > min_heap_peek(h)->calls)
		min_heap_pop_push(h, &row, &rp_row_cb, NULL);
}

static void *rp_stat_start(struct tracer_stat *trace)
{
	struct rp_stat_heap *h = &rp_stat_rows;
	struct relpoline_site_iter it = {};
	struct relpoline_site *s;

	if (!h->data) {
		h->data = kvmalloc_array(RP_STAT_ROWS, sizeof(*h->data), GFP_KERNEL);
		if (!h->data)
			return NULL;
		h->size = RP_STAT_ROWS;
	}
	h->nr = 0;
	rp_stat_stubbed = 0;
	relpoline_lock();
	while ((s = relpoline_next_site(&it)))
		rp_stat_collect(s, h);
	relpoline_unlock();
	return h->nr ? &h->data[0] : NULL;
}

static void *rp_stat_next(void *prev, int idx)
{
	return idx < rp_stat_rows.nr ? &rp_stat_rows.data[idx] : NULL;
}

static int rp_stat_cmp(const void *a, const void *b)
{
	const struct rp_stat_row *x = a, *y = b;

	return x->calls > y->calls ? 1 : x->calls < y->calls ? -1 : 0;
}

static int rp_stat_show(struct seq_file *m, void *p)
{
	struct rp_stat_row *row = p;
	u64 n = row->calls;
	struct rp_text t = { .seq = m };
	struct relpoline_site *site;

	seq_printf(m, "%12llu %12llu %5llu.%01llu%%  ", row->hits, row->misses,
		   n ? div64_u64(row->hits * 100, n) : 0,
		   n ? div64_u64(row->hits * 1000, n) % 10 : 0);
	relpoline_lock();
	site = relpoline_find_site_id(row->id);
	if (site)
		rp_print_site(&t, site);
	else
		rp_printf(&t, "%u (gone)", row->id);
	relpoline_unlock();
	seq_putc(m, '\n');
	return 0;
}

/* The rows stay in rp_stat_rows (see there). */
static void rp_stat_release(void *p)
{
}

struct rp_count {
	unsigned int	state[RPS_NR_STATES];
	u64		hits, misses;
};

static void rp_count_one(struct relpoline_site *s, struct rp_count *c)
{
	u64 h, m;

	if (s->refused)
		return;
	c->state[rp_site_state(s)]++;
	relpoline_site_counts(s, &h, &m);
	c->hits += h;
	c->misses += m;
}

/*
 * What promotion saved, estimated: "# estimate:" with the calibration's
 * cycles per call (x100) of the slow path and of a hit, the cycles the
 * hits so far saved, and their rate over the last window of a second or
 * more between two reads (rp_saved_rate(); shared by every reader) with
 * its share of one CPU. No line before relpoline was first enabled (not
 * calibrated); the rate only while hits are counted. See "What it saves"
 * in Documentation/trace/relpoline.rst. relpoline_lock() held.
 */
static struct rp_saved_win rp_saved_win;

static void rp_stat_estimate(struct seq_file *m, u64 hits)
{
	const struct relpoline_calib *cal = relpoline_calibration();
	struct rp_saved_win *w = &rp_saved_win;
	unsigned int epoch;
	bool counting;
	u64 saved;

	if (!cal)
		return;
	if (cal->err) {
		seq_printf(m, "# estimate: none, the calibration failed (%d)\n", cal->err);
		return;
	}
	counting = rp_policy_counting(&epoch);
	saved = rp_saved_cycles(hits, cal->slow_x100, cal->hit_x100);
	rp_saved_rate(w, saved, ktime_get_ns() / NSEC_PER_MSEC, counting, epoch);
	seq_printf(m, "# estimate: slow_cycles_x100=%llu hit_cycles_x100=%llu saved_cycles=%llu",
		   cal->slow_x100, cal->hit_x100, saved);
	if (w->have_rate)
		seq_printf(m, " saved_cycles_per_sec=%llu cpu_share_ppm=%llu saved_window_ms=%llu",
			   w->rate, rp_saved_share_ppm(w->rate, cal->khz), w->window_ms);
	seq_printf(m, " cycle_khz=%u calibrated_cpu=%u\n", cal->khz, cal->cpu);
}

static int rp_stat_headers(struct seq_file *m)
{
	const struct rp_totals *tot;
	struct relpoline_site_iter it = {};
	struct relpoline_site *s;
	struct relpoline_stats st;
	struct rp_count c = {};
	unsigned int i;

	relpoline_lock();
	relpoline_get_stats_locked(&st);
	while ((s = relpoline_next_site(&it)))
		rp_count_one(s, &c);
	tot = rp_policy_totals();
	/* off=N learning=N promoted=N pinned=N blocked=N busy=N */
	seq_puts(m, "# totals:");
	for (i = 0; i < RPS_NR_STATES; i++)
		seq_printf(m, " %s=%u", rp_state_names[i], c.state[i]);
	seq_printf(m, " refused=%u sites=%u\n", st.refused, st.sites);
	seq_printf(m, "# hits=%llu misses=%llu retrains=%lu last_retrain_us=%llu round_sites=%u batches=%lu ipi_rounds=%lu patched=%lu stub_bytes=%lu stub_pool_bytes=%lu samples=%lu dropped=%lu",
		   c.hits, c.misses, tot->retrains, tot->last_retrain_us, tot->round_sites,
		   st.batches, st.ipi_rounds, st.patched, st.stub_bytes, st.stub_pool_bytes,
		   tot->samples, tot->dropped);
	seq_printf(m, " percpu_bytes=%lu quiesced=%lu emulations=%lu landings=%lu",
		   st.percpu_bytes, st.quiesced, st.emulations, st.landings);
	seq_printf(m, " site_bytes=%lu policy_bytes=%lu learn_bytes=%lu\n",
		   st.site_bytes, tot->policy_bytes, st.learn_bytes);
	rp_stat_estimate(m, c.hits);
	relpoline_unlock();
	seq_printf(m, "# rows=%d stubbed_sites=%u (the busiest %d; every site in relpoline/sites)\n",
		   rp_stat_rows.nr, rp_stat_stubbed, RP_STAT_ROWS);
	seq_puts(m, "#         hits       misses    hit%  id site module form reg\n");
	return 0;
}

static struct tracer_stat rp_stat = {
	.name = "relpoline",
	.stat_start = rp_stat_start,
	.stat_next = rp_stat_next,
	.stat_cmp = rp_stat_cmp,
	.stat_show = rp_stat_show,
	.stat_release = rp_stat_release,
	.stat_headers = rp_stat_headers,
};

static __init int rp_stat_init(void)
{
	if (relpoline_unavailable())
		return 0;
	return register_stat_tracer(&rp_stat);
}
late_initcall(rp_stat_init);
