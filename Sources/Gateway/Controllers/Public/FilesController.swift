import Core
import Foundation
import HTTPTypes
import Hummingbird
import Tenancy

/// `POST /files/upload`: one file (multipart field `file`) for the end user named by the form field `user`; and
/// `GET /files/{file_id}/preview`: a file a message of the app carries, shown or downloaded.
struct FilesController {
    let files: FileService
    let chat: ChatService

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.post("files/upload") { request, context in
            let grant = context.grant
            try grant.require(grant.app.mode.permission)
            let (fields, upload) = try await MultipartUpload.read(request, fileField: "file") { filename in
                try files.beginUpload(name: filename, workspace: grant.workspaceID, app: grant.app.id)
            }
            guard let upload else { throw RelayError(.noFileUploaded, "No file was uploaded: send it in the multipart field 'file'") }
            let scope: EndUserScope
            do {
                scope = try EndUserScope(grant, user: fields["user"])
            } catch {
                upload.abandon()
                throw error
            }
            let file = try await upload.finish(endUser: scope.endUser, storageLimit: grant.plan.limits.fileStorage)
            return EditedResponse(
                status: .created,
                response: JSONBody([
                    "id": .string(file.id.description), "name": .string(file.name), "size": .number(Double(file.size)),
                    "extension": .string(file.fileExtension), "mime_type": .string(file.mimeType), "created_by": .string(file.endUser),
                    "created_at": .number(file.createdAt.timeIntervalSince1970.rounded(.down)),
                ])
            )
        }
        group.get("files/:file_id/preview") { request, context in
            let grant = context.grant
            try grant.require(grant.app.mode.permission)
            let file = try await files.file(try context.id("file_id"), in: grant.workspaceID, app: grant.app.id)
            // As in Dify: only a file a message carries is shown; a fresh upload is not yet.
            guard try await chat.carries(file.id, of: grant.app) else { throw RelayError.notFound("File not found in message context") }
            let attachment = try request.queryBool("as_attachment", default: false)
            let contents = try files.contents(of: file)
            // Pages and pictures that run scripts are downloaded, never shown on this origin.
            let active = ["text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "text/xml"].contains(file.mimeType)
            var headers: HTTPFields = [
                .contentType: attachment || active ? "application/octet-stream" : file.mimeType, .cacheControl: "public, max-age=3600",
                .contentLength: String(contents.count), HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ]
            if attachment || active { headers[.contentDisposition] = DocumentFilesController.contentDisposition(file.name) }
            if file.category == .audio || file.category == .video { headers[.acceptRanges] = "bytes" }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: contents)))
        }
    }
}
