import Core
import Foundation
import Hummingbird
import Tenancy

/// `POST /files/upload`: one file (multipart field `file`) for the end user named by the form field `user`.
struct FilesController {
    let files: FileService

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
    }
}
