/*
 * targets/file.h - target files (suites/targets/NAME.yaml, docs/targets.md): how to reach a stack
 * that is not the local kernel. A flat YAML mapping:
 *
 *   name: lwip                     # for messages and reports
 *   target: tap                    # tap or remote: which driver reads this file
 *   profile: lwip                  # matched against cases' only/except (and the model's profile)
 *   baseline: ../baselines/lwip.yaml   # known deviations, relative to this file
 *   harness: ["{bin}/tcpconform-lwip", "--tap", "{tap}", "--ipv4", "{target4}/24"]   # tap
 *   target_mac: 02:00:00:00:00:01  # tap: the stack's Ethernet address
 *   target4: 192.0.2.1             # the stack's addresses
 *   target6: 2001:db8::1
 *   peer4: 192.0.2.2               # the injector's own test addresses
 *   peer6: 2001:db8::2
 *   startup_timeout: 5             # tap: seconds to wait for the harness's HELLO
 *   iface: eth1                    # remote: the only interface injection uses
 *   agent: 192.0.2.1:7001          # remote: the agent's control connection
 *   sysctl: agent                  # remote: apply case sysctls through the agent (or: skip)
 *   sysctl_map:                    # tap: how a case's (Linux) sysctl reaches the stack
 *     net.ipv4.tcp_rfc1337: {fixed: 1}          # the stack always behaves as with 1
 *     net.ipv4.tcp_retries2: {key: mystack.max_rtx}   # set through the harness's SYSCTL
 *
 * In harness arguments {bin} is the folder of the tcpconform program, {dir} the target file's
 * folder, {tap} the TAP device's name, and {target4} {target6} {peer4} {peer6} {target_mac} the
 * values above.
 */
#ifndef TC_TARGET_FILE_H
#define TC_TARGET_FILE_H

#include <stddef.h>
#include <stdint.h>

#define TC_TF_MAX_ARGS 32
#define TC_TF_SYSCTL_SKIP 0
#define TC_TF_SYSCTL_AGENT 1

#define TC_TF_MAX_SYSCTL_MAP 32
#define TC_TF_MAP_FIXED 0      /* the stack always behaves as the setting with this value */
#define TC_TF_MAP_KEY 1        /* the harness takes the value under its own setting's name */

/* One entry of `sysctl_map:` (docs/targets.md). */
struct tc_tf_sysctl_map {
	char name[128];            /* the sysctl a case names (net.ipv4.tcp_rfc1337) */
	int kind;                  /* TC_TF_MAP_* */
	char value[256];           /* fixed: the value the stack always has */
	char key[128];             /* key: the harness's setting, for the SYSCTL verb */
	int line, col;             /* of the entry's name, for messages */
};

struct tc_target_file {
	char path[512], dir[512];
	char name[64], kind[16], profile[64], baseline[1024];
	char *argv[TC_TF_MAX_ARGS + 1]; /* harness, NULL-terminated; argc entries */
	int argc;
	char target_mac[32];
	char target4[64], target6[64], peer4[64], peer6[64];
	char iface[32], agent[300];
	int startup_ms;
	int sysctl_mode;
	struct tc_tf_sysctl_map smap[TC_TF_MAX_SYSCTL_MAP];
	int nsmap;
};

/* What a tap target does with one of a case's sysctls (tc_target_file_sysctl). */
#define TC_TF_SC_RUN 0   /* nothing to set: the stack always behaves so */
#define TC_TF_SC_SET 1   /* send the value to the harness under *set_key (SYSCTL verb) */
#define TC_TF_SC_SKIP 2  /* the case cannot run with its settings here: why says so */

/*
 * tc_target_file_sysctl - the decision for a case's `sysctl: {name: value}` on a target whose
 * stack is not Linux: a case never runs silently without its settings. An entry of
 * `sysctl_map` with `fixed: V` runs the case when value equals V (numbers compared as numbers,
 * word by word) and skips it otherwise; `key: K` asks for the value to be set as K through the
 * agent protocol's SYSCTL (returned in *set_key); no entry skips it ("sysctl NAME has no
 * mapping in FILE"). Returns TC_TF_SC_*; why (cap bytes) is filled for TC_TF_SC_SKIP.
 */
int tc_target_file_sysctl(const struct tc_target_file *tf, const char *name, const char *value,
			  const char **set_key, char *why, size_t cap);

/*
 * tc_target_file_load - read path into *tf (zeroed first). Unknown keys, wrong types and bad
 * values are errors quoting path:line:column. Returns 0 or -1 with a message in err. Free the
 * harness arguments with tc_target_file_free.
 */
int tc_target_file_load(const char *path, struct tc_target_file *tf, char *err, size_t cap);
void tc_target_file_free(struct tc_target_file *tf);

/*
 * tc_target_file_expand - substitute the {placeholders} of one harness argument into out.
 * vars holds pairs name, value (NULL-terminated list). An unknown placeholder is an error.
 * Returns 0 or -1 with a message in err.
 */
int tc_target_file_expand(const char *arg, const char *const *vars, char *out, size_t cap,
			  char *err, size_t ecap);

/* Parses "aa:bb:cc:dd:ee:ff". Returns 0 or -1. */
int tc_parse_mac(const char *s, uint8_t mac[6]);

#endif
