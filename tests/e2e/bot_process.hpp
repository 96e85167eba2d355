#pragma once
// Runs the built collab-bot as a user would: arguments, standard input, and what it printed.

#include <gtest/gtest.h>
#include <signal.h>
#include <boost/process.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace collab::e2e {

struct BotRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A state directory of its own, removed afterwards.
class StateDir {
public:
    StateDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "collab-e2e-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~StateDir() { std::filesystem::remove_all(path_); }
    StateDir(const StateDir&) = delete;
    StateDir& operator=(const StateDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

using Environment = std::vector<std::pair<std::string, std::string>>;

// Whether `child` ended within `timeout`. Polls its state instead of boost::process's wait_for, which
// can block far past its timeout while the test has other children (boostorg/process#69).
inline bool ended_within(boost::process::child& child, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::error_code error;
    while (child.running(error)) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return true;
}

// Input and output go through files, so that a large output can never block on a full pipe.
inline BotRun run_bot(const std::vector<std::string>& args, const std::string& input, const StateDir& scratch,
                      const Environment& extra_environment = {}) {
    namespace bp = boost::process;
    static int counter = 0;
    const auto stem = scratch.path() / ("run-" + std::to_string(++counter));
    const auto in_file = stem.string() + ".in", out_file = stem.string() + ".out", err_file = stem.string() + ".err";
    std::ofstream(in_file, std::ios::binary) << input;
    bp::environment environment = boost::this_process::environment();
    for (const auto& [name, value] : extra_environment) environment[name] = value;
    bp::child child(COLLAB_BOT_BINARY, bp::args(args), bp::std_in<in_file, bp::std_out> out_file,
                    bp::std_err > err_file, environment);
    BotRun run;
    if (!ended_within(child, std::chrono::seconds(20))) {
        child.terminate();
        run.err = "collab-bot did not finish within 20 seconds";
        return run;
    }
    run.exit_code = child.exit_code();
    run.out = slurp(out_file);
    run.err = slurp(err_file);
    return run;
}

// collab-bot running as a child process, started the way an admin starts it for a chat platform;
// standard error goes to a file.
class RunningBot {
public:
    // `environment`: variables over the test's own; an empty value removes the variable.
    RunningBot(const std::filesystem::path& log, const Environment& environment, const std::vector<std::string>& args)
        : log_(log) {
        namespace bp = boost::process;
        bp::environment env = boost::this_process::environment();
        for (const auto& [name, value] : environment) {
            if (value.empty())
                env.erase(name);
            else
                env[name] = value;
        }
        child_ = bp::child(COLLAB_BOT_BINARY, bp::args(args), bp::std_in<bp::null, bp::std_out> bp::null,
                           bp::std_err > log_.string(), env);
    }
    ~RunningBot() {
        if (child_.running()) child_.terminate();
    }
    RunningBot(const RunningBot&) = delete;
    RunningBot& operator=(const RunningBot&) = delete;

    // The exit code, once the process ended within the timeout.
    std::optional<int> wait(std::chrono::seconds timeout = std::chrono::seconds(10)) {
        if (!ended_within(child_, timeout)) return std::nullopt;
        return child_.exit_code();
    }
    void signal(int number) { ::kill(child_.id(), number); }
    // Whether a shared library whose file name contains `name` is mapped into the running process.
    bool maps_library(std::string_view name) const {
        std::ifstream maps("/proc/" + std::to_string(child_.id()) + "/maps");
        for (std::string line; std::getline(maps, line);)
            if (const auto slash = line.rfind('/');
                slash != std::string::npos && line.find(name, slash) != std::string::npos)
                return true;
        return false;
    }
    bool running() { return child_.running(); }
    std::string log() const { return slurp(log_); }

private:
    std::filesystem::path log_;
    boost::process::child child_;
};

// The first group of `pattern` in the bot's log, waiting up to 10 s for it to be written.
inline std::string from_log(const RunningBot& bot, const std::string& pattern) {
    const std::regex wanted(pattern);
    std::smatch found;
    for (int i = 0; i < 400; ++i) {
        const std::string log = bot.log();
        if (std::regex_search(log, found, wanted)) return found[1];
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "never logged: " << pattern << "\n" << bot.log();
    return {};
}

// `collab-bot sandbox serve` on a free loopback port, stopped with SIGTERM as an admin would.
class ServedSandbox {
public:
    // `extra_args`: more options, e.g. a --config whose [sandbox] seed is not the embedded one.
    explicit ServedSandbox(const StateDir& state, const std::vector<std::string>& extra_args = {})
        : child_(COLLAB_BOT_BINARY, boost::process::args(serve_args(state, extra_args)), boost::process::std_out > out_,
                 boost::process::std_err > (state.path() / "serve.log").string()) {
        // The first line it prints is its URL.
        std::getline(out_, url_);
    }
    ~ServedSandbox() {
        ::kill(child_.id(), SIGTERM);
        child_.wait();
    }
    ServedSandbox(const ServedSandbox&) = delete;
    ServedSandbox& operator=(const ServedSandbox&) = delete;

    const std::string& url() const { return url_; }

private:
    static std::vector<std::string> serve_args(const StateDir& state, const std::vector<std::string>& extra_args) {
        std::vector<std::string> args{"sandbox",     "serve",       "--listen",
                                      "127.0.0.1:0", "--state-dir", state.path().string()};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return args;
    }

    boost::process::ipstream out_;
    boost::process::child child_;
    std::string url_;
};

// The environment that points the bot's Scalingo client (--provider scalingo) at a served sandbox,
// with user1's API token from config/sandbox.toml: the bot works with the owner's account.
inline Environment scalingo_environment(const ServedSandbox& served) {
    return {{"SCALINGO_API_URL", served.url()},
            {"SCALINGO_AUTH_URL", served.url()},
            {"SCALINGO_API_TOKEN", "tk-us-sandbox-user1-0000000000000000000000000000"}};
}

// Where the bot's Scalingo is: the sandbox in-process, or served over HTTP to the Scalingo client.
enum class Upstream { in_process, over_http };

// The name of a test run on `Upstream`, for INSTANTIATE_TEST_SUITE_P.
inline std::string upstream_name(const ::testing::TestParamInfo<Upstream>& info) {
    return info.param == Upstream::in_process ? "InProcess" : "OverHttp";
}

// The bot's upstream for a test: nothing to start in-process; over HTTP, `collab-bot sandbox serve` and
// the Scalingo client pointed at it.
class BotUpstream {
public:
    explicit BotUpstream(Upstream upstream)
        : served_(upstream == Upstream::over_http ? std::make_unique<ServedSandbox>(served_state_) : nullptr) {}

    // What the bot is started with, before its other arguments and variables.
    std::vector<std::string> args() const {
        return served_ ? std::vector<std::string>{"--provider", "scalingo"} : std::vector<std::string>{};
    }
    Environment environment() const { return served_ ? scalingo_environment(*served_) : Environment{}; }

private:
    StateDir served_state_;
    std::unique_ptr<ServedSandbox> served_;
};

}  // namespace collab::e2e
