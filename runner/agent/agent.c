/*
 * agent.c - tcpconform-agent: performs a case's socket calls on the target host and reports the
 * connection's TCP state, speaking the line protocol of docs/agent-protocol.md on stdin/stdout
 * (or on a TCP control connection with --listen).
 *
 * One thread and one poll() loop: every socket is non-blocking, and a call that would block in
 * an application (accept, connect, a large write, a read) becomes a pending operation that is
 * completed when poll() says its socket is ready. That is what lets a case issue a read, then
 * inject segments, then issue a write, without any call holding up the script.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../common/names.h"
#include "proto.h"
#include "state.h"

#ifndef TC_VERSION
#define TC_VERSION "0.0.0"
#endif
/* Where the OS lacks MSG_NOSIGNAL, SIGPIPE is ignored process-wide instead (see main). */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* Bounds the memory a runaway runner can make the agent hold: each pending call holds at most
 * AG_DATA_MAX bytes (filler writes are generated, not stored). */
#define MAX_PENDING 1024
/* The repeating filler of `write len=N`. */
#define FILLER "0123456789"
#define FILLER_LEN 10

/* The most kernel settings one session may change (SYSCTL); each is restored when the session
 * ends. */
#define MAX_SYSCTLS 32

/* The most connections one session remembers as synchronized or actively opened (STATE tells
 * such a connection, once gone, as CLOSED rather than the listener's LISTEN). A case has one
 * or two; the oldest is forgotten beyond this. */
#define MAX_KNOWN 16

/* Set by SIGTERM/SIGINT in --listen mode: end the session, restore, exit. */
static volatile sig_atomic_t stop_sig;

/* A call that has been issued and has not completed yet. */
struct op {
	struct op *next;
	char tag[AG_MAX_TAG + 1];
	enum ag_call call;
	int fd;      /* the socket it acts on; ops never outlive their socket (see do_close) */
	int done;    /* completed; unlinked at the next sweep */
	size_t len;  /* write: bytes to write; read: most bytes to read */
	size_t off;  /* write: bytes written so far */
	uint8_t *data; /* write data=, or NULL for filler */
};

struct agent {
	int in_fd, out_fd;
	int dead;  /* the control output failed: end the session */
	int quit;  /* QUIT was answered: end the session and the agent */
	int eof;   /* the control input ended */

	int configured, family;
	struct sockaddr_storage local, peer;
	int listener, conn, pre; /* -1 when not open */
	struct sockaddr_storage listen_addr; /* what the listener is bound to */

	struct op *ops;  /* in issue order, which is also the order ops on one socket run in */
	int nops;

	/* SYSCTL: the values a session found before it changed them, restored (newest first)
	 * when the session ends, however it ends short of SIGKILL. */
	struct {
		char key[AG_SYSCTL_KEY_MAX + 1];
		char old[AG_SYSCTL_VALUE_MAX + 1];
	} saved[MAX_SYSCTLS];
	int nsaved;
	int no_sysctl;   /* --no-sysctl: SYSCTL is refused */

	/* Connections (local, peer) that were accepted, connected, or seen by STATE in a
	 * synchronized state: RFC 9293 3.10.7.4 never returns such a connection to LISTEN, so
	 * once the table no longer shows one, it is CLOSED. */
	struct {
		struct sockaddr_storage local, peer;
	} known[MAX_KNOWN];
	int nknown;

	struct ag_request rq;  /* ~33 KiB: kept here rather than on the stack */
	char line[AG_MAX_LINE + 1];
	size_t linelen;
	int overlong;
	char out[AG_MAX_LINE + 64];
	size_t outlen;
};

/* ---- Output: whole lines, written completely, one write sequence per line. ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* The control channel may be non-blocking (a shared pipe, the --listen
				 * socket): wait until it drains instead of dropping half a line. */
				struct pollfd p1 = {.fd = fd, .events = POLLOUT};
				if (poll(&p1, 1, -1) < 0 && errno != EINTR)
					return -1;
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sends the reply line the codec (proto.h) wrote into a->out, n bytes, with its "\n". A line
 * that did not fit (n < 0) cannot happen with the limits proto.h sets (AG_READ_MAX keeps a read's
 * hex within AG_MAX_LINE); it would be our own bug, so it goes out as an INTERNAL error rather
 * than as a cut line the runner would misread. */
static void send_line(struct agent *a, const char *tag, int n)
{
	if (n < 0)
		n = ag_fmt_err(a->out, sizeof(a->out) - 1, tag, "INTERNAL", "reply too long");
	if (n < 0)
		return;
	a->outlen = (size_t)n;
	a->out[a->outlen++] = '\n';
	if (!a->dead && write_all(a->out_fd, a->out, a->outlen) != 0)
		a->dead = 1;
}

static void reply_ok(struct agent *a, const char *tag, const char *rest)
{
	send_line(a, tag, ag_fmt_ok(a->out, sizeof(a->out) - 1, tag, rest));
}

static void reply_err(struct agent *a, const char *tag, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void reply_err(struct agent *a, const char *tag, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	send_line(a, tag, ag_fmt_err(a->out, sizeof(a->out) - 1, tag, code, msg));
}

/* The one completion line of a CALL. data (read) and value (getsockopt) are optional. */
static void reply_done(struct agent *a, const char *tag, enum ag_call call, long long ret,
		       int err, const uint8_t *data, size_t ndata, const int *value, int nvalue)
{
	send_line(a, tag, ag_fmt_done(a->out, sizeof(a->out) - 1, tag, call, ret, err, data, ndata,
				      value, nvalue));
}

/* ---- Sockets ---- */

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* A new non-blocking TCP socket of the configured family, or -1 with errno set. */
static int new_socket(struct agent *a)
{
	int fd = socket(a->family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (set_nonblock(fd) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* The socket a CALL acts on (docs/agent-protocol.md, "Sockets"); -1 if none is open. */
static int target_fd(const struct agent *a, enum ag_sock s)
{
	switch (s) {
	case AG_S_LISTENER:
		return a->listener;
	case AG_S_CONN:
		return a->conn;
	case AG_S_DEFAULT:
		break;
	}
	if (a->conn >= 0)
		return a->conn;
	if (a->listener >= 0)
		return a->listener;
	return a->pre;
}

/* The (level, name) of an option on this OS; -1 when the OS lacks it. */
static int opt_lookup(enum ag_opt o, int *level, int *name)
{
	*level = SOL_SOCKET;
	switch (o) {
	case AG_O_SO_LINGER: *name = SO_LINGER; return 0;
	case AG_O_SO_KEEPALIVE: *name = SO_KEEPALIVE; return 0;
	case AG_O_SO_RCVBUF: *name = SO_RCVBUF; return 0;
	case AG_O_SO_SNDBUF: *name = SO_SNDBUF; return 0;
	case AG_O_SO_REUSEADDR: *name = SO_REUSEADDR; return 0;
	default: break;
	}
	*level = IPPROTO_TCP;
	switch (o) {
	case AG_O_TCP_NODELAY: *name = TCP_NODELAY; return 0;
#ifdef TCP_KEEPIDLE
	case AG_O_TCP_KEEPIDLE: *name = TCP_KEEPIDLE; return 0;
#endif
#ifdef TCP_KEEPINTVL
	case AG_O_TCP_KEEPINTVL: *name = TCP_KEEPINTVL; return 0;
#endif
#ifdef TCP_KEEPCNT
	case AG_O_TCP_KEEPCNT: *name = TCP_KEEPCNT; return 0;
#endif
#ifdef TCP_DEFER_ACCEPT
	case AG_O_TCP_DEFER_ACCEPT: *name = TCP_DEFER_ACCEPT; return 0;
#endif
#ifdef TCP_QUICKACK
	case AG_O_TCP_QUICKACK: *name = TCP_QUICKACK; return 0;
#endif
#ifdef TCP_MAXSEG
	case AG_O_TCP_MAXSEG: *name = TCP_MAXSEG; return 0;
#endif
#ifdef TCP_USER_TIMEOUT
	case AG_O_TCP_USER_TIMEOUT: *name = TCP_USER_TIMEOUT; return 0;
#endif
#ifdef TCP_CORK
	case AG_O_TCP_CORK: *name = TCP_CORK; return 0;
#endif
	default: return -1;
	}
}

/* ---- Pending operations ---- */

/* Reads (accept, read) and writes (connect, write) on one socket each run one at a time, in
 * issue order, as they would in an application; a connect in progress holds back everything
 * after it on its socket, since nothing else can be done with a socket still connecting. */
static int op_class(enum ag_call c)
{
	return (c == AG_C_ACCEPT || c == AG_C_READ) ? 0 : 1;
}

static int op_active(const struct agent *a, const struct op *op)
{
	for (const struct op *e = a->ops; e != op; e = e->next)
		if (!e->done && e->fd == op->fd &&
		    (e->call == AG_C_CONNECT || op_class(e->call) == op_class(op->call)))
			return 0;
	return 1;
}

static short op_events(const struct op *op)
{
	return op_class(op->call) == 0 ? POLLIN : POLLOUT;
}

static void op_finish(struct agent *a, struct op *op, long long ret, int err,
		      const uint8_t *data, size_t ndata)
{
	op->done = 1;
	reply_done(a, op->tag, op->call, ret, err, data, ndata, NULL, 0);
}

/* Whether two endpoints (address and port) are the same. */
static int same_endpoint(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return 0;
	if (x->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)x;
		const struct sockaddr_in *b = (const struct sockaddr_in *)y;
		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)x;
		const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)y;
		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
}

/* Remembers (local, peer) as a connection that was synchronized or actively opened. */
static void remember(struct agent *a, const struct sockaddr_storage *local,
		     const struct sockaddr_storage *peer)
{
	for (int i = 0; i < a->nknown; i++)
		if (same_endpoint(&a->known[i].local, local) && same_endpoint(&a->known[i].peer, peer))
			return;
	if (a->nknown == MAX_KNOWN) {
		memmove(&a->known[0], &a->known[1], sizeof(a->known[0]) * (MAX_KNOWN - 1));
		a->nknown--;
	}
	a->known[a->nknown].local = *local;
	a->known[a->nknown].peer = *peer;
	a->nknown++;
}

static int is_known(const struct agent *a, const struct sockaddr_storage *local,
		    const struct sockaddr_storage *peer)
{
	for (int i = 0; i < a->nknown; i++)
		if (same_endpoint(&a->known[i].local, local) && same_endpoint(&a->known[i].peer, peer))
			return 1;
	return 0;
}

/* An accepted socket's own addresses: accept() hands over only established connections. */
static void remember_fd(struct agent *a, int fd)
{
	struct sockaddr_storage l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);
	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	if (getsockname(fd, (struct sockaddr *)&l, &ll) == 0 &&
	    getpeername(fd, (struct sockaddr *)&p, &pl) == 0)
		remember(a, &l, &p);
}

/* Advances one pending op as far as its socket allows without blocking. */
static void op_progress(struct agent *a, struct op *op)
{
	switch (op->call) {
	case AG_C_ACCEPT: {
		int fd = accept(op->fd, NULL, NULL);
		if (fd < 0) {
			/* ECONNABORTED: the connection went away in the queue; an application
			 * would call accept again, so keep waiting like it. */
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			op_finish(a, op, -1, errno, NULL, 0);
			return;
		}
		if (set_nonblock(fd) != 0) {
			int e = errno;
			close(fd);
			op_finish(a, op, -1, e, NULL, 0);
			return;
		}
		a->conn = fd;
		remember_fd(a, fd);
		op_finish(a, op, 0, 0, NULL, 0);
		return;
	}
	case AG_C_CONNECT: {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		struct sockaddr_storage ss;
		socklen_t al = sizeof(ss);
		if (getsockopt(op->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
			op_finish(a, op, -1, errno, NULL, 0);
			return;
		}
		if (soerr != 0) {
			op_finish(a, op, -1, soerr, NULL, 0);
			return;
		}
		/* Ready without a pending error should mean connected; if the error was already
		 * consumed elsewhere, getpeername still tells, and the op must end either way
		 * rather than be polled again forever. */
		if (getpeername(op->fd, (struct sockaddr *)&ss, &al) == 0)
			op_finish(a, op, 0, 0, NULL, 0);
		else
			op_finish(a, op, -1, errno, NULL, 0);
		return;
	}
	case AG_C_WRITE: {
		static char filler[65536 + FILLER_LEN];
		if (filler[0] == '\0')
			for (size_t i = 0; i < sizeof(filler); i++)
				filler[i] = FILLER[i % FILLER_LEN];
		for (;;) {
			size_t left = op->len - op->off;
			const void *p;
			ssize_t n;
			if (op->data != NULL) {
				p = op->data + op->off;
			} else {
				/* Filler byte i is FILLER[i % 10], whatever the chunking. */
				p = filler + op->off % FILLER_LEN;
				if (left > sizeof(filler) - FILLER_LEN)
					left = sizeof(filler) - FILLER_LEN;
			}
			n = send(op->fd, p, left, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				/* A partial write followed by an error reports what got queued. */
				op_finish(a, op, op->off > 0 ? (long long)op->off : -1, errno, NULL, 0);
				return;
			}
			op->off += (size_t)n;
			if (op->off >= op->len) {
				op_finish(a, op, (long long)op->off, 0, NULL, 0);
				return;
			}
			if (n == 0)
				return;
		}
	}
	case AG_C_READ: {
		uint8_t buf[AG_READ_MAX];
		ssize_t n;
		do
			n = recv(op->fd, buf, op->len, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			op_finish(a, op, -1, errno, NULL, 0);
			return;
		}
		op_finish(a, op, n, 0, buf, (size_t)n);
		return;
	}
	default:
		return;
	}
}

/* Unlinks and frees the completed ops. */
static void sweep(struct agent *a)
{
	struct op **pp = &a->ops;
	while (*pp) {
		struct op *op = *pp;
		if (op->done) {
			*pp = op->next;
			free(op->data);
			free(op);
			a->nops--;
		} else {
			pp = &op->next;
		}
	}
}

/* Queues a blocking-style call and runs it at once if nothing ahead of it on its socket. */
static struct op *op_add(struct agent *a, const struct ag_request *rq, int fd)
{
	struct op *op = calloc(1, sizeof(*op)), **pp;
	if (op == NULL) {
		reply_err(a, rq->tag, "INTERNAL", "out of memory");
		return NULL;
	}
	memcpy(op->tag, rq->tag, sizeof(op->tag));
	op->call = rq->call;
	op->fd = fd;
	op->len = rq->len;
	if (rq->call == AG_C_WRITE && rq->has_data) {
		op->data = malloc(rq->len ? rq->len : 1);
		if (op->data == NULL) {
			free(op);
			reply_err(a, rq->tag, "INTERNAL", "out of memory");
			return NULL;
		}
		memcpy(op->data, rq->data, rq->len);
	}
	for (pp = &a->ops; *pp; pp = &(*pp)->next)
		;
	*pp = op;
	a->nops++;
	/* A connect has just returned EINPROGRESS: only poll() can tell when it is done. */
	if (op->call != AG_C_CONNECT && op_active(a, op))
		op_progress(a, op);
	/* A call that did not complete at once is acknowledged with PENDING, so the runner knows
	 * it is under way at the target before it goes on with the script (agent-protocol.md). */
	if (!op->done) {
		send_line(a, op->tag, ag_fmt_pending(a->out, sizeof(a->out) - 1, op->tag, op->call));
	}
	return op;
}

static int has_pending(const struct agent *a, int fd, enum ag_call call)
{
	for (const struct op *op = a->ops; op; op = op->next)
		if (!op->done && op->fd == fd && op->call == call)
			return 1;
	return 0;
}

/* ---- Calls ---- */

/* listen and connect use the pre socket when options were set on it, else a new socket. */
static int take_socket(struct agent *a, int *from_pre)
{
	int one = 1, fd;
	*from_pre = a->pre >= 0;
	fd = *from_pre ? a->pre : new_socket(a);
	if (fd < 0)
		return -1;
	/* SO_REUSEADDR lets case after case bind the same address while old connections of the
	 * same port linger in TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (const struct sockaddr *)&a->local, addr_len(&a->local)) != 0) {
		int e = errno;
		if (!*from_pre)
			close(fd);
		errno = e;
		return -1;
	}
	if (*from_pre)
		a->pre = -1;
	return fd;
}

static void call_listen(struct agent *a, const struct ag_request *rq)
{
	int from_pre, fd;
	if (a->listener >= 0) {
		reply_err(a, rq->tag, "BADSTATE", "a listener is already open");
		return;
	}
	fd = take_socket(a, &from_pre);
	if (fd < 0) {
		reply_done(a, rq->tag, rq->call, -1, errno, NULL, 0, NULL, 0);
		return;
	}
	if (listen(fd, rq->backlog) != 0) {
		int e = errno;
		/* The socket is bound now; keeping it as the pre socket would surprise the next
		 * call, so it is closed (and a pre socket with it). */
		close(fd);
		reply_done(a, rq->tag, rq->call, -1, e, NULL, 0, NULL, 0);
		return;
	}
	a->listener = fd;
	a->listen_addr = a->local;
	reply_done(a, rq->tag, rq->call, 0, 0, NULL, 0, NULL, 0);
}

static void call_connect(struct agent *a, const struct ag_request *rq)
{
	int from_pre, fd;
	if (a->conn >= 0) {
		reply_err(a, rq->tag, "BADSTATE", "a connection is already open (close it first)");
		return;
	}
	if (a->listener >= 0 && has_pending(a, a->listener, AG_C_ACCEPT)) {
		reply_err(a, rq->tag, "BADSTATE", "an accept is pending");
		return;
	}
	fd = take_socket(a, &from_pre);
	if (fd < 0) {
		reply_done(a, rq->tag, rq->call, -1, errno, NULL, 0, NULL, 0);
		return;
	}
	/* The socket is the conn whatever connect says, as it stays the application's socket
	 * after a failed connect; the runner closes it. */
	a->conn = fd;
	/* An active open never returns to LISTEN (RFC 9293 3.10.7.3, 3.10.7.4). */
	remember(a, &a->local, &a->peer);
	if (connect(fd, (const struct sockaddr *)&a->peer, addr_len(&a->peer)) == 0) {
		reply_done(a, rq->tag, rq->call, 0, 0, NULL, 0, NULL, 0);
		return;
	}
	if (errno != EINPROGRESS && errno != EINTR) {
		reply_done(a, rq->tag, rq->call, -1, errno, NULL, 0, NULL, 0);
		return;
	}
	op_add(a, rq, fd);
}

static void call_accept(struct agent *a, const struct ag_request *rq)
{
	if (a->listener < 0) {
		reply_done(a, rq->tag, rq->call, -1, EBADF, NULL, 0, NULL, 0);
		return;
	}
	if (a->conn >= 0) {
		reply_err(a, rq->tag, "BADSTATE", "a connection is already open (close it first)");
		return;
	}
	if (has_pending(a, a->listener, AG_C_ACCEPT)) {
		reply_err(a, rq->tag, "BADSTATE", "an accept is already pending");
		return;
	}
	op_add(a, rq, a->listener);
}

/* close(2) of the target socket. Its pending calls end first, with EBADF, as they would in an
 * application whose descriptor was closed under a blocked call. */
static void call_close(struct agent *a, const struct ag_request *rq, int fd)
{
	int r, e;
	for (struct op *op = a->ops; op; op = op->next)
		if (!op->done && op->fd == fd)
			op_finish(a, op, -1, EBADF, NULL, 0);
	if (fd == a->conn)
		a->conn = -1;
	if (fd == a->listener)
		a->listener = -1;
	if (fd == a->pre)
		a->pre = -1;
	/* With SO_LINGER on and a positive linger time, this blocks (up to that time) even on a
	 * non-blocking socket on Linux; see docs/agent-protocol.md. */
	r = close(fd);
	e = r == 0 ? 0 : errno;
	reply_done(a, rq->tag, rq->call, r, e, NULL, 0, NULL, 0);
}

static void call_sockopt(struct agent *a, const struct ag_request *rq, int fd)
{
	int level, name, r, value[2] = {0, 0}, nvalue = 0;
	if (opt_lookup(rq->opt, &level, &name) != 0) {
		reply_err(a, rq->tag, "UNSUPPORTED", "%s is not available on %s", ag_opt_name(rq->opt),
			  tc_agent_os);
		return;
	}
	if (fd < 0 && rq->sock == AG_S_DEFAULT) {
		/* Options set before listen/connect go on a socket made now, which listen or
		 * connect then use: the only way to set e.g. SO_RCVBUF before the SYN. */
		fd = new_socket(a);
		if (fd < 0) {
			reply_done(a, rq->tag, rq->call, -1, errno, NULL, 0, NULL, 0);
			return;
		}
		a->pre = fd;
	}
	if (fd < 0) {
		reply_done(a, rq->tag, rq->call, -1, EBADF, NULL, 0, NULL, 0);
		return;
	}
	if (rq->opt == AG_O_SO_LINGER) {
		struct linger l = {.l_onoff = rq->value[0], .l_linger = rq->value[1]};
		socklen_t sl = sizeof(l);
		if (rq->call == AG_C_SETSOCKOPT) {
			r = setsockopt(fd, level, name, &l, sl);
		} else {
			r = getsockopt(fd, level, name, &l, &sl);
			value[0] = l.l_onoff;
			value[1] = l.l_linger;
			nvalue = 2;
		}
	} else {
		int v = rq->value[0];
		socklen_t sl = sizeof(v);
		if (rq->call == AG_C_SETSOCKOPT) {
			r = setsockopt(fd, level, name, &v, sl);
		} else {
			r = getsockopt(fd, level, name, &v, &sl);
			value[0] = v;
			nvalue = 1;
		}
	}
	if (r != 0)
		reply_done(a, rq->tag, rq->call, -1, errno, NULL, 0, NULL, 0);
	else
		reply_done(a, rq->tag, rq->call, 0, 0, NULL, 0, value, nvalue);
}

static void do_call(struct agent *a, const struct ag_request *rq)
{
	int fd = target_fd(a, rq->sock);
	switch (rq->call) {
	case AG_C_LISTEN:
		call_listen(a, rq);
		return;
	case AG_C_CONNECT:
		call_connect(a, rq);
		return;
	case AG_C_ACCEPT:
		call_accept(a, rq);
		return;
	case AG_C_SETSOCKOPT:
	case AG_C_GETSOCKOPT:
		call_sockopt(a, rq, fd);
		return;
	default:
		break;
	}
	/* The remaining calls act on an existing socket; with none, the application's call would
	 * see a closed descriptor. */
	if (fd < 0) {
		reply_done(a, rq->tag, rq->call, -1, EBADF, NULL, 0, NULL, 0);
		return;
	}
	switch (rq->call) {
	case AG_C_WRITE:
	case AG_C_READ:
		op_add(a, rq, fd);
		return;
	case AG_C_SHUTDOWN: {
		int r = shutdown(fd, rq->how);
		reply_done(a, rq->tag, rq->call, r, r == 0 ? 0 : errno, NULL, 0, NULL, 0);
		return;
	}
	case AG_C_CLOSE:
		call_close(a, rq, fd);
		return;
	default:
		return;
	}
}

/* ---- Requests ---- */

/* Whether st is a synchronized state (RFC 9293 3.3.2): one from which no RST or timeout
 * returns the connection to LISTEN. */
static int synchronized(int st)
{
	return st != TC_ST_CLOSED && st != TC_ST_LISTEN && st != TC_ST_SYN_SENT &&
	       st != TC_ST_SYN_RECEIVED;
}

/* STATE sock=listener: the listener's own state, LISTEN while it is open. */
static void state_listener(struct agent *a, const struct ag_request *rq)
{
	char err[256];
	int st = TC_ST_CLOSED;
	if (a->listener >= 0) {
		st = tc_agent_state_fd(a->listener, err, sizeof(err));
		/* Without a per-socket reader, an open listening descriptor is in LISTEN. */
		if (st < 0)
			st = TC_ST_LISTEN;
	}
	reply_ok(a, rq->tag, st == TC_ST_LISTEN ? "state=LISTEN" : "state=CLOSED");
}

static void do_state(struct agent *a, const struct ag_request *rq)
{
	char err[256], rest[64];
	struct tc_agent_found found = {.accept_queue = -1, .queue_visible = 0};
	int st;
	if (rq->sock == AG_S_LISTENER) {
		state_listener(a, rq);
		return;
	}
	st = tc_agent_state(&a->local, &a->peer, &found, err, sizeof(err));
	if (st == -1 && a->conn >= 0) {
		char err2[256];
		int st2 = tc_agent_state_fd(a->conn, err2, sizeof(err2));
		if (st2 >= 0)
			st = st2;
	}
	if (st == -1) {
		reply_err(a, rq->tag, strncmp(err, "unsupported", 11) == 0 ? "UNSUPPORTED" : "INTERNAL",
			  "%s", err);
		return;
	}
	if (st >= 0 && synchronized(st))
		remember(a, &a->local, &a->peer);
	/* No connection with the tuple. It is the connection's state that is asked for (the case
	 * format's `state`), so it is CLOSED unless RFC 9293 puts it back in LISTEN: only a
	 * passive open reset in SYN-RECEIVED (3.10.7.4) or whose SYN-ACK retransmissions ran out
	 * returns there, and then nothing is left of it. It is gone but was there when it was
	 * accepted, connected or seen synchronized by an earlier STATE, or when the listener's
	 * accept queue holds more connections than the table shows (a connection reset after
	 * the handshake, before accept(), stays queued, unlisted). Otherwise the connection is
	 * in LISTEN if the listener is open on the configured local address and port (a CONFIG
	 * after listen may have named another one), else CLOSED. */
	if (st == TC_AGENT_STATE_NONE) {
		int listening = a->listener >= 0 && same_endpoint(&a->listen_addr, &a->local);
		int gone_from_queue = found.accept_queue > found.queue_visible;
		if (is_known(a, &a->local, &a->peer) || gone_from_queue || !listening)
			st = TC_ST_CLOSED;
		else
			st = TC_ST_LISTEN;
	}
	snprintf(rest, sizeof(rest), "state=%s", tc_state_name(st));
	reply_ok(a, rq->tag, rest);
}

/* Whether err (from tc_agent_sysctl_get/set) says the setting is not available here. */
static int sysctl_unavailable(const char *err)
{
	return strncmp(err, "unsupported", 11) == 0 || strncmp(err, "no such", 7) == 0;
}

/*
 * SYSCTL key=K value=V: saves K's current value the first time the session touches K, then
 * writes V. Only net.* keys: with --listen anyone who reaches the port can send requests, and
 * the network stack's settings are all a conformance case needs.
 */
static void do_sysctl(struct agent *a, const struct ag_request *rq)
{
	char err[512], old[AG_SYSCTL_VALUE_MAX + 1];
	int slot = -1;
	if (a->no_sysctl) {
		reply_err(a, rq->tag, "UNSUPPORTED", "SYSCTL is disabled on this agent (--no-sysctl)");
		return;
	}
	if (strncmp(rq->sysctl_key, "net.", 4) != 0) {
		reply_err(a, rq->tag, "UNSUPPORTED", "%s: this agent changes only net.* settings",
			  rq->sysctl_key);
		return;
	}
	if (tc_agent_sysctl_get(rq->sysctl_key, old, sizeof(old), err, sizeof(err)) != 0) {
		reply_err(a, rq->tag, sysctl_unavailable(err) ? "UNSUPPORTED" : "INTERNAL", "%s", err);
		return;
	}
	for (int i = 0; i < a->nsaved; i++)
		if (strcmp(a->saved[i].key, rq->sysctl_key) == 0)
			slot = i;
	if (slot < 0) {
		if (a->nsaved >= MAX_SYSCTLS) {
			reply_err(a, rq->tag, "BADSTATE", "more than %d settings in one session",
				  MAX_SYSCTLS);
			return;
		}
		slot = a->nsaved;
		snprintf(a->saved[slot].key, sizeof(a->saved[slot].key), "%s", rq->sysctl_key);
		snprintf(a->saved[slot].old, sizeof(a->saved[slot].old), "%s", old);
	}
	if (tc_agent_sysctl_set(rq->sysctl_key, rq->sysctl_value, err, sizeof(err)) != 0) {
		reply_err(a, rq->tag, sysctl_unavailable(err) ? "UNSUPPORTED" : "INTERNAL", "%s", err);
		return;
	}
	if (slot == a->nsaved)
		a->nsaved++;
	/* The old value as a protocol value: its spaces as ','. */
	for (char *p = old; *p; p++)
		if (*p == ' ')
			*p = ',';
	char rest[AG_SYSCTL_VALUE_MAX + 8];
	snprintf(rest, sizeof(rest), "%s%s", old[0] ? "old=" : "", old);
	reply_ok(a, rq->tag, rest);
}

/* Puts back every setting the session changed, the last changed first. */
static void restore_sysctls(struct agent *a)
{
	for (int i = a->nsaved - 1; i >= 0; i--) {
		char err[512];
		if (tc_agent_sysctl_set(a->saved[i].key, a->saved[i].old, err, sizeof(err)) != 0)
			fprintf(stderr, "tcpconform-agent: cannot restore %s: %s\n", a->saved[i].key,
				err);
	}
	a->nsaved = 0;
}

static void handle_line(struct agent *a, const char *line, size_t len, int overlong)
{
	struct ag_request *rq = &a->rq;
	char err[512];
	int r = ag_parse(line, len, rq, err, sizeof(err));
	if (overlong) {
		reply_err(a, rq->tag, "BADREQ", "line longer than %d bytes", AG_MAX_LINE);
		return;
	}
	if (r == 1)
		return;
	if (r != 0) {
		reply_err(a, rq->tag, "BADREQ", "%s", err);
		return;
	}
	switch (rq->verb) {
	case AG_V_PING:
		reply_ok(a, rq->tag, "");
		return;
	case AG_V_QUIT:
		reply_ok(a, rq->tag, "");
		a->quit = 1;
		return;
	case AG_V_SYSCTL:
		do_sysctl(a, rq);
		return;
	case AG_V_CONFIG:
		if (a->configured && rq->family != a->family &&
		    (a->listener >= 0 || a->conn >= 0 || a->pre >= 0)) {
			reply_err(a, rq->tag, "BADSTATE",
				  "cannot change the family while a socket is open");
			return;
		}
		a->configured = 1;
		a->family = rq->family;
		a->local = rq->local;
		a->peer = rq->peer;
		reply_ok(a, rq->tag, "");
		return;
	case AG_V_STATE:
	case AG_V_CALL:
		if (!a->configured) {
			reply_err(a, rq->tag, "BADSTATE", "no CONFIG yet");
			return;
		}
		if (rq->verb == AG_V_STATE) {
			do_state(a, rq);
			return;
		}
		if (a->nops >= MAX_PENDING &&
		    (rq->call == AG_C_WRITE || rq->call == AG_C_READ || rq->call == AG_C_ACCEPT ||
		     rq->call == AG_C_CONNECT)) {
			reply_err(a, rq->tag, "BADSTATE", "too many pending calls (%d)", MAX_PENDING);
			return;
		}
		do_call(a, rq);
		sweep(a);
		return;
	}
}

/* Reads what the control input has and handles every complete line. Bytes beyond AG_MAX_LINE
 * are dropped until the line ends, which is then answered with one ERR. */
static void read_input(struct agent *a)
{
	char buf[16384];
	ssize_t n = read(a->in_fd, buf, sizeof(buf));
	size_t i = 0;
	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
			a->eof = 1;
		return;
	}
	if (n == 0) {
		a->eof = 1;
		return;
	}
	while (i < (size_t)n && !a->quit && !a->dead) {
		const char *nl = memchr(buf + i, '\n', (size_t)n - i);
		size_t seg = nl ? (size_t)(nl - (buf + i)) : (size_t)n - i;
		size_t room = AG_MAX_LINE - a->linelen;
		if (seg > room) {
			a->overlong = 1;
			memcpy(a->line + a->linelen, buf + i, room);
			a->linelen += room;
		} else {
			memcpy(a->line + a->linelen, buf + i, seg);
			a->linelen += seg;
		}
		i += seg;
		if (nl) {
			handle_line(a, a->line, a->linelen, a->overlong);
			a->linelen = 0;
			a->overlong = 0;
			i++;
		}
	}
}

/* One control session: HELLO, then requests until QUIT, end of input or a dead output. */
static void session(struct agent *a)
{
	struct pollfd *pfd = NULL;
	struct op **map = NULL;
	size_t cap = 0;

	send_line(a, AG_TAG_UNKNOWN, snprintf(a->out, sizeof(a->out) - 1, "HELLO tcpconform-agent %d os=%s",
					      AG_PROTO_VERSION, tc_agent_os));

	while (!a->quit && !a->dead && !a->eof && !stop_sig) {
		size_t n = 1;
		int r;
		if (cap < (size_t)a->nops + 1) {
			size_t ncap = (size_t)a->nops + 16;
			struct pollfd *np = realloc(pfd, ncap * sizeof(*pfd));
			struct op **nm;
			if (np == NULL)
				break;
			pfd = np;
			nm = realloc(map, ncap * sizeof(*map));
			if (nm == NULL)
				break;
			map = nm;
			cap = ncap;
		}
		pfd[0] = (struct pollfd){.fd = a->in_fd, .events = POLLIN};
		for (struct op *op = a->ops; op; op = op->next)
			if (!op->done && op_active(a, op)) {
				pfd[n] = (struct pollfd){.fd = op->fd, .events = op_events(op)};
				map[n++] = op;
			}
		r = poll(pfd, n, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* Completing one op never frees another (ops are only unlinked by sweep), so the
		 * map stays valid through this loop. */
		for (size_t i = 1; i < n; i++)
			if (pfd[i].revents != 0 && !map[i]->done)
				op_progress(a, map[i]);
		sweep(a);
		if (pfd[0].revents != 0)
			read_input(a);
	}
	free(pfd);
	free(map);
}

static void agent_reset(struct agent *a)
{
	for (struct op *op = a->ops; op; op = op->next)
		op->done = 1;
	sweep(a);
	if (a->listener >= 0)
		close(a->listener);
	if (a->conn >= 0)
		close(a->conn);
	if (a->pre >= 0)
		close(a->pre);
	a->listener = a->conn = a->pre = -1;
	restore_sysctls(a);
	a->nknown = 0;
	a->configured = 0;
	a->dead = a->eof = 0;
	a->linelen = 0;
	a->overlong = 0;
}

/* --listen: one control connection at a time on PORT, each a session of its own. */
static int serve(struct agent *a, int port)
{
	int one = 1, zero = 0, lfd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if (lfd >= 0) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_any;
		/* Dual-stack where the OS allows it, so IPv4 runners can connect too. */
		(void)setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
	}
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(lfd, (struct sockaddr *)&ss, addr_len(&ss)) != 0 || listen(lfd, 4) != 0) {
		fprintf(stderr, "tcpconform-agent: --listen %d: %s\n", port, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return 1;
	}
	(void)fcntl(lfd, F_SETFD, FD_CLOEXEC);
	while (!a->quit && !stop_sig) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "tcpconform-agent: accept: %s\n", strerror(errno));
			close(lfd);
			return 1;
		}
		(void)fcntl(cfd, F_SETFD, FD_CLOEXEC);
		a->in_fd = a->out_fd = cfd;
		session(a);
		agent_reset(a);
		close(cfd);
	}
	close(lfd);
	return 0;
}

static void on_stop(int sig)
{
	(void)sig;
	stop_sig = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpconform-agent [--listen PORT] [--no-sysctl]\n"
		"Performs socket calls and reports TCP state for tcpconform, speaking protocol %d\n"
		"(docs/agent-protocol.md) on stdin/stdout, or with --listen on one TCP control\n"
		"connection at a time on PORT (trusted networks only: there is no authentication).\n"
		"  --listen PORT  serve control connections on TCP PORT\n"
		"  --no-sysctl    refuse SYSCTL requests (kernel settings of net.*)\n"
		"  --help         this text\n"
		"  --version      version and protocol version\n",
		AG_PROTO_VERSION);
}

int main(int argc, char **argv)
{
	static struct agent a; /* large (line buffers): static rather than on the stack */
	long port = -1;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(arg, "--version") == 0) {
			printf("tcpconform-agent %s (protocol %d, %s)\n", TC_VERSION, AG_PROTO_VERSION,
			       tc_agent_os);
			return 0;
		}
		if (strcmp(arg, "--no-sysctl") == 0) {
			a.no_sysctl = 1;
			continue;
		}
		if (strncmp(arg, "--listen=", 9) == 0)
			val = arg + 9;
		else if (strcmp(arg, "--listen") == 0 && i + 1 < argc)
			val = argv[++i];
		if (val != NULL) {
			char *end;
			errno = 0;
			port = strtol(val, &end, 10);
			if (errno != 0 || *val == '\0' || *end != '\0' || port < 1 || port > 65535) {
				fprintf(stderr, "tcpconform-agent: bad port \"%s\" (want 1..65535)\n",
					val);
				return 2;
			}
			continue;
		}
		fprintf(stderr, "tcpconform-agent: unknown argument \"%s\"\n", arg);
		usage(stderr);
		return 2;
	}

	/* A peer that resets the connection must show up as EPIPE from the write call, not kill
	 * the agent; and a runner that goes away must end the session, not the process by
	 * signal. */
	signal(SIGPIPE, SIG_IGN);
	a.listener = a.conn = a.pre = -1;
	if (port > 0) {
		/* Stopping a listening agent must still put back the settings of the session in
		 * progress: the handler only flags, and without SA_RESTART poll and accept return
		 * EINTR, so the loops see the flag and the normal reset runs. */
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		rc = serve(&a, (int)port);
	} else {
		a.in_fd = 0;
		a.out_fd = 1;
		session(&a);
		rc = a.dead ? 1 : 0;
	}
	agent_reset(&a);
	return rc;
}
