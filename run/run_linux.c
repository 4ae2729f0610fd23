/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/pci/pci_host.h"
#include "exitlab/linux_guest.h"
#include "run/run_linux.h"
#include "util/mono_time.h"
#include "vmm/linux_boot.h"
#include "vmm/linux_boot_params.h"
#include "vmm/machine_layout.h"
#include "vmm/payload_path.h"
#include "vmm/vm.h"

/* Low RAM as guest_mem will have it for --mem (4 KiB pages; hugetlb rounds up, never down). */
static uint64_t low_ram(const struct run_opts *o)
{
	uint64_t b = o->mem_mib << 20;

	return b < BOOT_RAM_MAX ? b : BOOT_RAM_MAX;
}

int run_linux_cmdline(const struct run_opts *o, uint64_t low_size, char *buf, size_t len)
{
	uint64_t bufgpa = low_size > LINUX_BENCH_BUF_LEN ? (low_size - LINUX_BENCH_BUF_LEN) & ~0xfffULL : 0;
	int n = snprintf(buf, len, "console=ttyS0%s%s %s0x%llx,0x%x,0x%llx,0x%llx", o->append ? " " : "",
			 o->append ? o->append : "", LINUX_BENCH_KEY, (unsigned long long)LINUX_BENCH_MAILBOX,
			 MACHINE_BENCH_PORT, (unsigned long long)bufgpa, (unsigned long long)LINUX_BENCH_BUF_LEN);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

enum outcome run_linux_open(struct run_payload *p, const struct run_opts *o)
{
	char err[PATH_MAX + 512], cmdline[LINUX_CMDLINE_MAX];
	struct linux_plan plan;
	uint64_t low = low_ram(o);

	memset(p, 0, sizeof(*p));
	p->is_linux = true;
	snprintf(p->path, sizeof(p->path), "%s", o->kernel);
	p->image = payload_read(o->kernel, RUN_LINUX_KERNEL_MAX_MIB, &p->len, err, sizeof(err));
	if (!p->image) {
		fprintf(stderr, "exitlab run linux: --kernel: %s\n", err);
		return OUTCOME_BAD_INPUT;
	}
	if (bzimage_parse(p->image, p->len, &p->bz, err, sizeof(err))) {
		fprintf(stderr, "exitlab run linux: %s: %s\n", o->kernel, err);
		return OUTCOME_BAD_INPUT;
	}
	if (o->initrd && !(p->initrd = payload_read(o->initrd, RUN_LINUX_INITRD_MAX_MIB, &p->initrd_len, err,
						       sizeof(err)))) {
		fprintf(stderr, "exitlab run linux: --initrd: %s\n", err);
		return OUTCOME_BAD_INPUT;
	}
	/* The same plan the machine makes, before any KVM: a kernel or initrd too large is bad input. */
	if (run_linux_cmdline(o, low, cmdline, sizeof(cmdline))) {
		fprintf(stderr, "exitlab run linux: --append: the command line passes %llu bytes\n",
			LINUX_CMDLINE_MAX - 1);
		return OUTCOME_BAD_INPUT;
	}
	if (linux_plan(&p->bz, low > LINUX_BENCH_BUF_LEN ? (low - LINUX_BENCH_BUF_LEN) & ~0xfffULL : 0,
		       p->initrd_len, strlen(cmdline), &plan, err, sizeof(err))) {
		fprintf(stderr, "exitlab run linux: %s (--mem %llu)\n", err, (unsigned long long)o->mem_mib);
		return OUTCOME_BAD_INPUT;
	}
	return OUTCOME_OK;
}

enum outcome run_linux_build(const struct run_opts *o, const struct run_payload *p, struct machine **m,
			     struct run_platform *plat, FILE *serial, struct linux_console *con, char *err,
			     size_t errlen)
{
	struct machine_config mc = {
		.mem_size = o->mem_mib << 20, .backing = o->backing, .nvcpus = o->nvcpus,
		.boot = MACHINE_BOOT_LINUX, .exit_timing = o->exit_timing,
	};
	char *cmdline = malloc(LINUX_CMDLINE_MAX);
	struct linux_boot_out out;
	struct linux_boot_in in = {
		.kernel = p->image, .kernel_len = p->len, .k = &p->bz, .initrd = p->initrd,
		.initrd_len = p->initrd_len, .cmdline = cmdline, .ecam_gpa = PCI_ECAM_BASE,
		.ecam_len = PCI_ECAM_SIZE,
		.pci = { .on = true, .mmio_base = PCI_MMIO_WINDOW, .mmio_size = PCI_MMIO_SIZE, .io_base = PCI_IO_WINDOW,
			 .io_size = PCI_IO_SIZE, .intx_gsi_base = PCI_INTX_GSI_BASE },
		.mailbox_gpa = LINUX_BENCH_MAILBOX, .buf_len = LINUX_BENCH_BUF_LEN,
	};
	enum outcome r;

	if (!cmdline) {
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	r = machine_create(m, &mc, err, errlen);
	if (!r && !*m)
		r = OUTCOME_FAILED;
	if (!r)
		r = run_platform_add_linux(plat, *m, serial, con, err, errlen);
	if (!r && run_linux_cmdline(o, machine_vm(*m)->mem.size, cmdline, LINUX_CMDLINE_MAX)) {
		snprintf(err, errlen, "the command line passes %llu bytes", LINUX_CMDLINE_MAX - 1);
		r = OUTCOME_BAD_INPUT;
	}
	if (!r)
		r = machine_load_linux(*m, &in, &out, err, errlen);
	free(cmdline); /* copied into guest RAM */
	return r;
}

/* Console bytes and userspace exits so far: what the watchdog calls progress. */
static uint64_t progress(struct machine *m, const struct linux_console *con)
{
	uint64_t n = __atomic_load_n(&con->bytes, __ATOMIC_RELAXED);

	for (unsigned i = 0; i < machine_nvcpus(m); i++)
		n += __atomic_load_n(&machine_vcpu(m, i)->user_exits, __ATOMIC_RELAXED);
	return n;
}

enum outcome run_linux_wait(struct machine *m, const struct linux_console *con, double timeout_s,
			    double deadline_s)
{
	struct vm *vm = machine_vm(m);
	struct timespec tick = { 0, 200 * 1000000L };
	uint64_t last = progress(m, con);
	double idle = 0, start = mono_now_s();

	while (!__atomic_load_n(&vm->stopping, __ATOMIC_SEQ_CST)) {
		uint64_t now;
		char why[112];

		nanosleep(&tick, NULL);
		now = progress(m, con);
		idle = now == last ? idle + 0.2 : 0;
		last = now;
		if (timeout_s > 0 && idle >= timeout_s) {
			snprintf(why, sizeof(why), "no console output and no userspace exit for %.0f s (--timeout)",
				 timeout_s);
			machine_stop(m, OUTCOME_FAILED, why);
		} else if (deadline_s > 0 && mono_now_s() - start >= deadline_s) {
			/* A guest busy forever (a console flood, an exit loop) is progress to the watchdog. */
			snprintf(why, sizeof(why), "still running after %.0f s (--deadline)", deadline_s);
			machine_stop(m, OUTCOME_FAILED, why);
		}
	}
	return machine_wait(m, 0);
}

/* Every vCPU's KVM stats (scalars) summed, and the VM's. */
static json_t *stats_totals(struct machine *m, struct run_stats *stats)
{
	json_t *o = json_object(), *vcpu = json_object(), *vmo = json_object();
	struct kvm_stats *vms = &stats->vm, *s0 = &stats->vcpu[0];
	uint64_t *sum = s0->nvalues ? calloc(s0->nvalues, sizeof(*sum)) : NULL;
	uint64_t *v = calloc(s0->nvalues + vms->nvalues + 1, sizeof(*v));

	for (unsigned i = 0; sum && v && i < machine_nvcpus(m); i++) {
		struct kvm_stats *s = &stats->vcpu[i];

		if (s->nvalues == s0->nvalues && kvm_stats_read(s, v) == 0)
			for (size_t k = 0; k < s0->nvalues; k++)
				sum[k] += v[k];
	}
	for (size_t k = 0; sum && k < s0->ndesc; k++)
		if (!kvm_stats_is_level(s0->desc[k].type) && !kvm_stats_is_hist(s0->desc[k].type))
			json_object_set_new(vcpu, s0->desc[k].name, json_integer((json_int_t)sum[s0->desc[k].index]));
	if (v && vms->nvalues && kvm_stats_read(vms, v) == 0)
		for (size_t k = 0; k < vms->ndesc; k++)
			if (!kvm_stats_is_level(vms->desc[k].type) && !kvm_stats_is_hist(vms->desc[k].type))
				json_object_set_new(vmo, vms->desc[k].name, json_integer((json_int_t)v[vms->desc[k].index]));
	free(sum);
	free(v);
	json_object_set_new(o, "vcpus_sum", vcpu);
	json_object_set_new(o, "vm", vmo);
	return o;
}

json_t *run_linux_json(struct machine *m, struct run_stats *stats, const struct run_platform *plat, const struct linux_console *con,
		       const char *cmdline)
{
	json_t *lines = json_array();
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);

	if (f) {
		char *l, *save = NULL;

		linux_console_dump(con, f, "");
		fclose(f);
		for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			json_array_append_new(lines, json_string(l));
		free(text);
	}
	return json_pack("{s:s?, s:s, s:I, s:o, s:I, s:I, s:o}",
		"end", run_platform_linux_end(plat), "cmdline", cmdline,
		"console_bytes", (json_int_t)con->bytes, "console_tail", lines,
		"uart_irqs", (json_int_t)plat->uart_irqs, "acpi_pm_writes", (json_int_t)plat->acpi_pm.writes,
		"kvm_stats_totals", stats_totals(m, stats));
}
