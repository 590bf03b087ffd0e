import Core
import Foundation

/// Datasets, documents, segments and retrieval records as Dify's clients read them.
enum DatasetJSON {
    static func seconds(_ date: Date?) -> JSONValue {
        date.map { .number($0.timeIntervalSince1970.rounded(.down)) } ?? .null
    }

    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    static func retrieval(_ settings: RetrievalSettings) -> JSONValue {
        [
            "search_method": .string(settings.method.rawValue), "reranking_enable": .bool(settings.rerankingEnabled),
            "reranking_model": settings.rerankingModel.map {
                ["reranking_provider_name": .string($0.provider), "reranking_model_name": .string($0.model)]
            } ?? ["reranking_provider_name": "", "reranking_model_name": ""],
            "weights": ["semantic_weight": .number(settings.weights.semantic), "keyword_weight": .number(settings.weights.keyword)],
            "top_k": .number(Double(settings.topK)), "score_threshold_enabled": .bool(settings.scoreThresholdEnabled),
            "score_threshold": .number(settings.scoreThreshold),
        ]
    }

    /// Every field of Dify's dataset detail; those of features Relay does not have (external knowledge, pipelines,
    /// summaries) as Dify sends them for a dataset without them.
    static func dataset(_ dataset: Dataset) -> JSONValue {
        [
            "id": .string(dataset.id.description), "name": .string(dataset.name), "description": .string(dataset.description), "provider": "vendor",
            "permission": .string(dataset.permission.rawValue), "data_source_type": dataset.documentCount > 0 ? "upload_file" : .null,
            "indexing_technique": .string(dataset.indexingTechnique.rawValue), "app_count": 0,
            "document_count": .number(Double(dataset.documentCount)), "word_count": .number(Double(dataset.wordCount)),
            "created_by": optional(dataset.creator?.description), "author_name": .null, "created_at": seconds(dataset.createdAt),
            "updated_by": optional((dataset.updatedBy ?? dataset.creator)?.description), "updated_at": seconds(dataset.updatedAt),
            "embedding_model": optional(dataset.embeddingModel), "embedding_model_provider": optional(dataset.embeddingProvider),
            "embedding_available": .bool(dataset.indexingTechnique == .economy || dataset.embeddingModel != nil),
            "retrieval_model_dict": retrieval(dataset.retrieval), "tags": .array(dataset.tags.map { tag($0, counted: false) }),
            "partial_member_list": .array(dataset.partialMembers.map { .string($0.description) }),
            "doc_form": optional(dataset.docForm?.rawValue), "doc_metadata": .array(datasetMetadata(dataset)),
            "built_in_field_enabled": .bool(dataset.builtInFieldEnabled),
            "external_knowledge_info": [
                "external_knowledge_id": .null, "external_knowledge_api_id": .null, "external_knowledge_api_name": .null,
                "external_knowledge_api_endpoint": .null,
            ],
            "external_retrieval_model": ["top_k": 2, "score_threshold": 0.0, "score_threshold_enabled": false],
            "pipeline_id": .null, "runtime_mode": "general", "chunk_structure": .null, "icon_info": .null, "is_published": false,
            "total_documents": .number(Double(dataset.documentCount)),
            "total_available_documents": .number(Double(dataset.availableDocumentCount)), "enable_api": true, "is_multimodal": false,
            "summary_index_setting": .null,
        ]
    }

    /// A dataset's fields as its detail lists them: its own, then the built-in ones (id `built-in`) when switched on.
    static func datasetMetadata(_ dataset: Dataset) -> [JSONValue] {
        var fields = dataset.metadataFields.map(metadataField)
        if dataset.builtInFieldEnabled {
            fields += BuiltInMetadata.allCases.map { ["id": "built-in", "name": .string($0.rawValue), "type": .string($0.type.rawValue)] }
        }
        return fields
    }

    static func metadataField(_ field: MetadataField) -> JSONValue {
        ["id": .string(field.id.description), "name": .string(field.name), "type": .string(field.type.rawValue)]
    }

    /// A tag as a dataset shows it, or as tags are listed (`counted`: with `binding_count`, a string in Dify).
    static func tag(_ tag: DatasetTag, counted: Bool) -> JSONValue {
        var fields: [String: JSONValue] = ["id": .string(tag.id.description), "name": .string(tag.name), "type": "knowledge"]
        if counted { fields["binding_count"] = .string(String(tag.bindingCount)) }
        return .object(fields)
    }

    /// A document as Dify's `document_fields` (with `document_with_segments_fields`' counts) shows it; `metadata`: its
    /// dataset's fields, for `doc_metadata` (`nil`: an empty list).
    static func document(_ document: DatasetDocument, metadata: DocumentMetadataView? = nil) -> JSONValue {
        let creator = optional(document.creator?.description)
        return [
            "id": .string(document.id.description), "position": .number(Double(document.position)), "name": .string(document.name),
            "data_source_type": .string(document.dataSourceType),
            "data_source_info": ["upload_file_id": .string(document.id.description), "upload_file_name": .string(document.name)],
            "data_source_detail_dict": [
                "upload_file": [
                    "id": .string(document.id.description), "name": .string(document.name), "size": .number(Double(document.sourceSize)),
                    "extension": .string(DocumentFormat.fileExtension(ofDocType: document.docType)),
                    "mime_type": .string(DocumentFormat.mimeType(ofDocType: document.docType)),
                    "created_by": creator, "created_at": seconds(document.createdAt),
                ]
            ],
            "dataset_process_rule_id": .null, "doc_type": .string(document.docType), "doc_form": .string(document.docForm.rawValue),
            "doc_language": .string(document.docLanguage), "batch": .string(document.batch),
            "created_from": document.createdBy == nil ? "api" : "web", "created_by": creator, "created_at": seconds(document.createdAt),
            "updated_at": seconds(document.updatedAt), "tokens": .number(Double(document.tokens)), "word_count": .number(Double(document.wordCount)),
            "indexing_status": .string(document.status.rawValue), "display_status": .string(DocumentDisplayStatus(document).rawValue),
            "error": optional(document.error), "enabled": .bool(document.enabled), "disabled_at": seconds(document.disabledAt),
            "disabled_by": optional(document.disabledBy?.description), "archived": .bool(document.archived),
            "hit_count": .number(Double(document.hitCount)),
            "completed_segments": .number(Double(document.completedSegments)), "total_segments": .number(Double(document.totalSegments)),
            "process_rule": processRule(document.processRule), "doc_metadata": .array(metadata?.values(of: document) ?? []),
        ]
    }

    static func processRule(_ rule: ProcessRule) -> JSONValue {
        func segmentation(_ segmentation: ProcessRule.Segmentation) -> JSONValue {
            [
                "separator": .string(segmentation.separator), "max_tokens": .number(Double(segmentation.maxTokens)),
                "chunk_overlap": .number(Double(segmentation.chunkOverlap)),
            ]
        }
        var rules: [String: JSONValue] = [
            "pre_processing_rules": .array(rule.rules.cleaning.map { ["id": .string($0.id), "enabled": .bool($0.enabled)] }),
            "segmentation": segmentation(rule.rules.segmentation),
        ]
        if rule.mode == .hierarchical {
            rules["parent_mode"] = optional(rule.rules.parentMode?.rawValue)
            rules["subchunk_segmentation"] = rule.rules.subchunkSegmentation.map(segmentation) ?? .null
        }
        return ["mode": .string(rule.mode.rawValue), "rules": .object(rules)]
    }

    static func indexingStatus(_ document: DatasetDocument) -> JSONValue {
        [
            "id": .string(document.id.description), "indexing_status": .string(document.status.rawValue),
            "processing_started_at": seconds(document.processingStartedAt), "parsing_completed_at": seconds(document.parsingCompletedAt),
            "cleaning_completed_at": seconds(document.cleaningCompletedAt), "splitting_completed_at": seconds(document.splittingCompletedAt),
            "completed_at": seconds(document.completedAt), "paused_at": seconds(document.pausedAt), "stopped_at": .null,
            "error": optional(document.error),
            "completed_segments": .number(Double(document.completedSegments)), "total_segments": .number(Double(document.totalSegments)),
        ]
    }

    static func segment(_ segment: DocumentSegment, document: JSONValue? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(segment.id.description), "position": .number(Double(segment.position)),
            "document_id": .string(segment.documentID.description),
            "content": .string(segment.content), "sign_content": .string(segment.content), "answer": optional(segment.answer),
            "word_count": .number(Double(segment.wordCount)),
            "tokens": .number(Double(segment.tokens)), "keywords": .array(segment.keywords.map(JSONValue.string)),
            "index_node_id": .string(segment.id.description), "index_node_hash": .string(segment.indexNodeHash),
            "hit_count": .number(Double(segment.hitCount)), "enabled": .bool(segment.enabled), "status": "completed",
            "created_by": optional(segment.creator?.description), "updated_by": optional((segment.updatedBy ?? segment.creator)?.description),
            "created_at": seconds(segment.createdAt), "updated_at": seconds(segment.updatedAt), "indexing_at": seconds(segment.createdAt),
            "completed_at": seconds(segment.createdAt), "error": .null, "stopped_at": .null, "disabled_at": seconds(segment.disabledAt),
            "disabled_by": optional(segment.disabledBy?.description), "child_chunks": .array(segment.childChunks.map(childChunk)),
            "attachments": [],
        ]
        if let document { object["document"] = document }
        return .object(object)
    }

    static func childChunk(_ child: ChildChunk) -> JSONValue {
        [
            "id": .string(child.id.description), "segment_id": .string(child.segmentID.description), "content": .string(child.content),
            "position": .number(Double(child.position)), "word_count": .number(Double(child.wordCount)), "type": .string(child.type.rawValue),
            "created_at": seconds(child.createdAt), "updated_at": seconds(child.updatedAt),
        ]
    }

    static func record(_ record: RetrievalRecord) -> JSONValue {
        var segment = record.segment
        segment.childChunks = []
        return [
            "segment": DatasetJSON.segment(
                segment,
                document: [
                    "id": .string(record.segment.documentID.description), "data_source_type": "upload_file", "name": .string(record.documentName),
                    "doc_type": .string(record.documentType), "doc_metadata": .object(record.documentMetadata),
                ]
            ),
            "child_chunks": .array(
                record.childChunks.map { child, score in
                    [
                        "id": .string(child.id.description), "content": .string(child.content), "position": .number(Double(child.position)),
                        "score": .number(score),
                    ]
                }),
            "score": .number(record.score), "tsne_position": .null, "files": [],
        ]
    }

    /// A document as Dify's knowledge API shows one alone: `all` its fields with its rule, segment count and average
    /// segment length; `only` its id, type and metadata; `without` everything but type and metadata.
    static func documentDetail(_ document: DatasetDocument, metadata: DocumentMetadataView, view: String) -> JSONValue {
        let values = JSONValue.array(metadata.values(of: document))
        if view == "only" { return ["id": .string(document.id.description), "doc_type": .string(document.docType), "doc_metadata": values] }
        guard var object = self.document(document, metadata: metadata).object else { return .null }
        object["data_source_info"] = object["data_source_detail_dict"]
        object["document_process_rule"] = processRule(document.processRule)
        object["dataset_process_rule"] = .null
        object["segment_count"] = .number(Double(document.totalSegments))
        object["average_segment_length"] = .number(Double(document.totalSegments > 0 ? document.wordCount / document.totalSegments : 0))
        object["completed_at"] = seconds(document.completedAt)
        object["indexing_latency"] =
            document.completedAt.flatMap { end in document.processingStartedAt.map { .number(end.timeIntervalSince($0)) } } ?? .null
        if view == "without" {
            object["doc_type"] = nil
            object["doc_metadata"] = nil
        }
        return .object(object)
    }

    static func estimate(_ estimate: IndexingEstimate) -> JSONValue {
        [
            "total_segments": .number(Double(estimate.totalSegments)),
            "preview": .array(
                estimate.preview.map { item in
                    ["content": .string(item.content), "child_chunks": item.children.map { .array($0.map(JSONValue.string)) } ?? .null]
                }),
            "qa_preview": estimate.questionAnswerPreview.map { pairs in
                .array(pairs.map { ["question": .string($0.question), "answer": .string($0.answer)] })
            } ?? .null,
        ]
    }

    static func metadataList(_ fields: [MetadataField], builtInEnabled: Bool) -> JSONValue {
        [
            "doc_metadata": .array(
                fields.map {
                    [
                        "id": .string($0.id.description), "name": .string($0.name), "type": .string($0.type.rawValue),
                        "count": .number(Double($0.useCount)),
                    ]
                }),
            "built_in_field_enabled": .bool(builtInEnabled),
        ]
    }

    static func page<Item>(_ page: Page<Item>, _ encode: (Item) -> JSONValue) -> JSONValue {
        [
            "data": .array(page.items.map(encode)), "total": .number(Double(page.total)), "page": .number(Double(page.page)),
            "limit": .number(Double(page.limit)), "has_more": .bool(page.hasMore),
        ]
    }
}

/// A dataset's metadata fields, for showing its documents' values (`doc_metadata`: `[{id, name, type, value}]`).
struct DocumentMetadataView {
    let schema: MetadataSchema

    init(_ schema: MetadataSchema) { self.schema = schema }

    func values(of document: DatasetDocument) -> [JSONValue] {
        DatasetService.metadataValues(of: document, fields: schema.fields, builtIn: schema.builtInEnabled).map { item in
            [
                "id": .string(item.field?.id.description ?? "built-in"), "name": .string(item.name), "type": .string(item.type.rawValue),
                "value": item.value.json,
            ]
        }
    }
}
