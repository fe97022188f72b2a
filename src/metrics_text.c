/*
 * metrics_text.c - the Prometheus text exposition format 0.0.4: "# HELP"
 * and "# TYPE" lines per family, one line per sample, label values with
 * backslash, double quote and newline escaped, HELP text with backslash
 * and newline escaped.  Builds into a growing buffer bounded by
 * METRICS_TEXT_MAX; pure C, no DPDK (unit-tested in test_metrics.cc).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

static const char *const metrics_type_names[METRICS_TYPE_MAX] = {
	[METRICS_COUNTER] = "counter",
	[METRICS_GAUGE] = "gauge",
};

void metrics_text_init(struct metrics_text *t)
{
	memset(t, 0, sizeof(*t));
}

void metrics_text_free(struct metrics_text *t)
{
	free(t->buf);
	metrics_text_init(t);
}

/* Make room for n more bytes plus a NUL; false (and nomem) if impossible. */
static bool text_reserve(struct metrics_text *t, size_t n)
{
	size_t cap;
	char *nb;

	if (t->nomem)
		return false;
	if (n > METRICS_TEXT_MAX || t->len + n + 1 > METRICS_TEXT_MAX) {
		t->nomem = true;
		return false;
	}
	if (t->len + n + 1 <= t->cap)
		return true;
	cap = t->cap ? t->cap : 4096;
	while (cap < t->len + n + 1)
		cap *= 2;
	nb = realloc(t->buf, cap);
	if (!nb) {
		t->nomem = true;
		return false;
	}
	t->buf = nb;
	t->cap = cap;
	return true;
}

static void text_put(struct metrics_text *t, const char *s, size_t n)
{
	if (!text_reserve(t, n))
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void text_puts(struct metrics_text *t, const char *s)
{
	text_put(t, s, strlen(s));
}

/* Append s, escaping backslash and newline, and double quote if quote. */
static void text_escaped(struct metrics_text *t, const char *s, bool quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (*s == '"' && quote)
			esc = "\\\"";
		if (!esc)
			continue;
		text_put(t, run, (size_t)(s - run));
		text_puts(t, esc);
		run = s + 1;
	}
	text_put(t, run, (size_t)(s - run));
}

void metrics_escape_label(struct metrics_text *t, const char *s)
{
	text_escaped(t, s ? s : "", true);
}

void metrics_family(struct metrics_text *t, const char *name, enum metrics_type type,
		    const char *help)
{
	text_puts(t, "# HELP ");
	text_puts(t, name);
	text_puts(t, " ");
	text_escaped(t, help, false);
	text_puts(t, "\n# TYPE ");
	text_puts(t, name);
	text_puts(t, " ");
	text_puts(t, type < METRICS_TYPE_MAX ? metrics_type_names[type] : "untyped");
	text_puts(t, "\n");
}

static void sample_head(struct metrics_text *t, const char *name,
			const struct metrics_label *labels, unsigned int n)
{
	unsigned int i;

	text_puts(t, name);
	if (n == 0) {
		text_puts(t, " ");
		return;
	}
	for (i = 0; i < n; i++) {
		text_puts(t, i ? "," : "{");
		text_puts(t, labels[i].name);
		text_puts(t, "=\"");
		metrics_escape_label(t, labels[i].value);
		text_puts(t, "\"");
	}
	text_puts(t, "} ");
}

void metrics_sample_u64(struct metrics_text *t, const char *name,
			const struct metrics_label *labels, unsigned int n, uint64_t value)
{
	char v[32];

	sample_head(t, name, labels, n);
	snprintf(v, sizeof(v), "%" PRIu64 "\n", value);
	text_puts(t, v);
}

void metrics_sample_f64(struct metrics_text *t, const char *name,
			const struct metrics_label *labels, unsigned int n, double value)
{
	char v[40];

	sample_head(t, name, labels, n);
	if (isnan(value))
		snprintf(v, sizeof(v), "NaN\n");
	else if (isinf(value))
		snprintf(v, sizeof(v), "%s\n", value > 0 ? "+Inf" : "-Inf");
	else
		snprintf(v, sizeof(v), "%.9g\n", value);
	text_puts(t, v);
}
