// SPDX-License-Identifier: MIT
#include "guest_bench.h"
#include "exceptions.h"
#include "ring.h"
#include "serial.h"
#include "x86.h"

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *exception_name(unsigned int vector)
{
	return vector < 32 ? names[vector] : "interrupt";
}

void exception_handle(struct exc_frame *f)
{
	static int nested;
	struct bench_exception e = {
		.vector = f->vector,
		.error_code = f->error_code,
		.rip = f->rip,
		.cs = f->cs,
		.rflags = f->rflags,
		.rsp = f->rsp,
		.cr2 = read_cr2(),
	};

	/* A measurement asked to survive faults: abandon it, let the harness report. */
	if (ring_catch && ring_kctx_rsp && !nested) {
		ring_fault = (struct ring_fault){
			.vector = e.vector, .error_code = e.error_code,
			.rip = e.rip, .cr2 = e.cr2, .cpl = e.cs & 3,
		};
		ring_catch = 0;
		ring_abort(-1);
	}
	/* A fault while reporting a fault: stop before it becomes a triple fault. */
	if (nested++)
		halt_forever();
	serial_printf("exception %s (vector %lu, error 0x%lx) at rip 0x%lx cs 0x%lx cr2 0x%lx\n",
		      exception_name(e.vector), e.vector, e.error_code, e.rip, e.cs, e.cr2);
	bench_exception(&e);
	halt_forever();
}
