#pragma once
// Text as chat clients deliver it: UTF-8 with typographic "improvements" we must see through.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace collab::text {

bool is_valid_utf8(std::string_view text);

// Turns smart quotes into ASCII quotes, every Unicode space into a plain space, and a leading
// en/em dash (what "--" becomes in many chat clients) into "--".
std::string normalise(std::string_view text);

// Splits on blanks; double or single quotes group words. Nothing when a quote is left open.
std::optional<std::vector<std::string>> split_words(std::string_view normalised);

// Columns the text takes on a terminal (wide CJK and emoji count two, combining marks zero).
std::size_t display_width(std::string_view utf8);

std::string ascii_lower(std::string_view text);

// The first character (all of its UTF-8 bytes) of valid UTF-8 text.
std::string first_character(std::string_view utf8);

// The first character's code point, as "U+0430".
std::string code_point(std::string_view utf8);

// Text that is safe to show on a terminal, in a chat message or in a log line, whatever its source:
// every control character (C0, DEL, C1 such as U+009B), bidirectional or invisible formatting
// character (U+202E, U+2066, U+200E, U+FEFF, tags, …), line or paragraph separator, and byte of
// invalid UTF-8 becomes a visible escape ("\x1b", "\u202e", "\U000e0041"), so nothing from outside
// can move the cursor, retitle a window, clear the screen or reorder what is shown. Line feeds are
// kept when `keep_line_feeds` (multi-line replies). Text with nothing to escape comes back as it is.
std::string printable(std::string_view text, bool keep_line_feeds = false);
// Whether every byte is printable ASCII (or a kept line feed): text that printable() is sure to
// return as it is.
bool plain_ascii(std::string_view text, bool keep_line_feeds = false);

// At most `limit` characters of `utf8`, "…" standing for the rest: how input is echoed back.
std::string shortened(std::string_view utf8, std::size_t limit);

// The value between double quotes, as replies name what someone typed or an address they act on.
std::string quoted(std::string_view value);

// Edit distance, to suggest what the user probably meant.
std::size_t levenshtein(std::string_view a, std::string_view b);

}  // namespace collab::text
