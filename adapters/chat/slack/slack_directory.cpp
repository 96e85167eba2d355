#include "adapters/chat/slack/slack_directory.hpp"

namespace collab::slack {
namespace asio = boost::asio;

SlackDirectory::SlackDirectory(WebApi& api, DirectorySettings settings, std::shared_ptr<spdlog::logger> logger)
    : api_(api),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      found_(settings_.ttl),
      missing_(settings_.miss_ttl),
      lookups_(settings_.shared_lookup_wait,
               std::unexpected(ApiError{ApiErrorKind::timeout,
                                        "Slack did not say who you are in time; try again "
                                        "in a moment."})) {}

namespace {

// What a person is told when Slack could not say who they are: the cause, and who can fix it.
ApiError lookup_error(const SlackError& error) {
    const std::string& code = error.error;
    if (code == "missing_scope")
        return ApiError{ApiErrorKind::forbidden,
                        "Slack does not let the bot read the e-mail on your profile: the app needs the "
                        "users:read.email scope. An admin of the bot can add it and reinstall the app."};
    if (code == "invalid_auth" || code == "not_authed" || code == "token_revoked" || code == "account_inactive")
        return ApiError{ApiErrorKind::unauthorized,
                        "Slack refused the bot's token (SLACK_BOT_TOKEN) when the bot asked who you are; an "
                        "admin of the bot should check it."};
    if (code == "ratelimited")
        return ApiError{ApiErrorKind::rate_limited, "Slack is asking the bot to slow down; try again in a moment.",
                        error.retry_after};
    return ApiError{ApiErrorKind::transient, "Slack did not say who you are (" + code + "); try again in a moment."};
}

}  // namespace

asio::awaitable<ApiResult<std::optional<std::string>>> SlackDirectory::email_of(const Actor& actor) {
    if (auto configured = directory::mapped_email(settings_.overrides, actor)) co_return configured;
    // Slack user ids are unique across workspaces (Enterprise Grid shares them), so the id is the key.
    if (auto email = found_.get(actor.user_id)) co_return std::optional<std::string>{std::move(*email)};
    if (missing_.get(actor.user_id)) co_return std::optional<std::string>{};
    std::string user_id = actor.user_id;
    decltype(lookups_)::Fetch fetch = [this, user_id] { return look_up(user_id); };
    co_return co_await lookups_.run(user_id, std::move(fetch));
}

asio::awaitable<ApiResult<std::optional<std::string>>> SlackDirectory::look_up(std::string user_id) {
    auto email = co_await api_.user_email(user_id);
    if (email && *email) {
        found_.put(user_id, **email);
        co_return std::optional<std::string>{**email};
    }
    // No such member, or a profile without an e-mail (a bot): not linked, for a while.
    if (email || email.error().error == "user_not_found") {
        logger_->info("slack: the Slack profile of {} shows no e-mail", user_id);
        missing_.put(user_id, true);
        co_return std::optional<std::string>{};
    }
    logger_->warn("slack: users.info for {} failed ({})", user_id, email.error().error);
    co_return std::unexpected(lookup_error(email.error()));
}

}  // namespace collab::slack
