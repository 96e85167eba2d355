// The /collab grammar on any bytes: a command or a usage error, never a crash. What it accepts must
// hold up: every address and database name it returns passes the checks the grammar itself states.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/command.hpp"
#include "core/text.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto command = collab::parse_command(text);
    if (command) {
        require(!collab::command_name(*command).empty());
        if (auto database = collab::database_of(*command)) require(!collab::database_name_problem(*database));
        if (const auto* add = std::get_if<collab::AddCommand>(&*command)) {
            require(!add->emails.empty());
            for (std::size_t i = 0; i < add->emails.size(); ++i) {
                require(!collab::email_problem(add->emails[i]));
                // No address twice, whatever its case.
                for (std::size_t j = 0; j < i; ++j)
                    require(collab::text::ascii_lower(add->emails[i]) != collab::text::ascii_lower(add->emails[j]));
            }
        }
        if (const auto* remove = std::get_if<collab::RemoveCommand>(&*command))
            require(!collab::email_problem(remove->email));
    } else {
        require(!command.error().message.empty());
    }
    (void)collab::email_problem(text);
    (void)collab::database_name_problem(text);
    return 0;
}
