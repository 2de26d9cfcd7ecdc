/*
 * kit.c - the harness kit's protocol server (kit.h): requests from stdin, replies on stdout,
 * the stack reached only through its table of callbacks.
 *
 * The semantics are those of tcpconform-agent (runner/agent/agent.c), which is the reference
 * implementation of docs/agent-protocol.md: the same three sockets, the same ordering of
 * pending calls, the same rules for STATE once a connection is gone. Only the mechanism
 * differs: two threads (requests, and the retry loop) under one lock instead of one poll()
 * loop, because a stack's sockets are generally not host file descriptors that poll(2) sees.
 */
#include "kit.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../../common/names.h"

/* As tcpconform-agent: bounds what a runaway runner can make the harness hold. */
#define MAX_PENDING 1024
#define MAX_SYSCTLS 32
#define MAX_KNOWN 16
/* The largest piece of filler handed to write() at once. */
#define CHUNK 65536

/* A call that has been issued and has not completed yet. */
struct op {
	struct op *next;
	char tag[AG_MAX_TAG + 1];
	enum ag_call call;
	int sock;      /* the socket it acts on; ops never outlive their socket (see call_close) */
	int done;      /* completed; unlinked at the next sweep */
	size_t len;    /* write: bytes to write; read: most bytes to read */
	size_t off;    /* write: bytes written so far */
	uint8_t *data; /* write data=, or NULL for filler */
};

static struct {
	const struct kit_stack *st;
	pthread_mutex_t mx;               /* the lock, when the stack brings none */
	pthread_mutex_t wake_mx;          /* the default wait()'s condition */
	pthread_cond_t wake_cv;
	int woken;

	int configured, family;
	struct sockaddr_storage local, peer;
	int listener, conn, pre;          /* -1 when not open */
	struct sockaddr_storage listen_addr;

	struct op *ops;                   /* in issue order */
	int nops;

	struct {
		char key[AG_SYSCTL_KEY_MAX + 1];
		char old[AG_SYSCTL_VALUE_MAX + 1];
	} saved[MAX_SYSCTLS];
	int nsaved;

	/* Connections accepted, connected or seen synchronized: RFC 9293 3.10.7.4 never returns
	 * such a connection to LISTEN, so once the table no longer shows it, it is CLOSED. */
	struct {
		struct sockaddr_storage local, peer;
	} known[MAX_KNOWN];
	int nknown;

	struct ag_request rq;
	char out[AG_MAX_LINE + 64];
} K = {
	.mx = PTHREAD_MUTEX_INITIALIZER,
	.wake_mx = PTHREAD_MUTEX_INITIALIZER,
	.wake_cv = PTHREAD_COND_INITIALIZER,
	.listener = -1, .conn = -1, .pre = -1,
};

static void klock(void)
{
	if (K.st->lock)
		K.st->lock(K.st->ctx);
	else
		pthread_mutex_lock(&K.mx);
}

static void kunlock(void)
{
	if (K.st->unlock)
		K.st->unlock(K.st->ctx);
	else
		pthread_mutex_unlock(&K.mx);
}

void kit_wake(void)
{
	if (K.st && K.st->wake) {
		K.st->wake(K.st->ctx);
		return;
	}
	pthread_mutex_lock(&K.wake_mx);
	K.woken = 1;
	pthread_cond_signal(&K.wake_cv);
	pthread_mutex_unlock(&K.wake_mx);
}

/* ---- Output: whole lines, each formatted by the protocol's codec (runner/agent/proto.h), so
 * the kit's replies and the runner's reading of them cannot disagree. Written under the lock. */

/* A runner that has gone away ends the harness: nobody is left to answer. n is the length
 * ag_fmt_* returned; -1 (the reply did not fit, which within AG_READ_MAX cannot happen) is
 * answered as the kit's own bug. */
static void write_line(int n);

static void emit(const char *tag, int n)
{
	if (n < 0)
		n = ag_fmt_err(K.out, sizeof(K.out) - 1, tag, "INTERNAL", "reply too long");
	if (n < 0)
		return;
	write_line(n);
}

static void write_line(int n)
{
	K.out[n++] = '\n';
	size_t off = 0;
	while (off < (size_t)n) {
		ssize_t w = write(K.st->out_fd > 0 ? K.st->out_fd : 1, K.out + off, (size_t)n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			_exit(0);
		}
		off += (size_t)w;
	}
}

static void reply_ok(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_ok(const char *tag, const char *fmt, ...)
{
	char rest[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	emit(tag, ag_fmt_ok(K.out, sizeof(K.out) - 1, tag, rest));
}

static void reply_err(const char *tag, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reply_err(const char *tag, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(tag, ag_fmt_err(K.out, sizeof(K.out) - 1, tag, code, msg));
}

static void reply_pending(const char *tag, enum ag_call call)
{
	emit(tag, ag_fmt_pending(K.out, sizeof(K.out) - 1, tag, call));
}

static void reply_done(const char *tag, enum ag_call call, long long ret, int err,
		       const uint8_t *data, size_t ndata, const int *value, int nvalue)
{
	emit(tag, ag_fmt_done(K.out, sizeof(K.out) - 1, tag, call, ret, err, data, ndata, value,
			      nvalue));
}

/* ---- Known connections ---- */

static int same_endpoint(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return 0;
	if (x->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)x;
		const struct sockaddr_in *b = (const struct sockaddr_in *)y;
		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)x;
	const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)y;
	return a->sin6_port == b->sin6_port &&
	       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

static int is_known(const struct sockaddr_storage *l, const struct sockaddr_storage *p)
{
	for (int i = 0; i < K.nknown; i++)
		if (same_endpoint(&K.known[i].local, l) && same_endpoint(&K.known[i].peer, p))
			return 1;
	return 0;
}

static void remember(const struct sockaddr_storage *l, const struct sockaddr_storage *p)
{
	if (!l || !p || is_known(l, p))
		return;
	if (K.nknown == MAX_KNOWN) {
		memmove(&K.known[0], &K.known[1], sizeof(K.known[0]) * (MAX_KNOWN - 1));
		K.nknown--;
	}
	K.known[K.nknown].local = *l;
	K.known[K.nknown].peer = *p;
	K.nknown++;
}

void kit_known(const struct sockaddr_storage *local, const struct sockaddr_storage *peer)
{
	remember(local, peer);
}

/* An accepted connection by its own tuple (the CONFIG may name another peer by now). */
static void remember_sock(int s)
{
	struct sockaddr_storage l, p;
	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	if (K.st->names && K.st->names(K.st->ctx, s, &l, &p) == 0)
		remember(&l, &p);
	else
		remember(&K.local, &K.peer);
}

/* ---- Pending calls ---- */

/* Reads (accept, read) and writes (connect, write) on one socket each run one at a time, in
 * issue order; a connect in progress holds back everything after it on its socket. */
static int op_class(enum ag_call c)
{
	return (c == AG_C_ACCEPT || c == AG_C_READ) ? 0 : 1;
}

static int op_active(const struct op *op)
{
	for (const struct op *e = K.ops; e != op; e = e->next)
		if (!e->done && e->sock == op->sock &&
		    (e->call == AG_C_CONNECT || op_class(e->call) == op_class(op->call)))
			return 0;
	return 1;
}

static void op_finish(struct op *op, long long ret, int err, const uint8_t *data, size_t n)
{
	op->done = 1;
	reply_done(op->tag, op->call, ret, err, data, n, NULL, 0);
}

static void fill(uint8_t *b, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)('0' + (off + i) % 10);
}

/* Hands a pending write to the stack piece by piece until it is all taken, the stack takes
 * no more for now, or an error ends it. */
static void write_round(struct op *op)
{
	static uint8_t chunk[CHUNK];
	const struct kit_stack *st = K.st;
	int err = 0;
	while (op->off < op->len || op->len == 0) {
		size_t n = op->len - op->off;
		const uint8_t *p;
		if (op->data) {
			p = op->data + op->off;
		} else {
			if (n > CHUNK)
				n = CHUNK;
			fill(chunk, op->off, n);
			p = chunk;
		}
		long w = st->write(st->ctx, op->sock, p, n, &err);
		if (w == KIT_AGAIN)
			return;
		if (w < 0) {
			if (err == EINTR || err == EAGAIN)
				return;
			/* A partial write followed by an error reports what got queued. */
			op_finish(op, op->off > 0 ? (long long)op->off : -1, err, NULL, 0);
			return;
		}
		op->off += (size_t)w;
		if (op->len == 0 || w == 0)
			break;
	}
	if (op->off >= op->len)
		op_finish(op, (long long)op->off, 0, NULL, 0);
}

/* Advances one pending call as far as the stack allows without blocking. */
static void op_progress(struct op *op)
{
	const struct kit_stack *st = K.st;
	int err = 0;
	switch (op->call) {
	case AG_C_ACCEPT: {
		int s = st->accept(st->ctx, op->sock, &err);
		if (s == KIT_AGAIN || (s < 0 && (err == ECONNABORTED || err == EINTR)))
			return;
		if (s < 0) {
			op_finish(op, -1, err, NULL, 0);
			return;
		}
		K.conn = s;
		remember_sock(s);
		op_finish(op, 0, 0, NULL, 0);
		return;
	}
	case AG_C_CONNECT: {
		int r = st->connected(st->ctx, op->sock, &err);
		if (r == KIT_AGAIN)
			return;
		op_finish(op, r == 0 ? 0 : -1, r == 0 ? 0 : err, NULL, 0);
		return;
	}
	case AG_C_WRITE:
		write_round(op);
		/* What the stack took in this round goes out together (kit.h, flush). */
		if (st->flush)
			st->flush(st->ctx, op->sock);
		return;
	case AG_C_READ: {
		static uint8_t buf[AG_READ_MAX];
		long r = st->read(st->ctx, op->sock, buf, op->len, &err);
		if (r == KIT_AGAIN || (r < 0 && (err == EINTR || err == EAGAIN)))
			return;
		if (r < 0)
			op_finish(op, -1, err, NULL, 0);
		else
			op_finish(op, r, 0, buf, (size_t)r);
		return;
	}
	default:
		return;
	}
}

static void sweep(void)
{
	struct op **pp = &K.ops;
	while (*pp) {
		struct op *op = *pp;
		if (op->done) {
			*pp = op->next;
			free(op->data);
			free(op);
			K.nops--;
		} else {
			pp = &op->next;
		}
	}
}

/* Queues a blocking-style call, runs it at once if nothing is ahead of it on its socket, and
 * answers PENDING if it did not complete. */
static void op_add(const struct ag_request *rq, int sock)
{
	struct op *op = calloc(1, sizeof(*op)), **pp;
	if (!op) {
		reply_err(rq->tag, "INTERNAL", "out of memory");
		return;
	}
	memcpy(op->tag, rq->tag, sizeof(op->tag));
	op->call = rq->call;
	op->sock = sock;
	op->len = rq->len;
	if (rq->call == AG_C_WRITE && rq->has_data) {
		op->data = malloc(rq->len ? rq->len : 1);
		if (!op->data) {
			free(op);
			reply_err(rq->tag, "INTERNAL", "out of memory");
			return;
		}
		memcpy(op->data, rq->data, rq->len);
	}
	for (pp = &K.ops; *pp; pp = &(*pp)->next)
		;
	*pp = op;
	K.nops++;
	if (op_active(op))
		op_progress(op);
	if (!op->done)
		reply_pending(op->tag, op->call);
}

static int has_pending(int sock, enum ag_call call)
{
	for (const struct op *op = K.ops; op; op = op->next)
		if (!op->done && op->sock == sock && op->call == call)
			return 1;
	return 0;
}

/* ---- Calls ---- */

static int target_sock(enum ag_sock s)
{
	switch (s) {
	case AG_S_LISTENER: return K.listener;
	case AG_S_CONN: return K.conn;
	case AG_S_DEFAULT: break;
	}
	if (K.conn >= 0)
		return K.conn;
	if (K.listener >= 0)
		return K.listener;
	return K.pre;
}

/* listen and connect take the pre socket when options were set on it, else a new one, and
 * bind it to the configured local address. */
static int take_socket(int *err)
{
	const struct kit_stack *st = K.st;
	int from_pre = K.pre >= 0;
	int s = from_pre ? K.pre : st->socket(st->ctx, K.family, err);
	if (s < 0)
		return -1;
	if (from_pre)
		K.pre = -1;
	if (st->bind(st->ctx, s, &K.local, err) != 0) {
		int e = *err, dummy;
		st->close(st->ctx, s, &dummy);
		*err = e;
		return -1;
	}
	return s;
}

static void call_listen(const struct ag_request *rq)
{
	int err = 0, s;
	if (K.listener >= 0) {
		reply_err(rq->tag, "BADSTATE", "a listener is already open");
		return;
	}
	s = take_socket(&err);
	if (s < 0) {
		reply_done(rq->tag, rq->call, -1, err, NULL, 0, NULL, 0);
		return;
	}
	if (K.st->listen(K.st->ctx, s, rq->backlog, &err) != 0) {
		int dummy;
		K.st->close(K.st->ctx, s, &dummy);
		reply_done(rq->tag, rq->call, -1, err, NULL, 0, NULL, 0);
		return;
	}
	K.listener = s;
	K.listen_addr = K.local;
	reply_done(rq->tag, rq->call, 0, 0, NULL, 0, NULL, 0);
}

static void call_connect(const struct ag_request *rq)
{
	int err = 0, s, r;
	if (K.conn >= 0) {
		reply_err(rq->tag, "BADSTATE", "a connection is already open (close it first)");
		return;
	}
	if (K.listener >= 0 && has_pending(K.listener, AG_C_ACCEPT)) {
		reply_err(rq->tag, "BADSTATE", "an accept is pending");
		return;
	}
	s = take_socket(&err);
	if (s < 0) {
		reply_done(rq->tag, rq->call, -1, err, NULL, 0, NULL, 0);
		return;
	}
	/* The socket is the conn whatever connect says: it stays the application's socket. An
	 * active open never returns to LISTEN (RFC 9293 3.10.7.3). */
	K.conn = s;
	remember(&K.local, &K.peer);
	r = K.st->connect(K.st->ctx, s, &K.peer, &err);
	if (r == KIT_AGAIN) {
		op_add(rq, s);
		return;
	}
	reply_done(rq->tag, rq->call, r == 0 ? 0 : -1, r == 0 ? 0 : err, NULL, 0, NULL, 0);
}

static void call_accept(const struct ag_request *rq)
{
	if (K.listener < 0) {
		reply_done(rq->tag, rq->call, -1, EBADF, NULL, 0, NULL, 0);
		return;
	}
	if (K.conn >= 0) {
		reply_err(rq->tag, "BADSTATE", "a connection is already open (close it first)");
		return;
	}
	if (has_pending(K.listener, AG_C_ACCEPT)) {
		reply_err(rq->tag, "BADSTATE", "an accept is already pending");
		return;
	}
	op_add(rq, K.listener);
}

/* close of a socket first completes its pending calls with EBADF, as in an application whose
 * descriptor was closed under a blocked call. */
static void call_close(const struct ag_request *rq, int s)
{
	int err = 0;
	for (struct op *op = K.ops; op; op = op->next)
		if (!op->done && op->sock == s)
			op_finish(op, -1, EBADF, NULL, 0);
	if (s == K.conn)
		K.conn = -1;
	if (s == K.listener)
		K.listener = -1;
	if (s == K.pre)
		K.pre = -1;
	int r = K.st->close(K.st->ctx, s, &err);
	reply_done(rq->tag, rq->call, r == 0 ? 0 : -1, r == 0 ? 0 : err, NULL, 0, NULL, 0);
}

static void call_sockopt(const struct ag_request *rq, int s)
{
	const struct kit_stack *st = K.st;
	int err = 0, made = 0, value[2] = {rq->value[0], rq->value[1]};
	int set = rq->call == AG_C_SETSOCKOPT;
	char why[256] = "";
	if (s < 0 && rq->sock == AG_S_DEFAULT) {
		/* Options set before listen/connect go on a socket made now, which listen or
		 * connect then take: the only way to set e.g. SO_RCVBUF before the SYN. */
		s = st->socket(st->ctx, K.family, &err);
		if (s < 0) {
			reply_done(rq->tag, rq->call, -1, err, NULL, 0, NULL, 0);
			return;
		}
		K.pre = s;
		made = 1;
	}
	if (s < 0) {
		reply_done(rq->tag, rq->call, -1, EBADF, NULL, 0, NULL, 0);
		return;
	}
	int r = st->sockopt(st->ctx, s, set, rq->opt, value, &err, why, sizeof(why));
	if (r == KIT_UNSUPPORTED) {
		if (made) {
			int dummy;
			st->close(st->ctx, s, &dummy);
			K.pre = -1;
		}
		reply_err(rq->tag, "UNSUPPORTED", "%s", why[0] ? why : ag_opt_name(rq->opt));
		return;
	}
	if (r != 0)
		reply_done(rq->tag, rq->call, -1, err, NULL, 0, NULL, 0);
	else
		reply_done(rq->tag, rq->call, 0, 0, NULL, 0, value,
			   set ? 0 : ag_opt_arity(rq->opt));
}

static void do_call(const struct ag_request *rq)
{
	int s = target_sock(rq->sock), err = 0;
	switch (rq->call) {
	case AG_C_LISTEN: call_listen(rq); return;
	case AG_C_CONNECT: call_connect(rq); return;
	case AG_C_ACCEPT: call_accept(rq); return;
	case AG_C_SETSOCKOPT:
	case AG_C_GETSOCKOPT: call_sockopt(rq, s); return;
	default: break;
	}
	if (s < 0) {
		reply_done(rq->tag, rq->call, -1, EBADF, NULL, 0, NULL, 0);
		return;
	}
	switch (rq->call) {
	case AG_C_WRITE:
	case AG_C_READ:
		op_add(rq, s);
		return;
	case AG_C_SHUTDOWN: {
		int r = K.st->shutdown(K.st->ctx, s, rq->how, &err);
		reply_done(rq->tag, rq->call, r == 0 ? 0 : -1, r == 0 ? 0 : err, NULL, 0, NULL, 0);
		return;
	}
	case AG_C_CLOSE:
		call_close(rq, s);
		return;
	default:
		return;
	}
}

/* ---- STATE, SYSCTL ---- */

static int synchronized(int st)
{
	return st != TC_ST_CLOSED && st != TC_ST_LISTEN && st != TC_ST_SYN_SENT &&
	       st != TC_ST_SYN_RECEIVED;
}

static void do_state(const struct ag_request *rq)
{
	char err[256] = "", extra[256] = "";
	struct kit_found found = {.accept_queue = -1, .queue_visible = 0};
	if (rq->sock == AG_S_LISTENER) {
		/* The listener's own state: LISTEN while the listener made by listen is open. */
		reply_ok(rq->tag, "state=%s", K.listener >= 0 ? "LISTEN" : "CLOSED");
		return;
	}
	int st = K.st->state(K.st->ctx, &K.local, &K.peer, K.listener, &found, extra,
			     sizeof(extra), err, sizeof(err));
	if (st == -1) {
		reply_err(rq->tag, "INTERNAL", "%s", err[0] ? err : "the stack's table cannot be read");
		return;
	}
	if (st >= 0 && synchronized(st))
		remember(&K.local, &K.peer);
	/* No connection with the tuple: CLOSED unless RFC 9293 3.10.7.4 puts it back in LISTEN
	 * (a passive open reset in SYN-RECEIVED). It is CLOSED if it was accepted, connected or
	 * seen synchronized, or if the listener's accept queue holds more connections than the
	 * table shows (one reset after the handshake, before accept); else LISTEN if the
	 * listener is open on the configured address and port. */
	if (st == KIT_STATE_NONE) {
		int listening = K.listener >= 0 && same_endpoint(&K.listen_addr, &K.local);
		int gone_from_queue = found.accept_queue > found.queue_visible;
		st = (is_known(&K.local, &K.peer) || gone_from_queue || !listening) ? TC_ST_CLOSED
										      : TC_ST_LISTEN;
	}
	if (st < 0 || st >= TC_ST_COUNT) {
		reply_err(rq->tag, "INTERNAL", "the stack reported state %d", st);
		return;
	}
	reply_ok(rq->tag, "state=%s%s", tc_state_name(st), extra);
}

static void do_sysctl(const struct ag_request *rq)
{
	const struct kit_stack *st = K.st;
	char err[512] = "", old[AG_SYSCTL_VALUE_MAX + 1] = "";
	int slot = -1, r;
	if (!st->sysctl_get || !st->sysctl_set) {
		reply_err(rq->tag, "UNSUPPORTED", "%s has no run-time settings (%s)", st->os,
			  rq->sysctl_key);
		return;
	}
	r = st->sysctl_get(st->ctx, rq->sysctl_key, old, sizeof(old), err, sizeof(err));
	if (r != 0) {
		reply_err(rq->tag, r == KIT_UNSUPPORTED ? "UNSUPPORTED" : "INTERNAL", "%s", err);
		return;
	}
	for (int i = 0; i < K.nsaved; i++)
		if (strcmp(K.saved[i].key, rq->sysctl_key) == 0)
			slot = i;
	if (slot < 0) {
		if (K.nsaved >= MAX_SYSCTLS) {
			reply_err(rq->tag, "BADSTATE", "more than %d settings in one session",
				  MAX_SYSCTLS);
			return;
		}
		slot = K.nsaved;
		snprintf(K.saved[slot].key, sizeof(K.saved[slot].key), "%s", rq->sysctl_key);
		snprintf(K.saved[slot].old, sizeof(K.saved[slot].old), "%s", old);
	}
	r = st->sysctl_set(st->ctx, rq->sysctl_key, rq->sysctl_value, err, sizeof(err));
	if (r != 0) {
		reply_err(rq->tag, r == KIT_UNSUPPORTED ? "UNSUPPORTED" : "INTERNAL", "%s", err);
		return;
	}
	if (slot == K.nsaved)
		K.nsaved++;
	for (char *p = old; *p; p++)
		if (*p == ' ')
			*p = ',';
	if (old[0])
		reply_ok(rq->tag, "old=%s", old);
	else
		reply_ok(rq->tag, "%s", "");
}

/* Puts back every setting the session changed, the last changed first. */
static void restore_sysctls(void)
{
	for (int i = K.nsaved - 1; i >= 0; i--) {
		char err[512] = "";
		if (K.st->sysctl_set(K.st->ctx, K.saved[i].key, K.saved[i].old, err, sizeof(err)))
			fprintf(stderr, "%s: cannot restore %s: %s\n", K.st->name, K.saved[i].key, err);
	}
	K.nsaved = 0;
}

/* The end of the session (QUIT or end of input): settings back, then exit at once. Pending
 * calls are abandoned and the stack goes with the process. */
static void finish(void)
{
	restore_sysctls();
	_exit(0);
}

static void handle_line(const char *line, size_t len, int overlong)
{
	struct ag_request *rq = &K.rq;
	char err[512];
	int r = ag_parse(line, len, rq, err, sizeof(err));
	if (overlong) {
		reply_err(rq->tag, "BADREQ", "line longer than %d bytes", AG_MAX_LINE);
		return;
	}
	if (r == 1)
		return;
	if (r != 0) {
		reply_err(rq->tag, "BADREQ", "%s", err);
		return;
	}
	switch (rq->verb) {
	case AG_V_PING:
		reply_ok(rq->tag, "%s", "");
		return;
	case AG_V_QUIT:
		reply_ok(rq->tag, "%s", "");
		finish();
		return;
	case AG_V_SYSCTL:
		do_sysctl(rq);
		return;
	case AG_V_CONFIG:
		if (K.configured && rq->family != K.family &&
		    (K.listener >= 0 || K.conn >= 0 || K.pre >= 0)) {
			reply_err(rq->tag, "BADSTATE", "cannot change the family while a socket is open");
			return;
		}
		K.configured = 1;
		K.family = rq->family;
		K.local = rq->local;
		K.peer = rq->peer;
		reply_ok(rq->tag, "%s", "");
		return;
	case AG_V_STATE:
	case AG_V_CALL:
		if (!K.configured) {
			reply_err(rq->tag, "BADSTATE", "no CONFIG yet");
			return;
		}
		if (rq->verb == AG_V_STATE) {
			do_state(rq);
			return;
		}
		if (K.nops >= MAX_PENDING &&
		    (rq->call == AG_C_WRITE || rq->call == AG_C_READ || rq->call == AG_C_ACCEPT ||
		     rq->call == AG_C_CONNECT)) {
			reply_err(rq->tag, "BADSTATE", "too many pending calls (%d)", MAX_PENDING);
			return;
		}
		do_call(rq);
		sweep();
		return;
	}
}

/* ---- Threads ---- */

/* Retries every active pending call: a stack's wait() need not say which socket became
 * ready, and a retry that finds nothing costs little. Completing one call never frees another
 * (only sweep does). */
static void progress_all(void)
{
	for (struct op *op = K.ops; op; op = op->next)
		if (!op->done && op_active(op))
			op_progress(op);
	sweep();
}

/* The request thread: reads stdin, handles each complete line with the lock held. Bytes
 * beyond AG_MAX_LINE are dropped until the line ends, which then gets one ERR. */
static void *input_thread(void *arg)
{
	static char line[AG_MAX_LINE + 1];
	static char buf[16384];
	size_t linelen = 0;
	int overlong = 0;
	(void)arg;
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* End of input: the session is over (docs/agent-protocol.md). */
			klock();
			finish();
		}
		size_t i = 0;
		while (i < (size_t)n) {
			const char *nl = memchr(buf + i, '\n', (size_t)n - i);
			size_t seg = nl ? (size_t)(nl - (buf + i)) : (size_t)n - i;
			size_t room = AG_MAX_LINE - linelen;
			if (seg > room) {
				overlong = 1;
				memcpy(line + linelen, buf + i, room);
				linelen += room;
			} else {
				memcpy(line + linelen, buf + i, seg);
				linelen += seg;
			}
			i += seg;
			if (nl) {
				klock();
				/* First what the stack has done since: a call that can complete now
				 * completes before the request is handled, as in tcpconform-agent's
				 * loop (sockets before input), so e.g. an accept whose connection is
				 * established is done before the next `shutdown` picks its socket. */
				progress_all();
				handle_line(line, linelen, overlong);
				kunlock();
				/* A new pending call must be waited for from now on. */
				kit_wake();
				linelen = 0;
				overlong = 0;
				i++;
			}
		}
	}
	return NULL;
}

static void default_wait(int timeout_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&K.wake_mx);
	while (!K.woken)
		if (pthread_cond_timedwait(&K.wake_cv, &K.wake_mx, &ts) != 0)
			break;
	K.woken = 0;
	pthread_mutex_unlock(&K.wake_mx);
}

int kit_run(const struct kit_stack *st)
{
	pthread_t th;
	struct kit_waitfd *fds = NULL;
	int cap = 0;
	K.st = st;
	signal(SIGPIPE, SIG_IGN);

	klock();
	/* The greeting is no reply (it answers no request), so the codec has no formatter for
	 * it; its form is docs/agent-protocol.md "HELLO". */
	int n = snprintf(K.out, sizeof(K.out) - 1, "HELLO %s %d os=%s%s%s", st->name,
			 AG_PROTO_VERSION, st->os, st->hello_extra ? " " : "",
			 st->hello_extra ? st->hello_extra : "");
	write_line(n < (int)sizeof(K.out) - 1 ? n : (int)sizeof(K.out) - 2);
	kunlock();
	if (pthread_create(&th, NULL, input_thread, NULL) != 0) {
		fprintf(stderr, "%s: cannot start the request thread\n", st->name);
		return 1;
	}
	klock();
	for (;;) {
		if (st->tick)
			st->tick(st->ctx);
		progress_all();
		int n = 0;
		if (cap < K.nops) {
			struct kit_waitfd *nf = realloc(fds, sizeof(*fds) * (size_t)(K.nops + 16));
			if (nf) {
				fds = nf;
				cap = K.nops + 16;
			}
		}
		for (struct op *op = K.ops; op && n < cap; op = op->next)
			if (!op->done && op_active(op))
				fds[n++] = (struct kit_waitfd){
					.sock = op->sock,
					.events = op_class(op->call) == 0 ? KIT_EV_IN : KIT_EV_OUT};
		kunlock();
		int tmo = st->tick_ms > 0 ? st->tick_ms : 1000;
		if (st->wait)
			st->wait(st->ctx, fds, n, tmo);
		else
			default_wait(tmo);
		klock();
	}
	return 0;
}
