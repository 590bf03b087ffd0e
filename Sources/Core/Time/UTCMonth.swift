public import Foundation

/// Calendar months in UTC, the period of monthly quotas such as message credits.
public enum UTCMonth {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first instant of the month containing `date`, and of the month after it.
    public static func bounds(containing date: Date) -> (start: Date, next: Date) {
        let start = calendar.date(from: calendar.dateComponents([.year, .month], from: date))!
        return (start, calendar.date(byAdding: .month, value: 1, to: start)!)
    }

    /// The month containing `date` as `yyyymm`, e.g. 202611.
    public static func number(containing date: Date) -> Int {
        let parts = calendar.dateComponents([.year, .month], from: date)
        return parts.year! * 100 + parts.month!
    }
}
