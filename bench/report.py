#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Turn the raw outputs of bench/run into bench/results/results.json, the
gnuplot data files, and the summary table (printed and in summary.txt).

usage: report.py RESULTS_DIR

RESULTS_DIR holds:
  native.csv          output of build/bench/native/relbench
  guest-wl/wl/        output of bench/guest/workloads.sh (may be missing)
  guest-scaling/scaling.txt   output of bench/guest/scaling.sh (may be missing)
  run-info.txt        KEY=VALUE lines written by bench/run
"""
import json
import math
import os
import re
import statistics
import sys
from collections import defaultdict

RES = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
out_lines = []


def say(s=""):
    out_lines.append(s)


def med(v):
    return statistics.median(v) if v else float("nan")


def q(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def fmt(x, nd=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{nd}f}"


def verdict(ok, value=None, limit=None):
    """MET / MISSED; AT LIMIT when within 1% of the limit (either side)."""
    if value is not None and limit is not None and abs(value - limit) <= 0.01 * abs(limit):
        return "AT LIMIT (%s)" % ("met" if ok else "missed by <1%")
    return "MET" if ok else "MISSED"


# --------------------------------------------------------------------------
# native
# --------------------------------------------------------------------------

PATTERNS = ["mono", "p50_50", "p90_10", "mega16"]


def native():
    path = os.path.join(RES, "native.csv")
    if not os.path.exists(path):
        return None
    meta, cfg, samples, cal, clean = {}, {}, defaultdict(list), [], defaultdict(list)
    for line in open(path):
        f = line.strip().split(",")
        if f[0] == "meta":
            meta[f[1]] = f[2]
        elif f[0] == "config":
            cfg[int(f[1])] = dict(pattern=f[2], variant=f[3], group=f[4],
                                  nr_targets=int(f[5]),
                                  hit_fraction=float(f[6]) if float(f[6]) >= 0 else None,
                                  stub_bytes=int(f[7]))
        elif f[0] == "sample":
            samples[int(f[2])].append(float(f[3]))
            clean[int(f[2])].append(int(f[4]))
        elif f[0] == "calib":
            cal.append(float(f[2]))
    tpc = med(cal)  # TSC ticks per core cycle
    variants = []
    rows = {}
    for i, c in sorted(cfg.items()):
        if c["variant"] not in variants:
            variants.append(c["variant"])
        t = samples[i]
        rows[(c["pattern"], c["variant"])] = dict(
            c, ticks_median=med(t), ticks_p25=q(t, .25), ticks_p75=q(t, .75),
            ticks_min=min(t), cycles=med(t) / tpc, reps=len(t),
            clean_passes_min=min(clean[i]))
    for (p, v), r in rows.items():
        d, rp, nop = rows[(p, "direct")], rows[(p, "retpoline")], rows[(p, "nop")]
        r["ratio_direct"] = r["ticks_median"] / d["ticks_median"]
        r["ratio_retpoline"] = r["ticks_median"] / rp["ticks_median"]
        net = r["ticks_median"] - nop["ticks_median"]
        r["net_cycles"] = net / tpc
        dn = d["ticks_median"] - nop["ticks_median"]
        rn = rp["ticks_median"] - nop["ticks_median"]
        r["net_ratio_direct"] = net / dn if dn > 0 else float("nan")
        r["net_ratio_retpoline"] = net / rn if rn > 0 else float("nan")

    # targets
    t = {}
    hits = ["hit1", "hit2", "hit2_last", "hit4", "hit4_last"]
    m = [rows[("mono", h)] for h in hits]
    worst = max(m, key=lambda r: r["ratio_direct"])
    worst_net = max(m, key=lambda r: r["net_ratio_direct"])
    t["hit_vs_direct"] = dict(
        target="promoted hit <= 1.2x direct call (monomorphic, slot 1 and slot N)",
        worst_variant=worst["variant"], ratio=worst["ratio_direct"],
        worst_net_variant=worst_net["variant"], net_ratio=worst_net["net_ratio_direct"],
        met=worst["ratio_direct"] <= 1.2, met_net=worst_net["net_ratio_direct"] <= 1.2)
    best = min(m, key=lambda r: 1 / r["ratio_retpoline"])
    t["hit_vs_retpoline"] = dict(
        target="promoted hit >= 5x cheaper than retpoline (monomorphic)",
        worst_variant=best["variant"], speedup=1 / best["ratio_retpoline"],
        net_speedup=1 / best["net_ratio_retpoline"],
        met=1 / best["ratio_retpoline"] >= 5, met_net=1 / best["net_ratio_retpoline"] >= 5)
    # every miss a stub can take, the kernel-like sample function (what the
    # kernel's stubs call) and the profile stub (hit counting on) included
    misses = ["learn", "miss2", "learn_s16", "miss2_s16", "learn_s16_full", "miss2_prof"]
    mm = [rows[(p, v)] for p in PATTERNS for v in misses]
    w = max(mm, key=lambda r: r["ratio_retpoline"])
    full = max((rows[(p, "learn_s16_full")] for p in PATTERNS), key=lambda r: r["ratio_retpoline"])
    prof = max((rows[(p, "miss2_prof")] for p in PATTERNS), key=lambda r: r["ratio_retpoline"])
    t["miss_vs_retpoline"] = dict(
        target="miss <= 1.1x retpoline (learning and 2-target stubs, sampling off, period 16 with the "
               "benchmark's and the kernel-like sample function, profile stub; all patterns)",
        worst=f'{w["pattern"]}/{w["variant"]}', ratio=w["ratio_retpoline"],
        met=w["ratio_retpoline"] <= 1.1,
        full_sample_fn_ratio=full["ratio_retpoline"],
        profile_stub_miss_ratio=prof["ratio_retpoline"])
    cnt = []
    for a, b in [("prof1", "hit1"), ("prof2", "hit2"), ("prof4", "hit4"), ("prof4_last", "hit4_last")]:
        for p in PATTERNS:
            ra, rb = rows[(p, a)], rows[(p, b)]
            hf = ra["hit_fraction"]
            d = (ra["ticks_median"] - rb["ticks_median"]) / tpc
            cnt.append(dict(pattern=p, variant=a, delta_cycles_per_call=d, hit_fraction=hf,
                            delta_cycles_per_hit=d / hf if hf > 0 else float("nan")))
    mono = [c for c in cnt if c["pattern"] == "mono"]
    wc = max(mono, key=lambda c: c["delta_cycles_per_hit"])
    t["count_cost"] = dict(
        target="hit counting adds <= 1 core cycle per hit (monomorphic)",
        worst_variant=wc["variant"], cycles_per_hit=wc["delta_cycles_per_hit"],
        met=wc["delta_cycles_per_hit"] <= 1.0, all=cnt)
    return dict(meta=meta, tsc_ticks_per_core_cycle=tpc,
                core_mhz_estimate=(float(meta.get("tsc_mhz", "nan")) / tpc
                                   if "tsc_mhz" in meta else None),
                variants=variants, rows=rows, targets=t)


def native_report(n):
    say("== NATIVE: cycles per call (core clock; median of %s interleaved repetitions of %s calls) =="
        % (n["meta"].get("reps"), n["meta"].get("calls_per_measurement")))
    say("TSC ticks per core cycle: %.4f (dependent-ADD calibration)%s" % (
        n["tsc_ticks_per_core_cycle"],
        "; core clock ~%.0f MHz" % n["core_mhz_estimate"] if n["core_mhz_estimate"] else ""))
    say("Each figure is one loop iteration (load target, index update, call site, "
        "dec/jnz); 'nop' is the loop with a 5-byte NOP as the site.")
    hdr = "%-16s" % "variant" + "".join("%10s" % p for p in PATTERNS) + \
        "   x direct  x retpol  (mono)"
    say(hdr)
    rows = n["rows"]
    for v in n["variants"]:
        r = rows[("mono", v)]
        say("%-16s" % v + "".join("%10.2f" % rows[(p, v)]["cycles"] for p in PATTERNS) +
            "   %7.2f  %7.2f" % (r["ratio_direct"], r["ratio_retpoline"]))
    c = lambda v: rows[("mono", v)]["cycles"] - rows[("mono", "direct")]["cycles"]
    say("direct: the site calls the hottest target whatever the array holds (the floor). Monomorphic, "
        "above a direct call: retpoline %+.1f, lfence+indirect %+.1f, promoted hit %+.1f (slot 4 %+.1f), "
        "learning-stub miss %+.1f, 2-target miss %+.1f cycles per call."
        % (c("retpoline"), c("lfence_indirect"), c("hit1"), c("hit4_last"), c("learn"), c("miss2")))
    say()
    t = n["targets"]
    a = t["hit_vs_direct"]
    say("TARGET promoted hit <= 1.2x direct: %s (worst %s %.3fx; net of loop overhead %s %.3fx -> %s)"
        % (verdict(a["met"], a["ratio"], 1.2), a["worst_variant"], a["ratio"], a["worst_net_variant"],
           a["net_ratio"], verdict(a["met_net"], a["net_ratio"], 1.2)))
    b = t["hit_vs_retpoline"]
    say("TARGET promoted hit >= 5x cheaper than retpoline: %s (worst %s %.2fx; net of loop overhead %.2fx -> %s)"
        % (verdict(b["met"], b["speedup"], 5), b["worst_variant"], b["speedup"], b["net_speedup"],
           verdict(b["met_net"], b["net_speedup"], 5)))
    c = t["miss_vs_retpoline"]
    say("TARGET miss <= 1.1x retpoline, every miss variant: %s (worst %s %.3fx; kernel-like full sample function %.3fx; profile stub miss %.3fx)"
        % (verdict(c["met"], c["ratio"], 1.1), c["worst"], c["ratio"], c["full_sample_fn_ratio"],
           c["profile_stub_miss_ratio"]))
    d = t["count_cost"]
    say("TARGET hit counting <= 1 cycle per hit: %s (worst %s %+.2f cycles/hit, monomorphic)"
        % (verdict(d["met"], d["cycles_per_hit"], 1.0), d["worst_variant"], d["cycles_per_hit"]))
    say("  counting cost per call (cycles) by pattern: " + "; ".join(
        "%s/%s %+.2f" % (x["pattern"], x["variant"], x["delta_cycles_per_call"]) for x in d["all"]
        if x["variant"] in ("prof2", "prof4_last")))
    say()


# --------------------------------------------------------------------------
# native, many-site pattern (bench/native/rb_many.c)
# --------------------------------------------------------------------------

MANY_MODES = ["off", "lfence", "retpoline", "its", "stuff"]
MANY_MODE_DESC = {
    "off": "off/eIBRS/IBRS: call *%rax; nop3",
    "lfence": "retpoline,lfence: lfence; call *%rax",
    "retpoline": "retpoline: call __x86_indirect_thunk_rax",
    "its": "ITS: call *%rax, or a per-site ITS thunk",
    "stuff": "retbleed=stuff: call __x86_indirect_call_thunk_rax",
}
MANY_SLOW = {
    "off": "jmp *%rax in the stub",
    "lfence": "lfence; jmp *%rax in the stub",
    "retpoline": "jmp to the retpoline thunk",
    "its": "ITS-safe jmp *%rax in the stub",
    "stuff": "jmp to the call depth thunk",
}
MANY_LAYOUTS = ["up", "idle", "old", "hit", "hitc", "miss"]
IDLE_LIMIT = 1.05


def native_many(tpc):
    """The many-site rows of native.csv: ticks per call by (mode, layout)."""
    path = os.path.join(RES, "native.csv")
    if not os.path.exists(path):
        return None
    meta, cfg, samples, clean = {}, {}, defaultdict(list), defaultdict(list)
    best = defaultdict(list)
    for line in open(path):
        f = line.strip().split(",")
        if f[0] == "meta":
            meta[f[1]] = f[2]
        elif f[0] == "mconfig":
            cfg[int(f[1])] = dict(mode=f[2], layout=f[3], avg_stub_bytes=float(f[4]))
        elif f[0] == "msample":
            samples[int(f[2])].append(float(f[3]))
            clean[int(f[2])].append(int(f[4]))
            best[int(f[2])].append(float(f[5]))
    if not cfg:
        return None
    rows = {}
    for i, c in cfg.items():
        t, b = samples[i], best[i]
        # the figure: per repetition the fastest pass (interference on the
        # shared machine only adds time), median over the repetitions
        rows[(c["mode"], c["layout"])] = dict(
            c, ticks_median=med(b), ticks_p25=q(b, .25), ticks_p75=q(b, .75),
            ticks_median_of_pass_medians=med(t),
            cycles=med(b) / tpc if tpc else None,
            reps=len(t), clean_passes_min=min(clean[i]) if t else 0)
    for m in MANY_MODES:
        up = rows[(m, "up")]["ticks_median"]
        for lay in MANY_LAYOUTS:
            rows[(m, lay)]["ratio_upstream"] = rows[(m, lay)]["ticks_median"] / up
    t = {}
    worst = max(MANY_MODES, key=lambda m: rows[(m, "idle")]["ratio_upstream"])
    t["idle_vs_upstream"] = dict(
        target="idle relpoline site within 5% of upstream, every mode (many-site)",
        worst_mode=worst, ratio=rows[(worst, "idle")]["ratio_upstream"],
        met=all(rows[(m, "idle")]["ratio_upstream"] <= IDLE_LIMIT for m in MANY_MODES))
    lf, hit = rows[("lfence", "up")], rows[("lfence", "hit")]
    t["lfence_gain"] = dict(
        upstream_ticks=lf["ticks_median"], hit_ticks=hit["ticks_median"],
        hitc_ticks=rows[("lfence", "hitc")]["ticks_median"],
        gain_ticks=lf["ticks_median"] - hit["ticks_median"],
        speedup=lf["ticks_median"] / hit["ticks_median"])
    return dict(meta={k: v for k, v in meta.items() if k.startswith("many")},
                rows=rows, targets=t, direct_ticks=rows[("none", "direct")]["ticks_median"])


def native_many_report(m):
    rows = m["rows"]
    say("== NATIVE MANY-SITE: %s call sites in straight-line code, monomorphic, %s targets "
        "(TSC ticks per call: per repetition the fastest of its passes, median over the "
        "repetitions; x = ratio to upstream's idle site of the mode) =="
        % (m["meta"].get("many_sites"), m["meta"].get("many_funcs")))
    say("up = upstream's bytes; idle = relpoline idle, the same bytes in another copy of the "
        "block (the ratio is the noise between two copies); old = the old relpoline idle layout "
        "(call to one shared thunk); hit / hitc = promoted through real stub bytes without / with "
        "hit counting; miss = the mode's slow path through the stub.")
    say("%-10s" % "mode" + "".join("%15s" % lay for lay in MANY_LAYOUTS))
    for mo in MANY_MODES:
        say("%-10s" % mo + "".join(
            "%8.2f %5.2fx" % (rows[(mo, lay)]["ticks_median"], rows[(mo, lay)]["ratio_upstream"])
            for lay in MANY_LAYOUTS))
    say("direct call (the floor): %.2f ticks per call" % m["direct_ticks"])
    for mo in MANY_MODES:
        say("  %-9s upstream = %s; miss = %s" % (mo, MANY_MODE_DESC[mo], MANY_SLOW[mo]))
    a = m["targets"]["idle_vs_upstream"]
    say("TARGET idle relpoline site within 5%% of upstream in every mode: %s (worst %s %.3fx)"
        % (verdict(a["met"], a["ratio"], IDLE_LIMIT), a["worst_mode"], a["ratio"]))
    say("  old relpoline idle (shared thunk) vs upstream: " + ", ".join(
        "%s %.2fx" % (mo, rows[(mo, "old")]["ratio_upstream"]) for mo in MANY_MODES))
    g = m["targets"]["lfence_gain"]
    say("retpoline,lfence: promoted hit %.2f ticks (with hit counting %.2f) vs lfence; call *%%rax "
        "%.2f: %.2f ticks per call saved (%.2fx)" % (g["hit_ticks"], g["hitc_ticks"],
                                                    g["upstream_ticks"], g["gain_ticks"],
                                                    g["speedup"]))
    say("  hit counting (push, movabs, incq %gs:, pop) adds per hit: " + ", ".join(
        "%s %+.2f" % (mo, rows[(mo, "hitc")]["ticks_median"] - rows[(mo, "hit")]["ticks_median"])
        for mo in MANY_MODES) + " ticks")
    say()


# --------------------------------------------------------------------------
# guest workloads
# --------------------------------------------------------------------------

SELF_RE = re.compile(r"^(relpoline_|rp_|__rp_)")


def parse_sites(path):
    sites = {}
    if not os.path.exists(path):
        return sites
    for line in open(path):
        if line.startswith("#"):
            continue
        f = line.split()
        if len(f) < 8 or not f[0].isdigit():
            continue
        sites[f[0]] = dict(id=f[0], site=f[1], module=f[2], form=f[3], reg=f[4],
                           state=f[5], hits=int(f[6]), misses=int(f[7]), targets=f[8:])
    return sites


def parse_kv(text):
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", text)}


TRACE_RE = re.compile(r"\s(\d+\.\d+):\s+(\w+):\s+(.*)$")


def parse_trace(path):
    ev = []
    if not os.path.exists(path):
        return ev
    for line in open(path, errors="replace"):
        if line.startswith("#"):
            continue
        m = TRACE_RE.search(line)
        if m:
            ev.append((float(m.group(1)), m.group(2), m.group(3)))
    return ev


def sym_func(s):
    return s.split("+")[0]


def classify(site, state, samples, knobs, mt, rounds):
    """Why does a site that misses in the window stay (partly) unpromoted?

    Returns (category, explanation). @samples: the site's sampled misses
    (relpoline_miss events) in the window by target; @rounds: policy rounds
    in the window."""
    thr = knobs["threshold_pct"]
    mins = knobs["min_samples"]
    n = sum(samples.values())
    tgts = sorted(samples.items(), key=lambda kv: -kv[1])
    per_round = n / max(1, rounds)
    if SELF_RE.match(sym_func(site)):
        return ("relpoline", "relpoline's own code: the policy worker's and the benchmark's walks over "
                "all sites (one rp_show_site call per site for each read of the sites file)")
    if state in ("blocked", "busy", "off"):
        return ("other", f"state {state}")
    # the policy changes a site only after min_samples samples since its
    # last change (not decayed): fewer in the whole window keeps it as is
    if n < mins:
        what = ("promoted to other targets, too few new samples to re-decide"
                if state == "promoted" else "learning")
        return ("min_samples", f"below min_samples: {what}; {n} samples in the window "
                f"(~{per_round:.1f}/round) < {mins}")
    top_share = 100.0 * tgts[0][1] / n
    hot = [t for t, c in tgts if 100.0 * c / n >= thr]
    if state == "promoted":
        if len(hot) > mt:
            return ("max_targets", f"max_targets-limited: {len(hot)} targets above {thr}% of its "
                    f"misses, {len(tgts)} targets seen")
        if not hot:
            return ("megamorphic", f"promoted; the misses are a megamorphic tail: {len(tgts)} targets, "
                    f"top {top_share:.0f}% < {thr}%")
        return ("churn", f"promoted; a change is pending or was just made ({len(tgts)} targets, "
                f"top {top_share:.0f}%)")
    if not hot:
        return ("megamorphic", f"megamorphic: {len(tgts)} targets, top share {top_share:.0f}% < "
                f"threshold {thr}%")
    if any(not re.search(r"\+0x0/", t) for t in hot):
        return ("unpromotable", "target not a function entry: " +
                next(t for t in hot if not re.search(r"\+0x0/", t)))
    return ("churn", f"learning; qualifies ({len(tgts)} targets, top {top_share:.0f}%), "
            "not promoted yet")


def analyse_run(d, run, native_delta):
    times = parse_kv(open(os.path.join(d, f"{run}-times.txt")).read())
    if times.get("wl_alive", "1") != "1" or times.get("wl_err", "none") != "none":
        # the workload failed or died: the window measured something else
        raise ValueError("the workload failed (%s, running at the end of the window: %s)"
                         % (times.get("wl_err"), times.get("wl_alive")))
    knobs = {k: int(times[k]) for k in ("max_targets", "interval_ms", "min_samples",
                                        "threshold_pct", "sample_period")}
    s0 = parse_sites(os.path.join(d, f"{run}-sites0.txt"))
    s1 = parse_sites(os.path.join(d, f"{run}-sites1.txt"))
    stat = open(os.path.join(d, f"{run}-stat.txt")).read()
    st = parse_kv(stat)
    win_s = (int(times["end"]) - int(times["window"])) / 1e9
    per = {}
    for sid, b in s1.items():
        a = s0.get(sid, dict(hits=0, misses=0))
        h, m = b["hits"] - a["hits"], b["misses"] - a["misses"]
        if h < 0 or m < 0:  # counters were reset in between; should not happen
            h, m = b["hits"], b["misses"]
        per[sid] = dict(b, whits=h, wmisses=m)
    H = sum(p["whits"] for p in per.values())
    M = sum(p["wmisses"] for p in per.values())
    own = [p for p in per.values() if SELF_RE.match(sym_func(p["site"]))]
    Ho = sum(p["whits"] for p in own)
    Mo = sum(p["wmisses"] for p in own)
    touched = [p for p in per.values() if p["wmisses"] > 0]
    called = [p for p in per.values() if p["wmisses"] + p["whits"] > 0]
    promoted_end = [p for p in per.values() if p["state"] == "promoted"]

    ev = parse_trace(os.path.join(d, f"{run}-trace.txt"))
    t_start = t_win = t_end = None
    for ts, name, body in ev:
        if name == "tracing_mark_write":
            if body.startswith(f"bench: start {run}"):
                t_start = ts
            elif body.startswith(f"bench: window {run}"):
                t_win = ts
            elif body.startswith(f"bench: end {run}"):
                t_end = ts
    rounds = []
    last_change = {}
    site_events = defaultdict(list)
    change_rounds = []  # per site change of a workload (non-relpoline) site
    rechange_rounds = []  # ... of a site that had been decided before
    miss = defaultdict(lambda: defaultdict(int))
    for ts, name, body in ev:
        if t_start is None or ts < t_start:
            if name in ("relpoline_promote", "relpoline_demote"):
                site = parse_kv(body).get("site")
                last_change[site] = 0
                tg = set()
                if name == "relpoline_promote":
                    tg = {t.split("+")[0].strip() for t in body.split("targets=", 1)[1].split(",")}
                site_events[site].append((0, tg))
            continue
        if t_end is not None and ts > t_end:
            continue
        kv = parse_kv(body)
        if name == "relpoline_retrain":
            rounds.append(dict(t=ts, changed=int(kv["changed"]), batches=int(kv["batches"]),
                               ipi_rounds=int(kv["ipi_rounds"]), us=int(kv["duration_us"]),
                               window=t_win is not None and ts >= t_win))
        elif name in ("relpoline_promote", "relpoline_demote"):
            last_change[kv.get("site")] = len(rounds) + 1  # applied by the next round's batch
            tg = set()
            if name == "relpoline_promote":
                tg = {t.split("+")[0].strip() for t in body.split("targets=", 1)[1].split(",")}
            if not SELF_RE.match(sym_func(kv.get("site", ""))):
                change_rounds.append(len(rounds) + 1)
                # a site changed again after its first decision: churn
                if site_events[kv.get("site")]:
                    rechange_rounds.append(len(rounds) + 1)
            site_events[kv.get("site")].append((len(rounds) + 1, tg))
        elif name == "relpoline_miss":
            miss[kv.get("site")][kv.get("target")] += 1
    conv_rounds = [r for r in rounds if not r["window"]]
    win_rounds = [r for r in rounds if r["window"]]
    # a promote/demote event is emitted while its round runs, before the
    # round's retrain event: it belongs to round len(rounds)+1
    nr = len(rounds)
    # relpoline's own sites (the policy worker's walk callbacks, whose mix
    # the benchmark's resets and reads change) are left out of these
    change_rounds = [c for c in change_rounds if c <= nr]
    r_last = max(change_rounds, default=0)
    quiet_tail = nr - r_last
    # call-weighted convergence: the round by which the sites carrying 95%
    # of the window's calls (hits and misses, at every site) had been
    # promoted to the target that takes most of their hits (and kept it
    # since); promotions traced before the run's start count as round 0.
    # A site that is not promoted at the end never converged, and neither
    # did one whose promotion the trace does not show (every run starts
    # cold or from a traced run: a promotion without an event is a gap):
    # both count as round nr + 1, "not within the run".
    def since(p):
        if p["state"] not in ("promoted", "pinned") or not p["targets"]:
            return None
        top = max(p["targets"], key=lambda t: int(t.rsplit(":", 1)[1]) if ":" in t else 0)
        top = re.sub(r"\[.*\]", "", top.rsplit(":", 1)[0])
        ev = site_events.get(p["site"], [])
        if not ev:
            return None
        at = None
        for rnd, tg in ev:
            if top in tg:
                if at is None:
                    at = rnd
            else:
                at = None
        return at if at is not None else ev[-1][0]
    conv = []   # (round the site converged, nr + 1 if never; window calls; site)
    for p in per.values():
        calls = p["whits"] + p["wmisses"]
        if calls:
            rnd = since(p)
            conv.append((nr + 1 if rnd is None else rnd, calls, p["site"]))
    w = sorted((rnd, h) for rnd, h, _ in conv)
    tot = sum(h for _, h in w)
    # the sites that converged after round 2 (or never), by calls
    late = sorted((x for x in conv if x[0] > 2 and x[1] >= 0.001 * tot), key=lambda x: -x[1])
    late = [(site, rnd, calls / tot) for rnd, calls, site in late[:4]]
    never = sum(h for rnd, h in w if rnd > nr)
    # the share of the window's calls at sites converged by rounds 1..3
    conv_share = [sum(h for rnd, h in w if rnd <= k) / tot if tot else float("nan")
                  for k in (1, 2, 3)]
    r95 = 0
    acc = 0
    for rnd, h in w:
        acc += h
        if acc >= 0.95 * tot:
            r95 = rnd
            break
    # churn after convergence: in each round after R95 (or after round 2
    # when R95 is earlier), the workload sites the policy changed again
    # (a site's first promotion is a late decision, not churn), as a share
    # of the workload sites promoted at the end
    prom_wl = sum(1 for p in promoted_end if not SELF_RE.match(sym_func(p["site"])))
    churn_from = max(r95, 2) if r95 <= nr else nr
    per_round = [sum(1 for c in rechange_rounds if c == rnd)
                 for rnd in range(churn_from + 1, nr + 1)]
    churn = [c / prom_wl for c in per_round] if prom_wl else [float(bool(c)) for c in per_round]
    late_first = sum(1 for c in change_rounds if c > churn_from) - sum(per_round)
    # every missing site, classified; the misses per reason
    why = defaultdict(int)
    topl = []
    for p in sorted(per.values(), key=lambda p: -p["wmisses"]):
        if p["wmisses"] == 0:
            break
        smp = miss.get(p["site"], {})
        cat, text = classify(p["site"], p["state"], smp, knobs, knobs["max_targets"],
                             len(win_rounds))
        why[cat] += p["wmisses"]
        if len(topl) < 8:
            topl.append(dict(id=p["id"], site=p["site"], module=p["module"], state=p["state"],
                             hits=p["whits"], misses=p["wmisses"], targets=p["targets"],
                             sampled_targets=len(smp),
                             top_sampled=sorted(smp.items(), key=lambda kv: -kv[1])[:4],
                             category=cat, reason=text))
    cov = H / (H + M) if H + M else float("nan")
    cov_x = (H - Ho) / (H - Ho + M - Mo) if H - Ho + M - Mo else float("nan")
    hits_s = H / win_s if win_s else float("nan")
    return dict(
        run=run, knobs=knobs, window_s=win_s, hits=H, misses=M, coverage=cov,
        coverage_excl_relpoline=cov_x, relpoline_own_calls=Ho + Mo,
        sites_touched=len(touched), sites_called=len(called),
        sites_promoted_end=len(promoted_end),
        sites_promoted_called=sum(1 for p in called if p["state"] == "promoted"),
        rounds_observed=nr, r_last_change=r_last, quiet_rounds_at_end=quiet_tail,
        r95_call_weighted=r95, r95_converged=r95 <= nr, converged_share=conv_share,
        warm_s=float(times.get("warm_s", "0")),
        late_sites=late,
        calls_share_never_converged=never / tot if tot else float("nan"),
        changes_total=len(change_rounds),
        changes_after_round2=sum(1 for c in change_rounds if c > 2),
        changes_in_window=sum(1 for c in change_rounds if c > len(conv_rounds)),
        churn_rounds=len(churn), churn_changes=per_round, late_first_decisions=late_first,
        churn_max=max(churn) if churn else None,
        churn_mean=sum(churn) / len(churn) if churn else None,
        promoted_workload_sites=prom_wl,
        retrains=len(rounds), batches=sum(r["batches"] for r in rounds),
        ipi_rounds=sum(r["ipi_rounds"] for r in rounds),
        batches_window=sum(r["batches"] for r in win_rounds),
        retrain_us_median=med([r["us"] for r in rounds]),
        stub_bytes=int(st.get("stub_bytes", 0)), stub_pool_bytes=int(st.get("stub_pool_bytes", 0)),
        samples=int(st.get("samples", 0)), dropped=int(st.get("dropped", 0)),
        states_end=parse_kv(stat.splitlines()[0]) if stat else {},
        hits_per_s=hits_s,
        est_cycles_saved_per_s=hits_s * native_delta if native_delta else None,
        # the kernel's own estimate (its calibration, under TCG here) of
        # the same window: hits/s x (slow - hit) of its "# estimate:" line
        kernel_cycles_saved_per_hit=kernel_delta(st),
        kernel_est_cycles_saved_per_s=hits_s * kernel_delta(st) if kernel_delta(st) is not None
        else None,
        changed_per_round=[r["changed"] for r in rounds],
        r95_seconds=(rounds[r95 - 1]["t"] - t_start) if 0 < r95 <= nr and t_start is not None
        else (0.0 if r95 == 0 else None),
        rounds_in_window=len(win_rounds),
        # share of the calls of non-relpoline sites (the cov-rp denominator)
        miss_share_by_reason={k: v / (H - Ho + M - Mo) for k, v in sorted(why.items())
                              if k != "relpoline"} if H - Ho + M - Mo else {},
        top_missing=topl)


def kernel_delta(st):
    """Cycles a promoted hit saves by the kernel's calibration, or None."""
    if "slow_cycles_x100" not in st or "hit_cycles_x100" not in st:
        return None
    # as the kernel computes saved_cycles: max(0, slow - hit)
    return max(0, int(st["slow_cycles_x100"]) - int(st["hit_cycles_x100"])) / 100


def guest(n):
    d = os.path.join(RES, "guest-wl", "wl")
    if not os.path.isdir(d):
        return None
    delta = None
    if n:
        r = n["rows"]
        delta = (r[("mono", "retpoline")]["ticks_median"] - r[("mono", "hit2")]["ticks_median"]) \
            / n["tsc_ticks_per_core_cycle"]
    runs = sorted({f[:-len("-times.txt")] for f in os.listdir(d) if f.endswith("-times.txt")})
    res = {}
    for run in runs:
        try:
            res[run] = analyse_run(d, run, delta)
        except (OSError, KeyError, ValueError, IndexError) as e:
            res[run] = dict(run=run, error=str(e))
    extra = {}
    for f in ("enable-time.txt",):
        p = os.path.join(d, f)
        if os.path.exists(p):
            extra.update({k: int(v) for k, v in parse_kv(open(p).read()).items()})
    return dict(runs=res, cycles_saved_per_hit=delta, **extra)


WORKLOADS = ["hackbench", "dbench", "nginx", "redis", "sysloop"]


def r95s(r):
    """R95 as a table cell: the round, or '>N' when not converged in the run."""
    return "%d" % r["r95_call_weighted"] if r["r95_converged"] else ">%d" % r["rounds_observed"]


def guest_report(g):
    runs = g["runs"]
    say("== GUEST (spectre_v2=retpoline, auto mode, profile=1, exact counts over the window) ==")
    k = next((r["knobs"] for n, r in sorted(runs.items(), key=lambda kv: run_order(kv[0]))
              if "knobs" in r), {})
    say("interval_ms=%s min_samples=%s threshold_pct=%s sample_period=%s; coverage = hits/(hits+misses) "
        "over all sites in the window" % (k.get("interval_ms"), k.get("min_samples"),
                                          k.get("threshold_pct"), k.get("sample_period")))
    say("%-22s %6s %7s %9s %7s %7s %6s %5s %5s %6s %8s %10s %11s" % (
        "run", "cov%", "cov-rp%", "calls/s", "touched", "promo", "Rlast", "R95", "quiet",
        "churn", "stub KiB", "est Mcyc/s", "kern Mcyc/s"))
    for name in sorted(runs, key=run_order):
        r = runs[name]
        if "error" in r:
            say("%-22s error: %s" % (name, r["error"]))
            continue
        say("%-22s %6.2f %7.2f %9.0f %7d %7d %6d %5s %5d %6d %8.0f %10s %11s" % (
            name, 100 * r["coverage"], 100 * r["coverage_excl_relpoline"],
            (r["hits"] + r["misses"]) / r["window_s"], r["sites_touched"],
            r["sites_promoted_end"], r["r_last_change"], r95s(r),
            r["quiet_rounds_at_end"], r["changes_after_round2"], r["stub_bytes"] / 1024,
            fmt(r["est_cycles_saved_per_s"] / 1e6 if r["est_cycles_saved_per_s"] else None, 2),
            fmt(r["kernel_est_cycles_saved_per_s"] / 1e6
                if r.get("kernel_est_cycles_saved_per_s") is not None else None, 2)))
    say("cov-rp: excluding relpoline's own sites (relpoline_*/rp_*: its policy worker and the "
        "reads of its files, a load that TCG inflates relative to the workload)")
    warm = sorted({r["warm_s"] for n, r in runs.items() if "error" not in r and n.startswith("mt")})
    say("Rounds are policy rounds (interval_ms apart, plus the round's own duration) counted from the "
        "cold reset; the workload was started %s s before it (relpoline starting cold on a running "
        "workload; startup-* runs: the load started at the reset). Rlast:" % "/".join("%g" % w for w in warm)
        + " last round that changed a workload site (relpoline's own sites left out); "
        "R95: round by which the sites carrying 95% of the window's calls (every site) had their final "
        "targets, '>N' when they did not within the N rounds of the run (never promoted, or promoted "
        "without a traced event); "
        "quiet: rounds without a change at the end; churn: site changes after round 2")
    if g.get("cycles_saved_per_hit"):
        say("est Mcyc/s = ESTIMATE: window hits/s x (retpoline - promoted hit) = hits/s x %.1f native "
            "core cycles; hits/s are TCG guest rates, far below native rates" % g["cycles_saved_per_hit"])
    kd = sorted({r["kernel_cycles_saved_per_hit"] for r in runs.values()
                 if r.get("kernel_cycles_saved_per_hit") is not None})
    if kd:
        say("kern Mcyc/s = the kernel's own estimate (trace_stat '# estimate:', its calibration at "
            "enable): hits/s x max(0, slow - hit) = hits/s x %s cycles per hit. Under TCG that "
            "calibration times emulated code (a hit can even seem slower); on hardware it is the figure relpoline "
            "status shows, and est Mcyc/s (native) is the one to trust here"
            % "/".join("%.1f" % x for x in kd))
    else:
        say("kern Mcyc/s: no '# estimate:' line in the runs' trace_stat (not calibrated)")
    say()
    # The targets are judged on every workload of the max_targets 2 runs: a
    # run that is missing (the guest part failed or ran out of time) or
    # failed (its workload did not run through the window) misses them.
    mt2 = {n[4:]: r for n, r in sorted(runs.items(), key=lambda kv: run_order(kv[0]))
           if n.startswith("mt2-") and "error" not in r}
    failed = {w: runs.get("mt2-" + w, {}).get("error", "no run") for w in WORKLOADS if w not in mt2}
    if mt2 or failed:
        nope = "; failed or missing runs: " + ", ".join("%s (%s)" % kv for kv in failed.items()) \
            if failed else ""
        bad = {w: r["coverage"] for w, r in mt2.items() if r["coverage"] < 0.95}
        say("TARGET coverage >= 95%% with max_targets 2 on each workload (every site): %s%s%s"
            % (verdict(not bad and not failed), "" if not bad else " (below: " + ", ".join(
                "%s %.1f%%" % (w, 100 * c) for w, c in bad.items()) + ")", nope))
        say("       without relpoline's own sites: " + ", ".join(
            "%s %.1f%%" % (w, 100 * r["coverage_excl_relpoline"]) for w, r in mt2.items()))
        slow = {w: r for w, r in mt2.items() if not r["r95_converged"] or r["r95_call_weighted"] > 2}
        say("TARGET converge within 2 intervals (R95, max_targets 2, cold start on the running workload): %s (%s)%s" % (
            verdict(not slow and not failed), ", ".join("%s %s" % (w, r95s(r)) for w, r in mt2.items()),
            nope))
        say("       share of the window's calls at converged sites by round 1, 2, 3: " + "; ".join(
            "%s %s" % (w, "/".join("%.1f" % (100 * c) for c in r["converged_share"]))
            for w, r in mt2.items()))
        for w_, r in mt2.items():
            if r["late_sites"]:
                say("       %-10s converged after round 2: %s" % (w_, ", ".join(
                    "%s (round %s, %.1f%%)" % (site, rnd if rnd <= r["rounds_observed"] else "never",
                                              100 * c) for site, rnd, c in r["late_sites"])))
        st = {n.split("mt2-")[1]: r for n, r in sorted(runs.items(), key=lambda kv: run_order(kv[0]))
              if n.startswith("startup-mt2-") and "error" not in r}
        if st:
            say("       supplementary, the load started at the reset (its start-up counted, no target): "
                "R95 " + ", ".join("%s %s" % (w, r95s(r)) for w, r in st.items()) + "; calls at "
                "converged sites by round 1, 2, 3: " + "; ".join(
                    "%s %s" % (w, "/".join("%.1f" % (100 * c) for c in r["converged_share"]))
                    for w, r in st.items()))
        def churn_cell(r):
            if r["churn_max"] is None:
                return "no round after R95"
            return "max %.1f%% mean %.1f%% over %d rounds (%s of %d sites); first decisions " \
                "in those rounds: %d" % (
                    100 * r["churn_max"], 100 * r["churn_mean"], r["churn_rounds"],
                    "+".join(str(c) for c in r["churn_changes"]), r["promoted_workload_sites"],
                    r["late_first_decisions"])
        churny = {w: r for w, r in mt2.items() if r["churn_max"] is None or r["churn_max"] > 0.05}
        say("TARGET churn after convergence <= 5%% of the promoted sites per round (max_targets 2; "
            "sites changed again after their first decision): %s%s" % (
                verdict(not churny and not failed), nope))
        for w, r in mt2.items():
            say("       %-10s %s" % (w, churn_cell(r)))
        say("       share of the calls at sites that never converged: " + ", ".join(
            "%s %.1f%%" % (w, 100 * r["calls_share_never_converged"]) for w, r in mt2.items()))
        say("       last change of any site (Rlast): " + ", ".join(
            "%s %d of %d" % (w, r["r_last_change"], r["rounds_observed"]) for w, r in mt2.items()))
        sup = {n: r for n, r in runs.items() if re.match(r"^\w+?-mt2-", n) and "error" not in r
               and not n.startswith("startup-")}
        if sup:
            k = next(iter(sup.values()))["knobs"]
            say("       supplementary run, min_samples=%d instead of %s (as if the guest ran faster and "
                "sampled more per interval): %s" % (
                    k["min_samples"], next(iter(mt2.values()))["knobs"]["min_samples"],
                    ", ".join("%s %.1f%%" % (n.split("mt2-")[1], 100 * r["coverage_excl_relpoline"])
                              for n, r in sorted(sup.items(), key=lambda kv: run_order(kv[0])))))
        sw = {n: r for n, r in runs.items() if n.startswith("switch-") and "error" not in r}
        if sw:
            say("       re-convergence after a switch (R95): " + ", ".join(
                "%s %s" % (n, r95s(r)) for n, r in sorted(sw.items())))
        say()
    say("Misses by reason, % of the calls at non-relpoline sites (they add up to 100 - cov-rp%):")
    for name in sorted(runs, key=run_order):
        r = runs[name]
        if "error" in r:
            continue
        say("  %-24s %s" % (name, ", ".join("%s %.2f" % (k, 100 * v)
                                            for k, v in r["miss_share_by_reason"].items())))
    say("  min_samples: the site had fewer than min_samples sampled misses in the window; "
        "megamorphic: no target reaches threshold_pct; max_targets: more qualifying "
        "targets than slots; churn: the policy was changing the site during the window")
    say()
    say("Top unpromoted misses (max_targets 2 runs):")
    for name in sorted(runs, key=run_order):
        r = runs[name]
        if "error" in r or not name.startswith("mt2-"):
            continue
        for t in r["top_missing"][:4]:
            say("  %-14s %-44s %-9s h=%-8d m=%-7d %s" % (
                name[4:], t["site"][:44], t["state"], t["hits"], t["misses"], t["reason"]))
    say()


def run_order(name):
    """mtN-W runs first (max_targets 2, 1, 4; workload order), then the
    switches, then runs with a prefix (supplementary knob settings)."""
    m = re.match(r"^(?:(\w+?)-)?(mt(\d)|switch|pre)-(.*)$", name)
    wl = WORKLOADS
    if not m:
        return (9, "", 0, 0, name)
    prefix, kind, mt, rest = m.group(1) or "", m.group(2), m.group(3), m.group(4)
    return (1 if prefix else 0, prefix, 0 if mt else 1,
            {"2": 0, "1": 1, "4": 2}.get(mt, 3) * 10 + (wl.index(rest) if rest in wl else 9), name)


# --------------------------------------------------------------------------
# native replay of the guest's call streams (bench/native/relreplay)
# --------------------------------------------------------------------------

REPLAY_VARIANTS = ["floor", "fixed", "plain", "retpoline", "relpoline"]
REMOVED_LIMIT = 0.90


def removed_share(c):
    """Share of the retpoline overhead (retpoline - plain) that relpoline removes."""
    over = c["retpoline"] - c["plain"]
    return (c["retpoline"] - c["relpoline"]) / over if over > 0 else float("nan")


def replay():
    """replay.csv: per workload, cycles per call of each variant, and what the
    stream was (replaymeta)."""
    path = os.path.join(RES, "replay.csv")
    if not os.path.exists(path):
        return None
    wls, meta = {}, {}
    for line in open(path):
        f = line.rstrip("\n").split(",")
        if f[0] == "meta":
            meta[f[1]] = f[2]
            continue
        if f[0] not in ("replaymeta", "replay", "rsample", "rcalib"):
            continue
        w = wls.setdefault(f[1], dict(workload=f[1], meta={}, cycles={}, cycles_min={},
                                      ticks=defaultdict(dict), clean=[], calib=[]))
        if f[0] == "replaymeta":
            w["meta"][f[2]] = f[3]
        elif f[0] == "replay":
            w["cycles"][f[2]] = float(f[3])
            w["cycles_min"][f[2]] = float(f[4])
        elif f[0] == "rsample":
            w["ticks"][int(f[2])][f[3]] = float(f[4])
            w["clean"].append(float(f[6]))
        else:
            w["calib"].append(float(f[3]))
    out = {}
    for name, w in wls.items():
        c, m = w["cycles"], w["meta"]
        if any(v not in c for v in REPLAY_VARIANTS):
            out[name] = dict(workload=name, error="incomplete replay (relreplay stopped; see replay.err)")
            continue
        hs = float(m.get("hit_share", "nan"))
        # per repetition (every variant measured once), for the spread
        per_rep = sorted(removed_share(t) for t in w["ticks"].values()
                         if all(v in t for v in REPLAY_VARIANTS))
        out[name] = dict(
            workload=name, calls=int(m["calls"]), sites=int(m["sites"]),
            sites_promoted=int(m["sites_promoted"]), targets=int(m["targets"]),
            hit_share=hs, knobs={k: int(m[k]) for k in ("sample_period", "count_hits", "max_targets")},
            reps=int(m.get("reps", 0)), passes=int(m.get("passes", 0)),
            cycles=c, cycles_min=w["cycles_min"], removed=removed_share(c),
            removed_min=removed_share(w["cycles_min"]),
            removed_p25=q(per_rep, .25), removed_p75=q(per_rep, .75),
            residual=c["relpoline"] - c["plain"],
            residual_pct_plain=100 * (c["relpoline"] - c["plain"]) / c["plain"],
            saved_per_call=c["retpoline"] - c["relpoline"],
            saved_per_hit=(c["retpoline"] - c["relpoline"]) / hs if hs > 0 else float("nan"),
            clean_min=min(w["clean"], default=float("nan")),
            tsc_ticks_per_core_cycle=med(w["calib"]))
    return dict(meta=meta, workloads=out)


def replay_report(rp, g, info):
    """The replay table, a TARGET per workload and the savings next to the
    guest's estimates."""
    wls = rp["workloads"] if rp else {}
    failed = [f[:-len(".stream")] for f in info.get("replay_failed", "").split()]
    say("== NATIVE REPLAY: each workload's recorded calls replayed natively, every site at its own "
        "address (core cycles per call, median of the repetitions; dispatch %s) =="
        % (rp["meta"].get("dispatch", "?") if rp else "-"))
    if wls:
        say("%-10s %9s %6s %6s %6s %7s %7s %7s %7s %7s %8s %16s" % (
            "workload", "calls", "sites", "promo", "hit%", "floor", "fixed", "plain", "retpol",
            "relpol", "removed", "residual"))
    for name, r in sorted(wls.items()):
        if "error" in r:
            say("%-10s error: %s" % (name, r["error"]))
            continue
        c = r["cycles"]
        say("%-10s %9d %6d %6d %6.1f %7.2f %7.2f %7.2f %7.2f %7.2f %7.1f%% %+7.2f (%+.1f%%)" % (
            name, r["calls"], r["sites"], r["sites_promoted"], 100 * r["hit_share"], c["floor"],
            c["fixed"], c["plain"], c["retpoline"], c["relpoline"], 100 * r["removed"],
            r["residual"], r["residual_pct_plain"]))
    if wls:
        say("removed = (retpoline - relpoline) / (retpoline - plain); residual = relpoline - plain "
            "(cycles per call, % of plain). Every figure includes the dispatch loop (floor: a NOP as "
            "the site; fixed: a direct call); the sites are 5-byte calls through %rax, the stubs "
            "have the guest's promotion set, sample_period and hit counting; the stubs' counters and "
            "every target's calls were checked against the stream after every measurement.")
    names = sorted(set(wls) | set(failed))
    if not names and "replay" in info.get("parts", "").split():
        say("TARGET >= 90%% of the retpoline overhead removed (native replay): %s (no replay results: "
            "no streams recorded or the replay part skipped; see bench/run's output)" % verdict(False))
    for name in names:
        r = wls.get(name, dict(error="relreplay failed (see replay.err)"))
        if "error" in r:
            say("TARGET >= 90%% of the retpoline overhead removed (%s): %s (%s)"
                % (name, verdict(False), r["error"]))
            continue
        say("TARGET >= 90%% of the retpoline overhead removed (%s): %s (%.1f%%; repetitions %.1f-%.1f%% "
            "p25-p75, fastest passes %.1f%%; residual vs plain %+.2f cycles per call, %+.1f%%)"
            % (name, verdict(r["removed"] >= REMOVED_LIMIT, r["removed"], REMOVED_LIMIT),
               100 * r["removed"], 100 * r["removed_p25"], 100 * r["removed_p75"],
               100 * r["removed_min"], r["residual"], r["residual_pct_plain"]))
    replay_vs_estimates(wls, g)
    say()


def replay_vs_estimates(wls, g):
    """Cycles a promoted hit saves: the replay's against the guest's estimates
    (est: single-site native retpoline - hit; kern: the kernel's calibration)."""
    rows = []
    for name, r in sorted(wls.items()):
        if "error" in r:
            continue
        run = (g or {}).get("runs", {}).get("mt%d-%s" % (r["knobs"]["max_targets"], name), {})
        kern = run.get("kernel_cycles_saved_per_hit")
        hps = run.get("hits_per_s")
        r["guest_run"] = run.get("run")
        r["est_cycles_saved_per_hit"] = (g or {}).get("cycles_saved_per_hit")
        r["kernel_cycles_saved_per_hit"] = kern
        r["replay_est_cycles_saved_per_s"] = hps * r["saved_per_hit"] if hps else None
        rows.append("%s %.1f (est %s, kern %s%s)" % (
            name, r["saved_per_hit"], fmt(r["est_cycles_saved_per_hit"], 1), fmt(kern, 1),
            "; %s Mcyc/s at the guest's hit rate" % fmt(r["replay_est_cycles_saved_per_s"] / 1e6)
            if hps else ""))
    if rows:
        say("Cycles saved per promoted hit, replay ((retpoline - relpoline) / hit share) vs the "
            "guest's estimates (est: native single-site retpoline - hit; kern: the kernel's own "
            "calibration under TCG): " + "; ".join(rows))


# --------------------------------------------------------------------------
# scaling
# --------------------------------------------------------------------------

def round_costs(r, st):
    """The cost of a policy round and of a trace_stat read (issue 14,
    item 3), from the exact counts of the filter pass."""
    if "round_sites" in st["retrain"]:
        r["round_sites_promoting"] = int(st["retrain"]["round_sites"])
    if "idle-round" in st and "round_sites" in st["idle-round"]:
        r["round_sites_idle"] = int(st["idle-round"]["round_sites"])
        r["idle_round_us"] = int(st["idle-round"]["last_retrain_us"])
    sr = st.get("stat-read")
    if sr and "cmp_calls" in sr and "rows" in sr:
        r["stat_cmp_per_read"] = int(sr["cmp_calls"]) / int(sr["reads"])
        r["stat_rows"] = int(sr["rows"])
        r["stat_stubbed"] = int(sr["stubbed"])
        r["stat_read_ms"] = int(sr["ns"]) / 1e6 / int(sr["reads"])


def round_cost_report(sc):
    rs = sorted((r for r in sc if r["pass"] == "filter" and "round_sites_idle" in r),
                key=lambda r: r["n"])
    if not rs:
        say("TARGET round cost and trace_stat reads bounded: MISSED (no measurement)")
        return
    say("Round and trace_stat costs by size (exact counts; ':mod:' pass, after the promoting retrain):")
    say("%-6s %10s %10s %10s %9s %9s %12s %14s" % (
        "N", "stubbed", "rnd sites", "idle rnd", "idle us", "rows", "cmp/read", "all-rows sort"))
    for r in rs:
        m = r.get("stat_stubbed", 0)
        say("%-6d %10s %10s %10s %9s %9s %12s %14s" % (
            r["n"], m, r.get("round_sites_promoting", "-"), r["round_sites_idle"],
            r.get("idle_round_us", "-"), r.get("stat_rows", "-"),
            fmt(r.get("stat_cmp_per_read"), 0),
            "~%d" % (m * math.log2(m)) if m > 1 else "-"))
    say("rnd sites: sites the promoting round visited (those sampled; the first size's first "
        "round also follows min_samples' change, which makes a round visit every site with policy "
        "state); idle rnd: sites a round with nothing sampled since visits (trace_stat "
        "round_sites: those whose scores still age, at most two rounds of learning tables); "
        "idle us: that round's duration (TCG); cmp/read: calls of trace_stat's sort compare per "
        "read, counted by the stub of insert_stat()'s site; all-rows sort: N log2 N, what sorting "
        "one row per stubbed site costs at least")
    idle = [r["round_sites_idle"] for r in rs]
    # what was sampled lately: at most two rounds of the learning tables
    # (256 entries per CPU, 2 guest CPUs), and not growing with N
    ok = idle[-1] <= idle[0] and max(idle) <= 2 * 256 * 2
    say("TARGET a round costs what was sampled, not the sites managed: %s (idle round visits %s "
        "sites at N = %s)" % (verdict(ok), "/".join(map(str, idle)), "/".join(str(r["n"]) for r in rs)))
    st = [r for r in rs if "stat_cmp_per_read" in r]
    # a red-black tree is at most 2 log2(n + 1) deep
    bound = lambda k: 2 * k * max(1, math.ceil(math.log2(k + 1)))
    ok = bool(st) and all(r["stat_rows"] <= 1000 and r["stat_cmp_per_read"] <= bound(r["stat_rows"])
                          for r in st)
    say("TARGET a trace_stat read sorts at most 1000 rows (<= 2 K ceil(log2(K+1)) compares): %s (%s)"
        % (verdict(ok), ", ".join("%d: %d rows, %d compares" % (r["n"], r["stat_rows"],
                                                               r["stat_cmp_per_read"]) for r in st)))


def scaling():
    p = os.path.join(RES, "guest-scaling", "scaling.txt")
    if not os.path.exists(p):
        return None
    steps = defaultdict(dict)
    for line in open(p):
        kv = parse_kv(line)
        if "n" not in kv:
            continue
        rep = int(kv.get("rep", 1))
        if kv["step"] in ("insmod", "rmmod"):
            rep = 1
        steps[(int(kv["n"]), kv["pass"], rep)][kv["step"]] = kv
        if kv["step"] in ("insmod", "rmmod"):
            steps[(int(kv["n"]), kv["pass"], 1)][kv["step"]] = kv
    reps = defaultdict(list)

    def delta(st, a, b, key):
        return int(st[b][key]) - int(st[a][key])

    for (n, ps, rep), st in sorted(steps.items()):
        ld = steps.get((n, ps, 1), {})
        if "enable" not in st and "enable-tick" in st:
            # the guest was stopped (timeout) during this enable: a lower bound
            reps[(n, ps)].append({"n": n, "pass": ps, "rep": rep,
                                  "enable_s": int(st["enable-tick"]["ns"]) / 1e9,
                                  "enable_lower_bound": True, "sites": n + 1,
                                  "insmod_s": int(ld["insmod"]["ns"]) / 1e9 if "insmod" in ld else None})
            continue
        if "enable" not in st:
            continue
        r = {"n": n, "pass": ps, "rep": rep, "enable_s": int(st["enable"]["ns"]) / 1e9}
        if "disable" in st:
            r["disable_s"] = int(st["disable"]["ns"]) / 1e9
        if "insmod" in ld:
            r["insmod_s"] = int(ld["insmod"]["ns"]) / 1e9
        if "disable" in st and "batches" in st["enable"] and "batches" in st["disable"]:
            # totals read after every step: enable, retrain, disable apart
            phases = [("enable", "before", "enable")]
            if "retrain" in st:
                base = "pre-disable" if "pre-disable" in st else "retrain"
                phases += [("retrain", "enable", "retrain"), ("disable", base, "disable")]
                r["retrain_s"] = int(st["retrain"]["ns"]) / 1e9
                r["promoted"] = int(st.get("states-retrain", {}).get("promoted", -1))
                r["promoted_rounds"] = [int(st[k]["promoted"]) for k in
                                        ("states-retrain", "states-burst-2", "states-burst-3")
                                        if k in st and "promoted" in st[k]]
                round_costs(r, st)
            else:
                phases += [("disable", "enable", "disable")]
            for ph, a, b in phases:
                for key in ("batches", "ipi_rounds", "patched"):
                    r[f"{ph}_{key}"] = delta(st, a, b, key)
            r["stub_pool_bytes"] = int(st["enable"]["stub_pool_bytes"])
            r["stub_bytes"] = int(st["enable"]["stub_bytes"])
            r["learning"] = int(st.get("states-enable", st.get("states", {})).get("learning", -1))
            if ps == "filter":
                r["calls"] = int(st.get("calls", {}).get("calls", -1))
                r["run_misses"] = delta(st, "enable", "retrain" if "retrain" in st else "disable",
                                        "misses")
        elif ps == "filter" and "after" in st:
            # totals only while disabled: enable + disable together
            for key in ("batches", "ipi_rounds", "patched"):
                r[f"both_{key}"] = delta(st, "before", "after", key)
            r["run_misses"] = delta(st, "before", "after", "misses")
            r["calls"] = int(st.get("calls", {}).get("calls", -1))
        b = r.get("enable_batches", r.get("both_batches"))
        rd = r.get("enable_ipi_rounds", r.get("both_ipi_rounds"))
        pt = r.get("enable_patched", r.get("both_patched"))
        if b:
            r["sites_per_batch"] = pt / b
            r["ipi_rounds_per_batch"] = rd / b
            r["ipi_rounds_per_256_sites"] = rd / (b * math.ceil(pt / b / 256)) if pt else None
        reps[(n, ps)].append(r)
    out = []
    for (n, ps), rs in sorted(reps.items(), key=lambda kv: (kv[0][1] != "filter", kv[0][0])):
        # the first repetition's counts; the fastest repetition's times,
        # but the retrain's: only the first repetition's promotes the sites
        # (promotions outlive disable and enable)
        r = dict(rs[0])
        r["repetitions"] = len(rs)
        for key in ("enable_s", "disable_s"):
            vals = [x[key] for x in rs if x.get(key) is not None and not
                    (key == "enable_s" and x.get("enable_lower_bound"))]
            if vals:
                r[key] = min(vals)
                r[key + "_all"] = [x.get(key) for x in rs]
                if key == "enable_s":
                    r.pop("enable_lower_bound", None)
        r["ipi_per_256_all_reps"] = [x.get("ipi_rounds_per_256_sites") for x in rs]
        out.append(r)
    for r in out:
        r.setdefault("sites", r.get("enable_patched", r.get("both_patched", 0) // 2))
    fits = {}
    for ps in ("filter", "all"):
        rs = [r for r in out if r["pass"] == ps and r["sites"]]
        for key in ("enable_s", "retrain_s", "disable_s", "ipi_rounds_per_batch"):
            pts = [(math.log(r["sites"]), math.log(r[key])) for r in rs if r.get(key)]
            if len(pts) >= 2:
                mx = sum(x for x, _ in pts) / len(pts)
                my = sum(y for _, y in pts) / len(pts)
                sxx = sum((x - mx) ** 2 for x, _ in pts)
                fits[(ps, key)] = sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else float("nan")
        for r in rs:
            for key in ("enable_s", "retrain_s", "disable_s"):
                if r.get(key):
                    r[key.replace("_s", "_ms_per_site")] = 1000 * r[key] / r["sites"]
    for r in out:
        r["fit"] = {k: v for (ps, k), v in fits.items() if ps == r["pass"]}
    return out


def scaling_report(sc):
    say("== SCALING: relpoline_bulk.ko, N synthetic sites + 1 runner site (guest clock under TCG) ==")
    say("%-6s %-7s %8s %7s %9s %7s %8s %9s %9s %8s %9s %8s %8s" % (
        "N", "filter", "sites/bt", "IPI/bt", "IPI/256st", "insmod", "enable s", "ms/site", "retrain s",
        "disable s", "ms/site", "stub KiB", "verified"))
    for r in sc:
        ver = "-"
        if "calls" in r:
            ver = "yes" if (r["calls"] == r["n"] and r["run_misses"] == 2 * r["n"] and
                            r.get("promoted", 1) > 0) else "NO"
        elif r["pass"] == "all":
            ver = "yes" if r.get("learning") == r.get("enable_patched") else "NO"
        if r.get("enable_lower_bound"):
            ver = "timeout"
        say("%-6d %-7s %8s %7s %9s %7s %8s %9s %9s %8s %9s %8s %8s" % (
            r["n"], ":mod:" if r["pass"] == "filter" else "(none)", fmt(r.get("sites_per_batch"), 0),
            fmt(r.get("ipi_rounds_per_batch"), 1), fmt(r.get("ipi_rounds_per_256_sites"), 2),
            fmt(r.get("insmod_s")),
            (">" if r.get("enable_lower_bound") else "") + "%.2f" % r["enable_s"],
            (">" if r.get("enable_lower_bound") else "") + fmt(r.get("enable_ms_per_site"), 3),
            fmt(r.get("retrain_s")), fmt(r.get("disable_s")), fmt(r.get("disable_ms_per_site"), 3),
            fmt(r["stub_pool_bytes"] / 1024, 0) if "stub_pool_bytes" in r else "-", ver))
    say("Times: the fastest of the repetitions (%s). "
        % ", ".join("%d:%s x%d" % (r["n"], r["pass"], r.get("repetitions", 1)) for r in sc) +
        "':mod:' = set_relpoline_filter ':mod:relpoline_bulk' (only the module's sites); (none) = empty "
        "filter, every vmlinux site too (n=0: vmlinux alone). bt = patch batch (an enable is 1 batch; "
        "trace_stat is read after every step). verified: ':mod:' every site called once through its stub "
        "(calls = N, misses = 2N) and the retrain promoted sites; (none) every patched site learning")
    say("retrain: after every site was called once (sample_period 1, min_samples 1); it promotes what "
        "the learning tables recorded (256 entries per CPU, then the shared overflow table sized with "
        "the stubbed sites): %s sites"
        % ", ".join("%d of %d" % (r["promoted"], r["n"]) for r in sc if r.get("promoted") is not None))
    burst = [r for r in sc if r["pass"] == "filter" and len(r.get("promoted_rounds", [])) == 3]
    if burst:
        say("burst: every site called once before each of 3 rounds; promoted after rounds 1, 2, 3: %s"
            % "; ".join("N=%d: %s" % (r["n"], ", ".join(str(x) for x in r["promoted_rounds"]))
                        for r in burst))
        big = max(burst, key=lambda r: r["n"])
        say("TARGET a burst over %d hot sites: >= 95%% promoted within 3 rounds: %s (%d of %d, %.1f%%)"
            % (big["n"], verdict(big["promoted_rounds"][2] >= 0.95 * big["n"]),
               big["promoted_rounds"][2], big["n"], 100.0 * big["promoted_rounds"][2] / big["n"]))
    else:
        say("TARGET a burst over the hot sites: >= 95% promoted within 3 rounds: MISSED (no 3-round "
            "burst in the scaling results)")
    if any(r.get("enable_lower_bound") for r in sc):
        say(">: the guest timed out during this enable; the time is a lower bound (last 5-s tick)")
    fit = lambda ps, k: next((r["fit"].get(k) for r in sc if r["pass"] == ps and "fit" in r), None)
    allv = [v for r in sc for v in r.get("ipi_per_256_all_reps", []) if v is not None]
    # text_poke_bp_batch() took 3 IPI rounds per vector of 256 sites;
    # text_poke_sites() takes 3 per batch, whatever its size: at most 3
    ipi_ok = bool(allv) and all(v <= 3.01 for v in allv)
    say("TARGET at most 3 IPI rounds per 256 sites patched (text_poke_sites: 3 per batch of any "
        "size): %s (%d batches measured, from %.2f to %.2f)"
        % (verdict(ipi_ok), len(allv), min(allv, default=0), max(allv, default=0)))
    e = max(x for x in (fit("filter", "ipi_rounds_per_batch"), fit("all", "ipi_rounds_per_batch"))
            if x is not None)
    say("TARGET IPI rounds grow at most linearly with the sites patched: %s (fitted exponent %.2f)"
        % (verdict(e <= 1.1), e))
    for ps, label in (("filter", "filter ':mod:'"), ("all", "no filter")):
        rs = sorted((r for r in sc if r["pass"] == ps and r.get("sites")), key=lambda r: r["sites"])
        if len(rs) < 2:
            continue
        a, b = rs[-2], rs[-1]
        parts = []
        for key in ("enable", "retrain", "disable"):
            k = key + "_ms_per_site"
            if a.get(k) and b.get(k):
                g = b[k] / a[k]
                parts.append("%s %s (per-site time x%.2f from %d to %d sites, x%.2f from %d; "
                             "fitted exponent %.2f)" % (
                                 key, verdict(g <= 1.5), g, a["sites"], b["sites"],
                                 b[k] / rs[0][k], rs[0]["sites"], fit(ps, key + "_s")))
        say("TARGET time grows at most linearly, %s: %s" % (label, "; ".join(parts)))
    say("       (judged on the two largest sizes, where constant costs such as RCU grace periods "
        "no longer dominate: linear keeps the per-site time, x<=1.5 allows for TCG and host-load "
        "noise; quadratic growth would multiply it by the size ratio)")
    round_cost_report(sc)
    say()


# --------------------------------------------------------------------------
# the distro kernel (issue 14 item 6): Debian's config, next to the test one
# --------------------------------------------------------------------------

def kernel_figures(d, static_path, prefix):
    """What one kernel's guest run (workloads.sh's wl/ directory) and its
    static sizes (bench/run: static-VARIANT.txt) say about relpoline."""
    if not os.path.isdir(d):
        return None
    f = {}
    for name in ("boot", "enable", "final"):
        p = os.path.join(d, "%s-stat.txt" % name)
        if os.path.exists(p):
            f[name] = parse_kv(open(p).read())
    p = os.path.join(d, "enable-time.txt")
    if os.path.exists(p):
        f.update({k: int(v) for k, v in parse_kv(open(p).read()).items()})
    if os.path.exists(static_path):
        f["static"] = {k: int(v) for k, v in parse_kv(open(static_path).read()).items()}
    runs = {}
    for run in sorted({x[:-len("-times.txt")] for x in os.listdir(d) if x.endswith("-times.txt")}):
        m = re.match(r"^%smt2-(\w+)$" % prefix, run)
        if not m:
            continue
        try:
            runs[m.group(1)] = analyse_run(d, run, None)
        except (OSError, KeyError, ValueError, IndexError) as e:
            runs[m.group(1)] = dict(run=run, error=str(e))
    f["runs"] = runs
    return f


def distro():
    d = kernel_figures(os.path.join(RES, "guest-distro", "wl"), os.path.join(RES, "static-distro.txt"),
                       "distro-")
    if d is None:
        return None
    t = kernel_figures(os.path.join(RES, "guest-wl", "wl"), os.path.join(RES, "static-test.txt"), "")
    return dict(distro=d, test=t)


def kib(v):
    return "-" if v is None else "%.0f KiB" % (int(v) / 1024)


def distro_rows(k):
    """(label, cell) rows of one kernel's figures."""
    b, e = k.get("boot", {}), k.get("enable", {})
    sites = int(b.get("sites", 0)) or None
    managed = int(e.get("learning", 0)) or None
    st = k.get("static", {})

    def per_site(key, src, n):
        v = src.get(key)
        return "-" if v is None or not n else "%s (%.0f B/site)" % (kib(v), int(v) / n)
    return [
        ("sites (refused)", "%s (%s)" % (b.get("sites", "-"), b.get("refused", "-"))),
        ("managed when enabled", str(managed or "-")),
        ("relpoline code+data (static)", kib(st.get("text_data_bss"))),
        ("site tables", per_site("site_bytes", b, sites)),
        ("policy state, enabled", per_site("policy_bytes", e, managed)),
        ("stubs in use / pool, enabled", "%s / %s" % (kib(e.get("stub_bytes")), kib(e.get("stub_pool_bytes")))),
        ("per CPU, enabled", kib(e.get("percpu_bytes"))),
        ("shared learning tables, enabled", kib(e.get("learn_bytes"))),
        ("enable / disable (guest s)", "%s / %s" % (
            "%.2f" % (k["enable_ns"] / 1e9) if "enable_ns" in k else "-",
            "%.2f" % (k["disable_ns"] / 1e9) if "disable_ns" in k else "-")),
    ]


def distro_report(dd):
    d, t = dd["distro"], dd["test"] or {}
    say("== DISTRO KERNEL: Debian's amd64 configuration, modules off, test fragments on top "
        "(KVARIANT=distro), next to the test kernel (guest, spectre_v2=retpoline) ==")
    rows_d, rows_t = distro_rows(d), distro_rows(t) if t else []
    say("%-34s %-28s %s" % ("", "test kernel", "distro kernel"))
    for i, (label, cell) in enumerate(rows_d):
        say("%-34s %-28s %s" % (label, rows_t[i][1] if rows_t else "-", cell))
    wls = [w for w in WORKLOADS if w in d["runs"] or w in t.get("runs", {})]
    for key, label in (("coverage", "coverage, max_targets 2"), ("r95_call_weighted", "R95, max_targets 2"),
                       ("sites_called", "sites called in the window")):
        def cell(k, w):
            r = k.get("runs", {}).get(w)
            if not r:
                return "-"
            if "error" in r:
                return "failed"
            if key == "coverage":
                return "%.2f%%" % (100 * r[key])
            if key == "r95_call_weighted":
                return r95s(r)
            return str(r[key])
        say(label + ":")
        say("  %-12s %s" % ("test:", ", ".join("%s %s" % (w, cell(t, w)) for w in wls)))
        say("  %-12s %s" % ("distro:", ", ".join("%s %s" % (w, cell(d, w)) for w in wls)))
    bad = [w for w, r in d["runs"].items() if "error" in r or not r["r95_converged"]
           or r["r95_call_weighted"] > 2]
    say("TARGET converge within 2 intervals on the distro kernel (R95, max_targets 2): %s%s" % (
        verdict(bool(d["runs"]) and not bad),
        " (" + ", ".join("%s %s" % (w, "failed" if "error" in d["runs"][w] else r95s(d["runs"][w]))
                         for w in bad) + ")" if bad else "" if d["runs"] else " (no runs)"))
    say("static: the text, data and bss of relpoline's objects built into vmlinux (size(1)); "
        "site tables: one entry per site from boot, also while disabled; enabled: every site "
        "learning, right after enable (stubs, counters, policy state, learning tables)")
    say()


def main():
    n = native()
    g = guest(n)
    sc = scaling()
    rp = replay()
    info = {}
    p = os.path.join(RES, "run-info.txt")
    if os.path.exists(p):
        for line in open(p):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                info[k] = v.strip('"')
    if n:
        native_report(n)
    nm = native_many(n["tsc_ticks_per_core_cycle"] if n else None)
    if nm:
        native_many_report(nm)
    if g:
        guest_report(g)
    elif "guest" in info.get("parts", "").split():
        why = "no guest results (kernel built: %s, guest exit status: %s; see bench/run's output)" % (
            info.get("have_kernel"), info.get("guest_rc"))
        say("== GUEST ==")
        say("TARGET coverage >= 95%% with max_targets 2 on each workload: %s (%s)" % (verdict(False), why))
        say("TARGET converge within 2 intervals (R95, max_targets 2, cold start): %s (%s)" % (
            verdict(False), why))
        say("TARGET churn after convergence <= 5%% of the promoted sites per round (max_targets 2): "
            "%s (%s)" % (verdict(False), why))
        say()
    if rp or "replay" in info.get("parts", "").split():
        replay_report(rp, g, info)
    if sc:
        scaling_report(sc)
    dd = distro()
    if dd:
        distro_report(dd)
    elif "distro" in info.get("parts", "").split():
        say("== DISTRO KERNEL ==")
        say("TARGET converge within 2 intervals on the distro kernel (R95, max_targets 2): %s "
            "(no distro run: see bench/run's output)" % verdict(False))
        say()
    res = dict(info=info, native=None, guest=g, scaling=sc, replay=rp, distro=dd)
    if n:
        nn = dict(n)
        nn["rows"] = [dict(v, pattern=k[0], variant=k[1]) for k, v in n["rows"].items()]
        res["native"] = nn
    if nm:
        res["native_many"] = dict(nm, rows=[dict(v, mode=k[0], layout=k[1])
                                            for k, v in nm["rows"].items()])
    with open(os.path.join(RES, "results.json"), "w") as f:
        json.dump(res, f, indent=1, default=str)
    # gnuplot data
    if n:
        with open(os.path.join(RES, "native.dat"), "w") as f:
            f.write("# variant " + " ".join(PATTERNS) + "  (core cycles per call)\n")
            for v in n["variants"]:
                f.write(v + " " + " ".join("%.3f" % n["rows"][(p, v)]["cycles"] for p in PATTERNS) + "\n")
    if g:
        with open(os.path.join(RES, "coverage.dat"), "w") as f:
            f.write("# workload cov_mt1 cov_mt2 cov_mt4 (percent)\n")
            for wl in WORKLOADS:
                vals = []
                for mt in ("1", "2", "4"):
                    r = g["runs"].get(f"mt{mt}-{wl}", {})
                    vals.append("%.3f" % (100 * r["coverage_excl_relpoline"])
                                if "coverage_excl_relpoline" in r else "NaN")
                f.write(wl + " " + " ".join(vals) + "\n")
    if sc:
        with open(os.path.join(RES, "scaling.dat"), "w") as f:
            f.write("# n enable_s disable_s ipi_rounds_per_batch; block 0 filter :mod:, block 1 empty filter\n")
            for ps in ("filter", "all"):
                for r in sc:
                    if r["pass"] == ps and r["n"] > 0:
                        f.write("%d %.3f %.3f %s\n" % (r["n"], r["enable_s"], r.get("disable_s", float("nan")),
                                                       fmt(r.get("ipi_rounds_per_batch"), 1).replace("-", "NaN")))
                f.write("\n\n")
    txt = "\n".join(out_lines) + "\n"
    with open(os.path.join(RES, "summary.txt"), "w") as f:
        f.write(txt)
    sys.stdout.write(txt)


if __name__ == "__main__":
    main()
