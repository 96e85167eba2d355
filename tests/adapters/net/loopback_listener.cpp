#include "loopback_listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace collab::net::test {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

ssl::context make_server_context(const TlsIdentity& identity) {
    ssl::context context(ssl::context::tls_server);
    context.use_certificate_chain(asio::buffer(identity.certificate_pem));
    context.use_private_key(asio::buffer(identity.private_key_pem), ssl::context::pem);
    return context;
}

LoopbackListener::LoopbackListener()
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), port_(acceptor_.local_endpoint().port()) {}

LoopbackListener::~LoopbackListener() {
    stop();
}

void LoopbackListener::start(Session session) {
    session_ = std::move(session);
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

void LoopbackListener::stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
}

std::string LoopbackListener::url(std::string_view target, std::string_view scheme, std::string_view host) const {
    return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(port_) + std::string(target);
}

asio::awaitable<void> LoopbackListener::accept_loop() {
    for (;;) {
        auto [error, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) co_return;  // closed: the server is stopping
        ++accepted_;
        socket.set_option(tcp::no_delay(true), error);
        asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> LoopbackListener::serve(tcp::socket socket) {
    // Counts the session as ended however it ends: returning, or destroyed with the io_context.
    struct EndCounter {
        ~EndCounter() { ++count; }
        std::atomic<int>& count;
    } counter{ended_};
    co_await session_(std::move(socket));
}

}  // namespace collab::net::test
