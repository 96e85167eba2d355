#pragma once
// The one place where a command is carried out: parse -> identify -> snapshot -> decide ->
// execute -> audit -> reply.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

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

struct ServiceSettings {
    Rules rules;
    std::chrono::seconds confirmation_ttl{300};
    int audit_rows = 20;
    // Addresses one `add` may invite: more is refused before anything is looked up or sent.
    std::size_t max_addresses_per_add = 10;
};

class CommandService {
public:
    CommandService(CollaboratorsApi& api, Directory& directory, AuditLog& audit, const WallClock& clock,
                   const Signer& signer, UsedTokens& used, ServiceSettings settings);

    // The reply, with what was decided about the command in its `decision`.
    boost::asio::awaitable<Reply> handle(ChatRequest request);

private:
    // The reply alone; `actor` gains the Scalingo e-mail when the directory knows it.
    boost::asio::awaitable<Reply> answer(Actor& actor, const std::expected<Command, UsageError>& command, bool resumed);
    DecisionNote decision_of(const Actor& actor, const std::expected<Command, UsageError>& command,
                             const Reply& reply) const;

    // One handler per command (`resumed`: see ChatRequest); a command without one does not compile.
    boost::asio::awaitable<Reply> execute(Actor& actor, const ListCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const AddCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const RemoveCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const LeaveCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const WhoamiCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const AuditCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const HelpCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const ConfirmCommand& command, bool resumed);
    boost::asio::awaitable<Reply> execute(Actor& actor, const DatabasesCommand& command, bool resumed);

    // Resolves the actor's Scalingo e-mail through the directory; the reply when it could not say.
    boost::asio::awaitable<std::optional<Reply>> identify(Actor& actor);
    // The proposal of a removal (`remove`) or of leaving (`leave`) of `target`.
    boost::asio::awaitable<Reply> propose_removal(const Actor& actor, const Command& command, std::string target);
    // The removal a genuine, unused confirmation asks for (`resumed`: taken over from an instance that
    // may have carried it out already); `executed` says whether it took place.
    boost::asio::awaitable<Reply> carry_out(const Actor& actor, const ConfirmationClaims& claims, bool resumed,
                                            bool& executed);

    boost::asio::awaitable<ApiResult<DatabaseSnapshot>> snapshot(const std::string& database);
    // Snapshot and decision together; a reply when the command must stop there.
    boost::asio::awaitable<std::expected<DatabaseSnapshot, Reply>> authorise(const Actor& actor,
                                                                             const Command& command);
    boost::asio::awaitable<ApiResult<std::string>> service_account();
    // False when the trail could not be written: changes must not go ahead unrecorded.
    boost::asio::awaitable<bool> record(const Actor& actor, std::string_view action, std::string_view database,
                                        std::string_view target, AuditOutcome outcome, std::string detail = {});

    CollaboratorsApi& api_;
    Directory& directory_;
    AuditLog& audit_;
    const WallClock& clock_;
    const Signer& signer_;
    UsedTokens& used_;
    ServiceSettings settings_;
    std::optional<std::string> service_account_;
};

}  // namespace collab
