#include "adapters/chat/discord/gateway_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "adapters/net/backoff.hpp"

namespace collab::discord {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Sends of each window kept for heartbeats: at Discord's intervals, two or three a minute.
constexpr int heartbeat_sends = 3;

GatewayPacer fresh_pacer() {
    return GatewayPacer{max_sends, send_window, heartbeat_sends};
}

}  // namespace

// One shard's connection and the machine's state for it. Shared by its read loop, its heartbeat loop
// and its paced sends, which all run on the client's executor (the connection's own strand is the
// websocket client's business: send() hops onto it).
struct GatewayClient::ShardRun : std::enable_shared_from_this<ShardRun> {
    ShardRun(asio::any_io_executor executor, Shard shard)
        : shard(shard), heartbeat(std::move(executor), asio::steady_timer::time_point::max()) {}
    Shard shard;
    GatewayState state;
    Link link;
    asio::steady_timer heartbeat;
    bool beating = false;
    GatewayPacer sends = fresh_pacer();
    bool flush_pending = false;  // a wait for the send limit is under way
    // Set when the heartbeat loop found the connection a zombie: the read loop leaves it that way.
    std::optional<GatewayAction> leaving;
    std::uint16_t close_code = 0;  // Discord's, when it closed the connection
    bool up = false;
    int restarts = 0;  // since the last ready session
};

namespace {

const GatewayEvent client_stops{GatewayEventKind::stopped};

std::string_view to_string(GatewayTarget target) {
    return target == GatewayTarget::resume ? "resume_gateway_url" : "the gateway";
}

}  // namespace

GatewayClient::GatewayClient(asio::any_io_executor executor, RestClient& rest, DiscordOutbox& outbox, chat::Desk& desk,
                             store::SharedState& shared, ProposalShelf& shelf, GatewaySettings settings,
                             std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      rest_(rest),
      reception_(
          executor, outbox, desk, shared, shelf,
          ReceptionSettings{
              .claims = settings.claims, .late_after = settings.late_after, .click_budget = settings.click_budget},
          logger),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      tasks_(executor) {
    // Discord's heartbeats keep the connection alive; the websocket's own idle watchdog only has to
    // catch a connection silent for longer than any heartbeat interval (41.25 s).
    settings_.websocket.timeouts.idle = std::max(settings_.websocket.timeouts.idle, std::chrono::milliseconds{90'000});
}

asio::awaitable<int> GatewayClient::run() {
    // The URL and the shard count, through the machine's first phase.
    GatewayState first;
    GatewayAction action{};
    action.step = GatewayStep::fetch_url;
    while (action.step == GatewayStep::fetch_url) {
        if (action.wait && !co_await pause(net::draw(*action.wait, jitter_))) co_return failed_ ? 1 : 0;
        auto gateway = co_await rest_.gateway_bot();
        GatewayEvent event{GatewayEventKind::url_fetched};
        if (gateway) {
            gateway_url_ = gateway->url;
            shard_count_ = gateway->shards;
        } else {
            const DiscordError& error = gateway.error();
            event.kind = GatewayEventKind::url_failed;
            event.token_refused = error.status == 401;
            event.rate_limited = error.status == 429;
            if (error.retry_after) event.retry_after = *error.retry_after;
            if (!event.token_refused) logger_->warn("discord: GET /gateway/bot failed: {}", error.message);
        }
        action = next(settings_.rules, first, event);
    }
    if (action.step != GatewayStep::connect) {
        // The refusal itself was logged by the REST client, naming DISCORD_BOT_TOKEN.
        co_return 1;
    }
    logger_->info("discord: gateway {} with {} shard(s)", gateway_url_, shard_count_);
    for (int id = 0; id < shard_count_; ++id) {
        auto shard = std::make_shared<ShardRun>(executor_, Shard{id, shard_count_});
        shards_.push_back(shard);
        tasks_.spawn(keep_shard(shard));
    }
    tasks_.spawn(reception_.intake().sweep());
    co_await tasks_.wait();
    co_return failed_ || !stopping_ ? 1 : 0;
}

void GatewayClient::stop() {
    if (stopping_) return;
    stopping_ = true;
    reception_.intake().stop();
    for (auto* timer : pauses_) timer->cancel();
    // Answers travel over HTTP: the connections can close at once. Code 1000 ends the sessions.
    for (const auto& shard : shards_) {
        if (!shard->link || shard->link->closed()) continue;
        Link link = shard->link;
        auto close = [link]() -> asio::awaitable<void> {
            std::string reason = "shutting down";
            co_await link->close(std::move(reason), final_close_code);
        };
        asio::co_spawn(link->executor(), std::move(close), asio::detached);
    }
}

asio::awaitable<bool> GatewayClient::settle(std::chrono::milliseconds limit) {
    co_return co_await reception_.intake().settle(limit);
}

void GatewayClient::fail(std::string why) {
    logger_->error("discord: {}", why);
    failed_ = true;
    stop();
}

asio::awaitable<bool> GatewayClient::pause(std::chrono::milliseconds delay) {
    if (stopping_) co_return false;
    asio::steady_timer timer(executor_, delay);
    auto registered = pauses_.insert(pauses_.end(), &timer);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    pauses_.erase(registered);
    co_return !stopping_;
}

asio::awaitable<void> GatewayClient::keep_shard(std::shared_ptr<ShardRun> shard) {
    GatewayAction action = next(settings_.rules, shard->state, GatewayEvent{GatewayEventKind::url_fetched});
    // Shards identify one after the other, as Discord allows.
    const auto spacing = settings_.identify_spacing * shard->shard.id;
    if (spacing > 0ms && !co_await pause(spacing)) action = next(settings_.rules, shard->state, client_stops);
    for (;;) {
        std::string died;
        try {
            while (action.step == GatewayStep::connect) {
                action = co_await connect(*shard, action);
                if (action.step == GatewayStep::read) action = co_await read_frames(shard);
            }
            if (action.why == GatewayEnding::out_of_order) died = "an event came out of order";
        } catch (const std::exception& error) {
            died = error.what();
        }
        if (died.empty() || stopping_) break;
        // A fault of this client, not a refusal by Discord: the shard starts over (resuming its session
        // when it has one), after a wait that grows with each restart until a session is ready again.
        leave_connection(*shard);
        const auto wait = net::jittered_backoff(settings_.rules.reconnect, shard->restarts++, jitter_);
        logger_->error("discord: shard {} stopped ({}); restarting it in {} ms", shard->shard.id, died, wait.count());
        if (!co_await pause(wait)) {
            action = next(settings_.rules, shard->state, client_stops);
            break;
        }
        shard->state.phase = GatewayPhase::fetching;
        action = next(settings_.rules, shard->state, GatewayEvent{GatewayEventKind::url_fetched});
    }
    ended(*shard, action);
    // With no shard left, nothing reaches this instance: the sweep ends too.
    if (std::all_of(shards_.begin(), shards_.end(),
                    [](const auto& each) { return each->state.phase == GatewayPhase::ended; })) {
        reception_.intake().stop();
        for (auto* timer : pauses_) timer->cancel();
    }
}

void GatewayClient::ended(const ShardRun& shard, const GatewayAction& action) {
    switch (action.why) {
        case GatewayEnding::fatal_close: fail(std::string(fatal_close_advice(shard.close_code)) + ". Stopping."); break;
        case GatewayEnding::token_refused:
            fail(
                "Discord refused the bot token: set DISCORD_BOT_TOKEN ([discord] bot_token_file) to the token on the "
                "Bot page of the application in the Developer Portal. Stopping.");
            break;
        case GatewayEnding::out_of_order:  // restarted by keep_shard unless the client stops
        case GatewayEnding::none:
        case GatewayEnding::stopped: break;
    }
}

asio::awaitable<GatewayAction> GatewayClient::connect(ShardRun& shard, GatewayAction action) {
    if (action.wait) {
        const auto wait = net::draw(*action.wait, jitter_);
        logger_->info("discord: shard {}: connecting to {} in {} ms", shard.shard.id, to_string(action.target),
                      wait.count());
        if (!co_await pause(wait)) co_return next(settings_.rules, shard.state, client_stops);
    }
    if (stopping_) co_return next(settings_.rules, shard.state, client_stops);
    const std::string& base = action.target == GatewayTarget::resume ? shard.state.session.resume_url : gateway_url_;
    std::string url = connect_url(base);
    auto connected = co_await net::WebSocketConnection::connect(executor_, std::move(url), settings_.websocket);
    if (stopping_) {
        if (connected) (*connected)->abort();
        co_return next(settings_.rules, shard.state, client_stops);
    }
    if (!connected) {
        logger_->warn("discord: shard {}: could not connect to {}: {}", shard.shard.id, to_string(action.target),
                      connected.error().message);
        co_return next(settings_.rules, shard.state, GatewayEvent{GatewayEventKind::connect_failed});
    }
    shard.link = *connected;
    // The last connection's heartbeat may be overdue: none is due before this one's Hello.
    shard.heartbeat.expires_at(asio::steady_timer::time_point::max());
    shard.leaving.reset();
    shard.close_code = 0;
    shard.sends = fresh_pacer();
    co_return next(settings_.rules, shard.state, GatewayEvent{GatewayEventKind::connected});
}

void GatewayClient::send(ShardRun& shard, std::string frame, bool heartbeat) {
    shard.sends.push(std::move(frame), heartbeat);
    flush(shard);
}

void GatewayClient::flush(ShardRun& shard) {
    for (auto& frame : shard.sends.take_due()) shard.link->send(std::move(frame));
    const auto wait = shard.sends.next_due();
    if (!wait || shard.flush_pending) return;
    // Past 120 frames a minute Discord closes the connection (4008): the rest wait their turn, in order.
    logger_->warn("discord: shard {}: the gateway's send limit is reached; {} frame(s) wait {} ms", shard.shard.id,
                  shard.sends.waiting(), wait->count());
    shard.flush_pending = true;
    auto later = [this, run = shard.shared_from_this(), link = shard.link, delay = *wait]() -> asio::awaitable<void> {
        co_await net::sleep_for(delay);
        run->flush_pending = false;
        // A new connection starts with a fresh allowance and nothing waiting.
        if (run->link == link && !link->closed()) flush(*run);
    };
    asio::co_spawn(executor_, std::move(later), asio::detached);
}

void GatewayClient::carry_out(ShardRun& shard, const GatewayAction& action) {
    switch (action.send) {
        case GatewaySend::nothing: break;
        case GatewaySend::identify: send(shard, identify_frame(settings_.bot_token, shard.shard)); break;
        case GatewaySend::resume:
            send(shard, resume_frame(settings_.bot_token, shard.state.session, shard.state.sequence));
            break;
        case GatewaySend::heartbeat: send(shard, heartbeat_frame(shard.state.sequence), true); break;
    }
    if (action.heartbeat) shard.heartbeat.expires_after(net::draw(*action.heartbeat, jitter_));
}

asio::awaitable<void> GatewayClient::beat(std::shared_ptr<ShardRun> shard) {
    while (shard->beating) {
        auto [error] = co_await shard->heartbeat.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!shard->beating) break;
        if (error) continue;  // re-armed: wait for the new expiry
        const GatewayAction action = next(settings_.rules, shard->state, GatewayEvent{GatewayEventKind::heartbeat_due});
        if (action.step == GatewayStep::read) {
            carry_out(*shard, action);
            continue;
        }
        // No ACK since the last heartbeat: a zombie. Closed with a code that keeps the session.
        logger_->warn("discord: shard {}: no heartbeat ACK; reconnecting", shard->shard.id);
        shard->leaving = action;
        Link link = shard->link;
        std::string reason = "no heartbeat ACK";
        co_await link->close(std::move(reason), action.close.value_or(resumable_close_code));
        break;
    }
}

void GatewayClient::mark_down(ShardRun& shard) {
    if (!shard.up) return;
    shard.up = false;
    --shards_up_;
}

void GatewayClient::leave_connection(ShardRun& shard) {
    shard.beating = false;
    shard.heartbeat.cancel();
    mark_down(shard);
    if (shard.link && !shard.link->closed()) shard.link->abort();
}

std::optional<std::string> GatewayClient::link_down() const {
    if (shard_count_ == 0) return "no gateway URL yet";
    if (shards_up_ == shard_count_) return std::nullopt;
    return std::to_string(shard_count_ - shards_up_) + " of " + std::to_string(shard_count_) +
           " gateway shard(s) without a ready session";
}

void GatewayClient::ready(ShardRun& shard, const GatewayFrame& frame) {
    shard.up = true;
    shard.restarts = 0;
    ++shards_up_;
    ++counters_.connects;
    if (frame.event.kind == GatewayEventKind::resumed) {
        ++counters_.resumes;
        logger_->info("discord: shard {} resumed its session", shard.shard.id);
        return;
    }
    logger_->info("discord: shard {} connected (application {})", shard.shard.id,
                  frame.application_id.empty() ? "?" : frame.application_id);
    if (!registered_ && !frame.application_id.empty()) {
        registered_ = true;
        asio::co_spawn(executor_, register_commands(rest_, frame.application_id, settings_.guild_id, logger_),
                       asio::detached);
    }
}

asio::awaitable<GatewayAction> GatewayClient::read_frames(std::shared_ptr<ShardRun> shard) {
    Link link = shard->link;
    shard->beating = true;
    asio::co_spawn(link->executor(), beat(shard), asio::detached);
    GatewayAction action{};
    for (;;) {
        auto text = co_await link->read();
        if (shard->leaving) {
            action = *shard->leaving;
            break;
        }
        if (!text) {
            GatewayEvent event{stopping_ ? GatewayEventKind::stopped : GatewayEventKind::closed};
            if (const auto reason = link->close_reason()) event.close_code = reason->code;
            shard->close_code = event.close_code;
            if (!stopping_)
                logger_->warn("discord: shard {}: connection lost: {}", shard->shard.id, text.error().message);
            action = next(settings_.rules, shard->state, event);
            break;
        }
        auto frame = decode_gateway_frame(*text);
        if (!frame) {
            ++counters_.skipped_frames;
            logger_->debug("discord: shard {}: skipped a frame ({})", shard->shard.id, frame.error());
            continue;
        }
        if (frame->dispatch_name == "INTERACTION_CREATE" && frame->data && !stopping_) {
            auto take_in = [this, data = std::move(*frame->data)]() mutable -> asio::awaitable<void> {
                const auto received = std::chrono::steady_clock::now();
                CallbackRoute over_rest;
                co_await reception_.take_in(std::move(data), received, std::move(over_rest));
            };
            asio::co_spawn(executor_, std::move(take_in), asio::detached);
        }
        const GatewayPhase before = shard->state.phase;
        action = next(settings_.rules, shard->state, frame->event);
        if (before != GatewayPhase::ready && shard->state.phase == GatewayPhase::ready) ready(*shard, *frame);
        if (action.step != GatewayStep::read) break;
        carry_out(*shard, action);
    }
    shard->beating = false;
    shard->heartbeat.cancel();
    mark_down(*shard);
    if (action.close && !shard->leaving && !link->closed()) {
        // Op 7, op 9: Discord waits for us to go; the close code says whether the session lives on.
        auto close = [link, code = *action.close]() -> asio::awaitable<void> {
            std::string reason = code == final_close_code ? "shutting down" : "reconnecting";
            co_await link->close(std::move(reason), code);
        };
        asio::co_spawn(link->executor(), std::move(close), asio::detached);
    }
    if (action.step == GatewayStep::connect)
        logger_->info("discord: shard {}: reconnecting to {}", shard->shard.id, to_string(action.target));
    co_return action;
}

GatewayCounters GatewayClient::counters() const {
    GatewayCounters counters = counters_;
    const ReceptionCounters taken_in = reception_.counters();
    counters.interactions = taken_in.interactions;
    counters.skipped_frames += taken_in.skipped;
    counters.redeliveries = reception_.claim_counters().redeliveries;
    counters.takeovers = reception_.claim_counters().takeovers;
    return counters;
}

}  // namespace collab::discord
