/*
 * case.h - the in-memory form of one test case (shared/spec/case-format.md, version 1).
 *
 * The loader (runner/case_load.c) fills it from YAML; the runner executes it. Every step and every
 * value keeps the line and column it came from so failures and errors can point at the YAML.
 * A struct tc_case owns all of its memory; release it with tc_case_free().
 */
#ifndef TC_CASE_H
#define TC_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/duration.h"
#include "../common/seg.h"
#include "expr.h"

/* Where something came from in a case file: 1-based line and column. */
struct tc_pos {
	int line, col;
};

/*
 * A number in a case: an expression (runner/expr.h) with the position it was written at.
 * set is 0 when the field was absent. abs is 1 for seq_abs/ack_abs: a raw 32-bit value that is
 * not made relative to an ISN.
 */
struct tc_num {
	int set;
	int abs;
	struct tc_expr expr;
	struct tc_pos pos;
};

/* Payload of a send or expect: absent, a length of filler bytes, or exact bytes (data/hex). */
enum tc_payload_kind { TC_PL_NONE = 0, TC_PL_LEN, TC_PL_BYTES };

/*
 * One item of an options list. In a send, every item has its value (or raw bytes). In an
 * expect, has_value 0 means "any value of this kind" (case-format.md: `[mss, nop, wscale]`).
 */
struct tc_optspec {
	int kind;             /* TC_OPT_* or any kind number for raw */
	int has_value;
	int is_raw;           /* {raw: "hex"}: bytes[] sent verbatim, kind = first byte */
	uint32_t v[2 * TC_MAX_SACK_BLOCKS]; /* mss / wscale: v[0]; ts: v[0]=val v[1]=ecr;
	                                     * sack: v[2i]=left v[2i+1]=right, relative like ack */
	int nsack;
	uint8_t raw[TC_MAX_OPT_BYTES];
	int raw_len;
	struct tc_pos pos;
};

#define TC_MAX_INCLUDE_VALS 4

/* Fields shared by send and expect (case-format.md "send" and "expect"). */
struct tc_segspec {
	int flags_set;
	uint8_t flags;
	/* expect only (an extension, `flags_maybe: P`): flags the segment may carry or not; the
	 * others must be exactly `flags`. RFC 9293 3.9.1.2 asks for PSH on the last segment of a
	 * write only, so a case about data in the middle accepts P either way. */
	uint8_t flags_maybe;
	struct tc_num seq, ack, win, urg;
	struct tc_num ttl, tos, df, ip_id, doff, sport, dport;
	enum tc_payload_kind pl_kind;
	struct tc_num len;              /* pl_kind == TC_PL_LEN */
	uint8_t *bytes;                 /* pl_kind == TC_PL_BYTES (owned) */
	size_t nbytes;
	int options_set;                /* options: given (possibly empty list) */
	struct tc_optspec options[TC_MAX_OPTS];
	int noptions;
	/* expect only: kinds that must / must not appear, in any order */
	int include_kinds[TC_MAX_OPTS], ninclude;
	int exclude_kinds[TC_MAX_OPTS], nexclude;
	/* expect only (an extension): `options_include: [{mss: 1460}]`, an option of that kind with
	 * that value must appear somewhere in the list; its kind is also in include_kinds. */
	struct tc_optspec include_vals[TC_MAX_INCLUDE_VALS];
	int ninclude_vals;
	int checksum_bad;               /* send: corrupt the checksum; expect: unused */
	struct tc_pos flags_pos, options_pos, len_pos, data_pos;
};

enum tc_step_kind {
	TC_STEP_SEND = 1,
	TC_STEP_EXPECT,
	TC_STEP_EXPECT_NONE,
	TC_STEP_APP,
	TC_STEP_STATE,
	TC_STEP_WAIT,
};

enum tc_app_call {
	TC_APP_LISTEN = 1,
	TC_APP_ACCEPT,
	TC_APP_CONNECT,
	TC_APP_WRITE,
	TC_APP_READ,
	TC_APP_SHUTDOWN,
	TC_APP_CLOSE,
	TC_APP_SETSOCKOPT,
	TC_APP_GETSOCKOPT,
};

/* Which socket an app call acts on (an extension: `sock: listener|conn`). */
enum tc_sock_sel { TC_SOCK_DEFAULT = 0, TC_SOCK_LISTENER, TC_SOCK_CONN };

struct tc_appspec {
	enum tc_app_call call;
	enum tc_sock_sel sock;
	int backlog;                  /* listen; -1 when absent */
	long len;                     /* write/read; -1 when absent */
	uint8_t *data;                /* write: data to send (owned); NULL when absent */
	size_t ndata;
	int how;                      /* shutdown: 0 rd, 1 wr, 2 rdwr (SHUT_* values) */
	char opt[32];                 /* setsockopt/getsockopt: option name, e.g. "SO_LINGER" */
	int nvalue;                   /* number of integers in value (SO_LINGER takes 2) */
	long value[2];
	int64_t within_us;            /* result deadline (default 1s) */
	/* expect: */
	int exp_ret_set;
	long exp_ret;
	int exp_errno_set;
	char exp_errno[24];           /* symbolic, e.g. "ECONNRESET"; "0" for success */
	int exp_value_set;            /* getsockopt: expected value */
	long exp_value[2];
	int exp_nvalue;
	uint8_t *exp_data;            /* read: expected bytes (owned) */
	size_t exp_ndata;
	struct tc_pos exp_pos;
};

struct tc_step {
	enum tc_step_kind kind;
	struct tc_pos pos;            /* of the step's mapping in the list */
	int64_t after_us;             /* `after:` delay from end of previous step; -1 if absent */
	int64_t at_us;                /* `at:` time from case start; -1 if absent */

	struct tc_segspec seg;        /* send, expect */
	int expect_auto;              /* expect: auto (needs the reference model) */
	int64_t within_us;            /* expect: default 1s */
	int64_t exp_after_us;         /* expect: `after:` timing check, -1 if absent */
	int64_t tolerance_us;         /* expect: with exp_after_us */

	int64_t none_us;              /* expect_none: duration */
	int none_flags_set;
	uint8_t none_flags;

	struct tc_appspec app;        /* app */
	int state;                    /* state: enum tc_state */
	int state_auto;               /* state: auto (the reference model's state) */
	int state_listener;           /* state: {sock: listener}: the listener's own state */
	int64_t wait_us;              /* wait */

	/* The requirement level of the case's own checks of this step (an extension, `level:` and
	 * `req:` beside the step key), resolved by the loader: the step's `level:`, else the level
	 * its `req:` implies (SHLD-18: SHOULD), else the case's (see struct tc_case). Every failure
	 * the case judge records for this step carries them (result.h). 0 is TC_LVL_MUST, so a step
	 * built by hand is held to the strictest level. */
	int level;                    /* enum tc_level (common/names.h) */
	char req[48];                 /* "SHLD-18", "RFC6298-2.4", or "" */
};

struct tc_sysctl {
	char *key;
	char *value;
	struct tc_pos pos;
};

#define TC_ROLE_SERVER 0
#define TC_ROLE_CLIENT 1

#define TC_FAM_MASK_V4 1
#define TC_FAM_MASK_V6 2

/* Capabilities a case needs the target to negotiate (an extension, `requires:`): checked on the
 * target's SYN or SYN-ACK; without the option there, the case is skipped with the reason. */
#define TC_CAP_TS      1u  /* RFC 7323 3: timestamps (option kind 8) */
#define TC_CAP_SACK_OK 2u  /* RFC 2018 2: SACK-permitted (kind 4) */
#define TC_CAP_WSCALE  4u  /* RFC 7323 2: window scale (kind 3) */

struct tc_case {
	char *file;                   /* path as given */
	char *id, *title;
	char **refs; int nrefs;
	char **tags; int ntags;
	int families;                 /* TC_FAM_MASK_* bits; default both */
	int role;                     /* TC_ROLE_* */
	int port;                     /* target's port, default 8080 */
	int64_t timeout_us;           /* default 10s */
	char **only; int nonly;
	char **except; int nexcept;
	struct tc_sysctl *sysctls; int nsysctls;
	int isn_set;                  /* `isn:` our initial sequence number */
	uint32_t isn;
	int peer_port;                /* extension `peer_port:` injector's port; 0 = runner picks */
	uint8_t *ignore_flags; int nignore; /* `ignore: [flags...]`, each an exact flag set */
	unsigned requires;            /* extension `requires:`: TC_CAP_* bits */
	/* The level of the case's checks where a step says none, resolved by the loader: the
	 * case's `level:` (an extension), else SHOULD when every requirement id in refs (MUST-n,
	 * SHLD-n, MAY-n) is a SHLD or MAY, else MUST. req names the ids that decided it. Failures
	 * that belong to no step (an unexpected segment after the last one) carry these. */
	int level;                    /* enum tc_level */
	char req[48];
	struct tc_step *steps; int nsteps;
	struct tc_pos id_pos;
};

/*
 * tc_case_load - parse one case file. On success returns 0 and fills *out. On failure returns
 * -1 and writes into err (cap bytes) a message of the form
 *   "FILE:LINE:COL: what was wrong: 'the offending input'"
 * and leaves *out empty. Never aborts on bad input.
 */
int tc_case_load(const char *path, struct tc_case *out, char *err, size_t cap);
/* Same, from a buffer; name is used in messages. */
int tc_case_load_buf(const char *name, const char *buf, size_t len, struct tc_case *out,
		     char *err, size_t cap);
/* Frees everything a loaded case owns; safe on a zeroed struct. */
void tc_case_free(struct tc_case *c);


#endif
