/*
 * bench.c - throughput of the hot paths that need no network: decoding captured frames,
 * formatting them tcpdump-style, checking a segment against an expectation, and loading case
 * files. Prints figures; asserts nothing (speed is measured, never asserted in tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../injector/decode.h"
#include "../../injector/fmt.h"
#include "../../runner/case.h"
#include "../../runner/check.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads a golden frame (hex text, '#' lines are comments) into buf. */
static size_t load_hex(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		for (char *p = line; n < cap;) {
			unsigned v;
			int used;
			if (sscanf(p, " %2x%n", &v, &used) != 1)
				break;
			buf[n++] = (uint8_t)v;
			p += used;
		}
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	const char *frame_path = argc > 1 ? argv[1] : "tests/golden/craft_v4_syn_opts.hex";
	const char *case_path = argc > 2 ? argv[2] : "suites/handshake/passive-open.yaml";
	static uint8_t frame[2048];
	static struct tc_seg seg;
	char err[256], buf[512];
	size_t len = load_hex(frame_path, frame, sizeof(frame));
	if (len == 0) {
		fprintf(stderr, "bench: cannot read %s\n", frame_path);
		return 1;
	}
	const int n = 1000000;
	double t = now_s();
	for (int i = 0; i < n; i++)
		tc_decode_frame(frame, len, &seg, err, sizeof(err));
	double d = now_s() - t;
	printf("decode  %8.0f frames/s  (%.0f ns/frame, %zu-byte frame)\n", n / d, d / n * 1e9, len);

	t = now_s();
	for (int i = 0; i < n / 4; i++)
		tc_seg_fmt(&seg, 1, 0, 0, buf, sizeof(buf));
	d = now_s() - t;
	printf("format  %8.0f lines/s   (%.0f ns/line)\n", n / 4 / d, d / (n / 4) * 1e9);

	struct tc_case c;
	if (tc_case_load(case_path, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	int k;
	for (k = 0; k < c.nsteps && c.steps[k].kind != TC_STEP_EXPECT; k++)
		;
	if (k < c.nsteps) {
		struct tc_seqctx cx = {0};
		struct tc_result r;
		memset(&r, 0, sizeof(r));
		t = now_s();
		for (int i = 0; i < n / 4; i++) {
			r.nfailures = 0;
			tc_check_seg(&c.steps[k].seg, &seg, &cx, 1, 1, &r, err, sizeof(err));
		}
		d = now_s() - t;
		printf("check   %8.0f segs/s    (%.0f ns/segment)\n", n / 4 / d, d / (n / 4) * 1e9);
		tc_result_free(&r);
	}
	tc_case_free(&c);

	t = now_s();
	for (int i = 0; i < 20000; i++) {
		tc_case_load(case_path, &c, err, sizeof(err));
		tc_case_free(&c);
	}
	d = now_s() - t;
	printf("load    %8.0f cases/s   (%.1f us/case, %s)\n", 20000 / d, d / 20000 * 1e6, case_path);
	return 0;
}
