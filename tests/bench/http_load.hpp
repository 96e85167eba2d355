#pragma once
// The load of the Socket Mode runs, sent as Slack's HTTP mode sends it: form-encoded slash commands
// POSTed over kept-alive loopback connections, signed with the signing secret; the answer is the HTTP
// response's body.

#include <cstddef>
#include <string>

#include "bench_driver.hpp"

namespace collab::bench {

struct HttpModeTarget {
    unsigned short port = 0;  // on 127.0.0.1; the path is /slack/commands
    std::string signing_secret;
    std::string response_url_base;  // the emulator's response_url endpoint, which the envelope id completes
};

// The body of a GET on 127.0.0.1 (the bot's /metrics), or "" when none came.
std::string http_get(unsigned short port, const std::string& target);

class HttpModeLoad {
public:
    HttpModeLoad(HttpModeTarget target, Workload workload, pid_t bot);

    // `count` commands over `connections` connections, each with one request outstanding at a time.
    RunFigures closed_loop(std::size_t count, std::size_t connections);
    // `count` commands at `rate` per second, each sent at its time on a free connection of `connections`;
    // latency counts from that time, so a request that waited for a connection shows it.
    RunFigures paced(std::size_t count, double rate, std::size_t connections);

private:
    RunFigures run(std::size_t count, std::size_t connections, double rate);

    HttpModeTarget target_;
    Workload workload_;
    pid_t bot_;
    std::size_t sent_ = 0;  // over all runs, for trigger ids of their own
};

}  // namespace collab::bench
