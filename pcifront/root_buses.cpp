// SPDX-License-Identifier: GPL-2.0
// Root buses: read from xenstore, created, scanned, BARs claimed, removed.
#include "root_buses.hpp"

#include "entry.h"
#include "kcxx/pci.hpp"
#include "kcxx/xen.hpp"
#include "lib/hotplug_list.hpp"
#include "lib/xsparse.hpp"

namespace pcifront
{

namespace
{
long live_roots;
} // namespace

long RootBuses::live()
{
	return __atomic_load_n(&live_roots, __ATOMIC_RELAXED);
}

void RootBuses::learn_role()
{
	target_ = -1;
	// A path without a leading slash is under our domain's home, /local/domain/<us>/.
	auto v = xen::XsString::read(KCXX_XBT_NIL, "target", "");
	if (!v.ok()) {
		if (v.error() != -KCXX_ENOENT)
			xdev_.log(KCXX_LOG_WARNING,
				  "cannot read this domain's target key (%d): taken for a driver "
				  "domain, not a device-model stubdomain",
				  v.error());
		return;
	}
	auto t = parse_uint(v.get()->c_str(), v.get()->size(), 10, 0x7fef); // DOMID_FIRST_RESERVED
	if (!t.ok()) {
		xdev_.log(KCXX_LOG_WARNING,
			  "this domain's target key is not a domain id: taken for a driver domain, "
			  "not a device-model stubdomain");
		return;
	}
	target_ = static_cast<int>(*t.get());
	xdev_.log(KCXX_LOG_INFO,
		  "device-model stubdomain of domain %d: devices are added for QEMU to pass "
		  "through, without xen-swiotlb and with driver_override '%s' (their DMA is that "
		  "domain's, not this one's)",
		  target_, kNoDriver);
}

bool RootBuses::dma_ready()
{
	if (kcxx::pci::xen_dma_ready())
		return true;
	// A device-model stubdomain hands its devices to QEMU, which passes them through to the
	// HVM guest: their DMA is the guest's, through the IOMMU, never this kernel's. It starts
	// without a device, so on 6.5+ it never has xen-swiotlb.
	if (stubdomain())
		return true;
	// Since 6.5 only the kernel sets xen-swiotlb up, at boot, and only for a PV domain that
	// may get PCI devices (built with the in-tree frontend's option, and booted with a
	// device or with the host's memory map): a module cannot do it later.
	xdev_.log(KCXX_LOG_ERR,
		  "devices refused: this domain's kernel did not set up xen-swiotlb at boot, so "
		  "their DMA would reach the wrong memory. Add e820_host=1 to the domain's "
		  "config (or give it a PCI device at creation) and restart it");
	return false;
}

RootBuses::List RootBuses::read_list()
{
	List l;
	// 256 entries: not for the stack.
	auto box = kcxx::try_make_box<HotplugList>(KCXX_GFP_KERNEL);
	if (!box.ok()) {
		l.error_ = box.error();
		return l;
	}
	l.list_ = kcxx::move(box).value_assumed_ok_or_bug();
	HotplugList *hl = l.list_.get();
	l.error_ = xen::read_consistent(xdev_.otherend(), [hl](xen::XsDir &rd) {
			   return read_hotplug_list(rd, hl);
		   }).error();
	return l;
}

kcxx::Result<void> RootBuses::scan(const HotplugList *list)
{
	const kcxx::Box<Listed> roots = TRY(kcxx::try_make_box<Listed>(KCXX_GFP_KERNEL));
	TRY(read_roots(*roots));
	learn_exported(list, *roots);
	cs_.set_exported(next_);
	for (int i = 0; i < roots->n; ++i)
		TRY(scan_root(roots->at[i]));
	return kcxx::ok();
}

kcxx::Result<void> RootBuses::read_roots(Listed &roots)
{
	const char *be = xdev_.otherend();
	auto num = xen::XsString::read(KCXX_XBT_NIL, be, "root_num");
	if (!num.ok()) {
		if (num.error() != -KCXX_ENOENT) {
			xdev_.log(KCXX_LOG_ERR, "backend's %s/root_num cannot be read (%d)", be,
				  num.error());
			return kcxx::err(num.error());
		}
		// Old backends publish no roots: the single root 0000:00.
		xdev_.log(KCXX_LOG_INFO, "backend lists no root_num: using 0000:00");
		roots.at[0] = Bdf{};
		roots.n = 1;
		return kcxx::ok();
	}
	auto listed = parse_count(num.get()->c_str(), num.get()->size(), kMax);
	if (!listed.ok()) {
		// The value itself is not printed: it is the backend's, and may be anything.
		xdev_.log(KCXX_LOG_ERR,
			  "backend's root_num is not a decimal count of at most %d: refusing the "
			  "connection",
			  kMax);
		return kcxx::err(listed.error());
	}
	const uint32_t n = *listed.get();
	for (uint32_t i = 0; i < n; ++i) {
		const Bdf r = TRY(read_root(be, i, n));
		for (uint32_t j = 0; j < i; ++j)
			if (roots.at[j] == r) {
				xdev_.log(KCXX_LOG_ERR, "backend lists root %04x:%02x twice",
					  r.domain, r.bus);
				return kcxx::err(-KCXX_EINVAL);
			}
		roots.at[i] = r;
	}
	roots.n = static_cast<int>(n);
	return kcxx::ok();
}

kcxx::Result<Bdf> RootBuses::read_root(const char *be, uint32_t i, uint32_t n)
{
	char key[16];
	kcxx::format(key, sizeof(key), "root-%u", i);
	auto v = xen::XsString::read(KCXX_XBT_NIL, be, key);
	if (!v.ok()) {
		xdev_.log(KCXX_LOG_ERR, "backend lists %u roots but %s/%s cannot be read (%d)", n,
			  be, key, v.error());
		return kcxx::err(v.error());
	}
	auto root = parse_root(v.get()->c_str(), v.get()->size());
	if (!root.ok())
		xdev_.log(KCXX_LOG_ERR,
			  "backend's %s is not \"segment:bus\" in hex within range: refusing "
			  "the connection",
			  key);
	return root;
}

void RootBuses::learn_exported(const HotplugList *list, const Listed &roots)
{
	// The functions the backend lists: the scan's probes of every other function of a root
	// are then answered by cs_. A list that is not whole leaves them all to the backend, and
	// so do more roots than the set keeps (a rare setup: probes cost only time).
	if (roots.n > ExportedSet::kRoots) {
		next_.forget();
		xdev_.log(
		    KCXX_LOG_INFO,
		    "%d root buses, more than the %d whose exported functions are kept: every "
		    "function of the root buses is probed at the backend",
		    roots.n, ExportedSet::kRoots);
		return;
	}
	const int e = list ? next_.learn(*list, roots.at, roots.n).error() : -KCXX_ENODATA;
	if (!e)
		return;
	next_.forget();
	xdev_.log(KCXX_LOG_INFO,
		  "the backend's device list (num_devs, state-N, vdev-N) is not whole (%d): "
		  "every function of the root buses is probed at the backend",
		  e);
}

bool RootBuses::owns(struct pci_bus *bus) const
{
	// By the host bridge's parent, which is safe for any bus: a foreign bus's sysdata is not
	// ours to read (PciBus::owner). xen-pcifront-hotplug checks the same way.
	return kcxx::PciBus(bus).host_parent() == xdev_.dev().raw();
}

int RootBuses::claim_one(struct pci_dev *pdev, void *data)
{
	auto *rb = static_cast<RootBuses *>(data);
	kcxx::PciDev d(pdev);
	for (int bar = 0; bar < kcxx::PciDev::resources(); ++bar) {
		if (!d.unclaimed(bar))
			continue;
		if (const int e = d.claim(bar).error())
			rb->xdev_.log(KCXX_LOG_ERR,
				      "%s: BAR %d [%#llx, %llu bytes] cannot be claimed (%d): it "
				      "overlaps guest RAM or another device. The device stays "
				      "offline; add e820_host=1 to the domain's config",
				      d.name(), bar, static_cast<unsigned long long>(d.start(bar)),
				      static_cast<unsigned long long>(d.len(bar)), e);
	}
	return 0;
}

// The root bus @root, ours already or created now. The caller holds a RescanGuard.
kcxx::Result<kcxx::PciBus> RootBuses::root_bus(const Bdf &root)
{
	kcxx::PciBus bus = kcxx::PciBus::find(root.domain, root.bus);
	if (bus && !owns(bus.raw())) {
		xdev_.log(
		    KCXX_LOG_ERR,
		    "PCI bus %04x:%02x already exists and is not ours: is another PCI frontend "
		    "loaded?",
		    root.domain, root.bus);
		return kcxx::err(-KCXX_EEXIST);
	}
	if (bus)
		return bus;
	if (nr_ >= kMax) {
		// Only a backend that lists other roots round after round gets here.
		xdev_.log(KCXX_LOG_ERR,
			  "cannot make root bus %04x:%02x: this connection has %d already",
			  root.domain, root.bus, kMax);
		return kcxx::err(-KCXX_ENOSPC);
	}
	if (nr_ == kFew && !many_) {
		auto many = kcxx::try_make_box<Many>(KCXX_GFP_KERNEL);
		if (!many.ok()) {
			xdev_.log(KCXX_LOG_ERR, "no memory for a table of more than %d root buses",
				  kFew);
			return kcxx::err(many.error());
		}
		many_ = kcxx::move(many).value_assumed_ok_or_bug();
		for (int i = 0; i < kFew; ++i)
			many_->bus[i] = few_[i];
	}
	// The bus's pci_ops find cs_ again through its sysdata (PciBus::owner).
	bus = kcxx::PciBus::create_root(xdev_.dev(), root.domain, root.bus, &xpf_pci_ops, &cs_);
	if (!bus) {
		xdev_.log(KCXX_LOG_ERR, "cannot create PCI bus %04x:%02x", root.domain, root.bus);
		return kcxx::err(-KCXX_ENOMEM);
	}
	if (stubdomain())
		TRY(fence_root(bus));
	table()[nr_++] = bus.raw();
	__atomic_add_fetch(&live_roots, 1, __ATOMIC_RELAXED);
	xdev_.log(KCXX_LOG_INFO, "PCI bus %04x:%02x created", root.domain, root.bus);
	return bus;
}

kcxx::Result<void> RootBuses::scan_root(const Bdf &root)
{
	const kcxx::RescanGuard g;
	kcxx::PciBus bus = TRY(root_bus(root));
	// pci_scan_root_bus() looks at function 0 of each slot only; pciback may export other
	// functions alone, so probe every devfn not yet known.
	for (unsigned int devfn = 0; devfn < 256; ++devfn) {
		struct pci_dev *found = bus.scan_function(devfn);
		if (!found)
			continue;
		xdev_.log(KCXX_LOG_INFO, "found %s", bdf_name({root.domain, root.bus, devfn}).text);
		if (stubdomain())
			fence(bus, devfn, found);
	}
	// BARs are fixed by the backend: claim them as they are before the devices go live.
	bus.walk(claim_one, this);
	bus.add_devices();
	return kcxx::ok();
}

// In a device-model stubdomain a device is QEMU's to pass through: a driver bound to it here
// would program DMA with this domain's addresses into the HVM guest's memory and fight QEMU
// over the device. Each new function gets driver_override "none" once, before it is added, so
// no driver binds by itself; an admin who means it can still write the override. A function
// that cannot be fenced is not added (fail closed): removed again by fence(), or its new root
// with it (fence_one, from root_bus()).
int RootBuses::fence_dev(struct pci_dev *found)
{
	kcxx::PciDev dev(found);
	auto r = dev.set_driver_override(kNoDriver);
	if (r.ok())
		return 0;
	xdev_.log(KCXX_LOG_ERR,
		  "%s not added: cannot keep drivers off it in this stubdomain (driver_override: "
		  "%d)",
		  dev.name(), r.error());
	return r.error();
}

void RootBuses::fence(kcxx::PciBus bus, unsigned int devfn, struct pci_dev *found)
{
	if (!fence_dev(found))
		return;
	const kcxx::PciDevRef hold = kcxx::PciDevRef::get_slot(bus.raw(), devfn);
	kcxx::PciDev(found).stop_and_remove();
}

// The functions a new root's own scan found (none added yet). One that cannot be fenced takes
// the root with it, before any driver saw it.
kcxx::Result<void> RootBuses::fence_root(kcxx::PciBus bus)
{
	Fencing f{this, 0};
	bus.walk(fence_one, &f);
	if (!f.error)
		return kcxx::ok();
	xdev_.log(KCXX_LOG_ERR,
		  "PCI bus %04x:%02x not made: not every function on it could be kept "
		  "from drivers",
		  bus.domain(), bus.number());
	bus.remove_root();
	return kcxx::err(f.error);
}

int RootBuses::fence_one(struct pci_dev *pdev, void *data)
{
	auto *f = static_cast<Fencing *>(data);
	f->error = f->self->fence_dev(pdev);
	return f->error; // the first failure ends the walk
}

void RootBuses::remove_all()
{
	if (!nr_)
		return;
	const kcxx::RescanGuard g;
	while (nr_ > 0) {
		kcxx::PciBus bus(table()[--nr_]);
		table()[nr_] = nullptr;
		bus.remove_root();
		__atomic_sub_fetch(&live_roots, 1, __ATOMIC_RELAXED);
	}
}

} // namespace pcifront
