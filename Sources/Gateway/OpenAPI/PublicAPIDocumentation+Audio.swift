import OpenAPIKit

/// `AudioController`: speech to text and text to speech, through the workspace's default speech models.
extension PublicAPIDocumentation {
    static var audioOperations: [DocumentedOperation] {
        operation(
            .post, "/audio-to-text", id: "audioToText",
            summary: "Transcribe audio (multipart field `file`: mp3, mp4, mpeg, mpga, m4a, wav, webm or amr; at most 30 MB by default)",
            description: "Needs the app's `speech_to_text` feature and the workspace's default speech-to-text model", tag: "Audio",
            body: multipartBody(.object(properties: ["file": .binaryFile, "user": endUser])),
            responses: [200: .json("What the audio says", .object(properties: ["text": .string]))],
            // 400: no audio, no `user`, the feature off, no model; 413: too large; 415: not audio Dify takes.
            errors: [400, 413, 415]
        )
            + operation(
                .post, "/text-to-audio", id: "textToAudio", summary: "Read a text, or one of the end user's answers, aloud",
                description: "Needs the app's `text_to_speech` feature and the workspace's default text-to-speech model; the voice is "
                    + "`voice`, else the feature's", tag: "Audio",
                body: jsonBody(
                    .object(
                        properties: [
                            "message_id": .string(required: false, description: "An answer of the end user's to read (before `text`)"),
                            "text": .string(required: false, maxLength: 4_096), "voice": .string(required: false),
                            "streaming": .boolean(required: false, description: "Ignored: the audio always streams"), "user": endUser,
                        ]
                    )
                ),
                responses: [200: .content("The audio, as it is made", .other("audio/mpeg"), .string(contentEncoding: .binary))],
                errors: [400, 404]
            )
    }
}
