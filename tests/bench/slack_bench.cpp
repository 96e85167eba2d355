// Load benchmark: the built collab-bot (`--adapter slack`, the in-process sandbox, no configuration
// file) driven through the Slack emulator with slash commands, the way Slack would deliver them.
// Prints figures; asserts nothing. Usage:
//   slack_bench [--commands N] [--concurrency C] [--rate R] [--paced N] [--cpu K]
//   --commands     `list` commands of the throughput run (default 20000)
//   --concurrency  envelopes in flight at once during it (default 200)
//   --rate         commands per second of the latency run (default 1000)
//   --paced        commands of the latency run (default 5000)
//   --cpu          the core the bot is pinned to (default: the last one); the emulator and this
//                  driver are kept off it where the machine has more than one

#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <boost/process.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "slack_emulator.hpp"

namespace {

namespace bp = boost::process;
using namespace std::chrono_literals;
using collab::slack::test::Ack;
using collab::slack::test::EmulatorOptions;
using collab::slack::test::SlackEmulator;
using collab::slack::test::SlashCommandFields;
using SteadyClock = std::chrono::steady_clock;

struct Settings {
    int commands = 20'000;
    int concurrency = 200;
    int rate = 1'000;
    int paced = 5'000;
    int cpu = -1;
};

Settings parse(int argc, char** argv) {
    Settings settings;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (name == "--commands") settings.commands = value;
        else if (name == "--concurrency") settings.concurrency = value;
        else if (name == "--rate") settings.rate = value;
        else if (name == "--paced") settings.paced = value;
        else if (name == "--cpu") settings.cpu = value;
        else {
            std::cerr << "unknown option " << name << "\n";
            std::exit(2);
        }
    }
    return settings;
}

// Peak resident set size, in KiB, and CPU seconds used so far, of a process.
long peak_rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmHWM:")) return std::atol(line.c_str() + 6);
    return -1;
}

double cpu_seconds(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces) start after the last ')'.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string skip;
    for (int field = 3; field < 14; ++field) fields >> skip;
    long user = 0, system = 0;
    fields >> user >> system;
    return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double percentile(std::vector<double> values, double share) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(share * static_cast<double>(values.size() - 1));
    return values[index];
}

void pin(pid_t pid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ::sched_setaffinity(pid, sizeof set, &set);
}

void pin_elsewhere(int bot_cpu, int cores) {
    if (cores < 2) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < cores; ++cpu)
        if (cpu != bot_cpu) CPU_SET(cpu, &set);
    ::sched_setaffinity(0, sizeof set, &set);
}

std::vector<std::string> envelopes(SlackEmulator& slack, const std::string& prefix, int count) {
    std::vector<std::string> frames;
    frames.reserve(count);
    for (int i = 0; i < count; ++i) {
        SlashCommandFields fields;
        fields.envelope_id = prefix + std::to_string(i);
        fields.text = "list my-dedicated-db";
        fields.response_url = slack.response_url(fields.envelope_id);
        frames.push_back(collab::slack::test::slash_command_envelope(fields));
    }
    return frames;
}

std::vector<Ack> acks_with_prefix(const SlackEmulator& slack, const std::string& prefix) {
    std::vector<Ack> matching;
    for (auto& ack : slack.acks())
        if (ack.envelope_id.starts_with(prefix)) matching.push_back(std::move(ack));
    return matching;
}

bool answered(const Ack& ack) {
    const auto* text = ack.payload.if_contains("text");
    return text && text->is_string() && std::string_view(text->as_string()).find("user2@example.com") != std::string_view::npos;
}

}  // namespace

int main(int argc, char** argv) {
    const Settings settings = parse(argc, argv);
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    const int bot_cpu = settings.cpu >= 0 ? settings.cpu : std::max(0, cores - 1);
    pin_elsewhere(bot_cpu, cores);

    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}};
    SlackEmulator slack(options);
    const auto state = std::filesystem::temp_directory_path() / ("collab-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(state);

    bp::environment env = boost::this_process::environment();
    env["SLACK_APP_TOKEN"] = options.app_token;
    env["SLACK_BOT_TOKEN"] = options.bot_token;
    env["SLACK_API_URL"] = slack.api_url();
    bp::child bot(COLLAB_BOT_BINARY, bp::args({"--adapter", "slack", "--state-dir", state.string()}),
                  bp::std_in < bp::null, bp::std_out > bp::null, bp::std_err > (state / "bot.log").string(), env);
    pin(bot.id(), bot_cpu);
    if (!slack.wait_for_open_sockets(1, 10s)) {
        std::cerr << "the bot did not connect; see " << (state / "bot.log") << "\n";
        return 1;
    }

    // Warm-up: users.info cached, SQLite pages in memory, connections open.
    const auto warm = envelopes(slack, "warm-", 200);
    for (const auto& frame : warm) slack.deliver(frame);
    slack.wait_for_ack_count(warm.size(), 30s);

    // Throughput: as fast as the bot acknowledges, with `concurrency` envelopes in flight.
    const auto burst = envelopes(slack, "burst-", settings.commands);
    const double cpu_before = cpu_seconds(bot.id());
    const std::size_t base = slack.ack_count();
    const auto burst_start = SteadyClock::now();
    for (int sent = 0; sent < settings.commands; ++sent) {
        if (sent >= settings.concurrency)
            slack.wait_for_ack_count(base + static_cast<std::size_t>(sent - settings.concurrency) + 1, 30s);
        slack.deliver(burst[sent]);
    }
    const bool burst_done = slack.wait_for_ack_count(base + static_cast<std::size_t>(settings.commands), 60s);
    const double burst_seconds = std::chrono::duration<double>(SteadyClock::now() - burst_start).count();
    const double cpu_burst = cpu_seconds(bot.id()) - cpu_before;

    // Latency at a steady rate.
    const auto paced = envelopes(slack, "paced-", settings.paced);
    const std::size_t paced_base = slack.ack_count();
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL / std::max(1, settings.rate));
    const auto paced_start = SteadyClock::now();
    for (int i = 0; i < settings.paced; ++i) {
        std::this_thread::sleep_until(paced_start + interval * i);
        slack.deliver(paced[i]);
    }
    const bool paced_done = slack.wait_for_ack_count(paced_base + static_cast<std::size_t>(settings.paced), 60s);

    const long rss = peak_rss_kib(bot.id());
    ::kill(bot.id(), SIGTERM);
    bot.wait();

    std::vector<double> ack_ms, final_ms;
    int in_ack = 0;
    for (const auto& ack : acks_with_prefix(slack, "paced-")) {
        const double ms = std::chrono::duration<double, std::milli>(ack.latency).count();
        ack_ms.push_back(ms);
        if (answered(ack)) {
            ++in_ack;
            final_ms.push_back(ms);
        }
    }
    // Answers that came after a placeholder: from the envelope's write to the response_url post.
    for (const auto& ack : acks_with_prefix(slack, "paced-")) {
        if (answered(ack)) continue;
        for (const auto& post : slack.posts("respond/" + ack.envelope_id))
            final_ms.push_back(std::chrono::duration<double, std::milli>(post.at - ack.sent).count());
    }
    int burst_answered = 0;
    for (const auto& ack : acks_with_prefix(slack, "burst-")) burst_answered += answered(ack) ? 1 : 0;

    std::cout << std::fixed << std::setprecision(2);
    std::cout << "collab-bot Slack benchmark (Socket Mode, in-process sandbox; bot pinned to core " << bot_cpu << " of "
              << cores << ")\n";
    std::cout << "throughput run: " << settings.commands << " list commands, " << settings.concurrency
              << " in flight" << (burst_done ? "" : " (INCOMPLETE)") << "\n";
    std::cout << "  commands per second sustained: " << settings.commands / burst_seconds << "\n";
    std::cout << "  answered in the acknowledgement: " << burst_answered << " of " << settings.commands << "\n";
    std::cout << "  CPU seconds per 10,000 commands: " << cpu_burst * 10'000.0 / settings.commands << "\n";
    std::cout << "latency run: " << settings.paced << " list commands at " << settings.rate << " per second"
              << (paced_done ? "" : " (INCOMPLETE)") << "\n";
    std::cout << "  ack latency ms: p50 " << percentile(ack_ms, 0.50) << ", p99 " << percentile(ack_ms, 0.99)
              << ", max " << percentile(ack_ms, 1.0) << "\n";
    std::cout << "  final-reply latency ms: p50 " << percentile(final_ms, 0.50) << ", p99 "
              << percentile(final_ms, 0.99) << " (" << in_ack << " answered in the acknowledgement)\n";
    std::cout << "peak RSS of the bot: " << rss / 1024.0 << " MiB\n";
    std::filesystem::remove_all(state);
    return burst_done && paced_done ? 0 : 1;
}
