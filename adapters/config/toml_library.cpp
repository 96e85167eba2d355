// toml++ compiled into the bot, once, here: everywhere else its headers only declare it
// (TOML_HEADER_ONLY=0, see adapters/CMakeLists.txt).
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
