# The default configuration and sandbox seed are compiled in, so that the bot runs with no file.
# Sets `embedded_cpp` to the generated source; included by bot/ and by the fuzz build.
set(embedded_cpp ${CMAKE_CURRENT_BINARY_DIR}/embedded.cpp)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/config/collab-bot.toml ${PROJECT_SOURCE_DIR}/config/sandbox.toml)
file(READ ${PROJECT_SOURCE_DIR}/config/collab-bot.toml default_config)
file(READ ${PROJECT_SOURCE_DIR}/config/sandbox.toml default_seed)
file(WRITE ${embedded_cpp}
  "#include \"bot/config.hpp\"\n"
  "namespace collab::bot {\n"
  "std::string_view embedded_config_text() { return R\"collab_embed(${default_config})collab_embed\"; }\n"
  "std::string_view embedded_sandbox_seed() { return R\"collab_embed(${default_seed})collab_embed\"; }\n"
  "}\n")
