#include "adapters/chat/slack/slack_directory.hpp"

namespace collab::slack {
namespace asio = boost::asio;

SlackDirectory::SlackDirectory(WebApi& api, DirectorySettings settings, std::shared_ptr<spdlog::logger> logger)
    : api_(api),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      found_(settings_.ttl),
      missing_(settings_.miss_ttl) {}

asio::awaitable<std::optional<std::string>> SlackDirectory::email_of(const Actor& actor) {
    if (auto configured = settings_.overrides.find(actor.user_id); configured != settings_.overrides.end())
        co_return configured->second;
    // Slack user ids are unique across workspaces (Enterprise Grid shares them), so the id is the key.
    if (auto email = found_.get(actor.user_id)) co_return email;
    if (missing_.get(actor.user_id)) co_return std::nullopt;
    std::string user_id = actor.user_id;
    decltype(lookups_)::Fetch fetch = [this, user_id] { return look_up(user_id); };
    co_return co_await lookups_.run(user_id, std::move(fetch));
}

asio::awaitable<std::optional<std::string>> SlackDirectory::look_up(std::string user_id) {
    auto email = co_await api_.user_email(user_id);
    if (email && *email) {
        found_.put(user_id, **email);
        co_return *email;
    }
    if (!email)
        logger_->warn("slack: users.info for {} failed ({}){}", user_id, email.error().error,
                      email.error().error == "missing_scope" ? ": the app needs the users:read.email scope" : "");
    else
        logger_->info("slack: the Slack profile of {} shows no e-mail", user_id);
    // A passing failure is asked again next time; an answer about the user or the app is kept a while.
    const bool passing = !email && (email.error().error == "timeout" || email.error().error == "unreachable" ||
                                    email.error().error == "ratelimited" || email.error().error.starts_with("http_5"));
    if (!passing) missing_.put(user_id, true);
    co_return std::nullopt;
}

}  // namespace collab::slack
