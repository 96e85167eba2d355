// peek_without_waiting on real loopback TCP connections: what the HTTP client's pool and server ask of
// a kept-alive connection before using it.
#include <gtest/gtest.h>

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>

#include "adapters/net/tcp_tls.hpp"

namespace collab::net {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Until what the peer sent (bytes, its end of stream, a reset) has reached `socket`, at most a second.
void wait_until_readable(tcp::socket& socket) {
    pollfd readable{socket.native_handle(), POLLIN, 0};
    ASSERT_EQ(::poll(&readable, 1, 1000), 1);
}

// Both ends of one loopback connection.
struct Connected {
    explicit Connected(asio::io_context& io) : ours(io), theirs(io) {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        ours.connect(acceptor.local_endpoint());
        acceptor.accept(theirs);
    }
    tcp::socket ours;
    tcp::socket theirs;
};

TEST(PeekWithoutWaiting, TellsAQuietConnectionFromUnreadBytesAndLeavesThemUnread) {
    asio::io_context io;
    Connected connection(io);
    EXPECT_EQ(peek_without_waiting(connection.ours), Peeked::nothing) << "and it returned at once";
    asio::write(connection.theirs, asio::buffer(std::string_view("HTTP/1.1 408")));
    wait_until_readable(connection.ours);
    EXPECT_EQ(peek_without_waiting(connection.ours), Peeked::bytes);
    std::array<char, 12> read{};
    asio::read(connection.ours, asio::buffer(read));
    EXPECT_EQ(std::string_view(read.data(), read.size()), "HTTP/1.1 408") << "the peek consumed nothing";
    EXPECT_EQ(peek_without_waiting(connection.ours), Peeked::nothing);
}

TEST(PeekWithoutWaiting, AClosedOrResetConnectionIsClosed) {
    asio::io_context io;
    Connected closed(io);
    closed.theirs.shutdown(tcp::socket::shutdown_send);
    wait_until_readable(closed.ours);
    EXPECT_EQ(peek_without_waiting(closed.ours), Peeked::closed) << "the peer's end of stream";

    Connected reset(io);
    reset.theirs.set_option(asio::socket_base::linger(true, 0));
    reset.theirs.close();  // a zero linger sends a reset, not an end of stream
    wait_until_readable(reset.ours);
    EXPECT_EQ(peek_without_waiting(reset.ours), Peeked::closed) << "a reset";
}

}  // namespace
}  // namespace collab::net
