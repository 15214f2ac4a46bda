# tattle: build, test, fuzz, bench.  See README.md.
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
CC ?= cc
FUZZ_CC ?= clang
CFLAGS ?= -O2 -g
FUZZ_SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 5
# tattle-opensnitch runs on Debian's python3 (python3-grpcio, -protobuf).
PYTHON ?= /usr/bin/python3
PYLIBDIR ?= $(PREFIX)/lib/tattle/opensnitch
VERSION := $(shell sed -n 's/^\#define TATTLE_VERSION "\(.*\)"/\1/p' daemon/version.h)

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wimplicit-fallthrough
BASEFLAGS = -std=gnu11 -D_GNU_SOURCE -MMD -MP $(WARN) -fstack-protector-strong \
	-Idaemon -Iproto -Irules -Iclient -Idaemon
PKGS = libmnl libnetfilter_queue json-c libcrypto
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifeq ($(WERROR),1)
BASEFLAGS += -Werror
endif
ALL_CFLAGS = $(BASEFLAGS) $(PKG_CFLAGS) $(CFLAGS) -D_FORTIFY_SOURCE=2
LDLIBS += $(PKG_LIBS) -lpthread
# libbpf for what reads the eBPF maps: tattled, its unit tests, benches.
BPF_LIBS = -lbpf -lelf -lz

# The BPF object (daemon/bpf/*.bpf.c): CO-RE, so vmlinux.h is dumped from
# the build host's kernel BTF (no root needed) and the object runs on any
# kernel with BTF.  The programs are linked into one object whose skeleton
# daemon/bpfsrc.c includes.
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
BPF_CFLAGS = -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
	-Ibuild/bpf -Idaemon/bpf
BPF_SRC = $(wildcard daemon/bpf/*.bpf.c)
BPF_OBJ = $(patsubst daemon/bpf/%.bpf.c,build/bpf/%.bpf.o,$(BPF_SRC))
BASEFLAGS += -Ibuild/bpf
# A build host without kernel BTF (a chroot, an old kernel) builds tattled
# without the eBPF source: it then says so at start and uses audit.
ifeq ($(wildcard $(VMLINUX_BTF)),)
BPF_SKEL =
BASEFLAGS += -DTATTLE_NO_BPF
else
BPF_SKEL = build/bpf/tattle.skel.h
endif

SAN = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
SAN_CFLAGS = $(BASEFLAGS) $(PKG_CFLAGS) $(SAN)
FUZZ_CFLAGS = $(BASEFLAGS) $(PKG_CFLAGS) -g -O1 \
	-fsanitize=fuzzer,address,undefined -DFUZZING -Itests/fuzz

# Modules shared by both binaries and the tests.  main.c is tattled's argv.
DAEMON_SRC = $(filter-out daemon/main.c,$(wildcard daemon/*.c))
PROTO_SRC = $(wildcard proto/*.c)
RULES_SRC = $(wildcard rules/*.c)
CLIENT_SRC = $(filter-out client/main.c,$(wildcard client/*.c))
LIB_SRC = $(DAEMON_SRC) $(PROTO_SRC) $(RULES_SRC)

OBJ = $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
SANOBJ = $(patsubst %.c,build/san/%.o,$(LIB_SRC))

TOOLS = $(patsubst tests/tools/%.c,build/tools/%,$(wildcard tests/tools/*.c))
BENCH = $(patsubst tests/bench/%.c,build/bench/%,$(wildcard tests/bench/*.c))
UNIT = $(patsubst tests/unit/%.c,build/san/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

# Which module sources each unit test and fuzz target links.  A test links
# only what it exercises, so one broken module cannot hide another's tests.
test_packet_DEPS = daemon/packet.c
test_event_DEPS = proto/event.c proto/jsonw.c proto/types.c daemon/packet.c
test_event_ident_DEPS = proto/event.c proto/jsonw.c proto/types.c daemon/packet.c
test_pending_DEPS = daemon/pending.c
test_nfqueue_DEPS = daemon/nfqueue.c
test_capread_DEPS = rules/capread.c
test_firewall_DEPS = daemon/firewall.c
test_config_DEPS = daemon/config.c proto/types.c rules/capread.c
test_procfs_DEPS = daemon/procfs.c daemon/cgroup.c
test_cgroup_DEPS = daemon/cgroup.c daemon/procfs.c
test_nssock_DEPS = daemon/nssock.c daemon/procnet.c daemon/procfs.c daemon/cgroup.c
test_pidcache_DEPS = daemon/pidcache.c daemon/procfs.c daemon/cgroup.c
test_worker_DEPS = daemon/worker.c daemon/procfs.c daemon/procnet.c \
	daemon/cgroup.c daemon/hash.c daemon/nssock.c rules/filewrite.c
test_hash_DEPS = daemon/hash.c $(test_worker_DEPS)
test_factcache_DEPS = daemon/factcache.c
test_sockdiag_DEPS = daemon/sockdiag.c
test_procnet_DEPS = daemon/procnet.c daemon/sockdiag.c
test_aurec_DEPS = daemon/aurec.c daemon/aurec_asm.c
test_aurec_diff_DEPS = daemon/aurec.c daemon/aurec_asm.c
test_aurec_diff_LIBS = -lauparse
test_audit_DEPS = daemon/audit.c daemon/audit_rule.c daemon/audit_mc.c
test_attrib_DEPS = daemon/attrib.c daemon/pidcache.c daemon/procfs.c \
	daemon/sockdiag.c daemon/packet.c daemon/aurec.c daemon/aurec_asm.c proto/types.c daemon/cgroup.c
test_attrib_forward_DEPS = $(test_attrib_DEPS)
test_dns_DEPS = daemon/dns.c daemon/packet.c
test_rules_DEPS = $(RULES_SRC) daemon/packet.c daemon/procfs.c daemon/cgroup.c
test_rules_lists_DEPS = $(test_rules_DEPS)
test_rules_ident_DEPS = $(test_rules_DEPS)
test_server_DEPS = proto/server.c proto/ctl.c proto/jsonw.c proto/types.c \
	daemon/loop.c rules/duration.c
test_ctl_DEPS = proto/ctl.c proto/jsonw.c proto/types.c rules/duration.c
test_rfc5424_DEPS = proto/rfc5424.c
test_slog_DEPS = daemon/slog.c
test_logsink_DEPS = daemon/logsink.c daemon/slog.c daemon/loop.c \
	daemon/config.c proto/types.c proto/rfc5424.c rules/capread.c
test_prompt_DEPS = daemon/prompt.c
test_fold_DEPS = daemon/fold.c proto/types.c
test_ratelimit_DEPS = daemon/ratelimit.c
test_notify_DEPS = daemon/notify.c
test_loop_DEPS = daemon/loop.c
test_auditref_DEPS = daemon/auditref.c daemon/procfs.c daemon/cgroup.c
test_privs_DEPS = daemon/privs.c
test_bpfsrc_DEPS = daemon/bpfsrc.c daemon/cgroup.c daemon/procfs.c
test_bpfjoin_DEPS = daemon/bpfjoin.c daemon/bpfsrc.c daemon/pidcache.c \
	daemon/procfs.c daemon/cgroup.c
test_control_DEPS = $(DAEMON_SRC) $(PROTO_SRC) $(RULES_SRC)
test_emit_DEPS = $(DAEMON_SRC) $(PROTO_SRC) $(RULES_SRC)
fuzz_packet_DEPS = daemon/packet.c
fuzz_aurec_DEPS = daemon/aurec.c daemon/aurec_asm.c
fuzz_dns_DEPS = daemon/dns.c daemon/packet.c
fuzz_rules_DEPS = $(RULES_SRC) daemon/packet.c daemon/procfs.c daemon/cgroup.c
fuzz_cgroup_DEPS = daemon/cgroup.c daemon/procfs.c
bench_aurec_DEPS = daemon/aurec.c daemon/aurec_asm.c
bench_aurec_LIBS = -lauparse
bench_rules_DEPS = $(RULES_SRC) daemon/packet.c daemon/procfs.c daemon/cgroup.c
fuzz_ctl_DEPS = proto/ctl.c proto/jsonw.c proto/types.c rules/duration.c
fuzz_rfc5424_DEPS = proto/rfc5424.c
fuzz_procnet_DEPS = daemon/procnet.c
fuzz_event_DEPS = proto/event.c proto/jsonw.c proto/types.c proto/rfc5424.c daemon/packet.c

.PHONY: all check unit pycheck integration run install deb fuzz fuzz-check bench deps clean tools unused
all: build/tattled build/tattle build/tattle-opensnitch

deps:
	@sh scripts/deps.sh

build/bpf/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

build/bpf/%.bpf.o: daemon/bpf/%.bpf.c daemon/bpf/common.bpf.h daemon/bpf/flowrec.h build/bpf/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

build/bpf/tattle.bpf.o: $(BPF_OBJ)
	$(BPFTOOL) gen object $@ $^

build/bpf/tattle.skel.h: build/bpf/tattle.bpf.o
	$(BPFTOOL) gen skeleton $< name tattle_bpf > $@.tmp && mv $@.tmp $@

# Everything that includes the skeleton (the wildcard dependency files know
# it only after a first build).
build/obj/daemon/bpfsrc.o build/san/daemon/bpfsrc.o: $(BPF_SKEL)

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c -o $@ $<

# The shared modules go into one static library per flavour; the linker
# then pulls into each binary only the objects it calls, so `tattle`
# carries no verdict loop, queue or firewall code.
build/libtattle.a: $(OBJ)
	rm -f $@
	$(AR) rcs $@ $^

build/san/libtattle.a: $(SANOBJ)
	rm -f $@
	$(AR) rcs $@ $^

build/tattled: build/obj/daemon/main.o build/libtattle.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(BPF_LIBS)

build/tattle: build/obj/client/main.o $(patsubst %.c,build/obj/%.o,$(CLIENT_SRC)) build/libtattle.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

build/san/tattled: build/san/daemon/main.o build/san/libtattle.a
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(BPF_LIBS)

build/san/tattle: build/san/client/main.o $(patsubst %.c,build/san/%.o,$(CLIENT_SRC)) build/san/libtattle.a
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A tool that needs a library names it in <tool>_LIBS.
uring_LIBS = -luring
build/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lpthread $($*_LIBS)

san_objs = $(patsubst %.c,build/san/%.o,$(1))
opt_objs = $(patsubst %.c,build/obj/%.o,$(1))
srcs_of = $(filter %.c %.o,$(1))

.SECONDEXPANSION:
build/san/tests/%: tests/unit/%.c $$(call san_objs,$$($$*_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -Itests/unit -o $@ $(call srcs_of,$^) $(LDLIBS) $(BPF_LIBS) $($*_LIBS) -lcmocka

# Benchmarks link optimized objects: <stem>_DEPS and <stem>_LIBS (for
# tests/bench/bench_aurec.c: bench_aurec_DEPS); undefined means none.
build/bench/%: tests/bench/%.c $$(call opt_objs,$$($$*_DEPS))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(call srcs_of,$^) $(LDLIBS) $(BPF_LIBS) $($*_LIBS)

build/fuzz/%: tests/fuzz/%.c $$($$*_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(call srcs_of,$^) $(PKG_LIBS) -lpthread

tools: $(TOOLS)

# Extern functions nothing in the product calls (issue 17): none allowed.
unused: deps $(BPF_SKEL)
	@sh scripts/unused-externs.sh

# tattle-opensnitch: a launcher, its modules, and the message code generated
# from the committed ui.proto (opensnitch/proto/README.md) at build time.
OS_PY = $(patsubst opensnitch/%,build/opensnitch/%,$(wildcard opensnitch/tattle_os/*.py))
OS_GEN = build/opensnitch/ui_pb2.py build/opensnitch/ui_pb2_grpc.py
OS_LAUNCHER = sed -e 's|@PYTHON@|$(PYTHON)|' -e 's|@VERSION@|$(VERSION)|'

$(OS_GEN) &: opensnitch/proto/ui.proto
	@mkdir -p build/opensnitch
	$(PYTHON) -m grpc_tools.protoc -Iopensnitch/proto \
		--python_out=build/opensnitch --grpc_python_out=build/opensnitch ui.proto

build/opensnitch/tattle_os/%.py: opensnitch/tattle_os/%.py
	@mkdir -p $(dir $@)
	cp $< $@

build/tattle-opensnitch: opensnitch/tattle-opensnitch.in $(OS_GEN) $(OS_PY)
	$(OS_LAUNCHER) -e 's|@LIBDIR@|$(CURDIR)/build/opensnitch|' $< > $@
	chmod 0755 $@

unit: deps
	@$(MAKE) --no-print-directory $(UNIT) build/tattle-opensnitch
	@sh tests/run-unit.sh $(UNIT)
	@PYTHON=$(PYTHON) sh tests/run-py.sh

pycheck: build/tattle-opensnitch
	@PYTHON=$(PYTHON) sh tests/run-py.sh

integration: deps
	@$(MAKE) --no-print-directory build/san/tattled build/san/tattle build/tattled build/tattle \
		build/tattle-opensnitch $(TOOLS)
	@PYTHON=$(PYTHON) TATTLED=build/san/tattled TATTLE=build/san/tattle sh tests/integration/run.sh

fuzz-check: deps
	@$(MAKE) --no-print-directory $(FUZZ)
	@sh tests/fuzz/run.sh $(CHECK_FUZZ_SECONDS) $(FUZZ)

check: deps
	@$(MAKE) --no-print-directory all $(UNIT) $(FUZZ) build/san/tattled build/san/tattle $(TOOLS)
	@PYTHON=$(PYTHON) sh tests/check.sh "$(UNIT)" "$(FUZZ)" $(CHECK_FUZZ_SECONDS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ)

run: deps
	@$(MAKE) --no-print-directory all
	./build/tattled --default-action allow --log-events - $(RUN_ARGS)

bench: deps
	@$(MAKE) --no-print-directory all $(TOOLS) $(BENCH)
	@sh scripts/bench.sh

# Debian keeps packaged units in /lib/systemd/system; any other PREFIX
# gets $(PREFIX)/lib/systemd/system, which systemd also searches for
# /usr/local.  /etc files that already exist are the admin's: kept.
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/tattle/rules
	install -m 0755 build/tattled $(DESTDIR)$(SBINDIR)/tattled
	install -m 0755 build/tattle $(DESTDIR)$(BINDIR)/tattle
	install -d $(DESTDIR)$(PYLIBDIR)/tattle_os
	install -m 0644 $(OS_GEN) $(DESTDIR)$(PYLIBDIR)/
	install -m 0644 $(OS_PY) $(DESTDIR)$(PYLIBDIR)/tattle_os/
	$(OS_LAUNCHER) -e 's|@LIBDIR@|$(PYLIBDIR)|' opensnitch/tattle-opensnitch.in \
		> $(DESTDIR)$(BINDIR)/tattle-opensnitch
	chmod 0755 $(DESTDIR)$(BINDIR)/tattle-opensnitch
	$(SUBST) packaging/tattled.service.in > $(DESTDIR)$(UNITDIR)/tattled.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tattled.service
	install -m 0644 packaging/man/tattle.1 $(DESTDIR)$(MANDIR)/man1/tattle.1
	install -m 0644 packaging/man/tattled.8 $(DESTDIR)$(MANDIR)/man8/tattled.8
	@f=$(DESTDIR)$(SYSCONFDIR)/tattle/tattled.json; \
	if [ -e "$$f" ]; then echo "install: keeping $$f"; else \
		$(SUBST) packaging/tattled.json.in > "$$f" && chmod 0644 "$$f"; fi
	@for r in packaging/rules/*.json; do \
		f=$(DESTDIR)$(SYSCONFDIR)/tattle/rules/$${r##*/}; \
		if [ -e "$$f" ]; then echo "install: keeping $$f"; else \
			install -m 0644 "$$r" "$$f"; fi; \
	done

# build/tattle_VERSION_ARCH.deb from a `make install` into a staging tree.
deb: all
	@sh scripts/deb.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
