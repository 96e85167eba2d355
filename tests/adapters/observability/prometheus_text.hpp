#pragma once
// A checker for the Prometheus text exposition format 0.0.4, independent of the renderer it checks,
// shared by every test that scrapes /metrics.
//
// Beyond the grammar (metric and label names, label values and their escapes, sample values,
// optional timestamps, HELP and TYPE lines), it holds a body to what a scraper relies on: every
// sample belongs to a family whose TYPE came before it, a family's lines form one group, no series
// appears twice, counters are not negative, and each histogram series has buckets with increasing
// "le" bounds and cumulative counts ending with le="+Inf", a _sum, and a _count equal to the +Inf
// bucket.

#include <string>
#include <string_view>
#include <vector>

namespace collab::observability::test {

// One message per problem, "line N: what is wrong"; empty when the body is valid.
std::vector<std::string> prometheus_text_problems(std::string_view body);

}  // namespace collab::observability::test
