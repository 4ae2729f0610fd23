// SPDX-License-Identifier: MIT
/*
 * A Linux guest's devices under QEMU (exitlab run linux --vmm qemu): the
 * --device and --netdev words exitlab's own VMM takes, as QEMU's own
 * devices and backend.  e1000 is QEMU's e1000 (82540EM, as ours),
 * virtio-net virtio-net-pci, virtio-blk,file=F virtio-blk-pci on a raw
 * -drive; the NIC's backend must be a tap (QEMU has no sink, gen or loop),
 * vhost=on its kernel data path.  NICs without their option ROMs (romfile=):
 * a -kernel boot needs no PXE, and the testbed carries no iPXE.  What has no
 * QEMU counterpart is refused with the reason, before QEMU starts.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "run/vmm_peers.h"

#define NET_ID "exitlab-net"

/* The value of `key=` in a comma list of options (after the model): into out, or 0 when absent. */
static int opt_value(const char *opts, const char *key, char *out, size_t len)
{
	size_t k = strlen(key);

	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (!strncmp(p, key, k) && p[k] == '=') {
			size_t n = strcspn(p + k + 1, ",");

			if (n >= len)
				return -1;
			memcpy(out, p + k + 1, n);
			out[n] = 0;
			return 1;
		}
	}
	return 0;
}

/* Every key of opts is one of keys[] (NULL-terminated): 0, or -1 with the first other in *bad. */
static int only_keys(const char *opts, const char *const *keys, char *bad, size_t len)
{
	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		size_t n = strcspn(p, "=,");
		bool ok = false;

		for (size_t i = 0; keys[i] && !ok; i++)
			ok = strlen(keys[i]) == n && !strncmp(p, keys[i], n);
		if (!ok) {
			snprintf(bad, len, "%.*s", (int)(n < 64 ? n : 64), p);
			return -1;
		}
	}
	return 0;
}

static int netdev_args(const char *netdev, bool virtio, struct strv *a, char *err, size_t errlen)
{
	static const char *const keys[] = { "ifname", "vhost", "vnet_hdr", NULL };
	const char *opts = strchr(netdev, ',');
	char ifname[64], vhost[8] = "", bad[80];
	int e = 0;

	if (strncmp(netdev, "tap", 3) || (netdev[3] && netdev[3] != ',')) {
		snprintf(err, errlen, "--netdev %s: QEMU's backend here is a tap (tap,ifname=NAME[,vhost=on]); "
			 "sink, gen and loop are exitlab's own", netdev);
		return -1;
	}
	opts = opts ? opts + 1 : "";
	if (only_keys(opts, keys, bad, sizeof(bad))) {
		snprintf(err, errlen, "--netdev %s: QEMU's tap here takes ifname=, vhost=on|off and vnet_hdr=, not %s",
			 netdev, bad);
		return -1;
	}
	if (opt_value(opts, "ifname", ifname, sizeof(ifname)) != 1 || !ifname[0]) {
		snprintf(err, errlen, "--netdev %s: a tap needs ifname=NAME (at most %zu bytes)", netdev,
			 sizeof(ifname) - 1);
		return -1;
	}
	if (opt_value(opts, "vhost", vhost, sizeof(vhost)) < 0 || (vhost[0] && strcmp(vhost, "on") &&
								  strcmp(vhost, "off"))) {
		snprintf(err, errlen, "--netdev %s: vhost= takes on or off", netdev);
		return -1;
	}
	if (!strcmp(vhost, "on") && !virtio) {
		snprintf(err, errlen, "--netdev %s: vhost=on is virtio-net's data path, not the e1000's", netdev);
		return -1;
	}
	e |= strv_push(a, "-netdev");
	e |= strv_push(a, "tap,id=" NET_ID ",ifname=%s,script=no,downscript=no%s", ifname,
		       !strcmp(vhost, "on") ? ",vhost=on" : "");
	return e ? -1 : 0;
}

int vmm_qemu_linux_devices(const char *const *devices, unsigned ndevices, const char *netdev, struct strv *a,
			   char *err, size_t errlen)
{
	static const char *const no_keys[] = { NULL };
	static const char *const e1000_keys[] = { "mac", NULL }; /* checked by our e1000's own parser */
	static const char *const blk_keys[] = { "file", "readonly", NULL };
	const char *nic = NULL;
	unsigned nblk = 0;
	int e = 0;

	for (unsigned i = 0; i < ndevices; i++) {
		const char *d = devices[i], *opts = strchr(d, ',');
		size_t mlen = opts ? (size_t)(opts - d) : strlen(d);
		bool is_e1000 = mlen == 5 && !strncmp(d, "e1000", 5);
		bool is_vnet = mlen == 10 && !strncmp(d, "virtio-net", 10);
		bool is_vblk = mlen == 10 && !strncmp(d, "virtio-blk", 10);
		char bad[80], file[512], ro[8] = "", mac[24] = "";

		opts = opts ? opts + 1 : "";
		if (!is_e1000 && !is_vnet && !is_vblk) {
			snprintf(err, errlen, "--device %s: under QEMU a Linux guest has e1000, virtio-net and "
				 "virtio-blk,file=IMG", d);
			return -1;
		}
		if (is_vblk) {
			if (only_keys(opts, blk_keys, bad, sizeof(bad))) {
				snprintf(err, errlen, "--device %s: QEMU's virtio-blk-pci here takes file= and "
					 "readonly=1, not %s (its notifications are always ioeventfds, its "
					 "back-end its own)", d, bad);
				return -1;
			}
			if (opt_value(opts, "file", file, sizeof(file)) != 1 || !file[0]) {
				snprintf(err, errlen, "--device %s: virtio-blk needs file=IMG", d);
				return -1;
			}
			if (opt_value(opts, "readonly", ro, sizeof(ro)) < 0 || (ro[0] && strcmp(ro, "0") &&
										 strcmp(ro, "1"))) {
				snprintf(err, errlen, "--device %s: readonly= takes 0 or 1", d);
				return -1;
			}
			e |= strv_push(a, "-drive");
			/* exitlab's option syntax has no ',' in a value: nothing to escape for QEMU's */
			e |= strv_push(a, "file=%s,if=none,id=exitlab-blk%u,format=raw%s", file, nblk,
				       !strcmp(ro, "1") ? ",readonly=on" : "");
			e |= strv_push(a, "-device") | strv_push(a, "virtio-blk-pci,drive=exitlab-blk%u", nblk);
			nblk++;
			continue;
		}
		if (only_keys(opts, is_e1000 ? e1000_keys : no_keys, bad, sizeof(bad))) {
			snprintf(err, errlen, "--device %s: QEMU's %s here takes %s (%s: %s)", d,
				 is_e1000 ? "e1000" : "virtio-net-pci", is_e1000 ? "mac= only" : "no options", bad,
				 !strcmp(bad, "vhost") ? "under QEMU vhost is the tap's: --netdev tap,ifname=NAME,vhost=on"
				 : !strcmp(bad, "notify") ? "QEMU's virtio notifications are always ioeventfds"
				 : "exitlab's own VMM only");
			return -1;
		}
		if (nic) {
			snprintf(err, errlen, "--device %s: one NIC (%s is one)", d, nic);
			return -1;
		}
		nic = d;
		e |= strv_push(a, "-device");
		if (opt_value(opts, "mac", mac, sizeof(mac)) < 0) {
			snprintf(err, errlen, "--device %s: mac= is xx:xx:xx:xx:xx:xx", d);
			return -1;
		}
		e |= strv_push(a, "%s,netdev=" NET_ID ",romfile=%s%s", is_e1000 ? "e1000" : "virtio-net-pci",
			       mac[0] ? ",mac=" : "", mac);
	}
	if (nic && !netdev) {
		snprintf(err, errlen, "--device %s: a NIC under QEMU needs --netdev tap,ifname=NAME[,vhost=on]", nic);
		return -1;
	}
	if (netdev && !nic) {
		snprintf(err, errlen, "--netdev without a NIC (--device e1000 or virtio-net)");
		return -1;
	}
	if (netdev && netdev_args(netdev, nic && !strncmp(nic, "virtio-net", 10), a, err, errlen))
		return -1;
	if (e)
		snprintf(err, errlen, "out of memory");
	return e ? -1 : 0;
}

/* netdev without its vhost= option: exitlab's own VMM names vhost in the device's backend instead. */
static json_t *netdev_without_vhost(const char *netdev)
{
	char out[256];
	size_t n = 0;

	for (const char *p = netdev; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		size_t len = strcspn(p, ",");

		if (!strncmp(p, "vhost=", 6) && p != netdev)
			continue;
		if (n + len + 2 > sizeof(out))
			break;
		if (n)
			out[n++] = ',';
		memcpy(out + n, p, len);
		n += len;
	}
	out[n] = 0;
	return json_string(out);
}

json_t *vmm_qemu_linux_describe(const char *const *devices, unsigned ndevices, const char *netdev)
{
	json_t *a = json_array();
	char vhost[8] = "", ro[8] = "", file[512] = "";

	if (netdev && strchr(netdev, ','))
		opt_value(strchr(netdev, ',') + 1, "vhost", vhost, sizeof(vhost));
	for (unsigned i = 0; i < ndevices; i++) {
		const char *d = devices[i], *opts = strchr(d, ',');
		size_t mlen = opts ? (size_t)(opts - d) : strlen(d);
		bool blk = mlen == 10 && !strncmp(d, "virtio-blk", 10), virtio = !strncmp(d, "virtio-", 7);
		json_t *o = json_pack("{s:s%, s:s}", "model", d, mlen, "kind", blk ? "blk" : "nic");

		if (virtio)
			json_object_set_new(o, "notify", json_string("ioeventfd")); /* QEMU's are always */
		json_object_set_new(o, "backend", json_string(!blk && !strcmp(vhost, "on") ? "vhost-net" : "vmm"));
		if (blk) {
			opts = opts ? opts + 1 : "";
			opt_value(opts, "file", file, sizeof(file));
			opt_value(opts, "readonly", ro, sizeof(ro));
			json_object_set_new(o, "file", json_string(file));
			json_object_set_new(o, "readonly", json_boolean(!strcmp(ro, "1")));
		} else if (netdev) {
			json_object_set_new(o, "netdev", netdev_without_vhost(netdev));
		}
		if (mlen == 5 && !strncmp(d, "e1000", 5)) {
			char mac[24] = "52:54:00:12:34:56"; /* QEMU's for the first NIC, as our models' */

			if (opts)
				opt_value(opts + 1, "mac", mac, sizeof(mac));
			for (char *c = mac; *c; c++) /* as our e1000 writes it */
				*c = (char)tolower((unsigned char)*c);
			json_object_set_new(o, "mac", json_string(mac));
		}
		json_array_append_new(a, o);
	}
	return a;
}
