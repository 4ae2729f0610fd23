// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/payload_kit.h"
#include "util/atomic_file.h"
#include "util/self_exe.h"

/* Where `make install` puts the make fragment, under the prefix. */
#define KIT_MK "share/exitlab/payload.mk"
/* The Makefile's fallback when no kit is known: `make install`'s default PREFIX. */
#define DEFAULT_PREFIX "/usr/local"

/* @NAME@ and @PREFIX@ are replaced. */
static const char makefile_tpl[] =
	"# @NAME@: an exitlab payload, built with exitlab's payload kit.\n"
	"#   make                            builds @NAME@.elf (objects in obj/)\n"
	"#   exitlab list ./@NAME@.elf       its tests, as exitlab reads them from the ELF\n"
	"#   exitlab run ./@NAME@.elf --quick   measures them (needs /dev/kvm)\n"
	"NAME := @NAME@\n"
	"\n"
	"# The kit (PREFIX/share/exitlab/payload.mk, from exitlab's `make install`): the\n"
	"# install this was made with (make EXITLAB_PREFIX=DIR picks another), else where\n"
	"# pkg-config finds exitlab-guest.pc (PKG_CONFIG_PATH=PREFIX/lib/pkgconfig).\n"
	"EXITLAB_PREFIX ?= @PREFIX@\n"
	"EXITLAB_MK := $(firstword $(wildcard $(EXITLAB_PREFIX)/" KIT_MK ") \\\n"
	"                          $(shell pkg-config --variable=payload_mk exitlab-guest 2>/dev/null))\n"
	"ifeq ($(EXITLAB_MK),)\n"
	"$(error exitlab's payload kit not found: no $(EXITLAB_PREFIX)/" KIT_MK " and no pkg-config \\\n"
	"  exitlab-guest; install exitlab (make install PREFIX=DIR in its tree), then make EXITLAB_PREFIX=DIR)\n"
	"endif\n"
	"include $(EXITLAB_MK)\n";

static const char main_tpl[] =
	"/*\n"
	" * @NAME@: an exitlab payload.  The harness (measure.h) runs each test of the\n"
	" * table at each ring it lists: warm-up, calibration, fenced TSC samples of one\n"
	" * operation each, its loop overhead subtracted by the host, which counts the\n"
	" * VM exits in between and checks them against EXITS().  The catalogue\n"
	" * (PAYLOAD_INFO, the table) is read from the ELF by `exitlab list` and `run`.\n"
	" * Headers: PREFIX/include/exitlab-guest (measure.h first, x86.h for the\n"
	" * instructions, params.h for --param keys, ring.h for CPL3).\n"
	" */\n"
	"#include \"guest_bench.h\"\n"
	"#include \"measure.h\"\n"
	"#include \"runtime.h\"\n"
	"#include \"x86.h\"\n"
	"\n"
	"PAYLOAD_INFO(\"@NAME@\", \"cpuid round trip, timed from the guest (say here what yours measures)\");\n"
	"\n"
	"/*\n"
	" * One operation per sample: MEASURE_LOOP(name, decl, op, post) defines name_loop;\n"
	" * decl runs once before the loop (untimed), op between the fenced TSC reads (no\n"
	" * top-level comma: wrap it in braces), post once after it.  The context is c.\n"
	" */\n"
	"MEASURE_LOOP(cpuid, (void)0, cpuid(0, 0), (void)0)\n"
	"\n"
	"/*\n"
	" * Add your operations here, e.g. a port write the VMM handles:\n"
	" *   MEASURE_LOOP(pio_out, uint16_t port = c->bi->test_pio_port, outl(port, 0), (void)0)\n"
	" */\n"
	"\n"
	"MEASURE_TABLE(tests) = {\n"
	"\t/* R03: at CPL0 and CPL3.  EXITS(1, 0): one KVM exit per operation, none to the VMM. */\n"
	"\tMEASURE_TEST(\"cpuid\", cpuid_loop, R03, EXITS(1, 0), MEASURES(\"cpuid leaf 0, answered by KVM\")),\n"
	"\t/*\n"
	"\t * Add your tests here:\n"
	"\t *   MEASURE_TEST(\"pio_vmm\", pio_out_loop, R03, EXITS(1, 1), MEASURES(\"port write handled by the VMM\"),\n"
	"\t *                .valid = need_pio),\n"
	"\t * .valid(c) says why the host cannot run it (-> skipped), .setup(c) runs before it at\n"
	"\t * CPL0, .check(c) after it says why its results are unsound (-> failed).\n"
	"\t */\n"
	"};\n"
	"\n"
	"int payload_main(const struct boot_info *bi)\n"
	"{\n"
	"\tbench_hello(\"@NAME@\");\n"
	"\treturn measure_run_table(bi, tests, MEASURE_ARRAY_SIZE(tests)) ? 1 : 0;\n"
	"}\n";

static const char readme_tpl[] =
	"# @NAME@\n"
	"\n"
	"An exitlab payload: a bare-metal x86-64 program that exitlab's VMM boots in a\n"
	"VM of its own. It times each operation from inside the guest while the VMM\n"
	"counts the VM exits it causes.\n"
	"\n"
	"## Build and run\n"
	"\n"
	"```\n"
	"make                              # @NAME@.elf, with exitlab's payload kit\n"
	"exitlab list ./@NAME@.elf         # its tests as exitlab reads them (no KVM needed)\n"
	"exitlab run ./@NAME@.elf --quick  # measure them (needs /dev/kvm); --json FILE keeps the results\n"
	"```\n"
	"\n"
	"`make` includes the kit's `payload.mk` from the exitlab install this was\n"
	"made with (`EXITLAB_PREFIX` in the Makefile: @PREFIX@), else from\n"
	"`pkg-config --variable=payload_mk exitlab-guest`. `make clean` removes what\n"
	"it built.\n"
	"\n"
	"## Adding a test\n"
	"\n"
	"In `main.c`: one `MEASURE_LOOP` per operation, one `MEASURE_TEST` row per\n"
	"test with its rings (`R0`, `R3`, `R03`) and `EXITS(k, u)`, the KVM exits and\n"
	"the exits to the VMM one operation should cost (exitlab marks a result whose\n"
	"counts disagree INVALID). `exitlab run ./@NAME@.elf --test NAME` runs one.\n"
	"The headers are in `include/exitlab-guest/` under the prefix (`measure.h`\n"
	"first); the reference is \"Writing a payload outside the tree\" in\n"
	"guest-payloads/README.md of exitlab's sources.\n";

bool payload_kit_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > PAYLOAD_KIT_NAME_MAX)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* tpl with @NAME@ and @PREFIX@ replaced (malloc'd), or NULL. */
static char *subst(const char *tpl, const char *name, const char *prefix)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (const char *p = tpl; *p; ) {
		if (!strncmp(p, "@NAME@", 6)) {
			fputs(name, f);
			p += 6;
		} else if (!strncmp(p, "@PREFIX@", 8)) {
			fputs(prefix, f);
			p += 8;
		} else {
			fputc(*p++, f);
		}
	}
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

/* 1 if path exists and is not an empty directory (why in err), 0 if usable, -1 on an error. */
static int dir_taken(const char *path, char *err, size_t errlen)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int taken = 0;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a directory", path);
		return 1;
	}
	if (!(d = opendir(path))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			taken = 1;
			break;
		}
	closedir(d);
	if (taken)
		snprintf(err, errlen, "%s exists and is not empty (new-payload writes only into a new or "
			 "empty directory)", path);
	return taken;
}

/* The prefix as an absolute path the Makefile can carry; -1 (err) if it cannot be one. */
static int absolute_prefix(const char *in, char *out, size_t len, char *err, size_t errlen)
{
	char cwd[PATH_MAX], real[PATH_MAX];
	int n;

	if (!*in) {
		snprintf(err, errlen, "--prefix is empty");
		return -1;
	}
	if (in[0] == '/')
		n = snprintf(out, len, "%s", in);
	else if (realpath(in, real))
		n = snprintf(out, len, "%s", real);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, len, "%s/%s", cwd, in);
	else
		n = snprintf(out, len, "%s", in);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "prefix '%s' is too long", in);
		return -1;
	}
	if (out[strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+-@~,=")]) {
		snprintf(err, errlen, "prefix '%s': a Makefile cannot carry it (spaces, '$', '#', quotes...)", out);
		return -1;
	}
	return 0;
}

static bool kit_at(const char *prefix)
{
	char mk[PATH_MAX];

	if ((size_t)snprintf(mk, sizeof(mk), "%s/" KIT_MK, prefix) >= sizeof(mk))
		return false;
	return access(mk, R_OK) == 0;
}

/* Which prefix the Makefile records; note says so when no kit is there yet. */
static int pick_prefix(const char *given, char *prefix, size_t len, char *err, size_t errlen,
		       char *note, size_t notelen)
{
	char self[PATH_MAX / 2];

	if (given) {
		if (absolute_prefix(given, prefix, len, err, errlen))
			return -1;
		if (!kit_at(prefix))
			snprintf(note, notelen, "no payload kit at %s yet (no %s/" KIT_MK "): install it there "
				 "with `make install PREFIX=%s` in exitlab's tree before `make`", prefix, prefix, prefix);
		return 0;
	}
	if (self_exe_prefix(self, sizeof(self)) == 0 && kit_at(self) &&
	    (size_t)snprintf(prefix, len, "%s", self) < len)
		return 0;
	/* An exitlab that is not installed (build/exitlab): never point the Makefile into the tree. */
	snprintf(prefix, len, "%s", DEFAULT_PREFIX);
	snprintf(note, notelen, "this exitlab is not installed with its payload kit: the Makefile looks in "
		 DEFAULT_PREFIX ", else asks pkg-config (make install [PREFIX=DIR] in exitlab's tree; "
		 "then make EXITLAB_PREFIX=DIR, or pass --prefix DIR here)");
	return 0;
}

enum outcome payload_kit_new(const struct payload_kit_opts *o, char *dir_out, size_t dirlen,
			     char *err, size_t errlen, char *note, size_t notelen)
{
	static const struct {
		const char *file, *tpl;
	} files[] = {
		{ "Makefile", makefile_tpl },
		{ "main.c", main_tpl },
		{ "README.md", readme_tpl },
	};
	char prefix[PATH_MAX / 2], path[PATH_MAX], why[256];
	int taken;

	note[0] = 0;
	if (!payload_kit_name_ok(o->name)) {
		snprintf(err, errlen, "'%s' is not a payload name: 1 to %d of [a-z0-9_-]", o->name,
			 PAYLOAD_KIT_NAME_MAX);
		return OUTCOME_BAD_INPUT;
	}
	snprintf(dir_out, dirlen, "%s", o->dir ? o->dir : o->name);
	if (!dir_out[0]) {
		snprintf(err, errlen, "--dir is empty");
		return OUTCOME_BAD_INPUT;
	}
	taken = dir_taken(dir_out, err, errlen);
	if (taken)
		return taken > 0 ? OUTCOME_BAD_INPUT : OUTCOME_FAILED;
	if (pick_prefix(o->prefix, prefix, sizeof(prefix), err, errlen, note, notelen))
		return OUTCOME_BAD_INPUT;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = subst(files[i].tpl, o->name, prefix);
		int rc;

		if (!text) {
			snprintf(err, errlen, "out of memory");
			return OUTCOME_FAILED;
		}
		snprintf(path, sizeof(path), "%s/%s", dir_out, files[i].file);
		rc = atomic_write_text(path, text, why, sizeof(why));
		free(text);
		if (rc) {
			snprintf(err, errlen, "%s: %s", path, why);
			return OUTCOME_FAILED;
		}
	}
	return OUTCOME_OK;
}
