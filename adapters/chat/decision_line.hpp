#pragma once
// The one structured line every chat adapter logs per command decision, so that the shell and Slack
// read alike in the log:
//   decision platform=slack team=T1 channel=C1 user=U1 email=a@example.com command=remove
//   database=my-dedicated-db target=b@example.com decision=deny reason="Only the owner …"
// (on one line; the request id goes in front, as for every line about a command). It is built from
// what core decided, never from the command's text: a confirmation token never reaches the log.

#include <string>

#include "core/render.hpp"

namespace collab::chat {

std::string decision_line(const DecisionNote& note);

}  // namespace collab::chat
