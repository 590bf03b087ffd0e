import Core
import Hummingbird
import NIOCore

extension RelayError {
    /// Maps whatever a handler threw onto the catalogue; an error's own text is sent only if it is a `RelayError`
    /// or one of Hummingbird's client errors, never for anything unexpected.
    init(mapping error: any Error, request: Request) {
        switch error {
        case let error as RelayError:
            self = error
        case let error as HTTPError:
            switch error.status.code {
            case 404: self = .notFound("No route for \(request.method) \(request.uri.path)")
            case 405: self = RelayError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path)")
            case 413: self = RelayError(.payloadTooLarge, "The request body is too large")
            case 400: self = RelayError(.invalidParam, error.body ?? "The request is malformed")
            case 401: self = .unauthorized(error.body ?? "Authentication is required")
            case 403: self = .accessDenied(error.body ?? "Access denied")
            case 400..<500:
                self = RelayError(Code(name: "invalid_request", status: Int(error.status.code)), error.body ?? "The request was refused")
            default: self = .internalError(error)
            }
        case is CancellationError:
            self = RelayError(.serviceUnavailable, "The request was cancelled", underlying: error)
        case is NIOTooManyBytesError:
            self = RelayError(.payloadTooLarge, "The request body is too large")
        default:
            self = RelayError(storage: error) ?? .internalError(error)
        }
    }
}
