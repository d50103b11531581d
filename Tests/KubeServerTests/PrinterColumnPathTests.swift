import KubeModel
import Testing

@testable import KubeServer

@Suite struct PrinterColumnPathTests {
    let object: JSONValue = [
        "metadata": ["labels": ["template.kubevirt.io/version": "v0.31.1", "plain": "yes"]],
        "spec": ["items": [["name": "a"], ["name": "b"]]],
    ]

    @Test func escapedDotsStayInOneLabelKey() {
        #expect(PrinterColumnPath(#".metadata.labels.template\.kubevirt\.io/version"#).evaluate(object) == ["v0.31.1"])
        #expect(PrinterColumnPath(".metadata.labels.plain").evaluate(object) == ["yes"])
    }

    @Test func bracketsAndIndexesStillWork() {
        #expect(PrinterColumnPath(".spec.items[1].name").evaluate(object) == ["b"])
        #expect(PrinterColumnPath(".metadata.labels['template.kubevirt.io/version']").evaluate(object) == ["v0.31.1"])
    }
}
