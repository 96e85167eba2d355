#pragma once
// Slack's text markup in both directions: undone on command text before it reaches core, and
// applied to everything we send in mrkdwn so that user-supplied text stays text.

#include <string>
#include <string_view>

namespace collab::slack {

// What Slack does to a slash command's text, undone, in a single pass (so "&amp;lt;" becomes
// "&lt;", never "<"):
//   &amp; &lt; &gt;                    -> & < >
//   <mailto:a@b.c|a@b.c>, <mailto:a@b.c> -> a@b.c
//   <http://x|label>, <http://x>       -> http://x (the address, not the label a client may show)
//   <@U123|name> -> @name, <@U123> -> @U123
//   <#C123|name> -> #name, <#C123> -> #C123
//   <!here>, <!channel|channel>        -> @here, @channel (the label when Slack gives one)
// Mentions keep a readable form rather than the bare id: core never acts on them (the actor comes
// from the payload's user_id), they only show up again in a usage error, where a name helps.
// A '<' without its '>' is kept as it is.
std::string unescape_command_text(std::string_view text);

// The three characters Slack parses, escaped: "&" -> "&amp;", "<" -> "&lt;", ">" -> "&gt;". Enough to
// keep "<!channel>", "<@U…>" and "<https://evil|x>" from becoming mentions or links; *bold* and
// _italic_ markers are left alone (they cannot notify anybody or hide a target). Control and bidi
// characters are made visible first (text::printable, line feeds kept).
std::string escape_mrkdwn(std::string_view text);

}  // namespace collab::slack
