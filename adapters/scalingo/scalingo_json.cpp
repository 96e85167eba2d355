#include "adapters/scalingo/scalingo_json.hpp"

#include <simdjson.h>
#include <boost/json.hpp>

#include "adapters/security/hmac_signer.hpp"
#include "core/epoch.hpp"

namespace collab::scalingo {
namespace {

using simdjson::dom::element;

// Parses and hands the root to `read`; the parser's memory lives only for this call.
template <typename F>
auto with_document(std::string_view body, F&& read) -> decltype(read(std::declval<element>())) {
    simdjson::dom::parser parser;
    element root;
    if (parser.parse(simdjson::padded_string(body)).get(root) != simdjson::SUCCESS) return std::nullopt;
    return read(root);
}

std::optional<std::string> string_at(element object, std::string_view key) {
    std::string_view value;
    if (object[key].get_string().get(value) != simdjson::SUCCESS) return std::nullopt;
    return std::string(value);
}

std::optional<Account> account_from(element object) {
    auto id = string_at(object, "id");
    auto email = string_at(object, "email");
    auto username = string_at(object, "username");
    if (!id || !email || !username) return std::nullopt;
    return Account{*id, *email, *username};
}

std::optional<Database> app_from(element app) {
    auto name = string_at(app, "name");
    element owner;
    if (!name || app["owner"].get(owner) != simdjson::SUCCESS) return std::nullopt;
    auto account = account_from(owner);
    if (!account) return std::nullopt;
    bool dedicated = false;
    element flags;
    if (app["flags"].get(flags) == simdjson::SUCCESS) {
        // Absent or not a boolean: an ordinary app.
        if (flags["dedicated-database"].get_bool().get(dedicated) != simdjson::SUCCESS) dedicated = false;
    }
    return Database{*name, *account, dedicated};
}

std::optional<Collaborator> collaborator_from(element object) {
    auto id = string_at(object, "id");
    auto email = string_at(object, "email");
    auto status_text = string_at(object, "status");
    if (!id || !email || !status_text) return std::nullopt;
    auto status = status_from_string(*status_text);
    if (!status) return std::nullopt;
    bool limited = false;
    if (object["is_limited"].get_bool().get(limited) != simdjson::SUCCESS) limited = false;
    // "n/a" is what the API itself sends for a pending invitation; a null username means the same.
    std::string username = string_at(object, "username").value_or("n/a");
    return Collaborator{*id, *email, username.empty() ? "n/a" : username, *status, limited};
}

// The array under `key`, every item read by `from`: all of them, or nullopt when any one is unusable.
template <typename T>
std::optional<std::vector<T>> list_at(element root, std::string_view key, std::optional<T> (*from)(element)) {
    simdjson::dom::array items;
    if (root[key].get(items) != simdjson::SUCCESS) return std::nullopt;
    std::vector<T> all;
    for (element item : items) {
        auto read = from(item);
        if (!read) return std::nullopt;
        all.push_back(std::move(*read));
    }
    return all;
}

}  // namespace

std::optional<Database> parse_app(std::string_view body) {
    return with_document(body, [](element root) -> std::optional<Database> {
        element app;
        if (root["app"].get(app) != simdjson::SUCCESS) return std::nullopt;
        return app_from(app);
    });
}

std::optional<std::vector<Database>> parse_apps(std::string_view body) {
    return with_document(body, [](element root) { return list_at(root, "apps", app_from); });
}

std::optional<std::vector<Collaborator>> parse_collaborators(std::string_view body) {
    return with_document(body, [](element root) { return list_at(root, "collaborators", collaborator_from); });
}

std::optional<Collaborator> parse_collaborator(std::string_view body) {
    return with_document(body, [](element root) -> std::optional<Collaborator> {
        element item;
        if (root["collaborator"].get(item) != simdjson::SUCCESS) return std::nullopt;
        return collaborator_from(item);
    });
}

std::optional<Account> parse_user(std::string_view body) {
    return with_document(body, [](element root) -> std::optional<Account> {
        element user;
        if (root["user"].get(user) != simdjson::SUCCESS) return std::nullopt;
        return account_from(user);
    });
}

std::optional<std::string> parse_exchanged_token(std::string_view body) {
    return with_document(body, [](element root) { return string_at(root, "token"); });
}

std::optional<std::string> parse_validation_errors(std::string_view body) {
    return with_document(body, [](element root) -> std::optional<std::string> {
        simdjson::dom::object errors;
        if (root["errors"].get(errors) != simdjson::SUCCESS) return std::nullopt;
        std::string joined;
        for (auto [field, messages] : errors) {
            simdjson::dom::array list;
            if (messages.get(list) != simdjson::SUCCESS) return std::nullopt;
            for (element message : list) {
                std::string_view text;
                if (message.get(text) != simdjson::SUCCESS) return std::nullopt;
                joined += (joined.empty() ? "" : "; ") + std::string(field) + " " + std::string(text);
            }
        }
        if (joined.empty()) return std::nullopt;  // an empty map explains nothing: malformed
        return joined;
    });
}

std::optional<std::string> parse_error_message(std::string_view body) {
    return with_document(body, [](element root) { return string_at(root, "error"); });
}

std::optional<std::string> parse_not_found_resource(std::string_view body) {
    return with_document(body, [](element root) { return string_at(root, "resource"); });
}

std::optional<TimePoint> jwt_expiry(std::string_view jwt) {
    const auto first = jwt.find('.');
    const auto second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    auto payload = security::base64url_decode(jwt.substr(first + 1, second - first - 1));
    if (!payload) return std::nullopt;
    return with_document(*payload, [](element root) -> std::optional<TimePoint> {
        // Out of a TimePoint's range (99999999999, 1e300) reads as no exp: the caller's default applies.
        int64_t exp = 0;
        if (root["exp"].get_int64().get(exp) == simdjson::SUCCESS) return from_epoch_seconds(exp);
        double real = 0;
        if (root["exp"].get_double().get(real) != simdjson::SUCCESS) return std::nullopt;
        return from_epoch_seconds(real);
    });
}

std::string invitation_body(std::string_view email) {
    return boost::json::serialize(
        boost::json::object{{"collaborator", boost::json::object{{"email", email}, {"is_limited", false}}}});
}

}  // namespace collab::scalingo
