#include "slack_bot_harness.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/random.hpp"

namespace collab::slack::test {
namespace asio = boost::asio;

namespace {

std::shared_ptr<spdlog::logger> string_logger(std::shared_ptr<std::ostringstream> text) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*text);
    auto logger = std::make_shared<spdlog::logger>("slack-test", sink);
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("%l %v");
    return logger;
}

WebApiSettings web_settings(const SlackEmulator& emulator) {
    WebApiSettings settings;
    settings.api_url = emulator.api_url();
    settings.app_token = EmulatorOptions{}.app_token;
    settings.bot_token = EmulatorOptions{}.bot_token;
    return settings;
}

SocketModeSettings socket_settings(const HarnessOptions& options) {
    SocketModeSettings settings;
    settings.connections = options.connections;
    settings.websocket.timeouts.idle = options.idle_timeout;
    // Reconnections in tests need not wait seconds.
    settings.reconnect = {std::chrono::milliseconds{20}, std::chrono::milliseconds{200}, 0};
    settings.claims.instance = "harness";
    settings.claims.lease = options.claim_lease;
    settings.claims.sweep_every = options.sweep_every;
    return settings;
}

chat::DeskSettings desk_settings(const HarnessOptions& options) {
    chat::DeskSettings settings;
    settings.answer_budget = options.answer_budget;
    return settings;
}

}  // namespace

SlackBotHarness::SlackBotHarness(SlackEmulator& emulator, HarnessOptions options)
    : log_text_(std::make_shared<std::ostringstream>()),
      logger_(string_logger(log_text_)),
      store_(dir_ / "sandbox.sqlite",
             sandbox::parse_seed(testing::read_file(testing::source_file("config/sandbox.toml")), "sandbox.toml")),
      sandbox_(std::make_unique<sandbox::SandboxApi>(store_)),
      delayed_(*sandbox_),
      audit_(dir_ / "state.sqlite"),
      signer_(security::random_hex(32)),
      http_(io_.get_executor(), net::HttpClientOptions{}),
      web_(http_, web_settings(emulator)),
      directory_(web_, DirectorySettings{}, logger_),
      service_(delayed_, directory_, audit_, clock_, signer_, shared_,
               ServiceSettings{Rules{}, options.confirmation_ttl, 20}),
      outbox_(web_, logger_),
      desk_(io_.get_executor(), service_, outbox_, desk_settings(options), logger_),
      client_(io_.get_executor(), web_, desk_, shared_, socket_settings(options), logger_),
      exit_future_(exit_.get_future()) {}

void SlackBotHarness::start() {
    auto run = [this]() -> asio::awaitable<void> {
        // As the bot does: its own user id from auth.test, so that it knows its mention and its messages.
        auto identity = co_await web_.auth_test();
        if (identity) client_.identify(identity->user_id);
        const int status = co_await client_.run();
        exit_.set_value(status);
    };
    asio::co_spawn(io_, std::move(run), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

void SlackBotHarness::stop() {
    asio::post(io_, [this] { client_.stop(); });
}

SlackBotHarness::~SlackBotHarness() {
    if (thread_.joinable()) {
        asio::post(io_, [this] { client_.stop(); });
        // Give the polite close a moment, then end whatever is left.
        exit_future_.wait_for(std::chrono::seconds{5});
        work_.reset();
        io_.stop();
        thread_.join();
    }
}

std::optional<int> SlackBotHarness::wait_for_exit(std::chrono::milliseconds timeout) {
    if (exit_future_.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return exit_future_.get();
}

std::vector<Collaborator> SlackBotHarness::collaborators(const std::string& database) {
    return on_bot([this, database] { return store_.collaborators(database); });
}

std::vector<sandbox::Invitation> SlackBotHarness::invitations() {
    return on_bot([this] { return store_.invitations(); });
}

SocketModeCounters SlackBotHarness::counters() {
    return on_bot([this] { return client_.counters(); });
}

std::string SlackBotHarness::logs() {
    return on_bot([this] { return log_text_->str(); });
}

}  // namespace collab::slack::test
