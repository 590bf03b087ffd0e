import Hummingbird

/// A response body encoded with the context's JSON encoder. Field names are the wire's (snake_case) on purpose.
protocol ResponseCodableBody: ResponseEncodable {}
