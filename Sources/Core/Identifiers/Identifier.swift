public import Foundation

/// A UUID that knows what it identifies, so a `WorkspaceID` never passes for an `AppID`.
public struct Identifier<Entity>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID = UUID()) {
        self.uuid = uuid
    }

    /// Parses the canonical textual form; `nil` for anything that is not a UUID.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }

    /// Lower-case canonical form, as stored and as sent on the wire.
    ///
    /// Formatted from the bytes: `uuidString` goes through `printf` on Linux, and this runs several times a request.
    public var description: String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = digits.utf8Start[Int(byte >> 4)]
                    text[position + 1] = digits.utf8Start[Int(byte & 0x0f)]
                    position += 2
                }
                return position
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = UUID(uuidString: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a UUID"))
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public typealias AccountID = Identifier<Account>
public typealias WorkspaceID = Identifier<Workspace>
public typealias AppID = Identifier<App>
public typealias APIKeyID = Identifier<APIKey>
public typealias SessionID = Identifier<Session>
public typealias WorkflowRunID = Identifier<WorkflowRun>
public typealias WorkflowVersionID = Identifier<WorkflowVersion>
