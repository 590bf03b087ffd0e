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

    static func dataset(_ dataset: Dataset) -> JSONValue {
        [
            "id": .string(dataset.id.description), "name": .string(dataset.name), "description": .string(dataset.description), "provider": "vendor",
            "permission": .string(dataset.permission.rawValue), "data_source_type": dataset.documentCount > 0 ? "upload_file" : .null,
            "indexing_technique": .string(dataset.indexingTechnique.rawValue), "app_count": 0,
            "document_count": .number(Double(dataset.documentCount)), "word_count": .number(Double(dataset.wordCount)),
            "created_by": optional(dataset.createdBy?.description), "created_at": seconds(dataset.createdAt),
            "updated_at": seconds(dataset.updatedAt),
            "embedding_model": optional(dataset.embeddingModel), "embedding_model_provider": optional(dataset.embeddingProvider),
            "embedding_available": .bool(dataset.indexingTechnique == .economy || dataset.embeddingModel != nil),
            "retrieval_model_dict": retrieval(dataset.retrieval), "tags": .array(dataset.tags.map { tag($0, counted: false) }),
            "partial_member_list": .array(dataset.partialMembers.map { .string($0.description) }),
        ]
    }

    /// A tag as a dataset shows it, or as tags are listed (`counted`: with `binding_count`, a string in Dify).
    static func tag(_ tag: DatasetTag, counted: Bool) -> JSONValue {
        var fields: [String: JSONValue] = ["id": .string(tag.id.description), "name": .string(tag.name), "type": "knowledge"]
        if counted { fields["binding_count"] = .string(String(tag.bindingCount)) }
        return .object(fields)
    }

    /// Dify's `display_status`: what the console shows for a document.
    static func displayStatus(_ document: DatasetDocument) -> String {
        switch document.status {
        case .waiting: "queuing"
        case .paused: "paused"
        case .error: "error"
        case .completed: document.enabled ? "available" : "disabled"
        default: "indexing"
        }
    }

    static func document(_ document: DatasetDocument) -> JSONValue {
        [
            "id": .string(document.id.description), "position": .number(Double(document.position)), "name": .string(document.name),
            "data_source_type": .string(document.dataSourceType), "data_source_info": ["upload_file_name": .string(document.name)],
            "doc_type": .string(document.docType), "doc_form": "text_model", "batch": .string(document.batch),
            "created_from": "api", "created_by": optional(document.createdBy?.description), "created_at": seconds(document.createdAt),
            "updated_at": seconds(document.updatedAt), "tokens": .number(Double(document.tokens)), "word_count": .number(Double(document.wordCount)),
            "indexing_status": .string(document.status.rawValue), "display_status": .string(displayStatus(document)),
            "error": optional(document.error), "enabled": .bool(document.enabled), "archived": false, "hit_count": 0,
            "completed_segments": .number(Double(document.completedSegments)), "total_segments": .number(Double(document.totalSegments)),
            "process_rule": processRule(document.processRule),
        ]
    }

    static func processRule(_ rule: ProcessRule) -> JSONValue {
        [
            "mode": .string(rule.mode.rawValue),
            "rules": [
                "pre_processing_rules": .array(rule.rules.cleaning.map { ["id": .string($0.id), "enabled": .bool($0.enabled)] }),
                "segmentation": [
                    "separator": .string(rule.rules.segmentation.separator), "max_tokens": .number(Double(rule.rules.segmentation.maxTokens)),
                    "chunk_overlap": .number(Double(rule.rules.segmentation.chunkOverlap)),
                ],
            ],
        ]
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
            "content": .string(segment.content), "answer": optional(segment.answer), "word_count": .number(Double(segment.wordCount)),
            "tokens": .number(Double(segment.tokens)), "keywords": .array(segment.keywords.map(JSONValue.string)),
            "index_node_id": .string(segment.id.description), "index_node_hash": .string(segment.indexNodeHash),
            "hit_count": .number(Double(segment.hitCount)), "enabled": .bool(segment.enabled), "status": "completed",
            "created_at": seconds(segment.createdAt), "updated_at": seconds(segment.updatedAt), "indexing_at": seconds(segment.createdAt),
            "completed_at": seconds(segment.createdAt), "error": .null, "disabled_at": .null,
        ]
        if let document { object["document"] = document }
        return .object(object)
    }

    static func record(_ record: RetrievalRecord) -> JSONValue {
        [
            "segment": segment(
                record.segment,
                document: [
                    "id": .string(record.segment.documentID.description), "data_source_type": "upload_file", "name": .string(record.documentName),
                ]
            ),
            "score": .number(record.score), "tsne_position": .null,
        ]
    }

    static func page<Item>(_ page: Page<Item>, _ encode: (Item) -> JSONValue) -> JSONValue {
        [
            "data": .array(page.items.map(encode)), "total": .number(Double(page.total)), "page": .number(Double(page.page)),
            "limit": .number(Double(page.limit)), "has_more": .bool(page.hasMore),
        ]
    }
}
