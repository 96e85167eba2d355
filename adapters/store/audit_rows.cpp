#include "adapters/store/audit_rows.hpp"

#include <array>

#include "core/text.hpp"

namespace collab::store {

AuditOutcome outcome_from(std::string_view text) {
    constexpr std::array outcomes{AuditOutcome::allowed,   AuditOutcome::denied,   AuditOutcome::proposed,
                                  AuditOutcome::confirmed, AuditOutcome::executed, AuditOutcome::failed};
    for (auto outcome : outcomes)
        if (to_string(outcome) == text) return outcome;
    return AuditOutcome::failed;
}

AuditSelect audit_select(const AuditQuery& query, std::string_view mark) {
    AuditSelect select{"SELECT " + std::string(audit_columns) + " FROM audit WHERE database_name = ", {}};
    const auto parameter = [&](std::string value) {
        select.parameters.push_back(std::move(value));
        return std::string(mark) + std::to_string(select.parameters.size());
    };
    select.sql += parameter(query.database);
    // E-mail addresses are ASCII (the grammar refuses anything else): lower() agrees in every store.
    if (query.by) select.sql += " AND lower(email) = " + parameter(text::ascii_lower(*query.by));
    if (query.action) select.sql += " AND action = " + parameter(*query.action);
    select.sql += " ORDER BY seq DESC LIMIT " + std::string(mark) + std::to_string(select.parameters.size() + 1);
    return select;
}

}  // namespace collab::store
