// SPDX-License-Identifier: GPL-2.0
// The connection to pciback: publish, take over after a reload, hand over for one.
#include "connection.hpp"

namespace pcifront
{

namespace
{
constexpr int kPublishAttempts = 16;
} // namespace

kcxx::Result<void> Connection::publish()
{
	page_ = TRY(xen::SharedPage::create(xdev_.raw()));
	// We handle AER requests: tell pciback before it maps the page.
	__atomic_store_n(&shared()->flags, kAerHandler, __ATOMIC_RELEASE);
	{
		auto ch = TRY(xen::EventChannel::create(xdev_.raw()));
		// Late EOI: the backend can notify without end; each event is acknowledged only
		// after our handler looked at it.
		TRY(irq_.bind(ch, xen::Eoi::Late, kIrqName, on_event_, data_));
	}
	for (int attempt = 0;; ++attempt) {
		auto c = write_keys();
		if (c.ok())
			return c;
		// -EAGAIN: another xenstore writer raced the transaction; redo all of it.
		if (c.error() != -KCXX_EAGAIN || attempt + 1 >= kPublishAttempts)
			return c;
	}
}

kcxx::Result<void> Connection::write_keys()
{
	char ref[16], port[16];
	kcxx::format(ref, sizeof(ref), "%u", page_.gref());
	kcxx::format(port, sizeof(port), "%u", irq_.port());
	auto t = TRY(xen::Transaction::start());
	TRY(xdev_.write(t, "pci-op-ref", ref));
	TRY(xdev_.write(t, "event-channel", port));
	TRY(xdev_.write(t, "magic", XEN_PCI_MAGIC));
	return t.commit();
}

kcxx::Result<void> Connection::adopt()
{
	struct xpf_conn c;
	TRY(kcxx::to_result(xpf_conn_unpark(xdev_.raw(), &c)));
	// pciback may have dropped the connection while it was kept (xen-pciback reloaded in
	// the backend domain: the new one sees us Connected and never maps the page). Its end
	// of the channel is then closed: refuse the take-over rather than time out every op.
	// A status Xen would not give (an XSM policy that denies it) proves nothing: the take-over
	// goes ahead as it did before this check.
	const auto peer = xen::IrqBinding::peer_of(c.port);
	if (!peer.ok() && peer.error() != -KCXX_ENOTCONN)
		xdev_.log(KCXX_LOG_WARNING,
			  "cannot ask Xen where the kept event channel %u leads (%d): taking it "
			  "over unchecked",
			  c.port, peer.error());
	else if (const int at = peer.ok() ? *peer.get() : peer.error(); at != xdev_.otherend_id()) {
		xdev_.log(KCXX_LOG_ERR,
			  "the kept event channel %u no longer leads to the backend's domain %d "
			  "(%d): pciback dropped the connection while it was kept",
			  c.port, xdev_.otherend_id(), at);
		give_back(c); // closed with the keeper's connection, or with ours
		return kcxx::err(-KCXX_ENOTCONN);
	}
	page_ = xen::SharedPage::adopt(c.page, c.gref);
	if (auto r = irq_.adopt(c.irq, c.port, kIrqName, on_event_, data_); !r.ok()) {
		// Give it back rather than lose a channel pciback still uses.
		page_.release(&c.page, &c.gref);
		give_back(c);
		return r;
	}
	return kcxx::ok();
}

void Connection::give_back(const struct xpf_conn &c)
{
	if (xpf_conn_park(xdev_.raw(), &c) >= 0)
		return;
	// The keeper will not hold it: ours, so that teardown closes the channel and ends the
	// grant instead of leaving them to nobody.
	take_back(c);
}

void Connection::take_back(const struct xpf_conn &c)
{
	page_ = xen::SharedPage::adopt(c.page, c.gref);
	if (!irq_.adopt(c.irq, c.port, kIrqName, on_event_, data_).ok())
		xdev_.log(KCXX_LOG_ERR, "irq %d left bound without a handler", c.irq);
}

void Connection::stop_events()
{
	irq_.park(&parked_.irq, &parked_.port);
}

bool Connection::hand_over()
{
	page_.release(&parked_.page, &parked_.gref);
	if (const int e = xpf_conn_park(xdev_.raw(), &parked_); e < 0) {
		xdev_.log(KCXX_LOG_WARNING,
			  "cannot keep the connection for a reload (%d): closing it", e);
		take_back(parked_); // teardown releases them
		return false;
	}
	parked_ = {};
	return true;
}

void Connection::track(const char *owner)
{
	const int h = xpf_evtchn_track(XPF_BINDING_OP_CHANNEL, irq_.port(), irq_.irq(), -1, owner);
	track_handle_ = h >= 0 ? h : -1;
}

void Connection::untrack()
{
	if (track_handle_ >= 0)
		xpf_evtchn_untrack(track_handle_);
	track_handle_ = -1;
}

void Connection::set_op_in_flight()
{
	// A full barrier: the op just written is visible before the backend can see the flag.
	__atomic_fetch_or(&shared()->flags, kActive, __ATOMIC_SEQ_CST);
}

void Connection::aer_answered()
{
	__atomic_fetch_and(&shared()->flags, ~kAerActive, __ATOMIC_SEQ_CST);
}

} // namespace pcifront
