import Benchmark
import BenchmarkSupport
import Core
import Foundation
import Hummingbird
import Logging

/// Knowledge bases through `DatasetService` on a real SQLite file, with a local embedding server on loopback (384
/// dimensions, a bag of words, so each query's embedding is a real HTTP call as in production):
/// - retrieval over 100,000 segments by full text (FTS5 BM25), meaning (exact cosine over every vector) and both;
/// - indexing throughput: a 2,000-segment document through the durable pipeline (parse, clean, split, embed in
///   batches, store), segments per second.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 2_000)

    for (name, method) in [("full-text", "full_text_search"), ("semantic", "semantic_search"), ("hybrid", "hybrid_search")] {
        Benchmark("retrieve top 10 of 100,000 segments, \(name)") { benchmark in
            let fixture = try await KnowledgeFixture.shared.ready()
            var index = 0
            for _ in benchmark.scaledIterations {
                index += 1
                let records = try await fixture.retrieve(KnowledgeFixture.query(index), method: method)
                precondition(!records.isEmpty, "no records for \(method)")
                blackHole(records)
            }
        }
    }

    Benchmark(
        "index a 2,000-segment document (parse, clean, split, embed in batches of 32, store)",
        configuration: .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 5)
    ) { benchmark in
        let fixture = try await KnowledgeFixture.shared.ready()
        for _ in benchmark.scaledIterations {
            let started = ContinuousClock.now
            try await fixture.indexDocument(paragraphs: 2_000)
            let elapsed = ContinuousClock.now - started
            print(String(format: "indexing: 2,000 segments in %.2f s = %.0f segments/s", elapsed.seconds, 2_000 / elapsed.seconds))
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A workspace with a high-quality dataset of 100,000 segments, and the service and worker that search and index it.
actor KnowledgeFixture {
    static let shared = KnowledgeFixture()
    static let vocabulary: [String] = (0..<5_000).map { index in
        let syllables = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "ne", "di", "pa", "qua", "zel"]
        var word = ""
        var value = index
        repeat {
            word += syllables[value % syllables.count]
            value /= syllables.count
        } while value > 0
        return word
    }

    static func sentence(_ seed: Int, words: Int) -> String {
        var generator = SplitMix(seed: UInt64(seed))
        return (0..<words).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] }.joined(separator: " ")
    }

    static func query(_ index: Int) -> String { sentence(1_000_000 + index, words: 3) }

    struct Ready: Sendable {
        let service: DatasetService
        let dataset: DatasetID
        let workspace: WorkspaceID

        func retrieve(_ query: String, method: String) async throws -> [RetrievalRecord] {
            try await service.retrieve(
                query, from: dataset, settings: ["search_method": .string(method), "top_k": 10], by: .apiKey(of: workspace)
            )
        }

        func indexDocument(paragraphs: Int) async throws {
            let text = (0..<paragraphs).map { KnowledgeFixture.sentence(5_000_000 + $0, words: 30) }.joined(separator: "\n\n")
            let rule = try ProcessRule.from([
                "mode": "custom", "rules": ["segmentation": ["separator": "\\n\\n", "max_tokens": 200, "chunk_overlap": 0]],
            ])
            let caller = DatasetCaller.apiKey(of: workspace)
            let (documents, _) = try await service.addDocuments(
                [DocumentSource(name: "bench.txt", docType: "text", content: Data(text.utf8))], to: dataset, rule: rule,
                dataSourceType: "upload_file",
                by: caller
            )
            let id = documents[0].id
            while true {
                let document = try await service.document(id, of: dataset, by: caller)
                if document.status == .completed { return }
                precondition(document.status != .error, document.error ?? "")
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    private var ready: Ready?

    func ready() async throws -> Ready {
        if let ready { return ready }
        let port = try await EmbeddingServer.start()
        let bench = try await BenchWorkspace.make("knowledge")
        let (stores, workspace) = (bench.stores, bench.workspace)
        // Without limits: the corpus is bigger than the default plan's vector space.
        _ = try await stores.plans.define("bench", limits: [:])
        try await stores.plans.assign("bench", overrides: [:], to: workspace.id)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let models = bench.models(upstream: UpstreamClient(policy: UpstreamPolicy()))
        try await models.saveCredentials(
            ["endpoint_url": "http://127.0.0.1:\(port)/v1", "api_key": "bench"], of: "openai_api_compatible", in: workspace.id
        )
        let signal = IndexingSignal()
        let service = DatasetService(
            store: stores.datasets, plans: stores.plans, models: models, signal: signal, vectorCacheBytes: 1 << 30, now: Date.init)
        var fields = DatasetFields()
        fields.name = "Bench"
        fields.indexingTechnique = .highQuality
        fields.embeddingProvider = "openai_api_compatible"
        fields.embeddingModel = "bench-embed"
        let dataset = try await service.create(fields, by: .apiKey(of: workspace.id))

        // 100,000 segments of 40 words, stored directly in batches (the pipeline's own speed is the other benchmark).
        let date = Date()
        let document = DatasetDocument(
            id: DocumentID(), workspaceID: workspace.id, datasetID: dataset.id, position: 0, name: "corpus.txt", docType: "text",
            dataSourceType: "upload_file", batch: "bench", processRule: .automatic, status: .completed, createdBy: nil, createdAt: date,
            updatedAt: date
        )
        _ = try await stores.datasets.insert(
            [
                NewDocument(
                    document: document, source: DocumentSource(name: "corpus.txt", docType: "text", content: Data()),
                    job: BackgroundJob(workspaceID: workspace.id, kind: .indexDocument, subject: UUID().uuidString, createdAt: date)
                )
            ],
            documentLimit: 0
        )
        for start in stride(from: 0, to: 100_000, by: 2_000) {
            let segments = (start..<start + 2_000).map { index in
                let text = Self.sentence(index, words: 40)
                return DocumentSegment(
                    id: SegmentID(), workspaceID: workspace.id, datasetID: dataset.id, documentID: document.id, position: 0, content: text,
                    wordCount: text.count, tokens: TokenCount.of(text), indexNodeHash: "", vector: EmbeddingServer.embedding(text), createdAt: date,
                    updatedAt: date
                )
            }
            _ = try await stores.datasets.append(segments, to: document.id, in: workspace.id, vectorSpaceLimit: 0)
        }
        let worker = JobWorker(
            jobs: stores.jobs, datasets: stores.datasets, plans: stores.plans, models: models, converter: nil, signal: signal,
            ready: StartGate(isOpen: true), settings: .init(pollInterval: .milliseconds(50)), now: Date.init, logger: logger
        )
        Task { try await worker.run() }
        let ready = Ready(service: service, dataset: dataset.id, workspace: workspace.id)
        // The first semantic search loads the vectors into memory; a benchmark's warm-up would otherwise pay it.
        _ = try await ready.retrieve(Self.query(0), method: "semantic_search")
        self.ready = ready
        return ready
    }
}

/// An OpenAI-compatible embedding server on loopback: 384 dimensions, each word counted in the dimension its FNV-1a
/// hash picks, normalised.
enum EmbeddingServer {
    static func embedding(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: 384)
        for word in text.split(separator: " ") {
            var hash: UInt32 = 2_166_136_261
            for byte in word.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            vector[Int(hash % 384)] += 1
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    static func start() async throws -> Int {
        let router = Router()
        router.get("v1/models") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"data":[{"id":"bench-embed"}]}"#)))
        }
        router.post("v1/embeddings") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 << 20)
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
            let data: [JSONValue] = json["input"].array.enumerated().map { index, text in
                ["index": .number(Double(index)), "embedding": .array(embedding(text.string ?? "").map { .number(Double($0)) })]
            }
            let answer = try JSONEncoder().encode(JSONValue.object(["data": .array(data), "usage": ["prompt_tokens": 1, "total_tokens": 1]]))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        let (ready, signal) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in signal.yield(channel.localAddress?.port ?? 0) }
        )
        Task { try await app.runService(gracefulShutdownSignals: []) }
        for await port in ready { return port }
        throw CancellationError()
    }
}

/// A small deterministic generator, so every run searches the same corpus.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
