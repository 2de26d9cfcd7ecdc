/*
 * report.c - helpers shared by the report writers (see report.h).
 */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/names.h"

const char *tc_report_verdict(const struct tc_report *rep, int i)
{
	const struct tc_result *r = &rep->rs[i];
	int mark = rep->marks ? rep->marks[i] : TC_BL_NONE;
	if (mark == TC_BL_KNOWN && r->verdict == TC_V_FAIL)
		return "known";
	if (mark == TC_BL_FIXED && r->verdict == TC_V_PASS)
		return "fixed";
	return tc_verdict_name(r->verdict);
}

int tc_report_strict(struct tc_result *rs, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (rs[i].verdict == TC_V_WARN) {
			rs[i].verdict = TC_V_FAIL;
			k++;
		}
	return k;
}

void tc_failure_who(const struct tc_failure *f, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s, %s%s%s", f->judge[0] ? f->judge : "case", tc_level_name(f->level),
		 f->req[0] ? " " : "", f->req);
}

void tc_failure_line(const char *file, const struct tc_failure *f, char *buf, size_t cap)
{
	char who[96], where[600];
	tc_failure_who(f, who, sizeof(who));
	if (f->step > 0) {
		if (file && file[0])
			snprintf(where, sizeof(where), "%s:%d: ", file, f->line);
		else
			where[0] = '\0';
		snprintf(buf, cap, "%sstep %d (%s): %s: expected %s, got %s", where, f->step, who,
			 f->field, f->expected, f->actual);
	} else {
		snprintf(where, sizeof(where), "%s%s", file ? file : "", file && file[0] ? ": " : "");
		snprintf(buf, cap, "%safter the last step (%s): %s", where, who, f->message);
	}
}

void tc_result_area(const struct tc_result *r, char *buf, size_t cap)
{
	size_t n = strcspn(r->id, ".");
	if (n == 0) {
		snprintf(buf, cap, "%s", "(none)");
		return;
	}
	snprintf(buf, cap, "%.*s", (int)n, r->id);
}

static int cmp_result(const void *a, const void *b)
{
	const struct tc_result *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : strcmp(x->family, y->family);
}

void tc_report_sort(struct tc_result *rs, int n)
{
	if (rs && n > 1)
		qsort(rs, (size_t)n, sizeof(*rs), cmp_result);
}

int tc_write_atomic(const char *path, void (*fn)(FILE *out, const void *arg), const void *arg,
		    char *err, size_t cap)
{
	char tmp[4096];
	if (strcmp(path, "-") == 0) {
		fn(stdout, arg);
		if (fflush(stdout) != 0) {
			snprintf(err, cap, "cannot write to stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= sizeof(tmp)) {
		snprintf(err, cap, "path too long: %s", path);
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fn(f, arg);
	if (fflush(f) != 0 || ferror(f)) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct writer_call {
	tc_report_writer w;
	const struct tc_report *rep;
};

static void call_writer(FILE *out, const void *arg)
{
	const struct writer_call *c = arg;
	c->w(out, c->rep);
}

int tc_report_write_file(const char *path, tc_report_writer writer, const struct tc_report *rep,
			 char *err, size_t cap)
{
	struct writer_call c = {writer, rep};
	return tc_write_atomic(path, call_writer, &c, err, cap);
}

/*
 * Makes p absolute (against the current directory) and lexically normal: no "." or ".."
 * components and no repeated slashes. Symbolic links are not resolved, on purpose: the files
 * need not exist yet, and a report is read through the same paths it was written to.
 */
static int normalise(const char *p, char *out, size_t cap)
{
	char buf[8192];
	if (p[0] == '/') {
		if (strlen(p) >= sizeof(buf))
			return -1;
		snprintf(buf, sizeof(buf), "%s", p);
	} else {
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd)))
			return -1;
		if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", cwd, p) >= sizeof(buf))
			return -1;
	}
	size_t o = 0;
	out[0] = '\0';
	for (char *s = buf; *s;) {
		while (*s == '/')
			s++;
		size_t l = strcspn(s, "/");
		if (l == 0)
			break;
		if (l == 1 && s[0] == '.') {
			/* nothing */
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			out[o] = '\0';
		} else {
			if (o + 1 + l + 1 > cap)
				return -1;
			out[o++] = '/';
			memcpy(out + o, s, l);
			o += l;
			out[o] = '\0';
		}
		s += l;
	}
	if (o == 0) {
		if (cap < 2)
			return -1;
		snprintf(out, cap, "/");
	}
	return 0;
}

int tc_relpath(const char *from_file, const char *target, char *out, size_t cap)
{
	char a[4096], b[4096];
	if (normalise(from_file, a, sizeof(a)) < 0 || normalise(target, b, sizeof(b)) < 0)
		return -1;
	/* The link is resolved from the folder holding the report. */
	char *slash = strrchr(a, '/');
	if (slash)
		*slash = '\0';
	/* Longest common prefix that ends at a component boundary. */
	size_t common = 0, i = 0;
	for (;; i++) {
		char ca = a[i], cb = b[i];
		if ((ca == '/' || ca == '\0') && (cb == '/' || cb == '\0'))
			common = i;
		if (ca != cb || ca == '\0')
			break;
	}
	size_t o = 0;
	out[0] = '\0';
	/* One ".." for every component of the report's folder beyond the common prefix. */
	for (const char *s = a + common; *s; s++) {
		if (*s == '/') {
			if (o + 3 >= cap)
				return -1;
			memcpy(out + o, "../", 3);
			o += 3;
			out[o] = '\0';
		}
	}
	const char *rest = b + common;
	if (*rest == '/')
		rest++;
	if (o + strlen(rest) + 2 > cap)
		return -1;
	if (*rest)
		snprintf(out + o, cap - o, "%s", rest);
	else if (o == 0)
		snprintf(out, cap, ".");
	else
		out[o - 1] = '\0'; /* drop the trailing slash of "../" */
	return 0;
}

void tc_report_now(char *buf, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int tc_utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	int n;
	uint32_t cp;
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	/* The continuation bytes are checked one by one, so a NUL ends the check in time. */
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void tc_xml_text(FILE *out, const char *s, int attr)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
		switch (*p) {
		case '&': fputs("&amp;", out); p++; continue;
		case '<': fputs("&lt;", out); p++; continue;
		case '>': fputs("&gt;", out); p++; continue;
		case '"': fputs("&quot;", out); p++; continue;
		case '\'': fputs("&#39;", out); p++; continue;
		case '\n':
		case '\t':
		case '\r':
			/* In attributes, whitespace would be normalised to spaces by the parser. */
			if (attr)
				fprintf(out, "&#%d;", *p);
			else
				fputc(*p, out);
			p++;
			continue;
		default: break;
		}
		int n = *p < 0x20 || *p == 0x7F ? 0 : tc_utf8_len(p);
		/* U+FFFE and U+FFFF are not XML characters either. */
		if (n == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
			n = 0;
		if (n == 0) {
			fprintf(out, "\\x%02x", *p);
			p++;
		} else {
			fwrite(p, 1, (size_t)n, out);
			p += n;
		}
	}
}
