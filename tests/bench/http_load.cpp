#include "http_load.hpp"

#include <unistd.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <chrono>

#include "adapters/chat/slack/signature.hpp"

namespace collab::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

namespace {

std::string encoded(std::string_view value) {
    return boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace

std::string http_get(unsigned short port, const std::string& target) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(5s);
    boost::system::error_code error;
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port), error);
    if (error) return "";
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(stream, request, error);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!error) http::read(stream, buffer, response, error);
    return error ? "" : response.body();
}

HttpLoad::HttpLoad(unsigned short port, HttpCommandMaker make, Workload workload, pid_t bot)
    : port_(port), make_(std::move(make)), workload_(std::move(workload)), bot_(bot) {}

RunFigures HttpLoad::closed_loop(const std::string& prefix, std::size_t count, std::size_t in_flight,
                                 const std::vector<std::size_t>& checkpoints,
                                 const std::function<void(std::size_t)>& at) {
    return run(prefix, count, in_flight, 0, checkpoints, at);
}

RunFigures HttpLoad::paced(const std::string& prefix, std::size_t count, double rate, std::size_t in_flight) {
    return run(prefix, count, in_flight, rate, {}, {});
}

RunFigures HttpLoad::run(const std::string& prefix, std::size_t count, std::size_t connections, double rate,
                         const std::vector<std::size_t>& checkpoints, const std::function<void(std::size_t)>& at) {
    asio::io_context io;
    std::vector<double> latencies, delays;
    latencies.reserve(count);
    delays.reserve(count);
    std::size_t next = 0, answered = 0, next_checkpoint = 0;
    const auto interval =
        rate > 0 ? std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(1.0 / rate))
                 : SteadyClock::duration::zero();
    const double bot_before = cpu_seconds(bot_), generator_before = cpu_seconds(::getpid());
    const auto start = SteadyClock::now();

    // One kept-alive connection, sending the next command as soon as the previous one is answered (or
    // when its time comes, paced). Ends at the first failure: the figures then say INCOMPLETE.
    auto connection = [&]() -> asio::awaitable<void> {
        const auto executor = co_await asio::this_coro::executor;
        beast::tcp_stream stream(executor);
        stream.expires_after(5s);
        const asio::ip::tcp::endpoint bot(asio::ip::make_address_v4("127.0.0.1"), port_);
        if (auto [error] = co_await stream.async_connect(bot, asio::as_tuple(asio::use_awaitable)); error) co_return;
        // Small requests leave at once, as a chat server's would.
        stream.socket().set_option(asio::ip::tcp::no_delay(true));
        beast::flat_buffer buffer;
        for (std::size_t index = next++; index < count; index = next++) {
            // Past its due time, a command that found every connection waiting for the bot was held
            // up by the bot: that wait is the bot's, the rest of the time before its write the generator's.
            const auto free = SteadyClock::now();
            auto due = free;
            if (rate > 0) {
                due = start + interval * static_cast<long>(index);
                asio::steady_timer wait(executor, due);
                co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            const Command command = workload_(index);
            HttpCommand made = make_(prefix + std::to_string(index), command);
            http::request<http::string_body> request{http::verb::post, made.target, 11};
            request.set(http::field::host, "127.0.0.1");
            for (const auto& [name, value] : made.headers) request.set(name, value);
            request.body() = std::move(made.body);
            request.keep_alive(true);
            request.prepare_payload();
            const auto written = SteadyClock::now();
            stream.expires_after(10s);
            if (auto [error, bytes] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
                error)
                co_return;
            http::response<http::string_body> response;
            if (auto [error, bytes] =
                    co_await http::async_read(stream, buffer, response, asio::as_tuple(asio::use_awaitable));
                error)
                co_return;
            const auto held_by_bot = std::max(free - due, SteadyClock::duration::zero());
            latencies.push_back(
                std::chrono::duration<double, std::milli>(SteadyClock::now() - written + held_by_bot).count());
            delays.push_back(std::chrono::duration<double, std::milli>(written - std::max(due, free)).count());
            const bool ok = response.result() == http::status::ok && !response.body().empty();
            answered += ok ? 1 : 0;
            if (check_ && (!ok || !check_(command, response.body()))) ++unexpected_;
            for (; next_checkpoint < checkpoints.size() && latencies.size() >= checkpoints[next_checkpoint];
                 ++next_checkpoint)
                if (at) at(checkpoints[next_checkpoint]);
        }
    };
    for (std::size_t i = 0; i < connections; ++i) asio::co_spawn(io, connection(), asio::detached);
    io.run();

    RunFigures figures;
    figures.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    figures.bot_cpu = cpu_seconds(bot_) - bot_before;
    figures.generator_cpu = cpu_seconds(::getpid()) - generator_before;
    figures.commands = count;
    figures.answered_in_ack = answered;
    figures.complete = latencies.size() == count;
    figures.ack_ms = summarize(std::move(latencies));
    figures.generator_delay = summarize(std::move(delays));
    return figures;
}

namespace {

// A signed slash command as Slack's HTTP mode sends it.
HttpCommandMaker signed_slash_commands(HttpModeTarget target) {
    return [target = std::move(target)](const std::string& id, const Command& command) {
        HttpCommand made{"/slack/commands", {{"Content-Type", "application/x-www-form-urlencoded"}}, ""};
        made.body = "team_id=T111&channel_id=C111&user_id=" + command.user_id +
                    "&user_name=bench&command=%2Fcollab&text=" + encoded(command.text) +
                    "&response_url=" + encoded(target.response_url_base + id) + "&trigger_id=" + encoded(id);
        const std::string timestamp = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        made.headers.emplace_back("X-Slack-Request-Timestamp", timestamp);
        made.headers.emplace_back("X-Slack-Signature",
                                  slack::compute_signature(target.signing_secret, timestamp, made.body));
        return made;
    };
}

}  // namespace

HttpModeLoad::HttpModeLoad(const HttpModeTarget& target, Workload workload, pid_t bot)
    : HttpLoad(target.port, signed_slash_commands(target), std::move(workload), bot) {}

}  // namespace collab::bench
