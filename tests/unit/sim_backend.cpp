// SPDX-License-Identifier: GPL-2.0
#include "sim_backend.hpp"

#include <climits>
#include <cstring>

SimBackend::Device &SimBackend::add_device(const pcifront::Bdf &bdf, uint16_t vendor,
					   uint16_t device, int cfg_size)
{
	Device d{bdf, cfg_size, std::vector<uint8_t>(cfg_size, 0)};
	std::memcpy(&d.cfg[0], &vendor, 2);
	std::memcpy(&d.cfg[2], &device, 2);
	devs_.push_back(d);
	return devs_.back();
}

SimBackend::Device *SimBackend::find(const xen_pci_op &op)
{
	for (auto &d : devs_)
		if (d.bdf.domain == op.domain && d.bdf.bus == op.bus && d.bdf.devfn == op.devfn)
			return &d;
	return nullptr;
}

// The device a conf op addresses, or null with op.err set as pciback would.
SimBackend::Device *SimBackend::conf_target(xen_pci_op &op)
{
	Device *d = find(op);
	if (!d)
		op.err = XEN_PCI_ERR_dev_not_found;
	else if (op.offset < 0 || op.offset + op.size > d->cfg_size)
		op.err = XEN_PCI_ERR_invalid_offset;
	else
		return d;
	return nullptr;
}

void SimBackend::conf_read(xen_pci_op &op)
{
	Device *d = conf_target(op);
	if (!d)
		return;
	uint32_t v = 0;
	std::memcpy(&v, &d->cfg[op.offset], op.size);
	op.value = v;
	op.err = XEN_PCI_ERR_success;
}

void SimBackend::conf_write(xen_pci_op &op)
{
	Device *d = conf_target(op);
	if (!d)
		return;
	std::memcpy(&d->cfg[op.offset], &op.value, op.size);
	op.err = XEN_PCI_ERR_success;
}

void SimBackend::enable_msix(xen_pci_op &op)
{
	Device *d = find(op);
	if (!d) {
		op.err = XEN_PCI_ERR_dev_not_found;
		return;
	}
	if (d->msix_on) {
		op.err = -114; // pciback passes on pci_enable_msix_exact()'s -EALREADY
		return;
	}
	if (d->msi_on) {
		op.err = -6; // -ENXIO
		return;
	}
	if (d->msi_errno) {
		op.err = d->msi_errno;
		op.value = static_cast<uint32_t>(d->msi_errno);
		return;
	}
	for (uint32_t i = 0; i < op.value && i < SH_INFO_MAX_VEC; i++)
		op.msix_entries[i].vector = static_cast<uint16_t>(first_pirq + i);
	if (fresh_pirqs)
		first_pirq = static_cast<uint16_t>(first_pirq + op.value);
	d->msix_on = true;
	op.err = 0;
	op.value = 0; // pci_enable_msix_exact()'s result, as pciback answers it
}

// pciback answers every refusal of enable_msi with XEN_PCI_ERR_op_failed and value 0.
void SimBackend::enable_msi(xen_pci_op &op)
{
	Device *d = find(op);
	if (!d) {
		op.err = XEN_PCI_ERR_dev_not_found;
		return;
	}
	if (d->msi_on || d->msix_on || d->msi_errno) {
		op.value = 0;
		op.err = XEN_PCI_ERR_op_failed;
		return;
	}
	d->msi_on = true;
	op.value = first_pirq;
	if (fresh_pirqs)
		++first_pirq;
	op.err = 0;
}

SimBackend::Device *SimBackend::device(const pcifront::Bdf &bdf)
{
	for (auto &d : devs_)
		if (d.bdf == bdf)
			return &d;
	return nullptr;
}

void SimBackend::handle(xen_pci_sharedinfo *sh)
{
	xen_pci_op &op = sh->op;
	const uint32_t nvec = op.value; // the request's vector count (MSI-X)
	++ops;
	switch (op.cmd) {
	case XEN_PCI_OP_conf_read:
		conf_read(op);
		break;
	case XEN_PCI_OP_conf_write:
		conf_write(op);
		break;
	case XEN_PCI_OP_enable_msix:
		enable_msix(op);
		break;
	case XEN_PCI_OP_disable_msix:
		if (Device *d = find(op))
			d->msix_on = false;
		op.err = 0;
		break;
	case XEN_PCI_OP_enable_msi:
		enable_msi(op);
		break;
	case XEN_PCI_OP_disable_msi:
		if (Device *d = find(op))
			d->msi_on = false;
		op.err = 0;
		break;
	default:
		op.err = XEN_PCI_ERR_not_implemented;
	}
	switch (fault_) {
	case Fault::None:
		break;
	case Fault::WrongDevice:
		op.devfn ^= 0x8;
		break;
	case Fault::WrongCmd:
		op.cmd ^= 1;
		break;
	case Fault::WrongOffset:
		op.offset += 4;
		break;
	case Fault::GarbageErr:
		op.err = 12345;
		break;
	case Fault::HugeErr:
		op.err = INT32_MIN;
		break;
	case Fault::WideValue:
		op.value |= 0xdead0000u;
		break;
	case Fault::ZeroVector:
		op.msix_entries[nvec > 1 ? 1 : 0].vector = 0;
		break;
	case Fault::DupVector:
		if (nvec > 1)
			op.msix_entries[1].vector = op.msix_entries[0].vector;
		break;
	case Fault::ChangedEntry:
		op.msix_entries[0].entry ^= 1;
		break;
	case Fault::HugeVector:
		op.msix_entries[0].vector = 0xffff;
		break;
	case Fault::CountInReply:
		if (op.cmd == XEN_PCI_OP_enable_msix)
			op.value = nvec * 16;
		break;
	}
	sh->flags &= ~static_cast<uint32_t>(XEN_PCIF_active);
}
