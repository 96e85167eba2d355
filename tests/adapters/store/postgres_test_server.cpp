#include "postgres_test_server.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>

namespace collab::testing {
namespace {

struct ConnectionDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};

// A name PostgreSQL takes unquoted: lower-case letters, digits and underscores, at most 63 bytes.
std::string database_name_for_current_test() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string full =
        test == nullptr ? "outside_a_test" : std::string(test->test_suite_name()) + "_" + test->name();
    std::string name = "collab_";
    for (char c : full) {
        const auto byte = static_cast<unsigned char>(c);
        name += std::isalnum(byte) != 0 ? static_cast<char>(std::tolower(byte)) : '_';
    }
    if (name.size() > 63) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "_%08zx", std::hash<std::string>{}(full)&0xffffffffu);
        name = name.substr(0, 63 - std::string(suffix).size()) + suffix;
    }
    return name;
}

}  // namespace

std::string postgres_admin_url() {
    const char* url = std::getenv(postgres_url_variable);
    return url == nullptr ? "" : url;
}

std::string postgres_missing_message() {
    return std::string(postgres_url_variable) +
           " is not set, so the PostgreSQL store tests cannot run. Run them with a throw-away cluster: "
           "scripts/with-postgres ctest --test-dir build -R Store (scripts/run-tests does this), or set it to "
           "the superuser URL of a cluster whose databases the tests may create and drop.";
}

std::vector<std::vector<std::string>> query(const std::string& url, const std::string& sql) {
    std::unique_ptr<PGconn, ConnectionDeleter> conn(PQconnectdb(url.c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error("cannot connect to the test server: " + std::string(PQerrorMessage(conn.get())));
    // Notices ("already exists, skipping") are not the test's business.
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    std::unique_ptr<PGresult, ResultDeleter> result(PQexec(conn.get(), sql.c_str()));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw std::runtime_error(sql + ": " + PQresultErrorMessage(result.get()));
    std::vector<std::vector<std::string>> rows;
    for (int row = 0; row < PQntuples(result.get()); ++row) {
        auto& values = rows.emplace_back();
        for (int column = 0; column < PQnfields(result.get()); ++column)
            values.emplace_back(PQgetvalue(result.get(), row, column));
    }
    return rows;
}

std::string with_database(const std::string& url, const std::string& database) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return url + " dbname=" + database;  // key=value form: the last one wins
    const auto path = url.find_first_of("/?", scheme + 3);
    if (path == std::string::npos) return url + "/" + database;
    const auto query_string = url.find('?', path);
    return url.substr(0, path) + "/" + database + (query_string == std::string::npos ? "" : url.substr(query_string));
}

TestDatabase::TestDatabase() : admin_url_(postgres_admin_url()), name_(database_name_for_current_test()) {
    if (admin_url_.empty()) throw std::runtime_error(postgres_missing_message());
    url_ = with_database(admin_url_, name_);
    // Left over by a run that crashed: start from nothing.
    query(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    query(admin_url_, "CREATE DATABASE " + name_);
}

TestDatabase::~TestDatabase() {
    try {
        query(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
        ADD_FAILURE() << "could not drop the test database " << name_ << ": " << e.what();
    }
}

}  // namespace collab::testing
