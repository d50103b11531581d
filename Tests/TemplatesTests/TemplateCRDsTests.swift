import Testing

@testable import Templates

@Suite struct TemplateCRDsTests {
    @Test func manifestsAreYAMLFilesInNameOrder() {
        let names = TemplateCRDs.files.map(\.lastPathComponent)
        #expect(names == names.sorted())
        #expect(names.allSatisfy { $0.hasSuffix(".yaml") })
    }
}
