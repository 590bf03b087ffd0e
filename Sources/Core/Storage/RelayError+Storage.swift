import GRDB

extension RelayError {
    /// The API's answer to a storage failure the client did not cause and may retry: another process holds the
    /// database (busy or locked) is 503 `service_unavailable`. `nil` for anything else, which stays an internal error.
    public init?(storage error: any Error) {
        guard let error = error as? DatabaseError, error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED else {
            return nil
        }
        self.init(.serviceUnavailable, "The database is busy; try again shortly", underlying: error)
    }
}
