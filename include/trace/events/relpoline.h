/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM relpoline

#if !defined(_TRACE_RELPOLINE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_RELPOLINE_H

#include <linux/tracepoint.h>

/*
 * relpoline_miss - a sampled slow-path call of a site (see sample_period)
 * @site:	address of the call site
 * @target:	the function the call went to
 * @cgroup:	cgroup v2 id of the calling task
 */
TRACE_EVENT(relpoline_miss,
	    TP_PROTO(unsigned long site, unsigned long target, u64 cgroup),
	    TP_ARGS(site, target, cgroup),
	    TP_STRUCT__entry(__field(unsigned long, site)
			     __field(unsigned long, target)
			     __field(u64, cgroup)),
	    TP_fast_assign(__entry->site = site;
			   __entry->target = target;
			   __entry->cgroup = cgroup;),
	    TP_printk("site=%pS target=%pS cgroup=%llu",
		      (void *)__entry->site, (void *)__entry->target, __entry->cgroup)
);

/*
 * relpoline_promote - a site's stub now compares these targets
 * @site:	address of the call site
 * @nr:		number of targets
 * @targets:	in slot order; unused slots are 0
 * @pinned:	set by a pin command rather than the policy
 */
TRACE_EVENT(relpoline_promote,
	    TP_PROTO(unsigned long site, unsigned int nr, const unsigned long *targets,
		     bool pinned),
	    TP_ARGS(site, nr, targets, pinned),
	    TP_STRUCT__entry(__field(unsigned long, site)
			     __field(unsigned int, nr)
			     __array(unsigned long, targets, 4)
			     __field(bool, pinned)),
	    TP_fast_assign(__entry->site = site;
			   __entry->nr = min(nr, 4U);
			   __entry->targets[0] = nr > 0 ? targets[0] : 0;
			   __entry->targets[1] = nr > 1 ? targets[1] : 0;
			   __entry->targets[2] = nr > 2 ? targets[2] : 0;
			   __entry->targets[3] = nr > 3 ? targets[3] : 0;
			   __entry->pinned = pinned;),
	    TP_printk("site=%pS nr=%u targets=%pS,%pS,%pS,%pS%s",
		      (void *)__entry->site, __entry->nr,
		      (void *)__entry->targets[0], (void *)__entry->targets[1],
		      (void *)__entry->targets[2], (void *)__entry->targets[3],
		      __entry->pinned ? " pinned" : "")
);

/*
 * relpoline_demote - a site lost its promoted targets
 * @site:	address of the call site
 * @reason:	policy, command, filter, disable, module
 */
TRACE_EVENT(relpoline_demote,
	    TP_PROTO(unsigned long site, const char *reason),
	    TP_ARGS(site, reason),
	    TP_STRUCT__entry(__field(unsigned long, site)
			     __string(reason, reason)),
	    TP_fast_assign(__entry->site = site;
			   __assign_str(reason);),
	    TP_printk("site=%pS reason=%s", (void *)__entry->site, __get_str(reason))
);

/*
 * relpoline_retrain - one policy round finished
 * @changed:	sites whose stubs changed
 * @batches:	text patch batches it took
 * @ipi_rounds:	text_poke_sync() rounds it took
 * @duration_us: wall time of the round
 */
TRACE_EVENT(relpoline_retrain,
	    TP_PROTO(unsigned int changed, unsigned int batches, unsigned long ipi_rounds,
		     u64 duration_us),
	    TP_ARGS(changed, batches, ipi_rounds, duration_us),
	    TP_STRUCT__entry(__field(unsigned int, changed)
			     __field(unsigned int, batches)
			     __field(unsigned long, ipi_rounds)
			     __field(u64, duration_us)),
	    TP_fast_assign(__entry->changed = changed;
			   __entry->batches = batches;
			   __entry->ipi_rounds = ipi_rounds;
			   __entry->duration_us = duration_us;),
	    TP_printk("changed=%u batches=%u ipi_rounds=%lu duration_us=%llu",
		      __entry->changed, __entry->batches, __entry->ipi_rounds,
		      __entry->duration_us)
);

#endif /* _TRACE_RELPOLINE_H */

#include <trace/define_trace.h>
