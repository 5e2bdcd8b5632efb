# ctest case consumer:find_package: install the current build of ebm into a scratch prefix, then configure,
# build and run the downstream project in this folder against that prefix only.
#   cmake -DEBM_BUILD_DIR=… -DCONSUMER_SOURCE_DIR=… -DWORK_DIR=… -DCXX_COMPILER=… -DGENERATOR=… -P run_consumer.cmake
foreach(var EBM_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR CXX_COMPILER GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer.cmake: ${var} is not set")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})  # a fresh install and a fresh configure every time

function(run step)
  message(STATUS "consumer: ${step}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer: ${step} failed (${rc})")
  endif()
endfunction()

# cmake --install copies every installed target (the library, the command-line tool), so they must be built.
# They are after `cmake --build`, as in CI, where this is a no-op; it makes the test stand on its own otherwise.
run("build ebm (a no-op after the full build)" ${CMAKE_COMMAND} --build ${EBM_BUILD_DIR} -j 2)
run("install ebm into ${prefix}" ${CMAKE_COMMAND} --install ${EBM_BUILD_DIR} --prefix ${prefix})
# The exported target carries no machine-specific flag: a consumer compiles for the CPU it chooses.
file(GLOB_RECURSE exported ${prefix}/*/ebmTargets.cmake)
if(NOT exported)
  message(FATAL_ERROR "consumer: no ebmTargets.cmake under ${prefix}")
endif()
file(READ "${exported}" targets)
if(targets MATCHES "-march|-mtune|-mavx|-msse")
  message(FATAL_ERROR "consumer: the exported target ebm::ebm carries a machine-specific flag (${CMAKE_MATCH_0}): ${exported}")
endif()
run("configure" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${build} -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
run("build" ${CMAKE_COMMAND} --build ${build} -j 2)

execute_process(COMMAND ${build}/app RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "consumer: app printed: ${out}${err}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "exact log Z -?[0-9]")
  message(FATAL_ERROR "consumer: app failed (${rc})")
endif()
