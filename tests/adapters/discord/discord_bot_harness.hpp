#pragma once
// The Discord side of collab-bot assembled as the bot assembles it (gateway client, or the
// interactions endpoint in HTTP mode; REST client, Outbox, proposal shelf, command service on the
// in-process sandbox seeded from config/sandbox.toml, SQLite audit trail, HMAC confirmations), running
// on its own thread against a DiscordEmulator.

#include <spdlog/logger.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "adapters/chat/discord/gateway_client.hpp"
#include "adapters/chat/discord/interaction_server.hpp"
#include "adapters/directory/static_directory.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "core/service.hpp"
#include "discord_emulator.hpp"
#include "temp_dir.hpp"
#include "upstream_doubles.hpp"

namespace collab::discord::test {

// The Discord users the harness knows: the emulator's default user is the owner of my-dedicated-db.
inline constexpr std::string_view owner_id = "53908232506183680";
inline constexpr std::string_view colleague_id = "53908232506183681";

struct HarnessOptions {
    std::chrono::milliseconds answer_budget{2'000};
    std::chrono::milliseconds click_budget{2'000};
    std::chrono::milliseconds identify_spacing{10};
    chat::VisibilityPolicy visibility = {};  // [discord.responses]
    // The interactions endpoint on a free loopback port, checked with the emulator's public key,
    // instead of the gateway.
    bool http_mode = false;
};

// One of several instances: the state they share (a PostgreSQL store), this one's name in the claims,
// and the confirmations' secret they share.
struct SharedInstance {
    store::SharedState& shared;
    std::string name;
    std::string signing_secret;
};

class DiscordBotHarness {
public:
    // Alone, with state of its own and a random confirmations' secret, unless `instance` says otherwise.
    DiscordBotHarness(DiscordEmulator& emulator, HarnessOptions options = {},
                      std::optional<SharedInstance> instance = std::nullopt);
    ~DiscordBotHarness();  // stops the client and joins the thread

    void start();
    // What SIGTERM does in the bot: the connections close, answers in progress still go.
    void stop();
    // What run() returned, once it has.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
    // HTTP mode: the Interactions Endpoint URL, once started.
    std::string endpoint_url() const;

    // Runs f on the bot's thread (the sandbox's SQLite connection belongs to it) and returns its result.
    template <typename F>
    auto on_bot(F f) {
        auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
        auto result = task->get_future();
        boost::asio::post(io_, [task] { (*task)(); });
        return result.get();
    }

    std::vector<Collaborator> collaborators(const std::string& database);
    GatewayCounters counters();
    // What /healthz says of the gateway.
    std::optional<std::string> link_down();
    std::string logs();
    testing::DelayedApi& upstream() { return delayed_; }

private:
    testing::TempDir dir_;
    boost::asio::io_context io_;
    std::shared_ptr<std::ostringstream> log_text_;
    std::shared_ptr<spdlog::logger> logger_;
    sandbox::SandboxStore store_;
    std::unique_ptr<CollaboratorsApi> sandbox_;
    testing::DelayedApi delayed_;
    store::SqliteAuditLog audit_;
    security::HmacSigner signer_;
    testing::SteppedClock clock_;
    net::HttpClient http_;
    std::optional<RestClient> rest_;
    directory::StaticDirectory directory_;
    store::LocalState local_state_;
    store::SharedState& shared_;
    CommandService service_;
    ProposalShelf shelf_;
    std::optional<DiscordOutbox> outbox_;
    std::optional<chat::Desk> desk_;
    std::optional<GatewayClient> client_;
    std::optional<Reception> reception_;
    std::optional<InteractionServer> endpoint_;
    bool stopped_ = false;  // HTTP mode, on the bot's thread
    std::promise<int> exit_;
    std::shared_future<int> exit_future_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
    std::thread thread_;
};

}  // namespace collab::discord::test
