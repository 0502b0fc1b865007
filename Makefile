# ebb — top-level build.
#
# Each component keeps its rules in a Makefile.inc of its own, included
# below, so that work on one room does not touch another's rules.  Every
# product lands under build/.
#
#   make            build everything (build/ebb, libraries, test binaries)
#   make test       unit tests (plain and ASan/UBSan) and end-to-end tests
#   make test-unit  just the Check unit tests
#   make test-kvm   just the KVM end-to-end tests (nested harness without /dev/kvm)
#   make bench      benchmarks; tables on stdout, JSON under build/bench/
#   make fuzz       libFuzzer targets (clang), each for FUZZ_SECONDS (docs/fuzzing.md)
#   make install    PREFIX=/usr/local DESTDIR=

CC       ?= gcc
AR       ?= ar
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DESTDIR  ?=
BUILD    := build
V        ?= 0

ifeq ($(V),0)
Q := @
else
Q :=
endif

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
OPT      ?= -O2
CFLAGS_BASE := -std=gnu11 $(WARN) $(OPT) -g -Iinclude

# Code that must run inside the guest kernel as well as on the host:
# no libc, no red zone (interrupts share the stack), no SSE state to save,
# position dependent.  The hosted programs that link it are built -no-pie.
CFLAGS_FREESTANDING := $(CFLAGS_BASE) -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pic -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fcf-protection=none

CFLAGS_HOSTED := $(CFLAGS_BASE) -pthread -D_GNU_SOURCE
LDFLAGS_HOSTED := -pthread -no-pie

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

# Objects: $(BUILD)/obj/DIR/x.o is the normal build of DIR/x.c, and
# $(BUILD)/san/DIR/x.o its ASan/UBSan twin for the sanitizer test run.
# Each component sets CFLAGS for its directory with a pattern-specific
# variable in its Makefile.inc.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC-SAN  $@"
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $@"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

CFLAGS := $(CFLAGS_HOSTED)

.PHONY: all test test-unit test-kvm bench clean install
.DEFAULT_GOAL := all

ALL_TARGETS :=
TEST_UNIT_BINS :=
BENCH_BINS :=

include guestmm/Makefile.inc
include hosted/Makefile.inc
-include guest/Makefile.inc
-include vmm/Makefile.inc
-include balloon/policy/Makefile.inc
include tests/Makefile.inc
-include tests/fuzz/Makefile.inc
include bench/Makefile.inc

all: $(ALL_TARGETS)

# Automatic header dependencies for every object.
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

clean:
	rm -rf $(BUILD)

install: all
	install -d $(DESTDIR)$(BINDIR)
	$(foreach b,$(INSTALL_BINS),install -m 0755 $(b) $(DESTDIR)$(BINDIR)/;)
