/*
 * duration.c - the one parser of durations ("500ms", "1.5s"), shared by case files, profiles and
 * target files (common/duration.h).
 */
#include "duration.h"

#include <string.h>

#define US_PER_MS 1000LL
#define US_PER_S 1000000LL

/*
 * Durations: a decimal number with an optional fraction and a unit us, ms, s or m. Parts finer
 * than a microsecond are dropped. The integer part is limited to 9 digits and the whole to about
 * 11 days, far beyond any case but safe from overflow.
 */
int64_t tc_parse_duration(const char *s)
{
	int64_t ip = 0, frac = 0, fscale = 1, unit;
	int idig = 0, fdig = 0;
	const char *p = s;

	if (!s)
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (++idig > 9)
			return -1;
		ip = ip * 10 + (*p++ - '0');
	}
	if (idig == 0)
		return -1;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++fdig > 9)
				return -1;
			frac = frac * 10 + (*p++ - '0');
			fscale *= 10;
		}
		if (fdig == 0)
			return -1;
	}
	if (!strcmp(p, "us"))
		unit = 1;
	else if (!strcmp(p, "ms"))
		unit = US_PER_MS;
	else if (!strcmp(p, "s"))
		unit = US_PER_S;
	else if (!strcmp(p, "m"))
		unit = 60 * US_PER_S;
	else
		return -1;
	int64_t v = ip * unit + frac * unit / fscale;
	if (v > 1000000LL * US_PER_S)
		return -1;
	return v;
}
