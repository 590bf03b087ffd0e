/// An integer request field. Foundation's decoder reports `1.5` or `1e30` for an `Int` as invalid JSON with no field
/// path; this decodes the number and says which field is wrong.
struct JSONInteger: Decodable {
    let value: Int

    init(from decoder: any Decoder) throws {
        let number = try decoder.singleValueContainer().decode(Double.self)
        guard number.rounded() == number, abs(number) <= 9_007_199_254_740_991 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "it must be an integer"))
        }
        value = Int(number)
    }
}
