#pragma once
// The shell: /collab commands typed on a terminal, or piped in line by line.

#include <functional>
#include <iosfwd>
#include <string>

#include "core/render.hpp"
#include "core/service.hpp"

namespace collab::shell {

struct ShellOptions {
    Actor actor;
    bool interactive = false;  // a person at a terminal: greet, prompt, dim pending rows
    std::string greeting;      // shown once when interactive
};

class ShellAdapter {
public:
    using Handler = std::function<Reply(ChatRequest)>;

    ShellAdapter(Handler handler, std::istream& in, std::ostream& out, ShellOptions options);

    // Reads until exit, quit or end of input. Returns the process exit code.
    int run();

    // The reply to one line, as printed; empty for a blank line.
    std::string answer(std::string_view line);

private:
    Handler handler_;
    std::istream& in_;
    std::ostream& out_;
    ShellOptions options_;
};

}  // namespace collab::shell
