#include "core/access_request.hpp"

#include <charconv>
#include <cstdint>

#include "core/epoch.hpp"
#include "core/format.hpp"
#include "core/replies.hpp"

namespace collab {
namespace {

constexpr std::string_view version_tag = "r1";
constexpr std::size_t field_count = 10;  // the tag, eight fields, the expiry

std::string payload_of(const RequestClaims& claims) {
    std::string payload{version_tag};
    for (std::string_view field :
         {std::string_view(claims.platform), std::string_view(claims.team), std::string_view(claims.user_id),
          std::string_view(claims.name), std::string_view(claims.channel), std::string_view(claims.email),
          std::string_view(claims.database), std::string_view(claims.card_channel)}) {
        payload += claims_separator;
        payload += field;
    }
    const auto expiry = std::chrono::duration_cast<std::chrono::seconds>(claims.expires_at.time_since_epoch()).count();
    payload += claims_separator + std::to_string(expiry);
    return payload;
}

Line mention_line(LineStyle style, std::string before, const Actor& person, std::string after) {
    return Line{style, std::move(before), mention_of(person), std::move(after)};
}

}  // namespace

std::string issue_request_token(const Signer& signer, const RequestClaims& claims) {
    return signer.seal(payload_of(claims));
}

std::optional<RequestClaims> read_request_token(const Signer& signer, std::string_view token) {
    auto payload = signer.open(token);
    if (!payload) return std::nullopt;
    return request_claims_of(*payload);
}

std::optional<RequestClaims> request_claims_of(std::string_view payload) {
    const auto fields = split_claims(payload);
    long long expiry = 0;
    if (fields.size() != field_count || fields[0] != version_tag ||
        std::from_chars(fields[9].data(), fields[9].data() + fields[9].size(), expiry).ec != std::errc{})
        return std::nullopt;
    // An expiry the clock cannot represent would overflow on conversion: no token of ours has one.
    const auto expires_at = from_epoch_seconds(static_cast<std::int64_t>(expiry));
    if (!expires_at) return std::nullopt;
    return RequestClaims{std::string(fields[1]), std::string(fields[2]), std::string(fields[3]),
                         std::string(fields[4]), std::string(fields[5]), std::string(fields[6]),
                         std::string(fields[7]), std::string(fields[8]), *expires_at};
}

Actor requester_of(const RequestClaims& claims) {
    return Actor{claims.platform, claims.team, claims.user_id, claims.channel, claims.email, claims.name};
}

std::string open_request_key(const Actor& requester, std::string_view database) {
    std::string key = "access-request";
    for (std::string_view field : {std::string_view(requester.platform), std::string_view(requester.team),
                                   std::string_view(requester.user_id), database}) {
        key += claims_separator;
        key += field;
    }
    return key;
}

std::string decision_key(const RequestClaims& claims) {
    return "access-decision" + std::string(1, claims_separator) + payload_of(claims);
}

std::vector<std::string> bound_channels(const Actor& requester, const std::string& database, const Rules& rules) {
    const std::string prefix = qualified_id(requester.platform, "");
    std::vector<std::string> channels;
    for (const auto& [channel, databases] : rules.channel_databases) {
        if (!channel.starts_with(prefix) || !databases.contains(database)) continue;
        std::string id = channel.substr(prefix.size());
        if (id == requester.channel)
            channels.insert(channels.begin(), std::move(id));
        else
            channels.push_back(std::move(id));
    }
    return channels;
}

Decision may_request(const Actor& requester, const DatabaseSnapshot& snapshot, const Rules& rules) {
    if (!requester.email || requester.email->empty()) return Decision::deny(replies::identity_not_linked(requester));
    const std::string& database = snapshot.database.name;
    if (!snapshot.database.dedicated && !rules.allow_apps) return Decision::deny(replies::not_a_database(database));
    const std::string you = "You (" + *requester.email + ")";
    switch (standing_of(snapshot, *requester.email)) {
        case Standing::owner: return Decision::deny(you + " own " + database + ": there is no access to ask for.");
        case Standing::accepted:
            return Decision::deny(you + " are already a collaborator of " + database +
                                  ": there is no access to ask for.");
        case Standing::pending:
            // Another invitation would change nothing: the one waiting is what gives access.
            return Decision::deny(you + " were already invited to " + database +
                                  ": accept the invitation from the e-mail Scalingo sent you; if it is lost, ask a "
                                  "collaborator to send it again.");
        case Standing::stranger: break;
    }
    return Decision::allow();
}

Decision may_decide(const Actor& decider, const DatabaseSnapshot& snapshot, const Rules& rules) {
    if (!decider.email || decider.email->empty()) return Decision::deny(replies::identity_not_linked(decider));
    const std::string& database = snapshot.database.name;
    if (!channel_may_manage(decider, database, rules))
        return Decision::deny("This channel may not manage " + database + ", so requests for it are not decided here.");
    const Standing standing = standing_of(snapshot, *decider.email);
    if (standing == Standing::owner || standing == Standing::accepted || rules.admins.contains(qualified_user(decider)))
        return Decision::allow();
    return Decision::deny("Only the owner or an accepted collaborator of " + database +
                          " (or an admin of the bot) may approve or deny a request for access to it.");
}

namespace replies {

Reply request_card(const RequestClaims& claims, std::string token) {
    Reply card;
    // Shown to the channel, where those who may decide see it.
    card.kind = ReplyKind::change;
    card.lines.push_back(mention_line(LineStyle::plain, "", requester_of(claims),
                                      " asks for access to " + claims.database + " (as " + claims.email + ")."));
    card.proposal = Proposal{"Invite " + claims.email + " to " + claims.database + "?", "Approve", std::move(token),
                             claims.expires_at, ProposalKind::access_request};
    return card;
}

Reply request_posted(std::string_view database, Mention channel, TimePoint expires_at) {
    Reply reply;
    reply.kind = ReplyKind::result;
    reply.lines.push_back(Line{
        LineStyle::plain, "Your request for access to " + std::string(database) + " was posted in ", std::move(channel),
        ", where its owner and collaborators decide on " + std::string(database) +
            "; you will be told the answer. It is open until " + format_utc(expires_at) + "."});
    return reply;
}

std::string request_open(std::string_view database, const TokenUse& first, TimePoint expires_at) {
    std::string reason = "You already asked for access to " + std::string(database);
    if (first.at != TimePoint{}) reason += " at " + format_utc(first.at);
    return reason + "; one request at a time: wait for its answer, or ask again after " + format_utc(expires_at) + ".";
}

Reply request_not_posted(Mention channel, std::string_view why) {
    Reply reply;
    reply.kind = ReplyKind::failure;
    reply.lines.push_back(Line{LineStyle::error, "Your request could not be posted in ", std::move(channel),
                               " (" + std::string(why) +
                                   "); nothing was asked. Try again later, or ask an admin of the bot."});
    return reply;
}

std::string no_channel_for_request(std::string_view database) {
    return "No channel is set up to manage " + std::string(database) +
           ", so nobody could answer a request for it here; ask an admin of the bot to add a rule for it.";
}

std::string request_posted_elsewhere() {
    return "This request was posted in another channel: it is decided there.";
}

std::string request_token_not_valid() {
    return "This access request is not valid: it was altered, cut short, or issued by another bot.";
}

std::string request_already_decided(const TokenUse& first) {
    std::string reason = "This request was already decided";
    if (first.at != TimePoint{}) reason += " at " + format_utc(first.at);
    if (!first.by.empty()) reason += " by " + first.by;
    return reason + "; nothing more was done.";
}

std::string request_decision_unrecorded() {
    return "The audit trail could not be written, so nothing was done; try again in a moment.";
}

Reply request_approved(const Actor& approver, const RequestClaims& claims) {
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(mention_line(LineStyle::done, "Approved by ", approver,
                                       ": " + claims.email + " has been invited to " + claims.database));
    reply.lines.push_back(mention_line(LineStyle::plain, "", requester_of(claims),
                                       ": accept the invitation from the e-mail Scalingo sends you."));
    return reply;
}

Reply request_denied(const Actor& decider, const RequestClaims& claims) {
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(mention_line(LineStyle::error, "Denied by ", decider,
                                       ": " + claims.email + " was not invited to " + claims.database));
    reply.lines.push_back(
        mention_line(LineStyle::plain, "", requester_of(claims), ": your request for access was denied."));
    return reply;
}

Reply request_expired(const RequestClaims& claims) {
    Reply reply;
    reply.kind = ReplyKind::result;
    reply.lines.push_back(mention_line(LineStyle::error, "The request of ", requester_of(claims),
                                       " for access to " + claims.database + " expired at " +
                                           format_utc(claims.expires_at) + "; they may ask again."));
    return reply;
}

Reply request_approved_notice(const Actor& approver, const RequestClaims& claims) {
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(
        mention_line(LineStyle::done, "Your request for access to " + claims.database + " was approved by ", approver,
                     ": an invitation was sent to " + claims.email + "; accept it from that e-mail."));
    return reply;
}

Reply request_denied_notice(const Actor& decider, const RequestClaims& claims) {
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(mention_line(
        LineStyle::error, "Your request for access to " + claims.database + " was denied by ", decider, "."));
    return reply;
}

}  // namespace replies
}  // namespace collab
