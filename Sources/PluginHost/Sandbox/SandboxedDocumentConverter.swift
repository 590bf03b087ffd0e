public import Core
public import Foundation
import SWXMLHash
import Subprocess
import ZIPFoundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads the document formats that need a real parser, treating every file as hostile: PDF through poppler's
/// `pdftotext` under the plugin launcher (no network, its own folder, memory, CPU and time limits, its own uid when
/// root), docx by reading its ZIP with entry and size limits and its XML with entity resolution off.
public struct SandboxedDocumentConverter: DocumentConverter {
    let launcher: String
    let pdftotext: String
    let folder: URL
    let minimumLevel: SandboxLevel
    let timeout: Duration
    let ownUIDs: Bool

    /// Largest text kept from one document, and largest docx XML read.
    static let textLimit = 64 << 20
    static let uidRange: ClosedRange<UInt32> = 200_000...299_999

    public init(launcher: String, pdftotext: String = "/usr/bin/pdftotext", folder: URL, minimumLevel: SandboxLevel, timeout: Duration = .seconds(60))
    {
        self.launcher = launcher
        self.pdftotext = pdftotext
        self.folder = folder
        self.minimumLevel = minimumLevel
        self.timeout = timeout
        ownUIDs = geteuid() == 0
    }

    public func text(of content: Data, format: DocumentFormat) async throws -> String {
        switch format {
        case .pdf: return try await pdfText(content)
        case .docx: return try Self.docxText(content)
        default: return String(decoding: content, as: UTF8.self)
        }
    }

    private func pdfText(_ content: Data) async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: pdftotext) else {
            throw RelayError.invalidParam("file", "PDF files cannot be read on this server: \(pdftotext) is missing (Debian package poppler-utils)")
        }
        let uid: UInt32? = ownUIDs ? UInt32.random(in: Self.uidRange) : nil
        let home = try SandboxedRun.makeHome(in: folder, uid: uid)
        defer { try? FileManager.default.removeItem(at: home) }
        let input = home.appendingPathComponent("document.pdf")
        try content.write(to: input)
        if let uid { _ = chown(input.path, uid, uid) }
        var launch = PluginLaunch(
            program: [pdftotext, "-q", "-enc", "UTF-8", input.path, "-"], workingDirectory: home.path,
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home.path],
            memory: 512 << 20, cpuSeconds: max(1, Int(timeout.components.seconds)), openFiles: 64, fileSize: 1 << 20,
            processes: uid == nil ? 4096 : 8, uid: uid, network: false
        )
        launch.writes = [home.path]
        let run = try await SandboxedRun.run(launch, launcher: launcher, input: Data(), timeout: timeout, outputLimit: Self.textLimit)
        if run.timedOut { throw RelayError.invalidParam("file", "Reading the PDF took longer than \(timeout.components.seconds) s") }
        if let refusal = run.report?.error { throw RelayError.invalidParam("file", "The PDF reader's sandbox could not be set up: \(refusal)") }
        if let report = run.report, report.level < minimumLevel {
            throw RelayError.invalidParam("file", "The PDF reader's sandbox is \(report.level.rawValue), below the required \(minimumLevel.rawValue)")
        }
        guard case .exited(0) = run.status else {
            throw RelayError.invalidParam("file", "The PDF could not be read (pdftotext \(run.ending)). \(run.printed.suffix(300))")
        }
        return String(decoding: run.output, as: UTF8.self).replacingOccurrences(of: "\u{0C}", with: "\n\n")
    }

    /// The text of a Word document's body: paragraphs separated by blank lines, tabs and breaks kept.
    static func docxText(_ content: Data) throws -> String {
        let archive: Archive
        do {
            archive = try Archive(data: content, accessMode: .read)
        } catch {
            throw RelayError.invalidParam("file", "The docx file is not a ZIP archive")
        }
        guard let entry = archive["word/document.xml"], entry.type == .file else {
            throw RelayError.invalidParam("file", "The docx file has no word/document.xml")
        }
        var xml = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard xml.count + chunk.count <= textLimit else { throw DocxTooLarge() }
                xml.append(chunk)
            }
        } catch is DocxTooLarge {
            throw RelayError.invalidParam("file", "The docx file's text is larger than \(textLimit >> 20) MiB")
        } catch {
            throw RelayError.invalidParam("file", "The docx file is damaged: \(error)")
        }
        let document = XMLHash.config { $0.detectParsingErrors = true }.parse(xml)
        if case .parsingError(let error) = document {
            throw RelayError.invalidParam("file", "The docx file's XML cannot be read: \(error)")
        }
        var text = ""
        func walk(_ node: XMLIndexer) {
            for child in node.children {
                guard let element = child.element else { continue }
                switch element.name {
                case "w:t": text += element.text
                case "w:tab": text += "\t"
                case "w:br", "w:cr": text += "\n"
                case "w:p":
                    walk(child)
                    text += "\n\n"
                default: walk(child)
                }
            }
        }
        walk(document)
        return text
    }

    private struct DocxTooLarge: Error {}
}
