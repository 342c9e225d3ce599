// SPDX-License-Identifier: GPL-2.0
/*
 * The numeric knobs of relpoline/: the one place the tools know their
 * names, ranges and defaults. Documentation/trace/relpoline.rst is the
 * contract; a unit test checks that it, the man pages and this table
 * agree.
 */
#include <string.h>

#include "relpoline.h"

const struct rp_knob rp_knobs[] = {
	{ "max_targets",   1, 4,       2,    "targets the policy promotes per site" },
	{ "interval_ms",   10, 60000,  1000, "policy period in milliseconds (auto mode)" },
	{ "min_samples",   1, 1000000, 32,   "samples a site needs since it last changed" },
	{ "threshold_pct", 1, 100,     10,   "share of a site's samples a target needs" },
	{ "sample_period", 1, 1000000, 16,   "one slow-path call in this many is sampled" },
	{ "profile",       0, 1,       0,    "1: stubs count hits per target" },
};
const size_t rp_nr_knobs = sizeof(rp_knobs) / sizeof(rp_knobs[0]);

const struct rp_knob *rp_knob_find(const char *name)
{
	for (size_t i = 0; i < rp_nr_knobs; i++)
		if (!strcmp(rp_knobs[i].name, name))
			return &rp_knobs[i];
	return NULL;
}
