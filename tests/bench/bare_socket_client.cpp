// The floor under the bot's cost per command: a Socket Mode client that only reads each frame, decodes
// it and acknowledges it bare, with the bot's own transport (HTTP client, websocket client, frame
// decoder), and nothing else: no claim, no command, no answer. slack_bench runs it under the same load
// as the bot (`--only bare`), so that what the bot spends beyond it is what the bot itself adds, and
// what it spends at a steady rate is what one wake-up per command costs on the machine.
//
// Environment, as for the bot: SLACK_APP_TOKEN, SLACK_API_URL (the emulator's).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include "adapters/chat/slack/envelope.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/net/websocket_client.hpp"

namespace {

namespace asio = boost::asio;
using namespace collab;

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

asio::awaitable<int> acknowledge_everything(asio::any_io_executor executor) {
    net::HttpClient http(executor, net::HttpClientOptions{});
    slack::WebApiSettings settings;
    settings.api_url = environment("SLACK_API_URL");
    settings.app_token = environment("SLACK_APP_TOKEN");
    slack::WebApi web(http, settings);
    auto url = co_await web.open_connection();
    if (!url) {
        std::cerr << "apps.connections.open failed: " << url.error().error << "\n";
        co_return 1;
    }
    auto connected = co_await net::WebSocketConnection::connect(executor, std::move(*url), net::WebSocketOptions{});
    if (!connected) {
        std::cerr << "the websocket did not open: " << connected.error().message << "\n";
        co_return 1;
    }
    const auto& link = *connected;
    for (;;) {
        auto text = co_await link->read();
        if (!text) co_return 0;
        auto frame = slack::decode_frame(*text);
        if (!frame) {
            if (!frame.error().envelope_id.empty()) link->send(slack::encode_ack(frame.error().envelope_id));
            continue;
        }
        if (const auto* envelope = std::get_if<slack::Envelope>(&*frame))
            link->send(slack::encode_ack(envelope->envelope_id));
    }
}

}  // namespace

int main() {
    asio::io_context io;
    int status = 1;
    asio::co_spawn(io, acknowledge_everything(io.get_executor()),
                   [&status](std::exception_ptr error, int code) { status = error ? 1 : code; });
    io.run();
    return status;
}
