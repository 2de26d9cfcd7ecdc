/*
 * names.h - the one table of names for TCP flags, options and states, used by the loader,
 * logs, the agent and every report (design.md: one table, like tcpdump's tok2str).
 */
#ifndef TC_NAMES_H
#define TC_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* TCP connection states of RFC 9293 3.3.2, plus CLOSED. The numbering is ours, not any OS's. */
enum tc_state {
	TC_ST_CLOSED = 0,
	TC_ST_LISTEN,
	TC_ST_SYN_SENT,
	TC_ST_SYN_RECEIVED,
	TC_ST_ESTABLISHED,
	TC_ST_FIN_WAIT_1,
	TC_ST_FIN_WAIT_2,
	TC_ST_CLOSE_WAIT,
	TC_ST_CLOSING,
	TC_ST_LAST_ACK,
	TC_ST_TIME_WAIT,
	TC_ST_COUNT
};

/* Returns the case-format name ("SYN_RECEIVED"), or "?" for an out-of-range value. */
const char *tc_state_name(int st);
/* Parses a case-format state name (exact, upper case). Returns the state or -1. */
int tc_state_parse(const char *name);

/*
 * Flag letters are those of the case format, "SAFRPUEC": S=SYN A=ACK F=FIN R=RST P=PSH U=URG
 * E=ECE C=CWR. tc_flags_parse accepts them in any order, each at most once; "" means no flags.
 * Returns the TC_F_* mask, or -1 with *bad set to the offending character.
 */
int tc_flags_parse(const char *s, char *bad);
/* Writes the flags in canonical case-format order ("SA", "FA", "" ...) into buf. */
const char *tc_flags_str(uint8_t flags, char *buf, size_t cap);
/* tcpdump-style flags: "S", "S.", "F.", "R", "P.", "." for a bare ACK, "none" for none. */
const char *tc_flags_tcpdump(uint8_t flags, char *buf, size_t cap);

/* Option kind names of the case format: eol nop mss wscale sack_ok sack ts. NULL if unnamed. */
const char *tc_opt_name(int kind);
/* Parses an option kind name; returns the kind or -1. */
int tc_opt_parse(const char *name);

/*
 * Requirement levels (RFC 2119), carried by every check and every model rule so a verdict can
 * tell a broken MUST (fail) from a departure from a SHOULD (warn). TC_LVL_MUST is 0 so a zeroed
 * struct is held to the strictest level: a rule that forgot its level never turns a fail soft.
 * RFC 9293 3.10 event-processing rules stated as what TCP does count as MUST.
 */
enum tc_level { TC_LVL_MUST = 0, TC_LVL_SHOULD, TC_LVL_MAY, TC_LVL_COUNT };
/* "MUST", "SHOULD", "MAY"; "?" out of range. */
const char *tc_level_name(int lvl);
/* Parses MUST / SHOULD / MAY (any case; "SHLD" too). Returns the level or -1. */
int tc_level_parse(const char *s);
/* The level an RFC 9293 requirement id implies: "MUST-13" MUST, "SHLD-3" SHOULD, "MAY-2" MAY;
 * -1 for anything else (an RFC section such as "RFC5961-3.2" has no level of its own). */
int tc_level_of_req(const char *req);

#endif
