#pragma once
// What `list my-dedicated-db` prints for the seed's data: the table of Scalingo's "Managing
// Collaborators" page, with each column as wide as its widest cell.

#include <string>

namespace collab::testing {

inline const std::string seed_output =
    "┌───────────────────┬──────────┬──────────┬──────────────┐\n"
    "│       EMAIL       │ USERNAME │  STATUS  │     ROLE     │\n"
    "├───────────────────┼──────────┼──────────┼──────────────┤\n"
    "│ user1@example.com │ user1    │ owner    │ owner        │\n"
    "│ user2@example.com │ user2    │ accepted │ collaborator │\n"
    "│ user3@example.com │ n/a      │ pending  │ collaborator │\n"
    "└───────────────────┴──────────┴──────────┴──────────────┘\n";

}  // namespace collab::testing
