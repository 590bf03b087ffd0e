/// How much of the sandbox holds around a plugin, from `sandbox.md`: `strict` (every layer) → `standard` (no
/// bubblewrap or no cgroup) → `basic` (rlimits, seccomp, no-new-privs, own uid when root) → `none` (development only).
public enum SandboxLevel: String, Sendable, CaseIterable, Comparable, Codable {
    case none
    case basic
    case standard
    case strict

    public static func < (lhs: SandboxLevel, rhs: SandboxLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
