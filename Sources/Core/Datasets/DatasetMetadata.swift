public import Foundation

public typealias MetadataFieldID = Identifier<MetadataField>

/// A field a dataset's documents can carry a value of (Dify's knowledge metadata): a name and a type, unique by name
/// within its dataset. Documents hold their values by the field's id, so a renamed field keeps them.
public struct MetadataField: Sendable, Equatable {
    public enum ValueType: String, Sendable, Codable, CaseIterable {
        case string, number, time
    }

    public let id: MetadataFieldID
    public let workspaceID: WorkspaceID
    public let datasetID: DatasetID
    public var name: String
    public let type: ValueType
    public let createdBy: AccountID?
    public let createdAt: Date
    public var updatedBy: AccountID?
    public var updatedAt: Date
    /// How many of the dataset's documents have a value for it, filled in when fields are listed.
    public var useCount: Int

    public init(
        id: MetadataFieldID, workspaceID: WorkspaceID, datasetID: DatasetID, name: String, type: ValueType, createdBy: AccountID?,
        createdAt: Date, updatedBy: AccountID? = nil, updatedAt: Date, useCount: Int = 0
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.datasetID = datasetID
        self.name = name
        self.type = type
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
        self.useCount = useCount
    }

    /// Longest name Dify accepts.
    public static let maxNameLength = 255
}

/// What a dataset's documents can hold values of: its fields, and whether the built-in ones are switched on.
public struct MetadataSchema: Sendable {
    public let fields: [MetadataField]
    public let builtInEnabled: Bool

    public init(fields: [MetadataField], builtInEnabled: Bool) {
        self.fields = fields
        self.builtInEnabled = builtInEnabled
    }
}

/// The fields every document has without being given them (Dify's built-in metadata), shown and filterable once a
/// dataset switches them on.
public enum BuiltInMetadata: String, Sendable, CaseIterable {
    case documentName = "document_name"
    case uploader
    case uploadDate = "upload_date"
    case lastUpdateDate = "last_update_date"
    case source

    public var type: MetadataField.ValueType {
        switch self {
        case .documentName, .uploader, .source: .string
        case .uploadDate, .lastUpdateDate: .time
        }
    }

    /// Its value for a document; `uploaderName` is the name of the account that added it.
    public func value(of document: DatasetDocument, uploaderName: String?) -> MetadataValue {
        switch self {
        case .documentName: .string(document.name)
        case .uploader: uploaderName.map(MetadataValue.string) ?? .none
        case .uploadDate: .time(document.createdAt.timeIntervalSince1970.rounded(.down))
        case .lastUpdateDate: .time(document.updatedAt.timeIntervalSince1970.rounded(.down))
        case .source: .string(document.dataSourceType == "upload_file" ? "file_upload" : document.dataSourceType)
        }
    }

    public static func isBuiltIn(_ name: String) -> Bool { BuiltInMetadata(rawValue: name) != nil }
}

/// A document's value of one field: text, a number, or a time in whole seconds since 1970 (as Dify stores it).
public enum MetadataValue: Sendable, Equatable {
    case none
    case string(String)
    case number(Double)
    case time(Double)

    /// The value of `json` for a field of `type`, or a 400 naming `field`. `null` clears the value.
    public static func parse(_ json: JSONValue, as type: MetadataField.ValueType, field: String) throws -> MetadataValue {
        switch (type, json) {
        case (_, .null): return .none
        case (.string, .string(let text)): return .string(text)
        case (.string, .number(let number)): return .string(number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number))
        case (.number, .number(let number)) where number.isFinite: return .number(number)
        case (.number, .string(let text)):
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                throw RelayError.invalidParam(field, "The value of a number field must be a number")
            }
            return .number(number)
        case (.time, .number(let number)) where number.isFinite: return .time(number.rounded(.down))
        case (.time, .string(let text)):
            if let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite { return .time(seconds.rounded(.down)) }
            throw RelayError.invalidParam(field, "The value of a time field must be a timestamp in seconds")
        default:
            throw RelayError.invalidParam(field, "The value must be a \(type.rawValue)")
        }
    }

    /// As stored and as sent: a string, a number, or `null`.
    public var json: JSONValue {
        switch self {
        case .none: .null
        case .string(let text): .string(text)
        case .number(let number), .time(let number): .number(number)
        }
    }

    public var isNone: Bool { self == .none }
}

/// The values a document holds, by field id, as stored in `dataset_document.doc_metadata`.
public struct DocumentMetadataValues: Sendable, Equatable, Codable {
    public var values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) { self.values = values }

    public init(from decoder: any Decoder) throws { values = try [String: JSONValue](from: decoder) }

    public func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }

    public subscript(field: MetadataFieldID) -> JSONValue {
        get { values[field.description] ?? .null }
        set { values[field.description] = newValue == .null ? nil : newValue }
    }
}
