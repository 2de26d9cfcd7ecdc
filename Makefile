# tcpconform - build, test, run, install.
# `make run` runs the default suites against the local Linux kernel; `make test` runs every test.
# Both first install missing Debian packages (tools/deps.sh), so they are the whole set-up.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
VERSION := 0.1.0

CC ?= cc
# snprintf into fixed buffers truncates on purpose (messages, labels), so gcc's guess that it
# might is not an error here; every other warning is.
WARN := -Wall -Wextra -Werror -Wno-format-truncation
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -I. $(WARN) -D_GNU_SOURCE -DTC_VERSION=\"$(VERSION)\" -MMD -MP
LIBS := -lnet -lpcap -lyaml -ljansson -lpthread
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Every .c in these folders belongs to the shared library, except the program entry points;
# and the agent protocol's codec, which the runner reads replies with.
LIB_SRC := $(wildcard common/*.c injector/*.c reports/*.c runner/model/*.c runner/targets/*.c \
             runner/cmd/*.c) \
           $(filter-out runner/main.c, $(wildcard runner/*.c)) runner/agent/proto.c
AGENT_SRC := $(wildcard runner/agent/*.c) common/names.c
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/asan/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
ASAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/asan/unit/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# tcpconform-lwip: Debian's lwIP on a TAP device, the tap target's worked example
# (tests/stacks/lwip/). Built when liblwip-dev is installed (tools/deps.sh installs it).
LWIP_CFLAGS := $(shell pkg-config --cflags lwip 2>/dev/null)
LWIP_HARNESS := $(if $(LWIP_CFLAGS),$(BUILD)/tcpconform-lwip)
# tcpconform-gvisor: gVisor's netstack from Debian's golang-gvisor-gvisor-dev on a TAP device
# (tests/stacks/gvisor/), built offline in GOPATH mode against the packaged sources, with cgo
# for the runner's request parser. Built when `go` and those sources exist (tools/deps.sh
# installs golang-go and golang-gvisor-gvisor-dev); the Go build cache stays under $(BUILD).
GOPATH_GVISOR := /usr/share/gocode
GO := $(shell command -v go 2>/dev/null)
GVISOR_SRC := $(wildcard $(GOPATH_GVISOR)/src/gvisor.dev/gvisor/pkg/tcpip/stack/stack.go)
GVISOR_HARNESS := $(if $(and $(GO),$(GVISOR_SRC)),$(BUILD)/tcpconform-gvisor)
GVISOR_VERSION := $(shell dpkg-query -W -f='$${Version}' golang-gvisor-gvisor-dev 2>/dev/null)
# tcpconform-netbsd: NetBSD's TCP/IP stack as a rump kernel on a TAP device (tests/stacks/netbsd/,
# on the harness kit tests/stacks/kit/). Built when the prebuilt rump kernel is there: RUMP,
# by default ../shared/rump beside the checkout (a worktree one level deeper finds
# ../../shared/rump); `make RUMP=/path/to/rump` otherwise (its README.md says what it holds).
RUMP ?= $(firstword $(foreach d,../shared/rump ../../shared/rump,$(if $(wildcard $(CURDIR)/$(d)/include/rump/rump.h),$(abspath $(CURDIR)/$(d)))))
NETBSD_HARNESS := $(if $(wildcard $(RUMP)/include/rump/rump.h),$(BUILD)/tcpconform-netbsd)
# The libraries' symbolic links may have been flattened into small text files on the way
# (lib/librump.so holds the text "librump.so.0"), so the build links against its own links
# to the real ELF files, $(BUILD)/rump-lib/, which the harness also finds at run time
# ($$ORIGIN/rump-lib: the build folder can move).
RUMP_COMPONENTS := rumpnet_virtif rumpnet_config rumpnet_netinet6 rumpnet_netinet rumpnet_net \
	rumpnet rump rumpuser
RUMP_LIBS := -L$(BUILD)/rump-lib -Wl,-rpath,'$$ORIGIN/rump-lib' -Wl,--no-as-needed \
	$(RUMP_COMPONENTS:%=-l%) -Wl,--as-needed -lpthread -ldl -lrt
KIT_OBJ := $(BUILD)/obj/tests/stacks/kit/kit.o $(BUILD)/obj/runner/agent/proto.o $(BUILD)/obj/common/names.o
# tcpconform-example: the harness kit's minimal example (tests/stacks/example/, docs/targets.md
# "Plug in your stack"): the Linux kernel's own sockets in the case's namespace, behind the TAP
# device; its STATE and SYSCTL are the agent's Linux code (runner/agent/state_linux.c).
EXAMPLE_HARNESS := $(BUILD)/tcpconform-example
.PHONY: all deps test check unit unit-asan run install clean bench soak
all: $(BUILD)/tcpconform $(BUILD)/tcpconform-agent $(LWIP_HARNESS) $(GVISOR_HARNESS) $(NETBSD_HARNESS) \
	$(EXAMPLE_HARNESS)

deps:
	@sh tools/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/libtc.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/libtc-asan.a: $(ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tcpconform: $(BUILD)/obj/runner/main.o $(BUILD)/libtc.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/tcpconform-agent: $(AGENT_SRC:%.c=$(BUILD)/obj/%.o)
	$(CC) $(CFLAGS) -o $@ $^ -lpthread

$(BUILD)/obj/tests/stacks/lwip/%.o: CFLAGS += $(LWIP_CFLAGS)
$(BUILD)/tcpconform-lwip: $(BUILD)/obj/tests/stacks/lwip/harness.o $(KIT_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ -llwip -lpthread

$(BUILD)/tcpconform-gvisor: $(wildcard tests/stacks/gvisor/*.go tests/stacks/gvisor/*.c) runner/agent/proto.c runner/agent/proto.h
	@mkdir -p $(BUILD)/gocache
	cd tests/stacks/gvisor && GOPATH=$(GOPATH_GVISOR) GO111MODULE=off GOFLAGS= \
		GOCACHE=$(abspath $(BUILD))/gocache CGO_ENABLED=1 CC="$(CC)" \
		$(GO) build -p 2 -ldflags "-X main.netstackVersion=$(GVISOR_VERSION)" \
		-o $(abspath $(BUILD))/tcpconform-gvisor .

# The rump headers are NetBSD's and declare things gcc would warn about: -isystem.
$(BUILD)/obj/tests/stacks/netbsd/%.o: CFLAGS += -isystem $(RUMP)/include
$(BUILD)/rump-lib/.stamp: $(wildcard $(RUMP)/lib/*)
	@mkdir -p $(dir $@)
	@for l in $(RUMP_COMPONENTS); do \
		f=$$(ls $(RUMP)/lib/lib$$l.so.*.* | head -1); \
		test -n "$$f" || { echo "no lib$$l in $(RUMP)/lib" >&2; exit 1; }; \
		ln -sf "$$f" $(dir $@)lib$$l.so; \
		ln -sf "$$f" $(dir $@)$$(basename "$$f" | sed 's/\(\.so\.[0-9]*\)\..*/\1/'); \
	done
	@touch $@
$(BUILD)/tcpconform-netbsd: $(BUILD)/obj/tests/stacks/netbsd/harness.o $(KIT_OBJ) $(BUILD)/rump-lib/.stamp
	$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(RUMP_LIBS)

$(BUILD)/tcpconform-example: $(BUILD)/obj/tests/stacks/example/harness.o $(KIT_OBJ) \
		$(BUILD)/obj/runner/agent/state_linux.o
	$(CC) $(CFLAGS) -o $@ $^ -lpthread

# The kit's unit test runs the kit itself (tests/unit/test_kit.c): the kit's object is linked
# before the library, whose protocol codec it uses.
$(BUILD)/unit/test_kit: $(BUILD)/obj/tests/unit/test_kit.o $(BUILD)/obj/tests/stacks/kit/kit.o $(BUILD)/libtc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS) -lcmocka
$(BUILD)/asan/unit/test_kit: $(BUILD)/asan/tests/unit/test_kit.o $(BUILD)/asan/tests/stacks/kit/kit.o $(BUILD)/libtc-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/unit/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libtc.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS) -lcmocka
$(BUILD)/asan/unit/%: $(BUILD)/asan/tests/unit/%.o $(BUILD)/libtc-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS) -lcmocka

# Fuzz targets are built as plain programs with a replay driver (tests/fuzz/driver.c), so the
# ASan build can run them over the corpus and over generated inputs in `make test`.
$(BUILD)/fuzz/%: $(BUILD)/asan/tests/fuzz/%.o $(BUILD)/asan/tests/fuzz/driver.o $(BUILD)/libtc-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)
unit-asan: $(ASAN_UNIT_BIN)
	@ASAN_OPTIONS=detect_leaks=1 sh tests/run-unit.sh $(ASAN_UNIT_BIN)

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(ASAN_UNIT_BIN) $(FUZZ_BIN)
	@bash tests/run-all.sh $(BUILD)

# The quick parts of `make test`, which run no suite against a stack (tests/run-all.sh
# sections 1 unit, 2 fuzz, 6 invalid case files, 8 model lint and mutations, 11 requirement
# coverage, 13 the generated matrix, 14 the layout): a quick check while editing. Packages are not installed.
check:
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(ASAN_UNIT_BIN) $(FUZZ_BIN)
	@TC_SECTIONS="1 2 6 8 11 13 14" bash tests/run-all.sh $(BUILD)

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/tcpconform run --baseline suites/baselines/linux.yaml --html $(BUILD)/report.html --json $(BUILD)/report.json --pcap-dir $(BUILD)/pcap suites/

# Flakes: suites/ SOAK_RUNS times (default 20) against Linux; prints every verdict that
# differed between runs (tools/soak.sh). Needs root, like make run.
soak: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash tools/soak.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tcpconform
	install -m 755 $(BUILD)/tcpconform $(BUILD)/tcpconform-agent $(DESTDIR)$(PREFIX)/bin/
	cp -R suites $(DESTDIR)$(PREFIX)/share/tcpconform/

$(BUILD)/bench: $(BUILD)/obj/tests/bench/bench.o $(BUILD)/libtc.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench
	@sh tools/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD)

# Objects of test programs are kept, so a second `make test` rebuilds only what changed.
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
