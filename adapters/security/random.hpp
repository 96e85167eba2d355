#pragma once

#include <cstddef>
#include <string>

namespace collab::security {

// Hex of `bytes` bytes from the operating system's CSPRNG (ids and invitation tokens).
std::string random_hex(std::size_t bytes);

}  // namespace collab::security
