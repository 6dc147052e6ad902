/*
 * fuzz_cli: the CLI's own parsing. The input is a command line, its
 * arguments separated by NUL bytes ("queues\0send\0q\0-p\09"); it is
 * parsed against the command table (cli_parse). Each argument is also
 * read as a number and as a JSON object option (--input JSON), and the
 * whole input, written to a file, as a JSON file (--input @FILE).
 */
#include "fuzz.h"
#include "fuzz_util.inc"

#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FUZZ_ARGS 64

static char file_arg[64]; /* "@/tmp/flowdeck-fuzz-cli-XXXXXX" */

static void
fuzz_cleanup(void)
{
    unlink(file_arg + 1);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int fd;

    snprintf(file_arg, sizeof(file_arg), "@/tmp/flowdeck-fuzz-cli-XXXXXX");
    fd = mkstemp(file_arg + 1);
    if (fd < 0)
        abort();
    close(fd);
    atexit(fuzz_cleanup);
    /* the command line names the engine; the environment must not */
    unsetenv("FLOWDECK_ENDPOINT");
    unsetenv("FLOWDECK_AUTH_TOKEN");
    unsetenv("FLOWDECK_DATA_DIR");
    return 0;
}

static void
fuzz_json_arg(const char *arg)
{
    struct cli cli = {0};
    json_t *j = NULL;

    if (cli_json_object_arg(&j, &cli, "input", arg) == 0)
        json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size), *argv[FUZZ_ARGS + 2];
    int argc = 0, status;
    struct cli cli;
    FILE *f;

    argv[argc++] = (char *)"flowdeck";
    for (char *p = text; p <= text + size && argc <= FUZZ_ARGS;
         p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    for (int i = 1; i < argc; i++) {
        long v;

        (void)cli_parse_int(&v, argv[i], -1000000, 1000000);
        if (argv[i][0] != '@') /* @FILE is read below, never another */
            fuzz_json_arg(argv[i]);
    }
    status = cli_parse(&cli, argc, argv);
    (void)status;
    cli_free(&cli);
    f = fopen(file_arg + 1, "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
        fuzz_json_arg(file_arg);
    }
    free(text);
    return 0;
}
