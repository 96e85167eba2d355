#include "discord_bot_harness.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/random.hpp"

namespace collab::discord::test {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<spdlog::logger> string_logger(std::shared_ptr<std::ostringstream> text) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*text);
    auto logger = std::make_shared<spdlog::logger>("discord-test", sink);
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("%l %v");
    return logger;
}

std::map<std::string, std::string> identities() {
    return {{qualified_id("discord", owner_id), "user1@example.com"},
            {qualified_id("discord", colleague_id), "user2@example.com"}};
}

GatewaySettings gateway_settings(const DiscordEmulator& emulator, const HarnessOptions& options,
                                 const std::optional<SharedInstance>& instance) {
    GatewaySettings settings;
    settings.bot_token = emulator.options().bot_token;
    // Reconnections in tests need not wait seconds.
    settings.rules.reconnect = {20ms, 200ms, 0};
    settings.rules.invalid_session_wait = {10ms, 50ms};
    settings.identify_spacing = options.identify_spacing;
    settings.click_budget = options.click_budget;
    settings.claims.instance = instance ? instance->name : "harness";
    return settings;
}

}  // namespace

DiscordBotHarness::DiscordBotHarness(DiscordEmulator& emulator, HarnessOptions options,
                                     std::optional<SharedInstance> instance)
    : log_text_(std::make_shared<std::ostringstream>()),
      logger_(string_logger(log_text_)),
      store_(dir_ / "sandbox.sqlite",
             sandbox::parse_seed(testing::read_file(testing::source_file("config/sandbox.toml")), "sandbox.toml")),
      sandbox_(std::make_unique<sandbox::SandboxApi>(store_)),
      delayed_(*sandbox_),
      audit_(dir_ / "state.sqlite"),
      signer_(instance ? instance->signing_secret : security::random_hex(32)),
      http_(io_.get_executor(), net::HttpClientOptions{}),
      directory_(identities()),
      shared_(instance ? instance->shared : local_state_),
      service_(delayed_, directory_, audit_, clock_, signer_, shared_, ServiceSettings{Rules{}, 300s, 20}),
      shelf_(shared_),
      exit_future_(exit_.get_future()) {
    RestSettings rest_settings;
    rest_settings.api_url = emulator.api_url();
    rest_settings.bot_token = emulator.options().bot_token;
    rest_.emplace(http_, rest_settings);
    outbox_.emplace(*rest_, shelf_, logger_);
    chat::DeskSettings desk_settings;
    desk_settings.answer_budget = options.answer_budget;
    desk_settings.follow_up_route = "webhook";
    desk_settings.visibility = options.visibility;
    desk_.emplace(io_.get_executor(), service_, *outbox_, desk_settings, logger_);
    const GatewaySettings settings = gateway_settings(emulator, options, instance);
    if (!options.http_mode) {
        client_.emplace(io_.get_executor(), *rest_, *outbox_, *desk_, shared_, shelf_, settings, logger_);
        return;
    }
    ReceptionSettings reception_settings{
        .claims = settings.claims, .click_budget = settings.click_budget, .transport = "discord http"};
    reception_.emplace(io_.get_executor(), *outbox_, *desk_, shared_, shelf_, reception_settings, logger_);
    InteractionServerOptions endpoint_options;
    endpoint_options.server.listen = "127.0.0.1:0";
    endpoint_.emplace(
        io_.get_executor(), *reception_, InteractionVerifier(emulator.public_key()), endpoint_options,
        [] { return Clock::now(); }, logger_);
}

void DiscordBotHarness::start() {
    if (endpoint_) {
        endpoint_->start();
        thread_ = std::thread([this] { io_.run(); });
        return;
    }
    auto run = [this]() -> asio::awaitable<void> {
        const int status = co_await client_->run();
        exit_.set_value(status);
    };
    asio::co_spawn(io_, std::move(run), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

void DiscordBotHarness::stop() {
    asio::post(io_, [this] {
        if (client_) {
            client_->stop();
            return;
        }
        if (stopped_) return;
        stopped_ = true;
        endpoint_->stop();
        exit_.set_value(0);
    });
}

std::string DiscordBotHarness::endpoint_url() const {
    return endpoint_->public_url() + InteractionServerOptions{}.path;
}

DiscordBotHarness::~DiscordBotHarness() {
    if (thread_.joinable()) {
        stop();
        exit_future_.wait_for(5s);
        work_.reset();
        io_.stop();
        thread_.join();
    }
}

std::optional<int> DiscordBotHarness::wait_for_exit(std::chrono::milliseconds timeout) {
    if (exit_future_.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return exit_future_.get();
}

std::vector<Collaborator> DiscordBotHarness::collaborators(const std::string& database) {
    return on_bot([this, database] { return store_.collaborators(database); });
}

GatewayCounters DiscordBotHarness::counters() {
    return on_bot([this] { return client_->counters(); });
}

std::optional<std::string> DiscordBotHarness::link_down() {
    return on_bot([this] { return client_->link_down(); });
}

std::string DiscordBotHarness::logs() {
    return on_bot([this] { return log_text_->str(); });
}

}  // namespace collab::discord::test
