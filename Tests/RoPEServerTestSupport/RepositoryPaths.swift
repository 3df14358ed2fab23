import Foundation

/// Paths inside the repository, found from this file's location (works from any clone).
public enum RepositoryPaths {
    /// The repository's root directory.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The vendored golden cases (Tests/Golden).
    public static let golden = root.appendingPathComponent("Tests/Golden")
}
