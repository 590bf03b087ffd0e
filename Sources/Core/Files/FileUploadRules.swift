/// What an app's `file_upload` settings let a message carry (Dify's checks of each file against the app's config):
/// the types, the custom files' extensions, the ways of sending them, and how many. An app with no settings takes any
/// file, up to the message's own limit.
public struct FileUploadRules: Sendable {
    let enabled: Bool?
    let allowedTypes: [String]
    let allowedExtensions: [String]
    let allowedMethods: [String]
    let imageEnabled: Bool?
    let imageMethods: [String]
    let numberLimit: Int?
    let imageLimit: Int?

    public init(_ settings: JSONValue?) {
        let settings = settings ?? .null
        enabled = settings["enabled"].bool
        allowedTypes = settings["allowed_file_types"].array.compactMap(\.string)
        allowedExtensions = settings["allowed_file_extensions"].array.compactMap(\.string).map(Self.normalized)
        allowedMethods = settings["allowed_file_upload_methods"].array.compactMap(\.string)
        imageEnabled = settings["image"]["enabled"].bool
        imageMethods = settings["image"]["transfer_methods"].array.compactMap(\.string)
        numberLimit = settings["number_limits"].number.map { Int($0) }
        imageLimit = settings["image"]["number_limits"].number.map { Int($0) }
    }

    /// `.PDF`, `pdf` and `.pdf` are one extension.
    static func normalized(_ ext: String) -> String {
        ext.lowercased().hasPrefix(".") ? String(ext.lowercased().dropFirst()) : ext.lowercased()
    }

    /// Checks one file (`name`, for the message) of `type` sent by `method`; 400 naming `field`.
    public func check(type: String, method: String, fileExtension: String, name: String, field: String) throws {
        let refused = RelayError.invalidParam(field, "File validation failed for file: \(name)")
        if enabled == false, imageEnabled != true { throw RelayError.invalidParam(field, "This app does not take files") }
        if type == "image", enabled != true, imageEnabled == false { throw RelayError.invalidParam(field, "This app does not take images") }
        if !allowedTypes.isEmpty {
            if !allowedTypes.contains(type) && !(type != "custom" && allowedTypes.contains("custom")) { throw refused }
            if type == "custom" || (!allowedTypes.contains(type) && allowedTypes.contains("custom")) {
                guard allowedExtensions.contains(Self.normalized(fileExtension)) else { throw refused }
            }
        }
        let methods = type == "image" && !imageMethods.isEmpty ? imageMethods : allowedMethods
        if !methods.isEmpty, !methods.contains(method) { throw refused }
    }

    /// Checks how many files (and of them images) one message carries.
    public func checkCounts(images: Int, all: Int) throws {
        if let imageLimit, images > imageLimit {
            throw RelayError(.tooManyFiles, "Number of image files exceeds the maximum limit \(imageLimit)")
        }
        if let numberLimit, all > numberLimit { throw RelayError(.tooManyFiles, "Number of files exceeds the maximum limit \(numberLimit)") }
    }
}
