/*
 * proto.c - parsing of the agent protocol's request lines (see proto.h, docs/agent-protocol.md).
 *
 * The parser is strict on purpose: a request the agent half-understands would make a case test
 * something other than what it says, so every unknown key, duplicate key, missing key, bad
 * number and stray byte is an ERR BADREQ that quotes the offending token.
 */
#include "proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* No request needs more than 7 fields (CONFIG); 16 leaves room and still bounds the work. */
#define MAX_FIELDS 16
/* Tokens quoted in error messages are cut to this many bytes, so a huge token cannot crowd out
 * the message (replies must fit in one line). */
#define QUOTE_MAX 40

struct tok {
	const char *p;
	size_t n;
};

struct kv {
	struct tok key, val;
};

static const char *const call_names[AG_C_COUNT] = {
	[AG_C_LISTEN] = "listen",
	[AG_C_ACCEPT] = "accept",
	[AG_C_CONNECT] = "connect",
	[AG_C_WRITE] = "write",
	[AG_C_READ] = "read",
	[AG_C_SHUTDOWN] = "shutdown",
	[AG_C_CLOSE] = "close",
	[AG_C_SETSOCKOPT] = "setsockopt",
	[AG_C_GETSOCKOPT] = "getsockopt",
};

/* The keys each call accepts. listen and connect take no sock= because they create the socket
 * they act on; accept acts on the listener only, so sock=listener is the one value it allows. */
static const char *const call_keys[AG_C_COUNT][5] = {
	[AG_C_LISTEN] = {"backlog", NULL},
	[AG_C_ACCEPT] = {"sock", NULL},
	[AG_C_CONNECT] = {NULL},
	[AG_C_WRITE] = {"len", "data", "sock", NULL},
	[AG_C_READ] = {"len", "sock", NULL},
	[AG_C_SHUTDOWN] = {"how", "sock", NULL},
	[AG_C_CLOSE] = {"sock", NULL},
	[AG_C_SETSOCKOPT] = {"opt", "value", "sock", NULL},
	[AG_C_GETSOCKOPT] = {"opt", "sock", NULL},
};

static const char *const verb_names[] = {
	[AG_V_CONFIG] = "CONFIG", [AG_V_CALL] = "CALL", [AG_V_STATE] = "STATE",
	[AG_V_PING] = "PING", [AG_V_QUIT] = "QUIT", [AG_V_SYSCTL] = "SYSCTL",
};

static const char *const config_keys[] = {"family", "local", "port", "peer", "peer_port", NULL};
static const char *const no_keys[] = {NULL};
/* STATE sock=listener (an addition to version 1): the listener's own state, not the
 * connection's. */
static const char *const state_keys[] = {"sock", NULL};
static const char *const sysctl_keys[] = {"key", "value", NULL};

static const char *const opt_names[AG_O_COUNT] = {
	[AG_O_SO_LINGER] = "SO_LINGER",
	[AG_O_SO_KEEPALIVE] = "SO_KEEPALIVE",
	[AG_O_SO_RCVBUF] = "SO_RCVBUF",
	[AG_O_SO_SNDBUF] = "SO_SNDBUF",
	[AG_O_SO_REUSEADDR] = "SO_REUSEADDR",
	[AG_O_TCP_NODELAY] = "TCP_NODELAY",
	[AG_O_TCP_KEEPIDLE] = "TCP_KEEPIDLE",
	[AG_O_TCP_KEEPINTVL] = "TCP_KEEPINTVL",
	[AG_O_TCP_KEEPCNT] = "TCP_KEEPCNT",
	[AG_O_TCP_DEFER_ACCEPT] = "TCP_DEFER_ACCEPT",
	[AG_O_TCP_QUICKACK] = "TCP_QUICKACK",
	[AG_O_TCP_MAXSEG] = "TCP_MAXSEG",
	[AG_O_TCP_USER_TIMEOUT] = "TCP_USER_TIMEOUT",
	[AG_O_TCP_CORK] = "TCP_CORK",
};

const char *ag_call_name(int call)
{
	if (call < 0 || call >= AG_C_COUNT)
		return "?";
	return call_names[call];
}

const char *ag_opt_name(int opt)
{
	if (opt < 0 || opt >= AG_O_COUNT)
		return "?";
	return opt_names[opt];
}

int ag_opt_arity(int opt)
{
	/* SO_LINGER is the one option whose value is a pair (struct linger: onoff, seconds). */
	return opt == AG_O_SO_LINGER ? 2 : 1;
}

/* The errno values a socket call can plausibly report. Aliases (EWOULDBLOCK, ENOTSUP on Linux)
 * come after their canonical name so the first match gives the name the docs use. */
static const struct {
	int e;
	const char *name;
} errno_names[] = {
	{EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {EINTR, "EINTR"}, {EIO, "EIO"},
	{EBADF, "EBADF"}, {EAGAIN, "EAGAIN"}, {EWOULDBLOCK, "EWOULDBLOCK"}, {ENOMEM, "ENOMEM"},
	{EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"}, {EEXIST, "EEXIST"},
	{EINVAL, "EINVAL"}, {ENFILE, "ENFILE"}, {EMFILE, "EMFILE"}, {ENOSPC, "ENOSPC"},
	{EPIPE, "EPIPE"}, {ERANGE, "ERANGE"}, {ENOSYS, "ENOSYS"}, {ENOTSOCK, "ENOTSOCK"},
	{EDESTADDRREQ, "EDESTADDRREQ"}, {EMSGSIZE, "EMSGSIZE"}, {EPROTOTYPE, "EPROTOTYPE"},
	{ENOPROTOOPT, "ENOPROTOOPT"}, {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
	{EOPNOTSUPP, "EOPNOTSUPP"}, {ENOTSUP, "ENOTSUP"}, {EAFNOSUPPORT, "EAFNOSUPPORT"},
	{EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {ENETDOWN, "ENETDOWN"},
	{ENETUNREACH, "ENETUNREACH"}, {ENETRESET, "ENETRESET"}, {ECONNABORTED, "ECONNABORTED"},
	{ECONNRESET, "ECONNRESET"}, {ENOBUFS, "ENOBUFS"}, {EISCONN, "EISCONN"},
	{ENOTCONN, "ENOTCONN"}, {ETIMEDOUT, "ETIMEDOUT"}, {ECONNREFUSED, "ECONNREFUSED"},
	{EHOSTUNREACH, "EHOSTUNREACH"}, {EALREADY, "EALREADY"}, {EINPROGRESS, "EINPROGRESS"},
#ifdef ESHUTDOWN
	{ESHUTDOWN, "ESHUTDOWN"},
#endif
#ifdef EHOSTDOWN
	{EHOSTDOWN, "EHOSTDOWN"},
#endif
#ifdef EPROTO
	{EPROTO, "EPROTO"},
#endif
};

const char *ag_errno_name(int e, char *buf, size_t cap)
{
	if (e == 0)
		return "0";
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].e == e)
			return errno_names[i].name;
	snprintf(buf, cap, "ERRNO_%d", e);
	return buf;
}

int ag_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	if (cap == 0 || n > (cap - 1) / 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

static void seterr(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	if (cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

/* For "%.*s" with a token cut to QUOTE_MAX bytes; the caller appends "..." via qdots. */
static int qlen(struct tok t)
{
	return (int)(t.n > QUOTE_MAX ? QUOTE_MAX : t.n);
}
static const char *qdots(struct tok t)
{
	return t.n > QUOTE_MAX ? "..." : "";
}

static int tok_is(struct tok t, const char *s)
{
	size_t n = strlen(s);
	return t.n == n && memcmp(t.p, s, n) == 0;
}

static int all_digits(struct tok t)
{
	if (t.n == 0)
		return 0;
	for (size_t i = 0; i < t.n; i++)
		if (t.p[i] < '0' || t.p[i] > '9')
			return 0;
	return 1;
}

/* Parses a decimal number in [0, max]. Returns 0 or -1. */
static int parse_uint(struct tok t, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	if (!all_digits(t))
		return -1;
	for (size_t i = 0; i < t.n; i++) {
		unsigned d = (unsigned)(t.p[i] - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Parses a decimal int with an optional leading '-' (setsockopt values may be negative so that
 * a case can test how a stack rejects them). Returns 0 or -1. */
static int parse_int(struct tok t, int *out)
{
	unsigned long long v;
	int neg = t.n > 0 && t.p[0] == '-';
	struct tok digits = {t.p + neg, t.n - (size_t)neg};
	/* INT_MIN's magnitude is one more than INT_MAX's. */
	if (parse_uint(digits, neg ? 2147483648ull : 2147483647ull, &v) != 0)
		return -1;
	*out = neg ? (int)(-(long long)v) : (int)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Looks a key up among the parsed pairs; returns its value token or NULL. */
static const struct tok *find(const struct kv *kv, int nkv, const char *key)
{
	for (int i = 0; i < nkv; i++)
		if (tok_is(kv[i].key, key))
			return &kv[i].val;
	return NULL;
}

/* Splits fields[from..] into key=value pairs and checks every key is allowed and appears once.
 * what names the request for messages ("CONFIG", "CALL write"). */
static int split_kv(const struct tok *f, int nf, int from, const char *const *allowed,
		    const char *what, struct kv *kv, int *nkv, char *err, size_t cap)
{
	*nkv = 0;
	for (int i = from; i < nf; i++) {
		const char *eq = memchr(f[i].p, '=', f[i].n);
		struct kv p;
		int ok = 0;
		if (eq == NULL || eq == f[i].p || eq == f[i].p + f[i].n - 1) {
			seterr(err, cap, "%s: expected key=value, got \"%.*s%s\"", what, qlen(f[i]),
			       f[i].p, qdots(f[i]));
			return -1;
		}
		p.key = (struct tok){f[i].p, (size_t)(eq - f[i].p)};
		p.val = (struct tok){eq + 1, f[i].n - p.key.n - 1};
		for (const char *const *a = allowed; *a; a++)
			ok |= tok_is(p.key, *a);
		if (!ok) {
			seterr(err, cap, "%s: unknown key \"%.*s%s\"", what, qlen(p.key), p.key.p,
			       qdots(p.key));
			return -1;
		}
		for (int j = 0; j < *nkv; j++)
			if (kv[j].key.n == p.key.n && memcmp(kv[j].key.p, p.key.p, p.key.n) == 0) {
				seterr(err, cap, "%s: key \"%.*s\" given twice", what, qlen(p.key),
				       p.key.p);
				return -1;
			}
		kv[(*nkv)++] = p;
	}
	return 0;
}

/* Parses "ADDR" of the given family and a port into a sockaddr. */
static int parse_addr(struct tok a, struct tok port, int family, struct sockaddr_storage *ss,
		      const char *key, char *err, size_t cap)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned long long p;
	memset(ss, 0, sizeof(*ss));
	if (parse_uint(port, 65535, &p) != 0 || p == 0) {
		seterr(err, cap, "CONFIG: bad port for %s: \"%.*s%s\" (want 1..65535)", key,
		       qlen(port), port.p, qdots(port));
		return -1;
	}
	if (a.n >= sizeof(buf))
		goto bad;
	memcpy(buf, a.p, a.n);
	buf[a.n] = '\0';
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
			goto bad;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
			goto bad;
	}
	return 0;
bad:
	seterr(err, cap, "CONFIG: %s=\"%.*s%s\" is not an IPv%d address", key, qlen(a), a.p,
	       qdots(a), family == AF_INET ? 4 : 6);
	return -1;
}

static int parse_config(const struct tok *f, int nf, struct ag_request *rq, char *err,
			size_t cap)
{
	struct kv kv[MAX_FIELDS];
	int nkv;
	const struct tok *fam, *loc, *port, *peer, *pport;
	if (split_kv(f, nf, 2, config_keys, "CONFIG", kv, &nkv, err, cap) != 0)
		return -1;
	for (const char *const *k = config_keys; *k; k++)
		if (find(kv, nkv, *k) == NULL) {
			seterr(err, cap, "CONFIG: missing key \"%s\"", *k);
			return -1;
		}
	fam = find(kv, nkv, "family");
	loc = find(kv, nkv, "local");
	port = find(kv, nkv, "port");
	peer = find(kv, nkv, "peer");
	pport = find(kv, nkv, "peer_port");
	if (tok_is(*fam, "4"))
		rq->family = AF_INET;
	else if (tok_is(*fam, "6"))
		rq->family = AF_INET6;
	else {
		seterr(err, cap, "CONFIG: family must be 4 or 6, got \"%.*s%s\"", qlen(*fam), fam->p,
		       qdots(*fam));
		return -1;
	}
	if (parse_addr(*loc, *port, rq->family, &rq->local, "local", err, cap) != 0)
		return -1;
	return parse_addr(*peer, *pport, rq->family, &rq->peer, "peer", err, cap);
}

/*
 * SYSCTL key=NAME value=VALUE. The key is checked here rather than by the agent because a key is
 * turned into a path (/proc/sys/...): dotted components of letters, digits, '_' and '-', none
 * empty, so no component can be ".." or climb out of the tree.
 */
static int parse_sysctl(const struct tok *f, int nf, struct ag_request *rq, char *err,
			size_t cap)
{
	struct kv kv[MAX_FIELDS];
	int nkv;
	const struct tok *key, *val;
	if (split_kv(f, nf, 2, sysctl_keys, "SYSCTL", kv, &nkv, err, cap) != 0)
		return -1;
	for (const char *const *k = sysctl_keys; *k; k++)
		if (find(kv, nkv, *k) == NULL) {
			seterr(err, cap, "SYSCTL: missing key \"%s\"", *k);
			return -1;
		}
	key = find(kv, nkv, "key");
	val = find(kv, nkv, "value");
	if (key->n > AG_SYSCTL_KEY_MAX) {
		seterr(err, cap, "SYSCTL: key \"%.*s%s\" longer than %d bytes", qlen(*key), key->p,
		       qdots(*key), AG_SYSCTL_KEY_MAX);
		return -1;
	}
	for (size_t i = 0; i < key->n; i++) {
		char c = key->p[i];
		int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '_' || c == '-';
		int dot_ok = c == '.' && i > 0 && i + 1 < key->n && key->p[i - 1] != '.';
		if (!word && !dot_ok) {
			seterr(err, cap, "SYSCTL: bad key \"%.*s%s\" (want dotted words of letters, "
			       "digits, '_' and '-', e.g. net.ipv4.tcp_rfc1337)", qlen(*key), key->p,
			       qdots(*key));
			return -1;
		}
	}
	if (val->n > AG_SYSCTL_VALUE_MAX) {
		seterr(err, cap, "SYSCTL: value longer than %d bytes", AG_SYSCTL_VALUE_MAX);
		return -1;
	}
	memcpy(rq->sysctl_key, key->p, key->n);
	rq->sysctl_key[key->n] = '\0';
	/* Fields cannot hold spaces; ',' separates the numbers of a multi-number value. */
	for (size_t i = 0; i < val->n; i++)
		rq->sysctl_value[i] = val->p[i] == ',' ? ' ' : val->p[i];
	rq->sysctl_value[val->n] = '\0';
	return 0;
}

static int parse_opt(struct tok t, enum ag_opt *out)
{
	for (int i = 0; i < AG_O_COUNT; i++)
		if (tok_is(t, opt_names[i])) {
			*out = (enum ag_opt)i;
			return 0;
		}
	return -1;
}

static int parse_call(const struct tok *f, int nf, struct ag_request *rq, char *err, size_t cap)
{
	struct kv kv[MAX_FIELDS];
	int nkv, c;
	char what[32];
	const struct tok *t;
	unsigned long long n;

	if (nf < 3) {
		seterr(err, cap, "CALL: missing call name");
		return -1;
	}
	for (c = 0; c < AG_C_COUNT; c++)
		if (tok_is(f[2], call_names[c]))
			break;
	if (c == AG_C_COUNT) {
		seterr(err, cap, "CALL: unknown call \"%.*s%s\"", qlen(f[2]), f[2].p, qdots(f[2]));
		return -1;
	}
	rq->call = (enum ag_call)c;
	snprintf(what, sizeof(what), "CALL %s", call_names[c]);
	if (split_kv(f, nf, 3, call_keys[c], what, kv, &nkv, err, cap) != 0)
		return -1;

	rq->sock = AG_S_DEFAULT;
	if ((t = find(kv, nkv, "sock")) != NULL) {
		if (tok_is(*t, "listener"))
			rq->sock = AG_S_LISTENER;
		else if (tok_is(*t, "conn") && rq->call != AG_C_ACCEPT)
			rq->sock = AG_S_CONN;
		else {
			seterr(err, cap, "%s: bad sock \"%.*s%s\" (want %s)", what, qlen(*t), t->p,
			       qdots(*t),
			       rq->call == AG_C_ACCEPT ? "listener" : "listener or conn");
			return -1;
		}
	}

	switch (rq->call) {
	case AG_C_LISTEN:
		rq->backlog = 128;
		if ((t = find(kv, nkv, "backlog")) != NULL) {
			if (parse_uint(*t, 65535, &n) != 0) {
				seterr(err, cap, "%s: bad backlog \"%.*s%s\" (want 0..65535)", what,
				       qlen(*t), t->p, qdots(*t));
				return -1;
			}
			rq->backlog = (int)n;
		}
		break;
	case AG_C_WRITE: {
		const struct tok *len = find(kv, nkv, "len"), *data = find(kv, nkv, "data");
		if ((len == NULL) == (data == NULL)) {
			seterr(err, cap, "%s: give exactly one of len= and data=", what);
			return -1;
		}
		if (len != NULL) {
			if (parse_uint(*len, AG_WRITE_LEN_MAX, &n) != 0) {
				seterr(err, cap, "%s: bad len \"%.*s%s\" (want 0..%u)", what,
				       qlen(*len), len->p, qdots(*len), AG_WRITE_LEN_MAX);
				return -1;
			}
			rq->len = (size_t)n;
			rq->has_data = 0;
			break;
		}
		if (data->n % 2 != 0 || data->n / 2 > AG_DATA_MAX) {
			seterr(err, cap, "%s: data has %zu hex digits (want an even number, at most %d)",
			       what, data->n, 2 * AG_DATA_MAX);
			return -1;
		}
		for (size_t i = 0; i < data->n; i += 2) {
			int hi = hexval(data->p[i]), lo = hexval(data->p[i + 1]);
			if (hi < 0 || lo < 0) {
				seterr(err, cap, "%s: data is not lower-case hex at digit %zu ('%c%c')",
				       what, i + (hi < 0 ? 0 : 1), data->p[i], data->p[i + 1]);
				return -1;
			}
			rq->data[i / 2] = (uint8_t)(hi << 4 | lo);
		}
		rq->len = data->n / 2;
		rq->has_data = 1;
		break;
	}
	case AG_C_READ:
		rq->len = AG_READ_MAX;
		if ((t = find(kv, nkv, "len")) != NULL) {
			if (parse_uint(*t, AG_READ_MAX, &n) != 0 || n == 0) {
				seterr(err, cap, "%s: bad len \"%.*s%s\" (want 1..%d)", what, qlen(*t),
				       t->p, qdots(*t), AG_READ_MAX);
				return -1;
			}
			rq->len = (size_t)n;
		}
		break;
	case AG_C_SHUTDOWN:
		if ((t = find(kv, nkv, "how")) == NULL) {
			seterr(err, cap, "%s: missing key \"how\"", what);
			return -1;
		}
		if (tok_is(*t, "rd"))
			rq->how = SHUT_RD;
		else if (tok_is(*t, "wr"))
			rq->how = SHUT_WR;
		else if (tok_is(*t, "rdwr"))
			rq->how = SHUT_RDWR;
		else {
			seterr(err, cap, "%s: bad how \"%.*s%s\" (want rd, wr or rdwr)", what,
			       qlen(*t), t->p, qdots(*t));
			return -1;
		}
		break;
	case AG_C_SETSOCKOPT:
	case AG_C_GETSOCKOPT: {
		const struct tok *o = find(kv, nkv, "opt");
		if (o == NULL) {
			seterr(err, cap, "%s: missing key \"opt\"", what);
			return -1;
		}
		if (parse_opt(*o, &rq->opt) != 0) {
			seterr(err, cap, "%s: unknown option \"%.*s%s\"", what, qlen(*o), o->p,
			       qdots(*o));
			return -1;
		}
		if (rq->call == AG_C_GETSOCKOPT)
			break;
		if ((t = find(kv, nkv, "value")) == NULL) {
			seterr(err, cap, "%s: missing key \"value\"", what);
			return -1;
		}
		{
			int arity = ag_opt_arity(rq->opt);
			const char *comma = memchr(t->p, ',', t->n);
			struct tok a = *t, b = {NULL, 0};
			if (comma != NULL) {
				a.n = (size_t)(comma - t->p);
				b = (struct tok){comma + 1, t->n - a.n - 1};
			}
			if ((arity == 2) != (comma != NULL) || parse_int(a, &rq->value[0]) != 0 ||
			    (arity == 2 && parse_int(b, &rq->value[1]) != 0)) {
				seterr(err, cap, "%s: bad value \"%.*s%s\" for %s (want %s)", what,
				       qlen(*t), t->p, qdots(*t), opt_names[rq->opt],
				       arity == 2 ? "N,N" : "N");
				return -1;
			}
			rq->nvalue = arity;
		}
		break;
	}
	case AG_C_ACCEPT:
	case AG_C_CONNECT:
	case AG_C_CLOSE:
	case AG_C_COUNT:
		break;
	}
	return 0;
}

int ag_parse(const char *line, size_t len, struct ag_request *rq, char *err, size_t cap)
{
	struct tok f[MAX_FIELDS];
	int nf = 0, too_many = 0;
	size_t i = 0;

	memset(rq, 0, offsetof(struct ag_request, data));
	strcpy(rq->tag, AG_TAG_UNKNOWN);
	if (len > 0 && line[len - 1] == '\r')
		len--;

	/* Fields are separated by runs of spaces; the split comes first so the tag is known
	 * (and echoed) even when a later byte of the line is bad. */
	while (i < len) {
		size_t start;
		while (i < len && line[i] == ' ')
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && line[i] != ' ')
			i++;
		if (nf == MAX_FIELDS) {
			too_many = 1;
			break;
		}
		f[nf++] = (struct tok){line + start, i - start};
	}
	if (nf == 0)
		return 1;
	if (all_digits(f[0]) && f[0].n <= AG_MAX_TAG) {
		memcpy(rq->tag, f[0].p, f[0].n);
		rq->tag[f[0].n] = '\0';
	} else {
		seterr(err, cap, "bad tag \"%.*s%s\" (want 1..%d decimal digits)", qlen(f[0]), f[0].p,
		       qdots(f[0]), AG_MAX_TAG);
		return -1;
	}
	if (too_many) {
		seterr(err, cap, "too many fields (at most %d)", MAX_FIELDS);
		return -1;
	}
	/* Only printable ASCII: control bytes, NULs and 8-bit bytes mean the stream is corrupt. */
	for (size_t j = 0; j < len; j++)
		if ((unsigned char)line[j] < 0x20 || (unsigned char)line[j] > 0x7e) {
			seterr(err, cap, "byte 0x%02x at column %zu is not printable ASCII",
			       (unsigned char)line[j], j + 1);
			return -1;
		}
	if (nf < 2) {
		seterr(err, cap, "missing verb");
		return -1;
	}
	if (tok_is(f[1], "CONFIG")) {
		rq->verb = AG_V_CONFIG;
		return parse_config(f, nf, rq, err, cap);
	}
	if (tok_is(f[1], "CALL")) {
		rq->verb = AG_V_CALL;
		return parse_call(f, nf, rq, err, cap);
	}
	if (tok_is(f[1], "SYSCTL")) {
		rq->verb = AG_V_SYSCTL;
		return parse_sysctl(f, nf, rq, err, cap);
	}
	if (tok_is(f[1], "STATE")) {
		struct kv kv[MAX_FIELDS];
		const struct tok *t;
		int nkv;
		rq->verb = AG_V_STATE;
		rq->sock = AG_S_DEFAULT;
		if (split_kv(f, nf, 2, state_keys, "STATE", kv, &nkv, err, cap) != 0)
			return -1;
		if ((t = find(kv, nkv, "sock")) != NULL) {
			if (tok_is(*t, "listener"))
				rq->sock = AG_S_LISTENER;
			else if (tok_is(*t, "conn"))
				rq->sock = AG_S_CONN;
			else {
				seterr(err, cap, "STATE: bad sock \"%.*s%s\" (want listener or conn)",
				       qlen(*t), t->p, qdots(*t));
				return -1;
			}
		}
		return 0;
	}
	if (tok_is(f[1], "PING"))
		rq->verb = AG_V_PING;
	else if (tok_is(f[1], "QUIT"))
		rq->verb = AG_V_QUIT;
	else {
		seterr(err, cap, "unknown verb \"%.*s%s\"", qlen(f[1]), f[1].p, qdots(f[1]));
		return -1;
	}
	if (nf > 2) {
		struct kv kv[MAX_FIELDS];
		int nkv;
		return split_kv(f, nf, 2, no_keys, verb_names[rq->verb], kv, &nkv, err, cap);
	}
	return 0;
}

/* ---- Replies ---------------------------------------------------------------------------- */

/* A signed decimal number (an optional '-', then digits), within long long. */
static int parse_ll(struct tok t, long long *out)
{
	unsigned long long v;
	int neg = t.n > 0 && t.p[0] == '-';
	struct tok d = {t.p + neg, t.n - (size_t)neg};
	if (parse_uint(d, neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX,
		       &v) != 0)
		return -1;
	*out = neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v)
		   : (long long)v;
	return 0;
}

/* Copies a token into a NUL-terminated buffer, cut to cap - 1 bytes. */
static void tok_copy(struct tok t, char *out, size_t cap)
{
	size_t n = t.n < cap - 1 ? t.n : cap - 1;
	memcpy(out, t.p, n);
	out[n] = '\0';
}

/* The value token of key= among fields f[from..nf), or NULL. */
static const struct tok *reply_key(const struct tok *f, int nf, int from, const char *key,
				   struct tok *val)
{
	size_t kl = strlen(key);
	for (int i = from; i < nf; i++)
		if (f[i].n > kl && f[i].p[kl] == '=' && memcmp(f[i].p, key, kl) == 0) {
			*val = (struct tok){f[i].p + kl + 1, f[i].n - kl - 1};
			return val;
		}
	return NULL;
}

static int parse_done(const struct tok *f, int nf, struct ag_reply *r, char *err, size_t cap)
{
	struct tok v;
	if (!reply_key(f, nf, 2, "ret", &v) || parse_ll(v, &r->ret) != 0) {
		seterr(err, cap, "DONE without a number in ret=");
		return -1;
	}
	if (!reply_key(f, nf, 2, "errno", &v) || v.n == 0 || v.n > AG_CODE_MAX) {
		seterr(err, cap, "DONE without errno=");
		return -1;
	}
	tok_copy(v, r->errno_name, sizeof(r->errno_name));
	if (reply_key(f, nf, 2, "value", &v)) {
		const char *comma = memchr(v.p, ',', v.n);
		struct tok a = {v.p, comma ? (size_t)(comma - v.p) : v.n};
		struct tok b = {comma ? comma + 1 : v.p, comma ? v.n - a.n - 1 : 0};
		if (v.n >= sizeof(r->value_text) || parse_ll(a, &r->value[0]) != 0 ||
		    (comma && parse_ll(b, &r->value[1]) != 0)) {
			seterr(err, cap, "DONE: bad value=\"%.*s%s\" (want N or N,N)", qlen(v), v.p,
			       qdots(v));
			return -1;
		}
		r->nvalue = comma ? 2 : 1;
		tok_copy(v, r->value_text, sizeof(r->value_text));
	}
	if (reply_key(f, nf, 2, "data", &v)) {
		if (v.n % 2 != 0 || v.n / 2 > sizeof(r->data)) {
			seterr(err, cap, "DONE: data= of %zu hex digits (want an even number, at most %zu)",
			       v.n, 2 * sizeof(r->data));
			return -1;
		}
		for (size_t i = 0; i < v.n; i += 2) {
			/* Agents write lower case; upper case is read too, as a reader should. */
			char hi = (char)(v.p[i] | (v.p[i] >= 'A' && v.p[i] <= 'F' ? 0x20 : 0));
			char lo = (char)(v.p[i + 1] |
					 (v.p[i + 1] >= 'A' && v.p[i + 1] <= 'F' ? 0x20 : 0));
			if (hexval(hi) < 0 || hexval(lo) < 0) {
				seterr(err, cap, "DONE: bad hex in data= at digit %zu", i + 1);
				return -1;
			}
			r->data[i / 2] = (uint8_t)(hexval(hi) << 4 | hexval(lo));
		}
		r->has_data = 1;
		r->ndata = v.n / 2;
	}
	return 0;
}

int ag_reply_parse(const char *line, size_t len, struct ag_reply *r, char *err, size_t cap)
{
	/* A DONE has at most call, ret, errno, data and value; newer agents may add keys, so the
	 * field limit is generous, and fields past it are ignored like unknown keys. */
	struct tok f[4 * MAX_FIELDS];
	int nf = 0;
	size_t i = 0;

	memset(r, 0, offsetof(struct ag_reply, data));
	strcpy(r->tag, AG_TAG_UNKNOWN);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (size_t j = 0; j < len; j++)
		if ((unsigned char)line[j] < 0x20 || (unsigned char)line[j] > 0x7e) {
			seterr(err, cap, "byte 0x%02x at column %zu is not printable ASCII",
			       (unsigned char)line[j], j + 1);
			return -1;
		}
	while (i < len && nf < (int)(sizeof(f) / sizeof(f[0]))) {
		size_t start;
		while (i < len && line[i] == ' ')
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && line[i] != ' ')
			i++;
		f[nf++] = (struct tok){line + start, i - start};
	}
	if (nf < 2) {
		seterr(err, cap, "a reply needs a tag and a kind: \"%.*s%s\"", (int)(len > QUOTE_MAX ? QUOTE_MAX : len),
		       line, len > QUOTE_MAX ? "..." : "");
		return -1;
	}
	if ((all_digits(f[0]) && f[0].n <= AG_MAX_TAG) || tok_is(f[0], AG_TAG_UNKNOWN)) {
		tok_copy(f[0], r->tag, sizeof(r->tag));
	} else {
		seterr(err, cap, "bad tag \"%.*s%s\" in a reply", qlen(f[0]), f[0].p, qdots(f[0]));
		return -1;
	}
	/* The text after the kind, for OK's pairs and ERR's message. */
	const char *rest = f[1].p + f[1].n;
	size_t nrest = (size_t)(line + len - rest);
	while (nrest > 0 && *rest == ' ')
		rest++, nrest--;
	if (tok_is(f[1], "OK")) {
		r->kind = AG_R_OK;
		tok_copy((struct tok){rest, nrest}, r->text, sizeof(r->text));
		return 0;
	}
	if (tok_is(f[1], "ERR")) {
		r->kind = AG_R_ERR;
		if (nf < 3 || f[2].n > AG_CODE_MAX) {
			seterr(err, cap, "ERR without a code");
			return -1;
		}
		tok_copy(f[2], r->code, sizeof(r->code));
		rest = f[2].p + f[2].n;
		nrest = (size_t)(line + len - rest);
		while (nrest > 0 && *rest == ' ')
			rest++, nrest--;
		tok_copy((struct tok){rest, nrest}, r->text, sizeof(r->text));
		return 0;
	}
	int pending = tok_is(f[1], "PENDING");
	if (!pending && !tok_is(f[1], "DONE")) {
		seterr(err, cap, "unknown reply \"%.*s%s\" (want OK, ERR, PENDING or DONE)", qlen(f[1]),
		       f[1].p, qdots(f[1]));
		return -1;
	}
	r->kind = pending ? AG_R_PENDING : AG_R_DONE;
	struct tok v;
	if (!reply_key(f, nf, 2, "call", &v)) {
		seterr(err, cap, "%s without call=", pending ? "PENDING" : "DONE");
		return -1;
	}
	r->call = AG_C_COUNT;
	for (int c = 0; c < AG_C_COUNT; c++)
		if (tok_is(v, call_names[c]))
			r->call = (enum ag_call)c;
	return pending ? 0 : parse_done(f, nf, r, err, cap);
}

int ag_reply_get(const struct ag_reply *r, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	for (const char *p = r->text; (p = strstr(p, key)) != NULL; p += kl)
		if ((p == r->text || p[-1] == ' ') && p[kl] == '=') {
			const char *v = p + kl + 1;
			tok_copy((struct tok){v, strcspn(v, " ")}, out, cap);
			return 1;
		}
	return 0;
}

/* Appends printf output to out[*n..cap); returns -1 once it no longer fits. */
static int out_fmt(char *out, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int out_fmt(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	if (*n >= cap)
		return -1;
	va_start(ap, fmt);
	int k = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - *n)
		return -1;
	*n += (size_t)k;
	return 0;
}

/* Free text may come from anywhere (an OS message, a stack's error string): bytes outside
 * printable ASCII would break the framing, so they are replaced. */
static void printable(char *s, size_t from)
{
	for (size_t i = from; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
}

int ag_fmt_ok(char *out, size_t cap, const char *tag, const char *rest)
{
	size_t n = 0;
	if (out_fmt(out, cap, &n, "%s OK%s%s", tag, rest && rest[0] ? " " : "", rest ? rest : "") != 0)
		return -1;
	printable(out, 0);
	return (int)n;
}

int ag_fmt_err(char *out, size_t cap, const char *tag, const char *code, const char *msg)
{
	size_t n = 0;
	if (out_fmt(out, cap, &n, "%s ERR %s %s", tag, code, msg ? msg : "") != 0)
		return -1;
	printable(out, 0);
	return (int)n;
}

int ag_fmt_pending(char *out, size_t cap, const char *tag, enum ag_call call)
{
	size_t n = 0;
	if (out_fmt(out, cap, &n, "%s PENDING call=%s", tag, ag_call_name(call)) != 0)
		return -1;
	return (int)n;
}

int ag_fmt_done(char *out, size_t cap, const char *tag, enum ag_call call, long long ret, int err,
		const uint8_t *data, size_t ndata, const int *value, int nvalue)
{
	char ebuf[24];
	size_t n = 0;
	if (out_fmt(out, cap, &n, "%s DONE call=%s ret=%lld errno=%s", tag, ag_call_name(call), ret,
		    ag_errno_name(err, ebuf, sizeof(ebuf))) != 0)
		return -1;
	if (data != NULL && ndata > 0) {
		if (out_fmt(out, cap, &n, " data=") != 0 ||
		    ag_hex_encode(data, ndata, out + n, cap - n) != 0)
			return -1;
		n += 2 * ndata;
	}
	if (value != NULL && nvalue == 1 && out_fmt(out, cap, &n, " value=%d", value[0]) != 0)
		return -1;
	if (value != NULL && nvalue == 2 &&
	    out_fmt(out, cap, &n, " value=%d,%d", value[0], value[1]) != 0)
		return -1;
	return (int)n;
}
