import Hummingbird
import Synchronization

/// The methods each route path serves, read off the router once every route is on it, so that a path asked with a
/// method it does not serve answers 405 with `Allow` (as HTTP says) rather than 404 as if it did not exist.
final class AllowedMethods: Sendable {
    private struct Route {
        /// As the router writes them: `{name}` (or a segment with a capture in it) and `*` match one segment, `**` the rest.
        let segments: [String]
        var methods: Set<String>
    }

    private let routes = Mutex<[Route]>([])

    /// Reads the routes of the finished router.
    func load<Context>(_ router: Router<Context>) {
        var byPath: [String: Route] = [:]
        for route in router.routes {
            let path = route.path.description
            let segments = path.split(separator: "/").map(String.init)
            byPath[path, default: Route(segments: segments, methods: [])].methods.insert(route.method.rawValue)
        }
        routes.withLock { $0 = Array(byPath.values) }
    }

    /// The methods served at `path`, sorted; empty when no route has this path.
    func methods(at path: String) -> [String] {
        let asked = path.split(separator: "/")
        var methods: Set<String> = []
        routes.withLock { routes in
            for route in routes where Self.matches(route.segments, asked) { methods.formUnion(route.methods) }
        }
        return methods.sorted()
    }

    private static func matches(_ pattern: [String], _ path: [Substring]) -> Bool {
        var index = 0
        for segment in pattern {
            if segment == "**" { return index < path.count }
            guard index < path.count else { return false }
            if !(segment.contains("{") || segment == "*" || segment == path[index]) { return false }
            index += 1
        }
        return index == path.count
    }
}
