import Foundation
import Testing

@testable import Core

@Suite("App field rules")
struct AppServiceTests {
    @Test("colours are #RGB or #RRGGBB in hexadecimal")
    func colours() throws {
        for valid in ["#FFEAD5", "#fff", "#000000"] { #expect(try AppService.validColor(valid) == valid) }
        for invalid in ["FFEAD5", "#FFEAD", "#GGG", "", "#", "#FFEAD5F"] {
            #expect(throws: RelayError.self) { try AppService.validColor(invalid) }
        }
    }

    @Test("names are trimmed, required, and at most 40 characters as people count them")
    func names() throws {
        #expect(try AppService.validName("  Bot  ") == "Bot")
        #expect(try AppService.validName(String(repeating: "👩‍👩‍👧", count: 40)).count == 40)
        #expect(throws: RelayError.self) { try AppService.validName(" \n ") }
        #expect(throws: RelayError.self) { try AppService.validName(String(repeating: "a", count: 41)) }
    }

    @Test("a page knows whether more follow")
    func pages() {
        #expect(Page<Int>(items: [], total: 61, page: 2, limit: 30).hasMore)
        #expect(!Page<Int>(items: [], total: 60, page: 2, limit: 30).hasMore)
        #expect(!Page<Int>(items: [], total: 0, page: 1, limit: 30).hasMore)
    }
}

@Suite("Identifiers")
struct IdentifierTests {
    @Test("ids print as lower-case canonical UUIDs and parse back; anything else is not an id")
    func roundTrip() throws {
        for _ in 0..<1000 {
            let uuid = UUID()
            let id = AppID(uuid)
            #expect(id.description == uuid.uuidString.lowercased())
            #expect(AppID(id.description) == id)
        }
        #expect(AppID("not-a-uuid") == nil)
        #expect(AppID("") == nil)
    }
}
