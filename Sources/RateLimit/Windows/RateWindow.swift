public import Foundation

/// A calendar-aligned window in UTC: every minute, hour and day starts on its boundary, not at the first request.
public enum RateWindow: String, Sendable, CaseIterable, Comparable {
    case minute
    case hour
    case day

    public var seconds: Int64 {
        switch self {
        case .minute: 60
        case .hour: 3_600
        case .day: 86_400
        }
    }

    /// The first second of the window that contains `date`.
    public func start(containing date: Date) -> Int64 {
        let now = Int64(date.timeIntervalSince1970.rounded(.down))
        return now - ((now % seconds) + seconds) % seconds
    }

    /// Whole seconds from `date` until the window containing it ends (at least 1).
    public func secondsUntilReset(from date: Date) -> Int {
        let end = Double(start(containing: date) + seconds)
        return max(1, Int((end - date.timeIntervalSince1970).rounded(.up)))
    }

    public static func < (lhs: RateWindow, rhs: RateWindow) -> Bool { lhs.seconds < rhs.seconds }

    /// `X-RateLimit-Limit-Minute` and friends.
    var headerSuffix: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}
