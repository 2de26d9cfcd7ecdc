/*
 * target.h - the table every kind of target implements (design.md "Targets"): the local Linux
 * kernel in namespaces, a user-space stack on a TAP device, a remote host. The scheduler knows
 * targets only through this table.
 */
#ifndef TC_TARGET_H
#define TC_TARGET_H

#include <stddef.h>
#include <sys/types.h>

#include "case.h"
#include "exec.h"
#include "io.h"

/* Set in open's *is_case_error (instead of 1) when the case cannot run on this target at all
 * (the target lacks an address family, a setting the case needs): the case is a `skip` with
 * open's message as the reason, not an error. */
#define TC_OPEN_SKIP 2

/* What the scheduler tells a target about the case it is opening. */
struct tc_target_env {
	pid_t owner_pid;          /* the runner's pid: names of leftovers carry it */
	int idx;                  /* unique per case run within the runner */
	const char *agent_path;   /* tcpconform-agent, for targets that start it themselves */
	const char *pcap_path;    /* where to write the case's pcap, or NULL */
	int verbose;
	const char *arg;          /* target-specific argument (e.g. a target file), or NULL */
};

/* What the command line says about the target, once per run (--target-file, --iface, --host,
 * --agent, --peer); any of them may be NULL. */
struct tc_target_args {
	const char *file;         /* a target file (targets/file.h) */
	const char *iface;        /* remote: the interface injection uses */
	const char *host;         /* remote: the host's address(es), "A" or "A4,A6" */
	const char *peer;         /* remote: the injector's own test address(es), "A" or "A4,A6" */
	const char *agent;        /* remote: HOST:PORT of `tcpconform-agent --listen PORT` */
};

struct tc_target_ops {
	const char *name;         /* as given to --target */
	/* Optional (NULL for targets without settings): reads the run's settings once, in the
	 * runner's process before any case is forked. 0, or -1 with a message (bad usage). */
	int (*configure)(const struct tc_target_args *a, char *err, size_t cap);
	/* Optional: the profile the settings name (a target file's `profile:`), or NULL. */
	const char *(*profile)(void);
	/* Optional: the baseline of known deviations the settings name, or NULL. */
	const char *(*baseline)(void);
	/* The most cases that may run at once (0: no limit); a remote agent serves one session
	 * at a time. */
	int max_jobs;
	/* Checks once per run that the environment can run cases (privileges, tools). */
	int (*check)(const struct tc_target_env *env, char *err, size_t cap);
	/*
	 * Prepares case c on family (TC_FAMILY_V4/V6): fills *io, and the addresses in *cfg.
	 * Returns an opaque handle, or NULL with a message in err (and *is_case_error = 1 when
	 * the case itself is at fault). Leaves nothing behind on failure.
	 */
	void *(*open)(const struct tc_case *c, int family, const struct tc_target_env *env,
		      struct tc_io *io, struct tc_exec_cfg *cfg, int *is_case_error, char *err,
		      size_t cap);
	void (*close)(void *handle);
	/* Removes what earlier, killed runs left (own_pid 0), or what this run left (own_pid). */
	int (*sweep)(pid_t own_pid);
};

/* The target named name, or NULL. */
const struct tc_target_ops *tc_target_find(const char *name);
/* The names of all targets, comma separated, for messages. */
const char *tc_target_names(void);

extern const struct tc_target_ops tc_target_linux;
extern const struct tc_target_ops tc_target_tap;
extern const struct tc_target_ops tc_target_remote;

#endif
