#pragma once
// Access requests: someone without access asks for it, and the owner or an accepted collaborator
// (or an admin) approves or denies it with a button on a card. The card's buttons carry the request's
// own sealed claims, so that any instance can check a decision without server-side state; the
// proposer checks of a confirmation do not apply, since the person deciding is never the requester.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/confirmation.hpp"
#include "core/model.hpp"
#include "core/policy.hpp"
#include "core/ports.hpp"
#include "core/render.hpp"

namespace collab {

struct RequestClaims {
    // The requester, as their platform names them, and the channel they asked in.
    std::string platform;
    std::string team;
    std::string user_id;
    std::string name;  // the platform's user name, for the mention (may be empty)
    std::string channel;
    std::string email;  // the requester's Scalingo e-mail: where the invitation goes
    std::string database;
    // Where the card was posted: the only channel its decision counts in.
    std::string card_channel;
    TimePoint expires_at;
};

std::string issue_request_token(const Signer& signer, const RequestClaims& claims);
// The claims of a genuine request token (whoever presents it, whenever); nothing for anything else,
// a confirmation token included.
std::optional<RequestClaims> read_request_token(const Signer& signer, std::string_view token);
// The same from a token already opened (Signer::open): nothing when it holds other claims.
std::optional<RequestClaims> request_claims_of(std::string_view payload);

// The requester, as an Actor: for their mention and for telling them the answer.
Actor requester_of(const RequestClaims& claims);

// The mark of a person's open request for a database (one at a time), and of a request's decision
// (taken once), in UsedTokens. Neither holds a signature: a key cannot be turned back into a token.
std::string open_request_key(const Actor& requester, std::string_view database);
std::string decision_key(const RequestClaims& claims);

// Where a request's card goes: the channels of the requester's platform that the channel rules bind
// to the database, the requester's own first when it is one of them. Empty: none is bound.
std::vector<std::string> bound_channels(const Actor& requester, const std::string& database, const Rules& rules);

// Whether this person may ask for access (only someone with no access, and no invitation waiting).
Decision may_request(const Actor& requester, const DatabaseSnapshot& snapshot, const Rules& rules);
// Whether this person may approve or deny a request for this database (the owner, an accepted
// collaborator, an admin), from the channel they are in.
Decision may_decide(const Actor& decider, const DatabaseSnapshot& snapshot, const Rules& rules);

namespace replies {

// The card: who asks, for what, with Approve and Deny.
Reply request_card(const RequestClaims& claims, std::string token);
// For the requester when the card went to another channel, named as their platform links to it.
Reply request_posted(std::string_view database, Mention channel, TimePoint expires_at);
std::string request_open(std::string_view database, const TokenUse& first, TimePoint expires_at);
// The card could not go to `channel`.
Reply request_not_posted(Mention channel, std::string_view why);
std::string no_channel_for_request(std::string_view database);
std::string request_posted_elsewhere();
std::string request_token_not_valid();
std::string request_already_decided(const TokenUse& first);
std::string request_decision_unrecorded();
// The card's replacements, naming the decider and the requester.
Reply request_approved(const Actor& approver, const RequestClaims& claims);
Reply request_denied(const Actor& decider, const RequestClaims& claims);
Reply request_expired(const RequestClaims& claims);
// What the requester is told when the card was elsewhere.
Reply request_approved_notice(const Actor& approver, const RequestClaims& claims);
Reply request_denied_notice(const Actor& decider, const RequestClaims& claims);

}  // namespace replies
}  // namespace collab
