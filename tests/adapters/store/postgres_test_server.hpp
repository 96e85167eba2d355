#pragma once
// The PostgreSQL server the store tests run against, and a database of each test's own on it, so that
// tests run in parallel (ctest -j) without seeing each other's rows.

#include <string>
#include <vector>

namespace collab::testing {

// The environment variable naming the server: a superuser URL on a cluster the tests may wreck.
inline constexpr const char* postgres_url_variable = "COLLAB_TEST_POSTGRES_URL";

// The superuser URL, or "" when the variable is not set.
std::string postgres_admin_url();

// Why a PostgreSQL test cannot run, and how to run it.
std::string postgres_missing_message();

// Runs `sql` on a connection of its own and returns the rows, every value as text ("" for NULL);
// throws std::runtime_error with the server's message when it fails.
std::vector<std::vector<std::string>> query(const std::string& url, const std::string& sql);

// `url` with its database replaced by `database`.
std::string with_database(const std::string& url, const std::string& database);

// A database named after the running test, created empty and dropped at scope exit with whatever
// is still connected to it. Throws std::runtime_error when COLLAB_TEST_POSTGRES_URL is not set.
class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& name() const { return name_; }
    const std::string& url() const { return url_; }
    const std::string& admin_url() const { return admin_url_; }

private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

}  // namespace collab::testing
