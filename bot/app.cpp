#include "bot/app.hpp"

#include "bot/platforms.hpp"

namespace collab::bot {

int run_bot(const RunOptions& options) {
    return options.config.adapter->run(options);
}

}  // namespace collab::bot
