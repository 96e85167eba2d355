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

// Edit distance, to suggest what the user probably meant.
std::size_t levenshtein(std::string_view a, std::string_view b);

}  // namespace collab::text
