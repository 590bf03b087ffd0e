import Core
import Hummingbird

/// `GET /docs`: Swagger UI reading `/openapi.json`, every file of it served from the binary, none from another host.
/// Unauthenticated: the page holds no data, and calls made from it carry the key its user pastes into Authorize.
struct DocsController {
    static let page = WebAsset("docs/index.html", contentType: "text/html; charset=utf-8")
    /// `GET /docs/{file}`. Read once per process, on first request.
    static let files: [String: WebAsset] = [
        "docs.js": WebAsset("docs/docs.js", contentType: "text/javascript; charset=utf-8"),
        "docs.css": WebAsset("docs/docs.css", contentType: "text/css; charset=utf-8"),
        "swagger-ui-bundle.js": WebAsset("swagger-ui/swagger-ui-bundle.js.gz", contentType: "text/javascript; charset=utf-8"),
        "swagger-ui.css": WebAsset("swagger-ui/swagger-ui.css.gz", contentType: "text/css; charset=utf-8"),
    ]

    func addRoutes(to router: Router<RelayRequestContext>) {
        router.get("docs") { request, _ in Self.page.response(to: request) }
        router.get("docs/:file") { request, context in
            let name = try context.parameters.require("file")
            guard let file = Self.files[name] else { throw RelayError.notFound("No file \(name) in /docs") }
            return file.response(to: request)
        }
    }
}
