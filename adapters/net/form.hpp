#pragma once
// application/x-www-form-urlencoded bodies, as Slack and Mattermost post slash commands.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace collab::net {

// The decoded fields of a form body (a space may be '+'); the first of a repeated name wins. Nothing
// when the body is not a well-formed form (a bad %-escape, say).
std::optional<std::map<std::string, std::string, std::less<>>> form_fields(std::string_view body);

}  // namespace collab::net
