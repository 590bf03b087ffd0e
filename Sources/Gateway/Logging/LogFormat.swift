extension RelayConfiguration {
    /// How the executable writes its log: swift-log's text lines, or one JSON object a line for a log pipeline.
    public enum LogFormat: String, Sendable, CaseIterable {
        case text
        case json
    }
}
