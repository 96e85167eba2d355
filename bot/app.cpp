#include "bot/app.hpp"

#include "bot/runs.hpp"

namespace collab::bot {

int run_bot(const RunOptions& options) {
    switch (options.config.adapter) {
        case AdapterKind::shell: return run_shell(options.config, options.act_as);
        case AdapterKind::slack: return run_slack(options.config);
    }
    return exit_failed;
}

}  // namespace collab::bot
