#include "core/text.hpp"

#include <unictype.h>
#include <unistr.h>
#include <uniwidth.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <utility>

namespace collab::text {
namespace {

const uint8_t* bytes(std::string_view s) {
    return reinterpret_cast<const uint8_t*>(s.data());
}

bool is_unicode_space(ucs4_t c) {
    return c == 0x09 || c == 0x0B || c == 0x0C || c == 0x0D || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

char ascii_quote_for(ucs4_t c) {
    switch (c) {
        case 0x2018:
        case 0x2019:
        case 0x201A:
        case 0x201B:
        case 0x2032: return '\'';
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x201F:
        case 0x2033:
        case 0x00AB:
        case 0x00BB: return '"';
        default: return 0;
    }
}

// Characters that must not reach a terminal, a chat message or a log line as they are: controls,
// and the invisible formatting characters (bidi overrides and isolates, marks, zero-width spaces,
// tags) that reorder or hide text. Zero-width (non-)joiners stay: scripts and emoji need them and
// they move nothing.
bool needs_escape(ucs4_t c, bool keep_line_feeds) {
    if (c < 0x20) return !(keep_line_feeds && c == '\n');
    if (c < 0x7F) return false;
    if (c <= 0x9F) return true;  // DEL and C1, among them U+009B, the one-byte CSI
    if (c == 0x200C || c == 0x200D) return false;
    return c == 0x2028 || c == 0x2029 || uc_is_general_category(c, UC_CATEGORY_Cf);
}

void append_escape(std::string& out, const char* format, unsigned value) {
    char buffer[16];
    const int length = std::snprintf(buffer, sizeof buffer, format, value);
    out.append(buffer, static_cast<std::size_t>(length));
}

}  // namespace

bool plain_ascii(std::string_view text, bool keep_line_feeds) {
    // Eight bytes at a time while every byte is printable (every log line is checked): some high bit
    // of `below` is set if and only if a byte is under 0x20, of `above` if and only if one is 0x7F
    // or more (a borrow or a carry may flag the bytes after it too, which only ends the fast loop).
    constexpr std::uint64_t ones = 0x0101010101010101, high_bits = 0x8080808080808080;
    std::size_t checked = 0;
    for (; checked + 8 <= text.size(); checked += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + checked, 8);
        const std::uint64_t below = (word - ones * 0x20) & ~word;
        const std::uint64_t above = (word + ones) | word;
        if (((below | above) & high_bits) != 0) break;  // the bytes left decide: a line feed may be kept
    }
    return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(checked), text.end(),
                       [&](unsigned char c) { return (c >= 0x20 && c < 0x7F) || (keep_line_feeds && c == '\n'); });
}

std::string printable(std::string_view text, bool keep_line_feeds) {
    if (plain_ascii(text, keep_line_feeds)) return std::string(text);
    std::string out;
    out.reserve(text.size() + 16);
    const uint8_t* p = bytes(text);
    const uint8_t* end = p + text.size();
    while (p < end) {
        ucs4_t c = 0;
        const int n = u8_mbtoucr(&c, p, end - p);
        if (n < 0) {
            append_escape(out, "\\x%02x", *p);  // a byte of invalid UTF-8
            ++p;
            continue;
        }
        if (!needs_escape(c, keep_line_feeds))
            out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
        else if (c <= 0xFF)
            append_escape(out, "\\x%02x", c);
        else if (c <= 0xFFFF)
            append_escape(out, "\\u%04x", c);
        else
            append_escape(out, "\\U%08x", c);
        p += n;
    }
    return out;
}

std::string shortened(std::string_view utf8, std::size_t limit) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        // A character starts at every byte that is not a continuation byte.
        if ((static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80) continue;
        if (characters++ == limit) return std::string(utf8.substr(0, i)) + "…";
    }
    return std::string(utf8);
}

bool is_valid_utf8(std::string_view text) {
    return u8_check(bytes(text), text.size()) == nullptr;
}

std::string normalise(std::string_view text) {
    // Printable ASCII holds nothing to fold: the common case is a copy, not a decode.
    if (plain_ascii(text)) return std::string(text);
    std::string out;
    out.reserve(text.size());
    const uint8_t* p = bytes(text);
    const uint8_t* end = p + text.size();
    bool at_word_start = true;
    while (p < end) {
        ucs4_t c = 0;
        int n = u8_mbtouc(&c, p, end - p);
        if (is_unicode_space(c)) {
            out += ' ';
        } else if (char q = ascii_quote_for(c)) {
            out += q;
        } else if ((c == 0x2013 || c == 0x2014) && at_word_start) {
            out += "--";
        } else {
            out.append(reinterpret_cast<const char*>(p), n);
        }
        at_word_start = out.empty() || out.back() == ' ';
        p += n;
    }
    return out;
}

std::optional<std::vector<std::string>> split_words(std::string_view s) {
    std::vector<std::string> words;
    std::string current;
    bool in_word = false;
    char quote = 0;
    for (char c : s) {
        if (quote != 0) {
            if (c == quote)
                quote = 0;
            else
                current += c;
        } else if ((c == '"' || c == '\'') && !in_word) {
            // Only at the start of a word: inside one, as in o'brien@example.com, it is a character.
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\n') {
            if (in_word) words.push_back(std::exchange(current, {}));
            in_word = false;
        } else {
            current += c;
            in_word = true;
        }
    }
    if (quote != 0) return std::nullopt;
    if (in_word) words.push_back(std::move(current));
    return words;
}

std::size_t display_width(std::string_view utf8) {
    return static_cast<std::size_t>(u8_width(bytes(utf8), utf8.size(), "UTF-8"));
}

std::string first_character(std::string_view utf8) {
    if (utf8.empty()) return {};
    const int length = u8_mblen(bytes(utf8), utf8.size());
    return std::string(utf8.substr(0, length > 0 ? static_cast<std::size_t>(length) : 1));
}

std::string code_point(std::string_view utf8) {
    ucs4_t c = 0;
    if (!utf8.empty()) u8_mbtouc(&c, bytes(utf8), utf8.size());
    std::string out;
    append_escape(out, "U+%04X", c);
    return out;
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c); });
    return out;
}

std::size_t levenshtein(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string quoted(std::string_view value) {
    return "\"" + std::string(value) + "\"";
}

}  // namespace collab::text
