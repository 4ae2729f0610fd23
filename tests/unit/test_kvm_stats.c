/* SPDX-License-Identifier: MIT */
/*
 * The KVM stats descriptor parser on headers recorded from a real kernel
 * (tests/data/kvm_stats/, see its README) and on malformed variants of them.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "instruments/kvm_stats.h"

#define DATA "tests/data/kvm_stats/"
#define DESC_FIXED 16

struct rec {
	uint8_t *buf;
	size_t len;
	struct kvm_stats_header h;
};

static void load(const char *name, struct rec *r)
{
	FILE *f = fopen(name, "rb");
	long n;

	if (!f)
		fail_msg("%s: cannot open (run from the repository root)", name);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_true(n >= (long)sizeof(r->h));
	r->len = (size_t)n;
	r->buf = malloc(r->len);
	assert_non_null(r->buf);
	assert_int_equal(fread(r->buf, 1, r->len, f), r->len);
	fclose(f);
	memcpy(&r->h, r->buf, sizeof(r->h));
}

/* The descriptor i of a recorded header, to corrupt in place. */
static uint8_t *desc_at(struct rec *r, unsigned i)
{
	return r->buf + r->h.desc_offset + (size_t)i * (DESC_FIXED + r->h.name_size);
}

static void set_hdr(struct rec *r)
{
	memcpy(r->buf, &r->h, sizeof(r->h));
}

static int parse(const struct rec *r, size_t len, char *err, size_t errlen)
{
	struct kvm_stats s;
	int rc = kvm_stats_parse(&s, r->buf, len, err, errlen);

	kvm_stats_close(&s);
	return rc;
}

static void expect_fail(const struct rec *r, size_t len, const char *msg)
{
	char err[256] = "";
	struct kvm_stats s;

	assert_int_equal(kvm_stats_parse(&s, r->buf, len, err, sizeof(err)), -1);
	assert_int_equal(s.fd, -1);
	assert_null(s.desc);
	if (!strstr(err, msg))
		fail_msg("error '%s' does not mention '%s'", err, msg);
}

static const struct kvm_stat_desc *get(const struct kvm_stats *s, const char *name)
{
	int i = kvm_stats_find(s, name);

	if (i < 0)
		fail_msg("stat %s not found", name);
	return &s->desc[i];
}

static void test_vcpu_header(void **state)
{
	struct kvm_stats s;
	struct rec r;
	char err[256];
	const struct kvm_stat_desc *d;
	size_t total = 0;
	(void)state;

	load(DATA "vcpu.bin", &r);
	assert_int_equal(kvm_stats_parse(&s, r.buf, r.len, err, sizeof(err)), 0);
	assert_int_equal(s.fd, -1);
	assert_true(!strncmp(s.id, "kvm-", 4) && strstr(s.id, "/vcpu-0"));
	assert_true(s.ndesc >= 20);

	d = get(&s, "exits");
	assert_int_equal(d->type, KVM_STATS_TYPE_CUMULATIVE);
	assert_int_equal(d->unit, KVM_STATS_UNIT_NONE);
	assert_int_equal(d->size, 1);
	assert_int_equal(kvm_stats_value_index(&s, "exits"), (int)d->index);
	get(&s, "io_exits");
	get(&s, "mmio_exits");
	assert_int_equal(get(&s, "insn_emulation")->type, KVM_STATS_TYPE_CUMULATIVE);

	d = get(&s, "halt_poll_success_hist");
	assert_int_equal(d->type, KVM_STATS_TYPE_LOG_HIST);
	assert_int_equal(d->unit, KVM_STATS_UNIT_SECONDS);
	assert_int_equal(d->base, KVM_STATS_BASE_POW10);
	assert_int_equal(d->exponent, -9);
	assert_true(d->size > 1);
	assert_int_equal(d->bucket_size, 0);
	assert_int_equal(kvm_stats_value_index(&s, "halt_poll_success_hist"), -1); /* not a scalar */

	d = get(&s, "halt_wait_ns");
	assert_int_equal(d->unit, KVM_STATS_UNIT_SECONDS);
	assert_int_equal(d->exponent, -9);
	d = get(&s, "blocking");
	assert_int_equal(d->type, KVM_STATS_TYPE_INSTANT);
	assert_int_equal(d->unit, KVM_STATS_UNIT_BOOLEAN);
	assert_true(kvm_stats_is_level(d->type));

	/* The flat array: consecutive per descriptor, sizes adding up. */
	for (size_t i = 0; i < s.ndesc; i++) {
		assert_int_equal(s.desc[i].index, total);
		total += s.desc[i].size;
		assert_true(s.desc[i].offset + s.desc[i].size * 8ull <= s.data_size);
	}
	assert_int_equal(s.nvalues, total);
	assert_int_equal(s.data_offset, r.h.data_offset);
	assert_int_equal(kvm_stats_find(&s, "no_such_stat"), -1);
	assert_int_equal(kvm_stats_read(&s, NULL), -1); /* no fd to read */
	kvm_stats_close(&s);
	free(r.buf);
}

static void test_vm_header(void **state)
{
	struct kvm_stats s;
	struct rec r;
	char err[256];
	(void)state;

	load(DATA "vm.bin", &r);
	assert_int_equal(kvm_stats_parse(&s, r.buf, r.len, err, sizeof(err)), 0);
	assert_true(!strncmp(s.id, "kvm-", 4) && !strchr(s.id, '/'));
	assert_int_equal(get(&s, "mmu_shadow_zapped")->type, KVM_STATS_TYPE_CUMULATIVE);
	assert_int_equal(get(&s, "pages_4k")->type, KVM_STATS_TYPE_INSTANT);
	assert_int_equal(get(&s, "max_mmu_rmap_size")->type, KVM_STATS_TYPE_PEAK);
	assert_string_equal(kvm_stats_type_name(get(&s, "max_mmu_rmap_size")->type), "peak");
	kvm_stats_close(&s);

	/* Extra bytes after data_offset (e.g. a buffer that also holds data) are fine. */
	r.buf = realloc(r.buf, r.len + 64);
	memset(r.buf + r.len, 0xff, 64);
	assert_int_equal(parse(&r, r.len + 64, err, sizeof(err)), 0);
	free(r.buf);
}

static void test_truncated(void **state)
{
	struct rec r;
	(void)state;

	load(DATA "vcpu.bin", &r);
	expect_fail(&r, 0, "header truncated");
	expect_fail(&r, sizeof(r.h) - 1, "header truncated");
	expect_fail(&r, r.len - 1, "beyond the");
	/* Every shorter length fails cleanly (ASan checks the reads). */
	for (size_t n = 0; n < r.len; n += 7) {
		char err[256];

		assert_int_equal(parse(&r, n, err, sizeof(err)), -1);
	}
	free(r.buf);
}

static void test_bad_header(void **state)
{
	struct rec r;
	struct kvm_stats_header orig;
	(void)state;

	load(DATA "vcpu.bin", &r);
	orig = r.h;

	r.h.num_desc = 0x7fffffff;
	set_hdr(&r);
	expect_fail(&r, r.len, "num_desc");
	r.h = orig;

	r.h.num_desc = orig.num_desc + 1; /* one more descriptor than the block holds */
	set_hdr(&r);
	expect_fail(&r, r.len, "descriptors");
	r.h = orig;

	r.h.name_size = 0;
	set_hdr(&r);
	expect_fail(&r, r.len, "name_size");
	r.h.name_size = 0xffffffff;
	set_hdr(&r);
	expect_fail(&r, r.len, "name_size");
	r.h = orig;

	r.h.desc_offset = 0xfffffff0; /* wraps in 32 bits */
	set_hdr(&r);
	expect_fail(&r, r.len, "descriptors");
	r.h.desc_offset = 8; /* inside the header */
	set_hdr(&r);
	expect_fail(&r, r.len, "descriptors");
	r.h = orig;

	r.h.id_offset = orig.data_offset - 1;
	set_hdr(&r);
	expect_fail(&r, r.len, "id string");
	r.h.id_offset = orig.desc_offset; /* on top of the first descriptor */
	set_hdr(&r);
	expect_fail(&r, r.len, "overlaps");
	r.h = orig;

	r.h.data_offset = 0xffffff00;
	set_hdr(&r);
	expect_fail(&r, r.len, "data_offset");
	r.h = orig;

	memset(r.buf + orig.id_offset, 'x', orig.name_size); /* id without NUL */
	set_hdr(&r);
	expect_fail(&r, r.len, "id string");
	free(r.buf);
}

static void test_bad_descriptors(void **state)
{
	struct rec r;
	uint8_t *d, save[64];
	uint32_t u32;
	uint16_t u16;
	int16_t s16;
	int i;
	(void)state;

	load(DATA "vcpu.bin", &r);
	i = 20;
	d = desc_at(&r, i);
	memcpy(save, d, sizeof(save));
#define RESTORE() memcpy(d, save, sizeof(save))

	memset(d + DESC_FIXED, 'a', r.h.name_size); /* name not NUL-terminated */
	expect_fail(&r, r.len, "not NUL-terminated");
	RESTORE();
	d[DESC_FIXED] = 0; /* empty name */
	expect_fail(&r, r.len, "descriptor 20");
	RESTORE();
	d[DESC_FIXED] = '\n'; /* control character */
	expect_fail(&r, r.len, "not printable");
	RESTORE();
	memcpy(d + DESC_FIXED, desc_at(&r, 0) + DESC_FIXED, r.h.name_size); /* duplicate name */
	expect_fail(&r, r.len, "duplicate");
	RESTORE();

	u32 = 0xf; /* unknown type */
	memcpy(d, &u32, 4);
	expect_fail(&r, r.len, "unknown type");
	u32 = 0xf << KVM_STATS_UNIT_SHIFT;
	memcpy(d, &u32, 4);
	expect_fail(&r, r.len, "unknown unit");
	u32 = 0xf << KVM_STATS_BASE_SHIFT;
	memcpy(d, &u32, 4);
	expect_fail(&r, r.len, "unknown base");
	u32 = 1u << 20;
	memcpy(d, &u32, 4);
	expect_fail(&r, r.len, "unknown flag bits");
	RESTORE();

	s16 = -1000;
	memcpy(d + 4, &s16, 2);
	expect_fail(&r, r.len, "exponent");
	RESTORE();

	u16 = 0;
	memcpy(d + 6, &u16, 2);
	expect_fail(&r, r.len, "size 0");
	u16 = 4; /* a cumulative scalar with 4 values */
	memcpy(d + 6, &u16, 2);
	expect_fail(&r, r.len, "scalar with 4 values");
	RESTORE();

	u32 = KVM_STATS_DATA_MAX - 8 + 16; /* values past the end of the data block */
	memcpy(d + 8, &u32, 4);
	expect_fail(&r, r.len, "outside the data block");
	u32 = 0xfffffff8; /* offset + size × 8 would wrap in 32 bits */
	memcpy(d + 8, &u32, 4);
	expect_fail(&r, r.len, "outside the data block");
	u32 = 4;
	memcpy(d + 8, &u32, 4);
	expect_fail(&r, r.len, "aligned");
	memcpy(d + 8, desc_at(&r, 3) + 8, 4); /* aliases another stat's value */
	expect_fail(&r, r.len, "overlap");
	RESTORE();

	u32 = 5; /* bucket size on a scalar */
	memcpy(d + 12, &u32, 4);
	expect_fail(&r, r.len, "bucket_size");
	RESTORE();

	/* A histogram whose buckets run into the next stat. */
	for (unsigned k = 0; k < r.h.num_desc; k++) {
		uint8_t *h = desc_at(&r, k);

		if (!strcmp((char *)h + DESC_FIXED, "halt_poll_success_hist")) {
			memcpy(&u16, h + 6, 2);
			u16++;
			memcpy(h + 6, &u16, 2);
			expect_fail(&r, r.len, "overlap");
			u16--;
			memcpy(h + 6, &u16, 2);
			/* and a linear histogram needs a bucket size */
			u32 = KVM_STATS_TYPE_LINEAR_HIST | KVM_STATS_UNIT_SECONDS;
			memcpy(h, &u32, 4);
			expect_fail(&r, r.len, "bucket_size");
			u32 = 1000;
			memcpy(h + 12, &u32, 4);
			{
				struct kvm_stats s;
				char err[256];

				assert_int_equal(kvm_stats_parse(&s, r.buf, r.len, err, sizeof(err)), 0);
				assert_int_equal(get(&s, "halt_poll_success_hist")->type, KVM_STATS_TYPE_LINEAR_HIST);
				assert_int_equal(get(&s, "halt_poll_success_hist")->bucket_size, 1000);
				kvm_stats_close(&s);
			}
		}
	}
#undef RESTORE
	free(r.buf);
}

/* A synthetic header: no descriptors at all is a valid (empty) set. */
static void test_empty_set(void **state)
{
	uint8_t buf[24 + 48];
	struct kvm_stats_header h = { .name_size = 48, .num_desc = 0, .id_offset = 24,
				      .desc_offset = 72, .data_offset = 72 };
	struct kvm_stats s;
	char err[256];
	(void)state;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	strcpy((char *)buf + 24, "kvm-1");
	assert_int_equal(kvm_stats_parse(&s, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_int_equal(s.ndesc, 0);
	assert_int_equal(s.nvalues, 0);
	assert_string_equal(s.id, "kvm-1");
	kvm_stats_close(&s);
}

/* The fd path on this host's KVM, when there is one: open, read, find. */
static void test_live(void **state)
{
	struct kvm_stats s;
	uint64_t *v;
	char err[256];
	int kvm, vm, vcpu, ix;
	(void)state;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		skip();
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	vcpu = vm >= 0 ? ioctl(vm, KVM_CREATE_VCPU, 0) : -1;
	if (vcpu < 0) {
		close(kvm);
		skip();
	}
	if (kvm_stats_open(&s, vcpu, err, sizeof(err)) == -1) { /* kernel without stats fds */
		close(vcpu);
		close(vm);
		close(kvm);
		skip();
	}
	assert_true(s.fd >= 0);
	assert_non_null(strstr(s.id, "/vcpu-0"));
	ix = kvm_stats_value_index(&s, "exits");
	assert_true(ix >= 0);
	v = calloc(s.nvalues, sizeof(*v));
	assert_int_equal(kvm_stats_read(&s, v), 0);
	assert_int_equal(v[ix], 0); /* never ran */
	free(v);
	kvm_stats_close(&s);
	assert_int_equal(s.fd, -1);

	assert_int_equal(kvm_stats_open(&s, vm, err, sizeof(err)), 0);
	assert_true(kvm_stats_find(&s, "remote_tlb_flush") >= 0);
	kvm_stats_close(&s);
	assert_int_equal(kvm_stats_open(&s, kvm, err, sizeof(err)), -1); /* /dev/kvm has no stats */
	assert_int_equal(s.fd, -1);
	close(vcpu);
	close(vm);
	close(kvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_header),
		cmocka_unit_test(test_vm_header),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bad_descriptors),
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
