#include "adapters/chat/shell/shell_adapter.hpp"

#include <istream>
#include <ostream>

#include "core/text.hpp"

namespace collab::shell {
namespace {

constexpr std::string_view command_word = "/collab";
constexpr std::string_view prompt = "collab> ";

std::string_view trim(std::string_view line) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = line.find_last_not_of(" \t\r");
    return line.substr(first, last - first + 1);
}

bool is_exit(std::string_view line) {
    const std::string lowered = text::ascii_lower(line);
    return lowered == "exit" || lowered == "quit" || lowered == "/exit" || lowered == "/quit";
}

bool is_one_of(std::string_view lowered, std::string_view word, std::string_view letter) {
    return lowered == word || lowered == letter;
}

}  // namespace

bool colour_allowed(const char* no_color) {
    return no_color == nullptr || *no_color == '\0';
}

ShellAdapter::ShellAdapter(Handler handler, std::istream& in, std::ostream& out, ShellOptions options, Canceller cancel)
    : handler_(std::move(handler)), cancel_(std::move(cancel)), in_(in), out_(out), options_(std::move(options)) {}

chat::Origin ShellAdapter::next_origin() {
    return chat::Origin{"shell-" + std::to_string(++commands_), options_.actor, {}};
}

std::string ShellAdapter::run_command(std::string text) {
    // Confirmed with its token typed out: nothing is left for a yes.
    if (pending_ && text.find(*pending_) != std::string::npos) pending_.reset();
    chat::CommandRequest request{next_origin(), std::move(text)};
    const chat::Answer answer = handler_(std::move(request));
    const bool colour = options_.interactive && options_.colour;
    std::string printed = to_plain_text(answer.reply, PlainTextOptions{colour, std::string(command_word)});
    if (answer.reply->proposal) {
        pending_ = answer.reply->proposal->token;
        printed += "Or type yes to confirm, no to drop it.\n";
    }
    return printed;
}

std::string ShellAdapter::drop_proposal() {
    if (!pending_) return "There is no proposal to drop.\n";
    chat::ClickRequest click{next_origin(), std::move(*pending_), true};
    pending_.reset();
    if (!cancel_) return "Dropped: nothing was changed.\n";
    // The Desk prints the outcome itself, in the proposal's place.
    cancel_(std::move(click));
    return {};
}

std::string ShellAdapter::answer(std::string_view raw) {
    // Tabs and non-breaking spaces count as blanks here as they do in the command itself.
    const std::string normalised = text::is_valid_utf8(raw) ? text::normalise(raw) : std::string(raw);
    const std::string_view line = trim(normalised);
    if (line.empty()) return {};
    const std::string lowered = text::ascii_lower(line);
    if (is_one_of(lowered, "yes", "y")) {
        if (!pending_)
            return "There is no proposal waiting for a yes: yes confirms the last change the bot proposed, "
                   "such as /collab remove my-dedicated-db user2@example.com.\n";
        return run_command(" confirm " + *pending_);
    }
    if (is_one_of(lowered, "no", "n")) return drop_proposal();
    const std::string head = text::ascii_lower(line.substr(0, command_word.size()));
    const bool is_command =
        head == command_word && (line.size() == command_word.size() || line[command_word.size()] == ' ');
    if (!is_command)
        return "Commands start with /collab, for example: /collab list my-dedicated-db\n"
               "Type /collab help to see them all, or exit to leave.\n";
    return run_command(std::string(line.substr(command_word.size())));
}

int ShellAdapter::run() {
    if (options_.interactive && !options_.greeting.empty()) out_ << options_.greeting << "\n";
    std::string line;
    while (true) {
        if (options_.interactive) out_ << prompt << std::flush;
        if (!std::getline(in_, line)) {
            if (options_.interactive) out_ << "\n";  // end of input (Ctrl-D) leaves the cursor after the prompt
            return 0;
        }
        if (is_exit(trim(line))) return 0;
        out_ << answer(line) << std::flush;
    }
}

void ShellOutbox::print(const Reply& reply) {
    out_ << to_plain_text(reply, options_) << std::flush;
}

boost::asio::awaitable<void> ShellOutbox::complete(const chat::Origin&, chat::Answer answer) {
    print(answer.reply);
    co_return;
}

boost::asio::awaitable<void> ShellOutbox::deliver(const chat::Origin&, chat::Answer answer) {
    print(answer.reply);
    co_return;
}

boost::asio::awaitable<void> ShellOutbox::replace_proposal(const chat::Origin&, Reply reply) {
    print(reply);
    co_return;
}

boost::asio::awaitable<void> ShellOutbox::post_beside(const chat::Origin&, chat::Answer answer) {
    print(answer.reply);
    co_return;
}

boost::asio::awaitable<ApiResult<void>> ShellOutbox::post(Conversation, Reply reply) {
    print(reply);
    co_return ApiResult<void>{};
}

boost::asio::awaitable<ApiResult<void>> ShellOutbox::tell(Actor, Reply reply) {
    print(reply);
    co_return ApiResult<void>{};
}

}  // namespace collab::shell
