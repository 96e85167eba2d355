#pragma once
// Slack user ids to Scalingo e-mails: the configuration's map first (to override or complete what
// Slack knows), then the e-mail on the user's Slack profile (users.info, scope users:read.email),
// cached so that a busy user costs one lookup, and looked up once when many commands arrive at once.

#include <spdlog/logger.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adapters/chat/slack/web_api.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/scalingo/single_flight.hpp"
#include "core/ports.hpp"

namespace collab::slack {

struct DirectorySettings {
    directory::IdentityMap overrides;             // [identities]
    std::chrono::seconds ttl{600};                // a profile e-mail is reused this long
    std::chrono::seconds miss_ttl{60};            // "no e-mail" (or a failed lookup) this long
    std::chrono::seconds shared_lookup_wait{10};  // the longest wait for a lookup another command began
};

class SlackDirectory final : public Directory {
public:
    SlackDirectory(WebApi& api, DirectorySettings settings, std::shared_ptr<spdlog::logger> logger);

    boost::asio::awaitable<ApiResult<std::optional<std::string>>> email_of(const Actor& actor) override;

private:
    boost::asio::awaitable<ApiResult<std::optional<std::string>>> look_up(std::string user_id);

    WebApi& api_;
    DirectorySettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    scalingo::TtlCache<std::string> found_;
    scalingo::TtlCache<bool> missing_;
    scalingo::SingleFlight<ApiResult<std::optional<std::string>>> lookups_;
};

}  // namespace collab::slack
