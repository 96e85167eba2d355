#include "adapters/scalingo/scalingo_api.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "adapters/net/task_group.hpp"
#include "adapters/scalingo/call_machine.hpp"
#include "adapters/scalingo/scalingo_json.hpp"
#include "adapters/security/hmac_signer.hpp"

namespace collab::scalingo {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

namespace {

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

bool is_idempotent(http::verb method) {
    return method == http::verb::get || method == http::verb::delete_;
}

ApiError malformed(std::string_view what) {
    return ApiError{ApiErrorKind::malformed,
                    "Scalingo sent " + std::string(what) + " the bot could not understand; try again later."};
}

ApiError no_answer_in_time() {
    return ApiError{ApiErrorKind::timeout, "Scalingo did not answer in time; try again in a moment."};
}

// `setting` names where the URL of the failed call is configured, for the admin who must fix it.
ApiError from_net(const net::NetError& error, std::string_view setting) {
    if (error.permanent)
        return ApiError{ApiErrorKind::unavailable, "The bot cannot reach Scalingo (" + error.message +
                                                       "); an admin of the bot should check " + std::string(setting) +
                                                       "."};
    if (error.kind == net::NetErrorKind::timeout) return no_answer_in_time();
    return ApiError{ApiErrorKind::transient, "Cannot reach Scalingo (" + std::string(net::to_string(error.kind)) +
                                                 "): " + error.message + ". Try again in a moment."};
}

// The one key of the app list's cache and of its fetch in flight.
const std::string app_list_key = "apps";

}  // namespace

ScalingoApi::ScalingoApi(net::HttpClient& http, ScalingoSettings settings)
    : http_(http),
      settings_(std::move(settings)),
      retry_policy_{settings_.backoff, settings_.longest_wait},
      budget_(settings_.requests_per_minute, std::chrono::minutes{1}),
      exchanges_(settings_.shared_fetch_wait, std::unexpected(no_answer_in_time())),
      database_fetches_(settings_.shared_fetch_wait, std::unexpected(no_answer_in_time())),
      collaborator_fetches_(settings_.shared_fetch_wait, std::unexpected(no_answer_in_time())),
      app_list_fetches_(settings_.shared_fetch_wait, std::unexpected(no_answer_in_time())),
      app_lists_(settings_.database_ttl),
      databases_(settings_.database_ttl),
      collaborators_(settings_.collaborators_ttl),
      snapshots_(settings_.collaborators_ttl) {
    settings_.api_url = without_trailing_slash(settings_.api_url);
    // Instances with the same token share one allowance; the digest names it without revealing it.
    budget_account_ = "scalingo:" + security::base64url_encode(security::sha256(settings_.api_token)).substr(0, 22);
    settings_.auth_url = without_trailing_slash(settings_.auth_url);
}

std::string ScalingoApi::app_url(std::string_view database, std::string_view rest) const {
    return settings_.api_url + "/v1/apps/" + std::string(database) + std::string(rest);
}

asio::awaitable<ApiResult<net::HttpResponse>> ScalingoApi::perform(Call call) {
    const std::size_t exchanges_before = counters_.exchanges;
    CallState state{{is_idempotent(call.method)}, call.authenticated};
    for (;;) {
        // Never cause a 429 ourselves: past the allowance, say when to come back.
        auto wait = co_await take_from_budget();
        if (!wait) co_return std::unexpected(wait.error());
        if (*wait) {
            ++counters_.budget_refusals;
            co_return std::unexpected(ApiError{ApiErrorKind::rate_limited,
                                               "The bot has used its Scalingo request allowance for this minute.",
                                               std::chrono::ceil<std::chrono::seconds>(**wait)});
        }
        net::HttpRequest request;
        request.method = call.method;
        request.url = call.url;
        request.body = call.body;
        request.headers = {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
        if (call.authenticated) {
            auto token = co_await bearer();
            if (!token) co_return std::unexpected(token.error());
            request.headers.emplace_back("Authorization", "Bearer " + *token);
        } else {
            request.headers.emplace_back("Authorization",
                                         "Basic " + security::base64_encode(":" + settings_.api_token));
        }
        ++counters_.requests;
        auto response = co_await http_.send(std::move(request));
        if (settings_.on_answer) settings_.on_answer(response ? response->status : 0);
        if (response && response->status == call.expected_status) co_return std::move(*response);
        const CallEvent event{net::attempt_of(response), counters_.exchanges != exchanges_before};
        const CallAction action = next(retry_policy_, state, event);
        switch (action.step) {
            case CallStep::exchange_and_send: bearer_.reset(); continue;
            case CallStep::send_again: {
                ++counters_.retries;
                const auto pause = net::draw(action.wait, jitter_);
                co_await net::sleep_for(pause);
                continue;
            }
            case CallStep::stop: break;
        }
        if (!response) co_return std::unexpected(from_net(response.error(), setting_of(call.url)));
        co_return std::unexpected(error_for(*response, call, action.come_back_after));
    }
}

asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> ScalingoApi::take_from_budget() {
    if (!settings_.shared_budget) co_return budget_.try_take();
    co_return co_await settings_.shared_budget->take_request(budget_account_, settings_.requests_per_minute);
}

asio::awaitable<ApiResult<int>> ScalingoApi::requests_left() {
    if (settings_.shared_budget)
        co_return co_await settings_.shared_budget->requests_left(budget_account_, settings_.requests_per_minute);
    co_return budget_.available();
}

std::string_view ScalingoApi::setting_of(std::string_view url) const {
    const bool auth = url.starts_with(settings_.auth_url + "/");
    const bool api = url.starts_with(settings_.api_url + "/");
    if (auth && api) return "SCALINGO_API_URL and SCALINGO_AUTH_URL ([scalingo] api_url and auth_url)";
    if (auth) return "SCALINGO_AUTH_URL ([scalingo] auth_url)";
    return "SCALINGO_API_URL ([scalingo] api_url, or region)";
}

ApiError ScalingoApi::error_for(const net::HttpResponse& response, const Call& call,
                                std::optional<std::chrono::seconds> come_back_after) const {
    const unsigned status = response.status;
    const std::string code = "HTTP " + std::to_string(status);
    switch (status) {
        case 401:
            return ApiError{ApiErrorKind::unauthorized,
                            call.authenticated
                                ? "The bot's Scalingo account has no access to this, or its API token is no longer "
                                  "valid; an admin of the bot should check the account and SCALINGO_API_TOKEN."
                                : "Scalingo refused the bot's API token; an admin of the bot should check "
                                  "SCALINGO_API_TOKEN."};
        case 403:
            return ApiError{ApiErrorKind::forbidden, "Scalingo does not allow the bot's account to do this (" +
                                                         parse_error_message(response.body).value_or("forbidden") +
                                                         ")."};
        case 404:
            if (parse_not_found_resource(response.body).value_or("") == "collaborator")
                return ApiError{ApiErrorKind::not_member, "That person is no longer a collaborator of it."};
            return ApiError{ApiErrorKind::not_found, "not found"};
        case 409:
            // On an invitation, a conflict is the person already being there; elsewhere, a change that
            // crossed another one.
            if (call.method == http::verb::post && call.expected_status == 201)
                return ApiError{ApiErrorKind::already_member,
                                "Scalingo says that person is already a collaborator (" +
                                    parse_error_message(response.body).value_or("conflict") + ")."};
            return ApiError{ApiErrorKind::transient, "Scalingo reported a conflicting change (" +
                                                         parse_error_message(response.body).value_or("conflict") +
                                                         "); try again in a moment."};
        case 422:
            if (auto fields = parse_validation_errors(response.body))
                return ApiError{ApiErrorKind::invalid_input, "Scalingo refused it: " + *fields + "."};
            return malformed("a validation error (" + code + ")");
        case 429:
            return ApiError{ApiErrorKind::rate_limited, "Scalingo is receiving too many requests from the bot.",
                            come_back_after};
        default: break;
    }
    if (status >= 500)
        return ApiError{ApiErrorKind::transient, "Scalingo had a problem (" + code + "); try again in a moment."};
    return ApiError{ApiErrorKind::malformed, "Scalingo answered " + code + " where HTTP " +
                                                 std::to_string(call.expected_status) +
                                                 " was expected; nothing can be assumed about the outcome."};
}

asio::awaitable<ApiResult<std::string>> ScalingoApi::bearer() {
    if (bearer_ && Clock::now() + settings_.renew_margin < bearer_expiry_) co_return *bearer_;
    decltype(exchanges_)::Fetch fetch = [this] { return exchange(); };
    co_return co_await exchanges_.run("exchange", std::move(fetch));
}

asio::awaitable<ApiResult<std::string>> ScalingoApi::exchange() {
    ++counters_.exchanges;
    Call call{http::verb::post, settings_.auth_url + "/v1/tokens/exchange", "{}", 200, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    auto token = parse_exchanged_token(response->body);
    if (!token) co_return std::unexpected(malformed("a token exchange answer"));
    // Scalingo's bearers live an hour; one without a readable exp is taken to live that long.
    bearer_expiry_ = jwt_expiry(*token).value_or(Clock::now() + 1h);
    bearer_ = *token;
    co_return *token;
}

asio::awaitable<ApiResult<Database>> ScalingoApi::fetch_database(std::string name) {
    Call call{http::verb::get, app_url(name), "", 200};
    auto response = co_await perform(std::move(call));
    if (!response) {
        // A listed app gone or out of reach: the list is out of date too.
        const ApiErrorKind kind = response.error().kind;
        if (kind == ApiErrorKind::not_found || kind == ApiErrorKind::unauthorized || kind == ApiErrorKind::forbidden)
            app_lists_.erase(app_list_key);
        co_return std::unexpected(response.error());
    }
    auto database = parse_app(response->body);
    if (!database) co_return std::unexpected(malformed("a description of " + name));
    databases_.put(name, *database);
    co_return std::move(*database);
}

asio::awaitable<ApiResult<Database>> ScalingoApi::show_database(std::string name) {
    if (auto cached = databases_.get(name)) co_return std::move(*cached);
    decltype(database_fetches_)::Fetch fetch = [this, name] { return fetch_database(name); };
    co_return co_await database_fetches_.run("app:" + name, std::move(fetch));
}

asio::awaitable<ApiResult<std::vector<Collaborator>>> ScalingoApi::fetch_collaborators(std::string database,
                                                                                       std::uint64_t generation) {
    Call call{http::verb::get, app_url(database, "/collaborators"), "", 200};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    auto list = parse_collaborators(response->body);
    if (!list) co_return std::unexpected(malformed("a collaborator list of " + database));
    // A change made while this was in flight may be missing from it: good for this caller, not for later.
    if (collaborator_generation(database) == generation) collaborators_.put(database, *list);
    co_return std::move(*list);
}

std::uint64_t ScalingoApi::collaborator_generation(std::string_view database) const {
    auto found = collaborator_generations_.find(database);
    return found == collaborator_generations_.end() ? 0 : found->second;
}

void ScalingoApi::collaborators_changed(const std::string& database) {
    ++collaborator_generations_[database];
    collaborators_.erase(database);
    snapshots_.changed(database);
}

asio::awaitable<ApiResult<CachedSnapshot>> ScalingoApi::snapshot(std::string database) {
    if (auto kept = snapshots_.find(database)) co_return std::move(*kept);
    const auto ticket = snapshots_.ticket(database);
    auto info = co_await show_database(database);
    if (!info) co_return std::unexpected(info.error());
    auto collaborators = co_await list_collaborators(database);
    if (!collaborators) co_return std::unexpected(collaborators.error());
    DatabaseSnapshot state{std::move(*info), std::move(*collaborators)};
    co_return snapshots_.store(database, ticket, std::move(state));
}

asio::awaitable<std::vector<ApiResult<CachedSnapshot>>> ScalingoApi::snapshots(std::vector<std::string> databases) {
    // What a read that ended without an answer (an exception) leaves in its place.
    std::vector<ApiResult<CachedSnapshot>> read(databases.size(), std::unexpected(no_answer_in_time()));
    if (databases.empty()) co_return read;
    std::size_t next = 0;
    // Each reader takes the next database not taken yet, until none is left.
    auto reader = [&]() -> asio::awaitable<void> {
        while (next < databases.size()) {
            const std::size_t taken = next++;
            std::string name = databases[taken];
            read[taken] = co_await snapshot(std::move(name));
        }
    };
    net::TaskGroup readers(co_await asio::this_coro::executor);
    const std::size_t at_once = std::clamp<std::size_t>(settings_.survey_reads_at_once, 1, databases.size());
    for (std::size_t i = 0; i < at_once; ++i) readers.spawn(reader());
    co_await readers.wait();
    co_return read;
}

asio::awaitable<ApiResult<std::vector<Collaborator>>> ScalingoApi::list_collaborators(std::string database) {
    if (auto cached = collaborators_.get(database)) co_return std::move(*cached);
    const std::uint64_t generation = collaborator_generation(database);
    decltype(collaborator_fetches_)::Fetch fetch = [this, database, generation] {
        return fetch_collaborators(database, generation);
    };
    // A fetch begun before the last change is not joined: the generation is part of the key.
    std::string key = "collaborators:" + database + "#" + std::to_string(generation);
    co_return co_await collaborator_fetches_.run(std::move(key), std::move(fetch));
}

asio::awaitable<ApiResult<Collaborator>> ScalingoApi::invite(std::string database, std::string email) {
    Call call{http::verb::post, app_url(database, "/collaborators"), invitation_body(email), 201};
    auto response = co_await perform(std::move(call));
    collaborators_changed(database);
    if (!response) co_return std::unexpected(response.error());
    auto collaborator = parse_collaborator(response->body);
    if (!collaborator) co_return std::unexpected(malformed("an invitation answer"));
    co_return std::move(*collaborator);
}

asio::awaitable<ApiResult<void>> ScalingoApi::remove(std::string database, std::string collaborator_id) {
    Call call{http::verb::delete_, app_url(database, "/collaborators/" + collaborator_id), "", 204};
    auto response = co_await perform(std::move(call));
    collaborators_changed(database);
    if (!response) co_return std::unexpected(response.error());
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<Account>> ScalingoApi::self() {
    if (self_) co_return *self_;
    Call call{http::verb::get, settings_.auth_url + "/v1/users/self", "", 200};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    auto user = parse_user(response->body);
    if (!user) co_return std::unexpected(malformed("a description of the bot's account"));
    self_ = *user;
    co_return std::move(*user);
}

asio::awaitable<ApiResult<std::vector<Database>>> ScalingoApi::fetch_databases() {
    Call call{http::verb::get, settings_.api_url + "/v1/apps", "", 200};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    auto apps = parse_apps(response->body);
    if (!apps) co_return std::unexpected(malformed("a list of apps"));
    // Each entry describes its app as GET /v1/apps/{app} would: a survey then reads only the lists.
    for (const Database& app : *apps) databases_.put(app.name, app);
    app_lists_.put(app_list_key, *apps);
    co_return std::move(*apps);
}

asio::awaitable<ApiResult<std::vector<Database>>> ScalingoApi::databases() {
    if (auto cached = app_lists_.get(app_list_key)) co_return std::move(*cached);
    decltype(app_list_fetches_)::Fetch fetch = [this] { return fetch_databases(); };
    co_return co_await app_list_fetches_.run(app_list_key, std::move(fetch));
}

}  // namespace collab::scalingo
