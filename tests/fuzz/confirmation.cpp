// Confirmation tokens as anyone may present them (`/collab confirm <token>`, a button's value).
//
// The first byte chooses what the rest is: a token presented as typed, or the payload of a token the
// bot's own key sealed (what reaches the claims parser only with a genuine signature). A token read
// must read the same once issued again.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/security/hmac_signer.hpp"
#include "core/confirmation.hpp"

namespace {

bool same(const collab::ConfirmationClaims& a, const collab::ConfirmationClaims& b) {
    return a.action == b.action && a.platform == b.platform && a.team == b.team && a.user_id == b.user_id &&
           a.channel == b.channel && a.database == b.database && a.target == b.target && a.expires_at == b.expires_at;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const collab::security::HmacSigner signer("fuzzing-key-0123456789abcdef0123456789abcdef");
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string token = data[0] & 1 ? signer.seal(rest) : std::string(rest);

    const collab::Actor presenter{"slack", "T1", "U1", "C1", "user1@example.com"};
    const collab::TimePoint now{std::chrono::seconds{1'800'000'000}};
    (void)collab::check_token(signer, token, presenter, now);
    if (auto claims = collab::read_token(signer, token)) {
        auto again = collab::read_token(signer, collab::issue_token(signer, *claims));
        if (!again || !same(*claims, *again)) std::abort();
    }
    return 0;
}
