// SPDX-License-Identifier: MIT
/*
 * The vhost-user socket (vhost_user.h): connecting or accepting, sending a
 * request with SCM_RIGHTS, reading its reply under a deadline with poll,
 * and the feature handshake.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devices/dev_metrics.h"
#include "vmm/thread_cpu.h"
#include "devices/vhost/vhost_user.h"

static void count(struct vhost_user *u, enum vhu_counter c)
{
	DEV_METRIC_ADD(&u->counters[c], 1);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vhost_user_init(struct vhost_user *u)
{
	memset(u, 0, sizeof(*u));
	u->fd = u->listen_fd = -1;
	u->timeout_ms = VHU_TIMEOUT_MS;
	u->queue_num = 1;
	u->counters = u->own;
	pthread_mutex_init(&u->lock, NULL);
}

/*
 * The back-end's threads are the device side of the data path: count their
 * CPU time (thread_cpu.h) by its PID from SO_PEERCRED.  One in our own
 * process, or of another PID namespace, cannot be told apart: unknown.
 * Called with u->lock held, fd the new connection.
 */
static void peer_track(struct vhost_user *u, int fd)
{
	struct ucred c;
	socklen_t len = sizeof(c);

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) && c.pid > 0 && c.pid != getpid() &&
	    !thread_cpu_add_process(c.pid)) {
		u->peer_pid = c.pid;
		return;
	}
	u->peer_unknown = true;
	thread_cpu_unknown_part(1);
}

static void peer_untrack(struct vhost_user *u)
{
	if (u->peer_pid)
		thread_cpu_remove_process(u->peer_pid);
	if (u->peer_unknown)
		thread_cpu_unknown_part(-1);
	u->peer_pid = 0;
	u->peer_unknown = false;
}

bool vhost_user_connected(struct vhost_user *u)
{
	bool c;

	pthread_mutex_lock(&u->lock);
	c = u->fd >= 0 && !u->broken;
	pthread_mutex_unlock(&u->lock);
	return c;
}

static int sock_addr(const char *path, struct sockaddr_un *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(a->sun_path)) {
		snprintf(err, errlen, "vhost-user: socket path '%s' empty or longer than %zu bytes", path,
			 sizeof(a->sun_path) - 1);
		return -1;
	}
	memcpy(a->sun_path, path, strlen(path));
	return 0;
}

/* One connect attempt: the fd, or -errno. */
static int try_connect(const struct sockaddr_un *a)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) == 0)
		return fd;
	e = errno;
	close(fd);
	return -e;
}

/* Why path did not take a connection, in words (exit code 3 material). */
static void explain_path(const char *path, int e, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st))
		snprintf(err, errlen, "vhost-user: no back-end socket at %s (%s)", path, strerror(errno));
	else if (!S_ISSOCK(st.st_mode))
		snprintf(err, errlen, "vhost-user: %s is not a socket (is the back-end's path right?)", path);
	else if (e == ECONNREFUSED)
		snprintf(err, errlen, "vhost-user: nothing listens at %s (a stale socket: is the back-end running?)",
			 path);
	else
		snprintf(err, errlen, "vhost-user: cannot connect to %s: %s", path, strerror(e));
}

/* Wait up to ms for a connection on the listening socket. */
static int accept_within(struct vhost_user *u, int ms, char *err, size_t errlen)
{
	struct pollfd p = { .fd = u->listen_fd, .events = POLLIN };
	int rc = poll(&p, 1, ms), fd;

	if (rc <= 0) {
		snprintf(err, errlen, "vhost-user: no back-end connected to %s within %d ms%s%s", u->path, ms,
			 rc < 0 ? ": " : "", rc < 0 ? strerror(errno) : "");
		return -1;
	}
	fd = accept4(u->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "vhost-user: accept on %s: %s", u->path, strerror(errno));
		return -1;
	}
	return fd;
}

static enum outcome listen_on(struct vhost_user *u, const struct sockaddr_un *a, char *err, size_t errlen)
{
	struct stat st;

	if (!lstat(u->path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "vhost-user: %s exists and is not a socket: not replacing it", u->path);
			return OUTCOME_NO_HOST;
		}
		unlink(u->path); /* a stale socket of an earlier run */
	}
	u->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (u->listen_fd < 0 || bind(u->listen_fd, (const struct sockaddr *)a, sizeof(*a)) ||
	    listen(u->listen_fd, 1)) {
		snprintf(err, errlen, "vhost-user: cannot listen at %s: %s", u->path, strerror(errno));
		if (u->listen_fd >= 0)
			close(u->listen_fd);
		u->listen_fd = -1;
		return OUTCOME_NO_HOST;
	}
	return OUTCOME_OK;
}

enum outcome vhost_user_open(struct vhost_user *u, const char *path, bool server, char *err, size_t errlen)
{
	struct sockaddr_un a;
	enum outcome o;
	int fd;

	if (sock_addr(path, &a, err, errlen))
		return OUTCOME_BAD_INPUT;
	snprintf(u->path, sizeof(u->path), "%s", path);
	u->server = server;
	if (server) {
		o = listen_on(u, &a, err, errlen);
		if (o != OUTCOME_OK)
			return o;
		fd = accept_within(u, VHU_ACCEPT_MS, err, errlen);
		if (fd < 0)
			return OUTCOME_NO_HOST;
	} else {
		fd = try_connect(&a);
		if (fd < 0) {
			explain_path(path, -fd, err, errlen);
			return OUTCOME_NO_HOST;
		}
	}
	pthread_mutex_lock(&u->lock);
	u->fd = fd;
	u->broken = false;
	peer_track(u, fd);
	pthread_mutex_unlock(&u->lock);
	return OUTCOME_OK;
}

void vhost_user_disconnect(struct vhost_user *u)
{
	pthread_mutex_lock(&u->lock);
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	u->broken = false;
	u->protocol = 0;
	peer_untrack(u);
	pthread_mutex_unlock(&u->lock);
}

int vhost_user_reconnect(struct vhost_user *u, int total_ms, char *err, size_t errlen)
{
	struct sockaddr_un a;
	int64_t end = now_ms() + total_ms;
	int fd = -ENOENT;

	vhost_user_disconnect(u);
	if (sock_addr(u->path, &a, err, errlen))
		return -1;
	if (u->server) {
		fd = accept_within(u, total_ms, err, errlen);
		if (fd < 0)
			return -1;
	} else {
		for (;;) {
			fd = try_connect(&a);
			if (fd >= 0 || now_ms() >= end)
				break;
			usleep(VHU_RECONNECT_STEP_MS * 1000);
		}
		if (fd < 0) {
			explain_path(u->path, -fd, err, errlen);
			return -1;
		}
	}
	pthread_mutex_lock(&u->lock);
	u->fd = fd;
	u->broken = false;
	peer_track(u, fd);
	pthread_mutex_unlock(&u->lock);
	count(u, VHU_RECONNECTS);
	return 0;
}

void vhost_user_close(struct vhost_user *u)
{
	vhost_user_disconnect(u);
	if (u->listen_fd >= 0) {
		close(u->listen_fd);
		u->listen_fd = -1;
		unlink(u->path);
	}
	pthread_mutex_destroy(&u->lock);
}

/* A protocol failure: shut the connection down (the monitor closes it), remember why. */
static int fail(struct vhost_user *u, char *err, size_t errlen)
{
	count(u, VHU_BACKEND_ERRORS);
	if (u->fd >= 0)
		shutdown(u->fd, SHUT_RDWR);
	u->broken = true;
	snprintf(u->last_error, sizeof(u->last_error), "%s", err);
	(void)errlen;
	return -1;
}

static int send_msg(struct vhost_user *u, const uint8_t *buf, size_t len, const int *fds, unsigned nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VHU_MAX_FDS)];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(u->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

/* Read exactly len bytes by the deadline; fds that come along are counted and closed. */
static int recv_exact(struct vhost_user *u, uint8_t *buf, size_t len, int64_t deadline, unsigned *nfds,
		      const char **why)
{
	size_t got = 0;

	while (got < len) {
		char cbuf[CMSG_SPACE(sizeof(int) * VHU_MAX_FDS)];
		struct iovec iov = { .iov_base = buf + got, .iov_len = len - got };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		int64_t left = deadline - now_ms();
		struct pollfd p = { .fd = u->fd, .events = POLLIN };
		ssize_t n;
		int rc;

		if (left <= 0) {
			*why = "timed out";
			return -1;
		}
		rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			*why = rc ? "poll failed" : "timed out";
			return -1;
		}
		n = recvmsg(u->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			*why = n ? "receive failed" : "the back-end closed the connection";
			return -1;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
				int fd;

				for (unsigned i = 0; i < k; i++) {
					memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
					close(fd);
				}
				*nfds += k;
			}
		if (mh.msg_flags & MSG_CTRUNC)
			*nfds += 1;
		got += (size_t)n;
	}
	return 0;
}

int vhost_user_call(struct vhost_user *u, struct vhu_msg *m, const int *fds, unsigned nfds,
		    struct vhu_msg *reply, char *err, size_t errlen)
{
	uint8_t buf[VHU_HDR_SIZE + VHU_PAYLOAD_MAX];
	struct vhu_msg ack;
	bool want_reply = vhu_request_has_reply(m->request);
	unsigned rfds = 0;
	const char *why = NULL;
	char nb[24];
	const char *name = vhu_request_name(m->request, nb, sizeof(nb));
	uint32_t size;
	size_t len;
	int rc = -1;

	pthread_mutex_lock(&u->lock);
	if (u->fd < 0 || u->broken) {
		snprintf(err, errlen, "vhost-user: %s: not connected to the back-end at %s", name, u->path);
		goto out;
	}
	if (!want_reply && vhost_user_has_protocol(u, VHU_PROTOCOL_F_REPLY_ACK))
		m->flags |= VHU_FLAG_NEED_REPLY;
	len = vhu_encode(m, buf, sizeof(buf));
	if (!len || nfds > VHU_MAX_FDS) {
		snprintf(err, errlen, "vhost-user: %s: cannot encode the request", name);
		goto out;
	}
	if (send_msg(u, buf, len, fds, nfds)) {
		snprintf(err, errlen, "vhost-user: %s to %s: %s", name, u->path, strerror(errno));
		rc = fail(u, err, errlen);
		goto out;
	}
	count(u, VHU_MESSAGES_SENT);
	DEV_METRIC_ADD(&u->counters[VHU_FDS_SENT], nfds);
	if (!want_reply && !(m->flags & VHU_FLAG_NEED_REPLY)) {
		rc = 0;
		goto out;
	}
	int64_t deadline = now_ms() + u->timeout_ms;

	if (recv_exact(u, buf, VHU_HDR_SIZE, deadline, &rfds, &why)) {
		snprintf(err, errlen, "vhost-user: reply to %s from %s: %s", name, u->path, why);
		rc = fail(u, err, errlen);
		goto out;
	}
	if (vhu_check_reply_header(buf, m, &size, err, errlen)) {
		char e2[256];

		snprintf(e2, sizeof(e2), "vhost-user: back-end at %s: %s", u->path, err);
		snprintf(err, errlen, "%s", e2);
		rc = fail(u, err, errlen);
		goto out;
	}
	if (recv_exact(u, buf + VHU_HDR_SIZE, size, deadline, &rfds, &why)) {
		snprintf(err, errlen, "vhost-user: reply to %s from %s truncated: %s", name, u->path, why);
		rc = fail(u, err, errlen);
		goto out;
	}
	if (vhu_decode_reply(buf, VHU_HDR_SIZE + size, rfds, m, reply ? reply : &ack, err, errlen)) {
		char e2[256];

		snprintf(e2, sizeof(e2), "vhost-user: back-end at %s: %s", u->path, err);
		snprintf(err, errlen, "%s", e2);
		rc = fail(u, err, errlen);
		goto out;
	}
	count(u, VHU_REPLIES);
	if (!want_reply && (reply ? reply : &ack)->p.u64) {
		snprintf(err, errlen, "vhost-user: back-end at %s refused %s (status %llu)", u->path, name,
			 (unsigned long long)(reply ? reply : &ack)->p.u64);
		count(u, VHU_BACKEND_ERRORS);
		goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&u->lock);
	return rc;
}

static int get_u64(struct vhost_user *u, uint32_t req, uint64_t *v, char *err, size_t errlen)
{
	struct vhu_msg m, r;

	vhu_msg_none(&m, req);
	if (vhost_user_call(u, &m, NULL, 0, &r, err, errlen))
		return -1;
	*v = r.p.u64;
	return 0;
}

static int set_u64(struct vhost_user *u, uint32_t req, uint64_t v, char *err, size_t errlen)
{
	struct vhu_msg m;

	vhu_msg_u64(&m, req, v);
	return vhost_user_call(u, &m, NULL, 0, NULL, err, errlen);
}

int vhost_user_handshake(struct vhost_user *u, char *err, size_t errlen)
{
	struct vhu_msg m;
	uint64_t pf = 0, qn;

	u->protocol = 0;
	u->queue_num = 1;
	if (get_u64(u, VHU_GET_FEATURES, &u->features, err, errlen))
		return -1;
	if ((u->features >> VHU_F_PROTOCOL_FEATURES) & 1) {
		if (get_u64(u, VHU_GET_PROTOCOL_FEATURES, &pf, err, errlen))
			return -1;
		pf &= VHU_PROTOCOL_WANTED;
		if (set_u64(u, VHU_SET_PROTOCOL_FEATURES, pf, err, errlen))
			return -1;
		u->protocol = pf; /* REPLY_ACK applies from the next request on */
	}
	vhu_msg_none(&m, VHU_SET_OWNER);
	if (vhost_user_call(u, &m, NULL, 0, NULL, err, errlen))
		return -1;
	if (vhost_user_has_protocol(u, VHU_PROTOCOL_F_MQ)) {
		if (get_u64(u, VHU_GET_QUEUE_NUM, &qn, err, errlen))
			return -1;
		if (!qn || qn > 0x8000) {
			snprintf(err, errlen, "vhost-user: back-end at %s says it has %llu queues", u->path,
				 (unsigned long long)qn);
			return fail(u, err, errlen);
		}
		u->queue_num = (uint32_t)qn;
	}
	return 0;
}
