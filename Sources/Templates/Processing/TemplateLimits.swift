/// Bounds on what one Template may ask of the processor: a TemplateInstance is written by a
/// tenant, and processing it must cost the controller little whatever it says.
public struct TemplateLimits: Sendable, Hashable {
    /// Objects in `objects`.
    public var maximumObjects: Int
    /// Entries in `parameters`.
    public var maximumParameters: Int
    /// Bytes of the whole template, before and after substitution (etcd refuses objects over
    /// 1.5 MiB; a template larger than a few of them cannot be meant).
    public var maximumTemplateBytes: Int
    /// Bytes of one string after substitution.
    public var maximumStringBytes: Int

    public init(
        maximumObjects: Int = 1_000, maximumParameters: Int = 500, maximumTemplateBytes: Int = 4 << 20,
        maximumStringBytes: Int = 1 << 20
    ) {
        self.maximumObjects = maximumObjects
        self.maximumParameters = maximumParameters
        self.maximumTemplateBytes = maximumTemplateBytes
        self.maximumStringBytes = maximumStringBytes
    }
}
