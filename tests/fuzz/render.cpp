// The plain-text table and replies, with whatever UTF-8 (or not) reaches a cell: usernames and
// e-mails come from Scalingo, database names and words from people typing.
//
// Input: rows separated by newlines, cells by tabs; the first row is the header, the other rows are
// cut or padded to its width (a table's rows are rectangular by construction). The same text goes
// through the text helpers the renderer and the grammar rely on.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/render.hpp"
#include "core/text.hpp"

namespace {

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    while (true) {
        const auto at = text.find(separator);
        parts.emplace_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace collab;
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    Table table;
    Reply reply;
    for (const auto& row : split(input, '\n')) {
        auto cells = split(row, '\t');
        if (table.header.empty()) {
            table.header = std::move(cells);
        } else {
            cells.resize(table.header.size());
            table.rows.push_back(std::move(cells));
            table.dimmed.push_back(table.rows.size() % 2 == 0);
        }
        reply.lines.push_back(Line{static_cast<LineStyle>(reply.lines.size() % 3), row});
    }
    reply.table = table;
    std::int64_t ticks = 0;
    std::memcpy(&ticks, data, std::min(size, sizeof ticks));
    // Times the bot makes (now plus a bounded lifetime), not the edges of the nanosecond clock, where
    // the calendar arithmetic of the standard library itself overflows.
    ticks %= std::int64_t{1} << 62;
    reply.proposal =
        Proposal{std::string(input), "Revoke access", std::string(input), TimePoint{std::chrono::nanoseconds{ticks}}};
    reply.usage = std::string(input);
    (void)to_plain_text(reply);
    (void)to_plain_text(reply, PlainTextOptions{true, "/collab"});
    (void)format_duration(std::chrono::seconds{ticks});

    (void)text::is_valid_utf8(input);
    (void)text::display_width(input);
    (void)text::first_character(input);
    const std::string normalised = text::normalise(input);
    (void)text::split_words(normalised);
    // Quadratic by design: bounded as suggestions bound it, to words.
    const auto half = std::min<std::size_t>(size / 2, 64);
    (void)text::levenshtein(input.substr(0, half), input.substr(half, 64));
    return 0;
}
