// SPDX-License-Identifier: MIT
/*
 * Tests between vCPUs (smp_tests.h). The sender is always CPU 0, which runs
 * the harness; a target acks by incrementing smp_acks in its handler, which
 * also counts per CPU (lib/smp.c), so check() can tell that every target
 * took every IPI. A target "running" spins with interrupts on and without
 * PAUSE (so no pause-loop exit lands in its counts); a "halted" one waits in
 * the runtime's sti; hlt idle loop. A lost IPI ends its wait after ~1 s of
 * TSC and is counted, so a guest never hangs on one.
 */
#include "format.h"
#include "guest_bench.h"
#include "smp.h"
#include "smp_tests.h"
#include "timing.h"
#include "x86.h"

#define LOST_MS 1000

static volatile int spin_stop;
static uint64_t lost_cycles;

static void setup_counts(struct measure_ctx *c, uint64_t vector);

/* Running target: interrupts on, no PAUSE, until told to stop. */
static void spin_irqs_on(void *arg)
{
	(void)arg;
	sti();
	while (!__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE))
		asm volatile("" : : : "memory");
	cli();
}

/* Targets 1..n-1 spin (or, halted, wait in the idle loop as they are). */
static void targets_spin(unsigned n)
{
	spin_stop = 0;
	for (unsigned k = 1; k < n; k++)
		on_cpu_async(k, spin_irqs_on, NULL);
}

static void targets_stop(unsigned n)
{
	__atomic_store_n(&spin_stop, 1, __ATOMIC_RELEASE);
	for (unsigned k = 1; k < n; k++)
		on_cpu_wait(k);
}

/* Spin (no PAUSE) until smp_acks reaches want; a wait past LOST_MS counts as lost. */
static inline __attribute__((always_inline)) void wait_acks(uint64_t want, struct measure_ctx *c)
{
	uint64_t t0 = rdtsc();

	while (__atomic_load_n(&smp_acks, __ATOMIC_ACQUIRE) < want)
		if (rdtsc() - t0 > lost_cycles) {
			c->result++;
			__atomic_store_n(&smp_acks, want, __ATOMIC_RELEASE);
			break;
		}
}

void smp_ipi_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	targets_spin(2);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = smp_acks + 1, t0 = tsc_begin();

		smp_send_ipi(1, VEC_SMP_IPI);
		wait_acks(want, c);
		samples[i] = tsc_end() - t0;
	}
	targets_stop(2);
}

void smp_ipi_halt_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = smp_acks + 1, t0 = tsc_begin();

		smp_send_ipi(1, VEC_SMP_IPI);
		wait_acks(want, c);
		samples[i] = tsc_end() - t0;
	}
}

void smp_ipi_broadcast_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	unsigned cpus = smp_ncpus();

	targets_spin(cpus);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = smp_acks + cpus - 1, t0 = tsc_begin();

		smp_send_ipi_all_but_self(VEC_SMP_IPI);
		wait_acks(want, c);
		samples[i] = tsc_end() - t0;
	}
	targets_stop(cpus);
}

/* The page flushed: one of the image's own, mapped by the boot page tables. */
static uint8_t flush_page[4096] __attribute__((aligned(4096)));

void smp_tlb_shootdown_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	unsigned cpus = smp_ncpus();
	uint64_t addr = (uint64_t)flush_page;

	smp_flush_addr = addr;
	targets_spin(cpus);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = smp_acks + cpus - 1, t0 = tsc_begin();

		asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
		smp_send_ipi_all_but_self(VEC_SMP_FLUSH);
		wait_acks(want, c);
		samples[i] = tsc_end() - t0;
	}
	targets_stop(cpus);
}

/*
 * PAUSE-loop exiting: a token passed round the N vCPUs, each spinning with
 * PAUSE on its own cache line until the token reaches it (kvm-unit-tests'
 * ple_round_robin). One operation is one lap from CPU 0 back to CPU 0; the
 * spinners are where KVM's pause-loop exits land, counted per vCPU.
 */
struct ple_slot {
	volatile uint64_t seen_by_owner, passed_in;
} __attribute__((aligned(64)));

static struct ple_slot ple[SMP_MAX_CPUS];

static void ple_pass(unsigned me, unsigned cpus)
{
	ple[me].seen_by_owner = ple[me].passed_in;
	__atomic_fetch_add(&ple[(me + 1) % cpus].passed_in, 1, __ATOMIC_RELEASE);
}

static void ple_target(void *arg)
{
	unsigned cpus = (unsigned)(uintptr_t)arg, me = cpu_id();

	for (;;) {
		while (__atomic_load_n(&ple[me].passed_in, __ATOMIC_ACQUIRE) == ple[me].seen_by_owner) {
			if (__atomic_load_n(&spin_stop, __ATOMIC_ACQUIRE))
				return;
			asm volatile("pause" : : : "memory");
		}
		ple_pass(me, cpus);
	}
}

void smp_ple_round_robin_loop(struct measure_ctx *c, uint64_t *samples, uint64_t n)
{
	unsigned cpus = smp_ncpus();

	for (unsigned k = 0; k < cpus; k++)
		ple[k].seen_by_owner = ple[k].passed_in = 0;
	spin_stop = 0;
	for (unsigned k = 1; k < cpus; k++)
		on_cpu_async(k, ple_target, (void *)(uintptr_t)cpus);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = tsc_begin(), start = rdtsc();

		ple_pass(0, cpus);
		while (__atomic_load_n(&ple[0].passed_in, __ATOMIC_ACQUIRE) == ple[0].seen_by_owner) {
			if (rdtsc() - start > lost_cycles) {
				c->result++; /* a lap that never came back: the token is lost */
				break;
			}
			asm volatile("pause" : : : "memory");
		}
		samples[i] = tsc_end() - t0;
		if (c->result)
			break;
	}
	targets_stop(cpus);
}

void smp_setup_lost(struct measure_ctx *c)
{
	setup_counts(c, 0);
}

const char *smp_check_lost(struct measure_ctx *c)
{
	if (!c->result)
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "a lap of the token waited %u ms: a vCPU stopped passing it",
			LOST_MS);
	return c->reason;
}

const char *smp_need_2(const struct measure_ctx *c)
{
	unsigned up;

	if (c->bi->nvcpus < 2)
		return "needs --vcpus 2 or more";
	if (!(c->bi->flags & BOOT_F_X2APIC))
		return "needs the in-kernel local APIC (INIT-SIPI-SIPI and IPIs go through it)";
	up = smp_boot(c->bi);
	if (up < 2)
		return "no AP checked in after INIT-SIPI-SIPI (the log says which)";
	return NULL;
}

/* Each CPU's IPIs on the test's vector taken before the run (check() counts from there). */
static uint64_t taken_before[SMP_MAX_CPUS];

static uint64_t taken(const struct measure_ctx *c, unsigned k)
{
	return c->arg == VEC_SMP_FLUSH ? smp_cpus[k].flushes : smp_cpus[k].ipis;
}

static void setup_counts(struct measure_ctx *c, uint64_t vector)
{
	uint64_t khz = c->bi->tsc_khz ? c->bi->tsc_khz : 3000000;

	lost_cycles = khz * LOST_MS;
	c->result = 0;
	c->arg = vector;
	for (unsigned k = 0; k < smp_ncpus(); k++)
		taken_before[k] = taken(c, k);
}

void smp_setup_counts(struct measure_ctx *c)
{
	setup_counts(c, VEC_SMP_IPI);
}

void smp_setup_flush_counts(struct measure_ctx *c)
{
	setup_counts(c, VEC_SMP_FLUSH);
}

/*
 * Every operation's IPI taken by CPU k (or lost, which c->result counted).
 * More than sent passes, logged: under a nested hypervisor an interrupt can
 * be delivered again (docs/smp.md).
 */
static const char *check_cpu(struct measure_ctx *c, unsigned k)
{
	uint64_t got = taken(c, k) - taken_before[k];

	if (c->result) {
		format_snprintf(c->reason, sizeof(c->reason), "%ld of %lu operations waited %u ms for an ack: "
				"IPIs lost", c->result, c->ops, LOST_MS);
		return c->reason;
	}
	if (got > c->ops)
		bench_log("exit-costs: CPU %u took %lu IPIs on vector 0x%lx for %lu operations", k, got, c->arg,
			  c->ops);
	if (got >= c->ops)
		return NULL;
	format_snprintf(c->reason, sizeof(c->reason), "%lu operations, CPU %u took %lu IPIs", c->ops, k, got);
	return c->reason;
}

const char *smp_check_one(struct measure_ctx *c)
{
	return check_cpu(c, 1);
}

const char *smp_check_all(struct measure_ctx *c)
{
	for (unsigned k = 1; k < smp_ncpus(); k++) {
		const char *why = check_cpu(c, k);

		if (why)
			return why;
	}
	return NULL;
}
