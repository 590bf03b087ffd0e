import Hummingbird

/// `GET /health`: unauthenticated liveness with the running version.
struct HealthController {
    static let version = "0.1.0"

    struct HealthBody: ResponseCodableBody {
        let status: String
        let version: String
    }

    func addRoutes(to router: Router<RelayRequestContext>) {
        router.get("health") { _, _ in HealthBody(status: "ok", version: Self.version) }
    }
}
