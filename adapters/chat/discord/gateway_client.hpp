#pragma once
// The Discord gateway: one websocket per shard on which Discord pushes INTERACTION_CREATE, each
// answered over HTTP within its 3 s (outbox.hpp).
//
// GET /gateway/bot gives the URL and the shard count (one shard unless Discord asks for more). Each
// shard lives in its own loop: connect, Hello, heartbeats, Identify or Resume, then read dispatches
// until the connection ends, and start over; a shard stopped by a fault of the client is restarted
// after a jittered wait that grows up to the reconnection cap. What happens when (heartbeats, zombie connections,
// resumes, op 7, op 9, fatal close codes, back-off) is decided by the pure machine of
// gateway_machine.hpp; this client carries it out over the websocket client and logs it. Frames go
// out within Discord's 120 per 60 s, in order, heartbeats first (gateway_pacer.hpp, one per connection).
//
// Each interaction goes to the Reception (reception.hpp), its callback over REST: several instances
// each hold their own session and all receive it, and only the one that claims it answers; the work of
// an instance that died is taken over. At the first READY, /collab is registered by bulk overwrite.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/discord/gateway_frames.hpp"
#include "adapters/chat/discord/gateway_machine.hpp"
#include "adapters/chat/discord/gateway_pacer.hpp"
#include "adapters/chat/discord/outbox.hpp"
#include "adapters/chat/discord/proposal_shelf.hpp"
#include "adapters/chat/discord/reception.hpp"
#include "adapters/chat/discord/rest_client.hpp"
#include "adapters/net/task_group.hpp"
#include "adapters/net/websocket_client.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::discord {

struct GatewaySettings {
    std::string bot_token;
    std::string guild_id;  // /collab registered in this guild (at once); empty: globally
    GatewayRules rules;
    net::WebSocketOptions websocket;
    chat::ClaimSettings claims;  // of the interactions taken in
    // A command's callback sent this long after its interaction arrived may reach Discord after its
    // 3 s: its answer also goes as a follow-up.
    std::chrono::milliseconds late_after{2'500};
    // A click whose outcome is not ready this long after it arrived is deferred (type 6).
    std::chrono::milliseconds click_budget{2'000};
    // Discord lets one shard identify every 5 s (session_start_limit.max_concurrency 1).
    std::chrono::milliseconds identify_spacing{5'000};
};

struct GatewayCounters {
    long connects = 0;        // connections that got READY or RESUMED
    long resumes = 0;         // of which RESUMED
    long interactions = 0;    // interactions carried out
    long redeliveries = 0;    // interactions another instance (or a replay) already had
    long takeovers = 0;       // interactions another instance took in and died on, finished here
    long skipped_frames = 0;  // malformed or unusable
};

class GatewayClient {
public:
    GatewayClient(boost::asio::any_io_executor executor, RestClient& rest, DiscordOutbox& outbox, chat::Desk& desk,
                  store::SharedState& shared, ProposalShelf& shelf, GatewaySettings settings,
                  std::shared_ptr<spdlog::logger> logger);

    // Runs until stop() or a fatal refusal. 0 after stop(); 1 when Discord made it stop (the reason,
    // and what to fix, is logged): a fatal close code, a refused token.
    boost::asio::awaitable<int> run();
    // Closes the connections (code 1000: the sessions end) and ends run(). Interactions already taken
    // in still get their answer: it travels over HTTP.
    void stop();
    // After run() and the Desk's drain: waits until the interactions taken in are marked done in the
    // shared state, at most `limit`.
    boost::asio::awaitable<bool> settle(std::chrono::milliseconds limit);

    // Shards whose session is ready (READY or RESUMED) on an open connection.
    int shards_up() const { return shards_up_; }
    int shards() const { return shard_count_; }
    // For /healthz: why not every shard has a ready session; nothing when all have.
    std::optional<std::string> link_down() const;
    GatewayCounters counters() const;

private:
    using Link = std::shared_ptr<net::WebSocketConnection>;
    struct ShardRun;

    boost::asio::awaitable<void> keep_shard(std::shared_ptr<ShardRun> shard);
    boost::asio::awaitable<GatewayAction> connect(ShardRun& shard, GatewayAction action);
    boost::asio::awaitable<GatewayAction> read_frames(std::shared_ptr<ShardRun> shard);
    boost::asio::awaitable<void> beat(std::shared_ptr<ShardRun> shard);
    // Sends what the machine said to send and arms the heartbeat it said to arm.
    void carry_out(ShardRun& shard, const GatewayAction& action);
    // Within the gateway's send limit (gateway_pacer.hpp): at once, or after the frames waiting.
    void send(ShardRun& shard, std::string frame, bool heartbeat = false);
    void flush(ShardRun& shard);
    void ready(ShardRun& shard, const GatewayFrame& frame);
    void mark_down(ShardRun& shard);
    // After a fault: the connection dropped and everything tied to it stopped.
    void leave_connection(ShardRun& shard);
    void ended(const ShardRun& shard, const GatewayAction& action);

    boost::asio::awaitable<bool> pause(std::chrono::milliseconds delay);
    void fail(std::string why);

    boost::asio::any_io_executor executor_;
    RestClient& rest_;
    Reception reception_;
    GatewaySettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    std::minstd_rand jitter_{std::random_device{}()};
    std::string gateway_url_;
    int shard_count_ = 0;
    std::list<std::shared_ptr<ShardRun>> shards_;
    std::list<boost::asio::steady_timer*> pauses_;
    net::TaskGroup tasks_;  // the shards' loops and the claims' sweep
    int shards_up_ = 0;
    bool registered_ = false;
    bool stopping_ = false;
    bool failed_ = false;
    GatewayCounters counters_;
};

}  // namespace collab::discord
