import Foundation

/// Rows of the dataset tables, read the same way from both engines.
extension Dataset {
    init(row: StoredRow, partialMembers: [AccountID] = []) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), name: try row.string("name"),
            description: try row.string("description"),
            permission: Dataset.Permission(rawValue: try row.string("permission")) ?? .onlyMe, partialMembers: partialMembers,
            indexingTechnique: Dataset.IndexingTechnique(rawValue: try row.string("indexing_technique")) ?? .economy,
            embeddingProvider: try row.optionalString("embedding_provider"), embeddingModel: try row.optionalString("embedding_model"),
            retrieval: try StoredJSON.decode(RetrievalSettings.self, try row.string("retrieval_model"), column: "retrieval_model"),
            createdBy: try row.optionalIdentifier("created_by"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            documentCount: try row.int("document_count"), wordCount: try row.int("word_count")
        )
        builtInFieldEnabled = try row.bool("built_in_field_enabled")
        docForm = try row.optionalString("doc_form").flatMap(DocumentForm.init(rawValue:))
        updatedBy = try row.optionalIdentifier("updated_by")
        creator = try row.optionalIdentifier("shown_creator")
        availableDocumentCount = try row.int("available_document_count")
    }

    /// Columns of a dataset row with its document and word totals.
    static let selection = """
        d.*, CAST((SELECT COUNT(*) FROM dataset_document x WHERE x.dataset_id = d.id) AS BIGINT) AS document_count,
        CAST((SELECT COALESCE(SUM(x.word_count), 0) FROM dataset_document x WHERE x.dataset_id = d.id) AS BIGINT) AS word_count,
        CAST((SELECT COUNT(*) FROM dataset_document x WHERE x.dataset_id = d.id AND x.status = 'completed' AND x.enabled
            AND NOT x.archived) AS BIGINT) AS available_document_count,
        \(StoredCreator.shown("d")) AS shown_creator
        """
}

/// Who Dify names as the creator of a row: its account, or for one made with a dataset key (stored without an
/// account, which keeps such datasets visible to admins) the workspace's owner, as Dify's key acts as the owner.
enum StoredCreator {
    static func shown(_ alias: String) -> String {
        """
        COALESCE(\(alias).created_by, (SELECT m.account_id FROM membership m WHERE m.workspace_id = \(alias).workspace_id
            AND m.role = 'owner' ORDER BY m.created_at LIMIT 1))
        """
    }
}

extension DatasetTag {
    /// A `dataset_tag` row, with `binding_count` when the query counts bindings.
    init(row: StoredRow, bindingCount: Int = 0) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), name: try row.string("name"),
            createdBy: try row.optionalIdentifier("created_by"), createdAt: try row.date("created_at"), bindingCount: bindingCount
        )
    }

    /// Columns of a tag row (`t`) with the number of datasets carrying it.
    static let selection = "t.*, CAST((SELECT COUNT(*) FROM dataset_tag_binding b WHERE b.tag_id = t.id) AS BIGINT) AS binding_count"
}

extension DatasetDocument {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), datasetID: try row.identifier("dataset_id"),
            position: try row.int("position"), name: try row.string("name"), docType: try row.string("doc_type"),
            dataSourceType: try row.string("data_source_type"), batch: try row.string("batch"),
            processRule: try StoredJSON.decode(ProcessRule.self, try row.string("process_rule"), column: "process_rule"),
            status: Status(rawValue: try row.string("status")) ?? .error, enabled: try row.bool("enabled"), error: try row.optionalString("error"),
            wordCount: try row.int("word_count"), tokens: try row.int("tokens"), completedSegments: try row.int("completed_segments"),
            totalSegments: try row.int("total_segments"), processingStartedAt: try row.optionalDate("processing_started_at"),
            parsingCompletedAt: try row.optionalDate("parsing_completed_at"), cleaningCompletedAt: try row.optionalDate("cleaning_completed_at"),
            splittingCompletedAt: try row.optionalDate("splitting_completed_at"), completedAt: try row.optionalDate("completed_at"),
            pausedAt: try row.optionalDate("paused_at"), createdBy: try row.optionalIdentifier("created_by"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"), updatedBy: try row.optionalIdentifier("updated_by"),
            docForm: DocumentForm(rawValue: try row.string("doc_form")) ?? .text, docLanguage: try row.string("doc_language"),
            metadata: try StoredJSON.decode(DocumentMetadataValues.self, try row.string("doc_metadata"), column: "doc_metadata"),
            archived: try row.bool("archived"), archivedBy: try row.optionalIdentifier("archived_by"),
            archivedAt: try row.optionalDate("archived_at"),
            disabledBy: try row.optionalIdentifier("disabled_by"), disabledAt: try row.optionalDate("disabled_at")
        )
        if row.has("shown_creator") { creator = try row.optionalIdentifier("shown_creator") }
        if row.has("segment_hits") { hitCount = try row.int("segment_hits") }
        if row.has("uploader_name") { uploaderName = try row.optionalString("uploader_name") }
        if row.has("source_size") { sourceSize = try row.optionalInt("source_size") ?? 0 }
    }

    /// A document's columns (`x`) with its creator as shown and its segments' hits.
    static let selection = """
        x.*, \(StoredCreator.shown("x")) AS shown_creator,
        CAST((SELECT COALESCE(SUM(s.hit_count), 0) FROM document_segment s WHERE s.document_id = x.id) AS BIGINT) AS segment_hits,
        (SELECT a.name FROM account a WHERE a.id = \(StoredCreator.shown("x"))) AS uploader_name,
        CAST((SELECT LENGTH(o.content) FROM document_source o WHERE o.document_id = x.id) AS BIGINT) AS source_size
        """

    /// Column names in the order of `storedValues`.
    static let columns = [
        "id", "workspace_id", "dataset_id", "position", "name", "doc_type", "data_source_type", "batch", "process_rule", "status", "enabled",
        "error", "word_count", "tokens", "completed_segments", "total_segments", "processing_started_at", "parsing_completed_at",
        "cleaning_completed_at", "splitting_completed_at", "completed_at", "paused_at", "created_by", "created_at", "updated_at",
        "updated_by", "doc_form", "doc_language", "doc_metadata", "archived", "archived_by", "archived_at", "disabled_by", "disabled_at",
    ]

    var storedValues: [SQLValue] {
        [
            id.sqlValue, workspaceID.sqlValue, datasetID.sqlValue, position.sqlValue, name.sqlValue, docType.sqlValue, dataSourceType.sqlValue,
            batch.sqlValue, StoredJSON.encode(processRule).sqlValue, status.rawValue.sqlValue, enabled.sqlValue, .orNull(error),
            wordCount.sqlValue, tokens.sqlValue, completedSegments.sqlValue, totalSegments.sqlValue, .orNull(processingStartedAt),
            .orNull(parsingCompletedAt), .orNull(cleaningCompletedAt), .orNull(splittingCompletedAt), .orNull(completedAt), .orNull(pausedAt),
            .orNull(createdBy), createdAt.sqlValue, updatedAt.sqlValue, .orNull(updatedBy), docForm.rawValue.sqlValue, docLanguage.sqlValue,
            StoredJSON.encode(metadata).sqlValue, archived.sqlValue, .orNull(archivedBy), .orNull(archivedAt), .orNull(disabledBy),
            .orNull(disabledAt),
        ]
    }
}

extension DocumentSegment {
    /// Every column but the vector, which listings do not need.
    static let listedColumns = """
        s.id, s.workspace_id, s.dataset_id, s.document_id, s.position, s.content, s.answer, s.keywords, s.word_count, s.tokens, s.enabled,
        s.hit_count, s.index_node_hash, s.created_at, s.updated_at, s.created_by, s.updated_by, s.disabled_by, s.disabled_at,
        \(StoredCreator.shown("s")) AS shown_creator
        """

    init(row: StoredRow, withVector: Bool = false) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), datasetID: try row.identifier("dataset_id"),
            documentID: try row.identifier("document_id"), position: try row.int("position"), content: try row.string("content"),
            answer: try row.optionalString("answer"),
            keywords: try StoredJSON.decode([String].self, try row.string("keywords"), column: "keywords"), wordCount: try row.int("word_count"),
            tokens: try row.int("tokens"), enabled: try row.bool("enabled"), hitCount: try row.int("hit_count"),
            indexNodeHash: try row.string("index_node_hash"), vector: withVector ? try row.optionalData("vector").map(StoredVector.decode) : nil,
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), createdBy: try row.optionalIdentifier("created_by"),
            updatedBy: try row.optionalIdentifier("updated_by"), disabledBy: try row.optionalIdentifier("disabled_by"),
            disabledAt: try row.optionalDate("disabled_at")
        )
        if row.has("shown_creator") { creator = try row.optionalIdentifier("shown_creator") }
    }

    /// Bytes the segment holds against the plan's vector space: its text, answer and vector, and its children's.
    var storedSize: Int {
        content.utf8.count + (answer?.utf8.count ?? 0) + (vector?.count ?? 0) * 4 + childChunks.reduce(0) { $0 + $1.storedSize }
    }

    /// Column names in the order of `storedValues`.
    static let columns = [
        "id", "workspace_id", "dataset_id", "document_id", "position", "content", "answer", "keywords", "word_count", "tokens", "enabled",
        "hit_count", "index_node_hash", "vector", "size", "created_at", "updated_at", "created_by", "updated_by", "disabled_by", "disabled_at",
    ]

    var storedValues: [SQLValue] {
        [
            id.sqlValue, workspaceID.sqlValue, datasetID.sqlValue, documentID.sqlValue, position.sqlValue, content.sqlValue, .orNull(answer),
            StoredJSON.encode(keywords).sqlValue, wordCount.sqlValue, tokens.sqlValue, enabled.sqlValue, hitCount.sqlValue,
            indexNodeHash.sqlValue, .orNull(vector.map(StoredVector.encode)), storedSize.sqlValue, createdAt.sqlValue, updatedAt.sqlValue,
            .orNull(createdBy), .orNull(updatedBy), .orNull(disabledBy), .orNull(disabledAt),
        ]
    }
}

extension MetadataField {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), datasetID: try row.identifier("dataset_id"),
            name: try row.string("name"), type: MetadataField.ValueType(rawValue: try row.string("type")) ?? .string,
            createdBy: try row.optionalIdentifier("created_by"), createdAt: try row.date("created_at"),
            updatedBy: try row.optionalIdentifier("updated_by"), updatedAt: try row.date("updated_at")
        )
    }
}

extension ChildChunk {
    /// Every column but the vector.
    static let listedColumns = """
        c.id, c.workspace_id, c.dataset_id, c.document_id, c.segment_id, c.position, c.content, c.word_count, c.type, c.index_node_hash,
        c.created_by, c.created_at, c.updated_by, c.updated_at
        """

    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), datasetID: try row.identifier("dataset_id"),
            documentID: try row.identifier("document_id"), segmentID: try row.identifier("segment_id"), position: try row.int("position"),
            content: try row.string("content"), type: Origin(rawValue: try row.string("type")) ?? .automatic,
            createdBy: try row.optionalIdentifier("created_by"), createdAt: try row.date("created_at"),
            updatedBy: try row.optionalIdentifier("updated_by"), updatedAt: try row.date("updated_at"), wordCount: try row.int("word_count"),
            indexNodeHash: try row.string("index_node_hash")
        )
    }

    static let columns = [
        "id", "workspace_id", "dataset_id", "document_id", "segment_id", "position", "content", "word_count", "type", "index_node_hash", "vector",
        "created_by", "created_at", "updated_by", "updated_at",
    ]

    var storedValues: [SQLValue] {
        [
            id.sqlValue, workspaceID.sqlValue, datasetID.sqlValue, documentID.sqlValue, segmentID.sqlValue, position.sqlValue, content.sqlValue,
            wordCount.sqlValue, type.rawValue.sqlValue, indexNodeHash.sqlValue, .orNull(vector.map(StoredVector.encode)), .orNull(createdBy),
            createdAt.sqlValue, .orNull(updatedBy), updatedAt.sqlValue,
        ]
    }
}

extension SQLValue {
    /// The value, or `NULL` when there is none.
    fileprivate static func orNull(_ value: (some SQLBindable)?) -> SQLValue { value?.sqlValue ?? .null }
}

/// Vectors as stored: float32, little-endian, one after another.
enum StoredVector {
    static func encode(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func decode(_ data: Data) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(data.count / 4)
        append(data, to: &values)
        return values
    }

    /// Appends the vector's values (no exact reservation here: a matrix grows by many of these, and reserving each
    /// time's exact size would defeat the array's doubling and copy the whole matrix on every row).
    static func append(_ data: Data, to values: inout [Float]) {
        data.withUnsafeBytes { bytes in
            for offset in stride(from: 0, to: bytes.count - 3, by: 4) {
                values.append(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
            }
        }
    }
}
