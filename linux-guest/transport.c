// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exitlab/linux_guest.h"
#include "linux-guest/transport.h"

#define LG_PAGE 4096u

static void outl_doorbell(struct lg_bench *b, uint32_t cmd)
{
	/* "memory": the mailbox is written before the exit and the reply read after it. */
	asm volatile("outl %0, %w1" : : "a"(cmd), "Nd"(b->port) : "memory");
}

/*
 * The peer VMM's doorbell (exitlab.bench=com2,...): the command's low byte to
 * the UART's data port, which QEMU passes to exitlab's socket, then wait in
 * guest memory for exitlab's reply: one exit per message, as with outl.
 * The byte goes through /dev/port, so the kernel's outb at CPL0 makes the
 * exit with no I/O permission check: a user-mode outb took a #GP under QEMU
 * -accel kvm in the nested testbed (cause not pinned down), and a UART port
 * needs no iopl.  No pause in the loop: pause-loop exiting would add exits.
 */
static void com2_doorbell(struct lg_bench *b, uint32_t cmd)
{
	volatile int32_t *reply = &b->mb->hdr.reply;
	uint8_t byte = (uint8_t)cmd;

	*reply = BENCH_REPLY_PENDING;
	asm volatile("" : : : "memory");
	if (pwrite(b->port_fd, &byte, 1, b->port) != 1) {
		*reply = BENCH_REPLY_ERROR; /* never sent: no reply will come */
		return;
	}
	while (*reply == BENCH_REPLY_PENDING)
		asm volatile("" : : : "memory");
}

static uint64_t page_up(uint64_t n)
{
	return (n + LG_PAGE - 1) & ~(uint64_t)(LG_PAGE - 1);
}

int lg_transport_map(struct lg_bench *b, int fd, const struct lg_bench_loc *loc, lg_doorbell_fn doorbell,
		     char *err, size_t errlen)
{
	void *mb, *buf;

	memset(b, 0, sizeof(*b));
	b->port_fd = -1;
	/*
	 * Without O_SYNC on the descriptor /dev/mem maps write-back, as RAM is:
	 * samples stored into an uncached buffer would cost more than some of
	 * the operations they time.
	 */
	mb = mmap(NULL, LG_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)loc->mailbox);
	if (mb == MAP_FAILED) {
		snprintf(err, errlen, "cannot map the mailbox at 0x%llx: %s", (unsigned long long)loc->mailbox,
			 strerror(errno));
		return -1;
	}
	buf = mmap(NULL, page_up(loc->len), PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)loc->buf);
	if (buf == MAP_FAILED) {
		snprintf(err, errlen, "cannot map the buffer [0x%llx, +0x%llx): %s",
			 (unsigned long long)loc->buf, (unsigned long long)loc->len, strerror(errno));
		munmap(mb, LG_PAGE);
		return -1;
	}
	b->mb = mb;
	b->port = loc->port;
	b->doorbell = doorbell;
	b->buf = buf;
	b->buf_gpa = loc->buf;
	b->buf_len = loc->len;
	return 0;
}

int lg_transport_open(struct lg_bench *b, const struct lg_bench_loc *loc, char *err, size_t errlen)
{
	int fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open /dev/mem: %s", strerror(errno));
		return -1;
	}
	rc = lg_transport_map(b, fd, loc, loc->com2 ? com2_doorbell : outl_doorbell, err, errlen);
	close(fd); /* the mappings stay */
	if (rc)
		return -1;
	if (loc->com2) {
		b->port_fd = open("/dev/port", O_WRONLY | O_CLOEXEC);
		if (b->port_fd < 0) {
			snprintf(err, errlen, "cannot open /dev/port for the doorbell port 0x%x: %s", loc->port,
				 strerror(errno));
			lg_transport_close(b);
			return -1;
		}
		return 0;
	}
	/* The port is above 0x3ff and the doorbell is rung from every thread: iopl, not ioperm. */
	if (iopl(3)) {
		snprintf(err, errlen, "iopl(3) for the doorbell port 0x%x: %s", loc->port, strerror(errno));
		lg_transport_close(b);
		return -1;
	}
	return 0;
}

int lg_transport_unmeasured(struct lg_bench *b)
{
	memset(b, 0, sizeof(*b));
	b->port_fd = -1;
	b->buf_len = LINUX_BENCH_BUF_LEN;
	b->buf = calloc(1, b->buf_len);
	return b->buf ? 0 : -1;
}

void lg_transport_close(struct lg_bench *b)
{
	if (b->mb && b->port_fd >= 0)
		close(b->port_fd);
	if (b->mb) {
		munmap(b->mb, LG_PAGE);
		munmap(b->buf, page_up(b->buf_len));
	} else {
		free(b->buf);
	}
	memset(b, 0, sizeof(*b));
}

int32_t lg_send(struct lg_bench *b, uint16_t cmd, const void *body, uint32_t len)
{
	struct bench_mailbox *mb = b->mb;

	if (!mb)
		return BENCH_REPLY_OK;
	bench_mailbox_fill(mb, cmd, body, len);
	b->doorbell(b, cmd);
	return *(volatile int32_t *)&mb->hdr.reply;
}

uint64_t lg_gpa(const struct lg_bench *b, const void *p)
{
	return b->buf_gpa + (uint64_t)((const uint8_t *)p - (const uint8_t *)b->buf);
}
