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
#include <memory>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allocation_counts.hpp"
#include "slack_emulator.hpp"

namespace collab::bench {

using SteadyClock = std::chrono::steady_clock;

// What /proc says about a process: CPU seconds used so far (user + system, all threads), resident
// set size now and its peak, in KiB.
double cpu_seconds(pid_t pid);
// The same CPU time from the scheduler's nanosecond counts of each thread (/proc/<pid>/task/*/schedstat:
// the clock ticks of /proc/<pid>/stat are too coarse for tenths of a millisecond), and each thread
// name's share (their comm, as the bot names its stores' threads).
struct ThreadsCpu {
    double all = 0;                                      // seconds
    std::map<std::string, double, std::less<>> by_name;  // seconds, included in all

    double of(std::string_view name) const;
};
ThreadsCpu threads_cpu(pid_t pid);
long rss_kib(pid_t pid);
long peak_rss_kib(pid_t pid);
// The RSS now, and its anonymous part (heap, stacks) and file-backed part (the binary's and the shared
// libraries' pages, as many as the kernel mapped around those touched).
std::string rss_split(pid_t pid);

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

// How late this machine wakes a thread that does nothing but sleep, 1 ms at a time, on the bot's core and
// on another, one of the generator's: the floor under every latency maximum printed, since an answer waits for at least
// one wake-up on each side. Printed as a section of its own.
void report_wake_ups(Report& report, const Cores& cores, std::chrono::seconds span);

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

    // From now on every collab-bot started without a wrapper of its own runs under callgrind, which
    // writes its whole run (start to exit) to `dir`/callgrind.<pid>: what scripts/link-order reads.
    static void trace_with_callgrind(std::filesystem::path dir);

private:
    static std::filesystem::path& callgrind_dir();

    std::filesystem::path state_dir_;
    std::filesystem::path counts_file_;
    SteadyClock::time_point spawned_at_;
    boost::process::child child_;
    bool traced_ = false;
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

// The mix: `help` and `list DATABASE` alternating, typed in turn by the owner (user1@example.com,
// U111 in Slack) and an accepted collaborator (user2@example.com, U222 in Slack).
Workload help_and_list(std::string database, std::string owner = "U111", std::string collaborator = "U222");

// `text` with each marker replaced by its value.
std::string filled(std::string text, const std::vector<std::pair<std::string_view, std::string_view>>& values);

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
    Latencies ack_ms;                 // from the command's write to its answer's arrival
    Latencies generator_delay;        // the generator's own delay before that write: from the command's due time
    double per_second() const { return seconds > 0 ? static_cast<double>(commands) / seconds : 0; }
    double bot_ms_per_command() const { return commands ? bot_cpu * 1000.0 / static_cast<double>(commands) : 0; }
};

// A load of commands on one bot, whatever carries them. Ids are the prefix and an index.
class Load {
public:
    virtual ~Load() = default;
    // Sends `count` commands, `in_flight` unanswered at any time. `at` is called with the number of
    // commands answered so far when it reaches one of `checkpoints` (between sends).
    virtual RunFigures closed_loop(const std::string& prefix, std::size_t count, std::size_t in_flight,
                                   const std::vector<std::size_t>& checkpoints = {},
                                   const std::function<void(std::size_t)>& at = {}) = 0;
    // Sends `count` commands at a steady `rate` per second, whatever the answers do (over at most
    // `in_flight` connections, where the platform opens one per request).
    virtual RunFigures paced(const std::string& prefix, std::size_t count, double rate, std::size_t in_flight) = 0;
};

// What a platform that pushes commands to the bot over a connection the bot opened (Slack's Socket
// Mode, Discord's gateway) gives the load: a delivery, and the answers as its emulator saw them come.
class PushedCommands {
public:
    struct Answer {
        double latency_ms = 0;  // from the command's write to its answer's arrival
        bool carried = false;   // the answer itself, not a placeholder completed later
        double delay_ms = 0;    // from its delivery to its write: the emulator's own delay
        std::size_t index = 0;  // of the command: its id's number
    };
    virtual ~PushedCommands() = default;
    // The delivery of `command` under `id`, made ready ahead of its time.
    virtual std::function<void()> prepare(const std::string& id, const Command& command) = 0;
    virtual std::size_t answer_count() const = 0;
    virtual bool wait_for_answer_count(std::size_t count, std::chrono::milliseconds timeout) const = 0;
    // The answers to the commands whose ids start with `prefix`.
    virtual std::vector<Answer> answers(const std::string& prefix) const = 0;
};

// The index of a command's id made of `prefix` and a number; nothing for another id (one of a run whose
// prefix starts with this one).
std::optional<std::size_t> command_index(std::string_view id, std::string_view prefix);

// Drives one bot through a platform that pushes commands to it.
class PushLoad : public Load {
public:
    PushLoad(std::unique_ptr<PushedCommands> platform, Workload workload, pid_t bot);

    RunFigures closed_loop(const std::string& prefix, std::size_t count, std::size_t in_flight,
                           const std::vector<std::size_t>& checkpoints = {},
                           const std::function<void(std::size_t)>& at = {}) override;
    RunFigures paced(const std::string& prefix, std::size_t count, double rate, std::size_t in_flight = 0) override;

    const Workload& workload() const { return workload_; }

private:
    // `late`: by index, how long after its due time each command was delivered (none in a closed loop).
    RunFigures collect(const std::string& prefix, std::size_t count, std::size_t base, SteadyClock::time_point start,
                       double bot_cpu_before, double generator_cpu_before, const std::vector<double>& late = {});

    std::unique_ptr<PushedCommands> platform_;
    Workload workload_;
    pid_t bot_;
};

// Slack's Socket Mode through the Slack emulator: envelopes on its socket, their acknowledgements.
class SocketModeLoad : public PushLoad {
public:
    SocketModeLoad(slack::test::SlackEmulator& slack, Workload workload, pid_t bot);
};

// The options every bench takes, and its parts.
struct LoadSettings {
    bool quick = false;
    std::set<std::string> parts;
    std::size_t commands = 100'000;  // of the closed loop
    std::size_t in_flight = 64;
    double rate = 1'000;  // commands per second of the steady runs
    std::size_t paced = 10'000;
    int cpu = -1;
};

// A bench's command line: `--quick`, then `--name value` pairs. Reads the options of LoadSettings
// (and --only, one or more of `all_parts`, and --callgrind DIR: see BotProcess::trace_with_callgrind);
// the bench takes its own with number() before done().
class CommandLine {
public:
    CommandLine(int argc, char** argv, std::string program, std::string usage, std::string all_parts);
    bool quick() const { return quick_; }
    LoadSettings load_settings(std::size_t quick_commands, std::size_t quick_paced);
    // The option's value as a number, if it was given.
    std::optional<double> number(const std::string& name);
    // Exits with the usage when an option was not taken.
    void done() const;
    [[noreturn]] void usage(const std::string& problem) const;

private:
    std::string program_, usage_, all_parts_;
    bool quick_ = false;
    std::map<std::string, std::string> given_;
};

// How a run's figures are printed: what its latency measures, and what the targets are.
struct RunWording {
    std::string latency = "ack latency";
    std::string answered = "answered in the acknowledgement";
};
struct Targets {
    std::string cpu, latency, peak_rss;
};

// A run's figures as rows, with the targets beside them; latency printed for runs near `rate` and where a
// target is given.
void report_run(Report& report, const std::string& label, const RunFigures& run, double rate,
                const Targets& targets = {}, const RunWording& wording = {});
std::string steady_label(const LoadSettings& settings);

// The load every platform's bench runs on one bot: the closed loop with RSS after 10,000 and 100,000
// commands, then the steady rate, then the peak RSS.
void closed_then_steady(Report& report, Load& load, pid_t bot, const std::string& name, const LoadSettings& settings,
                        std::size_t warmed, const Targets& closed, const Targets& steady,
                        const RunWording& wording = {});

// Spawn-to-ready figures, over several starts (the first one not counted).
void report_starts(Report& report, const std::string& ready_label, std::vector<double> ready_ms,
                   std::vector<double> answer_ms, const std::string& ready_target = "");

// A loopback port free now, for a bot told to listen on it.
unsigned short free_loopback_port();

}  // namespace collab::bench
