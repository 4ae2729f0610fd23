/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <time.h>

#include "devices/platform/pm_timer.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void pm_timer_init(struct pm_timer *t, uint64_t (*now_ns)(void))
{
	memset(t, 0, sizeof(*t));
	t->now_ns = now_ns ? now_ns : monotonic_ns;
	t->start_ns = t->now_ns();
}

uint32_t pm_timer_value(uint64_t ns)
{
	/* 128 bits: ns * 3579545 passes 2^64 after about 85 minutes */
	return (uint32_t)((unsigned __int128)ns * PM_TIMER_HZ / 1000000000u) & PM_TIMER_MASK;
}

static int pm_timer_read(void *opaque, uint64_t off, void *data, unsigned size)
{
	struct pm_timer *t = opaque;
	uint64_t v = (uint64_t)pm_timer_value(t->now_ns() - t->start_ns) >> (8 * (off & 3));

	t->reads++;
	memcpy(data, &v, size > 8 ? 8 : size);
	return 0;
}

static int pm_timer_write(void *opaque, uint64_t off, const void *data, unsigned size)
{
	struct pm_timer *t = opaque;

	(void)off;
	(void)data;
	(void)size;
	t->writes++;
	return 0;
}

const struct bus_ops pm_timer_bus_ops = {
	.read = pm_timer_read,
	.write = pm_timer_write,
};
