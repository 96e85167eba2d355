#include "adapters/chat/mattermost/directory.hpp"

namespace collab::mattermost {

namespace {

ApiError lookup_failure(const MattermostError& error) {
    ApiErrorKind kind = ApiErrorKind::transient;
    if (error.status == 0 && error.message == "timeout") kind = ApiErrorKind::timeout;
    if (error.status == 429) kind = ApiErrorKind::rate_limited;
    if (error.status == 401 || error.status == 403) kind = ApiErrorKind::unauthorized;
    if (error.status == 404) kind = ApiErrorKind::not_found;
    return ApiError{kind, "Mattermost could not say who you are (" + error.message + ")", error.retry_after};
}

}  // namespace

boost::asio::awaitable<ApiResult<std::optional<std::string>>> MattermostDirectory::email_of(const Actor& actor) {
    if (auto mapped = directory::mapped_email(overrides_, actor)) co_return mapped;
    auto email = co_await rest_.user_email(actor.user_id);
    if (!email) co_return std::unexpected(lookup_failure(email.error()));
    co_return std::move(*email);
}

}  // namespace collab::mattermost
