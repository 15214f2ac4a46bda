/* fuzz.h - libFuzzer entry point, declared for -Wmissing-prototypes. */
#ifndef TATTLE_FUZZ_H
#define TATTLE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
