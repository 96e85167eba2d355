#include "adapters/sandbox/routes.hpp"

#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <expected>
#include <optional>

#include "adapters/sandbox/jwt.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "core/format.hpp"

namespace collab::sandbox {
namespace http = boost::beast::http;
namespace json = boost::json;
namespace urls = boost::urls;
namespace {

// Scalingo's answer when a signed-in account lacks rights on an app.
constexpr std::string_view not_authorized = "You are not authorized to do this operation";

enum class Route {
    token_exchange,
    users_self,
    regions,
    apps,
    collaboration,
    app,
    addons,
    collaborators,
    collaborator,
    unmatched,
};

struct Match {
    Route route = Route::unmatched;
    std::string app;
    std::string id;
};

struct RouteSpec {
    std::string_view path;  // the template that names the route in the counters
    std::vector<http::verb> methods;
};

const RouteSpec& spec_of(Route route) {
    static const RouteSpec specs[] = {
        {"/v1/tokens/exchange", {http::verb::post}},
        {"/v1/users/self", {http::verb::get}},
        {"/v1/regions", {http::verb::get}},
        {"/v1/apps", {http::verb::get}},
        {"/v1/apps/collaboration", {http::verb::get}},
        {"/v1/apps/{app}", {http::verb::get}},
        {"/v1/apps/{app}/addons", {http::verb::get}},
        {"/v1/apps/{app}/collaborators", {http::verb::get, http::verb::post}},
        {"/v1/apps/{app}/collaborators/{id}", {http::verb::patch, http::verb::delete_}},
        {"", {}},
    };
    return specs[static_cast<std::size_t>(route)];
}

// The route of a request target's decoded path segments. go-scalingo appends "?" to every GET and
// DELETE, and a base URL ending in "/" makes "//v1/…": the query is left aside and empty segments are
// skipped, so both are accepted.
Match match(const urls::url_view& target) {
    std::vector<std::string> s;
    for (std::string segment : target.segments()) {
        if (!segment.empty()) s.push_back(std::move(segment));
    }
    const std::size_t n = s.size();
    if (n < 2 || s[0] != "v1") return {};
    if (n == 3 && s[1] == "tokens" && s[2] == "exchange") return {Route::token_exchange, "", ""};
    if (n == 3 && s[1] == "users" && s[2] == "self") return {Route::users_self, "", ""};
    if (n == 2 && s[1] == "regions") return {Route::regions, "", ""};
    if (s[1] != "apps") return {};
    if (n == 2) return {Route::apps, "", ""};
    if (n == 3 && s[2] == "collaboration") return {Route::collaboration, "", ""};
    if (n == 3) return {Route::app, s[2], ""};
    if (n == 4 && s[3] == "addons") return {Route::addons, s[2], ""};
    if (n == 4 && s[3] == "collaborators") return {Route::collaborators, s[2], ""};
    if (n == 5 && s[3] == "collaborators") return {Route::collaborator, s[2], s[4]};
    return {};
}

// ---- responses ----

RouteResponse json_response(unsigned status, const json::value& body) {
    return RouteResponse{status, json::serialize(body), {}};
}

RouteResponse error_response(unsigned status, std::string_view message) {
    return json_response(status, json::object{{"error", message}});
}

RouteResponse not_found(std::string_view resource) {
    return json_response(404, json::object{{"resource", resource}, {"error", "not found"}});
}

RouteResponse invalid(std::string_view field, std::string_view message) {
    return json_response(422, json::object{{"errors", json::object{{field, json::array{json::string(message)}}}}});
}

RouteResponse limited_on_dedicated() {
    return invalid("is_limited", "is not available for Dedicated Resources databases: their only role is Collaborator");
}

// For the errors of store calls that the route did not rule out beforehand.
RouteResponse from_store_error(const ApiError& error, std::string_view resource) {
    switch (error.kind) {
        case ApiErrorKind::not_found: return not_found(resource);
        case ApiErrorKind::not_member: return not_found("collaborator");
        case ApiErrorKind::already_member: return error_response(409, error.message);
        case ApiErrorKind::invalid_input: return invalid("base", error.message);
        case ApiErrorKind::unauthorized:
        case ApiErrorKind::forbidden: return error_response(401, not_authorized);
        default: return error_response(503, error.message);
    }
}

json::object owner_json(const Account& owner) {
    return json::object{{"id", owner.id}, {"username", owner.username}, {"email", owner.email}};
}

json::object app_json(const AppRecord& app) {
    json::object flags;
    // The mark of a Dedicated Resources database; ordinary apps carry no such flag.
    if (app.database.dedicated) flags["dedicated-database"] = true;
    const std::string created = format_rfc3339(app.created_at);
    return json::object{{"id", app.id},
                        {"name", app.database.name},
                        {"region", region_name},
                        {"status", "running"},
                        {"created_at", created},
                        {"updated_at", created},
                        {"flags", std::move(flags)},
                        {"owner", owner_json(app.database.owner)}};
}

json::object addon_json(const AppRecord& app) {
    const std::string suffix = app.id.starts_with("ap-") ? app.id.substr(3) : app.id;
    return json::object{{"id", "ad-" + suffix},
                        {"app_id", app.id},
                        {"resource_id", app.database.name},
                        {"status", "running"},
                        {"provisioned_at", format_rfc3339(app.created_at)},
                        {"plan", json::object{{"id", "pl-sandbox-dedicated"},
                                              {"name", "dedicated-sandbox"},
                                              {"display_name", "Dedicated Resources (sandbox)"}}},
                        {"addon_provider", json::object{{"id", "postgresql"}, {"name", "PostgreSQL"}}}};
}

json::object collaborator_json(const CollaboratorRecord& record) {
    const Collaborator& c = record.collaborator;
    const bool accepted = c.status == Status::accepted;
    json::object object{{"id", c.id}, {"email", c.email}};
    object["user_id"] = record.user_id ? json::value(*record.user_id) : json::value(nullptr);
    // "n/a", null and null while pending are what Scalingo itself sends.
    object["username"] = accepted ? c.username : "n/a";
    object["tfa_status"] = accepted ? json::value(false) : json::value(nullptr);
    object["status"] = to_string(c.status);
    object["is_limited"] = c.limited;
    object["invitation_link"] = accepted ? std::string() : record.invitation_link;
    object["app_id"] = record.app_id;
    object["app_name"] = record.app_name;
    return object;
}

json::object user_json(const Account& account) {
    return json::object{{"id", account.id},
                        {"username", account.username},
                        {"email", account.email},
                        {"fullname", account.username},
                        {"flags", json::object{}}};
}

// ---- request pieces ----

bool starts_with_scheme(std::string_view header, std::string_view scheme) {
    if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
    return std::equal(scheme.begin(), scheme.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// The signed-in account of a bearer request, or the 401 to answer. Messages never echo the token.
std::expected<Account, RouteResponse> authenticate(SandboxStore& store, const RouteRequest& request,
                                                   const RouteContext& context) {
    const std::string_view header = trimmed(request.authorization);
    if (!starts_with_scheme(header, "Bearer"))
        return std::unexpected(error_response(
            401, "authentication required: send Authorization: Bearer <token from POST /v1/tokens/exchange>"));
    auto claims = context.token_issuer ? decode_jwt(trimmed(header.substr(6)), *context.token_issuer) : std::nullopt;
    if (!claims) return std::unexpected(error_response(401, "invalid token"));
    if (claims->expires_at <= context.now) return std::unexpected(error_response(401, "token expired"));
    auto account = store.account_by_id(claims->account_id);
    if (!account) return std::unexpected(error_response(401, "invalid token"));
    return std::move(*account);
}

// The API token of "Basic base64(user ":" token)"; Scalingo's clients leave the user name empty.
std::optional<std::string> basic_password(std::string_view header) {
    header = trimmed(header);
    if (!starts_with_scheme(header, "Basic")) return std::nullopt;
    std::string encoded(trimmed(header.substr(5)));
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    for (char& c : encoded) c = c == '+' ? '-' : c == '/' ? '_' : c;
    auto decoded = security::base64url_decode(encoded);
    if (!decoded) return std::nullopt;
    const auto colon = decoded->find(':');
    return colon == std::string::npos ? *decoded : decoded->substr(colon + 1);
}

// The "collaborator" object of an invite or PATCH body, or the 400 to answer.
std::expected<json::object, RouteResponse> collaborator_body(std::string_view body) {
    boost::system::error_code error;
    json::value value = json::parse(body, error);
    if (error || !value.is_object()) return std::unexpected(error_response(400, "the body is not a JSON object"));
    json::value* inner = value.as_object().if_contains("collaborator");
    if (inner == nullptr || !inner->is_object())
        return std::unexpected(error_response(400, R"(the body must be {"collaborator":{…}})"));
    return std::move(inner->as_object());
}

// ---- handlers ----

RouteResponse token_exchange(SandboxStore& store, const RouteRequest& request, const RouteContext& context) {
    // The body ({} from Scalingo's clients) carries nothing the exchange needs.
    auto token = basic_password(request.authorization);
    if (!token) return error_response(401, R"(send the API token as Authorization: Basic base64(":" + token))");
    auto account = store.account_by_api_token(*token);
    if (!account) return error_response(401, "invalid API token");
    if (!context.token_issuer) return error_response(503, "this sandbox issues no tokens");
    return json_response(
        200, json::object{{"token", make_jwt(*account, context.now, context.jwt_lifetime, *context.token_issuer)}});
}

RouteResponse regions(const RouteContext& context) {
    json::object region{{"name", region_name},
                        {"display_name", "collab-bot sandbox"},
                        {"api", context.public_url},
                        {"dashboard", context.public_url},
                        {"database_api", context.public_url},
                        {"ssh", "ssh.sandbox.invalid:22"},
                        {"default", true}};
    return json_response(200, json::object{{"regions", json::array{std::move(region)}}});
}

RouteResponse list_apps(SandboxStore& store, const Account& account) {
    json::array apps;
    for (const auto& app : store.apps_visible_to(account.id)) apps.push_back(app_json(app));
    return json_response(200, json::object{{"apps", std::move(apps)}});
}

RouteResponse accept_invitation(SandboxStore& store, const Account& account, const urls::url_view& target) {
    // A form's "+" is a space, as the query of a link followed from an e-mail may carry.
    const urls::params_view params = target.params(urls::encoding_opts(true));
    const auto token = params.find("token");
    if (token == params.end() || (*token).value.empty())
        return error_response(400, "the invitation token is missing: ?token=…");
    auto app = store.accept_as((*token).value, account.id);
    if (!app) return from_store_error(app.error(), "collaborator");
    return json_response(200, json::object{{"app", app_json(*app)}});
}

RouteResponse list_collaborators(SandboxStore& store, const std::string& app) {
    json::array list;
    for (const auto& record : store.collaborator_records(app)) list.push_back(collaborator_json(record));
    return json_response(200, json::object{{"collaborators", std::move(list)}});
}

RouteResponse invite(SandboxStore& store, const AppRecord& app, const RouteRequest& request) {
    auto body = collaborator_body(request.body);
    if (!body) return body.error();
    const json::value* email_value = body->if_contains("email");
    if (email_value == nullptr || email_value->is_null() ||
        (email_value->is_string() && email_value->as_string().empty()))
        return invalid("email", "can't be blank");
    if (!email_value->is_string()) return invalid("email", "is invalid");
    const std::string email(email_value->as_string());

    // Absent means Limited Collaborator on Scalingo, except on a Dedicated Resources database, whose one
    // role is Collaborator: that is how old clients, which never send the flag, invite there.
    bool limited = !app.database.dedicated;
    if (const json::value* flag = body->if_contains("is_limited"); flag != nullptr && !flag->is_null()) {
        if (!flag->is_bool()) return invalid("is_limited", "must be true or false");
        limited = flag->as_bool();
    }
    if (auto problem = store.invite_problem(app.database, email, limited)) {
        switch (problem->refusal) {
            case InviteRefusal::invalid_email: return invalid("email", "is invalid");
            case InviteRefusal::limited_on_dedicated: return limited_on_dedicated();
            case InviteRefusal::owner: return invalid("email", "is the owner of this app");
            case InviteRefusal::already_collaborator: return invalid("email", "is already a collaborator of this app");
        }
    }

    auto invited = store.invite(app.database.name, email, limited);
    if (!invited) return from_store_error(invited.error(), "app");
    auto record = store.find_collaborator_record(app.database.name, invited->id);
    if (!record) return not_found("collaborator");
    return json_response(201, json::object{{"collaborator", collaborator_json(*record)}});
}

RouteResponse change_role(SandboxStore& store, const AppRecord& app, const std::string& id,
                          const RouteRequest& request) {
    auto body = collaborator_body(request.body);
    if (!body) return body.error();
    const json::value* flag = body->if_contains("is_limited");
    if (flag == nullptr || !flag->is_bool()) return invalid("is_limited", "must be true or false");
    if (flag->as_bool() && app.database.dedicated) return limited_on_dedicated();
    auto changed = store.set_limited(app.database.name, id, flag->as_bool());
    if (!changed) return from_store_error(changed.error(), "collaborator");
    return json_response(200, json::object{{"collaborator", collaborator_json(*changed)}});
}

RouteResponse app_route(SandboxStore& store, const Match& m, const RouteRequest& request, const Account& account) {
    auto app = store.find_app(m.app);
    if (!app) return not_found("app");
    const auto role = store.role_of(m.app, account.id);
    if (!role) return error_response(401, not_authorized);
    const bool may_manage = *role != AppRole::limited_collaborator;

    switch (m.route) {
        case Route::app: return json_response(200, json::object{{"app", app_json(*app)}});
        case Route::addons: {
            json::array addons;
            if (app->database.dedicated) addons.push_back(addon_json(*app));  // the database itself
            return json_response(200, json::object{{"addons", std::move(addons)}});
        }
        case Route::collaborators:
            if (request.method == http::verb::get) return list_collaborators(store, m.app);
            if (!may_manage) return error_response(401, not_authorized);
            return invite(store, *app, request);
        case Route::collaborator: {
            auto record = store.find_collaborator_record(m.app, m.id);
            if (!record) return not_found("collaborator");
            if (request.method == http::verb::patch) {
                if (!may_manage) return error_response(401, not_authorized);
                return change_role(store, *app, m.id, request);
            }
            // Leaving is deleting one's own entry, which any collaborator may do.
            const bool self = record->user_id == account.id;
            if (!may_manage && !self) return error_response(401, not_authorized);
            auto removed = store.remove(m.app, m.id);
            if (!removed) return from_store_error(removed.error(), "collaborator");
            return RouteResponse{204, "", {}};
        }
        default: return error_response(404, "not found");
    }
}

RouteResponse dispatch(SandboxStore& store, const RouteRequest& request, const RouteContext& context) {
    const auto target = urls::parse_origin_form(request.target);
    if (!target) return error_response(400, "the request target is not a path with an optional query");
    const Match m = match(*target);
    if (m.route == Route::unmatched) return error_response(404, "not found");
    const RouteSpec& spec = spec_of(m.route);
    if (std::find(spec.methods.begin(), spec.methods.end(), request.method) == spec.methods.end()) {
        RouteResponse response = error_response(405, "method not allowed");
        std::string allow;
        for (auto method : spec.methods) allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(method));
        response.headers.emplace_back("Allow", std::move(allow));
        return response;
    }
    if (m.route == Route::token_exchange) return token_exchange(store, request, context);
    if (m.route == Route::regions) return regions(context);

    auto account = authenticate(store, request, context);
    if (!account) return account.error();
    switch (m.route) {
        case Route::users_self: return json_response(200, json::object{{"user", user_json(*account)}});
        case Route::apps: return list_apps(store, *account);
        case Route::collaboration: return accept_invitation(store, *account, *target);
        default: return app_route(store, m, request, *account);
    }
}

}  // namespace

std::string route_key(http::verb method, std::string_view target) {
    const auto parsed = urls::parse_origin_form(target);
    const Match m = parsed ? match(*parsed) : Match{};
    if (m.route == Route::unmatched) return "unmatched";
    return std::string(http::to_string(method)) + " " + std::string(spec_of(m.route).path);
}

RouteResponse handle_route(SandboxStore& store, const RouteRequest& request, const RouteContext& context) {
    try {
        return dispatch(store, request, context);
    } catch (const std::exception& e) {
        // SQLite busy or broken: a transient failure for the client, as Scalingo's 503s are.
        return error_response(503, std::string("the sandbox state cannot be used right now (") + e.what() + ")");
    }
}

}  // namespace collab::sandbox
