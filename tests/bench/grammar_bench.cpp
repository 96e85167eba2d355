// What the command grammar costs on adversarial input: one huge word, a huge quoted run, tens of
// thousands of addresses. Prints figures, asserts nothing (the unit tests check the answers).
//   grammar_bench [--repeat N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/command.hpp"

namespace {

std::string many_addresses(int count) {
    std::string line = "add my-dedicated-db";
    for (int i = 0; i < count; ++i) line += " User" + std::to_string(i) + "@Example.com";
    return line + " user0@example.com";  // a duplicate, in another case
}

struct Input {
    std::string name;
    std::string line;
};

// The best of a few runs: the figure is the grammar's cost, not the machine's noise.
double best_milliseconds(const std::string& line, int repeat) {
    double best = 1e300;
    for (int i = 0; i < repeat; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const auto parsed = collab::parse_command(line);
        const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
        best = std::min(best, took.count());
        if (parsed.has_value() == line.starts_with("add my-dedicated-db User")) continue;
        std::fprintf(stderr, "grammar_bench: unexpected answer for a %zu-byte line\n", line.size());
        std::exit(1);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = 5;
    if (argc == 3 && std::string_view(argv[1]) == "--repeat")
        repeat = std::max(1, std::atoi(argv[2]));
    else if (argc != 1) {
        std::fprintf(stderr, "Usage: grammar_bench [--repeat N]\n");
        return 2;
    }
    const std::string megabyte(1 << 20, 'q');
    const std::vector<Input> inputs = {
        {"one 1 MiB word", megabyte},
        {"help + 1 MiB word", "help " + megabyte},
        {"add + 1 MiB address", "add my-dedicated-db " + megabyte},
        {"list + 1 MiB name", "list " + std::string(1 << 20, 'Q')},
        {"unclosed quote + 1 MiB", "\"" + std::string(1 << 20, ' ')},
        {"add 4,000 addresses", many_addresses(4'000)},
        {"add 40,000 addresses", many_addresses(40'000)},
    };
    std::printf("%-26s %12s %10s\n", "input", "bytes", "best ms");
    for (const auto& input : inputs)
        std::printf("%-26s %12zu %10.2f\n", input.name.c_str(), input.line.size(),
                    best_milliseconds(input.line, repeat));
}
