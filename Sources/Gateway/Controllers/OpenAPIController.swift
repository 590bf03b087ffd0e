import Hummingbird
import NIOCore

/// `GET /openapi.json` and `/openapi.yaml`: the OpenAPI 3.1 document of every route, unauthenticated.
struct OpenAPIController {
    func addRoutes(to router: Router<RelayRequestContext>) {
        router.get("openapi.json") { _, _ in
            Self.response(ByteBuffer(bytes: APIDocument.json), contentType: "application/json; charset=utf-8")
        }
        router.get("openapi.yaml") { _, _ in
            Self.response(ByteBuffer(string: APIDocument.yaml), contentType: "application/yaml; charset=utf-8")
        }
    }

    private static func response(_ body: ByteBuffer, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: body))
    }
}
