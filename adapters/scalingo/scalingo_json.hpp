#pragma once
// Scalingo's JSON bodies, decoded with simdjson into the domain's types. Nothing when a body does
// not have the shape the reference gives.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace collab::scalingo {

std::optional<Database> parse_app(std::string_view body);                             // {"app":{…}}
std::optional<std::vector<Database>> parse_apps(std::string_view body);               // {"apps":[…]}
std::optional<std::vector<Collaborator>> parse_collaborators(std::string_view body);  // {"collaborators":[…]}
std::optional<Collaborator> parse_collaborator(std::string_view body);                // {"collaborator":{…}}
std::optional<Account> parse_user(std::string_view body);                             // {"user":{…}}
std::optional<std::string> parse_exchanged_token(std::string_view body);              // {"token":"…"}

// The field messages of a 422 {"errors":{"field":["msg",…]}}, as "field msg; field msg".
std::optional<std::string> parse_validation_errors(std::string_view body);
// The "error" of {"error":"…"} bodies.
std::optional<std::string> parse_error_message(std::string_view body);
// The "resource" of a 404 {"resource":"app","error":"not found"}.
std::optional<std::string> parse_not_found_resource(std::string_view body);

// The JWT's exp claim, read without checking the signature (the client only needs to know when to
// exchange again).
std::optional<TimePoint> jwt_expiry(std::string_view jwt);

// The JSON body of an invitation: always an explicit "is_limited": false, since Scalingo defaults
// an absent flag to a Limited Collaborator.
std::string invitation_body(std::string_view email);

}  // namespace collab::scalingo
