# Script mode: writes OUT, a C++ source defining NAMESPACE::FUNCTION() that
# returns the bytes of IN. The bytes are written as hex so that any content,
# including quotes and non-ASCII text, survives unchanged.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n#include <string_view>\n\nnamespace ${NAMESPACE} {\n\nstd::string_view ${FUNCTION}() {\n  static constexpr char kBytes[] = {${bytes} '\\0'};\n  return {kBytes, ${size}};\n}\n\n}  // namespace ${NAMESPACE}\n")
