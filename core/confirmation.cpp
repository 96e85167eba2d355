#include "core/confirmation.hpp"

#include <charconv>

#include "core/epoch.hpp"
#include "core/replies.hpp"

namespace collab {
namespace {

// c2 added the collaborator id; c1 tokens (without it) are no longer accepted. An offboarding's seats
// follow the fields every token has, two fields each, so that a removal's token is as it was.
constexpr std::string_view version_tag = "c2";
constexpr char separator = claims_separator;

constexpr std::size_t fixed_fields = 10;

std::string_view action_word(ConfirmAction action) {
    switch (action) {
        case ConfirmAction::remove: return "remove";
        case ConfirmAction::leave: return "leave";
        case ConfirmAction::offboard: return "offboard";
    }
    return "remove";
}

std::optional<ConfirmAction> action_of(std::string_view word) {
    for (auto action : {ConfirmAction::remove, ConfirmAction::leave, ConfirmAction::offboard})
        if (action_word(action) == word) return action;
    return std::nullopt;
}

std::string payload_of(const ConfirmationClaims& claims) {
    const auto expiry = std::chrono::duration_cast<std::chrono::seconds>(claims.expires_at.time_since_epoch()).count();
    std::string payload{version_tag};
    for (std::string_view field :
         {action_word(claims.action), std::string_view(claims.platform), std::string_view(claims.team),
          std::string_view(claims.user_id), std::string_view(claims.channel), std::string_view(claims.database),
          std::string_view(claims.target), std::string_view(claims.collaborator_id)}) {
        payload += separator;
        payload += field;
    }
    payload += separator + std::to_string(expiry);
    for (const Seat& seat : claims.seats) {
        payload += separator + seat.database;
        payload += separator + seat.collaborator_id;
    }
    return payload;
}

}  // namespace

std::vector<std::string_view> split_claims(std::string_view payload) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        std::size_t end = payload.find(separator, start);
        fields.push_back(payload.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) return fields;
        start = end + 1;
    }
}

std::string issue_token(const Signer& signer, const ConfirmationClaims& claims) {
    return signer.seal(payload_of(claims));
}

std::string use_key(const ConfirmationClaims& claims) {
    return "confirmation" + std::string(1, separator) + payload_of(claims);
}

std::optional<ConfirmationClaims> read_token(const Signer& signer, std::string_view token) {
    auto payload = signer.open(token);
    if (!payload) return std::nullopt;
    return confirmation_claims_of(*payload);
}

std::optional<ConfirmationClaims> confirmation_claims_of(std::string_view payload) {
    auto fields = split_claims(payload);
    long long expiry = 0;
    if (fields.size() < fixed_fields || (fields.size() - fixed_fields) % 2 != 0 || fields[0] != version_tag ||
        std::from_chars(fields[9].data(), fields[9].data() + fields[9].size(), expiry).ec != std::errc{})
        return std::nullopt;
    const auto action = action_of(fields[1]);
    // Seats belong to an offboarding, and an offboarding has some.
    if (!action || (*action == ConfirmAction::offboard) != (fields.size() > fixed_fields)) return std::nullopt;
    std::vector<Seat> seats;
    for (std::size_t i = fixed_fields; i < fields.size(); i += 2)
        seats.push_back(Seat{std::string(fields[i]), std::string(fields[i + 1])});
    // An expiry the clock cannot represent would overflow on conversion: no token of ours has one.
    const auto expires_at = from_epoch_seconds(static_cast<std::int64_t>(expiry));
    if (!expires_at) return std::nullopt;
    return ConfirmationClaims{*action,
                              std::string(fields[2]),
                              std::string(fields[3]),
                              std::string(fields[4]),
                              std::string(fields[5]),
                              std::string(fields[6]),
                              std::string(fields[7]),
                              std::string(fields[8]),
                              *expires_at,
                              std::move(seats)};
}

bool proposed_to(const ConfirmationClaims& claims, const Actor& person) {
    return claims.platform == person.platform && claims.team == person.team && claims.user_id == person.user_id;
}

std::expected<ConfirmationClaims, std::string> check_claims(const std::optional<ConfirmationClaims>& read,
                                                            const Actor& presenter, TimePoint now) {
    if (!read) return std::unexpected(replies::token_not_valid());
    const ConfirmationClaims& claims = *read;
    if (!proposed_to(claims, presenter)) return std::unexpected(replies::proposed_to_someone_else());
    if (claims.channel != presenter.channel) return std::unexpected(replies::proposed_in_another_channel());
    if (now >= claims.expires_at) return std::unexpected(replies::confirmation_expired(claims.expires_at));
    return claims;
}

std::expected<ConfirmationClaims, std::string> check_token(const Signer& signer, std::string_view token,
                                                           const Actor& presenter, TimePoint now) {
    return check_claims(read_token(signer, token), presenter, now);
}

}  // namespace collab
