#pragma once
// Opening a SQLite state file the same way everywhere, with errors an admin can act on.

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>

namespace collab::store {

// A state file that cannot be used; what() says which file and what to do about it.
class StateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Opens (creating if needed) and checks that the file really is a SQLite database, then applies the
// migrations it has not seen yet: migrations[i] brings the schema from version i to version i + 1.
SQLite::Database open_state_file(const std::filesystem::path& file, std::string_view what,
                                 std::span<const std::string_view> migrations);

}  // namespace collab::store
