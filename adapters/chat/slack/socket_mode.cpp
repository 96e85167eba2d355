#include "adapters/chat/slack/socket_mode.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>

#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/interactions.hpp"

namespace collab::slack {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// Also what a pause cut short by stop() tells the connection machine.
const ConnectionEvent client_stops{ConnectionEventKind::stopped};

}  // namespace

SocketModeClient::SocketModeClient(asio::any_io_executor executor, WebApi& web, chat::Desk& desk,
                                   store::SharedState& shared, SocketModeSettings settings,
                                   std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      web_(web),
      intake_(executor, desk, shared,
              chat::IntakeSettings{.claims = settings.claims, .late_after = settings.late_after, .transport = "slack"},
              request_of_work, logger),
      settings_(std::move(settings)),
      connection_rules_{settings_.reconnect, settings_.ratelimited_wait},
      logger_(std::move(logger)),
      tasks_(executor) {
    settings_.connections = std::clamp(settings_.connections, 1, 10);
    // A frame too large to decode is skipped, not a reason to drop the socket: the websocket itself
    // accepts more than the decoder does.
    settings_.websocket.max_message_bytes =
        std::max(settings_.websocket.max_message_bytes, 4 * DecodeLimits{}.max_bytes);
}

void SocketModeClient::identify(std::string bot_user_id) {
    bot_user_id_ = std::move(bot_user_id);
}

void SocketModeClient::measure_into(observability::Registry& metrics) {
    ack_latency_.measure_into(metrics, "slack");
}

asio::awaitable<int> SocketModeClient::run() {
    for (int slot = 0; slot < settings_.connections; ++slot) {
        ++sockets_running_;
        tasks_.spawn(keep_socket(slot));
    }
    tasks_.spawn(intake_.sweep());
    co_await tasks_.wait();
    co_return failed_ || !stopping_ ? 1 : 0;
}

void SocketModeClient::stop() {
    if (stopping_) return;
    stopping_ = true;
    intake_.stop();
    for (auto* timer : pauses_) timer->cancel();
    // New envelopes are no longer taken in (Slack gives them to another socket); those in progress
    // are answered before each socket closes.
    const std::string reason = "shutting down";
    for (const Link& link : links_) asio::co_spawn(link->executor(), close_link(link, reason), asio::detached);
    for (const Link& link : connecting_) link->abort();
}

asio::awaitable<bool> SocketModeClient::settle(std::chrono::milliseconds limit) {
    co_return co_await intake_.settle(limit);
}

void SocketModeClient::fail(std::string why) {
    logger_->error("slack: {}", why);
    failed_ = true;
    stop();
}

asio::awaitable<bool> SocketModeClient::pause(std::chrono::milliseconds delay) {
    if (stopping_ || sockets_running_ == 0) co_return false;
    asio::steady_timer timer(executor_, delay);
    auto registered = pauses_.insert(pauses_.end(), &timer);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    pauses_.erase(registered);
    co_return !stopping_ && sockets_running_ > 0;
}

std::shared_ptr<net::Gate> SocketModeClient::unanswered(const Link& link) {
    auto& gate = unanswered_[link.get()];
    if (!gate) gate = std::make_shared<net::Gate>(link->executor());
    return gate;
}

asio::awaitable<void> SocketModeClient::close_link(Link link, std::string reason) {
    const std::shared_ptr<net::Gate> gate = unanswered(link);
    co_await gate->close(settings_.close_grace);
    unanswered_.erase(link.get());
    co_await link->close(std::move(reason));
}

asio::awaitable<void> SocketModeClient::keep_socket(int slot) {
    ConnectionState state;
    Link link;      // the socket opened, then read
    Link replaced;  // set aside after a refresh: still read until its replacement is up
    const std::string replaced_reason = "replaced";
    std::string url;
    ConnectionAction action{ConnectionStep::open};
    for (;;) {
        switch (action.older) {
            case OlderSocket::keep: break;
            case OlderSocket::close:
                asio::co_spawn(replaced->executor(), close_link(replaced, replaced_reason), asio::detached);
                replaced.reset();
                break;
            case OlderSocket::close_first:
                co_await close_link(replaced, replaced_reason);
                replaced.reset();
                break;
            case OlderSocket::set_aside:
                replaced = link;
                asio::co_spawn(link->executor(), read_set_aside(link, slot), asio::detached);
                break;
        }
        if (action.step == ConnectionStep::open)
            action = co_await open_url(slot, state, url);
        else if (action.step == ConnectionStep::connect)
            action = co_await connect(slot, state, std::move(url), link);
        else if (action.step == ConnectionStep::read)
            action = co_await read_frames(link, slot, state);
        else
            break;
    }
    ended(slot, action);
    if (--sockets_running_ == 0) {
        // The sweep ends too: work is taken over only by an instance Slack can reach.
        intake_.stop();
        for (auto* timer : pauses_) timer->cancel();
    }
}

asio::awaitable<void> SocketModeClient::read_set_aside(Link link, int slot) {
    ConnectionState state{ConnectionPhase::set_aside};
    ended(slot, co_await read_frames(std::move(link), slot, state));
}

void SocketModeClient::ended(int slot, const ConnectionAction& action) {
    switch (action.why) {
        case Ending::link_disabled:
            fail(
                "Slack disabled Socket Mode for this app (link_disabled): turn Socket Mode on in the app's "
                "settings, then start the bot again.");
            break;
        case Ending::too_many:
            logger_->warn(
                "slack: socket {} refused: the app already holds as many sockets as Slack allows "
                "(too_many_websockets); this one is not reopened. Lower slack.connections or run "
                "fewer instances.",
                slot);
            break;
        case Ending::out_of_order: logger_->error("slack: socket {} ended: an event came out of order", slot); break;
        case Ending::token_refused:  // said where Slack's code is known
        case Ending::none:
        case Ending::stopped:
        case Ending::replaced: break;
    }
}

asio::awaitable<ConnectionAction> SocketModeClient::open_url(int slot, ConnectionState& state, std::string& url) {
    if (stopping_) co_return next(connection_rules_, state, client_stops);
    auto opened = co_await web_.open_connection();
    if (opened) {
        url = std::move(*opened);
        co_return next(connection_rules_, state, ConnectionEvent{ConnectionEventKind::opened});
    }
    const OpenFailure& failure = opened.error();
    ConnectionEvent event{ConnectionEventKind::open_failed, failure.permanent, failure.error == "ratelimited"};
    if (failure.retry_after) event.retry_after = *failure.retry_after;
    const ConnectionAction action = next(connection_rules_, state, event);
    if (action.why == Ending::token_refused)
        fail("Slack refused the app-level token SLACK_APP_TOKEN (" + failure.error +
             "): it must be the app's xapp- token with the connections:write scope. Stopping.");
    if (!action.wait) co_return action;
    const auto wait = net::draw(*action.wait, jitter_);
    logger_->warn("slack: socket {}: apps.connections.open failed ({}); trying again in {} ms", slot, failure.error,
                  wait.count());
    if (co_await pause(wait)) co_return action;
    co_return next(connection_rules_, state, client_stops);
}

asio::awaitable<ConnectionAction> SocketModeClient::connect(int slot, ConnectionState& state, std::string url,
                                                            Link& link) {
    if (settings_.debug_reconnects) url += (url.find('?') == std::string::npos ? "?" : "&");
    if (settings_.debug_reconnects) url += "debug_reconnects=true";
    auto connected = co_await net::WebSocketConnection::connect(executor_, std::move(url), settings_.websocket);
    ConnectionEvent event{ConnectionEventKind::failed};
    std::string trouble;
    if (!connected) {
        // The URL itself is not logged: its ticket lets anyone take the socket.
        trouble = std::string(net::to_string(connected.error().kind));
    } else {
        Link candidate = *connected;
        auto waiting = connecting_.insert(connecting_.end(), candidate);
        auto first = co_await candidate->read();
        connecting_.erase(waiting);
        if (stopping_) {
            candidate->abort();
            co_return next(connection_rules_, state, client_stops);
        }
        std::optional<Frame> frame;
        if (first) {
            auto decoded = decode_frame(*first);
            if (decoded) frame = std::move(*decoded);
        }
        if (frame && std::holds_alternative<Hello>(*frame)) {
            const auto& hello = std::get<Hello>(*frame);
            link = candidate;
            links_.push_back(link);
            ++sockets_up_;
            ++counters_.connects;
            logger_->info("slack: socket {} connected to Slack (app {}, {} socket(s) open for it)", slot,
                          hello.app_id.empty() ? "?" : hello.app_id, hello.num_connections);
            co_return next(connection_rules_, state, ConnectionEvent{ConnectionEventKind::hello});
        }
        candidate->abort();
        if (frame && std::holds_alternative<Disconnect>(*frame)) {
            ++counters_.disconnects;
            event.kind = ConnectionEventKind::disconnect;
            event.reason = std::get<Disconnect>(*frame).reason;
        }
        trouble = first ? "the first frame was not hello" : std::string(net::to_string(first.error().kind));
    }
    const ConnectionAction action = next(connection_rules_, state, event);
    if (!action.wait) co_return action;
    const auto wait = net::draw(*action.wait, jitter_);
    logger_->warn("slack: socket {}: could not connect ({}); trying again in {} ms", slot, trouble, wait.count());
    if (co_await pause(wait)) co_return action;
    co_return next(connection_rules_, state, client_stops);
}

void SocketModeClient::forget(const Link& link) {
    if (auto found = std::find(links_.begin(), links_.end(), link); found != links_.end()) {
        links_.erase(found);
        --sockets_up_;
    }
    // The gate stays alive for the envelopes still holding it; the next socket must not find it.
    unanswered_.erase(link.get());
}

asio::awaitable<ConnectionAction> SocketModeClient::read_frames(Link link, int slot, ConnectionState& state) {
    const auto up_since = std::chrono::steady_clock::now();
    for (;;) {
        auto text = co_await link->read();
        if (!text) {
            forget(link);
            ConnectionEvent event{stopping_ ? ConnectionEventKind::stopped : ConnectionEventKind::failed};
            event.up_for =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - up_since);
            const ConnectionAction action = next(connection_rules_, state, event);
            if (!action.wait) co_return action;
            if (text.error().kind == net::NetErrorKind::timeout)
                logger_->warn("slack: socket {} was silent too long; replacing it", slot);
            else
                logger_->warn("slack: socket {} lost: {}", slot, text.error().message);
            const auto wait = net::draw(*action.wait, jitter_);
            if (co_await pause(wait)) co_return action;
            co_return next(connection_rules_, state, client_stops);
        }
        auto frame = decode_frame(*text);
        if (!frame) {
            ++counters_.skipped_frames;
            logger_->warn("slack: socket {}: skipped a frame ({})", slot, frame.error().reason);
            // An envelope we cannot use is still acknowledged: a re-delivery would not be any better.
            if (!frame.error().envelope_id.empty()) link->send(encode_ack(frame.error().envelope_id));
            continue;
        }
        if (auto* envelope = std::get_if<Envelope>(&*frame)) {
            // Shutting down: left unacknowledged, Slack hands it to another socket or instance.
            if (stopping_) continue;
            hand_on(link, std::move(*envelope));
            continue;
        }
        ConnectionEvent event{ConnectionEventKind::hello};
        const auto* disconnect = std::get_if<Disconnect>(&*frame);
        if (disconnect) {
            ++counters_.disconnects;
            event.kind = ConnectionEventKind::disconnect;
            event.reason = disconnect->reason;
        }
        const ConnectionAction action = next(connection_rules_, state, event);
        if (action.step == ConnectionStep::read) continue;
        if (action.older == OlderSocket::set_aside) {
            logger_->info("slack: socket {}: Slack asked for a new socket ({}); opening it before this one closes",
                          slot, disconnect->reason_text);
            co_return action;
        }
        forget(link);
        link->abort();
        co_return action;
    }
}

chat::Arrival SocketModeClient::arrival_of(const Envelope& envelope) const {
    return chat::Arrival{envelope.envelope_id, intake_.work([&envelope] { return work_of(envelope); }),
                         envelope.retry_attempt};
}

void SocketModeClient::hand_on(const Link& link, Envelope envelope) {
    if (!envelope.slash_command) {
        asio::co_spawn(link->executor(), take_in(link, std::move(envelope)), asio::detached);
        return;
    }
    // Taken apart here: the command's strings move into its request (once its work is described),
    // and the envelope is not moved whole into a coroutine on the way.
    chat::Arrival arrival = arrival_of(envelope);
    chat::CommandRequest request = command_request(std::move(*envelope.slash_command), std::move(envelope.envelope_id));
    asio::co_spawn(link->executor(), take_in_command(link, std::move(arrival), std::move(request)), asio::detached);
}

asio::awaitable<void> SocketModeClient::take_in(Link link, Envelope envelope) {
    const std::string& id = envelope.envelope_id;
    chat::Arrival arrival = arrival_of(envelope);
    std::function<void(chat::Delivery)> claimed = [this, &link, &id, arrived = arrival.at](chat::Delivery delivery) {
        link->send(encode_ack(id));
        if (delivery == chat::Delivery::repeat) return;
        ++counters_.envelopes;
        ack_latency_.acknowledged(arrived);
    };
    if (envelope.message_event) {
        arrival.key = event_claim_key(*envelope.message_event, id);
        auto command = message_request(*envelope.message_event, bot_user_id_, arrival.key);
        std::optional<chat::CommandRequest> request;
        if (command) request = std::move(*command);
        // Only what is acted on is left for another instance to finish.
        if (!request) arrival.work.clear();
        const chat::Delivery delivery =
            co_await intake_.message(std::move(arrival), std::move(request), std::move(claimed));
        if (!command && delivery != chat::Delivery::repeat)
            logger_->debug("[{}] slack: ignoring a {} event: {}", id, envelope.message_event->type, command.error());
        co_return;
    }
    std::optional<chat::ClickRequest> click;
    if (envelope.block_action) click = click_request(*envelope.block_action, id);
    const bool acted_on = click.has_value();
    const chat::Delivery delivery = co_await intake_.click(std::move(arrival), std::move(click), std::move(claimed));
    if (delivery == chat::Delivery::repeat || acted_on) co_return;
    if (envelope.block_action)
        logger_->debug("[{}] slack: ignoring a click on {}", id, envelope.block_action->action_id);
    else
        logger_->debug("[{}] slack: acknowledged a {} envelope the bot does not act on", id,
                       envelope.type == EnvelopeType::interactive ? envelope.interactive_type : envelope.type_text);
}

asio::awaitable<void> SocketModeClient::take_in_command(Link link, chat::Arrival arrival,
                                                        chat::CommandRequest request) {
    const std::string id = arrival.key;
    const auto arrived = arrival.at;
    // Counted until its acknowledgement is ready; on a socket already closing, not waited for, and on
    // one already lost, not counted at all (its gate went with it).
    std::optional<net::Gate::Holder> held;
    if (!link->closed()) held = unanswered(link)->try_enter();
    std::optional<chat::Taken> taken = co_await intake_.command(std::move(arrival), std::move(request));
    held.reset();
    if (!taken) {
        link->send(encode_ack(id));
        co_return;
    }
    ++counters_.envelopes;
    const bool sent = !link->closed();
    if (sent) {
        link->send(encode_ack_with_json(id, *forms_.message(taken->answer.reply, taken->answer.visibility)));
        ack_latency_.acknowledged(arrived);
    }
    co_await intake_.finish(std::move(*taken), sent);
}

SocketModeCounters SocketModeClient::counters() const {
    SocketModeCounters counters = counters_;
    counters.redeliveries = intake_.claim_counters().redeliveries;
    counters.takeovers = intake_.claim_counters().takeovers;
    return counters;
}

}  // namespace collab::slack
