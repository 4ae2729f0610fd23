// SPDX-License-Identifier: MIT
/*
 * What a vhost-user back-end sends back: the reply codec
 * (devices/vhost/vhost_user_msg.c), the connection that reads replies off
 * the socket with their file descriptors (vhost_user.c: recv_exact,
 * vhost_user_call, the handshake) and the device model that acts on them
 * (vhost_user_dev.c: init with the blk config, the ring hand-over at
 * DRIVER_OK and the take-back with GET_VRING_BASE).  The first input byte
 * picks the mode (fuzz/fuzz_input.h reads the rest; missing bytes are zeros):
 *
 *   even: the codec alone, a sequence of at most MAX_RECORDS records: a
 *         request (one the front-end sends, or any id) with its ring index or
 *         config window, then a reply (length, bytes, how many fds came)
 *         checked by vhu_check_reply_header and vhu_decode_reply; and the
 *         encoder's round trip (a request's bytes, turned into a reply,
 *         decode to what was asked), whose failure aborts.
 *   odd:  a whole device: a flags byte (net or blk, which queues the driver
 *         made ready, whether the transport has irqfds, start/stop), the
 *         driver's features and status, who listens (the front-end, or the
 *         back-end) and whether the back-end stops reading once it has
 *         written, the queues' rings, then the back-end's
 *         byte stream as chunks (length, bytes, number of fds attached) that a
 *         back-end thread writes into the unix socket vhost_user_dev_init
 *         connects to, before shutting its side: a reply that never comes is
 *         the end of the stream, not a timeout.
 *
 * Guest RAM (64 KiB, a memfd, since SET_MEM_TABLE shares it) and the eventfds
 * the transport would own are set up once.  vud_start/vud_stop report what
 * the back-end did on stderr (no hook): stderr goes to /dev/null around those
 * two calls only, and sanitizer reports go to the real stderr throughout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fuzz/fuzz_input.h"
#include "devices/vhost/vhost_user_dev.h"
#include "devices/vhost/vhost_user_msg.h"

#define RAM_SIZE    (64u << 10)
#define MAX_RECORDS 64
#define MAX_CHUNKS  64
#define MAX_STREAM  8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the codec ---- */
static const uint32_t requests[] = {
	VHU_GET_FEATURES, VHU_GET_PROTOCOL_FEATURES, VHU_GET_QUEUE_NUM, VHU_GET_VRING_BASE, VHU_GET_CONFIG,
	VHU_GET_STATUS, VHU_SET_OWNER, VHU_SET_FEATURES, VHU_SET_MEM_TABLE, VHU_SET_VRING_ADDR,
	VHU_SET_VRING_NUM, VHU_SET_VRING_KICK, VHU_SET_VRING_ENABLE, VHU_RESET_DEVICE, VHU_SET_STATUS,
};
#define NREQ (sizeof(requests) / sizeof(requests[0]))

/* The request a record names, built as the front-end builds it. */
static void build_request(struct fuzz_input *in, struct vhu_msg *m)
{
	uint8_t sel = fuzz_u8(in);
	uint32_t a = fuzz_u32(in), b = fuzz_u32(in);
	uint32_t req = sel & 0x80 ? fuzz_u32(in) : requests[sel % NREQ];

	switch (req) {
	case VHU_GET_VRING_BASE: case VHU_SET_VRING_NUM: case VHU_SET_VRING_ENABLE:
		vhu_msg_state(m, req, a, b);
		break;
	case VHU_GET_CONFIG:
		if (vhu_msg_get_config(m, a, b % (VHU_CONFIG_MAX + 2)))
			vhu_msg_get_config(m, a, 1);
		break;
	case VHU_SET_VRING_ADDR:
		vhu_msg_addr(m, a, fuzz_u64(in), fuzz_u64(in), fuzz_u64(in));
		break;
	case VHU_SET_MEM_TABLE: {
		struct vhu_region r[VHU_MAX_REGIONS + 1];

		fuzz_bytes(in, r, sizeof(r));
		if (vhu_msg_mem(m, r, b % (VHU_MAX_REGIONS + 2)))
			vhu_msg_mem(m, r, 1);
		break;
	}
	default:
		if (a & 1)
			vhu_msg_u64(m, req, b);
		else
			vhu_msg_none(m, req);
		break;
	}
}

/* A request's own bytes as the reply to it: what GET_VRING_BASE and GET_CONFIG echo must decode back. */
static void round_trip(const struct vhu_msg *m)
{
	uint8_t buf[VHU_HDR_SIZE + VHU_PAYLOAD_MAX];
	struct vhu_msg out;
	char err[256], nb[24];
	size_t n = vhu_encode(m, buf, sizeof(buf));
	uint32_t flags;

	vhu_request_name(m->request, nb, sizeof(nb));
	if (!n)
		return;
	if (n != VHU_HDR_SIZE + m->size || vhu_encode(m, buf, n - 1))
		abort();        /* the length is the header and the payload, and needs that much room */
	if (m->request != VHU_GET_CONFIG && !(m->request == VHU_GET_VRING_BASE && m->p.state.num <= 0xffff))
		return;
	flags = VHU_VERSION | VHU_FLAG_REPLY;
	memcpy(buf + 4, &flags, 4);
	if (vhu_decode_reply(buf, n, 0, m, &out, err, sizeof(err)) || out.request != m->request)
		abort();
	if (m->request == VHU_GET_VRING_BASE && (out.p.state.index != m->p.state.index ||
						 out.p.state.num != m->p.state.num))
		abort();
	if (m->request == VHU_GET_CONFIG && (out.p.cfg.offset != m->p.cfg.offset || out.p.cfg.size != m->p.cfg.size))
		abort();
}

static void codec(struct fuzz_input *in)
{
	static uint8_t buf[VHU_HDR_SIZE + VHU_PAYLOAD_MAX + 64];

	for (unsigned i = 0; i < MAX_RECORDS && fuzz_left(in); i++) {
		struct vhu_msg m, out;
		char err[256];
		size_t len, got;
		const uint8_t *p;
		uint8_t *r;
		unsigned nfds;
		uint32_t size;

		build_request(in, &m);
		round_trip(&m);
		len = fuzz_u16(in) % sizeof(buf);
		nfds = fuzz_u8(in) % 4 == 3 ? 1 : 0;
		p = fuzz_take(in, len, &got);
		r = buf + sizeof(buf) - len;   /* at the end of buf: a read past the reply is an ASan report */

		memcpy(r, p, got);
		memset(r + got, 0, len - got);
		if (len >= VHU_HDR_SIZE)
			vhu_check_reply_header(r, &m, &size, err, sizeof(err));
		vhu_decode_reply(r, len, nfds, &m, &out, err, sizeof(err));
	}
}

/* ---- the device over a socket ---- */
struct chunk {
	const uint8_t *p;
	size_t len;
	unsigned nfds;
};

static struct {
	sem_t go, finish, done;
	int listen_fd, null_fd;
	struct chunk c[MAX_CHUNKS];
	unsigned n;
	bool server;                    /* the front-end listens (server=true): we connect */
	bool hangup;                    /* after the stream, stop reading too: the front-end's sends fail */
	atomic_bool fe_done;            /* the front-end of this input is destroyed: stop waiting for it */
} bk;

static char sock_path[108], srv_path[108];
static struct guest_mem mem;
static int kick_efd, call_efd, devnull, real_stderr;
static bool irqfds;

/*
 * sem_wait until posted: libFuzzer's timeout timer (SIGALRM) interrupts a
 * sem_wait, and an input must not return while the back-end still sends from it.
 */
static void sem_wait_posted(sem_t *s)
{
	while (sem_wait(s) && errno == EINTR)
		;
}

/*
 * A connection to the front-end listening at srv_path (it may not listen
 * yet): the fd, or -1 once the front-end is done without listening.  Waiting
 * on the front-end rather than a clock keeps an input's outcome the same on
 * a loaded machine (a count of tries ran past libFuzzer's timeout there).
 */
static int connect_server(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	memcpy(a.sun_path, srv_path, strlen(srv_path));
	while (!atomic_load(&bk.fe_done)) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		usleep(20);
	}
	return -1;
}

/*
 * The front-end's connection to sock_path: the fd, or -1 once the front-end
 * is done without connecting (a fixed wait let a late connection stay in the
 * backlog, taken by the next input's back-end while this one's front-end
 * waited for replies).
 */
static int accept_client(void)
{
	struct pollfd p = { .fd = bk.listen_fd, .events = POLLIN };

	while (!atomic_load(&bk.fe_done))
		if (poll(&p, 1, 20) > 0)
			return accept4(bk.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	return -1;
}

/* Connections no back-end served (made after this input's back-end gave up): closed, not left to the next input. */
static void drain_backlog(void)
{
	struct pollfd p = { .fd = bk.listen_fd, .events = POLLIN };

	while (poll(&p, 1, 0) > 0) {
		int fd = accept4(bk.listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			break;
		close(fd);
	}
}

/*
 * The back-end: accept (or connect, to a listening front-end), write the
 * chunks (fds attached), close the sending side, close when the front-end is done.
 */
static void *backend_main(void *arg)
{
	(void)arg;
	for (;;) {
		int fd;

		sem_wait_posted(&bk.go);
		fd = bk.server ? connect_server() : accept_client();
		for (unsigned i = 0; fd >= 0 && i < bk.n; i++) {
			char cbuf[CMSG_SPACE(sizeof(int) * 12)];
			struct iovec iov = { .iov_base = (void *)bk.c[i].p, .iov_len = bk.c[i].len };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

			if (!bk.c[i].len)
				continue;
			if (bk.c[i].nfds) {
				struct cmsghdr *c;

				memset(cbuf, 0, sizeof(cbuf));
				mh.msg_control = cbuf;
				mh.msg_controllen = CMSG_SPACE(sizeof(int) * bk.c[i].nfds);
				c = CMSG_FIRSTHDR(&mh);
				c->cmsg_level = SOL_SOCKET;
				c->cmsg_type = SCM_RIGHTS;
				c->cmsg_len = CMSG_LEN(sizeof(int) * bk.c[i].nfds);
				for (unsigned k = 0; k < bk.c[i].nfds; k++)
					memcpy(CMSG_DATA(c) + k * sizeof(int), &bk.null_fd, sizeof(int));
			}
			if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
				break;
		}
		/* What the front-end sent stays unread (the fds in it are released at close):
		 * draining it as it comes would cost a thread switch per request. */
		if (fd >= 0)
			shutdown(fd, bk.hangup ? SHUT_RDWR : SHUT_WR);
		sem_wait_posted(&bk.finish);
		if (fd >= 0)
			close(fd);
		drain_backlog();
		sem_post(&bk.done);
	}
	return NULL;
}

static int t_interrupt(struct virtio_dev *v, int q)
{
	(void)v;
	(void)q;
	return 0;
}

static int t_kick_fd(struct virtio_dev *v, unsigned q)
{
	(void)v;
	(void)q;
	return kick_efd;
}

static int t_call_fd(struct virtio_dev *v, unsigned q)
{
	(void)v;
	(void)q;
	return irqfds ? call_efd : -1;
}

static const struct virtio_transport_ops tops = { .interrupt = t_interrupt, .kick_fd = t_kick_fd, .call_fd = t_call_fd };

static void quiet(bool on)
{
	fflush(stderr);
	dup2(on ? devnull : real_stderr, STDERR_FILENO);
}

static void device(struct fuzz_input *in)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static struct vhost_user_dev d;
	uint8_t flags = fuzz_u8(in);
	struct vhost_user_dev_opts o = {
		.kind = flags & 1 ? VHU_DEV_BLK : VHU_DEV_NET, .path = sock_path, .mac = mac,
		.on_disconnect = VHU_DISC_RESET,
	};
	uint64_t features = fuzz_u64(in);
	uint8_t status = fuzz_u8(in), conn = fuzz_u8(in);
	struct virtq rings[2];
	char err[256];
	size_t total = 0;

	irqfds = !(flags & 2);
	bk.server = o.server = conn & 1;
	bk.hangup = conn & 2;
	if (o.server)
		o.path = srv_path;
	for (unsigned q = 0; q < 2; q++) {
		memset(&rings[q], 0, sizeof(rings[q]));
		rings[q].ready = flags & (4 << q);
		rings[q].num = (uint16_t)(1u << (fuzz_u8(in) % 10));
		rings[q].desc_gpa = fuzz_u16(in);
		rings[q].avail_gpa = fuzz_u16(in);
		rings[q].used_gpa = fuzz_u16(in);
		if (flags & 0x80)
			rings[q].used_gpa = fuzz_u64(in);   /* anywhere, not only in RAM */
	}
	/* the rest is the back-end's stream */
	bk.n = 0;
	while (bk.n < MAX_CHUNKS && fuzz_left(in) && total < MAX_STREAM) {
		uint8_t h = fuzz_u8(in);
		size_t len = fuzz_u8(in) + ((size_t)(h & 1) << 8);

		bk.c[bk.n].nfds = h >> 4 > 12 ? 0 : h >> 4;   /* up to 12: more than the 8 the front-end takes */
		bk.c[bk.n].p = fuzz_take(in, len, &bk.c[bk.n].len);
		total += bk.c[bk.n++].len;
	}
	atomic_store(&bk.fe_done, false);
	sem_post(&bk.go);
	if (vhost_user_dev_init(&d, &mem, &o, err, sizeof(err)) == OUTCOME_OK) {
		struct virtio_dev *v = &d.vdev;
		uint8_t cfg[8];

		v->tops = &tops;
		v->features = features & v->host_features;
		v->status = status;
		for (unsigned q = 0; q < v->nqueues; q++) {
			v->vq[q].ready = rings[q].ready;
			v->vq[q].num = rings[q].num;
			v->vq[q].desc_gpa = rings[q].desc_gpa;
			v->vq[q].avail_gpa = rings[q].avail_gpa;
			v->vq[q].used_gpa = rings[q].used_gpa;
		}
		v->ops->config_read(v, status % 64, cfg, sizeof(cfg));
		quiet(true);
		if (flags & 0x10) {
			v->ops->start(v);
			if (flags & 0x20)
				v->ops->stop(v);
			if (flags & 0x40) {
				v->ops->start(v);
				v->ops->stop(v);
			}
		}
		quiet(false);
	}
	vhost_user_dev_destroy(&d);
	atomic_store(&bk.fe_done, true);
	sem_post(&bk.finish);
	sem_wait_posted(&bk.done);
}

static void init(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	pthread_t t;
	int memfd;

	real_stderr = dup(STDERR_FILENO);
	__sanitizer_set_report_fd((void *)(intptr_t)real_stderr);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	bk.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	kick_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	call_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	memfd = memfd_create("fuzz-vhost-user-ram", MFD_CLOEXEC);
	if (real_stderr < 0 || devnull < 0 || bk.null_fd < 0 || kick_efd < 0 || call_efd < 0 || memfd < 0 ||
	    ftruncate(memfd, RAM_SIZE))
		abort();
	mem.memfd = memfd;
	mem.host = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	mem.size = RAM_SIZE;
	mem.page_size = 4096;
	if (mem.host == MAP_FAILED)
		abort();
	snprintf(sock_path, sizeof(sock_path), "/tmp/exitlab-fuzz-vhu.%d.sock", (int)getpid());
	snprintf(srv_path, sizeof(srv_path), "/tmp/exitlab-fuzz-vhu.%d.srv", (int)getpid());
	memcpy(a.sun_path, sock_path, strlen(sock_path));
	unlink(sock_path);
	bk.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bk.listen_fd < 0 || bind(bk.listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(bk.listen_fd, 4) ||
	    sem_init(&bk.go, 0, 0) || sem_init(&bk.finish, 0, 0) || sem_init(&bk.done, 0, 0) || pthread_create(&t, NULL, backend_main, NULL))
		abort();
	pthread_detach(t);
}

static void cleanup(void)
{
	unlink(sock_path);
	unlink(srv_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct fuzz_input in = { data, size };

	if (!ready) {
		init();
		atexit(cleanup);
		ready = true;
	}
	if (fuzz_u8(&in) & 1)
		device(&in);   /* guest RAM stays zero: the model only reads it */
	else
		codec(&in);
	return 0;
}
