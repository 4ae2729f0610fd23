/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/host_mem.h"

int host_mem_meminfo_kb(const char *path, const char *key, uint64_t *kb)
{
	size_t klen = strlen(key);
	char line[256];
	int ret = -ENOENT;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *end;
		unsigned long long v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		errno = 0;
		v = strtoull(line + klen + 1, &end, 10);
		if (errno || end == line + klen + 1)
			ret = -EINVAL;
		else {
			*kb = v;
			ret = 0;
		}
		break;
	}
	fclose(f);
	return ret;
}

int host_mem_policy_parse(const char *line, char *out, size_t outlen)
{
	const char *a = strchr(line, '['), *b;

	if (!a || !(b = strchr(a, ']')) || b == a + 1 || (size_t)(b - a - 1) >= outlen)
		return -EINVAL;
	memcpy(out, a + 1, b - a - 1);
	out[b - a - 1] = '\0';
	return 0;
}

int host_mem_policy_read(const char *path, char *out, size_t outlen)
{
	char line[256];
	FILE *f = fopen(path, "re");
	int ret;

	if (!f)
		return -errno;
	ret = fgets(line, sizeof(line), f) ? host_mem_policy_parse(line, out, outlen) : -EIO;
	fclose(f);
	return ret;
}

uint64_t host_mem_thp_pmd_size(void)
{
	FILE *f = fopen(HOST_MEM_THP_DIR "/hpage_pmd_size", "re");
	unsigned long long v = 0;

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	/* A power of two, at least a base page: anything else is not a PMD size. */
	return v >= 4096 && !(v & (v - 1)) ? v : 2ULL << 20;
}

int host_mem_shmem_thp(char *policy, size_t len, char *path, size_t pathlen)
{
	int ret;

	snprintf(path, pathlen, HOST_MEM_THP_DIR "/hugepages-%" PRIu64 "kB/shmem_enabled",
		 host_mem_thp_pmd_size() >> 10);
	ret = host_mem_policy_read(path, policy, len);
	if (ret == 0 && strcmp(policy, "inherit"))
		return 0;
	snprintf(path, pathlen, HOST_MEM_THP_DIR "/shmem_enabled");
	return host_mem_policy_read(path, policy, len);
}

bool host_mem_shmem_thp_allows_madvise(const char *policy)
{
	static const char *const ok[] = { "always", "within_size", "advise", "force" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(policy, ok[i]))
			return true;
	return false;
}

void host_mem_hugepool_path(uint64_t page_size, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/nr_hugepages",
		 page_size >> 10);
}

static int read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "re");
	unsigned long long x;
	int ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%llu", &x) == 1)
		*v = x;
	else
		ret = -EIO;
	fclose(f);
	return ret;
}

int host_mem_hugepool(uint64_t page_size, struct host_hugepool *p)
{
	static const char *const files[] = { "nr_hugepages", "free_hugepages", "resv_hugepages" };
	uint64_t *dst[] = { &p->total, &p->free, &p->reserved };
	char path[128];
	int ret;

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s",
			 page_size >> 10, files[i]);
		ret = read_u64(path, dst[i]);
		if (ret)
			return ret;
	}
	return 0;
}
