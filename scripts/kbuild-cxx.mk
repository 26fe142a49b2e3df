# SPDX-License-Identifier: GPL-2.0
# C++ objects through kbuild: a %.o: %.cpp rule shaped like kbuild's own rule_cc_o_c, so that
# fixdep tracks dependencies, objtool checks the object and a changed command line rebuilds it.
# Flags are kbuild's own C flags with the C-only ones removed; nothing security- or ABI-relevant
# is typed here.

CXX := $(subst gcc,g++,$(CC))
# The kernel's own compiler decides the C++ one (gcc-14 -> g++-14): say which package is missing.
ifeq ($(shell command -v $(lastword $(CXX)) 2>/dev/null),)
$(error $(lastword $(CXX)) not found: this kernel was built with $(lastword $(CC)); install the matching C++ compiler (apt-get install $(patsubst %-linux-gnu-g++-,,$(notdir $(lastword $(subst x86_64-linux-gnu-,,$(CXX)))))))
endif

cxx-c-only-flags := -std=gnu% -Wstrict-prototypes -Werror=strict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wold-style-declaration \
	-Wdeclaration-after-statement -Werror=declaration-after-statement \
	-Wpointer-sign -Wno-pointer-sign -Werror=implicit-int \
	-Werror=implicit-function-declaration -Werror=incompatible-pointer-types \
	-Werror=designated-init -Wnested-externs -Wmissing-parameter-type \
	-Woverride-init -Wno-override-init -Wbad-function-cast -Wc++-compat \
	-Werror=strict-prototypes -Wno-unterminated-string-initialization

# pahole cannot encode C++ DWARF into module BTF (the .ko would be deleted): line tables only.
cxx-flags-extra := -std=gnu++17 -nostdinc++ -ffreestanding -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -fno-use-cxa-atexit -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-gnu-unique -g1 -D__KCXX_KERNEL__

# The kernel's sanitizers instrument each C object through Makefile.lib's per-object flags,
# which this rule does not use: the same instrumentation for C++ objects, so that a kernel with
# UBSAN or KASAN (sid's has UBSAN; the debug kernel of scripts/debug-kernel.sh) checks our code.
cxx-sanitize-flags := $(if $(CONFIG_UBSAN),$(CFLAGS_UBSAN)) $(if $(CONFIG_KASAN),$(CFLAGS_KASAN))

# The kernel's config, as every C object has it (LINUXINCLUDE's kconfig.h, which C++ objects do
# not get): the storage sizes in kcxx/lock.h and kcxx/work.h follow it.
cxx-config := -include $(objtree)/include/generated/autoconf.h

cxx_flags = -Wp,-MMD,$(depfile) $(NOSTDINC_FLAGS) $(cxx-config) \
	$(filter-out $(cxx-c-only-flags),$(KBUILD_CPPFLAGS) $(KBUILD_CFLAGS) \
		$(KBUILD_CFLAGS_MODULE) $(CFLAGS_MODULE)) \
	$(cxx-flags-extra) $(cxx-sanitize-flags) $(KCXX_INCLUDES) $(basename_flags) $(modname_flags)

quiet_cmd_cxx_o_cpp = CXX $(quiet_modtag) $@
      cmd_cxx_o_cpp = $(CXX) $(cxx_flags) -c -o $@ $< $(cmd_objtool)

define rule_cxx_o_cpp
	$(call cmd_and_fixdep,cxx_o_cpp)
	$(call cmd,gen_objtooldep)
	$(call cmd,record_mcount)
endef

$(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cxx_o_cpp)
