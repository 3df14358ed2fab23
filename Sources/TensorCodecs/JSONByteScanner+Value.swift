extension JSONByteScanner {
    /// An object being read: the members so far and the key whose value is being read.
    private struct OpenObject {
        var members: [(key: String, value: JSONValue)] = []
        var keys: Set<String> = []
        var pendingKey = ""
    }

    /// A container whose closing bracket has not been reached yet.
    private enum OpenContainer {
        case array([JSONValue])
        case object(OpenObject)
    }

    /// Reads any JSON value at the cursor into a tree; `depth` is the nesting of the container holding it and
    /// `field` names it in errors. Iterative with an explicit stack, so hostile nesting hits the depth limit
    /// (`tooLarge`) instead of the thread's stack.
    mutating func parseValue(depth: Int, field: String?) throws(CodecError) -> JSONValue {
        var stack: [OpenContainer] = []
        do {
            return try parseValue(depth: depth, stack: &stack)
        } catch {
            throw error.locatedIn(field: Self.path(field: field, stack: stack))
        }
    }

    /// The field path of the innermost open container, e.g. `rope_scaling.long_factor[3]`.
    private static func path(field: String?, stack: [OpenContainer]) -> String? {
        var path = field ?? ""
        for container in stack {
            switch container {
            case .array(let items): path += "[\(items.count)]"
            case .object(let object): path += path.isEmpty ? object.pendingKey : ".\(object.pendingKey)"
            }
        }
        return path.isEmpty ? nil : path
    }

    private mutating func parseValue(depth: Int, stack: inout [OpenContainer]) throws(CodecError) -> JSONValue {
        while true {
            skipWhitespace()
            guard let byte = current else { throw unexpected(expecting: "a JSON value") }
            var value: JSONValue
            switch byte {
            case UInt8(ascii: "{"):
                try checkDepth(depth + stack.count + 1)
                position += 1
                skipWhitespace()
                if current == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    var object = OpenObject()
                    try readMemberKey(into: &object)
                    stack.append(.object(object))
                    continue
                }
            case UInt8(ascii: "["):
                try checkDepth(depth + stack.count + 1)
                position += 1
                skipWhitespace()
                if current == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    stack.append(.array([]))
                    continue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try parseNumberValue()
            default:
                value = try parseKeywordLiteral()
            }
            // Hand the finished value to the innermost open container, closing every container that ends here.
            attaching: while true {
                guard let container = stack.popLast() else { return value }
                skipWhitespace()
                // `consume`: a copy left in `container` would make every append copy the whole array (quadratic).
                switch consume container {
                case .array(var items):
                    items.append(value)
                    if current == UInt8(ascii: ",") {
                        position += 1
                        stack.append(.array(items))
                        break attaching
                    }
                    guard current == UInt8(ascii: "]") else {
                        stack.append(.array(items))
                        throw unexpected(expecting: "',' or ']' in an array")
                    }
                    position += 1
                    value = .array(items)
                case .object(var object):
                    object.members.append((key: object.pendingKey, value: value))
                    if current == UInt8(ascii: ",") {
                        position += 1
                        try readMemberKey(into: &object)
                        stack.append(.object(object))
                        break attaching
                    }
                    guard current == UInt8(ascii: "}") else {
                        stack.append(.object(object))
                        throw unexpected(expecting: "',' or '}' in an object")
                    }
                    position += 1
                    value = .object(JSONObject(members: object.members))
                }
            }
        }
    }

    /// Reads `"key":` into `object`, rejecting a key the object already has.
    private mutating func readMemberKey(into object: inout OpenObject) throws(CodecError) {
        object.pendingKey = try readUniqueKey(&object.keys)
    }

    /// Reads `"key":` at the cursor (after optional whitespace) and records it in `keys`; a repeated key is
    /// `.malformed` because which of the two values counts is undefined and a sender must not rely on either.
    mutating func readUniqueKey(_ keys: inout Set<String>) throws(CodecError) -> String {
        skipWhitespace()
        guard current == UInt8(ascii: "\"") else { throw unexpected(expecting: "a member name in double quotes") }
        let keyOffset = position
        let key = try parseString()
        guard keys.insert(key).inserted else {
            throw .at(keyOffset, .malformed, "duplicate key '\(key)'")
        }
        try expect(UInt8(ascii: ":"), "':' after the member name '\(key)'")
        return key
    }
}
