/*
 * capture.h - libpcap capture on the injector's interface, with a BPF filter per case, and the
 * optional pcap file of the case.
 */
#ifndef TC_CAPTURE_H
#define TC_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct tc_capture;

/*
 * tc_capture_open - open ifname (in the caller's current network namespace) in immediate mode,
 * both directions, and apply the BPF program text bpf (e.g. "tcp and host 192.0.2.1"). If
 * pcap_path is not NULL, every captured frame (ours and the target's) is also written there.
 * Returns a handle, or NULL with a message in err (quoting the filter if it did not compile).
 */
struct tc_capture *tc_capture_open(const char *ifname, const char *bpf, const char *pcap_path,
				   char *err, size_t cap);

/* A file descriptor that becomes readable when frames are pending (for poll()). */
int tc_capture_fd(struct tc_capture *c);

/*
 * tc_capture_next - fetch one pending frame without blocking. Returns 1 with *frame (valid until
 * the next call), *len and *ts_us (capture time, microseconds of CLOCK_REALTIME) set; 0 if none
 * is pending; -1 on error with a message in err.
 */
int tc_capture_next(struct tc_capture *c, const uint8_t **frame, size_t *len, int64_t *ts_us,
		    char *err, size_t cap);

/* Flushes the pcap file, if any, and closes everything. NULL is allowed. */
void tc_capture_close(struct tc_capture *c);

#endif
