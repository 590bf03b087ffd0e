public import Foundation

/// What a model costs, in Dify's terms: `unitPrice` per `priceUnit` tokens' fraction, i.e. a token costs
/// `unitPrice × priceUnit` (with `priceUnit` 0.000001, `unitPrice` is the price of a million tokens).
public struct ModelPrice: Sendable, Equatable {
    public let input: Decimal
    public let output: Decimal
    public let priceUnit: Decimal
    public let currency: String

    public init(input: Decimal, output: Decimal, priceUnit: Decimal = Decimal(string: "0.000001")!, currency: String = "USD") {
        self.input = input
        self.output = output
        self.priceUnit = priceUnit
        self.currency = currency
    }

    public static let free = ModelPrice(input: 0, output: 0)
}

/// `metadata.usage` of a message: token counts, prices as decimal strings, latency in seconds.
public struct MessageUsage: Sendable, Equatable, Codable {
    public let promptTokens: Int
    public let promptUnitPrice: String
    public let promptPriceUnit: String
    public let promptPrice: String
    public let completionTokens: Int
    public let completionUnitPrice: String
    public let completionPriceUnit: String
    public let completionPrice: String
    public let totalTokens: Int
    public let totalPrice: String
    public let currency: String
    public let latency: Double

    public init(tokens: TokenCounts, price: ModelPrice, latency: Double) {
        let promptPrice = Decimal(tokens.prompt) * price.input * price.priceUnit
        let completionPrice = Decimal(tokens.completion) * price.output * price.priceUnit
        self.promptTokens = tokens.prompt
        self.promptUnitPrice = Self.format(price.input)
        self.promptPriceUnit = Self.format(price.priceUnit)
        self.promptPrice = Self.format(promptPrice, scale: 7)
        self.completionTokens = tokens.completion
        self.completionUnitPrice = Self.format(price.output)
        self.completionPriceUnit = Self.format(price.priceUnit)
        self.completionPrice = Self.format(completionPrice, scale: 7)
        self.totalTokens = tokens.total
        self.totalPrice = Self.format(promptPrice + completionPrice, scale: 7)
        self.currency = price.currency
        self.latency = (latency * 1000).rounded() / 1000
    }

    /// Plain decimal notation (never an exponent), rounded to `scale` places when given.
    public static func format(_ value: Decimal, scale: Int? = nil) -> String {
        var value = value
        if let scale {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &value, scale, .plain)
            value = rounded
        }
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = false
        formatter.minimumIntegerDigits = 1
        formatter.minimumFractionDigits = scale ?? 0
        formatter.maximumFractionDigits = scale ?? 20
        return formatter.string(from: value as NSDecimalNumber) ?? "0"
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", promptUnitPrice = "prompt_unit_price", promptPriceUnit = "prompt_price_unit"
        case promptPrice = "prompt_price", completionTokens = "completion_tokens"
        case completionUnitPrice = "completion_unit_price", completionPriceUnit = "completion_price_unit"
        case completionPrice = "completion_price", totalTokens = "total_tokens", totalPrice = "total_price", currency, latency
    }
}

extension Duration {
    /// The duration in seconds, as Dify reports latencies.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
