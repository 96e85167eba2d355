#pragma once
// Runs the built collab-bot as a user would: arguments, standard input, and what it printed.

#include <boost/process.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
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

// Input and output go through files, so that a large output can never block on a full pipe.
inline BotRun run_bot(const std::vector<std::string>& args, const std::string& input, const StateDir& scratch) {
    namespace bp = boost::process;
    static int counter = 0;
    const auto stem = scratch.path() / ("run-" + std::to_string(++counter));
    const auto in_file = stem.string() + ".in", out_file = stem.string() + ".out", err_file = stem.string() + ".err";
    std::ofstream(in_file, std::ios::binary) << input;
    bp::child child(COLLAB_BOT_BINARY, bp::args(args), bp::std_in < in_file, bp::std_out > out_file,
                    bp::std_err > err_file);
    BotRun run;
    if (!child.wait_for(std::chrono::seconds(20))) {
        child.terminate();
        run.err = "collab-bot did not finish within 20 seconds";
        return run;
    }
    run.exit_code = child.exit_code();
    run.out = slurp(out_file);
    run.err = slurp(err_file);
    return run;
}

}  // namespace collab::e2e
