// SPDX-License-Identifier: MIT
/*
 * Bench messages as serial lines (bench_serial.h), for payloads booted by
 * another VMM.  The guest times its phases with the TSC and reports the
 * per-test median itself, since no host copies the samples.
 */
#include "bench_serial.h"
#include "exitlab/boot_abi.h"
#include "format.h"
#include "serial.h"
#include "string.h"
#include "timing.h"
#include "x86.h"

/* The test in progress: its name, and what its phase measured. */
static struct {
	char name[BENCH_NAME_MAX];
	uint64_t phase_tsc, phase_cycles;
	uint64_t iterations, nsamples, median;
} cur;

static char line[BENCH_KV_MAX * 2 + BENCH_REASON_MAX + 256];

static void emit(void)
{
	serial_puts(line);
	serial_puts("\n");
}

/* A key=value list as one token: spaces become commas, an empty list "-". */
static const char *kv_token(const char *in, char *out, size_t len)
{
	size_t i = 0;

	for (; in && in[i] && i + 1 < len; i++)
		out[i] = in[i] == ' ' ? ',' : in[i];
	out[i] = 0;
	return i ? out : "-";
}

/* A name as one token: anything but [A-Za-z0-9_.:+,-] becomes '_'. */
static const char *name_token(const char *in, char *out, size_t len)
{
	size_t i = 0;

	for (; in[i] && i + 1 < len; i++) {
		char c = in[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '_' || c == '.' || c == ':' || c == '+' || c == ',' || c == '-';

		out[i] = ok ? c : '_';
	}
	out[i] = 0;
	return i ? out : "-";
}

void bench_serial_hello(const char *payload)
{
	char n[BENCH_NAME_MAX];

	format_snprintf(line, sizeof(line), "exitlab: hello payload=%s", name_token(payload, n, sizeof(n)));
	emit();
}

void bench_serial_test_begin(const char *name, unsigned int ring, const char *params)
{
	char p[BENCH_KV_MAX];

	memset(&cur, 0, sizeof(cur));
	name_token(name, cur.name, sizeof(cur.name));
	format_snprintf(line, sizeof(line), "exitlab: test name=%s ring=%u params=%s", cur.name, ring,
			kv_token(params, p, sizeof(p)));
	emit();
}

void bench_serial_phase_begin(void)
{
	cur.phase_tsc = tsc_begin();
}

void bench_serial_phase_end(uint64_t iterations, uint64_t *samples, uint64_t nsamples,
			    uint64_t ops_per_sample)
{
	uint64_t end = tsc_end(), a = (uint64_t)samples;

	cur.phase_cycles = cur.phase_tsc ? end - cur.phase_tsc : 0;
	cur.iterations = iterations;
	cur.nsamples = nsamples;
	/* Only an array inside the identity map below the MMIO hole is read. */
	if (!ops_per_sample || a < BOOT_PAYLOAD_MIN || nsamples > (BOOT_RAM_MAX - a) / sizeof(uint64_t))
		return;
	cur.median = bench_median(samples, nsamples) / ops_per_sample;
}

void bench_serial_test_end(enum bench_status status, const char *reason, const char *metrics)
{
	static const char *const names[] = { "ok", "skipped", "failed" };
	char m[BENCH_KV_MAX];

	format_snprintf(line, sizeof(line),
			"exitlab: end name=%s status=%s iterations=%lu samples=%lu median_cycles=%lu "
			"phase_cycles=%lu metrics=%s reason=%s",
			cur.name[0] ? cur.name : "-", status < 3 ? names[status] : "failed",
			cur.iterations, cur.nsamples, cur.median, cur.phase_cycles,
			kv_token(metrics, m, sizeof(m)), reason ? reason : "");
	emit();
	memset(&cur, 0, sizeof(cur));
}

void bench_serial_log(const char *text)
{
	format_snprintf(line, sizeof(line), "exitlab: log %s", text);
	/* One message, one line. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	emit();
}

void bench_serial_exception(const struct bench_exception *e)
{
	format_snprintf(line, sizeof(line), "exitlab: exception vector=%lu error=0x%lx rip=0x%lx cr2=0x%lx",
			e->vector, e->error_code, e->rip, e->cr2);
	emit();
	bench_serial_done(BENCH_DONE_FAILED);
}

void bench_serial_done(uint32_t status)
{
	format_snprintf(line, sizeof(line), "exitlab: done status=%u", status);
	emit();
	outl(BENCH_DEBUG_EXIT_PORT, status);
}

int32_t bench_serial_raw(uint16_t cmd)
{
	format_snprintf(line, sizeof(line), "exitlab: log raw bench message %u not sent: no bench device",
			cmd);
	emit();
	return BENCH_REPLY_ERROR;
}

/* Hoare quickselect for the middle element: O(n) on average, in place. */
uint64_t bench_median(uint64_t *a, uint64_t n)
{
	uint64_t lo = 0, hi = n ? n - 1 : 0, k = n / 2;

	if (!n)
		return 0;
	while (lo < hi) {
		uint64_t pivot = a[lo + (hi - lo) / 2], i = lo, j = hi;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				uint64_t t = a[i];

				a[i] = a[j];
				a[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}
