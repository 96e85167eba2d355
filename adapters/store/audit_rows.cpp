#include "adapters/store/audit_rows.hpp"

#include <array>

namespace collab::store {

AuditOutcome outcome_from(std::string_view text) {
    constexpr std::array outcomes{AuditOutcome::allowed,   AuditOutcome::denied,   AuditOutcome::proposed,
                                  AuditOutcome::confirmed, AuditOutcome::executed, AuditOutcome::failed};
    for (auto outcome : outcomes)
        if (to_string(outcome) == text) return outcome;
    return AuditOutcome::failed;
}

}  // namespace collab::store
