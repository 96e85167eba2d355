# The chat platforms the bot runs on, the default (the shell) first: adding a platform is adding its
# name here. A platform <name> is adapters/chat/<name>/ (its own CMakeLists.txt builds the library
# collab_chat_<name>) and bot/platforms/<name>/: section.cpp (its [<name>] section's reader, which
# defines <name>_section) and run.cpp (which defines run_<name>); README, "The chat-platform contract".
set(collab_platforms shell slack discord mattermost)

# Writes `output`: the table of registrations, one per platform of the list (bot/platforms.hpp).
# WITHOUT_RUNS leaves each run out (null), for a build that only reads the configuration.
function(collab_platform_table output)
  cmake_parse_arguments(PARSE_ARGV 1 table "WITHOUT_RUNS" "" "")
  set(platform_declarations "")
  set(platform_entries "")
  list(LENGTH collab_platforms platform_count)
  foreach(platform IN LISTS collab_platforms)
    string(APPEND platform_declarations "extern const PlatformSection ${platform}_section;\n")
    if(table_WITHOUT_RUNS)
      set(run nullptr)
    else()
      string(APPEND platform_declarations "int run_${platform}(const RunOptions& options);\n")
      set(run run_${platform})
    endif()
    string(APPEND platform_entries "        {\"${platform}\", &${platform}_section, ${run}},\n")
  endforeach()
  configure_file(${PROJECT_SOURCE_DIR}/bot/platform_table.cpp.in ${output} @ONLY)
endfunction()

# The sources of every platform's section readers (and of what they share), and of their runs.
set(collab_platform_sections ${PROJECT_SOURCE_DIR}/bot/platforms/responses.cpp)
set(collab_platform_runs "")
foreach(platform IN LISTS collab_platforms)
  list(APPEND collab_platform_sections ${PROJECT_SOURCE_DIR}/bot/platforms/${platform}/section.cpp)
  list(APPEND collab_platform_runs ${PROJECT_SOURCE_DIR}/bot/platforms/${platform}/run.cpp)
endforeach()
