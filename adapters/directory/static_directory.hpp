#pragma once
// Chat identities mapped to Scalingo e-mails by the configuration ([identities]).

#include <map>
#include <optional>
#include <string>

#include "core/ports.hpp"

namespace collab::directory {

// Platform-qualified user id (qualified_user) -> Scalingo e-mail.
using IdentityMap = std::map<std::string, std::string>;

// The e-mail the map gives the actor, looked up by the platform of the request: a Discord user never
// takes the mapping of a Slack user with the same id.
inline std::optional<std::string> mapped_email(const IdentityMap& identities, const Actor& actor) {
    auto found = identities.find(qualified_user(actor));
    if (found == identities.end()) return std::nullopt;
    return found->second;
}

class StaticDirectory final : public Directory {
public:
    explicit StaticDirectory(IdentityMap identities) : identities_(std::move(identities)) {}

    boost::asio::awaitable<ApiResult<std::optional<std::string>>> email_of(const Actor& actor) override {
        co_return mapped_email(identities_, actor);
    }

private:
    IdentityMap identities_;
};

}  // namespace collab::directory
