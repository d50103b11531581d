import Foundation

/// RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge member by
/// member, `null` deletes a member, anything else (lists included) replaces the target.
/// It cannot fail: every JSON value is a valid merge patch.
public enum MergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in members {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}
