/*
 * progress.c - live progress line and plain result lines (see progress.h).
 */
#include "progress.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "baseline.h"
#include "report.h"

int tc_term_width(int fd)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

void tc_progress_init(struct tc_progress *p, FILE *out, int live, int verbose, int width, double now)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->live = live;
	p->verbose = verbose;
	p->width = width > 0 ? width : 80;
	p->t0 = now;
}

static void mmss(char *buf, size_t cap, double s)
{
	long t = s > 0 ? (long)(s + 0.5) : 0;
	if (t >= 3600)
		snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

void tc_progress_format(const struct tc_progress *p, double now, char *buf, size_t cap)
{
	char el[32], eta[48];
	double elapsed = now - p->t0;
	mmss(el, sizeof(el), elapsed);
	/* The estimate assumes the remaining cases take as long on average as the finished ones. */
	if (p->total > 0 && p->done > 0 && p->done < p->total) {
		char t[32];
		mmss(t, sizeof(t), elapsed / p->done * (p->total - p->done));
		snprintf(eta, sizeof(eta), ", ETA %s", t);
	} else {
		eta[0] = '\0';
	}
	char line[256];
	int w = p->total > 0 ? snprintf(NULL, 0, "%d", p->total) : 1;
	if (p->total > 0)
		snprintf(line, sizeof(line),
			 "[%*d/%d] %d pass  %d fail  %d error  %d skip  %d warn | %s elapsed%s", w,
			 p->done, p->total, p->k.passed, p->k.failed, p->k.errors, p->k.skipped,
			 p->k.warned, el, eta);
	else
		snprintf(line, sizeof(line), "[%d] %d pass  %d fail  %d error  %d skip  %d warn | %s "
					     "elapsed",
			 p->done, p->k.passed, p->k.failed, p->k.errors, p->k.skipped, p->k.warned, el);
	/* One column is left free: writing the last column makes some terminals wrap. */
	int maxc = p->width > 1 ? p->width - 1 : 1;
	if ((int)strlen(line) > maxc)
		line[maxc] = '\0';
	snprintf(buf, cap, "%s", line);
}

static void draw(struct tc_progress *p, double now)
{
	char line[256];
	tc_progress_format(p, now, line, sizeof(line));
	fprintf(p->out, "\r\033[K%s", line);
	fflush(p->out);
	p->shown = 1;
}

static void erase(struct tc_progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", p->out);
		p->shown = 0;
	}
}

void tc_progress_total(struct tc_progress *p, int total, double now)
{
	p->total = total;
	if (p->live)
		draw(p, now);
}

void tc_progress_result(struct tc_progress *p, const struct tc_result *r, const char *note,
			double now)
{
	tc_counts_add(&p->k, r);
	p->done++;
	int bad = r->verdict == TC_V_FAIL || r->verdict == TC_V_ERROR;
	/* Without a note of the caller's, the baseline (if any) says what the failure is. */
	int mark = p->bl ? tc_baseline_classify(p->bl, r, p->strict) : TC_BL_NONE;
	if (!note && mark == TC_BL_KNOWN)
		note = "known deviation (listed in the baseline)";
	const char *newnote = mark == TC_BL_NEW ? "the baseline lists this case, but not every "
						  "failure: the ones marked [new] fail the run"
						: NULL;
	/* A warning is shown as it happens too: it is what a SHOULD departure looks like. */
	int shown = bad || r->verdict == TC_V_WARN;
	if (p->live) {
		erase(p);
		if (shown || p->verbose) {
			tc_term_result_bl(p->out, r, p->verbose, note && bad ? "KNOWN" : NULL, p->bl,
					  p->strict);
			if (note && bad)
				fprintf(p->out, "      %s\n", note);
			if (newnote)
				fprintf(p->out, "      %s\n", newnote);
		}
		draw(p, now);
		return;
	}
	tc_term_result_bl(p->out, r, p->verbose, note && bad ? "KNOWN" : NULL, p->bl, p->strict);
	if (note && bad)
		fprintf(p->out, "      %s\n", note);
	if (newnote)
		fprintf(p->out, "      %s\n", newnote);
}

void tc_progress_end(struct tc_progress *p)
{
	if (p->live) {
		erase(p);
		fflush(p->out);
	}
}
