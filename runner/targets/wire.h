/*
 * targets/wire.h - the struct tc_io the tap and remote targets share: injection and capture on
 * one interface, ARP/ND answers for the injector's addresses (injector/neigh.h), and the agent
 * protocol on a byte stream (a pipe to a harness, or a TCP control connection).
 */
#ifndef TC_TARGET_WIRE_H
#define TC_TARGET_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "../../injector/capture.h"
#include "../../injector/craft.h"
#include "../../injector/neigh.h"
#include "../io.h"

struct tc_wire {
	struct tc_injector *inj;
	struct tc_capture *cap;
	struct tc_neigh_self self;   /* whose ARP/ND questions we answer, and for whom */
	int family;
	uint8_t target_addr[16];
	size_t alen;
	int ctl_wr, ctl_rd;          /* requests go to ctl_wr, replies come from ctl_rd */
	char *lbuf;                  /* agent output not yet returned as lines */
	size_t llen, lstart;
	int eof;
	int neigh_answers;           /* how many ARP/ND answers were sent (for tests and -v) */
};

/* Prepares w (no descriptors yet: ctl_wr/ctl_rd = -1). 0, or -1 out of memory. */
int tc_wire_init(struct tc_wire *w, int family);
/* Closes capture, injector and the control descriptors; frees the buffer. */
void tc_wire_close(struct tc_wire *w);

/* Fills io with the wire's functions, ctx = w. */
void tc_wire_io(struct tc_wire *w, struct tc_io *io);

/*
 * tc_wire_hello - waits up to timeout_ms for the agent's greeting, "HELLO NAME 1 ..."; copies it
 * into greet. Returns 0, or -1 with a message (no greeting, the agent exited, or another
 * protocol version).
 */
int tc_wire_hello(struct tc_wire *w, int timeout_ms, char *greet, size_t gcap, char *err,
		  size_t cap);

/* One request and its one reply (for set-up requests like SYSCTL before the case runs): sends
 * line, waits up to timeout_ms for the reply with tag `tag`, copies it into out. Frames seen
 * meanwhile get their ARP/ND answers but are otherwise dropped. 0, or -1 with a message. */
int tc_wire_request(struct tc_wire *w, const char *line, const char *tag, int timeout_ms,
		    char *out, size_t ocap, char *err, size_t cap);

/* Microseconds of CLOCK_REALTIME (the clock pcap stamps frames with). */
int64_t tc_wire_now(void *ctx);

/* Writes value to the file path (a /proc or /sys knob) in the caller's namespace. 0, or -1 with
 * "PATH: reason" in err and errno kept from the failing call (ENOENT: no such knob). */
int tc_write_proc(const char *path, const char *value, char *err, size_t cap);

/* Kills (SIGKILL) every process, other than the caller, whose network namespace is
 * /run/netns/NAME, so that deleting the namespace really frees it. */
void tc_kill_netns_procs(const char *name);

#endif
