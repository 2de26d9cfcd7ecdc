/*
 * state.h - the per-OS part of the agent: where a TCP connection's state comes from.
 *
 * Each OS supplies one implementation file: state_linux.c (sock_diag netlink; /proc/sys),
 * state_freebsd.c (the net.inet.tcp.pcblist table; TCP_INFO), state_darwin.c (TCP_CONNECTION_INFO
 * / TCP_INFO on the open socket), state_other.c (everything else: state of the open socket where
 * a TCP_INFO exists, no table). Each file compiles to nothing on the other systems. The agent itself (agent.c) is portable POSIX and only calls
 * these functions.
 */
#ifndef TC_AGENT_STATE_H
#define TC_AGENT_STATE_H

#include <stddef.h>
#include <sys/socket.h>

/* Returned by tc_agent_state when the OS table has no socket with the 4-tuple; the agent then
 * decides between CLOSED (the connection existed and is gone) and LISTEN (a passive open that
 * never got past SYN-RECEIVED, RFC 9293 3.10.7.3), as docs/agent-protocol.md says. */
#define TC_AGENT_STATE_NONE (-2)

/* The OS name the agent announces in its HELLO line ("linux", "freebsd", ...). */
extern const char tc_agent_os[];

/* What one look-up in the OS's socket table found (tc_agent_state). */
struct tc_agent_found {
	/* The listening socket on the local address and port (or the wildcard address and that
	 * port), when the table holds one: how many connections its accept queue holds, and how
	 * many connections on that local address and port the table shows in a state a
	 * connection waiting in an accept queue can be in (ESTABLISHED, CLOSE_WAIT). The
	 * difference is the number of queued connections the table no longer shows: reset (or
	 * aborted) after the handshake completed and before accept(). -1 when not known (no
	 * listener in the table, or the OS does not say). */
	int accept_queue;
	int queue_visible;
};

/*
 * The state of the TCP socket whose local address and port are *local and whose remote address
 * and port are *peer (both of the same family, AF_INET or AF_INET6), as found in the OS's own
 * socket table - including sockets no process holds any more (TIME_WAIT, FIN_WAIT_2 after
 * close, connections still in an accept queue). Returns an enum tc_state (common/names.h),
 * TC_AGENT_STATE_NONE if no socket matches, or -1 with a message in err when the table cannot
 * be read (or the OS offers none: then the message starts with "unsupported"). When found is
 * not NULL it is filled in whatever the result (accept_queue -1 where unknown); the agent uses
 * it to tell a connection that is gone from one that never was (docs/agent-protocol.md STATE).
 */
int tc_agent_state(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		   struct tc_agent_found *found, char *err, size_t cap);

/*
 * The state of the open socket fd (TCP_INFO or the OS's equivalent): the fallback when
 * tc_agent_state is unsupported. Returns an enum tc_state, or -1 with a message in err.
 */
int tc_agent_state_fd(int fd, char *err, size_t cap);

/*
 * Kernel settings for the SYSCTL verb (docs/agent-protocol.md). key is already checked by the
 * parser (dotted words, no "..", no '/'). tc_agent_sysctl_get copies the current value into out
 * (whitespace runs as single spaces, no trailing newline); tc_agent_sysctl_set writes value.
 * Both return 0, or -1 with a message in err that starts with "unsupported" when this OS (or
 * this agent's port to it) cannot set kernel settings, and with "no such sysctl" when the key
 * does not exist.
 */
int tc_agent_sysctl_get(const char *key, char *out, size_t cap, char *err, size_t ecap);
int tc_agent_sysctl_set(const char *key, const char *value, char *err, size_t ecap);

#endif
