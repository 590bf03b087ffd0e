import Core
import Hummingbird

/// `GET /v1` and `GET /api`: what the API is, with no key (Dify's index).
struct IndexController {
    func addRoutes(to router: Router<RelayRequestContext>) {
        for prefix in ["v1", "api"] {
            router.get(RouterPath(prefix)) { _, _ in
                JSONBody(["welcome": "Relay OpenAPI", "api_version": "v1", "server_version": .string(HealthController.version)])
            }
        }
    }
}
