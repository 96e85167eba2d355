#pragma once
// What every test server on 127.0.0.1 shares: a listener on a free port, its own io_context and
// thread (so that the client under test runs alone on the test's), an accept loop that hands each
// connection over, and a stop that joins. The HTTP and WebSocket test servers are each a session
// on top of it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace collab::net::test {

struct TlsIdentity {
    std::string certificate_pem;
    std::string private_key_pem;
};

// A server context that presents this certificate.
boost::asio::ssl::context make_server_context(const TlsIdentity& identity);

// One accepted connection, served to its end on the listener's thread.
using Session = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

class LoopbackListener {
public:
    LoopbackListener();   // bound and listening, but accepting only once start() is called
    ~LoopbackListener();  // stop()
    LoopbackListener(const LoopbackListener&) = delete;
    LoopbackListener& operator=(const LoopbackListener&) = delete;

    // Accepts connections (TCP_NODELAY on, as the clients set it) on the listener's own thread, each
    // served by `session`, which must outlive the listener's io_context.
    void start(Session session);
    // Stops the thread, leaving the sessions suspended: they are destroyed with the io_context, and
    // counted as ended then. Idempotent.
    void stop();

    boost::asio::io_context& io() { return io_; }
    unsigned short port() const { return port_; }
    int accepted() const { return accepted_; }
    int ended() const { return ended_; }  // sessions that returned or were destroyed

    // "http://127.0.0.1:PORT" + target, or with another scheme and host.
    std::string url(std::string_view target, std::string_view scheme = "http",
                    std::string_view host = "127.0.0.1") const;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    // Declared before the io_context: sessions it destroys on stop still count themselves ended.
    std::atomic<int> accepted_{0};
    std::atomic<int> ended_{0};
    Session session_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_;
    std::thread thread_;
};

}  // namespace collab::net::test
