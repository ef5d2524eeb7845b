# Included by ctest (TEST_INCLUDE_FILES): registers one test "netns: <case>" per doctest case of
# NETNS_TEST_BINARY, each run as `bash in_netns.sh BINARY --test-case=<case>` so that it gets a
# fresh network namespace. Listing the cases needs neither root nor a namespace.
if(NOT EXISTS "${NETNS_TEST_BINARY}")
  add_test([==[netns: netlink_adapter_tests not built]==] "${NETNS_TEST_BINARY}")
  return()
endif()

execute_process(
  COMMAND "${NETNS_TEST_BINARY}" --list-test-cases --no-intro --no-version
  OUTPUT_VARIABLE listing
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  add_test([==[netns: listing the test cases failed]==] "${NETNS_TEST_BINARY}" --list-test-cases)
  return()
endif()

string(REPLACE "\n" ";" lines "${listing}")
foreach(name IN LISTS lines)
  # Skip doctest's banner and ruler lines.
  if(name STREQUAL "" OR name MATCHES "^\\[doctest\\]" OR name MATCHES "^=+$")
    continue()
  endif()
  # doctest splits --test-case filters at commas unless they are escaped.
  string(REPLACE "," "\\," filter "${name}")
  add_test("netns: ${name}" /bin/bash "${NETNS_WRAPPER}" "${NETNS_TEST_BINARY}"
           "--test-case=${filter}")
  set_tests_properties("netns: ${name}" PROPERTIES
    WORKING_DIRECTORY "${NETNS_WORKING_DIR}"
    TIMEOUT 60
    LABELS netns)
endforeach()
