/* gen_manifest.c -- libFuzzer target for the manifest and shared-parameter loaders (generator/manifest.c).
 * Any bytes: a manifest or one positioned error message, never a crash, a hang or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char common_src[] =
    "parameters:\n"
    "  - {name: endpoint, type: list, items: url, required: true}\n"
    "  - {name: mode, type: enum, values: [inline, async], default: inline}\n"
    "  - {name: request_timeout, type: duration, min: 1ms, max: 300s, default: 1s}\n"
    "  - {name: body_limit, type: size, default: 64k}\n"
    "  - {name: header, type: string, pattern: '^$|^[A-Za-z0-9-]{1,64}$', default: ''}\n"
    "  - {name: skip, type: list, items: identifier, pattern: '^[a-z0-9]{1,10}$', default: []}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static manifest_common *common;
    char err[1024];
    if (!common) {
        common = manifest_common_parse("common.yaml", common_src, sizeof common_src - 1, err, sizeof err);
        if (!common) abort();
    }
    if (size && data[0] == 1) {              /* a leading 0x01 byte: the rest is a shared-parameter file */
        err[0] = '\0';
        manifest_common *c = manifest_common_parse("fuzz.yaml", (const char *)data + 1, size - 1, err, sizeof err);
        if (!c && !err[0]) abort();          /* a refusal must say why */
        manifest_common_free(c);
        return 0;
    }
    err[0] = '\0';
    manifest *m = manifest_parse("fuzz", (const char *)data, size, common, NULL, err, sizeof err);
    if (!m) {
        if (strncmp(err, "fuzz:", 5)) abort();   /* every error is positioned in the file */
        return 0;
    }
    cJSON *j = manifest_json(m);
    char *name = manifest_archive_file(m, "1.2.3");
    if (!j || !name) abort();
    free(name);
    cJSON_Delete(j);
    manifest_free(m);
    return 0;
}
