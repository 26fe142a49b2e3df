// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-hotplug: the Reconfiguring / Reconfigured handshake. This first version keeps the
// counter the frontend shows; the handshake itself comes with the hotplug issue.
#include "entry.h"
#include "kcxx/log.h"
#include "xpf/hotplug.h"

namespace {
constexpr const char *kMod = "xen-pcifront-hotplug";
uint64_t reconfigurations;
} // namespace

extern "C" uint64_t xpf_hotplug_reconfigurations(void) { return reconfigurations; }

extern "C" int xpf_hotplug_init(void)
{
	kcxx_log(kMod, KCXX_LOG_INFO, "ready");
	return 0;
}

extern "C" void xpf_hotplug_exit(void) {}
