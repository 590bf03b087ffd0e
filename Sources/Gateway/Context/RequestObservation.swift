import Core
import Synchronization

/// What the request metrics and the access log, outermost, learn of a request from the middleware inside them: the
/// context is copied inward, so its changes never come back out, but this one reference is shared by every copy.
final class RequestObservation: Sendable {
    private let state = Mutex<WorkspaceID?>(nil)

    /// The workspace the request acts in, once authentication has found it.
    var workspace: WorkspaceID? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
