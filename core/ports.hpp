#pragma once
// The interfaces through which core reaches the world. Adapters implement them.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/render.hpp"
#include "core/snapshots.hpp"

namespace collab {

// The closed set of outcomes an upstream call can have besides success.
enum class ApiErrorKind {
    not_found,       // no such database (or collaborator)
    already_member,  // the e-mail is already the owner or a collaborator
    not_member,      // the e-mail is not a collaborator
    forbidden,       // the bot's account may not do this
    unauthorized,    // the bot's credentials are wrong or lack rights on this database
    invalid_input,   // the upstream refused the values (validation)
    rate_limited,    // too many requests; retry_after says when to try again
    transient,       // upstream failure worth retrying later (5xx, reset)
    timeout,         // no answer in time
    malformed,       // an answer we could not understand
    unavailable,     // local state cannot be read or written
};

struct ApiError {
    ApiErrorKind kind;
    std::string message;  // for a chat user: what went wrong, in plain words
    std::optional<std::chrono::seconds> retry_after = std::nullopt;
};

template <typename T>
using ApiResult = std::expected<T, ApiError>;

class CollaboratorsApi {
public:
    virtual ~CollaboratorsApi() = default;
    virtual boost::asio::awaitable<ApiResult<Database>> show_database(std::string name) = 0;
    virtual boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) = 0;
    // Always as a full Collaborator: the only role a Dedicated Resources database has.
    virtual boost::asio::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) = 0;
    virtual boost::asio::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) = 0;
    // The account the bot itself acts as.
    virtual boost::asio::awaitable<ApiResult<Account>> self() = 0;
    // Every database (app) the bot's account can see, Dedicated Resources or not.
    virtual boost::asio::awaitable<ApiResult<std::vector<Database>>> databases() = 0;
    // The database and its collaborators together: what every command about a database decides on.
    // This reads both afresh (generation 0); a provider that keeps databases in memory answers from
    // there, under the freshness rules of snapshots.hpp (invite and remove count as changes).
    virtual boost::asio::awaitable<ApiResult<CachedSnapshot>> snapshot(std::string database);
    // The snapshots of several databases, in the order named, each as snapshot() gives it: what the
    // commands that survey every database read (dbs, access, offboard, the help). One after the other
    // here; a provider whose reads wait on the network overlaps them.
    virtual boost::asio::awaitable<std::vector<ApiResult<CachedSnapshot>>> snapshots(
        std::vector<std::string> databases);
    // How many databases snapshots() reads at once: more in one call cost more than one round trip.
    virtual std::size_t reads_at_once() const { return 1; }
};

// Maps a chat identity to the Scalingo e-mail of that person: nullopt when the person has none
// (denied, with that reason); an error when the directory could not say (the command fails with it).
class Directory {
public:
    virtual ~Directory() = default;
    virtual boost::asio::awaitable<ApiResult<std::optional<std::string>>> email_of(const Actor& actor) = 0;
};

enum class AuditOutcome { allowed, denied, proposed, confirmed, executed, failed };
std::string_view to_string(AuditOutcome outcome);

struct AuditEntry {
    TimePoint at;
    std::string platform;
    std::string team;
    std::string channel;
    std::string user_id;
    std::string email;  // empty when the identity could not be resolved
    std::string action;
    std::string database;  // empty for commands that name none
    std::string target;
    AuditOutcome outcome = AuditOutcome::allowed;
    std::string detail;
};

// Which entries of the trail to read: a database's, newest first, optionally narrowed.
struct AuditQuery {
    std::string database;
    // Only entries by this e-mail address (compared without regard to case).
    std::optional<std::string> by = std::nullopt;
    std::optional<std::string> action = std::nullopt;  // only entries of this action ("add", "remove", …)
    int limit = 20;
};

class AuditLog {
public:
    virtual ~AuditLog() = default;
    // Completes once the entry is written: for what must be on the trail before a change is made.
    virtual boost::asio::awaitable<ApiResult<void>> record(AuditEntry entry) = 0;
    // For what is written after the fact (done, refused, proposed): a store may return before the entry
    // is written, as long as a later recent() sees it. Nobody is told when it cannot be written.
    virtual boost::asio::awaitable<void> note(AuditEntry entry) { (void)co_await record(std::move(entry)); }
    virtual boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> recent(AuditQuery query) = 0;
};

// A place the bot can speak in without being asked there: a channel (or a thread of it) of one platform.
struct Conversation {
    std::string platform;
    std::string team;
    std::string channel;
    std::string thread = {};  // empty: the channel itself
};

// What the bot says on its own initiative (a notice, a card that asks for a decision), each platform
// in its own wire format.
class Announcer {
public:
    virtual ~Announcer() = default;
    // A message in a conversation; `forbidden` when the bot may not post there (Slack's not_in_channel).
    virtual boost::asio::awaitable<ApiResult<void>> post(Conversation where, Reply reply) = 0;
    // A message to one person alone (a direct message; the shell prints it).
    virtual boost::asio::awaitable<ApiResult<void>> tell(Actor person, Reply reply) = 0;
    // How a message points its readers to a conversation: by the channel's id, which Slack and Discord
    // link; a platform that links by name looks the name up (a failed lookup names the id).
    virtual boost::asio::awaitable<Mention> link_to(Conversation where) {
        co_return channel_mention(std::move(where.platform), std::move(where.channel));
    }
};

// An invitation sent through the bot, remembered until it is accepted or disappears, so that the channel
// it was made in hears which.
struct Invitation {
    std::string database;
    std::string email;
    std::string collaborator_id;  // the pending collaborator the invitation created upstream
    Actor inviter;                // with the channel it was made in
    TimePoint at;
};

// What became of a remembered invitation.
// withdrawn: revoked through the bot itself (a removal, a resend), which said so when it did it.
enum class InvitationFate { accepted, vanished, withdrawn };

// The invitations made through the bot, kept across restarts and shared by instances.
class InvitationLog {
public:
    virtual ~InvitationLog() = default;
    // Remembers one (again: the same database and collaborator id replaces what was kept). A store may
    // return before it is written, as long as later calls see it. Not remembered, the invitation still
    // stands: only its acceptance goes unannounced, so nobody waits to hear that it failed.
    virtual boost::asio::awaitable<void> remember(Invitation invitation) = 0;
    // Those of `platform` whose fate is not known yet, oldest first.
    virtual boost::asio::awaitable<ApiResult<std::vector<Invitation>>> pending(std::string platform) = 0;
    // Records its fate, once: true for the one caller that did, false when it was known already (another
    // instance, an earlier round). Called before the notice goes out, so that it goes out once.
    virtual boost::asio::awaitable<ApiResult<bool>> settle(std::string database, std::string collaborator_id,
                                                           InvitationFate fate, TimePoint at) = 0;
    // Settles it as withdrawn (revoked through the bot, which says so itself) with nobody waiting for
    // the outcome: a store may return before it is written, as long as later calls see it. Not
    // settled, the watch later reports the invitation revoked or expired.
    virtual boost::asio::awaitable<void> withdraw(std::string database, std::string collaborator_id, TimePoint at) = 0;
    // Deletes the invitations settled before `settled_before` (pending ones stay whatever their age): how
    // many went.
    virtual boost::asio::awaitable<ApiResult<std::size_t>> forget_settled(TimePoint settled_before) = 0;
};

class WallClock {
public:
    virtual ~WallClock() = default;
    virtual TimePoint now() const = 0;
};

// Seals confirmation claims into a tamper-evident token and opens them again.
class Signer {
public:
    virtual ~Signer() = default;
    virtual std::string seal(std::string_view claims) const = 0;
    // The claims, or nothing when the token was not sealed by this key.
    virtual std::optional<std::string> open(std::string_view token) const = 0;
};

}  // namespace collab
