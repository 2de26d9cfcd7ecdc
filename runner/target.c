/*
 * target.c - the registry of targets (see target.h). A new target adds itself to the table.
 */
#include "target.h"

#include <string.h>

static const struct tc_target_ops *const targets[] = {
	&tc_target_linux,
	&tc_target_tap,
	&tc_target_remote,
};

const struct tc_target_ops *tc_target_find(const char *name)
{
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strcmp(targets[i]->name, name) == 0)
			return targets[i];
	return NULL;
}

const char *tc_target_names(void)
{
	static char buf[256];
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]) && off < sizeof(buf); i++) {
		size_t n = strlen(targets[i]->name);
		if (off + n + 3 > sizeof(buf))
			break;
		if (i) {
			memcpy(buf + off, ", ", 2);
			off += 2;
		}
		memcpy(buf + off, targets[i]->name, n + 1);
		off += n;
	}
	return buf;
}
