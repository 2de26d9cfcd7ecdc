/*
 * targets/tap.c - a stack on a TAP device, driven through its harness (see targets/tap.h).
 */
#include "tap.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux.h"
#include "netns.h"
#include "wire.h"

#define NETNS_DIR "/run/netns"

/* The run's target file: loaded once by tap_configure in the runner's process, before the
 * scheduler forks the workers that read it. */
static struct tc_target_file g_tf;
static int g_loaded;
static char g_bindir[PATH_MAX];

struct tc_tap {
	char ns[64];
	int made;
	int fd_home, fd_ns;
	pid_t harness;
	struct tc_wire w;
};

const struct tc_target_file *tc_tap_file(void)
{
	return g_loaded ? &g_tf : NULL;
}

static int if_flags(const char *ifname, short set, short *now, char *err, size_t cap)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "socket: %s", strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0 && set) {
		ifr.ifr_flags |= set;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (rc < 0)
		snprintf(err, cap, "%s flags: %s", ifname, strerror(errno));
	else if (now)
		*now = ifr.ifr_flags;
	close(fd);
	return rc < 0 ? -1 : 0;
}

/* Creates the persistent TAP device in the current (the case's) namespace: the harness attaches
 * to it by name, and it goes away with the namespace. */
static int make_tap(char *err, size_t cap)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, cap, "/dev/net/tun: %s (is the tun module loaded?)", strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), TC_TAP_IFNAME);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		snprintf(err, cap, "creating TAP device %s: %s", TC_TAP_IFNAME, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	/* The namespace's kernel must stay silent on the link: no address for IPv4, and IPv6
	 * off before the link comes up (no router solicitations, MLD reports or DAD probes). */
	return tc_write_proc("/proc/sys/net/ipv6/conf/" TC_TAP_IFNAME "/disable_ipv6", "1", err, cap);
}

/*
 * A case's sysctls on a stack that is not Linux (docs/targets.md "sysctl_map"): checked before
 * anything is set up, so a case that cannot have its settings is a skip with the reason, never
 * a run with the stack's defaults. Returns 0 (run), or -1 with the reason in err.
 */
static int check_sysctls(const struct tc_case *c, char *err, size_t cap)
{
	for (int i = 0; i < c->nsysctls; i++) {
		const char *k;
		char why[700];
		if (tc_target_file_sysctl(&g_tf, c->sysctls[i].key, c->sysctls[i].value, &k, why,
					  sizeof(why)) == TC_TF_SC_SKIP) {
			snprintf(err, cap, "%s:%d:%d: %s", c->file, c->sysctls[i].pos.line,
				 c->sysctls[i].pos.col, why);
			return -1;
		}
	}
	return 0;
}

/*
 * Sends the mapped sysctls (`key:` entries) to the harness with the SYSCTL verb; the harness
 * puts them back when the session ends. Returns 0, or -1 with *kind: TC_OPEN_SKIP when the
 * harness cannot have the setting, 1 when it refused the case's value, 0 for a broken harness.
 */
static int apply_sysctls(struct tc_tap *t, const struct tc_case *c, int *kind, char *err,
			 size_t cap)
{
	for (int i = 0; i < c->nsysctls; i++) {
		const struct tc_sysctl *s = &c->sysctls[i];
		const char *k;
		char val[300], line[600], reply[512], e[512], tag[24], why[700];
		size_t o = 0;
		if (tc_target_file_sysctl(&g_tf, s->key, s->value, &k, why, sizeof(why)) !=
		    TC_TF_SC_SET)
			continue;
		/* No spaces in a protocol field: ',' separates the numbers of a value. */
		for (const char *v = s->value; *v && o + 1 < sizeof(val); v++)
			val[o++] = (*v == ' ' || *v == '\t') ? ',' : *v;
		val[o] = '\0';
		snprintf(tag, sizeof(tag), "%d", 900000 + i);
		snprintf(line, sizeof(line), "%s SYSCTL key=%s value=%s", tag, k, val);
		if (tc_wire_request(&t->w, line, tag, 5000, reply, sizeof(reply), e, sizeof(e)) < 0) {
			*kind = 0;
			snprintf(err, cap, "%s:%d:%d: sysctl '%s' (as %s): %s", c->file, s->pos.line,
				 s->pos.col, s->key, k, e);
			return -1;
		}
		if (strncmp(reply, "OK", 2) == 0)
			continue;
		int unsup = strncmp(reply, "ERR UNSUPPORTED", 15) == 0 ||
			    strncmp(reply, "ERR BADREQ unknown verb", 23) == 0;
		*kind = unsup ? TC_OPEN_SKIP : 1;
		snprintf(err, cap, "%s:%d:%d: sysctl '%s: %s' (as %s): the harness %s: %.300s", c->file,
			 s->pos.line, s->pos.col, s->key, s->value, k,
			 unsup ? "cannot set it" : "refused", reply);
		return -1;
	}
	return 0;
}

static int start_harness(struct tc_tap *t, const struct tc_target_env *env, const char *tgt,
			 const char *peer, char *err, size_t cap)
{
	const struct tc_target_file *tf = &g_tf;
	const char *vars[] = {"bin", g_bindir, "dir", tf->dir, "tap", TC_TAP_IFNAME,
			      "target4", tf->target4, "target6", tf->target6, "peer4", tf->peer4,
			      "peer6", tf->peer6, "target_mac", tf->target_mac,
			      "target", tgt, "peer", peer, NULL};
	char *argv[TC_TF_MAX_ARGS + 1];
	int argc = 0, rc = -1;
	for (; argc < tf->argc; argc++) {
		char buf[1024];
		if (tc_target_file_expand(tf->argv[argc], vars, buf, sizeof(buf), err, cap) < 0)
			goto out;
		argv[argc] = strdup(buf);
		if (!argv[argc]) {
			snprintf(err, cap, "out of memory");
			goto out;
		}
	}
	argv[argc] = NULL;
	int to_h[2], from_h[2];
	if (pipe2(to_h, O_CLOEXEC) < 0) {
		snprintf(err, cap, "pipe: %s", strerror(errno));
		goto out;
	}
	if (pipe2(from_h, O_CLOEXEC) < 0) {
		snprintf(err, cap, "pipe: %s", strerror(errno));
		close(to_h[0]);
		close(to_h[1]);
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, cap, "fork: %s", strerror(errno));
		close(to_h[0]);
		close(to_h[1]);
		close(from_h[0]);
		close(from_h[1]);
		goto out;
	}
	if (pid == 0) {
		/* Its own process group, so a harness that is a script can be killed whole; the
		 * terminal's Ctrl-C is the runner's to handle (it tears down in order). */
		setpgid(0, 0);
		signal(SIGINT, SIG_IGN);
		dup2(to_h[0], 0);
		dup2(from_h[1], 1);
		if (!env->verbose) {
			int dn = open("/dev/null", O_WRONLY);
			if (dn >= 0)
				dup2(dn, 2);
		}
		execvp(argv[0], argv);
		dprintf(2, "tcpconform: cannot run harness %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(to_h[0]);
	close(from_h[1]);
	t->harness = pid;
	t->w.ctl_wr = to_h[1];
	t->w.ctl_rd = from_h[0];
	fcntl(t->w.ctl_rd, F_SETFL, O_NONBLOCK);
	rc = 0;
out:
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

static void tap_close(void *h);

static void *tap_open(const struct tc_case *c, int family, const struct tc_target_env *env,
		      struct tc_io *io, struct tc_exec_cfg *cfg, int *is_case_error, char *err,
		      size_t cap)
{
	const struct tc_target_file *tf = &g_tf;
	struct tc_tap *t;
	char e[512];
	*is_case_error = 0;
	if (check_sysctls(c, err, cap) < 0) {
		*is_case_error = TC_OPEN_SKIP;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	t->fd_home = t->fd_ns = -1;
	if (tc_wire_init(&t->w, family) < 0) {
		free(t);
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	const char *tgt = family == TC_FAMILY_V4 ? tf->target4 : tf->target6;
	const char *peer = family == TC_FAMILY_V4 ? tf->peer4 : tf->peer6;
	int af = family == TC_FAMILY_V4 ? AF_INET : AF_INET6;
	if (!tgt[0] || !peer[0]) {
		snprintf(err, cap, "target file %s gives no %s addresses (target%d, peer%d); run with "
			 "--family %s", tf->path, family == TC_FAMILY_V4 ? "IPv4" : "IPv6", family,
			 family, family == TC_FAMILY_V4 ? "ipv6" : "ipv4");
		goto fail;
	}
	inet_pton(af, tgt, cfg->target_addr);
	inet_pton(af, peer, cfg->peer_addr);
	memcpy(t->w.target_addr, cfg->target_addr, 16);
	struct tc_neigh_self *s = &t->w.self;
	tc_parse_mac(TC_TAP_PEER_MAC, s->mac);
	if (family == TC_FAMILY_V4) {
		s->have_v4 = 1;
		memcpy(s->v4, cfg->peer_addr, 4);
		memcpy(s->target_v4, cfg->target_addr, 4);
	} else {
		s->have_v6 = 1;
		memcpy(s->v6, cfg->peer_addr, 16);
		memcpy(s->target_v6, cfg->target_addr, 16);
	}
	uint8_t tmac[6];
	if (tc_parse_mac(tf->target_mac[0] ? tf->target_mac : "02:00:00:00:00:01", tmac) < 0) {
		snprintf(err, cap, "bad target_mac in %s", tf->path);
		goto fail;
	}

	snprintf(t->ns, sizeof(t->ns), "tcpc-%d-%d-tap", (int)env->owner_pid, env->idx);
	/* Made from this process (targets/netns.h), not by forking `ip`. */
	if (tc_netns_add(t->ns, err, cap) < 0)
		goto fail;
	t->made = 1;
	{
		char path[128];
		snprintf(path, sizeof(path), NETNS_DIR "/%s", t->ns);
		t->fd_ns = open(path, O_RDONLY | O_CLOEXEC);
		t->fd_home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (t->fd_ns < 0 || t->fd_home < 0) {
			snprintf(err, cap, "cannot open namespace %s: %s", t->ns, strerror(errno));
			goto fail;
		}
	}
	/* This worker process lives in the case's namespace from here on; it exits after the
	 * case. The harness it starts inherits the namespace. */
	if (setns(t->fd_ns, CLONE_NEWNET) < 0) {
		snprintf(err, cap, "setns into %s: %s", t->ns, strerror(errno));
		goto fail;
	}
	if (make_tap(e, sizeof(e)) < 0) {
		snprintf(err, cap, "%s", e);
		goto fail;
	}
	if (start_harness(t, env, tgt, peer, err, cap) < 0)
		goto fail;
	char greet[256];
	if (tc_wire_hello(&t->w, tf->startup_ms, greet, sizeof(greet), e, sizeof(e)) < 0) {
		snprintf(err, cap, "harness %s: %s", tf->argv[0], e);
		goto fail;
	}
	{
		int kind = 0;
		if (apply_sysctls(t, c, &kind, err, cap) < 0) {
			*is_case_error = kind;
			goto fail;
		}
	}
	/* The link comes up only now that the harness holds the device (it attached before it
	 * greeted): with the carrier already on, the kernel activates the transmit queue at once
	 * when the link goes up. Brought up earlier, the carrier change would reach the link
	 * watcher as a non-urgent event (a TAP device has no lower link), the queue would stay
	 * the dropping placeholder for up to a second, and the first frames we inject would be
	 * lost while the interface already claimed to be running. */
	if (if_flags(TC_TAP_IFNAME, IFF_UP, NULL, e, sizeof(e)) < 0) {
		snprintf(err, cap, "%s", e);
		goto fail;
	}
	{
		char bpf[300];
		/* The case's TCP, plus the stack's ARP or neighbour discovery for our address. */
		if (family == TC_FAMILY_V4)
			snprintf(bpf, sizeof(bpf), "(ip and tcp and host %s and host %s) or arp", tgt, peer);
		else
			snprintf(bpf, sizeof(bpf), "(ip6 and tcp and host %s and host %s) or icmp6", tgt, peer);
		t->w.cap = tc_capture_open(TC_TAP_IFNAME, bpf, env->pcap_path, err, cap);
		if (!t->w.cap)
			goto fail;
		t->w.inj = tc_injector_open(TC_TAP_IFNAME, s->mac, tmac, err, cap);
		if (!t->w.inj)
			goto fail;
	}
	tc_wire_io(&t->w, io);
	return t;
fail:
	tap_close(t);
	return NULL;
}

static void tap_close(void *h)
{
	struct tc_tap *t = h;
	if (!t)
		return;
	if (t->harness > 0) {
		char e[64];
		if (t->w.ctl_wr >= 0 && !t->w.eof) {
			/* QUIT, then end of input: either ends a well-behaved harness. */
			struct tc_io io;
			tc_wire_io(&t->w, &io);
			io.agent_send(&t->w, "0 QUIT", e, sizeof(e));
		}
		if (t->w.ctl_wr >= 0)
			close(t->w.ctl_wr);
		t->w.ctl_wr = -1;
		int st;
		pid_t r = 0;
		for (int i = 0; i < 50 && (r = waitpid(t->harness, &st, WNOHANG)) == 0; i++)
			usleep(10000);
		if (r == 0) {
			kill(-t->harness, SIGKILL);
			kill(t->harness, SIGKILL);
			waitpid(t->harness, &st, 0);
		}
	}
	if (t->made)
		tc_kill_netns_procs(t->ns);
	tc_wire_close(&t->w);
	if (t->fd_home >= 0) {
		setns(t->fd_home, CLONE_NEWNET);
		close(t->fd_home);
	}
	if (t->fd_ns >= 0)
		close(t->fd_ns);
	if (t->made) {
		char e[256];
		tc_netns_del(t->ns, e, sizeof(e));
	}
	free(t);
}

static int tap_configure(const struct tc_target_args *a, char *err, size_t cap)
{
	if (!a->file) {
		snprintf(err, cap, "--target tap needs --target-file FILE (e.g. suites/targets/lwip.yaml)");
		return -1;
	}
	if (a->iface || a->host || a->agent || a->peer) {
		snprintf(err, cap, "--iface, --host, --peer and --agent are for --target remote");
		return -1;
	}
	if (g_loaded)
		tc_target_file_free(&g_tf);
	g_loaded = 0;
	if (tc_target_file_load(a->file, &g_tf, err, cap) < 0)
		return -1;
	if (strcmp(g_tf.kind, "tap") != 0) {
		snprintf(err, cap, "%s is a '%s' target file; use --target %s", a->file, g_tf.kind,
			 g_tf.kind);
		tc_target_file_free(&g_tf);
		return -1;
	}
	ssize_t n = readlink("/proc/self/exe", g_bindir, sizeof(g_bindir) - 1);
	if (n > 0) {
		g_bindir[n] = '\0';
		char *slash = strrchr(g_bindir, '/');
		if (slash)
			*slash = '\0';
	} else {
		snprintf(g_bindir, sizeof(g_bindir), ".");
	}
	g_loaded = 1;
	return 0;
}

static int tap_check(const struct tc_target_env *env, char *err, size_t cap)
{
	(void)env;
	if (!g_loaded) {
		snprintf(err, cap, "--target tap needs --target-file FILE");
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(err, cap, "the tap target needs root (it creates network namespaces and TAP "
				   "devices); run with sudo");
		return -1;
	}
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		snprintf(err, cap, "/dev/net/tun: %s (load the tun module)", strerror(errno));
		return -1;
	}
	return 0;
}

static const char *tap_profile(void)
{
	return g_loaded && g_tf.profile[0] ? g_tf.profile : NULL;
}

static const char *tap_baseline(void)
{
	return g_loaded && g_tf.baseline[0] ? g_tf.baseline : NULL;
}

const struct tc_target_ops tc_target_tap = {
	.name = "tap",
	.configure = tap_configure,
	.profile = tap_profile,
	.baseline = tap_baseline,
	.check = tap_check,
	.open = tap_open,
	.close = tap_close,
	/* The namespaces are named tcpc-PID-N-tap: the linux target's sweep recognises them. */
	.sweep = tc_linux_sweep,
};
