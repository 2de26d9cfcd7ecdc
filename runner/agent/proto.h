/*
 * proto.h - the agent's line protocol, version 1 (docs/agent-protocol.md), as pure functions:
 * one request line in, one struct ag_request out, or a precise error. Nothing here touches a
 * socket, so the parser can be unit-tested and fuzzed on its own (tests/unit/test_agent_proto.c).
 */
#ifndef TC_AGENT_PROTO_H
#define TC_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The protocol version the agent announces in its HELLO line. */
#define AG_PROTO_VERSION 1
/* The longest line, in bytes, not counting its terminating "\n" (requests and replies alike). */
#define AG_MAX_LINE 65536
/* The longest tag: a tag is 1 to AG_MAX_TAG decimal digits. */
#define AG_MAX_TAG 20
/* The largest `read len=`: the hex of that many bytes plus the DONE line's other fields stays
 * well under AG_MAX_LINE, so every reply fits in one line. */
#define AG_READ_MAX 32000
/* The largest `write len=` (filler bytes); large writes are how a case fills the send buffer. */
#define AG_WRITE_LEN_MAX (64u * 1024 * 1024)
/* The largest `write data=`: it is bounded by the line length anyway. */
#define AG_DATA_MAX (AG_MAX_LINE / 2)
/* The tag used in an ERR reply to a line whose own tag could not be read. */
#define AG_TAG_UNKNOWN "*"

/* AG_V_SYSCTL was added after version 1 shipped, compatibly (docs/agent-protocol.md,
 * "Versioning"): an agent without it answers ERR BADREQ. */
enum ag_verb { AG_V_CONFIG, AG_V_CALL, AG_V_STATE, AG_V_PING, AG_V_QUIT, AG_V_SYSCTL };

/* SYSCTL: the longest key and value (the value as sent: ',' stands for a space). */
#define AG_SYSCTL_KEY_MAX 127
#define AG_SYSCTL_VALUE_MAX 255

enum ag_call {
	AG_C_LISTEN,
	AG_C_ACCEPT,
	AG_C_CONNECT,
	AG_C_WRITE,
	AG_C_READ,
	AG_C_SHUTDOWN,
	AG_C_CLOSE,
	AG_C_SETSOCKOPT,
	AG_C_GETSOCKOPT,
	AG_C_COUNT
};

/* Which socket a CALL acts on; AG_S_DEFAULT is "the conn if open, else the listener, else pre". */
enum ag_sock { AG_S_DEFAULT, AG_S_LISTENER, AG_S_CONN };

/* The socket options a request may name. Whether the OS has each one is the agent's business
 * (an option the OS lacks is ERR UNSUPPORTED there); the parser only knows the names. */
enum ag_opt {
	AG_O_SO_LINGER,
	AG_O_SO_KEEPALIVE,
	AG_O_SO_RCVBUF,
	AG_O_SO_SNDBUF,
	AG_O_SO_REUSEADDR,
	AG_O_TCP_NODELAY,
	AG_O_TCP_KEEPIDLE,
	AG_O_TCP_KEEPINTVL,
	AG_O_TCP_KEEPCNT,
	AG_O_TCP_DEFER_ACCEPT,
	AG_O_TCP_QUICKACK,
	AG_O_TCP_MAXSEG,
	AG_O_TCP_USER_TIMEOUT,
	AG_O_TCP_CORK,
	AG_O_COUNT
};

/* One parsed request. Fields beyond tag and verb are meaningful only for the verb (and call)
 * that uses them; the parser has already checked presence, ranges and combinations. */
struct ag_request {
	char tag[AG_MAX_TAG + 1];
	enum ag_verb verb;

	/* CONFIG: both addresses carry their ports; family is AF_INET or AF_INET6. */
	int family;
	struct sockaddr_storage local, peer;

	/* CALL; and STATE, where sock=listener asks for the listener's own state and no sock (or
	 * sock=conn) for the connection's */
	enum ag_call call;
	enum ag_sock sock;
	int backlog;       /* listen; 128 when not given */
	int how;           /* shutdown: SHUT_RD, SHUT_WR or SHUT_RDWR */
	size_t len;        /* write len= / data length, or read len= (AG_READ_MAX when not given) */
	int has_data;      /* write: 1 if data= was given (bytes in data), 0 for filler of len bytes */
	enum ag_opt opt;   /* setsockopt / getsockopt */
	int value[2];      /* setsockopt */
	int nvalue;        /* how many of value[] were given; always the option's arity */

	/* SYSCTL: a dotted key of letters, digits, '_' and '-' (net.ipv4.tcp_rfc1337), and the
	 * value with each ',' already turned into a space (multi-number values like tcp_rmem). */
	char sysctl_key[AG_SYSCTL_KEY_MAX + 1];
	char sysctl_value[AG_SYSCTL_VALUE_MAX + 1];
	uint8_t data[AG_DATA_MAX];
};

/*
 * Parses one request line (without its "\n"; a trailing "\r" is tolerated). line need not be
 * NUL-terminated and may contain any bytes. Returns 0 and fills *rq, 1 for an empty line (to be
 * ignored, no reply), or -1 with a message in err; rq->tag then holds the line's tag if it could
 * be read, else AG_TAG_UNKNOWN, so the caller can address its ERR BADREQ reply.
 */
int ag_parse(const char *line, size_t len, struct ag_request *rq, char *err, size_t cap);

/* The protocol name of a call ("listen") / of an option ("SO_LINGER"); "?" when out of range. */
const char *ag_call_name(int call);
const char *ag_opt_name(int opt);
/* How many comma-separated numbers the option's value has: 2 for SO_LINGER, else 1. */
int ag_opt_arity(int opt);

/* The symbolic name of an errno value ("ECONNRESET"; "0" for 0). Values without a name are
 * written as "ERRNO_<n>" into buf (cap >= 24), which is then returned. */
const char *ag_errno_name(int e, char *buf, size_t cap);

/* Writes n bytes as lower-case hex plus a NUL into out. Returns 0, or -1 if cap < 2n+1. */
int ag_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap);

#endif
