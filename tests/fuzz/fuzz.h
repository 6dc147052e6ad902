/*
 * fuzz.h: what the libFuzzer harnesses of tests/fuzz share. Each
 * fuzz_<target>.c defines LLVMFuzzerTestOneInput over one parser; inputs
 * are split into parts at the first newlines where a harness needs more
 * than one text (a path and the document it reads, a policy and a
 * message).
 */
#ifndef FLOWDECK_FUZZ_H
#define FLOWDECK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL-terminated copy of data[0..size) (free it). */
char *fuzz_text(const uint8_t *data, size_t size);

/*
 * Cut `*rest` (`*n` bytes) at its first newline: *part is the bytes
 * before it (NUL-terminated copy, free it), and *rest / *n move past
 * the newline (to the end when there is none).
 */
char *fuzz_cut(const uint8_t **rest, size_t *n);

#endif
