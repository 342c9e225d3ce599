# Each line is a sed expression applied to kernel/trace/relpoline_parse.c;
# the test suite must fail for every one of them ("make mutants").
# numbers
s/while (n > 1 \&\& \*s == '0') {/while (0) {/
s/while (n > 1 \&\& /while (n > 0 \&\& /
s/if (n > RP_U64_DIGITS)/if (n > RP_U64_DIGITS + 1)/
s/isxdigit(s\[i\]) : isdigit(s\[i\])/isdigit(s[i]) : isdigit(s[i])/
s/isxdigit(s\[i\]) : isdigit(s\[i\])/isxdigit(s[i]) : isxdigit(s[i])/
s/return kstrtou64(buf, base, val);/return kstrtou64(buf, 10, val);/
s/_tolower(s\[1\]) == 'x'/s[1] == 'x'/
s/return ret == -ERANGE ? "number out of range" : bad;/return ret == -ERANGE ? bad : bad;/
s/if (rp_has_hex_prefix(s, t->len)) {/if (0) {/
s/if (isdigit(s\[0\])) {/if (0) {/
s/site->kind = RP_REF_ID;/site->kind = RP_REF_ADDR;/
# lines and characters
s/return c == ' ' || c == '\\t';/return c == ' ';/
s/line\[l->end - 1\] == '\\r' ||/0 ||/
s/line\[l->end - 1\] == '\\n'))/0))/
s/if (!isascii(c) || (iscntrl(c) \&\& c != '\\t'))/if (iscntrl(c) \&\& c != '\\t')/
s/(iscntrl(c) \&\& c != '\\t')/iscntrl(c)/
s/if (l->pos == l->end || line\[l->pos\] == '#')/if (l->pos == l->end)/
s/\t\te->err = 0;/\t\te->err = 1;/
s/memset(cmd, 0, sizeof(\*cmd));/;/
# names
s/if (!n || isdigit(s\[0\]))/if (!n)/
s/if (n > KSYM_NAME_LEN - 1)/if (n > KSYM_NAME_LEN)/
s/if (n > MODULE_NAME_LEN - 1)/if (n > MODULE_NAME_LEN)/
s/return isalnum(c) || c == '_' || c == '-';/return isalnum(c) || c == '_';/
# commands and target lists
s/if (cmd->nr_targets == RELPOLINE_MAX_TARGETS)/if (cmd->nr_targets == RELPOLINE_MAX_TARGETS + 1)/
s/return rp_fail(e, start, "duplicate target");/{}/
s/return !strcmp(a->sym, b->sym) \&\& !strcmp(a->mod, b->mod);/return !strcmp(a->sym, b->sym);/
s/i++;\t\/\* the comma \*\//i += 2;/
s/if (d->args == RP_ARGS_OPT_SITE)/if (0)/
s/return rp_fail(e, t.pos, "trailing garbage");/return 0;/
# filter
s/if (i < n \&\& s\[i\] == '!')/if (0)/
s/|| i == first)/|| i + 1 == first)/
s/rp_copy(p->glob, "\*", 1);/rp_copy(p->glob, "", 0);/
s/rp_copy(p->mod, s + colon + 5, t.len - colon - 5);/;/
# cgroup paths and weights
s/if (!clen || (s\[start\] == '.' \&\&/if (!clen || (0 \&\&/
s/(clen == 1 || (clen == 2 \&\& s\[start + 1\] == '.'))))/(clen == 1)))/
s/if (!clen || /if (/
s/if (n > RP_CGROUP_PATH_MAX)/if (n > RP_CGROUP_PATH_MAX + 1)/
s/if (ret || v > RP_WEIGHT_MAX)/if (ret || v > RP_WEIGHT_MAX + 1)/
s/} else if (t.len == 1 \&\& s\[0\] == '\*') {/} else if (s[0] == '*') {/
# lookup
s/if (plen <= best_len || strncmp(cgpath, path, plen))/if (plen < best_len || strncmp(cgpath, path, plen))/
s/if (path\[plen - 1\] != '\/' \&\& cgpath\[plen\] != '\\0' \&\&/if (cgpath[plen] != '\\0' \&\&/
s/cgpath\[plen\] != '\/')/1)/
# policy
s/if (site_samples < p->min_samples) {/if (site_samples <= p->min_samples) {/
s/nr_cur = RELPOLINE_MAX_TARGETS;/nr_cur = RELPOLINE_MAX_TARGETS + 1;/
s/if (!site_total)/if (0)/
s/if (max < 1)/if (0)/
s/if (thr < 1)/if (0)/
s/if (thr > 100)/if (0)/
s/!rp_mul_ge(tmp.score, 200, d->site_total, d->thr))/!rp_mul_ge(tmp.score, 100, d->site_total, d->thr))/
s/!rp_mul_ge(c->score, 100, d->site_total, d->thr))/!rp_mul_ge(c->score, 101, d->site_total, d->thr))/
s/if (w < 0 || !rp_mul_ge(best->score, 4, d->sel\[w\].score, 5))/if (w < 0)/
s/if (w < 0 || !rp_mul_ge(best->score, 4, d->sel\[w\].score, 5))/if (w < 0 || !rp_mul_ge(best->score, 5, d->sel[w].score, 6))/
s/return a->score > b->score ||/return a->score < b->score ||/
s/(a->score == b->score \&\& a->target < b->target)/(a->score == b->score \&\& a->target > b->target)/
s/bool same = d->nr == d->nr_cur;/bool same = false;/
s/while (d->nr > d->max) {/while (0) {/
s/if (rp_cand_in(d->sel, d->nr, best->target))/if (0)/
s/\*hi = (h >> 32) + (\*lo < l);/*hi = (h >> 32);/
s/return ahi > bhi || (ahi == bhi \&\& alo >= blo);/return alo >= blo;/
s/\*score >>= 1;/*score >>= 2;/
# the estimate of what promotion saved
s/u64 per_hit = slow_x100 > hit_x100 ? slow_x100 - hit_x100 : 0;/u64 per_hit = slow_x100 - hit_x100;/
s/+ div64_u64((hits % 100) \* per_hit, 100);/;/
s/if (now_ms - w->at_ms < RP_SAVED_MIN_WINDOW_MS)/if (0)/
s/w->epoch != epoch || saved < w->saved ||/saved < w->saved ||/
s/return khz ? div64_u64(rate \* 1000, khz) : 0;/return khz ? div64_u64(rate, khz) : 0;/
