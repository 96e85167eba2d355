#pragma once
// Confirmation tokens: everything needed to carry out a proposed removal, sealed by a Signer,
// so that any instance of the bot can check a confirmation without server-side state.

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.hpp"
#include "core/ports.hpp"

namespace collab {

enum class ConfirmAction { remove, leave, offboard };

// One database an offboarding removes the person from, and the collaborator record it removes there.
struct Seat {
    std::string database;
    std::string collaborator_id;

    bool operator==(const Seat&) const = default;
};

// The least room a token travels in: a Slack button's value holds 2000 characters. A proposal whose
// token would not fit proposes less (offboarding: fewer databases at a time).
inline constexpr std::size_t token_room = 2000;

struct ConfirmationClaims {
    ConfirmAction action = ConfirmAction::remove;
    std::string platform;
    std::string team;
    std::string user_id;
    std::string channel;
    std::string database;
    std::string target;  // the e-mail whose access goes away
    // The collaborator record proposed for removal: someone removed and invited again is another
    // record, which this confirmation must not remove.
    std::string collaborator_id;
    TimePoint expires_at;
    // Offboarding (database and collaborator_id empty): every database the person is removed from.
    std::vector<Seat> seats = {};
};

// The first use of a confirmation: when, and by whom (empty when not known).
struct TokenUse {
    TimePoint at;
    std::string by;
};

// Which confirmations have been used, agreed on by every instance of the bot, so that a proposal
// is carried out at most once however often (and wherever) its token is presented.
class UsedTokens {
public:
    virtual ~UsedTokens() = default;
    // Marks `key` used unless it already is, as one step whichever instances ask at once: nothing
    // when this use is the first, else the first one. The mark is kept at least until `keep_until`.
    virtual boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once(std::string key, TokenUse use,
                                                                                TimePoint keep_until) = 0;
    // The same, for a key whose mark may reach durable storage after the answer (a signed request's
    // signature, met again only in a replay): a store that can, tells a new key from memory at once
    // and writes its mark behind, yet on disk before anything recorded after it. The mark may then be
    // kept past `keep_until`, for keys that cannot come back once it has passed (the signature's
    // timestamp is stale by then). By default, as use_once.
    virtual boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once_written_behind(std::string key,
                                                                                               TokenUse use,
                                                                                               TimePoint keep_until) {
        co_return co_await use_once(std::move(key), std::move(use), keep_until);
    }
    // Takes the mark back: the use it recorded changed nothing, and may be tried again.
    virtual boost::asio::awaitable<ApiResult<void>> forget(std::string key) = 0;
};

// Sealed claims are fields joined by this separator, which cannot occur in any field: ids, names and
// e-mails are single-line.
inline constexpr char claims_separator = '\n';
std::vector<std::string_view> split_claims(std::string_view payload);

std::string issue_token(const Signer& signer, const ConfirmationClaims& claims);

// What UsedTokens knows a confirmation by: its claims, so that however a token is re-encoded, one
// proposal is one key. Holds no signature: the key cannot be turned back into a token.
std::string use_key(const ConfirmationClaims& claims);

// The claims of a genuine token, whoever presents it and whenever: for the audit trail of a refusal.
std::optional<ConfirmationClaims> read_token(const Signer& signer, std::string_view token);
// The same from a token already opened (Signer::open): nothing when it holds other claims.
std::optional<ConfirmationClaims> confirmation_claims_of(std::string_view payload);

// Whether the claims were issued to this person (same platform, workspace and user; any channel).
bool proposed_to(const ConfirmationClaims& claims, const Actor& person);

// The claims of a token read once (read_token) when it was genuine, unexpired, and is presented by
// the same person in the same channel; otherwise the reason, for the person presenting it.
std::expected<ConfirmationClaims, std::string> check_claims(const std::optional<ConfirmationClaims>& read,
                                                            const Actor& presenter, TimePoint now);

// check_claims of read_token: the claims when the token is genuine, unexpired, and presented by the same person in the
// same channel; otherwise the reason, for the person presenting it.
std::expected<ConfirmationClaims, std::string> check_token(const Signer& signer, std::string_view token,
                                                           const Actor& presenter, TimePoint now);

}  // namespace collab
