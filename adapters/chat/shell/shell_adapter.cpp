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

}  // namespace

ShellAdapter::ShellAdapter(Handler handler, std::istream& in, std::ostream& out, ShellOptions options)
    : handler_(std::move(handler)), in_(in), out_(out), options_(std::move(options)) {}

std::string ShellAdapter::answer(std::string_view raw) {
    // Tabs and non-breaking spaces count as blanks here as they do in the command itself.
    const std::string normalised = text::is_valid_utf8(raw) ? text::normalise(raw) : std::string(raw);
    const std::string_view line = trim(normalised);
    if (line.empty()) return {};
    const std::string head = text::ascii_lower(line.substr(0, command_word.size()));
    const bool is_command =
        head == command_word && (line.size() == command_word.size() || line[command_word.size()] == ' ');
    if (!is_command)
        return "Commands start with /collab, for example: /collab list my-dedicated-db\n"
               "Type /collab help to see them all, or exit to leave.\n";
    chat::CommandRequest request{chat::Origin{"shell-" + std::to_string(++commands_), options_.actor, {}},
                                 std::string(line.substr(command_word.size()))};
    const chat::Answer answer = handler_(std::move(request));
    return to_plain_text(answer.reply, PlainTextOptions{options_.interactive, std::string(command_word)});
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
