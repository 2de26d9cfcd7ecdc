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

/*
 * Replies (docs/agent-protocol.md "Requests and replies"): one codec for every agent and harness
 * that writes them and for the runner that reads them, so a reply means the same thing at both
 * ends of the pipe.
 */
enum ag_reply_kind { AG_R_OK, AG_R_ERR, AG_R_PENDING, AG_R_DONE };

/* The longest ERR code and errno name; the longest OK/ERR text kept. */
#define AG_CODE_MAX 31
#define AG_REPLY_TEXT_MAX 511

struct ag_reply {
	char tag[AG_MAX_TAG + 1]; /* the request's tag, or AG_TAG_UNKNOWN ("*") */
	enum ag_reply_kind kind;
	/* PENDING and DONE: the call named by call= (AG_C_COUNT for a name this runner does not
	 * know, which a newer agent may send) */
	enum ag_call call;
	/* DONE */
	long long ret;
	char errno_name[AG_CODE_MAX + 1]; /* "0", "ECONNRESET", "ERRNO_<n>" */
	int nvalue;                        /* 0, or how many numbers value= had (1 or 2) */
	long long value[2];
	char value_text[48];               /* value= as sent, "" without it */
	int has_data;                      /* data= was given */
	size_t ndata;
	uint8_t data[AG_READ_MAX];
	/* ERR: the code (BADREQ, BADSTATE, UNSUPPORTED, INTERNAL or a newer one) */
	char code[AG_CODE_MAX + 1];
	/* OK: everything after "OK " (key=value pairs); ERR: the free text (cut to the buffer) */
	char text[AG_REPLY_TEXT_MAX + 1];
};

/*
 * Parses one reply line (without "\n"; a trailing "\r" is tolerated). Returns 0 and fills *r, or
 * -1 with a message quoting the offending token in err. Unknown keys are ignored (the versioning
 * rule: agents may add reply keys); missing or malformed required ones (DONE's call=, ret=,
 * errno=; bad hex in data=) are errors, because a runner that guessed would judge a call it did
 * not understand.
 */
int ag_reply_parse(const char *line, size_t len, struct ag_reply *r, char *err, size_t cap);

/* The value of key= among an OK reply's pairs (r->text); returns 1 and copies it (cut to cap),
 * or 0 when the key is absent. */
int ag_reply_get(const struct ag_reply *r, const char *key, char *out, size_t cap);

/*
 * Formatting: each writes one reply line, without its "\n", into out and returns its length, or
 * -1 if it does not fit in cap (the line is then not usable). Bytes outside printable ASCII in
 * free text become '?', so a message can never break the line framing.
 *   ag_fmt_ok:      "TAG OK" or "TAG OK REST"
 *   ag_fmt_err:     "TAG ERR CODE MSG"
 *   ag_fmt_pending: "TAG PENDING call=NAME"
 *   ag_fmt_done:    "TAG DONE call=NAME ret=N errno=NAME [data=HEX] [value=N[,N]]"; err is a
 *                   host errno value (0 for success), data/value optional (NULL or 0).
 */
int ag_fmt_ok(char *out, size_t cap, const char *tag, const char *rest);
int ag_fmt_err(char *out, size_t cap, const char *tag, const char *code, const char *msg);
int ag_fmt_pending(char *out, size_t cap, const char *tag, enum ag_call call);
int ag_fmt_done(char *out, size_t cap, const char *tag, enum ag_call call, long long ret, int err,
		const uint8_t *data, size_t ndata, const int *value, int nvalue);

#endif
