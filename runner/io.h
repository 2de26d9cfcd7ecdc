/*
 * io.h - the table of raw I/O a case run goes through (design.md: "Raw I/O behind a table of
 * function pointers so tests can run the runner on an in-memory backend").
 *
 * The Linux target (targets/linux.h) implements it with libnet, libpcap and an agent process in a
 * network namespace; tests/unit/test_exec.c implements it in memory to test the executor's
 * logic (matching, unexpected segments, app-call deadlines) without a network.
 */
#ifndef TC_IO_H
#define TC_IO_H

#include <stddef.h>
#include <stdint.h>

#include "../common/seg.h"

#define TC_EV_SEG 1        /* a segment the target sent toward the injector */
#define TC_EV_AGENT 2      /* one line from the agent */
#define TC_EV_AGENT_EOF 3  /* the agent's output closed: it exited or crashed */

struct tc_ev {
	int kind;
	struct tc_seg seg;   /* TC_EV_SEG; seg.ts_us is the capture time */
	const char *line;    /* TC_EV_AGENT: owned by the backend, valid until the next wait */
};

struct tc_io {
	void *ctx;
	/* Injects seg (addresses and ports already filled). Sets seg's send time in *ts_us. */
	int (*send)(void *ctx, const struct tc_seg *seg, int64_t *ts_us, char *err, size_t cap);
	/* Waits until an event or until deadline_us (tc_io.now time). Returns 1 with *ev filled,
	 * 0 at the deadline, -1 on a backend failure with a message in err. */
	int (*wait)(void *ctx, int64_t deadline_us, struct tc_ev *ev, char *err, size_t cap);
	/* Sends one request line (without "\n") to the agent. */
	int (*agent_send)(void *ctx, const char *line, char *err, size_t cap);
	/* The clock: microseconds of CLOCK_REALTIME, the clock pcap stamps frames with. */
	int64_t (*now)(void *ctx);
};

#endif
