/*
 * fuzz_decode.c - fuzz target for the frame decoder (injector/decode.c) and, on whatever it
 * produced, the formatter (injector/fmt.c): a captured frame can hold anything, and both run on
 * every captured frame.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../injector/decode.h"
#include "../../injector/fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Static: the segment is several kilobytes, and a fuzz run calls this millions of times. */
	static struct tc_seg seg;
	char err[256], line[1024];

	int rc = tc_decode_frame(data, size, &seg, err, sizeof(err));
	/* The formatter must cope with any decoded segment, and also with a half-filled one left
	 * by a malformed frame, so it runs in every case. */
	tc_seg_fmt(&seg, 1, seg.seq - 1, seg.ack - 1, line, sizeof(line));
	tc_seg_fmt_short(&seg, 0, 0, 0, line, sizeof(line));
	if (rc == TC_DEC_TCP) {
		/* Re-decoding the option area from the segment is idempotent. */
		struct tc_opt again[TC_MAX_OPTS];
		int n = tc_opts_decode(seg.opt_bytes, seg.opt_len, again, TC_MAX_OPTS);
		if (n != seg.nopts)
			__builtin_trap();
		/* And encoding the decoded list reproduces the option bytes up to the first EOL. */
		uint8_t out[TC_MAX_OPT_BYTES];
		int k = tc_opts_encode(seg.opts, seg.nopts, out, sizeof(out));
		if (k < 0 || (size_t)k > seg.opt_len || memcmp(out, seg.opt_bytes, (size_t)k) != 0)
			__builtin_trap();
	}
	/* The raw option parser on the raw input, for lengths it would never see from a frame. */
	struct tc_opt opts[TC_MAX_OPTS];
	int n = tc_opts_decode(data, size, opts, TC_MAX_OPTS);
	tc_opts_fmt(opts, n, line, sizeof(line));
	return 0;
}
