// SPDX-License-Identifier: MIT
/* /proc text -> JSON (include/vmm/control/proc.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/control/proc.h>

#define MAX_TOKENS	64

const char *const proc_views[] = {
	"buddyinfo", "pagetypeinfo", "zoneinfo", "vmstat", "meminfo", "slabinfo", NULL,
};

bool proc_view_valid(const char *view)
{
	for (unsigned int i = 0; proc_views[i]; i++)
		if (!strcmp(view, proc_views[i]))
			return true;
	return false;
}

/* Split @line in place at blanks and commas; returns the token count. */
static int tokenize(char *line, char **tok, int max, const char *seps)
{
	char *save = NULL;
	int n = 0;

	for (char *p = strtok_r(line, seps, &save); p && n < max; p = strtok_r(NULL, seps, &save))
		tok[n++] = p;
	return n;
}

static bool is_int(const char *s, json_int_t *v)
{
	char *end;

	if (!*s || (!isdigit((unsigned char)*s) && *s != '-'))
		return false;
	*v = strtoll(s, &end, 10);
	return *end == '\0';
}

/* The next line of *@cur, cut out in place; NULL at the end. */
static char *next_line(char **cur)
{
	char *line = *cur, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*cur = nl + 1;
	} else {
		*cur = NULL;
	}
	return line;
}

/* "Node 0, zone      DMA      1      0 ..." */
static json_t *parse_buddyinfo(const char *text)
{
	json_t *a = json_array();
	char *copy = strdup(text), *cur = copy, *line;

	while ((line = next_line(&cur))) {
		char *t[MAX_TOKENS];
		int n = tokenize(line, t, MAX_TOKENS, " \t,\r");
		json_int_t node, v;
		json_t *free_lists;

		if (n < 5 || strcmp(t[0], "Node") || !is_int(t[1], &node) || strcmp(t[2], "zone"))
			continue;
		free_lists = json_array();
		for (int i = 4; i < n; i++)
			if (is_int(t[i], &v))
				json_array_append_new(free_lists, json_integer(v));
		json_array_append_new(a, json_pack("{sI ss so}", "node", node, "zone", t[3],
						   "free", free_lists));
	}
	free(copy);
	return a;
}

/* "key value" (vmstat) or "Key:   value kB" (meminfo). */
static json_t *parse_pairs(const char *text)
{
	json_t *o = json_object();
	char *copy = strdup(text), *cur = copy, *line;

	while ((line = next_line(&cur))) {
		char *t[4];
		int n = tokenize(line, t, 4, " \t:\r");
		json_int_t v;

		if (n >= 2 && is_int(t[1], &v))
			json_object_set_new(o, t[0], json_integer(v));
	}
	free(copy);
	return o;
}

static json_t *parse_zoneinfo(const char *text)
{
	json_t *zones = json_array();
	json_t *zone = NULL, *stats = NULL, *pageset = NULL;
	char *copy = strdup(text), *cur = copy, *line;

	while ((line = next_line(&cur))) {
		char *t[MAX_TOKENS];
		int n = tokenize(line, t, MAX_TOKENS, " \t,\r");
		json_int_t v;

		if (n >= 4 && !strcmp(t[0], "Node") && !strcmp(t[2], "zone") && is_int(t[1], &v)) {
			stats = json_object();
			zone = json_pack("{sI ss so s[] s[]}", "node", v, "zone", t[3], "stats", stats,
					 "protection", "pagesets");
			json_array_append_new(zones, zone);
			pageset = NULL;
			continue;
		}
		if (!zone || n < 2)
			continue;
		if (!strcmp(t[0], "protection:")) {
			json_t *p = json_object_get(zone, "protection");

			for (int i = 1; i < n; i++) {
				char *s = t[i] + (t[i][0] == '(');

				s[strcspn(s, ")")] = '\0';
				if (is_int(s, &v))
					json_array_append_new(p, json_integer(v));
			}
		} else if (!strcmp(t[0], "cpu:") && is_int(t[1], &v)) {
			pageset = json_pack("{sI}", "cpu", v);
			json_array_append_new(json_object_get(zone, "pagesets"), pageset);
		} else if (is_int(t[n - 1], &v)) {
			/* "pages free 3542", "high:  33", "vm stats threshold: 0" */
			char key[128] = "";
			int first = !strcmp(t[0], "pages") ? 1 : 0;

			for (int i = first; i < n - 1; i++) {
				if (strlen(key) + strlen(t[i]) + 2 > sizeof(key))
					break;
				if (*key)
					strcat(key, "_");
				strcat(key, t[i]);
			}
			key[strcspn(key, ":")] = '\0';
			if (!*key)
				continue;
			if (pageset && (!strcmp(key, "count") || !strcmp(key, "high") ||
					!strcmp(key, "batch") || !strncmp(key, "high_", 5)))
				json_object_set_new(pageset, key, json_integer(v));
			else
				json_object_set_new(stats, key, json_integer(v));
		}
	}
	free(copy);
	return zones;
}

static json_t *parse_pagetypeinfo(const char *text)
{
	json_t *free_lists = json_array(), *blocks = json_array();
	char *types[16];
	int nr_types = 0;
	char *copy = strdup(text), *cur = copy, *line;

	while ((line = next_line(&cur))) {
		char *t[MAX_TOKENS];
		int n = tokenize(line, t, MAX_TOKENS, " \t,\r");
		json_int_t node, v;

		if (n > 4 && !strcmp(t[0], "Number") && !strcmp(t[3], "type")) {
			nr_types = 0;
			for (int i = 4; i < n && nr_types < 16; i++)
				types[nr_types++] = t[i];
			continue;
		}
		if (n < 5 || strcmp(t[0], "Node") || !is_int(t[1], &node) || strcmp(t[2], "zone"))
			continue;
		if (n > 6 && !strcmp(t[4], "type")) {
			json_t *f = json_array();

			for (int i = 6; i < n; i++)
				if (is_int(t[i], &v))
					json_array_append_new(f, json_integer(v));
			json_array_append_new(free_lists, json_pack("{sI ss ss so}", "node", node,
								     "zone", t[3], "type", t[5],
								     "free", f));
		} else {
			json_t *b = json_pack("{sI ss}", "node", node, "zone", t[3]);

			for (int i = 4; i < n && i - 4 < nr_types; i++)
				if (is_int(t[i], &v))
					json_object_set_new(b, types[i - 4], json_integer(v));
			json_array_append_new(blocks, b);
		}
	}
	free(copy);
	return json_pack("{so so}", "free", free_lists, "blocks", blocks);
}

/* slabinfo 2.1: "name active num size perslab pages : tunables a b c : slabdata s n x" */
static json_t *parse_slabinfo(const char *text)
{
	static const char *const fields[] = {
		"active_objs", "num_objs", "objsize", "objperslab", "pagesperslab",
	};
	json_t *a = json_array();
	char *copy = strdup(text), *cur = copy, *line;

	while ((line = next_line(&cur))) {
		char *t[MAX_TOKENS];
		int n = tokenize(line, t, MAX_TOKENS, " \t\r");
		json_int_t v;
		json_t *o;

		if (n < 6 || t[0][0] == '#' || !strcmp(t[0], "slabinfo"))
			continue;
		o = json_pack("{ss}", "name", t[0]);
		for (int i = 0; i < 5; i++)
			if (is_int(t[i + 1], &v))
				json_object_set_new(o, fields[i], json_integer(v));
		for (int i = 6; i + 2 < n; i++)
			if (!strcmp(t[i], "slabdata")) {
				if (is_int(t[i + 1], &v))
					json_object_set_new(o, "active_slabs", json_integer(v));
				if (is_int(t[i + 2], &v))
					json_object_set_new(o, "num_slabs", json_integer(v));
			}
		json_array_append_new(a, o);
	}
	free(copy);
	return a;
}

json_t *proc_parse(const char *view, const char *text)
{
	if (!strcmp(view, "buddyinfo"))
		return parse_buddyinfo(text);
	if (!strcmp(view, "pagetypeinfo"))
		return parse_pagetypeinfo(text);
	if (!strcmp(view, "zoneinfo"))
		return parse_zoneinfo(text);
	if (!strcmp(view, "vmstat") || !strcmp(view, "meminfo"))
		return parse_pairs(text);
	if (!strcmp(view, "slabinfo"))
		return parse_slabinfo(text);
	return NULL;
}
