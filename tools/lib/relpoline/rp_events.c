// SPDX-License-Identifier: GPL-2.0
/*
 * Follow the relpoline trace events in a private ftrace instance.
 *
 * Field names of the events are not final, so every field is looked up
 * by name from a list of candidates and simply left empty/-1 when none
 * exists. The kernel's own rendering of the event (its print fmt) is
 * kept in ev->info for display.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "relpoline.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC	0x74726163
#endif
#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC	0x64626720
#endif

static const struct {
	const char *name;
	enum rp_event_type type;
} event_names[] = {
	{ "relpoline_promote",	RP_EV_PROMOTE },
	{ "relpoline_demote",	RP_EV_DEMOTE },
	{ "relpoline_retrain",	RP_EV_RETRAIN },
	{ "relpoline_miss",	RP_EV_MISS },
};
#define NR_EVENTS (sizeof(event_names) / sizeof(event_names[0]))

/* copy s (not necessarily NUL terminated, at most n) into a C string */
static void copy_str(char *dst, size_t dlen, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	if (l >= dlen)
		l = dlen - 1;
	memcpy(dst, s, l);
	dst[l] = '\0';
	while (l && (dst[l - 1] == '\n' || dst[l - 1] == ' '))
		dst[--l] = '\0';
}

static struct tep_format_field *find_field(struct tep_event *event,
					   const char * const *names)
{
	for (; *names; names++) {
		struct tep_format_field *f = tep_find_field(event, *names);

		if (f)
			return f;
	}
	return NULL;
}

static bool field_is_string(const struct tep_format_field *f)
{
	if (f->flags & TEP_FIELD_IS_STRING)
		return true;
	/* char foo[N] and __data_loc char[] */
	return (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) &&
	       f->type && strstr(f->type, "char");
}

static bool get_num(struct tep_event *event, struct tep_record *rec,
		    const char * const *names, long long *out)
{
	struct tep_format_field *f = find_field(event, names);
	unsigned long long v;

	if (!f || field_is_string(f) || (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)))
		return false;
	if (tep_read_number_field(f, rec->data, &v))
		return false;
	*out = (long long)v;
	return true;
}

/* kernel address as "sym+0xoff" ("sym" for a function start if !keep0) */
static void fmt_addr(struct tep_handle *tep, unsigned long long v, bool keep0,
		     char *buf, size_t len)
{
	const char *fn = v >= 0xffff000000000000ULL ? tep_find_function(tep, v) : NULL;

	if (fn) {
		unsigned long long off = v - tep_find_function_address(tep, v);

		if (off || keep0)
			snprintf(buf, len, "%s+0x%llx", fn, off);
		else
			snprintf(buf, len, "%s", fn);
	} else if (v >= 0xffff000000000000ULL) {
		snprintf(buf, len, "0x%llx", v);
	} else {
		snprintf(buf, len, "%llu", v);
	}
}

/*
 * Render a field as text: strings as is, numbers that look like kernel
 * addresses as "sym+0xoff" when the tep knows the symbol, arrays of
 * numbers (e.g. unsigned long targets[4]) as a comma separated list of
 * the first 'limit' non-zero elements (all if limit < 0).
 */
static bool get_text(struct tep_handle *tep, struct tep_event *event,
		     struct tep_record *rec, const char * const *names,
		     bool keep0, long long limit, char *buf, size_t len)
{
	struct tep_format_field *f = find_field(event, names);
	struct trace_seq s;
	int flen = 0;

	buf[0] = '\0';
	if (!f)
		return false;
	if (field_is_string(f)) {
		const char *p = tep_get_field_raw(NULL, event, f->name, rec, &flen, 0);

		if (!p)
			return false;
		copy_str(buf, len, p, flen > 0 ? (size_t)flen : strlen(p));
		return true;
	}
	if (!(f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC))) {
		unsigned long long v;

		if (tep_read_number_field(f, rec->data, &v))
			return false;
		fmt_addr(tep, v, keep0, buf, len);
		return true;
	}
	if ((f->flags & TEP_FIELD_IS_ARRAY) && !(f->flags & TEP_FIELD_IS_DYNAMIC) &&
	    (f->elementsize == 4 || f->elementsize == 8) && f->arraylen > 0 &&
	    (unsigned int)(f->offset + f->size) <= (unsigned int)rec->size) {
		size_t n = 0;

		for (unsigned int i = 0; i < (unsigned int)f->arraylen; i++) {
			unsigned long long v = tep_read_number(tep, (char *)rec->data + f->offset +
							       i * f->elementsize, f->elementsize);
			char one[300];

			if (limit >= 0 && i >= limit)
				break;
			if (!v)
				continue;
			fmt_addr(tep, v, false, one, sizeof(one));
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "," : "", one);
		}
		if (n >= len)
			buf[len - 1] = '\0';
		return true;
	}
	/* anything else: let libtraceevent print it */
	trace_seq_init(&s);
	tep_print_field_content(&s, rec->data, rec->size, f);
	trace_seq_terminate(&s);
	copy_str(buf, len, s.buffer, s.len);
	trace_seq_destroy(&s);
	return true;
}

void rp_event_decode(struct tep_handle *tep, struct tep_event *event,
		     struct tep_record *rec, struct rp_event *ev)
{
	static const char * const f_site_id[] = { "site_id", "id", NULL };
	static const char * const f_site[] = { "site", "site_name", "call_site", "ip", "addr", NULL };
	static const char * const f_targets[] = { "targets", "target_list", "target", NULL };
	static const char * const f_target[] = { "target", "target_name", NULL };
	static const char * const f_reason[] = { "reason", NULL };
	static const char * const f_changed[] = { "changed", "sites_changed", "nr_changed", "sites", NULL };
	static const char * const f_batches[] = { "batches", "nr_batches", "patch_batches", NULL };
	static const char * const f_dur[] = { "duration_ns", "duration", "ns", "delta_ns", NULL };
	static const char * const f_dur_us[] = { "duration_us", NULL };
	static const char * const f_ipi[] = { "ipi_rounds", "ipis", NULL };
	static const char * const f_nr[] = { "nr", "nr_targets", NULL };
	static const char * const f_pinned[] = { "pinned", NULL };
	static const char * const f_cg[] = { "cgroup", "cgroup_id", "cgid", "cg", NULL };
	struct trace_seq s;
	long long v;

	memset(ev, 0, sizeof(*ev));
	ev->site_id = -1;
	ev->changed = ev->batches = ev->duration_ns = ev->cgroup = -1;
	ev->ipi_rounds = ev->pinned = -1;
	ev->type = RP_EV_OTHER;
	ev->name = event->name;
	ev->ts = rec->ts;
	ev->cpu = rec->cpu;
	for (size_t i = 0; i < NR_EVENTS; i++)
		if (!strcmp(event->name, event_names[i].name))
			ev->type = event_names[i].type;

	if (get_num(event, rec, f_site_id, &v))
		ev->site_id = v;
	get_text(tep, event, rec, f_site, true, -1, ev->site, sizeof(ev->site));

	switch (ev->type) {
	case RP_EV_PROMOTE: {
		long long nr = -1;

		if (get_num(event, rec, f_nr, &v))
			nr = v;
		get_text(tep, event, rec, f_targets, false, nr, ev->targets, sizeof(ev->targets));
		if (get_num(event, rec, f_pinned, &v))
			ev->pinned = !!v;
		break;
	}
	case RP_EV_MISS:
		get_text(tep, event, rec, f_target, false, -1, ev->targets, sizeof(ev->targets));
		if (get_num(event, rec, f_cg, &v))
			ev->cgroup = v;
		break;
	case RP_EV_DEMOTE:
		get_text(tep, event, rec, f_reason, false, -1, ev->reason, sizeof(ev->reason));
		break;
	case RP_EV_RETRAIN:
		if (get_num(event, rec, f_changed, &v))
			ev->changed = v;
		if (get_num(event, rec, f_batches, &v))
			ev->batches = v;
		if (get_num(event, rec, f_dur, &v))
			ev->duration_ns = v;
		else if (get_num(event, rec, f_dur_us, &v))
			ev->duration_ns = v * 1000;
		if (get_num(event, rec, f_ipi, &v))
			ev->ipi_rounds = v;
		break;
	default:
		break;
	}

	trace_seq_init(&s);
	tep_print_event(tep, &s, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&s);
	if (s.buffer && !strstr(s.buffer, "FAILED TO PARSE") && s.len) {
		copy_str(ev->info, sizeof(ev->info), s.buffer, s.len);
	} else {
		trace_seq_reset(&s);
		tep_print_fields(&s, rec->data, rec->size, event);
		trace_seq_terminate(&s);
		copy_str(ev->info, sizeof(ev->info), s.buffer, s.len);
	}
	trace_seq_destroy(&s);
}

/* ------------------------------------------------------------------ */

struct rp_events {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	rp_event_cb cb;
	void *data;
	int stop;
	char enabled[NR_EVENTS];
	bool kallsyms_loaded;
};

/* name addresses: the kernel's symbols, read by the one kallsyms reader */
static void load_kallsyms(struct rp_events *e)
{
	struct rp_symtab *t = rp_symtab_load("/proc/kallsyms");

	e->kallsyms_loaded = true;
	if (!t)
		return;
	for (size_t i = 0; i < t->nr; i++)
		if (t->v[i].addr)
			tep_register_function(e->tep, (char *)t->v[i].name, t->v[i].addr,
					      (char *)t->v[i].mod);
	rp_symtab_free(t);
}

static int follow_cb(struct tep_event *event, struct tep_record *rec, int cpu,
		     void *data)
{
	struct rp_events *e = data;
	struct rp_event ev;

	(void)cpu;
	if (e->stop || !e->cb)
		return 0;
	/* numeric sites need symbols: load them the first time we see one */
	if (!e->kallsyms_loaded) {
		struct tep_format_field *f = tep_find_field(event, "site");

		if (f && !field_is_string(f))
			load_kallsyms(e);
	}
	rp_event_decode(e->tep, event, rec, &ev);
	if (e->cb(&ev, e->data))
		e->stop = 1;
	return 0;
}

static int nop_cb(struct tep_event *event, struct tep_record *rec, int cpu, void *data)
{
	(void)event; (void)rec; (void)cpu; (void)data;
	return 0;
}

struct rp_events *rp_events_open(struct rp_ctx *ctx, unsigned int mask,
				 char *msg, size_t msglen)
{
	const char *systems[] = { "relpoline", NULL };
	char path[4096], name[64];
	struct rp_events *e;
	struct statfs sfs;
	int nr = 0;

	msg[0] = '\0';
	if (statfs(ctx->tracing_dir, &sfs) ||
	    (sfs.f_type != TRACEFS_MAGIC && sfs.f_type != DEBUGFS_MAGIC)) {
		snprintf(msg, msglen, "%s is not a tracefs mount: events unavailable",
			 ctx->tracing_dir);
		return NULL;
	}
	rp_tpath(ctx, "events/relpoline", path, sizeof(path));
	if (access(path, F_OK)) {
		snprintf(msg, msglen, "%s: no relpoline trace events", path);
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (ctx->fake)
		tracefs_set_tracing_dir(ctx->tracing_dir);
	e->tep = tracefs_local_events_system(ctx->tracing_dir, systems);
	if (!e->tep) {
		snprintf(msg, msglen, "cannot parse the relpoline event formats");
		goto fail;
	}
	rp_events_reap(ctx);
	snprintf(name, sizeof(name), "relpoline_%d", (int)getpid());
	e->inst = tracefs_instance_create(name);
	if (!e->inst) {
		snprintf(msg, msglen, "cannot create trace instance %s: %s", name, strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < NR_EVENTS; i++) {
		if (!(mask & event_names[i].type))
			continue;
		if (!tep_find_event_by_name(e->tep, "relpoline", event_names[i].name))
			continue;
		if (tracefs_event_enable(e->inst, "relpoline", event_names[i].name))
			continue;
		if (tracefs_follow_event(e->tep, e->inst, "relpoline", event_names[i].name,
					 follow_cb, e)) {
			tracefs_event_disable(e->inst, "relpoline", event_names[i].name);
			continue;
		}
		e->enabled[i] = 1;
		nr++;
	}
	if (!nr) {
		snprintf(msg, msglen, "none of the requested relpoline events could be enabled");
		goto fail;
	}
	tracefs_trace_on(e->inst);
	return e;
fail:
	rp_events_close(e);
	return NULL;
}

int rp_events_poll(struct rp_events *e, rp_event_cb cb, void *data)
{
	int r;

	e->cb = cb;
	e->data = data;
	e->stop = 0;
	r = tracefs_iterate_raw_events(e->tep, e->inst, NULL, 0, nop_cb, NULL);
	e->cb = NULL;
	return r;
}

void rp_events_close(struct rp_events *e)
{
	if (!e)
		return;
	if (e->inst) {
		for (size_t i = 0; i < NR_EVENTS; i++)
			if (e->enabled[i])
				tracefs_event_disable(e->inst, "relpoline", event_names[i].name);
		tracefs_instance_destroy(e->inst);
		tracefs_instance_free(e->inst);
	}
	if (e->tep)
		tep_free(e->tep);
	free(e);
}

/* is pid a live relpoline process (not a reused pid)? */
static bool relpoline_alive(long pid)
{
	char path[64], comm[64] = "";
	FILE *f;

	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return errno != ENOENT;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strncmp(comm, "relpoline", 9);
}

int rp_events_reap(struct rp_ctx *ctx)
{
	char path[4096];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	if (rp_tpath(ctx, "instances", path, sizeof(path)) || !(dir = opendir(path)))
		return 0;
	while ((d = readdir(dir))) {
		struct tracefs_instance *inst;
		char *end;
		long pid;

		if (strncmp(d->d_name, "relpoline_", 10))
			continue;
		pid = strtol(d->d_name + 10, &end, 10);
		if (*end || pid <= 0 || pid == getpid() || relpoline_alive(pid))
			continue;
		inst = tracefs_instance_alloc(ctx->tracing_dir, d->d_name);
		if (!inst)
			continue;
		if (!tracefs_instance_destroy(inst))
			n++;
		tracefs_instance_free(inst);
	}
	closedir(dir);
	return n;
}
