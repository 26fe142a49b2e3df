// Built with host g++ by gate_test.cmake: a static constructor and RTTI, both forbidden in a module.
#include <typeinfo>
struct Counter {
	Counter();
	virtual ~Counter();
	int n;
};
Counter::Counter() : n(1) {}
Counter::~Counter() {}
Counter global_counter; // .init_array
const void *type_of_counter() { return &typeid(Counter); } // typeinfo
