// Confirmation tokens sealed with HMAC-SHA256, their key file, and the base64url they are written in.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "adapters/security/hmac_signer.hpp"
#include "temp_dir.hpp"

namespace collab::security {
namespace {

const std::string key_a(32, 'a');
const std::string key_b(32, 'b');
constexpr std::string_view claims = R"({"action":"remove","target":"user2@example.com","db":"my-dedicated-db"})";

// `token` with the character at `at` replaced by another one of the base64url alphabet.
std::string flip(std::string token, std::size_t at) {
    token[at] = token[at] == 'A' ? 'B' : 'A';
    return token;
}

TEST(HmacSignerTest, a_sealed_token_opens_to_its_claims) {
    const HmacSigner signer(key_a);
    const std::string token = signer.seal(claims);
    // Tokens are typed or pasted into chat: only URL-safe characters and one dot.
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
              std::string::npos)
        << token;
    EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 1);
    EXPECT_EQ(signer.open(token), std::string(claims));
    EXPECT_EQ(HmacSigner(key_a).open(token), std::string(claims));  // another instance with the same key
}

TEST(HmacSignerTest, tokens_are_hmac_sha256_of_the_body_so_that_earlier_ones_still_open) {
    // Computed apart (Python's hmac module): a token issued before an upgrade, or by another instance.
    const std::string issued =
        "eyJhY3Rpb24iOiJyZW1vdmUiLCJ0YXJnZXQiOiJ1c2VyMkBleGFtcGxlLmNvbSIsImRiIjoibXktZGVkaWNhdGVkLWRiIn0."
        "uz7BLElhkpG0Z_6M0HGXyCM7QqHNgtKcj_ewx8cd21c";
    const HmacSigner signer(key_a);
    EXPECT_EQ(signer.seal(claims), issued);
    EXPECT_EQ(signer.open(issued), std::string(claims));
}

TEST(HmacSignerTest, threads_seal_and_open_with_one_signer_at_once) {
    const HmacSigner signer(key_a);
    const std::string expected = signer.seal(claims);
    std::vector<int> wrong(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < wrong.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2'000; ++i) {
                if (signer.seal(claims) != expected || signer.open(expected) != std::string(claims)) ++wrong[t];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(HmacSignerTest, a_token_changed_in_the_body_or_the_mac_is_refused) {
    const HmacSigner signer(key_a);
    const std::string token = signer.seal(claims);
    const std::size_t dot = token.find('.');
    EXPECT_EQ(signer.open(flip(token, 0)), std::nullopt);
    EXPECT_EQ(signer.open(flip(token, dot / 2)), std::nullopt);
    EXPECT_EQ(signer.open(flip(token, dot + 1)), std::nullopt);
    EXPECT_EQ(signer.open(flip(token, dot + 10)), std::nullopt);
    EXPECT_EQ(signer.open(token + "A"), std::nullopt);
    EXPECT_EQ(signer.open(token.substr(0, token.size() - 1)), std::nullopt);
}

TEST(HmacSignerTest, no_other_token_opens_than_the_one_sealed) {
    const HmacSigner signer(key_a);
    const std::string token = signer.seal(claims);
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string changed = token;
    for (char c : alphabet) {
        if (c == token.back()) continue;
        changed.back() = c;
        EXPECT_EQ(signer.open(changed), std::nullopt) << changed;
    }
}

TEST(HmacSignerTest, a_token_sealed_with_another_key_is_refused) {
    const std::string token = HmacSigner(key_b).seal(claims);
    EXPECT_EQ(HmacSigner(key_a).open(token), std::nullopt);
}

TEST(HmacSignerTest, garbage_is_refused) {
    const HmacSigner signer(key_a);
    for (std::string_view garbage : {"", ".", "abc", "a.b.c", "..", "abc.", ".abc", "YWJj.!!!!", "YWJj.YW Jj",
                                     "YWJj.YWJj====", "YW+j.YWJj", "eyJ9.%%%%"}) {
        EXPECT_EQ(signer.open(garbage), std::nullopt) << '"' << garbage << '"';
    }
}

TEST(HmacSignerTest, a_key_shorter_than_32_bytes_is_refused) {
    EXPECT_THROW(HmacSigner(std::string(31, 'k')), std::runtime_error);
    EXPECT_THROW(HmacSigner(""), std::runtime_error);
    EXPECT_NO_THROW(HmacSigner(std::string(32, 'k')));
}

TEST(HmacSignerTest, the_key_file_is_made_private_on_first_use_and_reused_after) {
    testing::TempDir dir;
    const auto file = dir / "confirmation.key";
    const mode_t mask_before = ::umask(022);

    const std::string first = load_or_create_key(file);
    const mode_t mask_after = ::umask(mask_before);  // reads the mask the call left, and restores ours
    EXPECT_EQ(mask_after, 022u) << "the process umask was left changed";

    EXPECT_GE(first.size(), 32u);
    ASSERT_TRUE(std::filesystem::exists(file));
    // Whoever can read the key can forge confirmations: owner only.
    EXPECT_EQ(std::filesystem::status(file).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(load_or_create_key(file), first);
    EXPECT_NO_THROW(HmacSigner{first});

    testing::TempDir other;
    EXPECT_NE(load_or_create_key(other / "confirmation.key"), first);  // drawn at random, not fixed
}

TEST(HmacSignerTest, an_admins_key_file_is_read_without_its_line_end) {
    testing::TempDir dir;
    const std::string key = "0123456789abcdef0123456789abcdef-admin";
    testing::write_file(dir / "key", key + "\r\n");
    EXPECT_EQ(load_or_create_key(dir / "key"), key);

    testing::write_file(dir / "short", "too short\n");
    try {
        load_or_create_key(dir / "short");
        FAIL() << "a 9-byte key was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "the confirmation key " + (dir / "short").string() + " is shorter than 32 bytes");
    }
}

TEST(HmacSignerTest, a_key_file_that_cannot_be_written_is_an_error) {
    testing::TempDir dir;
    testing::write_file(dir / "afile", "");
    const auto file = dir / "afile" / "confirmation.key";
    try {
        load_or_create_key(file);
        FAIL() << "a key file under a regular file was reported written";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "cannot write the confirmation key " + file.string());
    }
}

TEST(Base64UrlTest, binary_data_of_every_length_round_trips_in_the_url_safe_alphabet) {
    std::string bytes;
    for (std::size_t length = 0; length <= 40; ++length) {
        const std::string encoded = base64url_encode(bytes);
        EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
        EXPECT_EQ(encoded.size(), (length * 4 + 2) / 3) << "unpadded length for " << length << " bytes";
        EXPECT_EQ(base64url_decode(encoded), bytes) << encoded;
        // High bytes and the values that map to '+' and '/' in standard base64.
        bytes.push_back(static_cast<char>(0xfb + length * 37));
    }
}

TEST(Base64UrlTest, known_values_and_refusals) {
    EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
    EXPECT_EQ(base64_encode("\xfb\xff\xbf"), "+/+/");
    EXPECT_EQ(base64url_encode("ab"), "YWI");
    EXPECT_EQ(base64_encode("ab"), "YWI=");
    EXPECT_EQ(base64url_decode("YWI"), "ab");
    EXPECT_EQ(base64url_decode("YWI="), std::nullopt);  // padding is not ours
    EXPECT_EQ(base64url_decode("+/+/"), std::nullopt);  // nor the standard alphabet
    EXPECT_EQ(base64url_decode("Y"), std::nullopt);     // no byte is one character long
    EXPECT_EQ(base64url_decode("YW*j"), std::nullopt);
}

}  // namespace
}  // namespace collab::security
