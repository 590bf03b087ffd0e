// The router's own trie (SPI of the pinned Hummingbird), so that a path resolves here exactly as the router resolves it.
@_spi(Internal) import Hummingbird
import Synchronization

/// The methods each route path serves, read off the router once every route is on it, so that a path asked with a
/// method it does not serve answers 405 with `Allow` (as HTTP says) rather than 404 as if it did not exist.
///
/// A path is resolved as the router resolves it: to the one route path the router would pick (a constant segment
/// before a capture, a capture before a wildcard), whose methods are the only ones served there. So
/// `/console/api/datasets/api-keys` allows the methods of `datasets/api-keys` only, not also those of
/// `datasets/{dataset_id}`, which the router never reaches from that path.
final class AllowedMethods: Sendable {
    private let trie = Mutex<RouterTrie<[String]>?>(nil)

    /// Reads the routes of the finished router.
    func load<Context>(_ router: Router<Context>) {
        var byPath: [String: (path: RouterPath, methods: Set<String>)] = [:]
        for route in router.routes {
            byPath[route.path.description, default: (route.path, [])].methods.insert(route.method.rawValue)
        }
        let builder = RouterPathTrieBuilder<[String]>()
        for (path, methods) in byPath.values { builder.addEntry(path, value: methods.sorted()) }
        let trie = builder.build()
        self.trie.withLock { $0 = trie }
    }

    /// The methods served at `path`, sorted; empty when no route has this path.
    func methods(at path: String) -> [String] {
        trie.withLock { $0?.resolve(path)?.value } ?? []
    }
}
