/*
 * sched.c - case discovery and the parallel worker pool (see sched.h).
 */
#include "sched.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "shard.h"

/* ---- discovery ---- */

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends every *.yaml under path (sorted, recursive) to *files. */
static int walk(const char *path, char ***files, int *n, int *cap, char *err, size_t ecap)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(err, ecap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			char **nf = realloc(*files, (size_t)*cap * sizeof(char *));
			if (!nf) {
				snprintf(err, ecap, "out of memory");
				return -1;
			}
			*files = nf;
		}
		(*files)[(*n)++] = strdup(path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, ecap, "%s: %s", path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	int nn = 0, nc = 0, rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (nn == nc) {
			nc = nc ? nc * 2 : 32;
			char **nnames = realloc(names, (size_t)nc * sizeof(char *));
			if (!nnames) {
				rc = -1;
				break;
			}
			names = nnames;
		}
		names[nn++] = strdup(de->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, (size_t)nn, sizeof(char *), cmpstr);
	for (int i = 0; i < nn && rc == 0; i++) {
		char sub[4096];
		struct stat s2;
		size_t pl = strlen(path);
		while (pl > 1 && path[pl - 1] == '/')
			pl--;
		snprintf(sub, sizeof(sub), "%.*s/%s", (int)pl, path, names[i]);
		if (stat(sub, &s2) < 0)
			continue;
		size_t l = strlen(names[i]);
		/* Profiles, baselines, target files and requirement lists live beside the cases
		 * but are not cases;
		 * a walk skips them (naming one of those files directly still loads it as a case). */
		if (S_ISDIR(s2.st_mode) && (strcmp(names[i], "profiles") == 0 ||
					    strcmp(names[i], "baselines") == 0 ||
					    strcmp(names[i], "targets") == 0 ||
					    strcmp(names[i], "requirements") == 0))
			continue;
		/* A folder named "baselines" holds known-deviation files (reports/baseline.h),
		 * which are YAML but not cases. */
		if (S_ISDIR(s2.st_mode) && strcmp(names[i], "baselines") == 0)
			continue;
		if (S_ISDIR(s2.st_mode) || (l > 5 && strcmp(names[i] + l - 5, ".yaml") == 0))
			rc = walk(sub, files, n, cap, err, ecap);
	}
	for (int i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return rc;
}

int tc_collect(char *const *paths, int npaths, struct tc_caselist *out, char *err, size_t cap)
{
	char **files = NULL;
	int nf = 0, fc = 0, rc = -1;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < npaths; i++)
		if (walk(paths[i], &files, &nf, &fc, err, cap) < 0)
			goto out;
	out->cases = calloc((size_t)(nf ? nf : 1), sizeof(struct tc_case));
	if (!out->cases) {
		snprintf(err, cap, "out of memory");
		goto out;
	}
	out->cap = nf;
	for (int i = 0; i < nf; i++) {
		if (tc_case_load(files[i], &out->cases[out->n], err, cap) < 0)
			goto out;
		out->n++;
		for (int j = 0; j < out->n - 1; j++) {
			if (strcmp(out->cases[j].id, out->cases[out->n - 1].id) == 0) {
				const struct tc_case *c = &out->cases[out->n - 1];
				snprintf(err, cap, "%s:%d:%d: duplicate case id '%s' (also in %s)", c->file,
					 c->id_pos.line, c->id_pos.col, c->id, out->cases[j].file);
				goto out;
			}
		}
	}
	rc = 0;
out:
	for (int i = 0; i < nf; i++)
		free(files[i]);
	free(files);
	if (rc < 0)
		tc_caselist_free(out);
	return rc;
}

void tc_caselist_free(struct tc_caselist *l)
{
	for (int i = 0; i < l->n; i++)
		tc_case_free(&l->cases[i]);
	free(l->cases);
	memset(l, 0, sizeof(*l));
}

/* ---- the pool ---- */

struct job {
	const struct tc_case *c;
	int family;
	int idx;
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
	int64_t start_ms;
	int killed;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	tc_exec_interrupted = 1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a over the id and family, mixed with the run's seed: each case gets its own stream. */
static uint32_t case_seed(uint32_t seed, const char *id, int family)
{
	uint32_t h = 2166136261u ^ seed;
	for (const char *p = id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ (uint32_t)family) * 16777619u;
	return h ? h : 1;
}

static void base_result(struct tc_result *r, const struct tc_case *c, int family)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", c->id);
	snprintf(r->file, sizeof(r->file), "%s", c->file);
	snprintf(r->title, sizeof(r->title), "%s", c->title);
	snprintf(r->family, sizeof(r->family), "%s", family == TC_FAMILY_V4 ? "ipv4" : "ipv6");
	for (int i = 0; i < c->nrefs; i++)
		tc_result_add_ref(r, c->refs[i]);
	for (int i = 0; i < c->ntags; i++)
		tc_result_add_tag(r, c->tags[i]);
}

static void worker(const struct job *j, const struct tc_run_opts *o, int wfd)
{
	struct tc_result r;
	struct tc_exec_cfg cfg;
	struct tc_io io;
	struct tc_target_env env;
	char err[1024], pcap[4096];
	int case_err = 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	base_result(&r, j->c, j->family);
	memset(&cfg, 0, sizeof(cfg));
	cfg.family = j->family;
	cfg.seed = case_seed(o->seed, j->c->id, j->family);
	if (o->pcap_dir)
		snprintf(pcap, sizeof(pcap), "%s/%s.%s.pcap", o->pcap_dir, j->c->id, r.family);
	memset(&env, 0, sizeof(env));
	env.owner_pid = getppid();
	env.idx = j->idx;
	env.agent_path = o->agent_path;
	env.pcap_path = o->pcap_dir ? pcap : NULL;
	env.verbose = o->verbose;
	env.arg = o->target_arg;
	void *t = o->target->open(j->c, j->family, &env, &io, &cfg, &case_err, err, sizeof(err));
	if (!t) {
		/* TC_OPEN_SKIP: the target cannot run this case at all (target.h). */
		r.verdict = case_err == TC_OPEN_SKIP ? TC_V_SKIP : TC_V_ERROR;
		snprintf(r.reason, sizeof(r.reason), "%s", err);
	} else {
		cfg.knobs = o->knobs; /* after open, which may fill cfg */
		tc_exec_case(j->c, &cfg, &io, &r);
		o->target->close(t);
	}
	tc_result_write(wfd, &r);
	tc_result_free(&r);
	_exit(0);
}

static int add_result(struct tc_result **rs, int *n, int *cap, const struct tc_result *r)
{
	if (*n == *cap) {
		int nc = *cap ? *cap * 2 : 64;
		struct tc_result *nr = realloc(*rs, (size_t)nc * sizeof(*nr));
		if (!nr)
			return -1;
		*rs = nr;
		*cap = nc;
	}
	(*rs)[(*n)++] = *r;
	return 0;
}

static int in_list(char *const *list, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* shard_of[i] = the shard (1..N) of case i among those the filter and tag select, else 0. */
static int select_shards(const struct tc_caselist *cases, const struct tc_run_opts *o,
			 int **shard_of)
{
	int *idx = calloc((size_t)cases->n + 1, sizeof(int));
	int *sh = calloc((size_t)cases->n + 1, sizeof(int));
	int *out = calloc((size_t)cases->n + 1, sizeof(int));
	int n = 0, rc = -1;
	if (!idx || !sh || !out)
		goto done;
	for (int i = 0; i < cases->n; i++) {
		const struct tc_case *c = &cases->cases[i];
		if (o->filter && fnmatch(o->filter, c->id, 0) != 0)
			continue;
		if (o->tag && !in_list(c->tags, c->ntags, o->tag))
			continue;
		idx[n++] = i;
	}
	if (tc_shard_assign(cases->cases, idx, n, o->shard_n, out) < 0)
		goto done;
	for (int j = 0; j < n; j++)
		sh[idx[j]] = out[j];
	*shard_of = sh;
	sh = NULL;
	rc = 0;
done:
	free(idx);
	free(sh);
	free(out);
	return rc;
}

int tc_run(const struct tc_caselist *cases, const struct tc_run_opts *o,
	   struct tc_result **results, int *nresults, char *err, size_t cap)
{
	struct job *jobs = NULL;
	int njobs = 0, rcap = 0, rc = -1;
	*results = NULL;
	*nresults = 0;
	jobs = calloc((size_t)cases->n * 2 + 1, sizeof(*jobs));
	if (!jobs) {
		snprintf(err, cap, "out of memory");
		return -1;
	}
	if (o->pcap_dir && mkdir(o->pcap_dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, cap, "cannot create %s: %s", o->pcap_dir, strerror(errno));
		free(jobs);
		return -1;
	}

	/* --shard K/N: the split is computed over the cases the filter and tag select, so every
	 * shard of the same command line agrees on it (shard.h). */
	int *shard_of = NULL;
	if (o->shard_n > 0 && select_shards(cases, o, &shard_of) < 0) {
		snprintf(err, cap, "out of memory");
		free(jobs);
		return -1;
	}

	/* Selection: filter and tag leave cases out silently; only/except and families that the
	 * case or the command line exclude are reported as skips, so coverage stays visible. */
	for (int i = 0; i < cases->n; i++) {
		const struct tc_case *c = &cases->cases[i];
		if (o->filter && fnmatch(o->filter, c->id, 0) != 0)
			continue;
		if (o->tag && !in_list(c->tags, c->ntags, o->tag))
			continue;
		if (shard_of && shard_of[i] != o->shard_k)
			continue;
		for (int f = 0; f < 2; f++) {
			int fam = f == 0 ? TC_FAMILY_V4 : TC_FAMILY_V6;
			int bit = f == 0 ? TC_FAM_MASK_V4 : TC_FAM_MASK_V6;
			if (o->family_mask && !(o->family_mask & bit))
				continue;
			struct tc_result r;
			if (!(c->families & bit)) {
				if (o->family_mask)
					continue;
				continue;
			}
			if ((c->nonly && !in_list(c->only, c->nonly, o->profile)) ||
			    in_list(c->except, c->nexcept, o->profile)) {
				base_result(&r, c, fam);
				r.verdict = TC_V_SKIP;
				snprintf(r.reason, sizeof(r.reason), "not for profile '%s' (only/except)",
					 o->profile);
				add_result(results, nresults, &rcap, &r);
				if (o->on_result)
					o->on_result(&r, o->arg);
				continue;
			}
			jobs[njobs].c = c;
			jobs[njobs].family = fam;
			jobs[njobs].idx = njobs;
			jobs[njobs].fd = -1;
			njobs++;
		}
	}

	free(shard_of);
	if (o->on_start)
		o->on_start(njobs + *nresults, o->arg);

	struct sigaction sa, old_int, old_term;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	interrupted = 0;

	int next = 0, running = 0;
	int jobsmax = o->jobs > 0 ? o->jobs : 1;
	while (next < njobs || running > 0) {
		while (!interrupted && next < njobs && running < jobsmax) {
			struct job *j = &jobs[next++];
			int p[2];
			if (pipe2(p, O_CLOEXEC) < 0) {
				snprintf(err, cap, "pipe: %s", strerror(errno));
				goto out;
			}
			fflush(NULL);
			pid_t pid = fork();
			if (pid < 0) {
				close(p[0]);
				close(p[1]);
				snprintf(err, cap, "fork: %s", strerror(errno));
				goto out;
			}
			if (pid == 0) {
				close(p[0]);
				worker(j, o, p[1]);
			}
			close(p[1]);
			j->pid = pid;
			j->fd = p[0];
			j->start_ms = mono_ms();
			running++;
		}
		if (interrupted && next < njobs)
			next = njobs; /* start nothing new after Ctrl-C */
		if (running == 0)
			break;

		struct pollfd pf[256];
		struct job *pj[256];
		int np = 0;
		for (int i = 0; i < njobs && np < 256; i++)
			if (jobs[i].fd >= 0) {
				pf[np].fd = jobs[i].fd;
				pf[np].events = POLLIN;
				pj[np++] = &jobs[i];
			}
		int pr = poll(pf, (nfds_t)np, 100);
		if (pr < 0 && errno != EINTR) {
			snprintf(err, cap, "poll: %s", strerror(errno));
			goto out;
		}
		for (int k = 0; k < np; k++) {
			struct job *j = pj[k];
			int eof = 0;
			if (pf[k].revents) {
				if (j->len + 65536 > j->cap) {
					size_t nc = j->cap ? j->cap * 2 : 131072;
					char *nb = realloc(j->buf, nc);
					if (!nb) {
						snprintf(err, cap, "out of memory");
						goto out;
					}
					j->buf = nb;
					j->cap = nc;
				}
				ssize_t r = read(j->fd, j->buf + j->len, j->cap - j->len);
				if (r > 0)
					j->len += (size_t)r;
				else if (r == 0 || (errno != EINTR && errno != EAGAIN))
					eof = 1;
			}
			/* A worker that outlives its case timeout by far is hung in the harness. */
			int64_t limit = j->c->timeout_us / 1000 + 30000;
			if (!eof && !j->killed && mono_ms() - j->start_ms > limit) {
				kill(j->pid, SIGKILL);
				j->killed = 1;
			}
			if (!eof)
				continue;
			int st = 0;
			while (waitpid(j->pid, &st, 0) < 0 && errno == EINTR)
				;
			close(j->fd);
			j->fd = -1;
			running--;
			struct tc_result r;
			if (tc_result_read(j->buf ? j->buf : "", j->len, &r) < 0) {
				base_result(&r, j->c, j->family);
				r.verdict = TC_V_ERROR;
				if (j->killed)
					snprintf(r.reason, sizeof(r.reason),
						 "the harness hung past the case timeout and was killed");
				else if (WIFSIGNALED(st))
					snprintf(r.reason, sizeof(r.reason), "the case's worker crashed (signal %d)",
						 WTERMSIG(st));
				else
					snprintf(r.reason, sizeof(r.reason), "the case's worker exited (%d) without a result",
						 WEXITSTATUS(st));
				/* What the dead worker held is removed with the run's sweep below. */
			}
			free(j->buf);
			j->buf = NULL;
			if (add_result(results, nresults, &rcap, &r) < 0) {
				snprintf(err, cap, "out of memory");
				goto out;
			}
			if (o->on_result)
				o->on_result(&r, o->arg);
		}
	}
	rc = interrupted ? 1 : 0;
out:
	for (int i = 0; i < njobs; i++) {
		if (jobs[i].fd >= 0) {
			kill(jobs[i].pid, SIGTERM);
			waitpid(jobs[i].pid, NULL, 0);
			close(jobs[i].fd);
		}
		free(jobs[i].buf);
	}
	/* Whatever a worker could not remove (killed, crashed) goes now. */
	o->target->sweep(getpid());
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	free(jobs);
	return rc;
}
