/*
 * targets/file.c - loading target files (see targets/file.h) with libyaml's event parser.
 */
#include "file.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct strkey {
	const char *key;
	size_t off, size;
};

#define SK(k, f) {k, offsetof(struct tc_target_file, f), sizeof(((struct tc_target_file *)0)->f)}
static const struct strkey str_keys[] = {
	SK("name", name),         SK("target", kind),       SK("profile", profile),
	SK("baseline", baseline), SK("target_mac", target_mac), SK("target4", target4),
	SK("target6", target6),   SK("peer4", peer4),       SK("peer6", peer6),
	SK("iface", iface),       SK("agent", agent),
};

int tc_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			 &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

void tc_target_file_free(struct tc_target_file *tf)
{
	for (int i = 0; i < tf->argc; i++)
		free(tf->argv[i]);
	tf->argc = 0;
	tf->argv[0] = NULL;
}

static int where(char *err, size_t cap, const char *path, const yaml_event_t *ev)
{
	return snprintf(err, cap, "%s:%zu:%zu: ", path, ev->start_mark.line + 1,
			ev->start_mark.column + 1);
}

/* Checks what a key's value must look like. Returns 0 or -1 with err's tail filled. */
static int check_value(const struct tc_target_file *tf, const char *key, char *err, size_t cap)
{
	if (strcmp(key, "target") == 0 && strcmp(tf->kind, "tap") != 0 &&
	    strcmp(tf->kind, "remote") != 0) {
		snprintf(err, cap, "target: '%s' is not a file-driven target (want tap or remote)",
			 tf->kind);
		return -1;
	}
	uint8_t buf[16];
	if ((strcmp(key, "target4") == 0 || strcmp(key, "peer4") == 0) &&
	    inet_pton(AF_INET, strcmp(key, "target4") == 0 ? tf->target4 : tf->peer4, buf) != 1) {
		snprintf(err, cap, "%s: not an IPv4 address", key);
		return -1;
	}
	if ((strcmp(key, "target6") == 0 || strcmp(key, "peer6") == 0) &&
	    inet_pton(AF_INET6, strcmp(key, "target6") == 0 ? tf->target6 : tf->peer6, buf) != 1) {
		snprintf(err, cap, "%s: not an IPv6 address", key);
		return -1;
	}
	if (strcmp(key, "target_mac") == 0 && tc_parse_mac(tf->target_mac, buf) < 0) {
		snprintf(err, cap, "target_mac: '%s' is not an Ethernet address (aa:bb:cc:dd:ee:ff)",
			 tf->target_mac);
		return -1;
	}
	return 0;
}

/* A setting's name: dotted words of letters, digits, '_' and '-', no empty word (the agent
 * protocol's SYSCTL key rule, docs/agent-protocol.md). */
static int good_setting(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 127 || k[0] == '.' || k[n - 1] == '.' || strstr(k, ".."))
		return 0;
	for (const char *c = k; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '-' || *c == '.'))
			return 0;
	return 1;
}

/*
 * Reads the value of `sysctl_map:` (its MAPPING_START already consumed): entries
 * `NAME: {fixed: VALUE}` or `NAME: {key: SETTING}`. Consumes events up to and including the
 * mapping's end. Returns 0 or -1 with a message quoting path:line:column.
 */
static int parse_smap(yaml_parser_t *p, struct tc_target_file *tf, const char *path, char *err,
		      size_t cap)
{
	yaml_event_t ev;
	struct tc_tf_sysctl_map *cur = NULL;
	int in_entry = 0, nfields = 0, rc = -1;
	char fkey[16] = "";
	for (;;) {
		if (!yaml_parser_parse(p, &ev)) {
			snprintf(err, cap, "%s:%zu:%zu: %s", path, p->problem_mark.line + 1,
				 p->problem_mark.column + 1, p->problem ? p->problem : "YAML error");
			return -1;
		}
		int n = where(err, cap, path, &ev);
		char *e = err + n;
		size_t ecap = cap - (size_t)n;
		const char *v = ev.type == YAML_SCALAR_EVENT ? (const char *)ev.data.scalar.value : "";
		if (!in_entry) {
			if (ev.type == YAML_MAPPING_END_EVENT) {
				rc = 0;
				break;
			}
			if (cur == NULL && ev.type == YAML_SCALAR_EVENT) {
				if (!good_setting(v)) {
					snprintf(e, ecap, "sysctl_map: '%.60s' is not a sysctl name (dotted "
						 "words of letters, digits, '_' and '-')", v);
					break;
				}
				for (int i = 0; i < tf->nsmap; i++)
					if (strcmp(tf->smap[i].name, v) == 0) {
						snprintf(e, ecap, "sysctl_map: '%.60s' is mapped twice (first "
							 "at line %d)", v, tf->smap[i].line);
						goto done;
					}
				if (tf->nsmap >= TC_TF_MAX_SYSCTL_MAP) {
					snprintf(e, ecap, "sysctl_map: more than %d entries",
						 TC_TF_MAX_SYSCTL_MAP);
					break;
				}
				cur = &tf->smap[tf->nsmap++];
				memset(cur, 0, sizeof(*cur));
				snprintf(cur->name, sizeof(cur->name), "%s", v);
				cur->kind = -1;
				cur->line = (int)ev.start_mark.line + 1;
				cur->col = (int)ev.start_mark.column + 1;
			} else if (cur != NULL && ev.type == YAML_MAPPING_START_EVENT) {
				in_entry = 1;
				nfields = 0;
				fkey[0] = '\0';
			} else if (cur != NULL) {
				snprintf(e, ecap, "sysctl_map: %s: give {fixed: VALUE} or {key: SETTING}",
					 cur->name);
				break;
			} else {
				snprintf(e, ecap, "sysctl_map: give a mapping of sysctl names, e.g. "
					 "net.ipv4.tcp_rfc1337: {fixed: 1}");
				break;
			}
		} else {
			if (ev.type == YAML_MAPPING_END_EVENT) {
				if (nfields != 1) {
					snprintf(e, ecap, "sysctl_map: %s: give exactly one of fixed: and key:",
						 cur->name);
					break;
				}
				in_entry = 0;
				cur = NULL;
			} else if (ev.type != YAML_SCALAR_EVENT) {
				snprintf(e, ecap, "sysctl_map: %s: values are single words", cur->name);
				break;
			} else if (!fkey[0]) {
				if (strcmp(v, "fixed") != 0 && strcmp(v, "key") != 0) {
					snprintf(e, ecap, "sysctl_map: %s: unknown field '%.40s' (fixed or key)",
						 cur->name, v);
					break;
				}
				snprintf(fkey, sizeof(fkey), "%s", v);
			} else {
				if (++nfields > 1) {
					snprintf(e, ecap, "sysctl_map: %s: give exactly one of fixed: and key:",
						 cur->name);
					break;
				}
				if (strcmp(fkey, "fixed") == 0) {
					if (!v[0] || strlen(v) >= sizeof(cur->value)) {
						snprintf(e, ecap, "sysctl_map: %s: fixed: '%.40s' is empty or "
							 "too long", cur->name, v);
						break;
					}
					cur->kind = TC_TF_MAP_FIXED;
					snprintf(cur->value, sizeof(cur->value), "%s", v);
				} else {
					if (!good_setting(v)) {
						snprintf(e, ecap, "sysctl_map: %s: key: '%.60s' is not a setting "
							 "name (dotted words)", cur->name, v);
						break;
					}
					cur->kind = TC_TF_MAP_KEY;
					snprintf(cur->key, sizeof(cur->key), "%s", v);
				}
				fkey[0] = '\0';
			}
		}
		yaml_event_delete(&ev);
	}
done:
	yaml_event_delete(&ev);
	return rc;
}

/* Whether two sysctl values are the same setting: word by word, integers as numbers. */
static int same_value(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t' || *a == ',')
			a++;
		while (*b == ' ' || *b == '\t' || *b == ',')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		size_t na = strcspn(a, " \t,"), nb = strcspn(b, " \t,");
		char wa[256], wb[256], *ea, *eb;
		snprintf(wa, sizeof(wa), "%.*s", (int)na, a);
		snprintf(wb, sizeof(wb), "%.*s", (int)nb, b);
		errno = 0;
		long long ia = strtoll(wa, &ea, 0), ib = strtoll(wb, &eb, 0);
		if (*ea || *eb || errno ? strcmp(wa, wb) != 0 : ia != ib)
			return 0;
		a += na;
		b += nb;
	}
}

int tc_target_file_sysctl(const struct tc_target_file *tf, const char *name, const char *value,
			  const char **set_key, char *why, size_t cap)
{
	*set_key = NULL;
	for (int i = 0; i < tf->nsmap; i++) {
		const struct tc_tf_sysctl_map *m = &tf->smap[i];
		if (strcmp(m->name, name) != 0)
			continue;
		if (m->kind == TC_TF_MAP_KEY) {
			*set_key = m->key;
			return TC_TF_SC_SET;
		}
		if (same_value(m->value, value))
			return TC_TF_SC_RUN;
		snprintf(why, cap, "sysctl %s: %s always behaves as with %s, the case needs %s (%s:%d)",
			 name, tf->name, m->value, value, tf->path, m->line);
		return TC_TF_SC_SKIP;
	}
	snprintf(why, cap, "sysctl %s has no mapping in %s", name, tf->path);
	return TC_TF_SC_SKIP;
}

int tc_target_file_load(const char *path, struct tc_target_file *tf, char *err, size_t cap)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = -1, depth = 0, in_seq = 0, have_ev = 0;
	char key[64] = "";
	FILE *f = NULL;

	memset(tf, 0, sizeof(*tf));
	tf->startup_ms = 5000;
	tf->sysctl_mode = TC_TF_SYSCTL_AGENT;
	snprintf(tf->path, sizeof(tf->path), "%s", path);
	snprintf(tf->dir, sizeof(tf->dir), "%s", path);
	char *slash = strrchr(tf->dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(tf->dir, sizeof(tf->dir), ".");
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, cap, "cannot open target file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, cap, "out of memory");
		fclose(f);
		return -1;
	}
	yaml_parser_set_input_file(&p, f);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			snprintf(err, cap, "%s:%zu:%zu: %s", path, p.problem_mark.line + 1,
				 p.problem_mark.column + 1, p.problem ? p.problem : "YAML error");
			goto out;
		}
		have_ev = 1;
		if (ev.type == YAML_STREAM_END_EVENT)
			break;
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
			if (depth == 1 && !in_seq && strcmp(key, "sysctl_map") == 0) {
				yaml_event_delete(&ev);
				have_ev = 0;
				if (parse_smap(&p, tf, path, err, cap) < 0)
					goto out;
				key[0] = '\0';
				continue;
			}
			if (depth != 0 || in_seq) {
				int n = where(err, cap, path, &ev);
				snprintf(err + n, cap - (size_t)n, "%s: a nested mapping is not allowed here",
					 key[0] ? key : "document");
				goto out;
			}
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (depth != 1 || strcmp(key, "harness") != 0 || in_seq) {
				int n = where(err, cap, path, &ev);
				snprintf(err + n, cap - (size_t)n, "%s: a list is not allowed here",
					 key[0] ? key : "document");
				goto out;
			}
			in_seq = 1;
			break;
		case YAML_SEQUENCE_END_EVENT:
			in_seq = 0;
			key[0] = '\0';
			if (tf->argc == 0) {
				int n = where(err, cap, path, &ev);
				snprintf(err + n, cap - (size_t)n, "harness: the command is empty");
				goto out;
			}
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			if (depth != 1) {
				int n = where(err, cap, path, &ev);
				snprintf(err + n, cap - (size_t)n, "a target file is a mapping of keys");
				goto out;
			}
			if (in_seq) {
				if (tf->argc >= TC_TF_MAX_ARGS) {
					int n = where(err, cap, path, &ev);
					snprintf(err + n, cap - (size_t)n, "harness: more than %d arguments",
						 TC_TF_MAX_ARGS);
					goto out;
				}
				tf->argv[tf->argc] = strdup(v);
				if (!tf->argv[tf->argc]) {
					snprintf(err, cap, "out of memory");
					goto out;
				}
				tf->argv[++tf->argc] = NULL;
				break;
			}
			if (!key[0]) {
				snprintf(key, sizeof(key), "%s", v);
				if (strcmp(key, "harness") == 0)
					break;
				int known = strcmp(key, "startup_timeout") == 0 || strcmp(key, "sysctl") == 0 ||
					    strcmp(key, "sysctl_map") == 0;
				for (size_t i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++)
					if (strcmp(str_keys[i].key, key) == 0)
						known = 1;
				if (!known) {
					int n = where(err, cap, path, &ev);
					snprintf(err + n, cap - (size_t)n, "unknown key '%.60s'", v);
					goto out;
				}
				break;
			}
			int n = where(err, cap, path, &ev);
			if (strcmp(key, "harness") == 0) {
				snprintf(err + n, cap - (size_t)n, "harness: give a list of arguments");
				goto out;
			}
			if (strcmp(key, "sysctl_map") == 0) {
				snprintf(err + n, cap - (size_t)n, "sysctl_map: give a mapping of sysctl "
					 "names, e.g. {net.ipv4.tcp_rfc1337: {fixed: 1}}");
				goto out;
			}
			if (strcmp(key, "startup_timeout") == 0) {
				char *end;
				double s = strtod(v, &end);
				if (*end || s <= 0 || s > 600) {
					snprintf(err + n, cap - (size_t)n,
						 "startup_timeout: '%.40s' is not a number of seconds (0..600]", v);
					goto out;
				}
				tf->startup_ms = (int)(s * 1000);
			} else if (strcmp(key, "sysctl") == 0) {
				if (strcmp(v, "agent") == 0)
					tf->sysctl_mode = TC_TF_SYSCTL_AGENT;
				else if (strcmp(v, "skip") == 0)
					tf->sysctl_mode = TC_TF_SYSCTL_SKIP;
				else {
					snprintf(err + n, cap - (size_t)n, "sysctl: '%.40s' (want agent or skip)", v);
					goto out;
				}
			} else {
				for (size_t i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++) {
					if (strcmp(str_keys[i].key, key) != 0)
						continue;
					if (strlen(v) >= str_keys[i].size) {
						snprintf(err + n, cap - (size_t)n, "%s: value too long", key);
						goto out;
					}
					memcpy((char *)tf + str_keys[i].off, v, strlen(v) + 1);
				}
				if (check_value(tf, key, err + n, cap - (size_t)n) < 0)
					goto out;
			}
			key[0] = '\0';
			break;
		}
		case YAML_ALIAS_EVENT: {
			int n = where(err, cap, path, &ev);
			snprintf(err + n, cap - (size_t)n, "aliases are not allowed");
			goto out;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
		have_ev = 0;
	}
	if (!tf->kind[0]) {
		snprintf(err, cap, "%s: missing key 'target' (tap or remote)", path);
		goto out;
	}
	if (strcmp(tf->kind, "tap") == 0 && tf->argc == 0) {
		snprintf(err, cap, "%s: a tap target needs 'harness' (the stack's command)", path);
		goto out;
	}
	if (!tf->name[0]) {
		const char *b = strrchr(path, '/');
		snprintf(tf->name, sizeof(tf->name), "%.40s", b ? b + 1 : path);
		char *dot = strrchr(tf->name, '.');
		if (dot)
			*dot = '\0';
	}
	/* A relative baseline is relative to the target file, so the file works from any cwd. */
	if (tf->baseline[0] && tf->baseline[0] != '/') {
		char b[sizeof(tf->baseline)];
		int n = snprintf(b, sizeof(b), "%s/%s", tf->dir, tf->baseline);
		if (n < 0 || (size_t)n >= sizeof(b)) {
			snprintf(err, cap, "%s: baseline path too long", path);
			goto out;
		}
		memcpy(tf->baseline, b, sizeof(b));
	}
	rc = 0;
out:
	if (have_ev)
		yaml_event_delete(&ev);
	yaml_parser_delete(&p);
	fclose(f);
	if (rc < 0)
		tc_target_file_free(tf);
	return rc;
}

int tc_target_file_expand(const char *arg, const char *const *vars, char *out, size_t cap,
			  char *err, size_t ecap)
{
	size_t o = 0;
	for (const char *p = arg; *p;) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			if (!end) {
				snprintf(err, ecap, "harness argument '%s': unclosed '{'", arg);
				return -1;
			}
			size_t n = (size_t)(end - p - 1);
			const char *val = NULL;
			for (int i = 0; vars[i]; i += 2)
				if (strlen(vars[i]) == n && strncmp(vars[i], p + 1, n) == 0)
					val = vars[i + 1];
			if (!val) {
				snprintf(err, ecap, "harness argument '%s': unknown placeholder '{%.*s}'", arg,
					 (int)n, p + 1);
				return -1;
			}
			size_t vl = strlen(val);
			if (o + vl >= cap)
				goto too_long;
			memcpy(out + o, val, vl);
			o += vl;
			p = end + 1;
			continue;
		}
		if (o + 1 >= cap)
			goto too_long;
		out[o++] = *p++;
	}
	out[o] = '\0';
	return 0;
too_long:
	snprintf(err, ecap, "harness argument '%s': too long once expanded", arg);
	return -1;
}
