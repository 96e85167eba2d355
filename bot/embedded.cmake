# The default configuration and sandbox seed are compiled in, so that the bot runs with no file.
# Sets `embedded_cpp` to the generated source; included by bot/ and by the fuzz build.
set(embedded_cpp ${CMAKE_CURRENT_BINARY_DIR}/embedded.cpp)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/config/collab-bot.toml ${PROJECT_SOURCE_DIR}/config/sandbox.toml)
file(READ ${PROJECT_SOURCE_DIR}/config/collab-bot.toml default_config)
file(READ ${PROJECT_SOURCE_DIR}/config/sandbox.toml default_seed)
# Written through a scratch file and copied only when different: a source rewritten at every configure
# would be recompiled, and everything linking it relinked, at every start of scripts/run-bot.
file(WRITE ${embedded_cpp}.new
  "#include \"bot/config.hpp\"\n"
  "namespace collab::bot {\n"
  "std::string_view embedded_config_text() { return R\"collab_embed(${default_config})collab_embed\"; }\n"
  "std::string_view embedded_sandbox_seed() { return R\"collab_embed(${default_seed})collab_embed\"; }\n"
  "}\n")
file(COPY_FILE ${embedded_cpp}.new ${embedded_cpp} ONLY_IF_DIFFERENT)
file(REMOVE ${embedded_cpp}.new)
