/*
 * targets/wire.c - injection, capture, ARP/ND answers and the agent stream for the tap and
 * remote targets (see targets/wire.h).
 */
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../injector/decode.h"

#define LINE_MAX_BYTES (256 * 1024)

int64_t tc_wire_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int tc_wire_init(struct tc_wire *w, int family)
{
	memset(w, 0, sizeof(*w));
	w->ctl_wr = w->ctl_rd = -1;
	w->family = family;
	w->alen = family == 4 ? 4 : 16;
	w->lbuf = malloc(LINE_MAX_BYTES);
	return w->lbuf ? 0 : -1;
}

void tc_wire_close(struct tc_wire *w)
{
	tc_capture_close(w->cap);
	w->cap = NULL;
	if (w->inj)
		tc_injector_close(w->inj);
	w->inj = NULL;
	if (w->ctl_wr >= 0)
		close(w->ctl_wr);
	if (w->ctl_rd >= 0 && w->ctl_rd != w->ctl_wr)
		close(w->ctl_rd);
	w->ctl_wr = w->ctl_rd = -1;
	free(w->lbuf);
	w->lbuf = NULL;
}

static char *take_line(struct tc_wire *w)
{
	char *start = w->lbuf + w->lstart;
	char *nl = memchr(start, '\n', w->llen - w->lstart);
	if (!nl)
		return NULL;
	*nl = '\0';
	if (nl > start && nl[-1] == '\r')
		nl[-1] = '\0';
	w->lstart = (size_t)(nl - w->lbuf) + 1;
	return start;
}

static void fill(struct tc_wire *w)
{
	if (w->lstart > 0) {
		memmove(w->lbuf, w->lbuf + w->lstart, w->llen - w->lstart);
		w->llen -= w->lstart;
		w->lstart = 0;
	}
	if (w->llen >= LINE_MAX_BYTES - 1) {
		w->eof = 1; /* a line this long is a broken agent */
		return;
	}
	ssize_t r = read(w->ctl_rd, w->lbuf + w->llen, LINE_MAX_BYTES - 1 - w->llen);
	if (r > 0)
		w->llen += (size_t)r;
	else if (r == 0 || (errno != EAGAIN && errno != EINTR))
		w->eof = 1;
}

static int agent_send(void *ctx, const char *line, char *err, size_t cap)
{
	struct tc_wire *w = ctx;
	size_t len = strlen(line);
	char *buf = malloc(len + 1);
	if (!buf) {
		snprintf(err, cap, "out of memory");
		return -1;
	}
	memcpy(buf, line, len);
	buf[len] = '\n';
	size_t off = 0;
	/* An agent that stops reading (stopped, or a remote host gone silent) must not hold the
	 * run: after 5 s without progress the request fails, and the case with it. */
	int64_t stuck_since = 0;
	while (off < len + 1) {
		ssize_t n = write(w->ctl_wr, buf + off, len + 1 - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				int64_t now = tc_wire_now(NULL);
				if (!stuck_since)
					stuck_since = now;
				if (now - stuck_since > 5000000) {
					snprintf(err, cap, "the agent has not read its input for 5s");
					free(buf);
					return -1;
				}
				struct pollfd p = {.fd = w->ctl_wr, .events = POLLOUT};
				poll(&p, 1, 100);
				continue;
			}
			snprintf(err, cap, "write to the agent: %s", strerror(errno));
			free(buf);
			return -1;
		}
		off += (size_t)n;
		stuck_since = 0;
	}
	free(buf);
	return 0;
}

static int io_send(void *ctx, const struct tc_seg *seg, int64_t *ts_us, char *err, size_t cap)
{
	struct tc_wire *w = ctx;
	uint8_t frame[2048];
	int n = tc_craft(w->inj, seg, frame, sizeof(frame), err, cap);
	if (n < 0)
		return -1;
	/* Stamped before the write: the answer may be captured before the write returns. */
	*ts_us = tc_wire_now(NULL);
	return tc_inject(w->inj, frame, (size_t)n, err, cap);
}

/* Answers an ARP request or neighbour solicitation for our address; other frames are not
 * ours to answer. */
static void neigh(struct tc_wire *w, const uint8_t *frame, size_t len)
{
	uint8_t out[TC_NEIGH_FRAME_MAX];
	int n = tc_neigh_answer(&w->self, frame, len, out, sizeof(out));
	if (n > 0) {
		char e[128];
		if (tc_inject(w->inj, out, (size_t)n, e, sizeof(e)) == 0)
			w->neigh_answers++;
	}
}

/* Takes pending frames: TCP from the target into *ev (returns 1), the rest answered. */
static int drain(struct tc_wire *w, struct tc_ev *ev, char *err, size_t cap)
{
	const uint8_t *frame;
	size_t flen;
	int64_t ts;
	int r;
	while ((r = tc_capture_next(w->cap, &frame, &flen, &ts, err, cap)) == 1) {
		char derr[128];
		struct tc_seg s;
		int d = tc_decode_frame(frame, flen, &s, derr, sizeof(derr));
		if (d != TC_DEC_TCP) {
			if (d == TC_DEC_OTHER)
				neigh(w, frame, flen);
			continue;
		}
		if (!ev || s.family != w->family || memcmp(s.src, w->target_addr, w->alen) != 0)
			continue;
		ev->seg = s;
		ev->seg.ts_us = ts;
		ev->kind = TC_EV_SEG;
		return 1;
	}
	return r < 0 ? -1 : 0;
}

static int io_wait(void *ctx, int64_t deadline, struct tc_ev *ev, char *err, size_t cap)
{
	struct tc_wire *w = ctx;
	for (;;) {
		char *line = take_line(w);
		if (line) {
			ev->kind = TC_EV_AGENT;
			ev->line = line;
			return 1;
		}
		if (w->eof) {
			ev->kind = TC_EV_AGENT_EOF;
			return 1;
		}
		int r = drain(w, ev, err, cap);
		if (r != 0)
			return r;
		int64_t now = tc_wire_now(NULL);
		if (now >= deadline)
			return 0;
		/* Short slices: libpcap may hold frames its descriptor did not signal. */
		int64_t left = deadline - now;
		int ms = left > 20000 ? 20 : (int)((left + 999) / 1000);
		struct pollfd p[2] = {{.fd = tc_capture_fd(w->cap), .events = POLLIN},
				      {.fd = w->ctl_rd, .events = POLLIN}};
		if (poll(p, 2, ms) < 0 && errno != EINTR) {
			snprintf(err, cap, "poll: %s", strerror(errno));
			return -1;
		}
		if (p[1].revents)
			fill(w);
	}
}

void tc_wire_io(struct tc_wire *w, struct tc_io *io)
{
	io->ctx = w;
	io->send = io_send;
	io->wait = io_wait;
	io->agent_send = agent_send;
	io->now = tc_wire_now;
}

/* Waits for the next agent line until deadline (tc_wire_now time), answering ARP/ND
 * meanwhile. Returns the line, or NULL at the deadline or end of stream. */
static char *next_line(struct tc_wire *w, int64_t deadline)
{
	for (;;) {
		char *line = take_line(w);
		if (line)
			return line;
		if (w->eof || tc_wire_now(NULL) >= deadline)
			return NULL;
		char e[128];
		if (w->cap)
			drain(w, NULL, e, sizeof(e));
		struct pollfd p[2] = {{.fd = w->ctl_rd, .events = POLLIN},
				      {.fd = w->cap ? tc_capture_fd(w->cap) : -1, .events = POLLIN}};
		poll(p, 2, 20);
		if (p[0].revents)
			fill(w);
	}
}

int tc_wire_hello(struct tc_wire *w, int timeout_ms, char *greet, size_t gcap, char *err,
		  size_t cap)
{
	char *line = next_line(w, tc_wire_now(NULL) + (int64_t)timeout_ms * 1000);
	if (!line) {
		snprintf(err, cap, "the agent did not greet within %.3gs%s", timeout_ms / 1000.0,
			 w->eof ? ": it exited or closed the connection" : "");
		return -1;
	}
	snprintf(greet, gcap, "%s", line);
	/* "HELLO NAME VERSION ...": any implementation name, protocol version 1. */
	char name[64];
	int ver = 0, n = 0;
	if (sscanf(line, "HELLO %63s %d%n", name, &ver, &n) != 2 || (line[n] && line[n] != ' ')) {
		snprintf(err, cap, "unexpected agent greeting '%.100s'", line);
		return -1;
	}
	if (ver != 1) {
		snprintf(err, cap, "the agent speaks protocol version %d, this runner version 1", ver);
		return -1;
	}
	return 0;
}

int tc_wire_request(struct tc_wire *w, const char *line, const char *tag, int timeout_ms,
		    char *out, size_t ocap, char *err, size_t cap)
{
	if (agent_send(w, line, err, cap) < 0)
		return -1;
	int64_t dl = tc_wire_now(NULL) + (int64_t)timeout_ms * 1000;
	size_t tl = strlen(tag);
	for (;;) {
		char *l = next_line(w, dl);
		if (!l) {
			snprintf(err, cap, "the agent did not answer '%.60s'%s", line,
				 w->eof ? ": it exited or closed the connection" : " in time");
			return -1;
		}
		if (strncmp(l, tag, tl) == 0 && l[tl] == ' ') {
			snprintf(out, ocap, "%s", l + tl + 1);
			return 0;
		}
	}
}

int tc_write_proc(const char *path, const char *value, char *err, size_t cap)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, cap, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int e = errno;
	close(fd);
	if (n != (ssize_t)len) {
		snprintf(err, cap, "%s: %s", path, n < 0 ? strerror(e) : "short write");
		errno = n < 0 ? e : EIO;
		return -1;
	}
	return 0;
}

void tc_kill_netns_procs(const char *name)
{
	/* A process is in the namespace when its /proc/PID/ns/net is the same inode as the
	 * namespace's bind mount (what `ip netns pids` compares, without parsing its output). */
	char path[128];
	struct stat nst;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (stat(path, &nst) < 0)
		return;
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		char p[64];
		struct stat st;
		snprintf(p, sizeof(p), "/proc/%ld/ns/net", pid);
		if (stat(p, &st) == 0 && st.st_ino == nst.st_ino && st.st_dev == nst.st_dev)
			kill((pid_t)pid, SIGKILL);
	}
	closedir(d);
}
