import Core
import Hummingbird

/// `GET /admin`: the operator status page. Unauthenticated, for it holds no data: it asks for the operator key, keeps
/// it in the tab's sessionStorage, and draws what `GET /admin/api/status` (guarded by that key) answers.
struct AdminPageController {
    static let page = WebAsset("admin/index.html", contentType: "text/html; charset=utf-8")
    /// `GET /admin/{file}`. Read once per process, on first request.
    static let files: [String: WebAsset] = [
        "status.js": WebAsset("admin/status.js", contentType: "text/javascript; charset=utf-8"),
        "status.css": WebAsset("admin/status.css", contentType: "text/css; charset=utf-8"),
    ]

    func addRoutes(to router: Router<RelayRequestContext>) {
        router.get("admin") { request, _ in Self.page.response(to: request) }
        router.get("admin/:file") { request, context in
            let name = try context.parameters.require("file")
            guard let file = Self.files[name] else { throw RelayError.notFound("No file \(name) in /admin") }
            return file.response(to: request)
        }
    }
}
