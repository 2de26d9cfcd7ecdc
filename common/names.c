/*
 * names.c - the one table of flag, option and state names (see names.h).
 */
#include "names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "seg.h"

static const char *const state_names[TC_ST_COUNT] = {
	[TC_ST_CLOSED] = "CLOSED",
	[TC_ST_LISTEN] = "LISTEN",
	[TC_ST_SYN_SENT] = "SYN_SENT",
	[TC_ST_SYN_RECEIVED] = "SYN_RECEIVED",
	[TC_ST_ESTABLISHED] = "ESTABLISHED",
	[TC_ST_FIN_WAIT_1] = "FIN_WAIT_1",
	[TC_ST_FIN_WAIT_2] = "FIN_WAIT_2",
	[TC_ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[TC_ST_CLOSING] = "CLOSING",
	[TC_ST_LAST_ACK] = "LAST_ACK",
	[TC_ST_TIME_WAIT] = "TIME_WAIT",
};

const char *tc_state_name(int st)
{
	if (st < 0 || st >= TC_ST_COUNT)
		return "?";
	return state_names[st];
}

int tc_state_parse(const char *name)
{
	for (int i = 0; i < TC_ST_COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return i;
	return -1;
}

/* The case format's letters, in the order tc_flags_str writes them. The order puts the flags a
 * reader looks for first (SYN, ACK) ahead of the rest, matching how cases are usually written. */
static const struct {
	char letter;
	uint8_t bit;
} flag_letters[] = {
	{'S', TC_F_SYN}, {'A', TC_F_ACK}, {'F', TC_F_FIN}, {'R', TC_F_RST},
	{'P', TC_F_PSH}, {'U', TC_F_URG}, {'E', TC_F_ECE}, {'C', TC_F_CWR},
};
#define NFLAGS (sizeof(flag_letters) / sizeof(flag_letters[0]))

int tc_flags_parse(const char *s, char *bad)
{
	int mask = 0;
	for (; *s; s++) {
		size_t i;
		for (i = 0; i < NFLAGS; i++)
			if (flag_letters[i].letter == *s)
				break;
		/* An unknown letter, or a letter given twice, is an error: a case that says "SS" most
		 * likely meant something else and should not silently mean "S". */
		if (i == NFLAGS || (mask & flag_letters[i].bit)) {
			if (bad)
				*bad = *s;
			return -1;
		}
		mask |= flag_letters[i].bit;
	}
	return mask;
}

const char *tc_flags_str(uint8_t flags, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return buf;
	for (size_t i = 0; i < NFLAGS && n + 1 < cap; i++)
		if (flags & flag_letters[i].bit)
			buf[n++] = flag_letters[i].letter;
	buf[n] = '\0';
	return buf;
}

const char *tc_flags_tcpdump(uint8_t flags, char *buf, size_t cap)
{
	/* tcpdump prints S F P R U E W in this order and '.' for ACK last. */
	static const struct {
		char c;
		uint8_t bit;
	} order[] = {{'S', TC_F_SYN}, {'F', TC_F_FIN}, {'P', TC_F_PSH}, {'R', TC_F_RST},
		     {'U', TC_F_URG}, {'E', TC_F_ECE}, {'W', TC_F_CWR}, {'.', TC_F_ACK}};
	size_t n = 0;
	if (cap == 0)
		return buf;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && n + 1 < cap; i++)
		if (flags & order[i].bit)
			buf[n++] = order[i].c;
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, cap, "none");
	return buf;
}

static const struct {
	int kind;
	const char *name;
} opt_names[] = {
	{TC_OPT_EOL, "eol"},         {TC_OPT_NOP, "nop"},   {TC_OPT_MSS, "mss"},
	{TC_OPT_WSCALE, "wscale"},   {TC_OPT_SACK_OK, "sack_ok"},
	{TC_OPT_SACK, "sack"},       {TC_OPT_TS, "ts"},
};

const char *tc_opt_name(int kind)
{
	for (size_t i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
		if (opt_names[i].kind == kind)
			return opt_names[i].name;
	return NULL;
}

int tc_opt_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
		if (strcmp(opt_names[i].name, name) == 0)
			return opt_names[i].kind;
	return -1;
}

static const char *const level_names[TC_LVL_COUNT] = {"MUST", "SHOULD", "MAY"};

const char *tc_level_name(int lvl)
{
	return lvl >= 0 && lvl < TC_LVL_COUNT ? level_names[lvl] : "?";
}

int tc_level_parse(const char *s)
{
	if (!s)
		return -1;
	if (strcasecmp(s, "SHLD") == 0)
		return TC_LVL_SHOULD;
	for (int i = 0; i < TC_LVL_COUNT; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

int tc_level_of_req(const char *req)
{
	if (!req)
		return -1;
	if (strncmp(req, "MUST-", 5) == 0)
		return TC_LVL_MUST;
	if (strncmp(req, "SHLD-", 5) == 0)
		return TC_LVL_SHOULD;
	if (strncmp(req, "MAY-", 4) == 0)
		return TC_LVL_MAY;
	return -1;
}
