#pragma once
// The one structured line every chat adapter logs per command decision, so that the shell and Slack
// read alike in the log:
//   decision platform=slack team=T1 channel=C1 user=U1 email=a@example.com command=remove
//   database=my-dedicated-db target=b@example.com decision=deny reason="Only the owner …"
// (on one line, after the request id in brackets, as for every line about a command). It is built
// from what core decided, never from the command's text: a confirmation token never reaches the log.
// Built by hand rather than through a format string: it is written for every command.

#include <chrono>
#include <string>
#include <string_view>

#include "core/render.hpp"

namespace collab::chat {

std::string decision_line(std::string_view request_id, const DecisionNote& note);
// " elapsed_ms=1.2": how long the command took, rounded to a tenth of a millisecond, halves up.
void append_elapsed(std::string& line, std::chrono::microseconds elapsed);

}  // namespace collab::chat
