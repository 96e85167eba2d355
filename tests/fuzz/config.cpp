// The TOML configuration and sandbox seed, from any bytes: a Config or Seed, or a ConfigError that
// names what is wrong; never a crash, and no other exception (the admin must be told which key).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/config/toml_checks.hpp"
#include "adapters/sandbox/seed.hpp"
#include "bot/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)collab::bot::parse_config(text, "fuzz.toml", "/nonexistent");
    } catch (const collab::config::ConfigError&) {
    }
    try {
        (void)collab::sandbox::parse_seed(text, "fuzz-seed.toml");
    } catch (const collab::config::ConfigError&) {
    }
    return 0;
}
