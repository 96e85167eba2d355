#pragma once
// A keyed, tamper-evident Signer for tests. Not cryptography: core only sees the Signer interface,
// and the real HMAC signer is tested with the adapters.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ports.hpp"

namespace collab::test_support {

class TestSigner : public Signer {
public:
    explicit TestSigner(std::string key) : key_(std::move(key)) {}

    // Hex keeps the token a single word, so it survives being typed after "/collab confirm".
    std::string seal(std::string_view claims) const override { return hex(claims) + "." + checksum(claims); }

    std::optional<std::string> open(std::string_view token) const override {
        const auto dot = token.rfind('.');
        if (dot == std::string_view::npos) return std::nullopt;
        auto payload = unhex(token.substr(0, dot));
        if (!payload || token.substr(dot + 1) != checksum(*payload)) return std::nullopt;
        return payload;
    }

    static std::string hex(std::string_view bytes) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned char c : bytes) {
            out += digits[c >> 4];
            out += digits[c & 0xF];
        }
        return out;
    }

    static std::optional<std::string> unhex(std::string_view text) {
        if (text.size() % 2 != 0) return std::nullopt;
        auto value = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            return -1;
        };
        std::string out;
        for (std::size_t i = 0; i < text.size(); i += 2) {
            const int high = value(text[i]);
            const int low = value(text[i + 1]);
            if (high < 0 || low < 0) return std::nullopt;
            out += static_cast<char>(high * 16 + low);
        }
        return out;
    }

private:
    // FNV-1a over key and payload: enough to tell keys and payloads apart in a test.
    std::string checksum(std::string_view payload) const {
        std::uint64_t h = 14695981039346656037ull;
        auto mix = [&](std::string_view bytes) {
            for (unsigned char c : bytes) {
                h ^= c;
                h *= 1099511628211ull;
            }
        };
        mix(key_);
        mix(std::string_view("\x1f", 1));
        mix(payload);
        std::string raw(8, '\0');
        for (int i = 0; i < 8; ++i) raw[i] = static_cast<char>((h >> (8 * i)) & 0xFF);
        return hex(raw);
    }

    std::string key_;
};

}  // namespace collab::test_support
