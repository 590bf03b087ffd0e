// The files of the pages Relay serves itself, compiled into the binary with C23's `#embed`, so that `relay` needs no
// file beside it. `#embed` copies bytes without parsing them (0.03 s of clang for all 500 KB of them, where SwiftPM's
// `embedInCode` array literals took minutes and gigabytes), and clang lists embedded files in its dependency output,
// so editing one of them rebuilds this file. Swagger UI's files come gzip-compressed from scripts/vendor-swagger-ui.
#include "WebAssets.h"

#include <string.h>

#if !defined(__has_embed)
#error "Relay's web assets need C23's #embed: clang 19 or newer, as in Swift 6.2's toolchains"
#endif

#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char docs_index_html[] = {
#embed "docs/index.html"
};
static const unsigned char docs_docs_js[] = {
#embed "docs/docs.js"
};
static const unsigned char docs_docs_css[] = {
#embed "docs/docs.css"
};
static const unsigned char swagger_ui_bundle_js_gz[] = {
#embed "swagger-ui/swagger-ui-bundle.js.gz"
};
static const unsigned char swagger_ui_css_gz[] = {
#embed "swagger-ui/swagger-ui.css.gz"
};
static const unsigned char admin_index_html[] = {
#embed "admin/index.html"
};
static const unsigned char admin_status_js[] = {
#embed "admin/status.js"
};
static const unsigned char admin_status_css[] = {
#embed "admin/status.css"
};

#define RELAY_ASSET(path, array) {path, {array, sizeof array}}

static const struct {
    const char *path;
    relay_web_asset asset;
} assets[] = {
    RELAY_ASSET("docs/index.html", docs_index_html),
    RELAY_ASSET("docs/docs.js", docs_docs_js),
    RELAY_ASSET("docs/docs.css", docs_docs_css),
    RELAY_ASSET("swagger-ui/swagger-ui-bundle.js.gz", swagger_ui_bundle_js_gz),
    RELAY_ASSET("swagger-ui/swagger-ui.css.gz", swagger_ui_css_gz),
    RELAY_ASSET("admin/index.html", admin_index_html),
    RELAY_ASSET("admin/status.js", admin_status_js),
    RELAY_ASSET("admin/status.css", admin_status_css),
};

relay_web_asset relay_web_asset_named(const char *path) {
    for (size_t index = 0; index < sizeof assets / sizeof assets[0]; index++) {
        if (strcmp(assets[index].path, path) == 0) return assets[index].asset;
    }
    return (relay_web_asset){NULL, 0};
}
