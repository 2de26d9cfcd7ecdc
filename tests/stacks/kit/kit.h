/*
 * kit.h - the harness kit: everything a stack harness of the tap target needs that does not
 * depend on the stack (docs/targets.md "The harness kit").
 *
 * The kit speaks the agent protocol (docs/agent-protocol.md) on stdin/stdout with the runner's
 * own parser (runner/agent/proto.h): HELLO, CONFIG, PING, QUIT, STATE (with the rules for a
 * connection that is gone), SYSCTL (with save and restore), and CALL with its PENDING/DONE
 * replies, the three sockets (listener, conn, pre), the ordering of pending calls, close of a
 * busy socket and the protocol's errors. A stack plugs in a table of callbacks that act on
 * its own sockets, named by small integers the stack chooses.
 *
 * The model is readiness, as with non-blocking POSIX sockets: a callback that cannot complete
 * now returns KIT_AGAIN, and the kit tries it again whenever the stack's wait() returns (a
 * socket became ready, the stack called kit_wake(), or the timeout passed). A stack whose API
 * is asynchronous (lwIP's raw API completes things from callbacks on its own thread) keeps
 * what arrived in per-socket queues, answers KIT_AGAIN until there is something, and calls
 * kit_wake() from its callbacks.
 *
 * Threads: kit_run() reads requests on a thread of its own and handles each one with the lock
 * held (the stack's lock(), or the kit's mutex); the calling thread runs the loop that retries
 * pending calls, also with the lock held, and calls wait() without it. Every callback except
 * wait() and wake() is therefore called with the lock held, never concurrently.
 *
 * Errors are host errno values (<errno.h> of the machine the harness runs on): a stack with
 * its own numbering (NetBSD's) translates them, so the kit can name them (ag_errno_name).
 */
#ifndef TC_KIT_H
#define TC_KIT_H

#include <stddef.h>
#include <sys/socket.h>

#include "../../../runner/agent/proto.h"

/* A callback's answer "not now": the call stays pending and is tried again later. */
#define KIT_AGAIN (-2)
/* sockopt/sysctl: the stack lacks the option or setting (the reply is ERR UNSUPPORTED). */
#define KIT_UNSUPPORTED (-3)
/* state: no connection with the 4-tuple in the stack's table. */
#define KIT_STATE_NONE (-2)

/* What a pending call waits for on its socket, for wait(). */
#define KIT_EV_IN 1
#define KIT_EV_OUT 2

struct kit_waitfd {
	int sock;    /* the stack's socket */
	int events;  /* KIT_EV_IN, KIT_EV_OUT */
};

/* What state() found about the listener on the configured local address and port, for the
 * rule "a connection reset in the accept queue is CLOSED" (docs/agent-protocol.md STATE). */
struct kit_found {
	int accept_queue;   /* connections in its accept queue; -1 when unknown */
	int queue_visible;  /* of those, how many the table still shows */
};

struct kit_stack {
	const char *name;   /* the HELLO's implementation name, "tcpconform-netbsd" */
	const char *os;     /* the HELLO's os= */
	const char *hello_extra; /* further "key=value ..." for the HELLO line, or NULL */
	void *ctx;          /* passed to every callback */

	/* A new non-blocking TCP socket of family (AF_INET, AF_INET6): its number (>= 0), or -1
	 * with *err. */
	int (*socket)(void *ctx, int family, int *err);
	/* Sets SO_REUSEADDR (so case after case can bind the port while old connections of it
	 * linger in TIME_WAIT) and binds s to local. 0 or -1 with *err. */
	int (*bind)(void *ctx, int s, const struct sockaddr_storage *local, int *err);
	int (*listen)(void *ctx, int s, int backlog, int *err);
	/* Starts an active open: 0 connected at once, KIT_AGAIN in progress, -1 with *err. */
	int (*connect)(void *ctx, int s, const struct sockaddr_storage *peer, int *err);
	/* A connect in progress: 0 established, KIT_AGAIN not yet, -1 failed with *err. */
	int (*connected)(void *ctx, int s, int *err);
	/* A connection from listener l: its new non-blocking socket, KIT_AGAIN, or -1. The kit
	 * waits on for ECONNABORTED (a connection gone before it was taken), as applications do. */
	int (*accept)(void *ctx, int l, int *err);
	/* At most n bytes: how many were taken (> 0), KIT_AGAIN, or -1 with *err. */
	long (*write)(void *ctx, int s, const void *buf, size_t n, int *err);
	/* At most n bytes: how many were read (0 at end of stream), KIT_AGAIN, or -1. */
	long (*read)(void *ctx, int s, void *buf, size_t n, int *err);
	/* Optional: called after each round in which the kit handed a pending write to write()
	 * (the round ends when the call is complete, write() takes no more for now, or it
	 * failed). A stack that queues data on write and transmits it separately (lwIP:
	 * tcp_write, then tcp_output) transmits here, so the pieces of one round leave as one
	 * burst, segmented as the stack would segment one large send. */
	void (*flush)(void *ctx, int s);
	/* how: SHUT_RD, SHUT_WR, SHUT_RDWR (host values). 0 or -1 with *err. */
	int (*shutdown)(void *ctx, int s, int how, int *err);
	/* Must not block; the socket number is free afterwards. 0 or -1 with *err. */
	int (*close)(void *ctx, int s, int *err);
	/* Sets (set = 1, from value[]) or gets (into value[]) option opt on s; SO_LINGER has two
	 * values (on/off, seconds), the others one. 0, -1 with *err, or KIT_UNSUPPORTED with a
	 * reason in why. */
	int (*sockopt)(void *ctx, int s, int set, enum ag_opt opt, int value[2], int *err,
		       char *why, size_t cap);
	/* The local and peer address of a connected socket, so the kit can remember an accepted
	 * connection by its own 4-tuple. Optional: without it, the configured tuple is used. */
	int (*names)(void *ctx, int s, struct sockaddr_storage *local,
		     struct sockaddr_storage *peer);
	/* The TCP state (TC_ST_*, common/names.h) of the connection local<->peer in the stack's
	 * own table, so connections no socket refers to any more are found too; the live one
	 * wins over an old TIME_WAIT. KIT_STATE_NONE when the table has none, -1 with a message
	 * in err when the table cannot be read. listener is the kit's listening socket (or -1);
	 * found is filled in whatever the result. extra (cap bytes) may receive " key=value"
	 * pairs added to the reply, such as the stack's own name for the state. */
	int (*state)(void *ctx, const struct sockaddr_storage *local,
		     const struct sockaddr_storage *peer, int listener, struct kit_found *found,
		     char *extra, size_t extracap, char *err, size_t cap);
	/* SYSCTL: reads the setting key into old (text), and writes value (text, words separated
	 * by spaces). 0, KIT_UNSUPPORTED (no such setting here), or -1 (the value was refused),
	 * with a message in err. Optional: without them SYSCTL is ERR UNSUPPORTED. The kit
	 * remembers each key's first old value and writes it back when the session ends. */
	int (*sysctl_get)(void *ctx, const char *key, char *old, size_t oldcap, char *err,
			  size_t cap);
	int (*sysctl_set)(void *ctx, const char *key, const char *value, char *err, size_t cap);
	/* Blocks (without the lock) until one of the n sockets is ready for its events, wake()
	 * is called, or timeout_ms passes. Optional: without it the kit waits on a condition
	 * variable that kit_wake() signals, with the same timeout. */
	void (*wait)(void *ctx, const struct kit_waitfd *fds, int n, int timeout_ms);
	/* Makes a wait() in progress return; called from the request thread after a request
	 * that may have added a pending call. Required when wait is given. */
	void (*wake)(void *ctx);
	/* Optional mutual exclusion with the stack's own threads (lwIP: its core lock). */
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	/* Optional: called from the loop with the lock held before every round of retries (a
	 * stack without its own timer thread runs its timers here). */
	void (*tick)(void *ctx);
	/* How long wait() may sleep at most, in ms, when nothing wakes it (default 1000). A stack
	 * whose wait() cannot see every change sets it lower. */
	int tick_ms;
	/* The descriptor replies are written to; 0 means stdout. A stack that prints on stdout
	 * itself (the rump kernel's console) moves stdout elsewhere and names a copy here. */
	int out_fd;
};

/*
 * Runs a session: writes the HELLO line, then serves requests from stdin, answering on stdout,
 * until QUIT or the end of input. Settings changed with SYSCTL are put back first. Returns the
 * process's exit status (0; 1 when the kit itself could not start). Does not return before.
 */
int kit_run(const struct kit_stack *st);

/* From any thread, with or without the lock: something changed in the stack; the loop retries
 * pending calls now rather than at its next timeout. */
void kit_wake(void);

/* With the lock held (in a callback, or in the stack's own thread while it holds the lock the
 * kit shares, such as lwIP's core lock): the connection local<->peer has been synchronized,
 * for instance the stack's accept callback ran for it. The kit then never reports it as
 * LISTEN once the stack's table no longer has it (RFC 9293 3.10.7.4 returns only a passive
 * open reset in SYN-RECEIVED to LISTEN), even if the application never accepted it. */
void kit_known(const struct sockaddr_storage *local, const struct sockaddr_storage *peer);

#endif
