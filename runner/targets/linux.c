/*
 * targets/linux.c - the local Linux kernel as the stack under test (see targets/linux.h).
 */
#include "linux.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
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
#include <time.h>
#include <unistd.h>

#include "../../injector/capture.h"
#include "../../injector/craft.h"
#include "netns.h"
#include "wire.h"

#define IF_TARGET "tc-tgt"
#define IF_INJ "tc-inj"
#define NETNS_DIR TC_NETNS_DIR

static const uint8_t mac_target[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_inj[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

struct tc_linux {
	char ns_t[64], ns_i[64];
	int made_t, made_i;
	int fd_t, fd_i, fd_home;   /* namespace file descriptors; fd_home is ours at start */
	pid_t agent;
	/* Injection, capture and the agent's pipe: the I/O all wire-level targets share
	 * (targets/wire.h). The target has static neighbour entries, so no ARP/ND is answered. */
	struct tc_wire w;
	int wire_ready;
};

/* ---- helpers ---- */

static int open_ns(const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Writes value to /proc/sys/KEY (dots become slashes) in the current namespace. */
static int write_sysctl(const char *key, const char *value, char *err, size_t cap)
{
	char path[256];
	int n = snprintf(path, sizeof(path), "/proc/sys/");
	for (const char *k = key; *k && (size_t)n < sizeof(path) - 1; k++)
		path[n++] = *k == '.' ? '/' : *k;
	path[n] = '\0';
	if (strstr(key, "..") || strchr(key, '/')) {
		snprintf(err, cap, "not a sysctl name");
		return -1;
	}
	char why[300];
	if (tc_write_proc(path, value, why, sizeof(why)) < 0) {
		/* The case's file:line:column is added by the caller; say what went wrong in the
		 * case's own words (the key), not the /proc path. */
		if (errno == ENOENT)
			snprintf(err, cap, "no such sysctl in the target namespace");
		else
			snprintf(err, cap, "cannot set it to '%s': %s", value, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Turns off the offloads that would make captured frames differ from what the kernel's TCP
 * really decided: checksum offload (transmit: checksums would be left partial on the wire;
 * receive: veth marks frames from its peer as already verified, so a segment with a bad
 * checksum would be accepted) and segmentation offloads (TSO/GSO/GRO would show or merge
 * segments larger than the MSS).
 */
static int offloads_off(const char *ifname, char *err, size_t cap)
{
	static const unsigned cmds[] = {ETHTOOL_SRXCSUM, ETHTOOL_STXCSUM, ETHTOOL_SSG,
					ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "socket: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct ethtool_value ev = {.cmd = cmds[i], .data = 0};
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		ifr.ifr_data = (void *)&ev;
		if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 && errno != EOPNOTSUPP) {
			snprintf(err, cap, "ethtool command %#x on %s: %s", cmds[i], ifname,
				 strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* Waits until ifname is running (carrier up and the link watcher done), so the first frame we
 * send is not dropped by a not yet activated queue. */
static int wait_running(const char *ifname, char *err, size_t cap)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, cap, "socket: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 3000; i++) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_RUNNING)) {
			close(fd);
			return 0;
		}
		usleep(1000);
	}
	close(fd);
	snprintf(err, cap, "interface %s did not come up within 3s", ifname);
	return -1;
}

/*
 * Configures the target namespace from a child process that joins it, so the runner's own
 * namespace is never touched. The child reports failure as text through a pipe; `which` tells
 * the parent the index of the case sysctl that failed (or -1).
 */
static int setup_target_ns(struct tc_linux *t, const struct tc_case *c, int *which, char *err,
			   size_t cap)
{
	int pfd[2];
	*which = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, cap, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, cap, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		char e[400];
		int idx = -1;
		close(pfd[0]);
		if (setns(t->fd_t, CLONE_NEWNET) < 0) {
			snprintf(e, sizeof(e), "setns: %s", strerror(errno));
			goto child_fail;
		}
		/* RFC 4862 duplicate address detection would hold the address tentative for a
		 * second; there is nobody to collide with on a two-ended veth. Router
		 * solicitations and RAs are noise on a test link. */
		static const char *const base[][2] = {
			{"net.ipv6.conf.all.accept_dad", "0"},
			{"net.ipv6.conf.default.accept_dad", "0"},
			{"net.ipv6.conf." IF_TARGET ".accept_dad", "0"},
			{"net.ipv6.conf." IF_TARGET ".accept_ra", "0"},
			{"net.ipv6.conf." IF_TARGET ".router_solicitations", "0"},
		};
		for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
			if (write_sysctl(base[i][0], base[i][1], e, sizeof(e)) < 0)
				goto child_fail;
		for (int i = 0; i < c->nsysctls; i++) {
			idx = i;
			if (write_sysctl(c->sysctls[i].key, c->sysctls[i].value, e, sizeof(e)) < 0)
				goto child_fail;
		}
		idx = -1;
		if (offloads_off(IF_TARGET, e, sizeof(e)) < 0)
			goto child_fail;
		_exit(0);
child_fail:
		dprintf(pfd[1], "%d %s", idx, e);
		_exit(1);
	}
	close(pfd[1]);
	char msg[512];
	ssize_t n = read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	msg[n > 0 ? n : 0] = '\0';
	char *sp = strchr(msg, ' ');
	*which = atoi(msg);
	snprintf(err, cap, "%s", sp ? sp + 1 : "target namespace set-up failed");
	return -1;
}

static int start_agent(struct tc_linux *t, const char *agent_path, int verbose, char *err,
		       size_t cap)
{
	int to_agent[2], from_agent[2];
	if (pipe2(to_agent, O_CLOEXEC) < 0)
		goto fail_errno;
	if (pipe2(from_agent, O_CLOEXEC) < 0) {
		close(to_agent[0]);
		close(to_agent[1]);
		goto fail_errno;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(to_agent[0]);
		close(to_agent[1]);
		close(from_agent[0]);
		close(from_agent[1]);
		goto fail_errno;
	}
	if (pid == 0) {
		/* The agent must not die with the terminal's SIGINT before the runner asked it to
		 * quit: the runner tears down in order. It still dies on SIGKILL or its pipe's EOF. */
		signal(SIGINT, SIG_IGN);
		if (setns(t->fd_t, CLONE_NEWNET) < 0)
			_exit(126);
		dup2(to_agent[0], 0);
		dup2(from_agent[1], 1);
		if (!verbose) {
			int dn = open("/dev/null", O_WRONLY);
			if (dn >= 0)
				dup2(dn, 2);
		}
		execl(agent_path, "tcpconform-agent", (char *)NULL);
		_exit(127);
	}
	close(to_agent[0]);
	close(from_agent[1]);
	t->agent = pid;
	t->w.ctl_wr = to_agent[1];
	t->w.ctl_rd = from_agent[0];
	fcntl(t->w.ctl_rd, F_SETFL, O_NONBLOCK);
	return 0;
fail_errno:
	snprintf(err, cap, "cannot start the agent: %s", strerror(errno));
	return -1;
}

/* ---- public ---- */

int tc_linux_check_privileges(char *err, size_t cap)
{
	if (geteuid() != 0) {
		snprintf(err, cap, "the linux target needs root (it creates network namespaces and "
				   "raw sockets); run with sudo");
		return -1;
	}
	return 0;
}

static int pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

static int del_ns(const char *name)
{
	char err[256];
	return tc_netns_del(name, err, sizeof(err));
}

int tc_linux_sweep(pid_t own_pid)
{
	int removed = 0;
	DIR *d = opendir(NETNS_DIR);
	if (!d)
		return 0;
	struct dirent *de;
	char names[256][64];
	int n = 0;
	while ((de = readdir(d)) != NULL && n < 256) {
		long pid;
		if (strncmp(de->d_name, "tcpc-", 5) != 0)
			continue;
		pid = strtol(de->d_name + 5, NULL, 10);
		if (pid <= 0)
			continue;
		if ((own_pid > 0 && pid == own_pid) || !pid_alive((pid_t)pid))
			snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		tc_kill_netns_procs(names[i]);
		if (del_ns(names[i]) == 0)
			removed++;
	}
	return removed;
}

struct tc_linux *tc_linux_open(const struct tc_case *c, int family, pid_t owner_pid, int idx,
			       const char *agent_path, const char *pcap_path, int verbose,
			       struct tc_io *io, int *is_case_error, char *err, size_t cap)
{
	struct tc_linux *t = calloc(1, sizeof(*t));
	char e[512];
	*is_case_error = 0;
	if (!t) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	t->fd_t = t->fd_i = t->fd_home = -1;
	if (tc_wire_init(&t->w, family) < 0) {
		snprintf(err, cap, "out of memory");
		goto fail;
	}
	t->wire_ready = 1;
	inet_pton(family == TC_FAMILY_V4 ? AF_INET : AF_INET6,
		  family == TC_FAMILY_V4 ? TC_LINUX_TARGET_V4 : TC_LINUX_TARGET_V6, t->w.target_addr);
	snprintf(t->ns_t, sizeof(t->ns_t), "tcpc-%d-%d-t", (int)owner_pid, idx);
	snprintf(t->ns_i, sizeof(t->ns_i), "tcpc-%d-%d-i", (int)owner_pid, idx);
	t->fd_home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	/* Namespaces, the veth pair, addresses and neighbours are made over rtnetlink from this
	 * process (targets/netns.h): forking `ip` for each of them cost about a dozen processes
	 * per case (issue 13). */
	if (tc_netns_add(t->ns_t, err, cap) < 0)
		goto fail;
	t->made_t = 1;
	if (tc_netns_add(t->ns_i, err, cap) < 0)
		goto fail;
	t->made_i = 1;
	t->fd_t = open_ns(t->ns_t);
	t->fd_i = open_ns(t->ns_i);
	if (t->fd_t < 0 || t->fd_i < 0) {
		snprintf(err, cap, "cannot open the new namespaces: %s", strerror(errno));
		goto fail;
	}
	int nl_t = tc_nl_open(t->fd_t, err, cap);
	if (nl_t < 0)
		goto fail;
	int nl_i = tc_nl_open(t->fd_i, err, cap);
	if (nl_i < 0) {
		close(nl_t);
		goto fail;
	}
	/* Distinct interface indexes matter: in two fresh namespaces both ends would get index
	 * 2, the kernel's link watcher would then see iflink == ifindex, treat the carrier change
	 * as not urgent and delay it by up to a second per case. */
	if (tc_nl_veth(nl_i, IF_INJ, 20, mac_inj, IF_TARGET, 21, mac_target, t->fd_t, err, cap) < 0)
		goto fail_nl;
	int which;
	if (setup_target_ns(t, c, &which, e, sizeof(e)) < 0) {
		if (which >= 0) {
			const struct tc_sysctl *s = &c->sysctls[which];
			snprintf(err, cap, "%s:%d:%d: sysctl '%s: %s': %s", c->file, s->pos.line,
				 s->pos.col, s->key, s->value, e);
			*is_case_error = 1;
		} else {
			snprintf(err, cap, "%s", e);
		}
		goto fail_nl;
	}
	{
		/* Only the case's family is configured: the other one has nothing to do in it. */
		uint8_t a4[4], a6[16], p4[4], p6[16];
		inet_pton(AF_INET, TC_LINUX_TARGET_V4, a4);
		inet_pton(AF_INET6, TC_LINUX_TARGET_V6, a6);
		inet_pton(AF_INET, TC_LINUX_PEER_V4, p4);
		inet_pton(AF_INET6, TC_LINUX_PEER_V6, p6);
		int v4 = family == TC_FAMILY_V4;
		if (tc_nl_link_up(nl_t, "lo", err, cap) < 0 ||
		    tc_nl_addr(nl_t, IF_TARGET, v4 ? AF_INET : AF_INET6, v4 ? (void *)a4 : (void *)a6,
			       v4 ? 24 : 64, err, cap) < 0 ||
		    tc_nl_link_up(nl_t, IF_TARGET, err, cap) < 0 ||
		    tc_nl_neigh(nl_t, IF_TARGET, v4 ? AF_INET : AF_INET6, v4 ? (void *)p4 : (void *)p6,
				mac_inj, err, cap) < 0 ||
		    tc_nl_link_up(nl_i, IF_INJ, err, cap) < 0)
			goto fail_nl;
	}
	close(nl_t);
	close(nl_i);
	/* From here on this process lives in the injector's namespace: libnet and libpcap open
	 * their sockets on tc-inj there. The worker process exits after the case. */
	if (setns(t->fd_i, CLONE_NEWNET) < 0) {
		snprintf(err, cap, "setns into %s: %s", t->ns_i, strerror(errno));
		goto fail;
	}
	/* The injector's side keeps IPv6 off so its kernel sends no solicitations of its own. */
	if (write_sysctl("net.ipv6.conf." IF_INJ ".disable_ipv6", "1", e, sizeof(e)) < 0 ||
	    offloads_off(IF_INJ, e, sizeof(e)) < 0 || wait_running(IF_INJ, e, sizeof(e)) < 0) {
		snprintf(err, cap, "injector interface: %s", e);
		goto fail;
	}
	{
		char bpf[256];
		if (family == TC_FAMILY_V4)
			snprintf(bpf, sizeof(bpf), "ip and tcp and host %s and host %s",
				 TC_LINUX_TARGET_V4, TC_LINUX_PEER_V4);
		else
			snprintf(bpf, sizeof(bpf), "ip6 and tcp and host %s and host %s",
				 TC_LINUX_TARGET_V6, TC_LINUX_PEER_V6);
		t->w.cap = tc_capture_open(IF_INJ, bpf, pcap_path, err, cap);
		if (!t->w.cap)
			goto fail;
		t->w.inj = tc_injector_open(IF_INJ, mac_inj, mac_target, err, cap);
		if (!t->w.inj)
			goto fail;
	}
	if (start_agent(t, agent_path, verbose, err, cap) < 0)
		goto fail;
	/* The agent's greeting proves it runs; a wrong protocol version is refused here. */
	{
		char greet[256], e2[512];
		if (tc_wire_hello(&t->w, 5000, greet, sizeof(greet), e2, sizeof(e2)) < 0) {
			snprintf(err, cap, "%s (%s)", e2, agent_path);
			goto fail;
		}
	}
	tc_wire_io(&t->w, io);
	return t;
fail_nl:
	close(nl_t);
	close(nl_i);
fail:
	tc_linux_close(t);
	return NULL;
}

void tc_linux_close(struct tc_linux *t)
{
	if (!t)
		return;
	if (t->agent > 0) {
		char e[64];
		struct tc_io io;
		tc_wire_io(&t->w, &io);
		io.agent_send(&t->w, "0 QUIT", e, sizeof(e));
		close(t->w.ctl_wr);
		t->w.ctl_wr = -1;
		int st;
		pid_t r = 0;
		for (int i = 0; i < 50 && (r = waitpid(t->agent, &st, WNOHANG)) == 0; i++)
			usleep(10000);
		if (r == 0) {
			kill(t->agent, SIGKILL);
			waitpid(t->agent, &st, 0);
		}
	}
	if (t->wire_ready)
		tc_wire_close(&t->w);
	if (t->fd_home >= 0) {
		setns(t->fd_home, CLONE_NEWNET);
		close(t->fd_home);
	}
	if (t->fd_t >= 0)
		close(t->fd_t);
	if (t->fd_i >= 0)
		close(t->fd_i);
	if (t->made_t) {
		tc_kill_netns_procs(t->ns_t);
		del_ns(t->ns_t);
	}
	if (t->made_i)
		del_ns(t->ns_i);
	free(t);
}

/* ---- the target table entry ---- */

static int linux_check(const struct tc_target_env *env, char *err, size_t cap)
{
	(void)env;
	return tc_linux_check_privileges(err, cap);
}

static void *linux_open(const struct tc_case *c, int family, const struct tc_target_env *env,
			struct tc_io *io, struct tc_exec_cfg *cfg, int *is_case_error, char *err,
			size_t cap)
{
	if (family == TC_FAMILY_V4) {
		inet_pton(AF_INET, TC_LINUX_TARGET_V4, cfg->target_addr);
		inet_pton(AF_INET, TC_LINUX_PEER_V4, cfg->peer_addr);
	} else {
		inet_pton(AF_INET6, TC_LINUX_TARGET_V6, cfg->target_addr);
		inet_pton(AF_INET6, TC_LINUX_PEER_V6, cfg->peer_addr);
	}
	return tc_linux_open(c, family, env->owner_pid, env->idx, env->agent_path, env->pcap_path,
			     env->verbose, io, is_case_error, err, cap);
}

static void linux_close(void *h)
{
	tc_linux_close(h);
}

const struct tc_target_ops tc_target_linux = {
	.name = "linux",
	.check = linux_check,
	.open = linux_open,
	.close = linux_close,
	.sweep = tc_linux_sweep,
};
