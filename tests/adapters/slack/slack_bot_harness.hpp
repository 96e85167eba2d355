#pragma once
// The Slack side of collab-bot assembled as the bot assembles it (Socket Mode client, Web API,
// users.info directory, command service on the in-process sandbox seeded from config/sandbox.toml,
// SQLite audit trail, HMAC confirmations), running on its own thread against a SlackEmulator.

#include <spdlog/logger.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "adapters/chat/slack/interactions.hpp"
#include "adapters/chat/slack/slack_directory.hpp"
#include "adapters/chat/slack/socket_mode.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "core/service.hpp"
#include "slack_emulator.hpp"
#include "temp_dir.hpp"
#include "upstream_doubles.hpp"

namespace collab::slack::test {

using testing::DelayedApi;
using testing::SteppedClock;

struct HarnessOptions {
    int connections = 1;
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds answer_budget{2'000};
    std::chrono::seconds confirmation_ttl{300};
    std::chrono::milliseconds claim_lease{2'000};
    std::chrono::milliseconds sweep_every{1'000};
};

class SlackBotHarness {
public:
    SlackBotHarness(SlackEmulator& emulator, HarnessOptions options = {});
    ~SlackBotHarness();  // stops the client and joins the thread

    void start();
    // What SIGTERM does in the bot: no new envelopes, answers to those in progress, sockets closed.
    void stop();
    // What run() returned, once it has.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

    // Runs f on the bot's thread (the sandbox's SQLite connection belongs to it) and returns its result.
    template <typename F>
    auto on_bot(F f) {
        // Wrapped: Asio takes a packaged_task itself for a completion token, and retrieves its future.
        auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
        auto result = task->get_future();
        boost::asio::post(io_, [task] { (*task)(); });
        return result.get();
    }

    std::vector<Collaborator> collaborators(const std::string& database);
    std::vector<sandbox::Invitation> invitations();
    SocketModeCounters counters();

    // Everything the bot logged so far (read on the bot's thread, where the logging happens).
    std::string logs();

    DelayedApi& upstream() { return delayed_; }
    // The sandbox itself, for on_bot(): what another instance did upstream before it died.
    sandbox::SandboxStore& sandbox() { return store_; }
    // The claims this instance shares (in memory: as a dead instance left them, for the tests).
    store::SharedState& shared() { return shared_; }
    SteppedClock& clock() { return clock_; }
    const Signer& signer() const { return signer_; }

private:
    testing::TempDir dir_;
    boost::asio::io_context io_;
    std::shared_ptr<std::ostringstream> log_text_;
    std::shared_ptr<spdlog::logger> logger_;
    sandbox::SandboxStore store_;
    std::unique_ptr<CollaboratorsApi> sandbox_;
    DelayedApi delayed_;
    store::SqliteAuditLog audit_;
    security::HmacSigner signer_;
    SteppedClock clock_;
    net::HttpClient http_;
    WebApi web_;
    SlackDirectory directory_;
    CommandService service_;
    SlackOutbox outbox_;
    chat::Desk desk_;
    store::LocalState shared_;
    SocketModeClient client_;
    std::promise<int> exit_;
    std::shared_future<int> exit_future_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
    std::thread thread_;
};

}  // namespace collab::slack::test
