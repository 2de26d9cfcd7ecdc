/*
 * sim.c - the model as a target (sim.h): a virtual clock, a queue of what the "target" sends
 * (segments from the model's predictions, agent replies from its call results), and a minimal
 * agent protocol (docs/agent-protocol.md) on top of tc_model_call.
 */
#include "sim.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/names.h"
#include "../judge.h"

#define SIM_MAXQ 256
#define SIM_MAXLOG 512
#define SIM_ISN 0x10000000u
#define SIM_T0 1000000000 /* the virtual clock's origin (tc_sim_new) */

struct simev {
	int64_t t;
	int kind;                 /* TC_EV_SEG / TC_EV_AGENT */
	struct tc_seg *seg;
	char *line;
};

struct tc_sim {
	struct tc_model m;
	const struct tc_case *c;
	struct tc_result *r;
	int family;
	uint8_t taddr[16], paddr[16];
	int64_t now;
	struct simev q[SIM_MAXQ];
	int nq;
	char *cur_line;           /* the line returned by the last wait (owned) */
	int lost_seen, lost_nfail;
	struct { int64_t t; char rule[TC_MODEL_RULE]; } log[SIM_MAXLOG];
	int nlog;
};

static void logrule(struct tc_sim *s, const char *rule)
{
	if (!rule[0] || s->nlog >= SIM_MAXLOG)
		return;
	s->log[s->nlog].t = s->now;
	snprintf(s->log[s->nlog].rule, sizeof(s->log[0].rule), "%s", rule);
	s->nlog++;
}

static void note_lost(struct tc_sim *s)
{
	if (s->m.lost && !s->lost_seen) {
		s->lost_seen = 1;
		s->lost_nfail = s->r ? s->r->nfailures : 0;
	}
}

static int push(struct tc_sim *s, int64_t t, int kind, struct tc_seg *seg, const char *line)
{
	if (s->nq >= SIM_MAXQ) {
		free(seg);
		return -1;
	}
	/* Keep the queue in time order; equal times stay in arrival order. */
	int i = s->nq;
	while (i > 0 && s->q[i - 1].t > t) {
		s->q[i] = s->q[i - 1];
		i--;
	}
	s->q[i].t = t;
	s->q[i].kind = kind;
	s->q[i].seg = seg;
	s->q[i].line = line ? strdup(line) : NULL;
	s->nq++;
	return 0;
}

/* Lays out the option kinds as Linux does (mss, sack_ok, ts, nop, wscale). */
static void put_opts(struct tc_sim *s, const struct tc_mseg *g, struct tc_seg *o)
{
	unsigned k = g->opt_must | g->opt_maybe;
	struct tc_opt v[8];
	int n = 0;
	memset(v, 0, sizeof(v));
	if (!(g->flags & TC_F_SYN) && k == TC_OBIT(TC_OPT_TS)) {
		/* Linux pads a lone timestamp option with two NOPs in front. */
		v[n++].kind = TC_OPT_NOP;
		v[n++].kind = TC_OPT_NOP;
	}
	if (k & TC_OBIT(TC_OPT_MSS)) {
		v[n].kind = TC_OPT_MSS; v[n].len = 4;
		v[n].mss = (uint16_t)(s->family == TC_FAMILY_V4 ? 1460 : 1440);
		n++;
	}
	if ((k & TC_OBIT(TC_OPT_SACK_OK)) && (k & TC_OBIT(TC_OPT_TS))) {
		v[n].kind = TC_OPT_SACK_OK; v[n].len = 2; n++;
	}
	if (k & TC_OBIT(TC_OPT_TS)) {
		v[n].kind = TC_OPT_TS; v[n].len = 10;
		v[n].ts_val = (uint32_t)(s->now / 1000);
		v[n].ts_ecr = s->m.ts_recent;
		n++;
	} else if (k & TC_OBIT(TC_OPT_SACK_OK)) {
		v[n++].kind = TC_OPT_NOP;
		v[n++].kind = TC_OPT_NOP;
		v[n].kind = TC_OPT_SACK_OK; v[n].len = 2; n++;
	}
	if (k & TC_OBIT(TC_OPT_WSCALE)) {
		v[n++].kind = TC_OPT_NOP;
		v[n].kind = TC_OPT_WSCALE; v[n].len = 3; v[n].wscale = 7; n++;
	}
	int len = tc_opts_encode(v, n, o->opt_bytes, sizeof(o->opt_bytes));
	if (len < 0)
		len = 0;
	o->opt_len = (size_t)len;
	o->nopts = tc_opts_decode(o->opt_bytes, o->opt_len, o->opts, TC_MAX_OPTS);
}

static void take(struct tc_sim *s, const struct tc_mout *o)
{
	logrule(s, o->rule);
	for (int i = 0; i < o->nseg; i++) {
		const struct tc_mseg *g = &o->seg[i];
		struct tc_seg *x = calloc(1, sizeof(*x));
		if (!x)
			return;
		size_t al = s->family == TC_FAMILY_V4 ? 4 : 16;
		x->family = s->family;
		memcpy(x->src, s->taddr, al);
		memcpy(x->dst, s->paddr, al);
		x->ttl = 64;
		x->df = s->family == TC_FAMILY_V4;
		x->sport = g->sport ? g->sport : (uint16_t)s->c->port;
		x->dport = g->dport ? g->dport : s->m.peer_port;
		x->flags = g->flags | g->flags_maybe;
		/* RFC 9293 3.4.1 (MUST-8): the ISN generator is bound to a clock that ticks every
		 * 4 microseconds, so a new incarnation of a connection gets another ISN. */
		x->seq = g->seq_any ? SIM_ISN + (uint32_t)((s->now - SIM_T0) / 4) : g->seq;
		x->ack = (x->flags & TC_F_ACK) ? g->ack : 0;
		uint32_t w = s->m.rcv_wnd_known ? s->m.rcv_wnd : s->m.k.rcv_wnd;
		x->win = (uint16_t)(w > 65535 ? 65535 : w);
		x->doff = 0;
		x->checksum_ok = 1;
		if (!(x->flags & TC_F_RST))
			put_opts(s, g, x);
		x->doff = (uint8_t)(5 + (x->opt_len + 3) / 4);
		x->payload_len = g->len;
		memcpy(x->payload, g->data, g->len > TC_MAX_PAYLOAD ? TC_MAX_PAYLOAD : g->len);
		x->ts_us = g->earliest > s->now ? g->earliest : s->now;
		tc_model_learn(&s->m, x);
		logrule(s, g->rule);
		push(s, x->ts_us, TC_EV_SEG, x, NULL);
	}
	for (int i = 0; i < o->ndone; i++) {
		const struct tc_mdone *d = &o->done[i];
		char *line = malloc(128 + 2 * d->ndata);
		if (!line)
			return;
		int n = sprintf(line, "%d DONE call=model ret=%ld errno=%s", d->tag, d->ret, d->err);
		if (d->ndata) {
			n += sprintf(line + n, " data=");
			for (size_t b = 0; b < d->ndata; b++)
				n += sprintf(line + n, "%02x", d->data[b]);
		}
		push(s, s->now, TC_EV_AGENT, NULL, line);
		free(line);
	}
	note_lost(s);
}

/* ---- the io table ---- */

static int sim_send(void *ctx, const struct tc_seg *seg, int64_t *ts, char *err, size_t cap)
{
	(void)err;
	(void)cap;
	struct tc_sim *s = ctx;
	struct tc_mout o;
	*ts = s->now;
	tc_model_segment(&s->m, seg, s->now, &o);
	take(s, &o);
	return 0;
}

static int sim_wait(void *ctx, int64_t deadline, struct tc_ev *ev, char *err, size_t cap)
{
	(void)err;
	(void)cap;
	struct tc_sim *s = ctx;
	free(s->cur_line);
	s->cur_line = NULL;
	for (;;) {
		int64_t nd = s->m.lost ? 0 : tc_model_next_deadline(&s->m);
		if (s->nq > 0 && s->q[0].t <= deadline && (!nd || s->q[0].t <= nd)) {
			struct simev e = s->q[0];
			memmove(&s->q[0], &s->q[1], (size_t)(s->nq - 1) * sizeof(s->q[0]));
			s->nq--;
			if (e.t > s->now)
				s->now = e.t;
			ev->kind = e.kind;
			if (e.kind == TC_EV_SEG) {
				ev->seg = *e.seg;
				free(e.seg);
			} else {
				s->cur_line = e.line;
				ev->line = e.line;
			}
			return 1;
		}
		if (nd && nd <= deadline) {
			struct tc_mout o;
			if (nd > s->now)
				s->now = nd;
			tc_model_timer(&s->m, s->now, &o);
			take(s, &o);
			continue;
		}
		if (deadline > s->now)
			s->now = deadline;
		return 0;
	}
}

int tc_model_opt_parse(const char *name)
{
	static const struct { const char *n; int o; } t[] = {
		{"SO_LINGER", TC_MO_LINGER}, {"SO_KEEPALIVE", TC_MO_KEEPALIVE},
		{"TCP_KEEPIDLE", TC_MO_KEEPIDLE}, {"TCP_KEEPINTVL", TC_MO_KEEPINTVL},
		{"TCP_KEEPCNT", TC_MO_KEEPCNT}, {"TCP_NODELAY", TC_MO_NODELAY},
		{"TCP_QUICKACK", TC_MO_QUICKACK}, {"TCP_DEFER_ACCEPT", TC_MO_DEFER_ACCEPT},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].n, name) == 0)
			return t[i].o;
	return -1;
}

static int word(const char *line, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	for (const char *p = line; (p = strstr(p, key)) != NULL; p += kl) {
		if ((p == line || p[-1] == ' ') && p[kl] == '=') {
			const char *v = p + kl + 1;
			size_t n = strcspn(v, " ");
			if (n >= cap)
				n = cap - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 1;
		}
	}
	return 0;
}

static int sim_agent(void *ctx, const char *line, char *err, size_t cap)
{
	(void)err;
	(void)cap;
	struct tc_sim *s = ctx;
	char buf[256], v[64];
	long tag = strtol(line, NULL, 10);
	const char *rest = strchr(line, ' ');
	rest = rest ? rest + 1 : "";
	if (strncmp(rest, "CONFIG", 6) == 0) {
		if (word(rest, "port", v, sizeof(v)))
			s->m.port = (uint16_t)atoi(v);
		if (word(rest, "peer_port", v, sizeof(v)))
			s->m.peer_port = (uint16_t)atoi(v);
		snprintf(buf, sizeof(buf), "%ld OK", tag);
		return push(s, s->now, TC_EV_AGENT, NULL, buf);
	}
	if (strncmp(rest, "STATE", 5) == 0) {
		snprintf(buf, sizeof(buf), "%ld OK state=%s", tag, tc_state_name(tc_model_state(&s->m)));
		return push(s, s->now, TC_EV_AGENT, NULL, buf);
	}
	if (strncmp(rest, "CALL ", 5) != 0) {
		snprintf(buf, sizeof(buf), "%ld ERR BADREQ unknown request", tag);
		return push(s, s->now, TC_EV_AGENT, NULL, buf);
	}
	char name[32];
	sscanf(rest + 5, "%31s", name);
	struct tc_mcall_in in;
	uint8_t *data = NULL;
	memset(&in, 0, sizeof(in));
	in.tag = (int)tag;
	in.len = -1;
	static const struct { const char *n; int c; } calls[] = {
		{"listen", TC_MC_LISTEN}, {"accept", TC_MC_ACCEPT}, {"connect", TC_MC_CONNECT},
		{"write", TC_MC_SEND}, {"read", TC_MC_RECEIVE}, {"shutdown", TC_MC_SHUTDOWN},
		{"close", TC_MC_CLOSE}, {"setsockopt", TC_MC_SETOPT}, {"getsockopt", TC_MC_GETOPT},
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(calls[i].n, name) == 0)
			in.call = calls[i].c;
	if (word(rest, "len", v, sizeof(v)))
		in.len = atol(v);
	if (word(rest, "how", v, sizeof(v)))
		in.how = strcmp(v, "rd") == 0 ? 0 : strcmp(v, "wr") == 0 ? 1 : 2;
	if (word(rest, "opt", v, sizeof(v))) {
		int o = tc_model_opt_parse(v);
		in.opt = o < 0 ? TC_MO_OTHER : o;
	}
	if (word(rest, "value", v, sizeof(v))) {
		char *comma = strchr(v, ',');
		in.value[0] = atol(v);
		in.nvalue = 1;
		if (comma) {
			in.value[1] = atol(comma + 1);
			in.nvalue = 2;
		}
	}
	const char *dp = strstr(rest, " data=");
	if (dp) {
		dp += 6;
		size_t hl = strcspn(dp, " ");
		data = malloc(hl / 2 + 1);
		if (!data)
			return -1;
		for (size_t i = 0; i + 1 < hl; i += 2) {
			unsigned b;
			sscanf(dp + i, "%2x", &b);
			data[i / 2] = (uint8_t)b;
		}
		in.data = data;
		in.len = (long)(hl / 2);
	}
	struct tc_mout o;
	tc_model_call(&s->m, &in, s->now, &o);
	free(data);
	if (s->m.lost && !o.ndone && !o.pending) {
		/* The model cannot say: let the call succeed, the case is no longer judged. */
		snprintf(buf, sizeof(buf), "%ld DONE call=%s ret=0 errno=0", tag, name);
		push(s, s->now, TC_EV_AGENT, NULL, buf);
	} else if (o.pending) {
		snprintf(buf, sizeof(buf), "%ld PENDING call=%s", tag, name);
		push(s, s->now, TC_EV_AGENT, NULL, buf);
	}
	take(s, &o);
	return 0;
}

static int64_t sim_now(void *ctx)
{
	return ((struct tc_sim *)ctx)->now;
}

struct tc_sim *tc_sim_new(const struct tc_case *c, const struct tc_knobs *k, int family,
			  struct tc_result *r, struct tc_io *io, struct tc_exec_cfg *cfg)
{
	struct tc_sim *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	struct tc_knobs kk = *k;
	s->c = c;
	s->r = r;
	s->family = family;
	s->now = SIM_T0; /* an arbitrary origin, far from 0 (0 means "timer off") */
	tc_model_init(&s->m, &kk);
	s->m.ipv6 = family == TC_FAMILY_V6;
	s->m.mtu = 1500; /* the veth of docs/running.md */
	{
		char why[160];
		if (tc_judge_case_knobs(&s->m.k, c, why, sizeof(why)) < 0) {
			s->m.lost = 1;
			snprintf(s->m.lost_why, sizeof(s->m.lost_why), "%s", why);
		}
	}
	note_lost(s);
	if (family == TC_FAMILY_V4) {
		inet_pton(AF_INET, "192.0.2.1", s->taddr);
		inet_pton(AF_INET, "192.0.2.2", s->paddr);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", s->taddr);
		inet_pton(AF_INET6, "2001:db8::2", s->paddr);
	}
	memset(io, 0, sizeof(*io));
	io->ctx = s;
	io->send = sim_send;
	io->wait = sim_wait;
	io->agent_send = sim_agent;
	io->now = sim_now;
	memset(cfg, 0, sizeof(*cfg));
	cfg->family = family;
	memcpy(cfg->target_addr, s->taddr, 16);
	memcpy(cfg->peer_addr, s->paddr, 16);
	cfg->seed = 1;
	return s;
}

void tc_sim_free(struct tc_sim *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nq; i++) {
		free(s->q[i].seg);
		free(s->q[i].line);
	}
	free(s->cur_line);
	free(s);
}

int tc_sim_lost(const struct tc_sim *s, const char **why, int *nfail_before)
{
	if (!s->lost_seen)
		return 0;
	*why = s->m.lost_why;
	*nfail_before = s->lost_nfail;
	return 1;
}

const char *tc_sim_rule_before(const struct tc_sim *s, int64_t t_us)
{
	const char *best = "";
	for (int i = 0; i < s->nlog; i++)
		if (s->log[i].t <= t_us)
			best = s->log[i].rule;
	return best;
}
