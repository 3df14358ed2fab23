/// A JSON object with its members in document order; keys are unique (the reader rejects duplicates).
public struct JSONObject: Sendable, Equatable {
    /// The members in document order.
    public var members: [(key: String, value: JSONValue)]

    /// Creates an object from members whose keys the caller keeps unique.
    public init(members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// The value of the member named `key`, or nil when absent.
    public subscript(key: String) -> JSONValue? {
        // Parameter objects have a handful of members, so a linear scan beats hashing.
        members.first { $0.key == key }?.value
    }

    /// The member names in document order.
    public var keys: [String] { members.map(\.key) }

    /// Two objects are equal when they have the same members in the same order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
