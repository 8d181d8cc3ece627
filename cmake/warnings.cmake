# One INTERFACE target carries the warning flags (and the sanitizers) for every component.
add_library(sellerbridge_warnings INTERFACE)
add_library(sellerbridge::warnings ALIAS sellerbridge_warnings)
target_compile_options(sellerbridge_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  # Designated initializers leave the other members at their defaults on purpose.
  -Wno-missing-field-initializers)
if(SELLERBRIDGE_WERROR)
  target_compile_options(sellerbridge_warnings INTERFACE -Werror)
endif()
if(SELLERBRIDGE_SANITIZE)
  target_compile_options(sellerbridge_warnings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(sellerbridge_warnings INTERFACE -fsanitize=address,undefined)
endif()
