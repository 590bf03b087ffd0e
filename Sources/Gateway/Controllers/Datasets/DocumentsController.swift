import Core
import Foundation
import Hummingbird

/// Documents of a dataset: created from text or a file (both of Dify's spellings), queued for indexing and answered
/// at once with their `batch`; their indexing status, pausing, resuming and retrying; enabling, renaming, deleting.
struct DocumentsController {
    let datasets: DatasetService
    let links: DocumentFileLinks
    /// Most bytes of files one zip download holds (documents are up to 100 MB each).
    let maxZipBytes: Int

    struct TextBody: Decodable {
        let name: String?
        let text: String?
        let indexingTechnique: String?
        let docForm: String?
        let docLanguage: String?
        let processRule: JSONValue?

        enum CodingKeys: String, CodingKey {
            case name, text
            case indexingTechnique = "indexing_technique"
            case docForm = "doc_form"
            case docLanguage = "doc_language"
            case processRule = "process_rule"
        }
    }

    struct IDsBody: Decodable {
        let documentIDs: [String]?

        enum CodingKeys: String, CodingKey {
            case documentIDs = "document_ids"
        }
    }

    struct NameBody: Decodable {
        let name: String?
    }

    /// Largest text a create-by-text request may carry.
    static let maxTextBytes = 16 << 20

    func addRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        for spelling in ["create-by-text", "create_by_text"] {
            group.post(RouterPath("datasets/:dataset_id/document/\(spelling)")) { request, context in
                let body = try await Self.textBody(request)
                let name = try TextRules.required(body.name ?? "", field: "name", maxLength: 255)
                guard let text = body.text, !text.isEmpty else { throw RelayError.required("text") }
                let (documents, batch) = try await datasets.addDocuments(
                    [DocumentSource(name: name, docType: "text", content: Data(text.utf8))], to: try context.id("dataset_id"),
                    rule: try ProcessRule.from(body.processRule ?? .null), form: try Self.form(body.docForm.map(JSONValue.string)),
                    language: body.docLanguage, dataSourceType: "upload_file", by: context.datasetCaller
                )
                return Self.created(documents, batch: batch)
            }
        }
        for spelling in ["create-by-file", "create_by_file"] {
            group.post(RouterPath("datasets/:dataset_id/document/\(spelling)")) { request, context in
                try await datasets.requireDocumentEditor(of: try context.id("dataset_id"), by: context.datasetCaller)
                let (source, options) = try await Self.fileUpload(request)
                let (documents, batch) = try await datasets.addDocuments(
                    [source], to: try context.id("dataset_id"), rule: try ProcessRule.from(options["process_rule"]),
                    form: try Self.form(options["doc_form"]), language: options["doc_language"].string, dataSourceType: "upload_file",
                    by: context.datasetCaller
                )
                return Self.created(documents, batch: batch)
            }
        }
        for spelling in ["update-by-text", "update_by_text"] {
            group.post(RouterPath("datasets/:dataset_id/documents/:document_id/\(spelling)")) { request, context in
                let body = try await Self.textBody(request)
                let source = body.text.map { DocumentSource(name: body.name ?? "", docType: "text", content: Data($0.utf8)) }
                let document = try await datasets.replaceDocument(
                    try context.id("document_id"), of: try context.id("dataset_id"), source: source,
                    rule: try body.processRule.map(ProcessRule.from), name: body.name, by: context.datasetCaller
                )
                return JSONBody(["document": DatasetJSON.document(document), "batch": .string(document.batch)])
            }
        }
        // Dify's knowledge API also takes a new file as a PATCH of the document.
        for (method, path) in [
            (HTTPRequest.Method.post, "datasets/:dataset_id/documents/:document_id/update-by-file"),
            (.post, "datasets/:dataset_id/documents/:document_id/update_by_file"), (.patch, "datasets/:dataset_id/documents/:document_id"),
        ] {
            group.on(RouterPath(path), method: method) { request, context in
                try await datasets.requireDocumentEditor(of: try context.id("dataset_id"), by: context.datasetCaller)
                let (source, options) = try await Self.fileUpload(request)
                let document = try await datasets.replaceDocument(
                    try context.id("document_id"), of: try context.id("dataset_id"), source: source,
                    rule: options["process_rule"] == .null ? nil : try ProcessRule.from(options["process_rule"]), name: source.name,
                    by: context.datasetCaller
                )
                return JSONBody(["document": DatasetJSON.document(document), "batch": .string(document.batch)])
            }
        }
        group.get("datasets/:dataset_id/documents") { request, context in
            let page = try request.queryInt("page", default: 1)
            let limit = try request.queryInt("limit", default: 20)
            try Paging.check(page: page, limit: limit, maxLimit: 100)
            let (documents, metadata) = try await datasets.documents(
                of: try context.id("dataset_id"), keyword: request.queryString("keyword"),
                status: try request.queryString("status").flatMap(DocumentDisplayStatus.init(filter:)), page: page, limit: limit,
                by: context.datasetCaller
            )
            let view = DocumentMetadataView(metadata)
            return JSONBody(DatasetJSON.page(documents) { DatasetJSON.document($0, metadata: view) })
        }
        group.get("datasets/:dataset_id/documents/:document_id") { request, context in
            let view = try request.queryString("metadata") ?? "all"
            guard ["all", "only", "without"].contains(view) else {
                throw RelayError(.invalidMetadata, "Invalid metadata value: \(view)", details: ["field": "metadata", "type": "enum"])
            }
            let (document, metadata) = try await datasets.shownDocument(
                try context.id("document_id"), of: try context.id("dataset_id"), by: context.datasetCaller)
            return JSONBody(DatasetJSON.documentDetail(document, metadata: DocumentMetadataView(metadata), view: view))
        }
        group.get("datasets/:dataset_id/documents/:document_id/upload-file") { request, context in
            let datasetID: DatasetID = try context.id("dataset_id")
            let document = try await datasets.document(try context.id("document_id"), of: datasetID, by: context.datasetCaller)
            let url = links.url(for: document, base: request.publicBase)
            return JSONBody(
                [
                    "id": .string(document.id.description), "name": .string(document.name), "size": .number(Double(document.sourceSize)),
                    "extension": .string(DocumentFormat.fileExtension(ofDocType: document.docType)),
                    "mime_type": .string(DocumentFormat.mimeType(ofDocType: document.docType)), "url": .string(url),
                    "download_url": .string(url + "&as_attachment=true"), "created_by": DatasetJSON.optional(document.creator?.description),
                    "created_at": .number(document.createdAt.timeIntervalSince1970),
                ])
        }
        group.get("datasets/:dataset_id/documents/:document_id/download") { request, context in
            let document = try await datasets.document(try context.id("document_id"), of: try context.id("dataset_id"), by: context.datasetCaller)
            return JSONBody(["url": .string(links.url(for: document, base: request.publicBase) + "&as_attachment=true")])
        }
        group.post("datasets/:dataset_id/documents/download-zip") { request, context in
            var request = request
            let ids = try Self.documentIDs(try await request.decodeJSON(as: IDsBody.self).documentIDs)
            guard ids.count <= 100 else { throw RelayError.invalidParam("document_ids", "At most 100 documents at once", type: "too_long") }
            let sources = try await datasets.sources(
                of: ids, in: try context.id("dataset_id"), byteLimit: maxZipBytes, by: context.datasetCaller)
            var archive = ZipArchive()
            var names = Set<String>()
            for (document, source) in sources {
                archive.add(Self.uniqueName(for: document, taken: &names), source.content)
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/zip"
            headers[.contentDisposition] = "attachment; filename=\"documents.zip\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: archive.finish())))
        }
        group.delete("datasets/:dataset_id/documents/:document_id") { _, context in
            try await datasets.deleteDocument(try context.id("document_id"), of: try context.id("dataset_id"), by: context.datasetCaller)
            return Response(status: .noContent)
        }
        // The path's `document_id` is the upload's batch (Dify's path), or a document's id.
        group.get("datasets/:dataset_id/documents/:document_id/indexing-status") { _, context in
            let batch = try context.parameters.require("document_id")
            let documents = try await datasets.batch(batch, of: try context.id("dataset_id"), by: context.datasetCaller)
            return JSONBody(["data": .array(documents.map(DatasetJSON.indexingStatus))])
        }
        // Dify's console: what indexing a text would make, before it is added.
        group.post("datasets/indexing-estimate") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: EstimateBody.self)
            var text = body.text
            if text == nil, let texts = body.infoList?["text_list"].array.compactMap(\.string), !texts.isEmpty {
                text = texts.joined(separator: "\n\n")
            }
            guard let text, !text.isEmpty else {
                throw RelayError.invalidParam("text", "Give the text to estimate, as text or info_list.text_list", type: "required")
            }
            let dataset: DatasetID? = try body.datasetID.map { try DatasetID.parse($0, field: "dataset_id") }
            let estimate = try await datasets.estimate(
                text, rule: try ProcessRule.from(body.processRule ?? .null), form: try Self.form(body.docForm.map(JSONValue.string)),
                language: body.docLanguage, dataset: dataset, by: context.datasetCaller)
            return JSONBody(DatasetJSON.estimate(estimate))
        }
        group.get("datasets/:dataset_id/documents/:document_id/indexing-estimate") { _, context in
            let estimate = try await datasets.estimate(
                document: try context.id("document_id"), of: try context.id("dataset_id"), by: context.datasetCaller)
            return JSONBody(DatasetJSON.estimate(estimate))
        }
        group.post("datasets/:dataset_id/documents/:document_id/rename") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: NameBody.self)
            let document = try await datasets.rename(
                try context.id("document_id"), of: try context.id("dataset_id"), to: body.name ?? "", by: context.datasetCaller
            )
            return JSONBody(DatasetJSON.document(document))
        }
        group.patch("datasets/:dataset_id/documents/:document_id/processing/:action") { _, context in
            let id: DocumentID = try context.id("document_id")
            let dataset: DatasetID = try context.id("dataset_id")
            let document: DatasetDocument
            switch try context.parameters.require("action") {
            case "pause": document = try await datasets.pause(id, of: dataset, by: context.datasetCaller)
            case "resume": document = try await datasets.resume(id, of: dataset, by: context.datasetCaller)
            default: throw RelayError.notFound("No processing action of that name; use pause or resume")
            }
            return JSONBody(["result": "success", "document": DatasetJSON.document(document)])
        }
        group.post("datasets/:dataset_id/retry") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: IDsBody.self)
            let ids = try Self.documentIDs(body.documentIDs)
            try await datasets.retry(ids, of: try context.id("dataset_id"), by: context.datasetCaller)
            return SuccessBody()
        }
        // Dify's knowledge API sends the ids in the body; its console in `document_id` query parameters.
        group.patch("datasets/:dataset_id/documents/status/:action") { request, context in
            var ids: [String] = request.uri.queryParameters.getAll("document_id").map { String($0) }
            if ids.isEmpty {
                var request = request
                ids = try await request.decodeJSON(as: IDsBody.self).documentIDs ?? []
            }
            let spelled = try context.parameters.require("action")
            guard let action = DatasetService.StatusAction(rawValue: spelled) else {
                throw RelayError(.invalidAction, "Invalid action: \(spelled); use enable, disable, archive or un_archive")
            }
            try await datasets.apply(action, to: try Self.documentIDs(ids), of: try context.id("dataset_id"), by: context.datasetCaller)
            return SuccessBody()
        }
    }

    struct EstimateBody: Decodable {
        let text: String?
        let infoList: JSONValue?
        let processRule: JSONValue?
        let docForm: String?
        let docLanguage: String?
        let datasetID: String?

        enum CodingKeys: String, CodingKey {
            case text
            case infoList = "info_list"
            case processRule = "process_rule"
            case docForm = "doc_form"
            case docLanguage = "doc_language"
            case datasetID = "dataset_id"
        }
    }

    /// A request's `doc_form`, `nil` when it names none.
    static func form(_ value: JSONValue?) throws -> DocumentForm? {
        switch value ?? .null {
        case .null: return nil
        case .string(let text): return try parseEnum(text, field: "doc_form")
        default: throw RelayError.invalidParam("doc_form", "doc_form must be text_model, hierarchical_model or qa_model", type: "enum")
        }
    }

    /// A file name for the document in an archive: its name (with its type's extension) and, when taken, a number.
    static func uniqueName(for document: DatasetDocument, taken: inout Set<String>) -> String {
        let (stem, ext) = nameParts(of: document)
        var name = stem + "." + ext
        var count = 1
        while !taken.insert(name).inserted {
            count += 1
            name = "\(stem) (\(count)).\(ext)"
        }
        return name
    }

    /// The document's file name as a download names it: its name, with its type's extension.
    static func fileName(of document: DatasetDocument) -> String {
        let (stem, ext) = nameParts(of: document)
        return stem + "." + ext
    }

    /// The document's name without path separators and without its type's extension, and that extension.
    private static func nameParts(of document: DatasetDocument) -> (stem: String, ext: String) {
        let ext = DocumentFormat.fileExtension(ofDocType: document.docType)
        let base = document.name.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
        return (base.lowercased().hasSuffix("." + ext) ? String(base.dropLast(ext.count + 1)) : base, ext)
    }

    static func documentIDs(_ ids: [String]?) throws -> [DocumentID] {
        guard let ids, !ids.isEmpty else {
            throw RelayError.invalidParam("document_ids", "document_ids must name at least one document", type: "required")
        }
        return try ids.enumerated().map { try DocumentID.parse($1, field: "document_ids[\($0)]") }
    }

    static func textBody(_ request: Request) async throws -> TextBody {
        var request = request
        let buffer = try await request.collectBody(upTo: maxTextBytes)
        guard buffer.readableBytes > 0 else { throw RelayError.invalidParam("body", "A JSON object body is required", type: "required") }
        do {
            return try JSONDecoder().decode(TextBody.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw RelayError(decoding: error)
        }
    }

    /// The multipart `file` (checked by extension at once, and by content once read) and the `data` field's options
    /// (a JSON string), or the seed's options as separate fields.
    static func fileUpload(_ request: Request) async throws -> (DocumentSource, JSONValue) {
        var format: DocumentFormat?
        let (fields, file) = try await MultipartUpload.read(request, fileField: "file") { filename in
            let ext = (filename as NSString).pathExtension
            guard let known = DocumentFormat.of(extension: ext) else {
                throw RelayError(
                    .unsupportedFileType,
                    "Files of type '.\(ext)' cannot be added to a dataset; accepted: \(DocumentFormat.acceptedExtensions.joined(separator: ", "))"
                )
            }
            format = known
            return NamedMemoryFile(name: filename, file: MultipartMemoryFile(limit: DocumentFormat.maxSize, field: "file"))
        }
        guard let file, let format else { throw RelayError(.noFileUploaded, "No file was uploaded: send it in the multipart field 'file'") }
        let content = file.file.data
        guard !content.isEmpty else { throw RelayError.invalidParam("file", "The file is empty") }
        guard format.matches(content.prefix(4096)) else {
            throw RelayError(.unsupportedFileType, "The file's content is not \(format.rawValue): its bytes do not match its extension")
        }
        var options: JSONValue = .null
        if let data = fields["data"], !data.isEmpty {
            guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)), parsed.object != nil else {
                throw RelayError.invalidParam("data", "data must be a JSON object (a string field of the form)")
            }
            options = parsed
        } else if let rule = fields["process_rule"], let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(rule.utf8)) {
            options = ["process_rule": parsed]
        }
        let name = String(file.name.prefix(255))
        return (DocumentSource(name: name, docType: format.rawValue, content: content), options)
    }

    static func created(_ documents: [DatasetDocument], batch: String) -> JSONBody {
        JSONBody(["document": documents.first.map { DatasetJSON.document($0) } ?? .null, "batch": .string(batch)])
    }
}

/// A file part kept in memory with the name it was sent under.
final class NamedMemoryFile: MultipartFileSink {
    let name: String
    let file: MultipartMemoryFile

    init(name: String, file: MultipartMemoryFile) {
        self.name = name
        self.file = file
    }

    func write(_ buffer: ByteBuffer) throws { try file.write(buffer) }
    func abandon() { file.abandon() }
}
