#pragma once
// Loads on a bot that serves commands over HTTP: each command a request POSTed over kept-alive
// loopback connections, its answer the HTTP response. Slack's HTTP mode signs form-encoded slash
// commands with the signing secret; Mattermost sends its form with the command token.

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bench_driver.hpp"

namespace collab::bench {

// The body of a GET on 127.0.0.1 (the bot's /metrics), or "" when none came.
std::string http_get(unsigned short port, const std::string& target);

struct HttpCommand {
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};
// The request that carries a command; `id` is unique over the load.
using HttpCommandMaker = std::function<HttpCommand(const std::string& id, const Command& command)>;
// Whether an answer's body is the one expected for the command.
using AnswerCheck = std::function<bool(const Command& command, const std::string& body)>;

class HttpLoad : public Load {
public:
    HttpLoad(unsigned short port, HttpCommandMaker make, Workload workload, pid_t bot);

    // `count` commands over `in_flight` connections, each with one request outstanding at a time.
    RunFigures closed_loop(const std::string& prefix, std::size_t count, std::size_t in_flight,
                           const std::vector<std::size_t>& checkpoints = {},
                           const std::function<void(std::size_t)>& at = {}) override;
    // `count` commands at `rate` per second, each sent at its time on a free connection of `in_flight`;
    // latency counts from that time, so a request that waited for a connection shows it.
    RunFigures paced(const std::string& prefix, std::size_t count, double rate, std::size_t in_flight) override;

    // Answers from now on are checked; unexpected() counts the ones that were not 200 with the expected body.
    void check_answers(AnswerCheck check) { check_ = std::move(check); }
    std::size_t unexpected() const { return unexpected_; }

private:
    RunFigures run(const std::string& prefix, std::size_t count, std::size_t connections, double rate,
                   const std::vector<std::size_t>& checkpoints, const std::function<void(std::size_t)>& at);

    unsigned short port_;
    HttpCommandMaker make_;
    Workload workload_;
    pid_t bot_;
    AnswerCheck check_;
    std::size_t unexpected_ = 0;
};

// Slack's HTTP mode: signed form posts to /slack/commands.
struct HttpModeTarget {
    unsigned short port = 0;  // on 127.0.0.1
    std::string signing_secret;
    std::string response_url_base;  // the emulator's response_url endpoint, which the request's id completes
};

class HttpModeLoad : public HttpLoad {
public:
    HttpModeLoad(const HttpModeTarget& target, Workload workload, pid_t bot);
};

}  // namespace collab::bench
