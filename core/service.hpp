#pragma once
// The one place where a command is carried out: parse -> identify -> snapshot -> decide ->
// execute -> audit -> reply.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/access_request.hpp"
#include "core/command.hpp"
#include "core/confirmation.hpp"
#include "core/policy.hpp"
#include "core/ports.hpp"
#include "core/render.hpp"

namespace collab {

struct ChatRequest {
    Actor actor;
    std::string text;  // what followed /collab, with platform markup already undone
    // The same request again, because the instance that first took it died before answering: what it
    // may already have done upstream is reported as done, not done twice.
    bool resumed = false;
};

// A click on a proposal's Confirm or Cancel button: the confirmation its token carries, handed over
// as such (never as command text to parse again). An access request card's Approve and Deny buttons
// come the same way, their token being the request's (Deny as `cancel`).
struct ConfirmationRequest {
    Actor actor;
    std::string token;
    bool cancel = false;   // the Cancel button: the proposal is dropped, nothing is done
    bool resumed = false;  // as ChatRequest::resumed
};

// What the service made of one request, so that an adapter needs to parse or open nothing again:
// the reply, which command it was, and for a confirmation, what it confirms.
struct Outcome {
    SharedReply reply;
    DecisionNote decision;  // for the one log line about it
    // The command's name ("list", "confirm", …), "cancel" for a Cancel click, "?" when typed wrong.
    std::string_view command = "?";
    // For a confirmation (typed or clicked) whose token is genuine: the action it confirms.
    std::optional<ConfirmAction> confirms;
    // For a click: whether the clicker is the person the proposal was made to. A click by anyone else
    // leaves the proposal as it is, and its refusal is for the clicker alone.
    // For an access request's card, whether the clicker may decide it: anyone else's click is refused
    // for them alone and the card stays.
    bool by_proposer = true;
    // The click settled an access request's card, which the channel already sees: the card's
    // replacement is the announcement.
    bool settles_card = false;

    // The command whose visibility settings apply: a confirmation follows what it confirms.
    std::string_view subject() const;
};

struct ServiceSettings {
    Rules rules;
    std::chrono::seconds confirmation_ttl{300};
    int audit_rows = 20;
    // Addresses one `add` may invite: more is refused before anything is looked up or sent.
    std::size_t max_addresses_per_add = 10;
    // Whether allowed reads (list, whoami, dbs, access, help, audit) go to the audit trail too; denials,
    // proposals, changes and failures always do.
    bool record_reads = false;
    // How long an access request stays open: its card's buttons work until then, and its requester
    // cannot ask again for the same database before (one open request per database per person).
    std::chrono::seconds request_ttl{900};
    // Whether the lines announcing a change name who made it: off where one person reads everything
    // (the shell), whose lines stay as Scalingo's CLI prints them.
    bool name_actors = true;
};

class CommandService {
public:
    // `invitations`: where the invitations sent are remembered for the watch to announce (none: not remembered).
    CommandService(CollaboratorsApi& api, Directory& directory, AuditLog& audit, const WallClock& clock,
                   const Signer& signer, UsedTokens& used, ServiceSettings settings,
                   InvitationLog* invitations = nullptr);

    // A command typed after /collab: parsed once, carried out, and told.
    boost::asio::awaitable<Outcome> handle(ChatRequest request);
    // A click on a proposal's button; its token is opened once.
    boost::asio::awaitable<Outcome> handle(ConfirmationRequest request);
    // The names of the databases `actor` may act on (as owner or accepted collaborator; all those the
    // channel sees, for an admin), for a chat client's suggestions as the person types: nothing for
    // someone the directory does not know, or when the upstream cannot say. Neither audited nor a
    // command: it changes nothing and tells nothing `dbs` would not.
    boost::asio::awaitable<std::vector<std::string>> manageable_databases(Actor actor);

    // Where access request cards go when the channel rules bind the database to another channel than
    // the requester's; without one such requests are refused, saying so.
    void announce_through(Announcer& announcer) { announcer_ = &announcer; }

private:
    // What handling one request learns on the way: who asks (gaining the Scalingo e-mail when the
    // directory knows it), and the claims of the token a confirmation carries, read once.
    struct Context {
        Actor actor;
        bool resumed = false;
        std::optional<ConfirmationClaims> claims;
        bool token_opened = {};  // claims (or request) hold what the token holds, read already
        // The same for an access request's token, and whether the decision settles its card.
        std::optional<RequestClaims> request = {};
        bool settles_card = {};
    };

    Outcome outcome(Context& context, const std::expected<Command, UsageError>& command, SharedReply reply) const;

    // One handler per command; a command without one does not compile.
    boost::asio::awaitable<SharedReply> execute(Context& context, const ListCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const AddCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const RemoveCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const LeaveCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const WhoamiCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const AuditCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const HelpCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const ConfirmCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const DatabasesCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const AccessCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const RequestCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const ApproveCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const DenyCommand& command);

    // Approves or denies the access request in context.request (read once), for the person deciding.
    boost::asio::awaitable<Reply> decide_request(Context& context, bool approve);
    // Tells a requester the answer where the card's replacement does not (the card was elsewhere).
    boost::asio::awaitable<void> tell_requester(const RequestClaims& claims, Reply reply);
    boost::asio::awaitable<SharedReply> execute(Context& context, const OffboardCommand& command);
    boost::asio::awaitable<SharedReply> execute(Context& context, const ResendCommand& command);

    // Resolves the actor's Scalingo e-mail through the directory; the reply when it could not say.
    boost::asio::awaitable<std::optional<Reply>> identify(Actor& actor);
    // The proposal of a removal (`remove`) or of leaving (`leave`) of `target`.
    boost::asio::awaitable<Reply> propose_removal(const Actor& actor, const Command& command, std::string target);
    // The removal a genuine, unused confirmation asks for (`resumed`: taken over from an instance that
    // may have carried it out already); `executed` says whether it took place.
    boost::asio::awaitable<Reply> carry_out(const Actor& actor, const ConfirmationClaims& claims, bool resumed,
                                            bool& executed);
    // The removals an offboarding's confirmation asks for, one line for each database; `executed`
    // says whether any took place.
    boost::asio::awaitable<Reply> carry_out_offboarding(const Actor& actor, const ConfirmationClaims& claims,
                                                        bool resumed, bool& executed);
    // One confirmed removal of `seat` (the database and the collaborator record proposed), decided again
    // on what the database is now as `removal` (the command as if typed), recorded under `action`.
    boost::asio::awaitable<Reply> remove_confirmed(const Actor& actor, const Command& removal, std::string_view action,
                                                   const ConfirmationClaims& claims, const Seat& seat, bool resumed,
                                                   bool& executed);
    // The one way the bot invites someone: recorded before it is sent (nothing when the trail cannot be
    // written, and nothing is sent then) and once it succeeded; the caller records a failure.
    boost::asio::awaitable<std::optional<ApiResult<Collaborator>>> send_invitation(const Actor& actor,
                                                                                   std::string_view action,
                                                                                   const std::string& database,
                                                                                   const std::string& email);
    // Who made a change, for the line announcing it: nobody where nobody else reads it.
    const Actor* named(const Actor& actor) const { return settings_.name_actors ? &actor : nullptr; }

    // Snapshot and decision together; a reply when the command must stop there.
    boost::asio::awaitable<std::expected<CachedSnapshot, Reply>> authorise(const Actor& actor, const Command& command);
    // The same, recorded under `action` (an offboarding decides a removal from each database).
    boost::asio::awaitable<std::expected<CachedSnapshot, Reply>> authorise(const Actor& actor, const Command& command,
                                                                           std::string_view action);
    // identify(), then authorise(): for the commands about one database that need to know who asks.
    boost::asio::awaitable<std::expected<CachedSnapshot, Reply>> admit(Actor& actor, const Command& command);
    boost::asio::awaitable<ApiResult<std::string>> service_account();
    // Remembers an invitation `actor` sent, for the watch to tell their channel when it is accepted.
    // Every path that sends an invitation goes through here.
    boost::asio::awaitable<void> remember_invitation(const Actor& actor, const std::string& database,
                                                     const Collaborator& invited);
    // Settles, without a notice, an invitation the bot itself revoked.
    boost::asio::awaitable<void> forget_invitation(const std::string& database, const std::string& collaborator_id);
    // The databases the actor's channel may manage, as they are now; those the bot cannot read (gone
    // since listed, or not shared with its account) are left out. `until_member`: read a few at a time,
    // and stop once one shows the actor as its owner or an accepted collaborator (all the help needs).
    boost::asio::awaitable<ApiResult<std::vector<CachedSnapshot>>> survey(const Actor& actor,
                                                                          bool until_member = false);
    // What the actor may use now, for the help: decided from who they are and where they stand.
    boost::asio::awaitable<Audience> audience_of(Actor& actor);
    // Why `database` could not be read, in the words that help: the bot's account left off it, or a
    // name close to one the actor may see.
    boost::asio::awaitable<Reply> unreadable(const Actor& actor, const ApiError& error, const std::string& database);
    bool is_admin(const Actor& actor) const;
    AuditEntry entry(const Actor& actor, std::string_view action, std::string_view database, std::string_view target,
                     AuditOutcome outcome, std::string detail) const;
    // Written before it completes; false when the trail could not be written: changes must not go ahead
    // unrecorded.
    boost::asio::awaitable<bool> record(const Actor& actor, std::string_view action, std::string_view database,
                                        std::string_view target, AuditOutcome outcome, std::string detail = {});
    // What happened, after the fact (done, refused, proposed, read): queued, nobody waits for it.
    boost::asio::awaitable<void> record_after(const Actor& actor, std::string_view action, std::string_view database,
                                              std::string_view target, AuditOutcome outcome, std::string detail = {});

    CollaboratorsApi& api_;
    Directory& directory_;
    AuditLog& audit_;
    const WallClock& clock_;
    const Signer& signer_;
    UsedTokens& used_;
    ServiceSettings settings_;
    Announcer* announcer_ = nullptr;
    InvitationLog* invitations_;
    std::optional<std::string> service_account_;
    // Replies built from versioned state, kept while it is unchanged (their key says which version):
    // by database for `list`, by topic for `help`.
    std::map<std::string, SharedReply, std::less<>> lists_;
    std::map<std::string, SharedReply, std::less<>> helps_;
};

}  // namespace collab
