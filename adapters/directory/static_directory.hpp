#pragma once
// Chat identities mapped to Scalingo e-mails by the configuration.

#include <map>
#include <string>

#include "core/ports.hpp"

namespace collab::directory {

class StaticDirectory final : public Directory {
public:
    explicit StaticDirectory(std::map<std::string, std::string> email_by_user_id)
        : email_by_user_id_(std::move(email_by_user_id)) {}

    boost::asio::awaitable<ApiResult<std::optional<std::string>>> email_of(const Actor& actor) override {
        auto found = email_by_user_id_.find(actor.user_id);
        if (found == email_by_user_id_.end()) co_return std::optional<std::string>{};
        co_return std::optional<std::string>{found->second};
    }

private:
    std::map<std::string, std::string> email_by_user_id_;
};

}  // namespace collab::directory
