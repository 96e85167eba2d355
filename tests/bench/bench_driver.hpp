#pragma once
// What every part of the benchmark shares: the built collab-bot as a child process pinned to its own
// core, what /proc says about it, generated sandbox seeds, the Socket Mode load (through the Slack
// emulator) and the table of figures. Nothing here asserts: it measures and prints.

#include <sys/types.h>
#include <boost/process/child.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "allocation_counts.hpp"
#include "slack_emulator.hpp"

namespace collab::bench {

using SteadyClock = std::chrono::steady_clock;

// What /proc says about a process: CPU seconds used so far (user + system, all threads), resident
// set size now and its peak, in KiB.
double cpu_seconds(pid_t pid);
long rss_kib(pid_t pid);
long peak_rss_kib(pid_t pid);

struct Latencies {
    double p50 = 0, p99 = 0, max = 0;  // ms
};
Latencies summarize(std::vector<double> milliseconds);

// The machine's cores as the bench uses them: the bot on one, this process (generator, emulator) on the others.
struct Cores {
    int count = 1;
    int bot = 0;
};
Cores pin_this_process_away(int bot_cpu);

// The figures, printed as a table at the end: one section per part.
class Report {
public:
    void section(std::string title);
    void row(std::string figure, std::string value, std::string target = "");
    void note(std::string text);
    void print(std::ostream& out) const;

private:
    struct Row {
        std::string figure, value, target;
        bool section = false, note = false;
    };
    std::vector<Row> rows_;
};
std::string fixed(double value, int precision = 3);
std::string mib(long kib);

// A scratch directory for one bench run, removed at the end.
class Workdir {
public:
    Workdir();
    ~Workdir();
    Workdir(const Workdir&) = delete;
    Workdir& operator=(const Workdir&) = delete;
    std::filesystem::path make(const std::string& name) const;  // a new subdirectory
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The bot as an admin starts it: the binary, arguments, environment, an optional configuration file.
struct BotLaunch {
    std::vector<std::string> args;                   // the bot's also get --state-dir
    std::string program;                             // another program than the built collab-bot (the Bolt app's node)
    std::map<std::string, std::string> environment;  // added to this process's; an empty value removes one
    std::string config_text;                         // non-empty: written to a file and passed as --config
    bool count_allocations = false;                  // preload the counting allocator
    // A program the bot runs under (valgrind and its options): its command line, the bot's follows.
    std::vector<std::string> wrapper;
};

class BotProcess {
public:
    // Pinned to core `cpu` from the start; -1: on this process's cores.
    BotProcess(const std::filesystem::path& state_dir, BotLaunch launch, int cpu);
    ~BotProcess();  // stop()
    BotProcess(const BotProcess&) = delete;
    BotProcess& operator=(const BotProcess&) = delete;

    pid_t pid() const { return static_cast<pid_t>(child_.id()); }
    SteadyClock::time_point spawned_at() const { return spawned_at_; }
    const std::filesystem::path& state_dir() const { return state_dir_; }
    std::string log() const;
    // The first group of `pattern` once the log has it, or nothing after the timeout.
    std::optional<std::string> wait_for_log(const std::string& pattern,
                                            std::chrono::milliseconds timeout = std::chrono::seconds{10}) const;
    AllocationCounts allocations() const;  // zero unless launched with count_allocations
    // SIGTERM, then waits for the exit.
    void stop();

private:
    std::filesystem::path state_dir_;
    std::filesystem::path counts_file_;
    SteadyClock::time_point spawned_at_;
    boost::process::child child_;
};

// The bot's Socket Mode environment: its tokens, and the emulator as Slack.
std::map<std::string, std::string> socket_mode_environment(const slack::test::SlackEmulator& slack);

// A people/databases shape written as a sandbox seed file (config/sandbox.toml's format) and the
// configuration that loads it. The chat users are U<index>, one per person, whose e-mails the
// emulator's users.info gives.
struct Person {
    std::string user_id;  // in Slack
    std::string email;
};
struct SeedDatabase {
    std::string name;
    std::size_t owner = 0;                   // an index into people
    std::vector<std::size_t> collaborators;  // accepted, indices into people
};
struct Population {
    std::vector<Person> people;  // the bot's own account is added to them
    std::vector<SeedDatabase> databases;
    void write_seed(const std::filesystem::path& file) const;
    std::map<std::string, std::string> emails() const;  // for EmulatorOptions::emails
};

// One command of a workload: who types what.
struct Command {
    std::string user_id;
    std::string text;
};
using Workload = std::function<Command(std::size_t index)>;

// The mix: `help` and `list DATABASE` alternating, typed in turn by the owner (U111) and an
// accepted collaborator (U222).
Workload help_and_list(std::string database);

// Envelopes for a workload, made from Slack's recorded slash-command envelope without re-reading
// and re-serialising it for each command.
class EnvelopeFactory {
public:
    explicit EnvelopeFactory(const slack::test::SlackEmulator& slack);
    std::string make(const std::string& envelope_id, const Command& command) const;

private:
    std::string template_;
};

struct RunFigures {
    std::size_t commands = 0;
    std::size_t answered_in_ack = 0;  // acknowledgements that carried the answer
    bool complete = false;            // every command acknowledged in time
    double seconds = 0;               // wall time of the window
    double bot_cpu = 0;               // CPU seconds the bot used in the window
    double generator_cpu = 0;         // CPU seconds this process (emulator and generator) used in it
    Latencies ack_ms;
    double per_second() const { return seconds > 0 ? static_cast<double>(commands) / seconds : 0; }
    double bot_ms_per_command() const { return commands ? bot_cpu * 1000.0 / static_cast<double>(commands) : 0; }
};

// Drives one bot through the emulator's Socket Mode socket. Envelope ids are the prefix and an index.
class SocketModeLoad {
public:
    SocketModeLoad(slack::test::SlackEmulator& slack, Workload workload, pid_t bot);

    // Sends `count` commands, `in_flight` unacknowledged at any time. `at` is called with the number
    // of commands acknowledged so far when it reaches one of `checkpoints` (between sends).
    RunFigures closed_loop(const std::string& prefix, std::size_t count, std::size_t in_flight,
                           const std::vector<std::size_t>& checkpoints = {},
                           const std::function<void(std::size_t)>& at = {});
    // Sends `count` commands at a steady `rate` per second, whatever the acknowledgements do.
    RunFigures paced(const std::string& prefix, std::size_t count, double rate);

    const Workload& workload() const { return workload_; }

private:
    RunFigures collect(const std::string& prefix, std::size_t count, std::size_t base, SteadyClock::time_point start,
                       double bot_cpu_before, double generator_cpu_before);

    slack::test::SlackEmulator& slack_;
    Workload workload_;
    pid_t bot_;
    EnvelopeFactory envelopes_;
};

}  // namespace collab::bench
