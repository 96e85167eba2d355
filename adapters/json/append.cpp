#include "adapters/json/append.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <cstring>

namespace collab::json_out {
namespace {

// The serializer's output, in pieces through a buffer on the stack: no allocation of its own.
void drain(std::string& out, boost::json::serializer& serializer) {
    std::array<char, 512> buffer;
    while (!serializer.done()) out.append(serializer.read(buffer.data(), buffer.size()));
}

// What Boost.JSON's serializer writes for each byte that needs escaping: the short escapes it knows,
// \u00xx (lowercase hex) for the other control characters, and nothing for the bytes it copies as
// they are (everything from 0x20 up but the quote and the backslash, UTF-8 included).
constexpr std::array<char, 256> escapes = [] {
    std::array<char, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[c] = 'u';
    table['\b'] = 'b';
    table['\t'] = 't';
    table['\n'] = 'n';
    table['\f'] = 'f';
    table['\r'] = 'r';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
}();

char escape_of(char c) {
    return escapes[static_cast<unsigned char>(c)];
}

// How many bytes at the start of `text` need no escape, eight at a time while none of them does:
// a byte below 0x20, a quote or a backslash in a word is found with the usual bit tricks.
std::size_t plain_prefix(std::string_view text) {
    constexpr std::uint64_t ones = 0x0101010101010101;
    constexpr std::uint64_t highs = 0x8080808080808080;
    const auto has_zero_byte = [](std::uint64_t word) { return (word - ones) & ~word & highs; };
    std::size_t at = 0;
    for (; at + 8 <= text.size(); at += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + at, 8);
        if (((word - ones * 0x20) & ~word & highs) | has_zero_byte(word ^ (ones * '"')) |
            has_zero_byte(word ^ (ones * '\\')))
            break;
    }
    while (at < text.size() && escape_of(text[at]) == 0) ++at;
    return at;
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
    // Written here rather than by a serializer: setting one up costs more than most strings sent.
    std::size_t plain = plain_prefix(text);
    const std::size_t quote = out.size();
    // g++ 12 may hand the operation the grown capacity rather than the size asked for: not relied on.
    out.resize_and_overwrite(quote + 1 + plain, [&](char* begin, std::size_t) {
        begin[quote] = '"';
        std::memcpy(begin + quote + 1, text.data(), plain);
        return quote + 1 + plain;
    });
    // Each pass: the byte plain_prefix stopped at, escaped, then the run of plain bytes after it.
    while (plain < text.size()) {
        const char c = text[plain++];
        const char escape = escape_of(c);
        out += '\\';
        out += escape;
        if (escape == 'u') {
            static constexpr char hex[] = "0123456789abcdef";
            const auto byte = static_cast<unsigned char>(c);
            out += "00";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        }
        const std::size_t run = plain_prefix(text.substr(plain));
        out.append(text.data() + plain, run);
        plain += run;
    }
    out += '"';
}

void append_member(std::string& out, std::string_view key, std::string_view text) {
    append_string(out, key);
    out += ':';
    append_string(out, text);
}

void append_value(std::string& out, const boost::json::value& value) {
    boost::json::serializer serializer;
    serializer.reset(&value);
    drain(out, serializer);
}

void append_value(std::string& out, const boost::json::object& value) {
    boost::json::serializer serializer;
    serializer.reset(&value);
    drain(out, serializer);
}

}  // namespace collab::json_out
