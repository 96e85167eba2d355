#pragma once
// libpq, opened the first time the PostgreSQL store connects rather than when the bot starts. What
// libpq brings along (Kerberos, LDAP, SASL, GnuTLS and p11-kit, which sets itself up as it loads)
// cost every bot about 3.4 MiB of memory and part of its start-up, and most bots keep their state
// in SQLite. The PostgreSQL code calls libpq through this table: pq().PQexec(…).

#include <libpq-fe.h>

namespace collab::store {

// The libpq functions the store uses, each named as libpq names it.
// clang-format off
#define COLLAB_LIBPQ_FUNCTIONS(X) \
    X(PQclear) X(PQcmdTuples) X(PQconnectPoll) X(PQconnectStartParams) X(PQconninfoFree) \
    X(PQconninfoParse) X(PQconsumeInput) X(PQerrorMessage) X(PQfinish) X(PQflush) X(PQfreemem) \
    X(PQgetResult) X(PQgetisnull) X(PQgetvalue) X(PQisBusy) X(PQnfields) X(PQntuples) \
    X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) X(PQsendQuery) \
    X(PQsendQueryParams) X(PQsetNoticeReceiver) X(PQsetnonblocking) X(PQsocket) X(PQstatus)
// clang-format on

struct Libpq {
#define COLLAB_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
    COLLAB_LIBPQ_FUNCTIONS(COLLAB_LIBPQ_MEMBER)
#undef COLLAB_LIBPQ_MEMBER
};

// libpq (libpq.so.5, Debian's libpq5), opened on the first call; throws std::runtime_error saying
// which package to install when it cannot be opened.
const Libpq& pq();

}  // namespace collab::store
