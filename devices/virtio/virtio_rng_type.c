// SPDX-License-Identifier: MIT
/* virtio-rng's row in the device registry (devices/device_types.h): notify= its one option. */
#include <stdio.h>
#include <stdlib.h>

#include "devices/device_types.h"
#include "devices/virtio/virtio_rng.h"
#include "devices/virtio/virtio_type.h"
#include "util/outcome.h"
#include "vmm/vm.h"

struct vrng_state {
	struct virtio_rng *rng;
	struct virtio_pci *t;
};

static int vrng_parse_opt(struct device_spec *s, const char *key, const char *v, char *err,
			  size_t errlen)
{
	return virtio_type_parse_opt(s, false, key, v, err, errlen);
}

static void vrng_describe(const struct device_spec *s, const struct device_env *env, json_t *d)
{
	(void)env;
	virtio_type_describe(s, d);
	json_object_set_new(d, "backend", json_string("vmm"));
}

static enum outcome vrng_create(const struct device_spec *s, const struct device_env *env, void **state, char *err,
				size_t errlen)
{
	struct vrng_state *st = calloc(1, sizeof(*st));
	struct virtio_rng *r = calloc(1, sizeof(*r));

	if (!st || !r) {
		free(st);
		free(r);
		snprintf(err, errlen, "out of memory");
		return OUTCOME_FAILED;
	}
	*state = st;
	if (virtio_rng_init(r, &env->vm->mem, err, errlen)) {
		free(r);
		return OUTCOME_FAILED;
	}
	st->rng = r;
	return virtio_type_attach(&st->t, &r->vdev, s, env, err, errlen);
}

static void vrng_destroy(void *state)
{
	struct vrng_state *st = state;

	virtio_type_detach(st->t);
	if (st->rng) {
		virtio_rng_destroy(st->rng);
		free(st->rng);
	}
	free(st);
}

static const struct dev_metrics *vrng_metrics(void *state)
{
	return virtio_rng_metrics(((struct vrng_state *)state)->rng);
}

const struct device_type device_type_virtio_rng = {
	.name = "virtio-rng",
	.kind = DEVICE_OTHER,
	.usage = "virtio-rng takes notify=exit|ioeventfd",
	.parse_opt = vrng_parse_opt,
	.describe = vrng_describe,
	.create = vrng_create,
	.destroy = vrng_destroy,
	.metrics = vrng_metrics,
};
