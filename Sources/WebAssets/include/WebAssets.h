#ifndef RELAY_WEB_ASSETS_H
#define RELAY_WEB_ASSETS_H

#include <stddef.h>

/// One file of the pages Relay serves itself (`/docs`, `/admin`), compiled into the binary.
typedef struct {
    const unsigned char *bytes;
    size_t length;
} relay_web_asset;

/// The file at `path` under Sources/WebAssets (e.g. "admin/index.html"); `bytes` is NULL for a path not embedded.
relay_web_asset relay_web_asset_named(const char *path);

#endif
