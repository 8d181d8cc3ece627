#include "cli/cli.h"

int main(int argc, char** argv) { return sellerbridge::cli::RunCommandLine(argc, argv); }
