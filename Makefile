# SPDX-License-Identifier: GPL-2.0
# xen-pcifront-cxx. `make demo` and `make check` are the two commands the README opens with.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
KSERIES ?= 6.1
SUITE ?=
# The day of the suites' chroots for the whole run (scripts/suite.sh), fixed at its start.
export XPF_SUITE_DAY ?= $(shell date -u +%Y%m%d)
KVER ?= $(if $(SUITE),$(shell XPF_SUITE_DAY=$(XPF_SUITE_DAY) $(TOP)/scripts/suite.sh kver $(SUITE)),$(shell $(TOP)/scripts/kver.sh $(KSERIES) 2>/dev/null))
# KDIR: a kernel tree or headers to build against instead of KVER's packaged headers.
KDIR ?=

.PHONY: all modules deb bench deps check check-unit check-fuzz check-kbuild check-smoke check-xen compare matrix fuzz demo clean help

all: modules

help:
	@echo "make demo     build the modules, boot the emulated Xen host, show a NIC in a driver domain"
	@echo "make check    every test: host unit tests, kbuild gates on five kernels, QEMU scenarios"
	@echo "make modules  build the .ko files for KVER (default: newest installed $(KSERIES));"
	@echo "              KSERIES=6.12 for Debian 12's 6.12; SUITE=trixie or SUITE=sid for Debian 13's"
	@echo "              or sid's newest kernel, built in a chroot of that suite (made once a day)"
	@echo "make bench    ours against the in-tree frontend on the emulated host: ratios, JSON in build/bench/"
	@echo "make deb      Debian packages in build/deb/: DKMS sources, and modules for each kernel in KVERS"
	@echo "make fuzz     run each libFuzzer target for FUZZ_SECONDS (default 600)"
	@echo "make compare  the in-tree xen-pcifront's runs of the scenarios, for the side-by-side tables"
	@echo "make matrix   make check's scenarios plus the cells CI leaves out: every scenario on Debian 13's"
	@echo "              and sid's kernels, the no-IOMMU baseline and msi, DKMS on Debian 13 and sid"
	@echo "make deps     install the Debian packages (root)"

deps:
	@$(TOP)/scripts/deps.sh build unit fuzz emu pkg

# Builds into build/kbuild/<kver>/ and runs the warning, sparse and symbol gates.
modules:
	@$(TOP)/scripts/deps.sh build
	@$(TOP)/scripts/kbuild.sh "$(or $(KVER),$(shell $(TOP)/scripts/kver.sh $(KSERIES)))" \
		$(if $(KDIR),"$(KDIR)")

check:
	@$(TOP)/scripts/check.sh

# One stage of `make check` each.
check-unit:
	@$(TOP)/scripts/check.sh unit
check-fuzz:
	@$(TOP)/scripts/check.sh fuzz
check-kbuild:
	@$(TOP)/scripts/check.sh kbuild
check-smoke:
	@$(TOP)/scripts/check.sh smoke
check-xen:
	@$(TOP)/scripts/check.sh xen

# The in-tree frontend's side of the tables in the README.
# Our modules for every kernel a cell boots (images.sh needs them for either frontend): Debian
# 12's 6.1 and 6.12, the debug kernel (built from Debian's 6.1 source unless cached), and the
# newer suites' kernels in their chroots.
define kbuild_every_kernel
	@for k in "$$($(TOP)/scripts/kver.sh 6.1)" "$$($(TOP)/scripts/kver.sh 6.12)" \
		"$$($(TOP)/scripts/debug-kernel.sh build)"; do \
		$(TOP)/scripts/kbuild.sh "$$k" || exit 1; done
	@for s in $$($(TOP)/scripts/suite.sh suites); do \
		$(TOP)/scripts/kbuild.sh "$$($(TOP)/scripts/suite.sh kver $$s)" || exit 1; done
endef

compare:
	@$(TOP)/scripts/deps.sh build emu debugkernel
	$(kbuild_every_kernel)
	@$(TOP)/tests/xenhost/cells.sh compare

# The full matrix (hours): every kernel built, DKMS on each suite, then the scenarios.
matrix:
	@$(TOP)/scripts/deps.sh build unit fuzz emu pkg debugkernel
	$(kbuild_every_kernel)
	@fail=0; for s in $$($(TOP)/scripts/suite.sh suites); do \
		$(TOP)/tests/pkg/dkms-suite.sh $$s || fail=1; done; \
		$(TOP)/tests/xenhost/cells.sh matrix || fail=1; exit $$fail

# Debian packages (build/deb/): the DKMS one, and prebuilt modules for each kernel in KVERS.
KVERS ?= $(KVER)
deb:
	@$(TOP)/scripts/deps.sh build
	@for k in $(KVERS); do $(TOP)/scripts/kbuild.sh $$k || exit 1; done
	@$(TOP)/scripts/deb.sh $(KVERS)

# Ours against the in-tree frontend on the emulated host, in one boot (BENCH_ROUNDS rounds).
BENCH_ROUNDS ?= 10
bench:
	@$(TOP)/scripts/deps.sh build emu
	@$(TOP)/scripts/kbuild.sh "$$($(TOP)/scripts/kver.sh 6.1)"
	@$(TOP)/tests/bench/run.sh $(BENCH_ROUNDS)

# The long fuzzing run; `make check` gives each target 30 s.
FUZZ_SECONDS ?= 600
fuzz:
	@$(TOP)/scripts/deps.sh fuzz
	@$(TOP)/tests/fuzz/run.sh $(FUZZ_SECONDS)

demo:
	@$(TOP)/scripts/deps.sh build emu
	@$(TOP)/scripts/kbuild.sh "$$($(TOP)/scripts/kver.sh 6.1)"
	@$(TOP)/tests/xenhost/demo.sh

clean:
	rm -rf $(BUILD)
	find $(TOP) -path $(TOP)/build -prune -o \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name 'modules.order' -o -name 'Module.symvers' \) \
		-print0 | xargs -0 rm -f
