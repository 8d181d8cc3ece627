# sellerbridge_embed(TARGET NAMESPACE FUNCTION FILE)
# Compiles the contents of FILE into TARGET as
#   std::string_view NAMESPACE::FUNCTION();
# so that reference data (Amazon's rate-limit table, carrier codes, JSON
# schemas) is read from its source file at build time rather than retyped,
# and the binary does not depend on where that file lives at run time.
function(sellerbridge_embed target namespace function file)
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "reference file ${file} is missing: the shared reference material must sit beside the repository")
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${function}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DNAMESPACE=${namespace}
            -DFUNCTION=${function} -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS "${file}" ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE "${out}")
endfunction()
