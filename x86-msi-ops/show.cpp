// SPDX-License-Identifier: GPL-2.0
// xen-pcifront-msi's debugfs view, /sys/kernel/debug/xen-pcifront-cxx/msi/devices: the hook,
// the counters, and each device on MSI with its pirqs and the irqs the kernel bound to them.
#include "kcxx/pci.hpp"
#include "kcxx/xen.hpp"
#include "state.hpp"

namespace xpf_msi
{

namespace
{

using pcifront::MsiDevice;
using pcifront::MsiMode;

// One device's line: its mode, vector count and each pirq with the irq the kernel bound to it.
struct ShownRow {
	Bdf bdf;
	MsiMode mode;
	int nvec;
	uint16_t pirqs[8];
};

void show_row(kcxx::Seq &seq, const ShownRow &r)
{
	seq.print("%s %s nvec %d%s", pcifront::bdf_name(r.bdf).text,
		  pcifront::msi_mode_name(r.mode), r.nvec,
		  r.nvec == 0 ? " (maybe on at pciback)" : "");
	int irqs[8];
	const int ni = kcxx::pci::msi_irqs(r.bdf.domain, r.bdf.bus, r.bdf.devfn, irqs, 8);
	for (int k = 0; k < 8 && k < r.nvec; k++) {
		const int irq = k < ni ? irqs[k] : -1;
		seq.print(" pirq %u->irq %d%s", r.pirqs[k], irq,
			  irq >= 0 && xen::pirq_from_irq(irq) != static_cast<int>(r.pirqs[k])
			      ? "(!)"
			      : "");
	}
	seq.print("%s\n", r.nvec > 8 ? " ..." : "");
}

// Up to kBatch rows of the table from slot @from, copied under the lock: how many.
constexpr int kBatch = 16;
int copy_rows(int from, ShownRow *rows)
{
	int nrows = 0;
	kcxx::MutexGuard g(state->lock);
	for (int i = from; i < from + kBatch; i++) {
		const MsiDevice *d = state->table.at(i);
		if (!d || !d->used)
			continue;
		ShownRow &r = rows[nrows++];
		r.bdf = d->bdf;
		r.mode = d->state.mode();
		r.nvec = d->state.nvec();
		for (int k = 0; k < 8 && k < r.nvec; k++)
			r.pirqs[k] = d->pirqs[k];
	}
	return nrows;
}

} // namespace

void show_devices(kcxx::Seq &seq)
{
	// Copied under the lock, printed outside it: the irq lookup takes the MSI descriptor
	// lock, which the MSI core holds while it calls our hook (and the hook takes ours). The
	// table is copied a batch of slots at a time, to keep the stack small: a device that
	// comes or goes meanwhile may be missing from, or extra to, the count above the rows.
	Counters n;
	bool hook, attached;
	int ndev = 0;
	// A copy: the transport (and its name) may go once the lock is dropped.
	char name[64];
	{
		kcxx::MutexGuard g(state->lock);
		n = state->n;
		hook = state->hook;
		attached = state->transport != nullptr;
		kcxx::format(name, sizeof(name), "%s",
			     attached ? state->transport->msi_name() : "none");
		for (int i = 0; i < pcifront::MsiTable::kMaxDevices; i++) {
			const MsiDevice *d = state->table.at(i);
			ndev += d && d->used;
		}
	}
	seq.print("hook %s, frontend %s\n", hook ? "installed" : "not installed", name);
	seq.print("enables %llu failures %llu disables %llu corrected %llu recovered %llu "
		  "refused-vectors %llu\n",
		  static_cast<unsigned long long>(n.enables),
		  static_cast<unsigned long long>(n.enable_failures),
		  static_cast<unsigned long long>(n.disables),
		  static_cast<unsigned long long>(n.corrected),
		  static_cast<unsigned long long>(n.recovered),
		  static_cast<unsigned long long>(n.refused_vectors));
	seq.print("devices %d\n", ndev);
	for (int from = 0; from < pcifront::MsiTable::kMaxDevices; from += kBatch) {
		ShownRow rows[kBatch];
		const int nrows = copy_rows(from, rows);
		for (int i = 0; i < nrows; i++)
			show_row(seq, rows[i]);
	}
}

} // namespace xpf_msi
