#include "adapters/store/libpq.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace collab::store {
namespace {

// libpq's ABI, as its soname says: PostgreSQL has kept it at 5 since 8.0.
constexpr const char* library = "libpq.so.5";

std::string why_not() {
    const char* error = ::dlerror();
    return error != nullptr ? error : "unknown reason";
}

Libpq open_libpq() {
    // Kept open for the life of the process: the store's connections may live until the end.
    void* handle = ::dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr)
        throw std::runtime_error("the PostgreSQL store needs libpq (" + std::string(library) +
                                 ", Debian's libpq5 package), which cannot be opened: " + why_not());
    Libpq functions;
#define COLLAB_LIBPQ_BIND(name)                                                          \
    functions.name = reinterpret_cast<decltype(functions.name)>(::dlsym(handle, #name)); \
    if (functions.name == nullptr) throw std::runtime_error(std::string(library) + " has no " #name ": " + why_not());
    COLLAB_LIBPQ_FUNCTIONS(COLLAB_LIBPQ_BIND)
#undef COLLAB_LIBPQ_BIND
    return functions;
}

}  // namespace

const Libpq& pq() {
    static const Libpq functions = open_libpq();
    return functions;
}

}  // namespace collab::store
