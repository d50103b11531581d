import KubeModel
import Testing

@testable import Templates

@Suite struct TemplateProcessorTests {
    let processor = TemplateProcessor()

    /// A KubeVirt-style template: a generated name, a required parameter, a number.
    static let template: JSONValue = [
        "apiVersion": "template.openshift.io/v1", "kind": "Template",
        "metadata": ["name": "fedora", "namespace": "openshift"],
        "labels": ["app": "${NAME}", "template": "fedora"],
        "message": "VM ${NAME} created with ${CPU} CPUs",
        "parameters": [
            ["name": "NAME", "generate": "expression", "from": "fedora-[a-z0-9]{8}"],
            ["name": "PASSWORD", "required": true],
            ["name": "CPU", "value": "2"],
            ["name": "RUNNING", "value": "false"],
        ],
        "objects": [
            [
                "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                "metadata": ["name": "${NAME}", "namespace": "openshift", "labels": ["vm.kubevirt.io/template": "fedora"]],
                "spec": [
                    "running": "${{RUNNING}}",
                    "template": [
                        "spec": [
                            "domain": ["cpu": ["cores": "${{CPU}}"]],
                            "volumes": [["name": "cloudinit", "cloudInitNoCloud": ["userData": "password: ${PASSWORD}\nhost: ${NAME}"]]],
                        ]
                    ],
                ],
            ]
        ],
    ]

    func process(
        _ template: JSONValue = template, values: [String: String] = ["PASSWORD": "s3cret"]
    ) throws(TemplateProcessingError) -> ProcessedTemplate {
        var random = CountingGenerator()
        return try processor.process(template, parameterValues: values, namespace: "vdc-acme-main", using: &random)
    }

    @Test func substitutesGeneratesAndLabels() throws {
        let result = try process()
        let name = try #require(result.parameters["NAME"])
        #expect(name.hasPrefix("fedora-") && name.count == 15)
        let vm = try #require(result.objects.first)
        #expect(vm.name == name)
        // A literal namespace gives way to the instance's.
        #expect(vm.namespace == "vdc-acme-main")
        #expect(vm[path: ["spec", "template", "spec", "domain", "cpu", "cores"]] == .int(2))
        #expect(vm[path: ["spec", "running"]] == .bool(false))
        let userData = vm[path: ["spec", "template", "spec", "volumes"]]?.arrayValue?.first?[path: ["cloudInitNoCloud", "userData"]]
        #expect(userData == .string("password: s3cret\nhost: \(name)"))
        // The template's labels (substituted) join the object's own.
        #expect(vm.labels == ["app": name, "template": "fedora", "vm.kubevirt.io/template": "fedora"])
        #expect(result.labels == ["app": name, "template": "fedora"])
        #expect(result.message == "VM \(name) created with 2 CPUs")
    }

    @Test func secretValuesOverrideValuesAndGeneration() throws {
        let result = try process(values: ["PASSWORD": "x", "NAME": "chosen", "CPU": "4"])
        #expect(result.objects.first?.name == "chosen")
        #expect(result.objects.first?[path: ["spec", "template", "spec", "domain", "cpu", "cores"]] == .int(4))
    }

    @Test func missingRequiredParameterIsNamed() {
        #expect(throws: TemplateProcessingError.parameters([.required(index: 1, name: "PASSWORD")])) { try process(values: [:]) }
        let message = TemplateProcessingError.parameters([.required(index: 1, name: "PASSWORD")]).description
        #expect(message == "template.parameters[1]: parameter PASSWORD is required and must be specified")
        // An empty value from the Secret does not satisfy it either.
        #expect(throws: TemplateProcessingError.self) { try process(values: ["PASSWORD": ""]) }
    }

    @Test func badGenerationIsAnErrorForThatParameter() {
        var template = Self.template
        template["parameters"] = [["name": "NAME", "generate": "expression", "from": "[z-a]{4}"]]
        #expect(
            throws: TemplateProcessingError.parameters([
                .generation(index: 0, name: "NAME", .invalidSpan("z-a", ranges: "z-a"))
            ])
        ) { try process(template) }
        template["parameters"] = [["name": "NAME", "generate": "dice"]]
        #expect(throws: TemplateProcessingError.parameters([.unknownGenerator(index: 0, name: "NAME", generator: "dice")])) {
            try process(template)
        }
    }

    @Test func nonStringSubstitutionOnlyForTheWholeString() throws {
        let template: JSONValue = [
            "parameters": [
                ["name": "N", "value": "3"], ["name": "WORD", "value": "not json"], ["name": "OBJ", "value": "{\"a\":[1,2]}"],
            ],
            "objects": [
                [
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"],
                    "data": [
                        "exact": "${{N}}", "embedded": "x-${{N}}", "string": "${N}${N}", "word": "${{WORD}}",
                        "object": "${{OBJ}}", "unknown": "${{NOPE}}", "unknownString": "${NOPE}",
                    ],
                ]
            ],
        ]
        let data = try #require(try process(template, values: [:]).objects.first?["data"])
        #expect(data["exact"] == .int(3))
        #expect(data["embedded"] == "x-${{N}}")
        #expect(data["string"] == "33")
        #expect(data["word"] == "not json")
        #expect(data["object"] == ["a": [1, 2]])
        #expect(data["unknown"] == "${{NOPE}}")
        #expect(data["unknownString"] == "${NOPE}")
    }

    @Test func namespaceFromAParameterStaysAndKeysAreSubstituted() throws {
        let template: JSONValue = [
            "parameters": [["name": "NS", "value": "elsewhere"], ["name": "K", "value": "color"]],
            "objects": [
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "${NS}"], "data": ["${K}": "red"]]
            ],
        ]
        let object = try #require(try process(template, values: [:]).objects.first)
        #expect(object.namespace == "elsewhere")
        #expect(object["data"] == ["color": "red"])
    }

    @Test func refusesMalformedTemplates() {
        #expect(throws: TemplateProcessingError.notAnObject("template")) { try process("nope") }
        #expect(throws: TemplateProcessingError.notAnArray("template.objects", found: "object")) {
            try process(["objects": ["a": 1]], values: [:])
        }
        #expect(throws: TemplateProcessingError.invalidObject(index: 0, reason: "kind is missing or not a string")) {
            try process(["objects": [["apiVersion": "v1", "metadata": ["name": "x"]]]], values: [:])
        }
        #expect(throws: TemplateProcessingError.invalidObject(index: 0, reason: "must be an object, not string")) {
            try process(["objects": ["text"]], values: [:])
        }
        #expect(throws: TemplateProcessingError.invalidParameter(index: 0, reason: "name \"bad-name\" must match [a-zA-Z0-9_]+")) {
            try process(["parameters": [["name": "bad-name"]], "objects": []], values: [:])
        }
        #expect(throws: TemplateProcessingError.invalidParameter(index: 0, reason: "required must be a boolean, not string")) {
            try process(["parameters": [["name": "A", "required": "yes"]], "objects": []], values: [:])
        }
        #expect(throws: TemplateProcessingError.duplicateParameter(name: "A")) {
            try process(["parameters": [["name": "A"], ["name": "A"]], "objects": []], values: [:])
        }
        // Substitution that turns kind into a number is caught after substitution.
        #expect(throws: TemplateProcessingError.invalidObject(index: 0, reason: "kind is missing or not a string")) {
            try process(
                ["parameters": [["name": "K", "value": "7"]], "objects": [["apiVersion": "v1", "kind": "${{K}}"]]], values: [:])
        }
    }

    @Test func enforcesTheBounds() {
        let small = TemplateProcessor(limits: TemplateLimits(maximumObjects: 2, maximumParameters: 2, maximumStringBytes: 100))
        var random = CountingGenerator()
        let three: JSONValue = ["objects": .array(Array(repeating: ["apiVersion": "v1", "kind": "ConfigMap"], count: 3))]
        #expect(throws: TemplateProcessingError.tooManyObjects(count: 3, limit: 2)) {
            try small.process(three, namespace: "n", using: &random)
        }
        let parameters: JSONValue = ["parameters": [["name": "A"], ["name": "B"], ["name": "C"]], "objects": []]
        #expect(throws: TemplateProcessingError.tooManyParameters(count: 3, limit: 2)) {
            try small.process(parameters, namespace: "n", using: &random)
        }
        // A value repeated until the string passes its limit.
        let blowup: JSONValue = [
            "parameters": [["name": "X", "value": .string(String(repeating: "x", count: 30))]],
            "objects": [["apiVersion": "v1", "kind": "ConfigMap", "data": ["a": .string(String(repeating: "${X}", count: 10))]]],
        ]
        #expect(throws: TemplateProcessingError.substitutionTooLarge(field: "template.objects[0]", limit: 100)) {
            try small.process(blowup, namespace: "n", using: &random)
        }
        let tiny = TemplateProcessor(limits: TemplateLimits(maximumTemplateBytes: 64))
        #expect(throws: TemplateProcessingError.templateTooLarge(limit: 64)) {
            try tiny.process(Self.template, parameterValues: ["PASSWORD": "p"], namespace: "n", using: &random)
        }
    }
}
