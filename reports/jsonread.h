/*
 * jsonread.h - a small JSON reader (RFC 8259) for our own result files: `report merge` and
 * `report compare` read what `--json` wrote, possibly by another version of the tool.
 *
 * The whole document becomes a tree of struct tc_jv. Strings are decoded to UTF-8 (escapes,
 * including surrogate pairs) and NUL-terminated; a "\u0000" inside a string is kept in len but
 * cuts the C string short. Nesting deeper than TC_JSON_MAX_DEPTH, a document larger than the
 * caller's buffer, duplicate keys (the first wins) and trailing garbage are handled without
 * crashing; errors say "line L, column C: what".
 */
#ifndef TC_JSONREAD_H
#define TC_JSONREAD_H

#include <stddef.h>

#define TC_JSON_MAX_DEPTH 64

enum tc_jtype { TC_J_NULL = 0, TC_J_FALSE, TC_J_TRUE, TC_J_NUM, TC_J_STR, TC_J_ARR, TC_J_OBJ };

struct tc_jv {
	enum tc_jtype type;
	double num;             /* TC_J_NUM */
	char *str;              /* TC_J_STR (owned, NUL-terminated) */
	size_t len;             /* TC_J_STR: bytes; TC_J_ARR / TC_J_OBJ: unused */
	struct tc_jv *items;    /* TC_J_ARR elements / TC_J_OBJ values (owned) */
	char **keys;            /* TC_J_OBJ keys, parallel to items (owned) */
	int n;                  /* number of items */
};

/* Parses buf[0..len). Returns 0 and fills *out (free with tc_jv_free), or -1 with err. */
int tc_json_parse(const char *buf, size_t len, struct tc_jv *out, char *err, size_t cap);
void tc_jv_free(struct tc_jv *v);

/* The member `key` of an object, or NULL (also when v is NULL or not an object). */
const struct tc_jv *tc_jv_get(const struct tc_jv *v, const char *key);
/* The string of v, or dflt when v is absent or not a string. */
const char *tc_jv_str(const struct tc_jv *v, const char *dflt);
/* The number of v, or dflt when v is absent or not a number. */
double tc_jv_num(const struct tc_jv *v, double dflt);

#endif
