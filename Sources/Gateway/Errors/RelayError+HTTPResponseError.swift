public import Core
import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

/// Renders every Relay error as the one body: `{"code", "message", "status", "details"}`.
extension RelayError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: code.status) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try RelayJSON.encoder.encode(ErrorBody(code: code.name, message: message, status: code.status, details: details))
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields.append(headers)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

private struct ErrorBody: Encodable {
    let code: String
    let message: String
    let status: Int
    let details: JSONValue?
}
