#pragma once
// Mattermost user ids to Scalingo e-mails: the configuration's map first ([identities], to override
// or complete what the server shows), then the e-mail on the user's account (GET /api/v4/users/{id}),
// which the server shows a bot only when it may see e-mails. A failed lookup is the core's to report.

#include <map>
#include <string>

#include "adapters/chat/mattermost/rest_client.hpp"
#include "adapters/directory/static_directory.hpp"
#include "core/ports.hpp"

namespace collab::mattermost {

class MattermostDirectory final : public Directory {
public:
    MattermostDirectory(RestClient& rest, directory::IdentityMap overrides)
        : rest_(rest), overrides_(std::move(overrides)) {}

    boost::asio::awaitable<ApiResult<std::optional<std::string>>> email_of(const Actor& actor) override;

private:
    RestClient& rest_;
    directory::IdentityMap overrides_;
};

}  // namespace collab::mattermost
