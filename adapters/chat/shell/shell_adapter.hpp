#pragma once
// The shell: /collab commands typed on a terminal, or piped in line by line. A chat platform like the
// others (adapters/chat/desk.hpp): each line is decoded into a CommandRequest for the Desk, and its
// answer encoded as plain text; the terminal is its connection.

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "adapters/chat/desk.hpp"
#include "core/render.hpp"

namespace collab::shell {

struct ShellOptions {
    Actor actor;
    bool interactive = false;  // a person at a terminal: greet, prompt, dim pending rows
    std::string greeting;      // shown once when interactive
    bool colour = true;        // false: no ANSI escape at all, even at a terminal (see colour_allowed)
};

// https://no-color.org: NO_COLOR set to anything but the empty string turns colour off. `no_color` is
// the variable's value, null when it is not set.
bool colour_allowed(const char* no_color);

// After a proposal, `yes` (or `y`) confirms it as `/collab confirm <token>` would, and `no` (or `n`)
// drops it as a Cancel button does; the token form still works.
class ShellAdapter {
public:
    // Carries a command out (through the Desk) and gives back its answer.
    using Handler = std::function<chat::Answer(chat::CommandRequest)>;
    // Drops a proposal (through the Desk, which prints the outcome). Empty: `no` only forgets it here.
    using Canceller = std::function<void(chat::ClickRequest)>;

    ShellAdapter(Handler handler, std::istream& in, std::ostream& out, ShellOptions options, Canceller cancel = {});

    // Reads until exit, quit or end of input. Returns the process exit code.
    int run();

    // The reply to one line, as printed; empty for a blank line.
    std::string answer(std::string_view line);

private:
    chat::Origin next_origin();
    std::string run_command(std::string text);
    std::string drop_proposal();

    Handler handler_;
    Canceller cancel_;
    std::istream& in_;
    std::ostream& out_;
    ShellOptions options_;
    int commands_ = 0;                    // names each request in the log: shell-1, shell-2, …
    std::optional<std::string> pending_;  // the token of the last proposal, until it is answered
};

// What the Desk sends outside an answer, printed. The shell gives the Desk all the time a command
// needs (nobody is waiting with a deadline), so this only prints what a platform would send later.
// Also what the bot says on its own initiative (a notice): the shell has one reader, who sees it all.
class ShellOutbox : public chat::Outbox, public Announcer {
public:
    explicit ShellOutbox(std::ostream& out, PlainTextOptions options = {}) : out_(out), options_(std::move(options)) {}

    boost::asio::awaitable<void> complete(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> deliver(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> replace_proposal(const chat::Origin& origin, Reply reply) override;
    boost::asio::awaitable<void> post_beside(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<ApiResult<void>> post(Conversation where, Reply reply) override;
    boost::asio::awaitable<ApiResult<void>> tell(Actor person, Reply reply) override;

private:
    void print(const Reply& reply);

    std::ostream& out_;
    PlainTextOptions options_;
};

}  // namespace collab::shell
