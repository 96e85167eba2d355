#pragma once
// A client that speaks whatever bytes a test gives it, for servers that must survive malformed HTTP:
// plain POSIX sockets, every wait bounded, no HTTP library that would tidy the bytes up first.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>

namespace collab::net::test {

// What came back on one connection.
struct RawAnswer {
    unsigned status = 0;  // of the first answer's status line; 0 when nothing readable came back
    std::string text;     // every byte received
    bool closed = false;  // the server ended the connection (end of stream or reset)
};

class RawConnection {
public:
    RawConnection(std::string_view address, unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in peer{};
        peer.sin_family = AF_INET;
        peer.sin_port = htons(port);
        ::inet_pton(AF_INET, std::string(address).c_str(), &peer.sin_addr);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) == 0;
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~RawConnection() { ::close(fd_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    bool connected() const { return connected_; }

    // False as soon as the server stops taking bytes (it closed, or did not read for `limit`).
    bool send(std::string_view bytes, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!bytes.empty()) {
            if (!wait_for(POLLOUT, deadline)) return false;
            const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (sent <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
        return true;
    }

    // Everything the server sends until it ends the connection or `limit` passes.
    RawAnswer read_all(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        RawAnswer answer;
        const auto deadline = std::chrono::steady_clock::now() + limit;
        char buffer[16 * 1024];
        while (wait_for(POLLIN, deadline)) {
            const ssize_t received = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
            if (received < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (received <= 0) {
                answer.closed = true;
                break;
            }
            answer.text.append(buffer, static_cast<std::size_t>(received));
        }
        if (answer.text.starts_with("HTTP/1.") && answer.text.size() >= 12)
            answer.status = static_cast<unsigned>(std::stoul(answer.text.substr(9, 3)));
        return answer;
    }

    // Whether the server has ended the connection, looking for at most `limit` (unread answers are skipped).
    bool closed_within(std::chrono::milliseconds limit) { return read_all(limit).closed; }

private:
    bool wait_for(short events, std::chrono::steady_clock::time_point deadline) {
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd ready{fd_, events, 0};
            const int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
            if (polled > 0) return true;
            if (polled == 0 || errno != EINTR) return false;
        }
    }

    int fd_;
    bool connected_ = false;
};

// One request on a fresh connection, then all that comes back until the server closes or `limit` passes.
inline RawAnswer raw_exchange(unsigned short port, std::string_view bytes,
                              std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    RawConnection connection("127.0.0.1", port);
    connection.send(bytes, limit);
    return connection.read_all(limit);
}

}  // namespace collab::net::test
