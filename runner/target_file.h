/*
 * target_file.h - target files (suites/targets/NAME.yaml, docs/targets.md): how to reach a stack
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
};

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
