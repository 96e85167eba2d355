// Slack's markup undone on a slash command's text, as every command goes through it before the
// grammar; and our escaping of what we send, which undoing must give back exactly, once control and
// bidi characters were made visible (the escaping does that first).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/chat/slack/markup.hpp"
#include "core/command.hpp"
#include "core/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace collab::slack;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string unescaped = unescape_command_text(text);
    // Undoing markup only ever shortens the text (entities and "<…>" shrink to what they stand for).
    if (unescaped.size() > text.size()) std::abort();
    (void)collab::parse_command(unescaped);
    if (unescape_command_text(escape_mrkdwn(text)) != collab::text::printable(text, true)) std::abort();
    return 0;
}
