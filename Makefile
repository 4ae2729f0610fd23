# exitlab build. Everything goes to build/; `make test` and `make demo`
# install missing packages first through scripts/deps.sh.

CC      ?= cc
BUILD   := build
REV     := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
HOST_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -Iinclude -Ivmm -Idevices -Icli -Imicrobench \
               -D_GNU_SOURCE -DEXITLAB_REVISION=\"$(REV)\" -MMD -MP
LDLIBS  := -ljansson -lpthread -lm

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Host code: everything under cli/ vmm/ devices/ microbench/ except main.c goes
# into a library that the binary and the unit tests link.
LIB_SRC  := $(filter-out cli/main.c,$(wildcard cli/*.c vmm/*.c devices/*.c microbench/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SAN_OBJ  := $(LIB_SRC:%.c=$(BUILD)/san/%.o)

# Guest payloads: a freestanding runtime (guest-payloads/lib) and one folder
# per payload, each linked into build/payloads/<name>.elf at 1 MiB.
GUEST_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
                -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-stack-protector \
                -fcf-protection=none -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
                -Iinclude -Iguest-payloads/lib -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,guest-payloads/lib/payload.ld \
                 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
GLIB_SRC := $(wildcard guest-payloads/lib/*.c guest-payloads/lib/*.S)
GLIB_OBJ := $(patsubst %,$(BUILD)/guest/%.o,$(GLIB_SRC))
PAYLOADS := $(patsubst guest-payloads/%/,%,$(filter-out guest-payloads/lib/,$(sort $(dir $(wildcard guest-payloads/*/*.c)))))
PAYLOAD_ELFS := $(PAYLOADS:%=$(BUILD)/payloads/%.elf)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/%)

.PHONY: all deps test unit integration demo clean payloads
all: $(BUILD)/exitlab $(BUILD)/exitlab-san $(PAYLOAD_ELFS)
payloads: $(PAYLOAD_ELFS)

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/exitlab: $(BUILD)/obj/cli/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
# The sanitized binary is what the integration tests drive.
$(BUILD)/exitlab-san: $(BUILD)/san/cli/main.o $(SAN_OBJ)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/guest/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
$(BUILD)/guest/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
$(BUILD)/guest/libguest.a: $(GLIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

.SECONDEXPANSION:
$(BUILD)/payloads/%.elf: $$(addprefix $(BUILD)/guest/,$$(addsuffix .o,$$(wildcard guest-payloads/$$*/*.c))) $(BUILD)/guest/libguest.a guest-payloads/lib/payload.ld
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/guest/libguest.a -lgcc

$(BUILD)/tests/test_%: tests/unit/test_%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Itests -o $@ $^ $(LDLIBS) -lcmocka
$(BUILD)/tests/test_%: tests/integration/test_%.c tests/integration/harness.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) -Itests -o $@ $^ $(LDLIBS) -lcmocka

# `make test`: dependencies, build, then every unit and integration test.
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(INTEG_BIN)
	@scripts/run-tests.sh $(UNIT_BIN) $(INTEG_BIN)

# `make demo`: a quick exit-cost run on this host: table, JSON and PNG.
demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
