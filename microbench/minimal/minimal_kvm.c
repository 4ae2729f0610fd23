// SPDX-License-Identifier: MIT
/*
 * The minimal KVM program: the exit path's limit on this host, which every
 * VMM (exitlab's, QEMU) is measured against (microbench/vmm-vs-minimal.sh).
 * One vCPU, one 2 MiB memory slot, the guest started in long mode and sent
 * to CPL3 by one iretq (minimal_guest.S), no devices, no bookkeeping in the exit loop:
 * KVM_RUN, look at the exit, KVM_RUN again.  The guest times each operation
 * as exitlab's payloads do (fenced rdtsc); per test we print the median
 * cycles per operation minus the empty loop's median (the loop overhead).
 *
 * usage: minimal-kvm [-n SAMPLES] [TEST...]   TEST: pio_vmm pio_ioeventfd mmio_vmm cpuid
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE   (2u << 20)
#define GDT_GPA    0x500
#define TSS_GPA    0x6000 /* 104 bytes, then an all-zero I/O bitmap: every port allowed */
#define TSS_IOMAP  104
#define PML4_GPA   0x1000
#define CODE_GPA   0x10000
#define STACK_TOP  0x1f000
#define SAMPLE_GPA 0x20000
#define MAX_SAMPLES ((MEM_SIZE - SAMPLE_GPA) / 8)
#define DONE_PORT  0x5ff
#define MMIO_GPA   0xc0001000ull /* no slot: every access exits to us */

extern const uint8_t minimal_guest[], minimal_guest_end[], minimal_enter[];
extern const uint8_t minimal_loop_empty[], minimal_loop_pio[], minimal_loop_mmio[], minimal_loop_cpuid[];

static const struct op {
	const char *name;           /* exitlab's exit-costs test it matches */
	const uint8_t *loop;
	uint64_t target;
} ops[] = {
	{ "empty", minimal_loop_empty, 0 },
	{ "pio_vmm", minimal_loop_pio, 0x520 },
	{ "pio_ioeventfd", minimal_loop_pio, 0x530 },
	{ "mmio_vmm", minimal_loop_mmio, MMIO_GPA },
	{ "cpuid", minimal_loop_cpuid, 0 },
};

static int kvm, vm, vcpu;
static struct kvm_run *run;
static uint8_t *mem;
static struct kvm_sregs sregs;  /* CPL0, long mode: each loop starts from it */

static void die(const char *what)
{
	fprintf(stderr, "minimal-kvm: %s: %s\n", what, strerror(errno));
	exit(errno == ENOENT || errno == EACCES ? 3 : 1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Run one loop of n samples (after warm ones); the median cycles per operation. */
static double run_op(const struct op *op, uint64_t n, uint64_t warm)
{
	struct kvm_regs regs = {
		.rip = CODE_GPA + (uint64_t)(minimal_enter - minimal_guest), .rsp = STACK_TOP,
		.rdi = CODE_GPA + (uint64_t)(op->loop - minimal_guest),
		.rsi = SAMPLE_GPA, .r8 = op->target, .r9 = n + warm, .rflags = 0x2,
	};
	uint64_t *s = (uint64_t *)(mem + SAMPLE_GPA) + warm;

	if (ioctl(vcpu, KVM_SET_REGS, &regs) || ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_REGS");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) && errno != EINTR)
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == DONE_PORT)
			break;
		if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO &&
		    run->exit_reason != KVM_EXIT_INTR) {
			fprintf(stderr, "minimal-kvm: %s: unexpected exit %u\n", op->name, run->exit_reason);
			exit(1);
		}
	}
	qsort(s, n, sizeof(*s), cmp_u64);
	return n % 2 ? (double)s[n / 2] : ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2;
}

static void setup(void)
{
	struct { struct kvm_cpuid2 c; struct kvm_cpuid_entry2 e[256]; } cpuid = { .c.nent = 256 };
	struct kvm_userspace_memory_region slot = { .memory_size = MEM_SIZE };
	struct kvm_ioeventfd ev = { .addr = 0x530, .len = 4, .flags = KVM_IOEVENTFD_FLAG_PIO,
				   .fd = eventfd(0, EFD_CLOEXEC) };
	struct kvm_segment code = { .limit = 0xffffffff, .selector = 0x08, .type = 11, .present = 1,
				    .s = 1, .l = 1, .g = 1 };
	struct kvm_segment data = { .limit = 0xffffffff, .selector = 0x10, .type = 3, .present = 1,
				    .s = 1, .db = 1, .g = 1 };
	/* PVM runs CPL3 with the host's IOPL and honours only the TSS I/O bitmap. */
	struct kvm_segment tr = { .base = TSS_GPA, .limit = TSS_IOMAP + 8192, .selector = 0x28, .type = 11,
				  .present = 1 };
	/* null, kernel code, kernel data, user data (0x1b), user code (0x23) */
	static const uint64_t gdt[] = { 0, 0x00af9a000000ffff, 0x00cf92000000ffff, 0x00cff2000000ffff,
					0x00affa000000ffff };
	struct kvm_sregs sr;
	uint64_t *pt;

	if ((kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		die("/dev/kvm");
	if ((vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	slot.userspace_addr = (uint64_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) || ioctl(vm, KVM_IOEVENTFD, &ev))
		die("memory slot or ioeventfd");
	/* Page tables: 2 MiB pages for [0, 2 MiB) (RAM) and [3 GiB, +2 MiB) (the MMIO target). */
	pt = (uint64_t *)(mem + PML4_GPA);
	pt[0] = (PML4_GPA + 0x1000) | 7;
	pt[512] = (PML4_GPA + 0x2000) | 7;
	pt[512 + 3] = (PML4_GPA + 0x3000) | 7;
	pt[1024] = 0 | 0x87;
	pt[1536] = 0xc0000000ull | 0x87;
	memcpy(mem + CODE_GPA, minimal_guest, (size_t)(minimal_guest_end - minimal_guest));
	memcpy(mem + GDT_GPA, gdt, sizeof(gdt));
	*(uint16_t *)(mem + TSS_GPA + 102) = TSS_IOMAP;
	mem[TSS_GPA + TSS_IOMAP + 8192] = 0xff;

	if ((vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	/* The host's CPUID, as exitlab's VMM gives it: KVM searches it on every cpuid exit. */
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) || ioctl(vcpu, KVM_SET_CPUID2, &cpuid))
		die("CPUID");
	if (ioctl(vcpu, KVM_GET_SREGS, &sr))
		die("KVM_GET_SREGS");
	sr.cs = code;
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss = data;
	sr.tr = tr;
	sr.gdt.base = GDT_GPA;
	sr.gdt.limit = sizeof(gdt) - 1;
	sr.cr0 = 0x80050033; /* PG AM WP NE ET MP PE */
	sr.cr3 = PML4_GPA;
	sr.cr4 = 0x620;      /* PAE OSFXSR OSXMMEXCPT */
	sr.efer = 0x500;     /* LMA LME */
	sregs = sr;
}

int main(int argc, char **argv)
{
	uint64_t n = 2000;
	double overhead;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		n = strtoull(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (n < 10 || n + n / 10 > MAX_SAMPLES) {
		fprintf(stderr, "usage: minimal-kvm [-n SAMPLES (10..%u)] [pio_vmm|pio_ioeventfd|mmio_vmm|cpuid]...\n",
			(unsigned)(MAX_SAMPLES * 10 / 11));
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		size_t k = 1;

		while (k < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[k].name, argv[i]))
			k++;
		if (k == sizeof(ops) / sizeof(ops[0])) {
			fprintf(stderr, "minimal-kvm: no test '%s' (pio_vmm, pio_ioeventfd, mmio_vmm, cpuid)\n",
				argv[i]);
			return 2;
		}
	}
	setup();
	overhead = run_op(&ops[0], n, n / 10);
	printf("# minimal KVM program, CPL3, %llu samples per test: median cycles per operation,\n"
	       "# fenced rdtsc, loop overhead (empty: %.1f cycles) subtracted\n", (unsigned long long)n, overhead);
	for (size_t k = 1; k < sizeof(ops) / sizeof(ops[0]); k++) {
		int want = argc == 1;

		for (int i = 1; i < argc; i++)
			want |= !strcmp(argv[i], ops[k].name);
		if (want) {
			printf("%s %.1f\n", ops[k].name, run_op(&ops[k], n, n / 10) - overhead);
			fflush(stdout);
		}
	}
	return 0;
}
