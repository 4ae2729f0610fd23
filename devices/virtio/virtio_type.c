// SPDX-License-Identifier: MIT
/* The virtio rows' shared keys, description and transport (virtio_type.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_type.h"
#include "util/outcome.h"

int virtio_type_parse_opt(struct device_spec *s, bool vhost_user, const char *key, const char *v, char *err,
			  size_t errlen)
{
	if (!strcmp(key, "notify") && (!strcmp(v, "exit") || !strcmp(v, "ioeventfd"))) {
		s->notify_by_exit = !strcmp(v, "exit");
		return 0;
	}
	if (!vhost_user)
		return 1;
	if (!strcmp(key, "vhost-user") && *v) {
		if (strlen(v) >= sizeof(s->vhost_user)) {
			snprintf(err, errlen, "%s: vhost-user= socket path longer than %zu bytes", s->type->name,
				 sizeof(s->vhost_user) - 1);
			return -1;
		}
		snprintf(s->vhost_user, sizeof(s->vhost_user), "%s", v);
		return 0;
	}
	if (!strcmp(key, "server") && (!strcmp(v, "0") || !strcmp(v, "1"))) {
		s->vhost_user_server = v[0] == '1';
		s->vhost_user_opts = true;
		return 0;
	}
	if (!strcmp(key, "on-disconnect") && (!strcmp(v, "reset") || !strcmp(v, "stop"))) {
		s->stop_on_disconnect = !strcmp(v, "stop");
		s->vhost_user_opts = true;
		return 0;
	}
	return 1;
}

int virtio_type_check(const struct device_spec *s, char *err, size_t errlen)
{
	if (s->vhost_user_opts && !s->vhost_user[0]) {
		snprintf(err, errlen, "%s: server= and on-disconnect= go with vhost-user=SOCK", s->type->name);
		return -1;
	}
	return 0;
}

bool virtio_type_describe(const struct device_spec *s, json_t *d)
{
	json_object_set_new(d, "notify", json_string(s->notify_by_exit ? "exit" : "ioeventfd"));
	if (!s->vhost_user[0])
		return false;
	json_object_set_new(d, "backend", json_string("vhost-user"));
	json_object_set_new(d, "socket", json_string(s->vhost_user));
	json_object_set_new(d, "server", json_boolean(s->vhost_user_server));
	json_object_set_new(d, "on_disconnect", json_string(s->stop_on_disconnect ? "stop" : "reset"));
	return true;
}

enum outcome virtio_type_attach(struct virtio_pci **tp, struct virtio_dev *v, const struct device_spec *s,
				const struct device_env *env, char *err, size_t errlen)
{
	struct virtio_pci *t = calloc(1, sizeof(*t));

	*tp = NULL;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	if (virtio_pci_init(t, v, env->vm, env->pci, env->irq, s->notify_by_exit, err, errlen)) {
		free(t);
		return OUTCOME_FAILED;
	}
	*tp = t;
	return OUTCOME_OK;
}

void virtio_type_detach(struct virtio_pci *t)
{
	if (!t)
		return;
	virtio_pci_destroy(t);
	free(t);
}
