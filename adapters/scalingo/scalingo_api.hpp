#pragma once
// The CollaboratorsApi port against Scalingo's regional API, over adapters/net's HTTP client. When a
// call is sent again is decided by the pure machine of call_machine.hpp.
//
// What is kept, and for how long:
// - a database's snapshot (snapshots.hpp), for `collaborators_ttl`: a repeated `list` sends nothing;
// - underneath it, a database's description for `database_ttl` and its collaborator list for
//   `collaborators_ttl`; concurrent reads of either share one request (single_flight.hpp);
// - the list of the apps the account reaches (what `dbs`, `access` and `help` survey), for
//   `database_ttl`, its entries kept as the apps' descriptions too; dropped when an app of it is
//   found gone or out of reach, so that the next survey reads it again;
// - an invitation or a removal, whatever its outcome, drops the database's list and snapshot and
//   bumps its generation: a read begun before it is neither kept nor joined by readers after it;
// - changes made elsewhere (the dashboard, the CLI) are seen once the list has expired.
// A survey (snapshots()) reads its databases `survey_reads_at_once` at a time, each read as snapshot()
// reads one, under the same allowance, retries and timeouts.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "adapters/net/backoff.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/scalingo/single_flight.hpp"
#include "adapters/store/shared_state.hpp"
#include "core/ports.hpp"

namespace collab::scalingo {

struct ScalingoSettings {
    std::string api_url = "https://api.osc-fr1.scalingo.com";  // regional API, without /v1
    std::string auth_url = "https://auth.scalingo.com";
    std::string api_token;  // secret: never logged, never put in a reply
    // Scalingo allows 60 requests a minute per account; the bot keeps under it by itself.
    int requests_per_minute = 60;
    std::chrono::seconds database_ttl{300};      // owner and flags change rarely
    std::chrono::seconds collaborators_ttl{10};  // invalidated by every change made through the bot
    // Exchange the API token again when the bearer has less than this left.
    std::chrono::seconds renew_margin{300};
    net::BackoffPolicy backoff{std::chrono::milliseconds{500}, std::chrono::milliseconds{8'000}, 2};
    // A 429 whose Retry-After is longer than this is reported to the user instead of waited out.
    std::chrono::seconds longest_wait{10};
    // How long a caller waits for the same read already in flight for another one, before it is
    // told that Scalingo did not answer in time.
    std::chrono::seconds shared_fetch_wait{20};
    // A survey (dbs, access, offboard, the help) reads the lists of its databases this many at a time,
    // each under the same allowance, retries and timeouts as any read: as many as the HTTP client
    // keeps connections to one origin, so that none waits for a connection to be opened.
    std::size_t survey_reads_at_once = 4;
    // Where the allowance is counted when several instances share the account (PostgreSQL); null:
    // in this process. The account is named by a digest of its token, never by the token.
    store::SharedState* shared_budget = nullptr;
    // Told the status of every answer Scalingo gives (0 when none came): for the metrics.
    std::function<void(unsigned status)> on_answer;
};

// Upstream requests sent, by outcome: for tests, the benchmark and metrics.
struct ScalingoCounters {
    std::size_t requests = 0;
    std::size_t exchanges = 0;
    std::size_t retries = 0;
    std::size_t budget_refusals = 0;
};

class ScalingoApi final : public CollaboratorsApi {
public:
    ScalingoApi(net::HttpClient& http, ScalingoSettings settings);

    boost::asio::awaitable<ApiResult<Database>> show_database(std::string name) override;
    boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) override;
    boost::asio::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) override;
    boost::asio::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) override;
    boost::asio::awaitable<ApiResult<Account>> self() override;
    boost::asio::awaitable<ApiResult<std::vector<Database>>> databases() override;
    boost::asio::awaitable<ApiResult<CachedSnapshot>> snapshot(std::string database) override;
    std::size_t reads_at_once() const override { return settings_.survey_reads_at_once; }
    boost::asio::awaitable<std::vector<ApiResult<CachedSnapshot>>> snapshots(
        std::vector<std::string> databases) override;

    const ScalingoCounters& counters() const { return counters_; }

private:
    struct Call {
        boost::beast::http::verb method;
        std::string url;
        std::string body;
        unsigned expected_status;
        bool authenticated = true;
    };
    boost::asio::awaitable<ApiResult<net::HttpResponse>> perform(Call call);
    boost::asio::awaitable<ApiResult<std::string>> bearer();
    boost::asio::awaitable<ApiResult<std::string>> exchange();
    boost::asio::awaitable<ApiResult<Database>> fetch_database(std::string name);
    boost::asio::awaitable<ApiResult<std::vector<Database>>> fetch_databases();
    boost::asio::awaitable<ApiResult<std::vector<Collaborator>>> fetch_collaborators(std::string database,
                                                                                     std::uint64_t generation);
    std::uint64_t collaborator_generation(std::string_view database) const;
    void collaborators_changed(const std::string& database);
    boost::asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> take_from_budget();

public:
    // Requests left in the current minute's allowance (for the metrics).
    boost::asio::awaitable<ApiResult<int>> requests_left();

private:
    // `come_back_after`: what the retry machine said when it stopped.
    ApiError error_for(const net::HttpResponse& response, const Call& call,
                       std::optional<std::chrono::seconds> come_back_after) const;
    // Where the base URL of `url` is configured: what an admin must check when it cannot be reached.
    std::string_view setting_of(std::string_view url) const;
    std::string app_url(std::string_view database, std::string_view rest = "") const;

    net::HttpClient& http_;
    ScalingoSettings settings_;
    net::RetryPolicy retry_policy_;
    net::TokenBucket budget_;
    std::string budget_account_;  // the account's name in a shared budget
    std::optional<std::string> bearer_;
    TimePoint bearer_expiry_{};
    SingleFlight<ApiResult<std::string>> exchanges_;
    SingleFlight<ApiResult<Database>> database_fetches_;
    SingleFlight<ApiResult<std::vector<Collaborator>>> collaborator_fetches_;
    SingleFlight<ApiResult<std::vector<Database>>> app_list_fetches_;
    TtlCache<std::vector<Database>> app_lists_;  // one entry at most: the account's
    TtlCache<Database> databases_;
    TtlCache<std::vector<Collaborator>> collaborators_;
    // Per database, bumped by every invitation and removal: a list fetched under an older generation
    // may predate the change, so it is neither cached nor shared with callers who came after it.
    std::map<std::string, std::uint64_t, std::less<>> collaborator_generations_;
    SnapshotCache snapshots_;
    std::optional<Account> self_;
    ScalingoCounters counters_;
    std::minstd_rand jitter_{std::random_device{}()};
};

}  // namespace collab::scalingo
