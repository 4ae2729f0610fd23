// SPDX-License-Identifier: MIT
/* The bump allocator (alloc.h). */
#include "alloc.h"
#include "runtime.h"
#include "string.h"

static uint64_t next, end;

void alloc_init(const struct boot_info *bi)
{
	next = bi->free_start;
	end = bi->free_end;
	if (next < (uint64_t)__image_end || end > BOOT_RAM_MAX || end < next)
		next = end = 0;
}

void *alloc_zeroed(uint64_t size, uint64_t align)
{
	uint64_t a = (next + align - 1) & ~(align - 1);

	if (!next || a < next || size > end - a)
		return NULL;
	next = a + size;
	memset((void *)a, 0, size);
	return (void *)a;
}

uint64_t alloc_left(void)
{
	return end - next;
}

uint64_t alloc_mark(void)
{
	return next;
}

void alloc_release(uint64_t mark)
{
	if (next && mark && mark <= next)
		next = mark;
}
