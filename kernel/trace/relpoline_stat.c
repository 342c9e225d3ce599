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
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "trace_stat.h"
#include "relpoline_internal.h"

/* ---- trace_stat/relpoline ---- */

/*
 * One row per stubbed site. The site is named when the row is shown, not
 * when the rows are collected: naming a module site is a kallsyms lookup,
 * a linear scan of the module's symbols, and only the rows read need it.
 */
struct rp_stat_row {
	u64		hits, misses;
	unsigned int	id;
};

struct rp_stat_iter {
	struct rp_stat_row	**rows;
	unsigned int		nr, max;
};

static struct rp_stat_iter rp_stat_it;

static int rp_stat_collect(struct relpoline_site *s, void *data)
{
	struct rp_stat_iter *it = data;
	struct rp_stat_row *row, **n;

	if (!s->stub)
		return 0;
	if (it->nr == it->max) {
		it->max = max(64U, it->max * 2);
		n = kvrealloc(it->rows, it->max * sizeof(*n), GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		it->rows = n;
	}
	row = kzalloc(sizeof(*row), GFP_KERNEL);
	if (!row)
		return -ENOMEM;
	relpoline_site_counts(s, &row->hits, &row->misses);
	row->id = s->id;
	it->rows[it->nr++] = row;
	return 0;
}

static void *rp_stat_start(struct tracer_stat *trace)
{
	unsigned int i;

	for (i = 0; i < rp_stat_it.nr; i++)
		rp_stat_it.rows[i] = NULL;
	rp_stat_it.nr = 0;
	relpoline_lock();
	relpoline_walk_sites(rp_stat_collect, &rp_stat_it);
	relpoline_unlock();
	return rp_stat_it.nr ? rp_stat_it.rows[0] : NULL;
}

static void *rp_stat_next(void *prev, int idx)
{
	return idx < rp_stat_it.nr ? rp_stat_it.rows[idx] : NULL;
}

static int rp_stat_cmp(const void *a, const void *b)
{
	const struct rp_stat_row *x = a, *y = b;
	u64 cx = x->hits + x->misses, cy = y->hits + y->misses;

	return cx > cy ? 1 : cx < cy ? -1 : 0;
}

static int rp_stat_show(struct seq_file *m, void *p)
{
	struct rp_stat_row *row = p;
	u64 n = row->hits + row->misses;
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

static void rp_stat_release(void *p)
{
	kfree(p);
}

struct rp_count {
	unsigned int	state[RPS_NR_STATES];
	u64		hits, misses;
};

static int rp_count_one(struct relpoline_site *s, void *data)
{
	struct rp_count *c = data;
	u64 h, m;

	if (s->refused)
		return 0;
	c->state[rp_site_state(s)]++;
	relpoline_site_counts(s, &h, &m);
	c->hits += h;
	c->misses += m;
	return 0;
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
	struct relpoline_stats st;
	struct rp_count c = {};
	unsigned int i;

	relpoline_lock();
	relpoline_get_stats_locked(&st);
	relpoline_walk_sites(rp_count_one, &c);
	tot = rp_policy_totals();
	/* off=N learning=N promoted=N pinned=N blocked=N busy=N */
	seq_puts(m, "# totals:");
	for (i = 0; i < RPS_NR_STATES; i++)
		seq_printf(m, " %s=%u", rp_state_names[i], c.state[i]);
	seq_printf(m, " refused=%u sites=%u\n", st.refused, st.sites);
	seq_printf(m, "# hits=%llu misses=%llu retrains=%lu last_retrain_us=%llu batches=%lu ipi_rounds=%lu patched=%lu stub_bytes=%lu stub_pool_bytes=%lu samples=%lu dropped=%lu",
		   c.hits, c.misses, tot->retrains, tot->last_retrain_us,
		   st.batches, st.ipi_rounds, st.patched, st.stub_bytes, st.stub_pool_bytes,
		   tot->samples, tot->dropped);
	seq_printf(m, " percpu_bytes=%lu quiesced=%lu emulations=%lu landings=%lu\n",
		   st.percpu_bytes, st.quiesced, st.emulations, st.landings);
	rp_stat_estimate(m, c.hits);
	relpoline_unlock();
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
