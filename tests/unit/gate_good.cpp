// Built with the kernel's C++ flags by gate_test.cmake: nothing the gate forbids.
extern "C" int gate_good(int x) { return x * 2; }
