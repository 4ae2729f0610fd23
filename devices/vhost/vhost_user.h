/* SPDX-License-Identifier: MIT */
/*
 * A vhost-user connection, front-end side: the unix socket to a back-end
 * process (we connect, or we listen and the back-end connects: dpdk's
 * client=1), one request at a time with its fds as SCM_RIGHTS, and every
 * reply read with a timeout and checked by vhost_user_msg.c.  A back-end
 * that breaks the protocol gets its connection shut down and the caller an
 * error that says what it did; nothing here blocks without a deadline.
 */
#ifndef EXITLAB_VHOST_USER_H
#define EXITLAB_VHOST_USER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "devices/vhost/vhost_user_msg.h"
#include "util/outcome.h"

/*
 * Any reply.  A guard against a hung back-end, not a speed limit: a loaded
 * machine made a healthy back-end take over 5 s to map guest memory.
 */
#define VHU_TIMEOUT_MS        60000
#define VHU_ACCEPT_MS         10000  /* server mode: the back-end's first connect */
#define VHU_RECONNECT_MS      5000   /* after a disconnect: retry this long ... */
#define VHU_RECONNECT_STEP_MS 100    /* ... this often (client mode) */

enum vhu_counter {
	VHU_MESSAGES_SENT, VHU_REPLIES, VHU_FDS_SENT, VHU_BACKEND_ERRORS, VHU_DISCONNECTS, VHU_RECONNECTS,
	VHU_NCOUNTERS
};

struct vhost_user {
	char path[108];               /* sun_path */
	bool server;                  /* we listen, the back-end connects */
	int listen_fd, fd;            /* -1 when none */
	pid_t peer_pid;               /* the back-end's process (its CPU time is the device side's), 0: none */
	bool peer_unknown;            /* connected to a back-end whose CPU time cannot be read */
	int timeout_ms;
	bool broken;                  /* a protocol error shut the connection down */
	uint64_t features;            /* the back-end's virtio features (GET_FEATURES) */
	uint64_t protocol;            /* protocol features both sides agreed */
	uint32_t queue_num;           /* GET_QUEUE_NUM with MQ, else 1 */
	pthread_mutex_t lock;         /* one request/reply at a time; fd changes */
	uint64_t own[VHU_NCOUNTERS];
	uint64_t *counters;           /* own, or the owner's array (its first VHU_NCOUNTERS) */
	char last_error[256];
};

/* The protocol features we can use; the rest of the back-end's offer is declined. */
#define VHU_PROTOCOL_WANTED (1ull << VHU_PROTOCOL_F_MQ | 1ull << VHU_PROTOCOL_F_REPLY_ACK | \
			     1ull << VHU_PROTOCOL_F_CONFIG | 1ull << VHU_PROTOCOL_F_RESET_DEVICE | \
			     1ull << VHU_PROTOCOL_F_STATUS)

void vhost_user_init(struct vhost_user *u);
/*
 * Connect to the back-end at path (client), or listen there and wait up to
 * VHU_ACCEPT_MS for it to connect (server).  OUTCOME_OK; OUTCOME_BAD_INPUT
 * for a path no socket can have; OUTCOME_NO_HOST with err naming the path
 * and what is there (nothing, not a socket, nobody listening).
 */
enum outcome vhost_user_open(struct vhost_user *u, const char *path, bool server, char *err, size_t errlen);
/* After a disconnect: a new connection within total_ms. 0 or -1 with err. */
int vhost_user_reconnect(struct vhost_user *u, int total_ms, char *err, size_t errlen);
/* Close the connection (the listening socket stays for a reconnect). */
void vhost_user_disconnect(struct vhost_user *u);
/* Close everything; a server's socket file is removed. */
void vhost_user_close(struct vhost_user *u);
bool vhost_user_connected(struct vhost_user *u);

/*
 * Send m with nfds fds; with a GET, or with REPLY_ACK agreed (NEED_REPLY is
 * then set), wait for the reply, checked, into *reply (may be NULL for
 * acks).  0, or -1 with err; a protocol error or timeout also shuts the
 * connection down (the monitor sees the hang-up).
 */
int vhost_user_call(struct vhost_user *u, struct vhu_msg *m, const int *fds, unsigned nfds,
		    struct vhu_msg *reply, char *err, size_t errlen);

/*
 * The handshake: GET_FEATURES, GET/SET_PROTOCOL_FEATURES (what VHU_PROTOCOL_WANTED
 * and the back-end share), SET_OWNER, GET_QUEUE_NUM with MQ.  0 or -1 with err.
 */
int vhost_user_handshake(struct vhost_user *u, char *err, size_t errlen);
static inline bool vhost_user_has_protocol(const struct vhost_user *u, unsigned bit)
{
	return (u->protocol >> bit) & 1;
}

#endif
