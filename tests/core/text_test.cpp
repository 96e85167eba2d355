// Text made printable before it reaches a terminal, a chat message or a log line, and input cut
// before it is echoed back.

#include <gtest/gtest.h>

#include <string>

#include "core/text.hpp"

namespace collab::text {
namespace {

TEST(Printable, OrdinaryTextIsUnchanged) {
    EXPECT_EQ(printable("user1@example.com"), "user1@example.com");
    EXPECT_EQ(printable("Zoë 東京 👩‍💻 اسم"),
              "Zoë 東京 👩‍💻 اسم");  // the zero-width joiner of an emoji stays
    EXPECT_EQ(printable(""), "");
}

TEST(Printable, OnlyPrintableAsciiIsPlain) {
    EXPECT_TRUE(plain_ascii("[R1] decision user=U1 email=\"\""));
    EXPECT_TRUE(plain_ascii(""));
    EXPECT_FALSE(plain_ascii("Zoë"));
    EXPECT_FALSE(plain_ascii("a\x1b[2Jb"));
    EXPECT_FALSE(plain_ascii("two\nlines"));
    EXPECT_TRUE(plain_ascii("two\nlines", true));
    EXPECT_FALSE(plain_ascii("del\x7f", true));
    // Checked eight bytes at a time: whatever the position, one byte out of range is found.
    for (const char outside : {'\0', '\x1f', '\x7f', '\x80', '\xff'}) {
        for (std::size_t at = 0; at < 24; ++at) {
            std::string line(24, '~');
            line[at] = outside;
            EXPECT_FALSE(plain_ascii(line)) << "byte " << int(static_cast<unsigned char>(outside)) << " at " << at;
        }
    }
    EXPECT_TRUE(plain_ascii(std::string(24, ' ') + std::string(24, '~')));
    EXPECT_TRUE(plain_ascii("a line that runs past eight bytes\nand has a line feed", true));
}

TEST(Printable, TerminalSequencesLoseTheirEscape) {
    // Clear the screen, set the window title, a one-byte CSI: each becomes visible, inert text.
    EXPECT_EQ(printable("\x1b[2J\x1b[H"), "\\x1b[2J\\x1b[H");
    EXPECT_EQ(printable("\x1b]0;pwned\x07name"), "\\x1b]0;pwned\\x07name");
    EXPECT_EQ(printable("a\u009b31mb"), "a\\x9b31mb");
    EXPECT_EQ(printable("del\x7f"), "del\\x7f");
    EXPECT_EQ(printable(std::string("nul\0byte", 8)), "nul\\x00byte");
}

TEST(Printable, BidiAndInvisibleFormattingCharactersAreShownForWhatTheyAre) {
    // "user1@example.com" shown backwards by a right-to-left override, isolates, marks, a BOM, a tag.
    EXPECT_EQ(printable("\u202emoc.elpmaxe@1resu"), "\\u202emoc.elpmaxe@1resu");
    EXPECT_EQ(printable("a\u2066b\u2069c\u200ed\u200fe\u202af\u202cg"),
              "a\\u2066b\\u2069c\\u200ed\\u200fe\\u202af\\u202cg");
    EXPECT_EQ(printable("\ufeffx\u200by\u2028z\u061c"), "\\ufeffx\\u200by\\u2028z\\u061c");
    EXPECT_EQ(printable("tag\U000E0041"), "tag\\U000e0041");
}

TEST(Printable, LineFeedsAreKeptOnlyWhenAsked) {
    EXPECT_EQ(printable("one\ntwo\r\tthree"), "one\\x0atwo\\x0d\\x09three");
    EXPECT_EQ(printable("one\ntwo\r", true), "one\ntwo\\x0d");
}

TEST(Printable, InvalidUtf8BytesAreEscapedOneByOne) {
    EXPECT_EQ(printable("a\xff\xc3(b"), "a\\xff\\xc3(b");
    EXPECT_EQ(printable("cut \xe2\x80"), "cut \\xe2\\x80");
    EXPECT_TRUE(is_valid_utf8(printable("\xc0\xaf\xed\xa0\x80")));  // overlong, surrogate
}

TEST(Printable, IsIdempotent) {
    const std::string once = printable("\x1b[31m\u202e\xff");
    EXPECT_EQ(printable(once), once);
}

TEST(Shortened, CutsAtACharacterCountWithAnEllipsis) {
    EXPECT_EQ(shortened("abcdef", 6), "abcdef");
    EXPECT_EQ(shortened("abcdefg", 6), "abcdef…");
    EXPECT_EQ(shortened("ééééé", 3), "ééé…");  // never inside a character
    EXPECT_EQ(shortened("", 0), "");
}

TEST(CodePoint, NamesTheFirstCharacter) {
    EXPECT_EQ(code_point("\u0430bc"), "U+0430");
    EXPECT_EQ(code_point("\uff20"), "U+FF20");
    EXPECT_EQ(code_point("\U0001F600"), "U+1F600");
}

}  // namespace
}  // namespace collab::text
